/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-api.h"
#include "macro.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"
#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

/* Exit statuses, documented in v6mostlyctl(1). */
enum {
        EXIT_USAGE = 2,
        EXIT_NOT_RUNNING = 3,
        EXIT_NO_SUCH_LINK = 4,
};

/* Errors that select one of the exit statuses above. Only usage checks and
 * log_bus_error() return them (after printing the message); log_bus_error() turns any
 * other error that happens to carry the same errno into -EIO, so main() can trust them. */
#define ERR_USAGE (-EDOM)
#define ERR_NOT_RUNNING (-EHOSTDOWN)
#define ERR_NO_SUCH_LINK (-ENODEV)

#define ANSI_NORMAL "\x1B[0m"
#define ANSI_BOLD "\x1B[1m"
#define ANSI_RED "\x1B[0;31m"
#define ANSI_GREEN "\x1B[0;32m"
#define ANSI_YELLOW "\x1B[0;33m"
#define ANSI_GREY "\x1B[0;38;5;245m"

/* Output is always UTF-8: the monitor line format (with "→") is documented and scripted
 * against, so it does not change with the locale. */
#define GLYPH_ARROW "\u2192"
#define GLYPH_BULLET "\u25CF"

/* The link states of bus-api.h: link_state_table[CTL_LINK_STATE_FAILED] is "failed". */
#define CTL_LINK_STATE_ENUM(id, name) CTL_LINK_STATE_##id,
typedef enum CtlLinkState {
        V6M_LINK_STATES(CTL_LINK_STATE_ENUM)
        _CTL_LINK_STATE_MAX,
} CtlLinkState;
#undef CTL_LINK_STATE_ENUM

/* NULL-terminated. */
extern const char *const link_state_table[];

bool startswith(const char *s, const char *prefix);

_printf_(2, 3) int log_error_errno(int error, const char *format, ...);
int log_oom(void);
int bus_log_parse_error(int r);
/* Print the message and return ERR_USAGE. */
_printf_(1, 2) int usage_error(const char *format, ...);

bool bus_error_is_not_running(const sd_bus_error *error);
bool bus_error_is_no_such_object(const sd_bus_error *error);
const char *bus_error_text(const sd_bus_error *error, int r);
/* Print "<what>: <why>" for a failed call and return the error that selects the exit status. */
_printf_(3, 4) int log_bus_error(const sd_bus_error *error, int r, const char *format, ...);
int exit_status_from_error(int r);

const char *link_state_color(const char *state);
const char *ansi_normal(void);
const char *dash_if_empty(const char *s);
/* "1d 2h 3min 4s"; whole seconds are all the bus gives us. */
const char *format_duration(char *buf, size_t size, uint64_t sec);
int parse_ifindex(const char *s, int *ret);
int parse_timeout(const char *s, uint64_t *ret);

/* Print a JSON text as --json= asks. */
void json_print(const char *json);

/* Returns the pager's pid, 0 if no pager is used. */
pid_t pager_open(void);
void pager_close(pid_t pid);

int bus_open(sd_bus **ret);
/* Whether the daemon's name has an owner, asking the broker (no bus activation). */
int bus_daemon_is_running(sd_bus *bus);
/* Call `f` for each entry of the a{sv} that `m` is positioned on, with `m` on the entry's
 * variant (of type `contents`): `f` reads the variant or skips it. */
typedef int (*bus_property_func_t)(sd_bus_message *m, const char *member, const char *contents, void *userdata);
int bus_message_foreach_property(sd_bus_message *m, bus_property_func_t f, void *userdata);

/* An event loop with `bus` attached, that ends when the bus goes away (sd_event_loop()
 * returns > 0) and, with `exit_on_signals`, on SIGINT and SIGTERM. */
int bus_event_new(sd_bus *bus, bool exit_on_signals, sd_event **ret);
/* What a verb does with the daemon's link signals; each gets `userdata`. */
typedef struct LinkSignals {
        /* PropertiesChanged of a link object, as it came. */
        sd_bus_message_handler_t on_changed;
        /* InterfacesAdded, InterfacesRemoved: the object path is read, the rest is not. */
        int (*on_added)(sd_bus_message *m, const char *path, void *userdata);
        int (*on_removed)(sd_bus_message *m, const char *path, void *userdata);
        /* v6mostlyd's bus name got an owner (`running`) or lost it. */
        int (*on_daemon)(bool running, void *userdata);
        void *userdata;
} LinkSignals;

/* Subscribe to the daemon's link signals (synchronously: what is read afterwards cannot
 * miss a change). `signals` must stay valid as long as the bus connection. */
int add_link_matches(sd_bus *bus, const LinkSignals *signals);
