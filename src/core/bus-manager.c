/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-manager.h"

#include <inttypes.h>
#include <stdio.h>

#include "bus-link.h"
#include "diagnose.h"
#include "json-writer.h"
#include "link.h"
#include "log.h"

int bus_check_privileged(sd_bus_message *message, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t euid;
        int r;

        r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &euid);
        if (r < 0)
                return r;
        if (euid != 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Only root may do this.");
        return 0;
}

static int method_list_links(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(iso)");
        if (r < 0)
                return r;
        for (Link *l = m->links; l; l = l->next) {
                char path[64];

                link_bus_path(l, path, sizeof(path));
                r = sd_bus_message_append(reply, "(iso)", l->ifindex, l->ifname, path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int reply_link_path(sd_bus_message *message, Link *link, const char *what, sd_bus_error *error) {
        char path[64];

        if (!link)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_LINK, "Link %s not known.", what);
        link_bus_path(link, path, sizeof(path));
        return sd_bus_reply_method_return(message, "o", path);
}

static int method_get_link(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        char what[32];
        int32_t ifindex;
        int r;

        r = sd_bus_message_read(message, "i", &ifindex);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "%" PRIi32, ifindex);
        return reply_link_path(message, manager_get_link(m, ifindex), what, error);
}

static int method_get_link_by_name(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        return reply_link_path(message, manager_get_link_by_name(m, name), name, error);
}

static int method_reload(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = bus_check_privileged(message, error);
        if (r != 0)
                return r;
        r = manager_reload(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Reload failed: %m");
        return sd_bus_reply_method_return(message, NULL);
}

static int method_describe(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *text = NULL;
        JsonWriter w = {};
        Manager *m = userdata;
        size_t n = 0;
        int r;

        /* Sorted by ifindex, like `v6mostlyctl list`. */
        _cleanup_free_ Link **sorted = calloc(m->n_links ?: 1, sizeof(Link *));
        if (!sorted)
                return -ENOMEM;
        for (Link *l = m->links; l; l = l->next) {
                size_t i = n++;

                while (i > 0 && sorted[i - 1]->ifindex > l->ifindex) {
                        sorted[i] = sorted[i - 1];
                        i--;
                }
                sorted[i] = l;
        }
        json_begin_array(&w);
        for (size_t i = 0; i < n; i++)
                link_describe_json_write(sorted[i], &w);
        json_end_array(&w);
        r = json_finish(&w, &text);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "s", text);
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_ARGS("ListLinks", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(iso)", links), method_list_links,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetLink", SD_BUS_ARGS("i", ifindex), SD_BUS_RESULT("o", path), method_get_link,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetLinkByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", path),
                                method_get_link_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", NULL, NULL, method_reload, 0),
        SD_BUS_METHOD_WITH_ARGS("Describe", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json), method_describe,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Diagnose", SD_BUS_ARGS("i", ifindex, "t", flags, "s", target),
                                SD_BUS_RESULT("a" BUS_DIAGNOSE_SIGNATURE, checks), diag_bus_method, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int bus_manager_setup(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the manager object: %m");
        r = sd_bus_add_fallback_vtable(bus, NULL, BUS_LINK_PATH_PREFIX, BUS_LINK_INTERFACE, link_vtable,
                                       link_object_find, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register link objects: %m");
        r = sd_bus_add_node_enumerator(bus, NULL, BUS_LINK_PATH_PREFIX, link_node_enumerator, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the link enumerator: %m");
        r = sd_bus_add_object_manager(bus, NULL, BUS_MANAGER_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to register the object manager: %m");
        return 0;
}
