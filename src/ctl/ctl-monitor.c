/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl monitor: link changes as they happen, one line each. */
#include "ctl-monitor.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-link-info.h"
#include "strv.h"
#include "v6mostlyctl.h"

/* ---------------------------------------------------------------------------------------- */
/* Generic formatting of bus values (monitor)                                              */

static int format_value(sd_bus_message *m, FILE *f);

static int format_container(sd_bus_message *m, FILE *f, char type, const char *contents) {
        bool first = true;
        int r;

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        if (type == SD_BUS_TYPE_STRUCT)
                fputc('(', f);

        for (;;) {
                r = sd_bus_message_peek_type(m, NULL, NULL);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (!first)
                        fputs(type == SD_BUS_TYPE_DICT_ENTRY ? "=" : ", ", f);
                first = false;
                r = format_value(m, f);
                if (r < 0)
                        return r;
        }

        if (type == SD_BUS_TYPE_STRUCT)
                fputc(')', f);
        return sd_bus_message_exit_container(m);
}

/* Append the next value of `m` to `f` in a form for people: strings as they are, numbers
 * in decimal (UINT64_MAX as "infinity"), arrays comma-separated, structs in parentheses. */
static int format_value(sd_bus_message *m, FILE *f) {
        union {
                uint8_t u8;
                uint16_t u16;
                int16_t s16;
                uint32_t u32;
                int32_t s32;
                uint64_t u64;
                int64_t s64;
                double d;
                int b;
                const char *s;
        } v;
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r;

        if (type == SD_BUS_TYPE_VARIANT) {
                r = sd_bus_message_enter_container(m, type, contents);
                if (r < 0)
                        return r;
                r = format_value(m, f);
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        if (type == SD_BUS_TYPE_ARRAY || type == SD_BUS_TYPE_STRUCT || type == SD_BUS_TYPE_DICT_ENTRY)
                return format_container(m, f, type, contents);

        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;

        switch (type) {
        case SD_BUS_TYPE_BYTE:
                fprintf(f, "%u", v.u8);
                break;
        case SD_BUS_TYPE_BOOLEAN:
                fputs(v.b ? "yes" : "no", f);
                break;
        case SD_BUS_TYPE_INT16:
                fprintf(f, "%" PRIi16, v.s16);
                break;
        case SD_BUS_TYPE_UINT16:
                fprintf(f, "%" PRIu16, v.u16);
                break;
        case SD_BUS_TYPE_INT32:
                fprintf(f, "%" PRIi32, v.s32);
                break;
        case SD_BUS_TYPE_UINT32:
                fprintf(f, "%" PRIu32, v.u32);
                break;
        case SD_BUS_TYPE_INT64:
                fprintf(f, "%" PRIi64, v.s64);
                break;
        case SD_BUS_TYPE_UINT64:
                if (v.u64 == UINT64_MAX)
                        fputs("infinity", f);
                else
                        fprintf(f, "%" PRIu64, v.u64);
                break;
        case SD_BUS_TYPE_DOUBLE:
                fprintf(f, "%g", v.d);
                break;
        case SD_BUS_TYPE_STRING:
        case SD_BUS_TYPE_OBJECT_PATH:
        case SD_BUS_TYPE_SIGNATURE:
                fputs(v.s, f);
                break;
        default: /* unix fds */
                fputs("?", f);
        }
        return 1;
}

/* Read the next value of `m` (positioned on it, not on a variant) into a new string. */
static int format_value_to_string(sd_bus_message *m, char **ret) {
        _cleanup_(freep) char *s = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&s, &size);
        if (!f)
                return -ENOMEM;
        r = format_value(m, f);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* monitor                                                                                 */

typedef struct MonitorLink {
        char *path;
        char **properties; /* name, value, name, value, ...: the last values seen */
} MonitorLink;

typedef struct Monitor {
        sd_bus *bus;
        MonitorLink *links;
        size_t n_links;
} Monitor;

_printf_(1, 2) static void monitor_line(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        fputc('\n', stdout);
        /* Readers are often scripts on the other end of a pipe. */
        fflush(stdout);
}

static const char *property_pairs_get(char *const *pairs, const char *name) {
        for (size_t i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2)
                if (streq(pairs[i], name))
                        return pairs[i + 1];
        return NULL;
}

/* Record a value; returns 1 if it differs from the one recorded before (or there was
 * none), 0 if not, -ENOMEM. */
static int property_pairs_set(char ***pairs, const char *name, const char *value) {
        for (size_t i = 0; *pairs && (*pairs)[i] && (*pairs)[i + 1]; i += 2)
                if (streq((*pairs)[i], name)) {
                        if (streq((*pairs)[i + 1], value))
                                return 0;
                        return free_and_strdup(&(*pairs)[i + 1], value) < 0 ? -ENOMEM : 1;
                }
        if (strv_extend(pairs, name) < 0 || strv_extend(pairs, value) < 0)
                return -ENOMEM;
        return 1;
}

static int add_formatted_property(sd_bus_message *m, const char *member, const char *contents, void *userdata) {
        char ***pairs = userdata;
        _cleanup_(freep) char *value = NULL;
        int r;

        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        r = format_value_to_string(m, &value);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        if (strv_extend(pairs, member) < 0 || strv_extend(pairs, value) < 0)
                return -ENOMEM;
        return 0;
}

/* Read an a{sv} into name/value pairs, the values formatted for people. */
static int read_properties_formatted(sd_bus_message *m, char ***ret) {
        _cleanup_(strv_freep) char **pairs = NULL;
        int r;

        r = bus_message_foreach_property(m, add_formatted_property, &pairs);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pairs);
        return 0;
}

/* All properties of a link object, formatted. Bus errors are left in `error`. */
static int link_get_properties_formatted(sd_bus *bus, const char *path, sd_bus_error *error, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, PROPERTIES_INTERFACE, "GetAll", error, &reply, "s",
                               BUS_LINK_INTERFACE);
        if (r < 0)
                return r;
        r = read_properties_formatted(reply, ret);
        if (r < 0)
                return bus_log_parse_error(r);
        return 0;
}

static void monitor_link_done(MonitorLink *l) {
        free(l->path);
        strv_free(l->properties);
        *l = (MonitorLink) {};
}

static void monitor_clear(Monitor *m) {
        for (size_t i = 0; i < m->n_links; i++)
                monitor_link_done(&m->links[i]);
        free(m->links);
        m->links = NULL;
        m->n_links = 0;
}

static MonitorLink *monitor_find(Monitor *m, const char *path) {
        for (size_t i = 0; i < m->n_links; i++)
                if (streq(m->links[i].path, path))
                        return &m->links[i];
        return NULL;
}

static void monitor_forget(Monitor *m, const char *path) {
        MonitorLink *l = monitor_find(m, path);

        if (!l)
                return;
        monitor_link_done(l);
        *l = m->links[--m->n_links];
}

/* Add (or replace) a link with the given properties; takes ownership of them. */
static int monitor_add(Monitor *m, const char *path, char **properties, MonitorLink **ret) {
        MonitorLink *links, *l;

        l = monitor_find(m, path);
        if (!l) {
                links = reallocarray(m->links, m->n_links + 1, sizeof(MonitorLink));
                if (!links) {
                        strv_free(properties);
                        return -ENOMEM;
                }
                m->links = links;
                l = &m->links[m->n_links];
                *l = (MonitorLink) { .path = strdup(path) };
                if (!l->path) {
                        strv_free(properties);
                        return -ENOMEM;
                }
                m->n_links++;
        }
        strv_free(l->properties);
        l->properties = properties;
        if (ret)
                *ret = l;
        return 0;
}

/* The name of a link, or the last component of its path if we never learned the name. */
static const char *monitor_link_label(const MonitorLink *l) {
        const char *name = property_pairs_get(l->properties, "Name"), *slash;

        if (!isempty(name))
                return name;
        slash = strrchr(l->path, '/');
        return slash ? slash + 1 : l->path;
}

static void monitor_print_added(const MonitorLink *l) {
        monitor_line("%s: link added, state %s", monitor_link_label(l),
                     dash_if_empty(property_pairs_get(l->properties, "State")));
}

/* Fill the cache from ListLinks() and the links' properties. With `announce`, print every
 * link as added (used when the daemon appears). */
static int monitor_load(Monitor *m, bool announce) {
        _cleanup_(link_list_done) LinkList list = {};
        int r;

        r = link_list_acquire(m->bus, &list);
        if (r < 0)
                return r;

        for (size_t i = 0; i < list.n; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                char **properties = NULL;
                MonitorLink *l;

                r = link_get_properties_formatted(m->bus, list.links[i].path, &error, &properties);
                if (r < 0 && bus_error_is_no_such_object(&error))
                        continue; /* gone already; InterfacesRemoved follows */
                if (r < 0 && sd_bus_error_is_set(&error))
                        return log_bus_error(&error, r, "Failed to get link %s", list.links[i].name);
                if (r < 0)
                        return r;

                r = monitor_add(m, list.links[i].path, properties, &l);
                if (r < 0)
                        return log_oom();
                if (announce)
                        monitor_print_added(l);
        }
        return 0;
}

static int on_properties_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        _cleanup_(strv_freep) char **changed = NULL, **invalidated = NULL;
        _cleanup_(freep) char *old_state = NULL, *fetched_reason = NULL;
        const char *path, *interface, *name, *state, *reason;
        MonitorLink *l;
        int r;

        path = sd_bus_message_get_path(message);
        if (!path)
                return 0;

        r = sd_bus_message_read_basic(message, 's', &interface);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!streq(interface, BUS_LINK_INTERFACE))
                return 0;
        r = read_properties_formatted(message, &changed);
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_message_read_strv(message, &invalidated);
        if (r < 0)
                return bus_log_parse_error(r);

        l = monitor_find(m, path);
        if (!l) {
                /* A link we missed the creation of: we learn its name, not its old values. */
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(strv_freep) char **current = NULL;
                char **known = NULL;

                (void) link_get_properties_formatted(m->bus, path, &error, &current);
                name = property_pairs_get(current, "Name");
                if (name && (strv_extend(&known, "Name") < 0 || strv_extend(&known, name) < 0)) {
                        strv_free(known);
                        return log_oom();
                }
                r = monitor_add(m, path, known, &l);
                if (r < 0)
                        return log_oom();
        }

        /* A rename first, so that the lines below carry the new name. */
        name = property_pairs_get(changed, "Name");
        if (name && !streq_ptr(name, property_pairs_get(l->properties, "Name"))) {
                monitor_line("%s: Name=%s", monitor_link_label(l), name);
                if (property_pairs_set(&l->properties, "Name", name) < 0)
                        return log_oom();
        }

        state = property_pairs_get(changed, "State");
        reason = property_pairs_get(changed, "Reason");
        if (state && !streq_ptr(state, property_pairs_get(l->properties, "State"))) {
                if (property_pairs_get(l->properties, "State")) {
                        old_state = strdup(property_pairs_get(l->properties, "State"));
                        if (!old_state)
                                return log_oom();
                }
                if (!reason) {
                        /* Reason= may come in a signal of its own: show the current one. */
                        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                        if (sd_bus_get_property_string(m->bus, BUS_NAME, path, BUS_LINK_INTERFACE, "Reason", &error,
                                                       &fetched_reason) >= 0)
                                reason = fetched_reason;
                }
                if (!isempty(reason))
                        monitor_line("%s: %s " GLYPH_ARROW " %s (%s)", monitor_link_label(l), old_state ?: "?",
                                     state, reason);
                else
                        monitor_line("%s: %s " GLYPH_ARROW " %s", monitor_link_label(l), old_state ?: "?", state);
                if (property_pairs_set(&l->properties, "State", state) < 0 ||
                    (reason && property_pairs_set(&l->properties, "Reason", reason) < 0))
                        return log_oom();
        }

        for (size_t i = 0; changed && changed[i] && changed[i + 1]; i += 2) {
                if (STR_IN_SET(changed[i], "Name", "State"))
                        continue;
                r = property_pairs_set(&l->properties, changed[i], changed[i + 1]);
                if (r < 0)
                        return log_oom();
                if (r > 0)
                        monitor_line("%s: %s=%s", monitor_link_label(l), changed[i], changed[i + 1]);
        }

        for (size_t i = 0; invalidated && invalidated[i]; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_(freep) char *value = NULL;
                const char *contents;

                r = sd_bus_call_method(m->bus, BUS_NAME, path, PROPERTIES_INTERFACE, "Get", &error, &reply, "ss",
                                       BUS_LINK_INTERFACE, invalidated[i]);
                if (r >= 0)
                        r = sd_bus_message_peek_type(reply, NULL, &contents);
                if (r >= 0)
                        r = sd_bus_message_enter_container(reply, 'v', contents);
                if (r >= 0)
                        r = format_value_to_string(reply, &value);
                if (r < 0) {
                        monitor_line("%s: %s changed", monitor_link_label(l), invalidated[i]);
                        continue;
                }
                r = property_pairs_set(&l->properties, invalidated[i], value);
                if (r < 0)
                        return log_oom();
                if (r > 0)
                        monitor_line("%s: %s=%s", monitor_link_label(l), invalidated[i], value);
        }

        return 0;
}

static int on_interfaces_added(sd_bus_message *message, const char *path, void *userdata) {
        Monitor *m = userdata;
        _cleanup_(strv_freep) char **properties = NULL;
        bool is_link = false;
        MonitorLink *l;
        int r;

        if (!startswith(path, BUS_LINK_PATH_PREFIX "/"))
                return 0;

        r = sd_bus_message_enter_container(message, 'a', "{sa{sv}}");
        if (r < 0)
                return bus_log_parse_error(r);
        while ((r = sd_bus_message_enter_container(message, 'e', "sa{sv}")) > 0) {
                const char *interface;

                r = sd_bus_message_read_basic(message, 's', &interface);
                if (r < 0)
                        return bus_log_parse_error(r);
                if (streq(interface, BUS_LINK_INTERFACE)) {
                        is_link = true;
                        properties = strv_free(properties);
                        r = read_properties_formatted(message, &properties);
                } else
                        r = sd_bus_message_skip(message, "a{sv}");
                if (r < 0)
                        return bus_log_parse_error(r);
                r = sd_bus_message_exit_container(message);
                if (r < 0)
                        return bus_log_parse_error(r);
        }
        if (r < 0)
                return bus_log_parse_error(r);
        if (!is_link)
                return 0;

        /* Already known: ListLinks() at start-up raced with this signal. */
        if (monitor_find(m, path))
                return 0;

        if (!property_pairs_get(properties, "State")) {
                /* The signal does not have to carry the properties: ask. */
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                properties = strv_free(properties);
                (void) link_get_properties_formatted(m->bus, path, &error, &properties);
        }

        r = monitor_add(m, path, TAKE_PTR(properties), &l);
        if (r < 0)
                return log_oom();
        monitor_print_added(l);
        return 0;
}

static int on_interfaces_removed(sd_bus_message *message, const char *path, void *userdata) {
        Monitor *m = userdata;
        _cleanup_(strv_freep) char **interfaces = NULL;
        MonitorLink *l;
        int r;

        r = sd_bus_message_read_strv(message, &interfaces);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!strv_contains((const char *const *) interfaces, BUS_LINK_INTERFACE))
                return 0;

        l = monitor_find(m, path);
        if (!l)
                return 0;
        monitor_line("%s: link removed", monitor_link_label(l));
        monitor_forget(m, path);
        return 0;
}

static int on_monitor_daemon(bool running, void *userdata) {
        Monitor *m = userdata;
        int r;

        if (!running) {
                monitor_line("v6mostlyd stopped.");
                monitor_clear(m);
                return 0;
        }

        monitor_line("v6mostlyd started.");
        monitor_clear(m);
        r = monitor_load(m, true);
        if (r < 0 && r != ERR_NOT_RUNNING)
                return r;
        return 0;
}

int verb_monitor(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        Monitor m = {};
        const LinkSignals signals = {
                .on_changed = on_properties_changed,
                .on_added = on_interfaces_added,
                .on_removed = on_interfaces_removed,
                .on_daemon = on_monitor_daemon,
                .userdata = &m,
        };
        int r;

        r = bus_open(&bus);
        if (r < 0)
                return r;
        m.bus = bus;

        r = bus_event_new(bus, true, &event);
        if (r < 0)
                return r;

        r = add_link_matches(bus, &signals);
        if (r < 0)
                return r;

        r = bus_daemon_is_running(bus);
        if (r == 0)
                fputs("v6mostlyd is not running, waiting for it to start.\n", stderr);
        if (r > 0)
                r = monitor_load(&m, false);
        if (r < 0 && r != ERR_NOT_RUNNING) {
                monitor_clear(&m);
                return r;
        }

        r = sd_event_loop(event);
        monitor_clear(&m);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        if (r > 0)
                return log_error_errno(ECONNRESET, "Lost the connection to the bus.");
        return 0;
}
