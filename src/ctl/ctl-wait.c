/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl wait: until a link is in one of the given states. */
#include "ctl-wait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl-link-info.h"
#include "strv.h"
#include "v6mostlyctl.h"

typedef struct Waiter {
        sd_bus *bus;
        sd_event *event;
        const char *link;
        char **states;
        char *path;  /* NULL while the link does not exist (as far as we know) */
        char *state; /* last State seen */
        bool daemon_running;
} Waiter;

static void waiter_forget_link(Waiter *w) {
        w->path = mfree(w->path);
        w->state = mfree(w->state);
}

/* Returns > 0 when the link is in one of the wanted states. */
static int waiter_update_state(Waiter *w, const char *state) {
        if (free_and_strdup(&w->state, state) < 0)
                return log_oom();
        return strv_contains((const char *const *) w->states, state);
}

static int waiter_check(Waiter *w) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *state = NULL;
        int r;

        if (!w->path) {
                r = bus_daemon_is_running(w->bus);
                if (r < 0)
                        return r;
                w->daemon_running = r;
                if (!w->daemon_running)
                        return 0;

                r = link_lookup(w->bus, w->link, &error, &w->path);
                if (r < 0 && (bus_error_is_no_such_object(&error) || bus_error_is_not_running(&error)))
                        return 0;
                if (r < 0 && sd_bus_error_is_set(&error))
                        return log_bus_error(&error, r, "Failed to get link %s", w->link);
                if (r < 0)
                        return r;
        }

        r = sd_bus_get_property_string(w->bus, BUS_NAME, w->path, BUS_LINK_INTERFACE, "State", &error, &state);
        if (r < 0 && (bus_error_is_no_such_object(&error) || bus_error_is_not_running(&error))) {
                waiter_forget_link(w);
                return 0;
        }
        if (r < 0)
                return log_bus_error(&error, r, "Failed to get state of link %s", w->link);

        return waiter_update_state(w, state);
}

static int waiter_check_and_exit(Waiter *w) {
        int r;

        r = waiter_check(w);
        if (r < 0)
                return sd_event_exit(w->event, r);
        if (r > 0)
                return sd_event_exit(w->event, 0);
        return 0;
}

/* The State of a PropertiesChanged, into the char* `userdata`. */
static int read_state(sd_bus_message *m, const char *member, const char *contents, void *userdata) {
        const char *value;
        int r;

        if (!streq(member, "State"))
                return sd_bus_message_skip(m, "v");
        r = sd_bus_message_read(m, "v", "s", &value);
        if (r < 0)
                return r;
        return free_and_strdup(userdata, value) < 0 ? -ENOMEM : 0;
}

static int on_wait_properties_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Waiter *w = userdata;
        _cleanup_(strv_freep) char **invalidated = NULL;
        _cleanup_(freep) char *state = NULL;
        const char *path, *interface;
        int r;

        /* The link may have appeared without us seeing InterfacesAdded: any change of any link
         * is a good moment to look again. */
        if (!w->path)
                return waiter_check_and_exit(w);

        path = sd_bus_message_get_path(message);
        if (!streq_ptr(path, w->path))
                return 0;

        r = sd_bus_message_read_basic(message, 's', &interface);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!streq(interface, BUS_LINK_INTERFACE))
                return 0;

        r = bus_message_foreach_property(message, read_state, &state);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_message_read_strv(message, &invalidated);
        if (r < 0)
                return bus_log_parse_error(r);

        if (state) {
                r = waiter_update_state(w, state);
                if (r < 0)
                        return sd_event_exit(w->event, r);
                if (r > 0)
                        return sd_event_exit(w->event, 0);
                return 0;
        }
        if (strv_contains((const char *const *) invalidated, "State"))
                return waiter_check_and_exit(w);
        return 0;
}

static int on_wait_interfaces_added(sd_bus_message *message, const char *path, void *userdata) {
        Waiter *w = userdata;

        if (w->path && !streq(path, w->path))
                return 0;
        return waiter_check_and_exit(w);
}

static int on_wait_interfaces_removed(sd_bus_message *message, const char *path, void *userdata) {
        Waiter *w = userdata;

        if (streq_ptr(path, w->path))
                waiter_forget_link(w);
        return 0;
}

static int on_wait_daemon(bool running, void *userdata) {
        Waiter *w = userdata;

        waiter_forget_link(w);
        w->daemon_running = running;
        if (!w->daemon_running)
                return 0;
        return waiter_check_and_exit(w);
}

static int on_wait_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Waiter *w = userdata;
        _cleanup_(freep) char *states = strv_join(w->states, ", ");

        if (!w->daemon_running)
                fprintf(stderr, "Timed out waiting for link %s: v6mostlyd is not running.\n", w->link);
        else if (!w->path)
                fprintf(stderr, "Timed out waiting for link %s to appear.\n", w->link);
        else
                fprintf(stderr, "Timed out waiting for link %s to reach state %s (current state: %s).\n", w->link,
                        strna(states), strna(w->state));
        return sd_event_exit(sd_event_source_get_event(s), -ETIMEDOUT);
}

int verb_wait(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(strv_freep) char **states = NULL;
        Waiter w = {};
        const LinkSignals signals = {
                .on_changed = on_wait_properties_changed,
                .on_added = on_wait_interfaces_added,
                .on_removed = on_wait_interfaces_removed,
                .on_daemon = on_wait_daemon,
                .userdata = &w,
        };
        int r;

        /* STATE[,STATE...] */
        for (const char *p = argv[2];;) {
                size_t n = strcspn(p, ",");
                _cleanup_(freep) char *state = strndup(p, n);

                if (!state)
                        return log_oom();
                if (!strv_contains(link_state_table, state))
                        return usage_error("Unknown link state '%s'.", state);
                if (strv_extend(&states, state) < 0)
                        return log_oom();
                if (p[n] == '\0')
                        break;
                p += n + 1;
        }

        r = bus_open(&bus);
        if (r < 0)
                return r;
        r = bus_event_new(bus, false, &event);
        if (r < 0)
                return r;

        w = (Waiter) {
                .bus = bus,
                .event = event,
                .link = argv[1],
                .states = states,
        };

        r = add_link_matches(bus, &signals);
        if (r < 0)
                goto finish;

        if (arg_timeout_usec > 0) {
                r = sd_event_add_time_relative(event, NULL, CLOCK_MONOTONIC, arg_timeout_usec, 0, on_wait_timeout,
                                               &w);
                if (r < 0) {
                        log_error_errno(r, "Failed to set up timeout: %m");
                        goto finish;
                }
        }

        /* Only now, with the matches in place, look at the current state: a change between
         * the two would otherwise be lost. */
        r = waiter_check(&w);
        if (r != 0)
                goto finish;

        /* Handlers report their errors themselves; the exit code carries them here. */
        r = sd_event_loop(event);
        if (r > 0)
                r = log_error_errno(ECONNRESET, "Lost the connection to the bus.");
finish:
        free(w.path);
        free(w.state);
        return r < 0 ? r : 0;
}
