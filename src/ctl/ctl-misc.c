/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl reload, renew, reconfigure. */
#include "ctl-misc.h"

#include "ctl-link-info.h"
#include "strv.h"
#include "v6mostlyctl.h"

int verb_reload(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = bus_open(&bus);
        if (r < 0)
                return r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "Reload", &error, NULL, NULL);
        if (r < 0)
                return log_bus_error(&error, r, "Failed to reload v6mostlyd");
        return 0;
}

static int link_call_method(int argc, char *argv[], const char *method, const char *verb) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r, ret = 0;

        r = bus_open(&bus);
        if (r < 0)
                return r;

        for (int i = 1; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(freep) char *path = NULL;

                r = link_get_path(bus, argv[i], &path);
                if (r == ERR_NOT_RUNNING)
                        return r;
                if (r >= 0) {
                        r = sd_bus_call_method(bus, BUS_NAME, path, BUS_LINK_INTERFACE, method, &error, NULL, NULL);
                        if (r < 0)
                                r = log_bus_error(&error, r, "Failed to %s %s", verb, argv[i]);
                }
                if (r < 0 && ret >= 0)
                        ret = r;
        }
        return ret;
}

int verb_renew(int argc, char *argv[]) {
        return link_call_method(argc, argv, "Renew", "renew");
}

int verb_reconfigure(int argc, char *argv[]) {
        return link_call_method(argc, argv, "Reconfigure", "reconfigure");
}
