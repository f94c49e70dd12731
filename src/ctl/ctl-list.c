/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl list. */
#include "ctl-list.h"

#include <stdio.h>
#include <string.h>

#include "ctl-link-info.h"
#include "strv.h"
#include "v6mostlyctl.h"

static const char *clat_summary(const LinkInfo *info, char *buf, size_t size) {
        if (isempty(info->clat_state))
                return "-";
        if (!isempty(info->clat_backend))
                snprintf(buf, size, "%s (%s)", info->clat_state, info->clat_backend);
        else
                snprintf(buf, size, "%s", info->clat_state);
        return buf;
}

int verb_list(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(link_list_done) LinkList list = {};
        int idx_width = 3, name_width = 4, state_width = 5, nat64_width = 5;
        char buf[256];
        int r;

        r = bus_open(&bus);
        if (r < 0)
                return r;

        if (arg_json != JSON_OFF)
                return print_describe(bus, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, NULL);

        r = link_list_acquire(bus, &list);
        if (r < 0)
                return r;
        r = link_list_load(bus, &list, false);
        if (r < 0)
                return r;

        for (size_t i = 0; i < list.n; i++) {
                const LinkInfo *info = &list.links[i];
                int w = snprintf(buf, sizeof(buf), "%d", info->ifindex);

                idx_width = MAX(idx_width, w);
                name_width = MAX(name_width, (int) strlen(strempty(info->name)));
                state_width = MAX(state_width, (int) strlen(dash_if_empty(info->state)));
                nat64_width = MAX(nat64_width, (int) strlen(dash_if_empty(info->nat64_prefix)));
        }

        if (arg_legend)
                printf("%*s %-*s %-*s %-*s %s\n", idx_width, "IDX", name_width, "LINK", state_width, "STATE",
                       nat64_width, "NAT64", "CLAT");

        for (size_t i = 0; i < list.n; i++) {
                const LinkInfo *info = &list.links[i];
                const char *state = dash_if_empty(info->state);

                printf("%*d %-*s %s%-*s%s %-*s %s\n", idx_width, info->ifindex, name_width, strempty(info->name),
                       link_state_color(info->state), state_width, state, ansi_normal(), nat64_width,
                       dash_if_empty(info->nat64_prefix), clat_summary(info, buf, sizeof(buf)));
        }

        if (arg_legend)
                printf("\n%zu %s listed.\n", list.n, list.n == 1 ? "link" : "links");

        return 0;
}
