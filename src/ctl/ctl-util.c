/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every verb of v6mostlyctl uses: messages and exit statuses, formatting, JSON, the
 * pager, the bus connection and the subscription to the daemon's link signals. */
#include "ctl-util.h"

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strv.h"
#include "v6mostlyctl.h"

#define LINK_STATE_NAME(id, name) name,
const char *const link_state_table[] = { V6M_LINK_STATES(LINK_STATE_NAME) NULL };
#undef LINK_STATE_NAME

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                           */

bool startswith(const char *s, const char *prefix) {
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int log_errorv(int error, const char *format, va_list ap) {
        int saved_errno = errno;

        /* %m prints the error we were given, as in systemd. */
        errno = abs(error);
        vfprintf(stderr, format, ap);
        fputc('\n', stderr);
        errno = saved_errno;
        return -abs(error);
}

_printf_(2, 3) int log_error_errno(int error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_errorv(error, format, ap);
        va_end(ap);
        return r;
}

int log_oom(void) {
        return log_error_errno(ENOMEM, "Out of memory.");
}

int bus_log_parse_error(int r) {
        return log_error_errno(r, "Failed to parse bus message: %m");
}

_printf_(1, 2) int usage_error(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        (void) log_errorv(EINVAL, format, ap);
        va_end(ap);
        return ERR_USAGE;
}

bool bus_error_is_not_running(const sd_bus_error *error) {
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                return true;
        /* With the activation file installed the bus asks systemd to start the service;
         * when that fails, the daemon is just as absent. */
        return error && (startswith(error->name, "org.freedesktop.DBus.Error.Spawn.") ||
                         startswith(error->name, "org.freedesktop.systemd1."));
}

bool bus_error_is_no_such_object(const sd_bus_error *error) {
        return sd_bus_error_has_names(error, BUS_ERROR_NO_SUCH_LINK, SD_BUS_ERROR_UNKNOWN_OBJECT,
                                      SD_BUS_ERROR_UNKNOWN_INTERFACE);
}

const char *bus_error_text(const sd_bus_error *error, int r) {
        /* The broker's message for a policy denial is a long dump of the matched rule. */
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED))
                return "Access denied";
        if (sd_bus_error_is_set(error) && !isempty(error->message))
                return error->message;
        return strerror(abs(r));
}

/* Print "<what>: <why>" for a failed call and return the error that selects the exit status. */
_printf_(3, 4) int log_bus_error(const sd_bus_error *error, int r, const char *format, ...) {
        _cleanup_(freep) char *what = NULL;
        va_list ap;

        if (bus_error_is_not_running(error)) {
                fputs("v6mostlyd is not running.\n", stderr);
                return ERR_NOT_RUNNING;
        }

        va_start(ap, format);
        if (vasprintf(&what, format, ap) < 0)
                what = NULL;
        va_end(ap);

        if (sd_bus_error_has_names(error, BUS_ERROR_NO_SUCH_LINK, SD_BUS_ERROR_UNKNOWN_OBJECT)) {
                fprintf(stderr, "%s: No such link\n", strna(what));
                return ERR_NO_SUCH_LINK;
        }

        fprintf(stderr, "%s: %s\n", strna(what), bus_error_text(error, r));
        if (r == ERR_USAGE || r == ERR_NOT_RUNNING || r == ERR_NO_SUCH_LINK || r >= 0)
                return -EIO;
        return r;
}

int exit_status_from_error(int r) {
        if (r >= 0)
                return EXIT_SUCCESS;
        switch (r) {
        case ERR_USAGE:
                return EXIT_USAGE;
        case ERR_NOT_RUNNING:
                return EXIT_NOT_RUNNING;
        case ERR_NO_SUCH_LINK:
                return EXIT_NO_SUCH_LINK;
        default:
                return EXIT_FAILURE;
        }
}

/* How the states look in a terminal, by how well the link works. */
static const char *const link_state_colors[_CTL_LINK_STATE_MAX] = {
        [CTL_LINK_STATE_UNMANAGED] = ANSI_GREY,
        [CTL_LINK_STATE_PENDING] = ANSI_YELLOW,
        [CTL_LINK_STATE_CONFIGURING] = ANSI_YELLOW,
        [CTL_LINK_STATE_DUAL_STACK] = ANSI_GREEN,
        [CTL_LINK_STATE_IPV6_ONLY] = ANSI_GREEN,
        [CTL_LINK_STATE_IPV6_MOSTLY] = ANSI_GREEN,
        [CTL_LINK_STATE_DEGRADED] = ANSI_YELLOW,
        [CTL_LINK_STATE_FAILED] = ANSI_RED,
};

const char *link_state_color(const char *state) {
        if (!arg_colors || !state)
                return "";
        for (size_t i = 0; i < _CTL_LINK_STATE_MAX; i++)
                if (streq(state, link_state_table[i]))
                        return link_state_colors[i];
        return "";
}

const char *ansi_normal(void) {
        return arg_colors ? ANSI_NORMAL : "";
}

const char *dash_if_empty(const char *s) {
        return isempty(s) ? "-" : s;
}

/* "1d 2h 3min 4s"; whole seconds are all the bus gives us. */
const char *format_duration(char *buf, size_t size, uint64_t sec) {
        static const struct {
                const char *suffix;
                uint64_t sec;
        } units[] = {
                { "d", 24 * 3600 },
                { "h", 3600 },
                { "min", 60 },
                { "s", 1 },
        };
        size_t n = 0;

        if (sec == 0) {
                snprintf(buf, size, "0s");
                return buf;
        }
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(units) && n < size; i++) {
                uint64_t k = sec / units[i].sec;
                int w;

                if (k == 0)
                        continue;
                sec -= k * units[i].sec;
                w = snprintf(buf + n, size - n, "%s%" PRIu64 "%s", n > 0 ? " " : "", k, units[i].suffix);
                if (w < 0)
                        break;
                n += (size_t) w;
        }
        return buf;
}

int parse_ifindex(const char *s, int *ret) {
        unsigned long v;
        char *end;

        if (isempty(s) || !strchr("0123456789", s[0]))
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0' || v == 0 || v > INT_MAX)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

int parse_timeout(const char *s, uint64_t *ret) {
        double d;
        char *end;

        if (streq(s, "infinity")) {
                *ret = 0;
                return 0;
        }
        errno = 0;
        d = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !isfinite(d) || d < 0 || d > 1e9)
                return -EINVAL;
        *ret = (uint64_t) (d * (double) USEC_PER_SEC);
        return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* JSON output                                                                             */

static void json_newline_indent(FILE *f, unsigned level) {
        fputc('\n', f);
        for (unsigned i = 0; i < level; i++)
                fputs("  ", f);
}

/* Re-emit a JSON text without insignificant whitespace, optionally indented. Strings are
 * copied byte for byte; the input is trusted to be valid JSON (the daemon wrote it). */
static void json_print_reformatted(FILE *f, const char *json, bool pretty) {
        unsigned level = 0;
        bool in_string = false, escaped = false;

        for (const char *p = json; *p; p++) {
                char c = *p;

                if (in_string) {
                        fputc(c, f);
                        if (escaped)
                                escaped = false;
                        else if (c == '\\')
                                escaped = true;
                        else if (c == '"')
                                in_string = false;
                        continue;
                }

                switch (c) {
                case ' ':
                case '\t':
                case '\r':
                case '\n':
                        break;
                case '"':
                        in_string = true;
                        fputc(c, f);
                        break;
                case '{':
                case '[': {
                        const char *q = p + 1 + strspn(p + 1, " \t\r\n");

                        fputc(c, f);
                        if (*q == '}' || *q == ']') { /* keep empty containers on one line */
                                fputc(*q, f);
                                p = q;
                                break;
                        }
                        level++;
                        if (pretty)
                                json_newline_indent(f, level);
                        break;
                }
                case '}':
                case ']':
                        if (level > 0)
                                level--;
                        if (pretty)
                                json_newline_indent(f, level);
                        fputc(c, f);
                        break;
                case ',':
                        fputc(c, f);
                        if (pretty)
                                json_newline_indent(f, level);
                        break;
                case ':':
                        fputc(c, f);
                        if (pretty)
                                fputc(' ', f);
                        break;
                default:
                        fputc(c, f);
                }
        }
        fputc('\n', f);
}

void json_print(const char *json) {
        switch (arg_json) {
        case JSON_PRETTY:
                json_print_reformatted(stdout, json, true);
                break;
        case JSON_SHORT:
                json_print_reformatted(stdout, json, false);
                break;
        default:
                fputs(json, stdout);
                fputc('\n', stdout);
        }
}

/* ---------------------------------------------------------------------------------------- */
/* Pager                                                                                   */

static void pager_copy_stdin(void) {
        char buf[4096];
        ssize_t n;

        while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
                if (n > 0 && write(STDOUT_FILENO, buf, (size_t) n) != n)
                        break;
}

/* Returns the pager's pid, 0 if no pager is used. */
pid_t pager_open(void) {
        const char *pager;
        int fds[2];
        pid_t pid;

        if (!arg_pager || !isatty(STDOUT_FILENO))
                return 0;

        pager = getenv("V6MOSTLY_PAGER");
        if (!pager)
                pager = getenv("PAGER");
        if (pager && (isempty(pager) || streq(pager, "cat")))
                return 0;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return 0;

        fflush(stdout);
        pid = fork();
        if (pid < 0) {
                close(fds[0]);
                close(fds[1]);
                return 0;
        }

        if (pid == 0) {
                const char *less_opts = getenv("V6MOSTLY_LESS");

                if (dup2(fds[0], STDIN_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                /* Do not outlive v6mostlyctl if it dies. */
                (void) prctl(PR_SET_PDEATHSIG, SIGTERM);

                (void) setenv("LESS", less_opts ?: "FRSXMK", 1);
                (void) setenv("LESSCHARSET", "utf-8", 0);

                if (pager && pager[strcspn(pager, "|&;<>()$`\\\"'*?[#~=%{}\n")] != '\0')
                        execl("/bin/sh", "sh", "-c", pager, (char *) NULL);
                else if (pager) {
                        /* A plain command line: run it directly, so that a missing program
                         * falls back to the defaults below instead of losing the output. */
                        _cleanup_(strv_freep) char **args = strv_split_whitespace(pager);

                        if (args && args[0])
                                execvp(args[0], args);
                }
                execlp("less", "less", (char *) NULL);
                execlp("more", "more", (char *) NULL);
                /* No pager after all: show the output anyway. */
                pager_copy_stdin();
                _exit(EXIT_SUCCESS);
        }

        if (dup2(fds[1], STDOUT_FILENO) < 0) {
                close(fds[0]);
                close(fds[1]);
                (void) kill(pid, SIGTERM);
                (void) waitpid(pid, NULL, 0);
                return 0;
        }
        close(fds[0]);
        close(fds[1]);
        return pid;
}

void pager_close(pid_t pid) {
        if (pid <= 0)
                return;

        /* EOF on the pipe lets the pager finish; then wait for the user to quit it. */
        fflush(stdout);
        (void) close(STDOUT_FILENO);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* ---------------------------------------------------------------------------------------- */
/* Bus and event loop                                                                      */

int bus_open(sd_bus **ret) {
        int r;

        r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        return 0;
}

/* Whether the daemon's name has an owner. Asks the broker rather than the daemon, so that
 * it never triggers bus activation. */
int bus_daemon_is_running(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int has_owner, r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", &error, &reply, "s", BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to query the bus: %s", bus_error_text(&error, r));
        r = sd_bus_message_read_basic(reply, 'b', &has_owner);
        if (r < 0)
                return bus_log_parse_error(r);
        return has_owner;
}

int bus_message_foreach_property(sd_bus_message *m, bus_property_func_t f, void *userdata) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *member, *contents;

                r = sd_bus_message_read_basic(m, 's', &member);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r < 0)
                        return r;
                r = f(m, member, contents, userdata);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

int bus_event_new(sd_bus *bus, bool exit_on_signals, sd_event **ret) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        int r;

        r = sd_event_new(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate event loop: %m");

        if (exit_on_signals) {
                r = sd_event_add_signal(event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, on_exit_signal, NULL);
                if (r >= 0)
                        r = sd_event_add_signal(event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_exit_signal,
                                                NULL);
                if (r < 0)
                        return log_error_errno(r, "Failed to install signal handlers: %m");
        }

        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach bus to event loop: %m");
        /* If the bus goes away nothing more can arrive: end the loop (it returns > 0). */
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for bus disconnects: %m");

        *ret = TAKE_PTR(event);
        return 0;
}

static int on_link_object_signal(sd_bus_message *message, const LinkSignals *s, bool added) {
        const char *path;
        int r;

        r = sd_bus_message_read_basic(message, 'o', &path);
        if (r < 0)
                return bus_log_parse_error(r);
        return (added ? s->on_added : s->on_removed)(message, path, s->userdata);
}

static int on_link_added(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        return on_link_object_signal(message, userdata, true);
}

static int on_link_removed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        return on_link_object_signal(message, userdata, false);
}

static int on_name_owner_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        const LinkSignals *s = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        r = sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!streq(name, BUS_NAME))
                return 0;
        return s->on_daemon(!isempty(new_owner), s->userdata);
}

int add_link_matches(sd_bus *bus, const LinkSignals *signals) {
        void *s = (void *) signals;
        int r;

        r = sd_bus_add_match(bus, NULL,
                             "type='signal',"
                             "sender='" BUS_NAME "',"
                             "interface='" PROPERTIES_INTERFACE "',"
                             "member='PropertiesChanged',"
                             "path_namespace='" BUS_LINK_PATH_PREFIX "',"
                             "arg0='" BUS_LINK_INTERFACE "'",
                             signals->on_changed, signals->userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to PropertiesChanged: %m");

        r = sd_bus_match_signal(bus, NULL, BUS_NAME, BUS_MANAGER_PATH, OBJECT_MANAGER_INTERFACE, "InterfacesAdded",
                                on_link_added, s);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to InterfacesAdded: %m");

        r = sd_bus_match_signal(bus, NULL, BUS_NAME, BUS_MANAGER_PATH, OBJECT_MANAGER_INTERFACE, "InterfacesRemoved",
                                on_link_removed, s);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to InterfacesRemoved: %m");

        r = sd_bus_add_match(bus, NULL,
                             "type='signal',"
                             "sender='org.freedesktop.DBus',"
                             "path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',"
                             "member='NameOwnerChanged',"
                             "arg0='" BUS_NAME "'",
                             on_name_owner_changed, s);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to NameOwnerChanged: %m");

        return 0;
}
