/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl status. */
#include "ctl-status.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl-journal.h"
#include "ctl-link-info.h"
#include "strv.h"
#include "v6mostlyctl.h"

/* Width of the right-aligned labels of `status`. */
#define STATUS_LABEL_WIDTH 16

_printf_(2, 3) static void status_field(const char *label, const char *format, ...) {
        va_list ap;

        printf("%*s: ", STATUS_LABEL_WIDTH, label);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        fputc('\n', stdout);
}

/* Continuation line of a multi-line field. */
_printf_(1, 2) static void status_continue(const char *format, ...) {
        va_list ap;

        printf("%*s  ", STATUS_LABEL_WIDTH, "");
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        fputc('\n', stdout);
}

static const char *format_remaining(char *buf, size_t size, uint64_t sec) {
        char d[64];

        if (sec == UINT64_MAX)
                return "forever";
        snprintf(buf, size, "%s remaining", format_duration(d, sizeof(d), sec));
        return buf;
}

static void print_dhcp4(const LinkInfo *info) {
        _cleanup_(freep) char *line = NULL;
        char d[64];
        size_t size = 0;
        FILE *f;

        f = open_memstream(&line, &size);
        if (!f) {
                status_field("DHCPv4", "n/a");
                return;
        }
        fputs(dash_if_empty(info->dhcp4_state), f);
        if (!isempty(info->dhcp4_address))
                fprintf(f, ", %s", info->dhcp4_address);
        if (!isempty(info->dhcp4_server))
                fprintf(f, ", server %s", info->dhcp4_server);
        if (info->dhcp4_lease_remaining != UINT64_MAX)
                fprintf(f, ", lease %s remaining", format_duration(d, sizeof(d), info->dhcp4_lease_remaining));
        if (info->v6only_wait_remaining != UINT64_MAX)
                fprintf(f, ", IPv6-only wait %s remaining",
                        format_duration(d, sizeof(d), info->v6only_wait_remaining));
        if (fclose(f) != 0) {
                status_field("DHCPv4", "n/a");
                return;
        }
        status_field("DHCPv4", "%s", line);
}

static void print_nat64(const LinkInfo *info) {
        char buf[96], d[64];

        if (isempty(info->nat64_prefix))
                status_field("NAT64 Prefix", "-");
        else
                status_field("NAT64 Prefix", "%s (%s%s%s, %s)", info->nat64_prefix,
                             dash_if_empty(info->nat64_prefix_source),
                             /* The router (or resolver) is worth showing; "config" is not. */
                             !isempty(info->nat64_prefix_origin) && !streq(info->nat64_prefix_origin, "config")
                                     ? " from " : "",
                             !isempty(info->nat64_prefix_origin) && !streq(info->nat64_prefix_origin, "config")
                                     ? info->nat64_prefix_origin : "",
                             format_remaining(buf, sizeof(buf), info->nat64_prefix_lifetime_remaining));

        if (info->nat64_candidates.n == 0) {
                status_field("Candidates", "-");
                return;
        }
        for (size_t i = 0; i < info->nat64_candidates.n; i++) {
                const Nat64Candidate *c = &info->nat64_candidates.items[i];
                const char *lifetime = c->lifetime_remaining == UINT64_MAX
                                               ? "forever"
                                               : format_duration(d, sizeof(d), c->lifetime_remaining);

                /* The lifetime is a snapshot taken when the list last changed. */
                if (i == 0)
                        status_field("Candidates", "%s (%s, lifetime %s)", c->prefix, dash_if_empty(c->source),
                                     lifetime);
                else
                        status_continue("%s (%s, lifetime %s)", c->prefix, dash_if_empty(c->source), lifetime);
        }
}

static void print_strv_field(const char *field, char *const *l) {
        if (!l || !l[0]) {
                status_field(field, "-");
                return;
        }
        status_field(field, "%s", l[0]);
        for (size_t i = 1; l[i]; i++)
                status_continue("%s", l[i]);
}

/* "DNS: 2001:db8::53 (via resolved)": the servers, and where they went. */
static void print_dns(const LinkInfo *info) {
        char *const *l = info->dns_servers;

        if (!l || !l[0])
                status_field("DNS", "-");
        else if (!isempty(info->dns_backend))
                status_field("DNS", "%s (via %s)", l[0], info->dns_backend);
        else
                status_field("DNS", "%s (not handed to a resolver)", l[0]);
        for (size_t i = 1; l && l[i]; i++)
                status_continue("%s", l[i]);
        if (!isempty(info->dns_backend_reason))
                status_field("DNS Backend", "%s%s", isempty(info->dns_backend) ? "none: " : "others not used: ",
                             info->dns_backend_reason);
}

static void print_clat(const LinkInfo *info) {
        const ClatCounters *counters = &info->clat_counters;
        bool any_drops = false;

        if (!isempty(info->clat_backend) && !isempty(info->clat_reason))
                status_field("CLAT", "%s (%s): %s", dash_if_empty(info->clat_state), info->clat_backend,
                             info->clat_reason);
        else if (!isempty(info->clat_backend))
                status_field("CLAT", "%s (%s)", dash_if_empty(info->clat_state), info->clat_backend);
        else if (!isempty(info->clat_reason))
                status_field("CLAT", "%s: %s", dash_if_empty(info->clat_state), info->clat_reason);
        else
                status_field("CLAT", "%s", dash_if_empty(info->clat_state));

        status_field("CLAT IPv4", "%s", dash_if_empty(info->clat_ipv4_address));
        status_field("CLAT IPv6", "%s", dash_if_empty(info->clat_ipv6_address));
        if (info->clat_mtu > 0)
                status_field("MTU", "%" PRIu32, info->clat_mtu);
        else
                status_field("MTU", "-");

        if (!counters->valid) {
                status_field("Translated", "n/a");
                status_field("Dropped", "n/a");
                return;
        }

        status_field("Translated", "%" PRIu64 " packets 4" GLYPH_ARROW "6, %" PRIu64 " packets 6" GLYPH_ARROW "4",
                     counters->packets_4to6, counters->packets_6to4);
        for (size_t i = 0; i < counters->n_drops; i++) {
                const DropCounter *drop = &counters->drops[i];

                if (drop->packets == 0)
                        continue;
                if (!any_drops)
                        status_field("Dropped", "%" PRIu64 " %s", drop->packets, drop->reason);
                else
                        status_continue("%" PRIu64 " %s", drop->packets, drop->reason);
                any_drops = true;
        }
        if (!any_drops)
                status_field("Dropped", "none");
}

static void print_link_status(const LinkInfo *info) {
        printf("%s%s%s %d: %s\n", link_state_color(info->state), GLYPH_BULLET, ansi_normal(), info->ifindex,
               dash_if_empty(info->name));

        status_field("State", "%s%s%s", link_state_color(info->state), dash_if_empty(info->state), ansi_normal());
        status_field("Reason", "%s", dash_if_empty(info->reason));
        status_field("Network File", "%s", dash_if_empty(info->network_file));
        print_dhcp4(info);
        print_nat64(info);
        print_dns(info);
        print_strv_field("Search Domains", info->search_domains);
        print_clat(info);
}

int verb_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(link_list_done) LinkList list = {};
        int r;

        r = bus_open(&bus);
        if (r < 0)
                return r;

        if (argc > 1) {
                /* Resolve every argument first so that nothing is printed for a typo. */
                list.links = calloc(argc - 1, sizeof(LinkInfo));
                if (!list.links)
                        return log_oom();
                for (int i = 1; i < argc; i++) {
                        LinkInfo *info = &list.links[list.n++];

                        link_info_init(info);
                        info->name = strdup(argv[i]);
                        if (!info->name)
                                return log_oom();
                        r = link_get_path(bus, argv[i], &info->path);
                        if (r < 0)
                                return r;
                }

                if (arg_json != JSON_OFF && argc == 2)
                        return print_describe(bus, list.links[0].path, BUS_LINK_INTERFACE, argv[1]);
        } else {
                if (arg_json != JSON_OFF && arg_all)
                        return print_describe(bus, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, NULL);
                r = link_list_acquire(bus, &list);
                if (r < 0)
                        return r;
        }

        if (arg_json != JSON_OFF) {
                _cleanup_(strv_freep) char **paths = NULL, **names = NULL;

                /* Without arguments, show the managed links only: we need their state. */
                if (argc <= 1) {
                        r = link_list_load(bus, &list, false);
                        if (r < 0)
                                return r;
                }
                for (size_t i = 0; i < list.n; i++) {
                        const LinkInfo *info = &list.links[i];

                        if (argc <= 1 && streq_ptr(info->state, link_state_table[CTL_LINK_STATE_UNMANAGED]))
                                continue;
                        if (strv_extend(&paths, info->path) < 0 || strv_extend(&names, strempty(info->name)) < 0)
                                return log_oom();
                }
                return print_json_links(bus, paths, names);
        }

        for (size_t i = 0; i < list.n; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = link_info_load(bus, &list.links[i], true, &error);
                if (r < 0 && argc <= 1 && bus_error_is_no_such_object(&error))
                        link_info_done(&list.links[i]); /* vanished since ListLinks() */
                else if (r < 0 && sd_bus_error_is_set(&error))
                        return log_bus_error(&error, r, "Failed to get link %s", strna(list.links[i].name));
                else if (r < 0)
                        return r;
        }

        bool first = true;
        for (size_t i = 0; i < list.n; i++) {
                const LinkInfo *info = &list.links[i];

                if (!info->path)
                        continue;
                if (argc <= 1 && !arg_all && streq_ptr(info->state, link_state_table[CTL_LINK_STATE_UNMANAGED]))
                        continue;
                if (!first)
                        fputc('\n', stdout);
                first = false;
                print_link_status(info);
                /* As `networkctl status LINK`: the links asked for by name get their
                 * last log lines. */
                if (argc > 1)
                        (void) show_link_journal(info->name, CTL_JOURNAL_LINES);
        }
        return 0;
}
