/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl diagnose: print what Manager.Diagnose() found, per link. The daemon does the
 * checks; this only picks the links, asks, and prints. */
#include "ctl-diagnose.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-link-info.h"
#include "json-writer.h"
#include "v6mostlyctl.h"

/* The probes wait up to a few seconds each (docs/dbus-api.md); sd-bus' default is 25 s. */
#define DIAGNOSE_CALL_TIMEOUT_USEC (60 * USEC_PER_SEC)
/* Nothing failed, but a check did: the exit status 1 of v6mostlyctl(1), no message. */
#define ERR_CHECK_FAILED (-EREMOTEIO)

typedef struct Check {
        char *id, *verdict, *evidence, *fix, *where;
        int64_t value;
} Check;

typedef struct LinkChecks {
        int ifindex;
        char *name;
        Check *checks;
        size_t n;
} LinkChecks;

static void link_checks_done(LinkChecks *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->checks[i].id);
                free(l->checks[i].verdict);
                free(l->checks[i].evidence);
                free(l->checks[i].fix);
                free(l->checks[i].where);
        }
        free(l->checks);
        free(l->name);
        *l = (LinkChecks) {};
}

static int call_diagnose(sd_bus *bus, LinkChecks *l) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        const char *id, *verdict, *evidence, *fix, *where;
        uint64_t flags = BUS_DIAGNOSE_FLAG_ACTIVE | (arg_probe ? BUS_DIAGNOSE_FLAG_PROBE_DHCP4 : 0);
        int64_t value;
        int r;

        r = sd_bus_message_new_method_call(bus, &call, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "Diagnose");
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_message_append(call, "its", (int32_t) l->ifindex, flags, strempty(arg_target));
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_call(bus, call, DIAGNOSE_CALL_TIMEOUT_USEC, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r, "Failed to diagnose %s", l->name);

        r = sd_bus_message_enter_container(reply, 'a', BUS_DIAGNOSE_SIGNATURE);
        if (r < 0)
                return bus_log_parse_error(r);
        while ((r = sd_bus_message_read(reply, BUS_DIAGNOSE_SIGNATURE, &id, &verdict, &evidence, &fix, &where, &value)) > 0) {
                Check *n = reallocarray(l->checks, l->n + 1, sizeof(Check));

                if (!n)
                        return log_oom();
                l->checks = n;
                n[l->n++] = (Check) {
                        .id = strdup(id),
                        .verdict = strdup(verdict),
                        .evidence = strdup(evidence),
                        .fix = strdup(fix),
                        .where = strdup(where),
                        .value = value,
                };
                if (!n[l->n - 1].id || !n[l->n - 1].verdict || !n[l->n - 1].evidence || !n[l->n - 1].fix ||
                    !n[l->n - 1].where)
                        return log_oom();
        }
        if (r < 0)
                return bus_log_parse_error(r);
        return 0;
}

static const char *verdict_color(const char *verdict) {
        if (!arg_colors)
                return "";
        if (streq(verdict, "PASS"))
                return ANSI_GREEN;
        if (streq(verdict, "WARN"))
                return ANSI_YELLOW;
        if (streq(verdict, "FAIL"))
                return ANSI_RED;
        return ANSI_GREY;
}

static void print_text(const LinkChecks *l) {
        size_t width = 0;

        for (size_t i = 0; i < l->n; i++)
                width = MAX(width, strlen(l->checks[i].id));
        printf("%s%s%s (ifindex %d)\n", arg_colors ? ANSI_BOLD : "", l->name, arg_colors ? ANSI_NORMAL : "", l->ifindex);
        for (size_t i = 0; i < l->n; i++) {
                const Check *c = l->checks + i;

                printf("  %s%s%s %-*s %s\n", verdict_color(c->verdict), c->verdict, arg_colors ? ANSI_NORMAL : "",
                       (int) width, c->id, c->evidence);
                if (!isempty(c->fix))
                        printf("       %-*s fix (%s): %s\n", (int) width, "", isempty(c->where) ? "?" : c->where, c->fix);
        }
}

static void json_checks(JsonWriter *w, const LinkChecks *l) {
        json_begin_object(w);
        json_key(w, "ifindex");
        json_int(w, l->ifindex);
        json_key(w, "name");
        json_string(w, l->name);
        json_key(w, "checks");
        json_begin_array(w);
        for (size_t i = 0; i < l->n; i++) {
                const Check *c = l->checks + i;

                json_begin_object(w);
                json_key(w, "id");
                json_string(w, c->id);
                json_key(w, "verdict");
                json_string(w, c->verdict);
                json_key(w, "evidence");
                json_string(w, c->evidence);
                json_key(w, "fix");
                json_string(w, isempty(c->fix) ? NULL : c->fix);
                json_key(w, "where");
                json_string(w, isempty(c->where) ? NULL : c->where);
                json_key(w, "value");
                if (c->value < 0)
                        json_null(w);
                else
                        json_int(w, c->value);
                json_end_object(w);
        }
        json_end_array(w);
        json_end_object(w);
}

int verb_diagnose(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(link_list_done) LinkList list = {};
        _cleanup_free_ LinkChecks *results = NULL;
        size_t n_results = 0, n_failed = 0, n_warned = 0;
        struct in_addr target;
        int r;

        if (arg_target && inet_pton(AF_INET, arg_target, &target) != 1)
                return usage_error("Invalid --target= value '%s' (expected an IPv4 address).", arg_target);

        r = bus_open(&bus);
        if (r < 0)
                return r;
        r = link_list_acquire(bus, &list);
        if (r < 0)
                return r;

        results = calloc(MAX(list.n, (size_t) argc), sizeof(LinkChecks));
        if (!results)
                return log_oom();

        if (argc > 1) {
                /* Resolve every argument first so that nothing is printed for a typo. */
                for (int i = 1; i < argc; i++) {
                        const LinkInfo *found = NULL;
                        int ifindex = 0;

                        (void) parse_ifindex(argv[i], &ifindex);
                        for (size_t j = 0; j < list.n && !found; j++)
                                if (streq_ptr(list.links[j].name, argv[i]) || list.links[j].ifindex == ifindex)
                                        found = list.links + j;
                        if (!found) {
                                fprintf(stderr, "Failed to get link %s: No such link\n", argv[i]);
                                r = ERR_NO_SUCH_LINK;
                                goto finish;
                        }
                        results[n_results].ifindex = found->ifindex;
                        results[n_results++].name = strdup(found->name);
                        if (!results[n_results - 1].name) {
                                r = log_oom();
                                goto finish;
                        }
                }
        } else {
                r = link_list_load(bus, &list, false);
                if (r < 0)
                        goto finish;
                for (size_t j = 0; j < list.n; j++) {
                        if (streq_ptr(list.links[j].state, link_state_table[CTL_LINK_STATE_UNMANAGED]))
                                continue;
                        results[n_results].ifindex = list.links[j].ifindex;
                        results[n_results++].name = strdup(list.links[j].name);
                        if (!results[n_results - 1].name) {
                                r = log_oom();
                                goto finish;
                        }
                }
        }

        for (size_t i = 0; i < n_results; i++) {
                r = call_diagnose(bus, results + i);
                if (r < 0)
                        goto finish;
                for (size_t j = 0; j < results[i].n; j++) {
                        n_failed += streq(results[i].checks[j].verdict, "FAIL");
                        n_warned += streq(results[i].checks[j].verdict, "WARN");
                }
        }

        if (arg_json != JSON_OFF) {
                _cleanup_free_ char *text = NULL;
                JsonWriter w = {};

                json_begin_array(&w);
                for (size_t i = 0; i < n_results; i++)
                        json_checks(&w, results + i);
                json_end_array(&w);
                r = json_finish(&w, &text);
                if (r < 0) {
                        r = log_oom();
                        goto finish;
                }
                json_print(text);
        } else {
                for (size_t i = 0; i < n_results; i++) {
                        if (i > 0)
                                fputc('\n', stdout);
                        print_text(results + i);
                }
                if (n_results == 0)
                        printf("No managed links.\n");
                else if (arg_legend)
                        printf("\n%zu failed, %zu warned.%s\n", n_failed, n_warned,
                               geteuid() == 0 ? "" : " (Run as root for the NAT64 probes.)");
        }
        r = n_failed > 0 ? ERR_CHECK_FAILED : 0;

finish:
        for (size_t i = 0; i < n_results; i++)
                link_checks_done(results + i);
        return r;
}
