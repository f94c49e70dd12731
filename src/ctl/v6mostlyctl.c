/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl: query and control v6mostlyd over the system bus (docs/dbus-api.md). */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"

#ifndef BUS_NAME
#define BUS_NAME "org.v6mostly1"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define MANAGER_PATH "/org/v6mostly1"
#define MANAGER_INTERFACE "org.v6mostly1.Manager"
#define LINK_INTERFACE "org.v6mostly1.Link"
#define LINK_PATH_NAMESPACE "/org/v6mostly1/link"
#define ERROR_NO_SUCH_LINK "org.v6mostly1.Error.NoSuchLink"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"
#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* Free `a` and move `b` into it. */
#define free_and_replace(a, b)           \
        ({                               \
                free(a);                 \
                (a) = (b);               \
                (b) = NULL;              \
                0;                       \
        })

#define WAIT_TIMEOUT_DEFAULT_USEC (30 * USEC_PER_SEC)

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

/* Width of the right-aligned labels of `status`. */
#define STATUS_LABEL_WIDTH 16

typedef enum JsonMode {
        JSON_OFF,
        JSON_DAEMON, /* exactly what Describe() returned */
        JSON_SHORT,
        JSON_PRETTY,
} JsonMode;

static JsonMode arg_json = JSON_OFF;
static bool arg_pager = true;
static bool arg_legend = true;
static bool arg_all = false;
static uint64_t arg_timeout_usec = WAIT_TIMEOUT_DEFAULT_USEC;
static bool arg_colors = false;

static const char *const link_state_table[] = {
        "unmanaged", "pending",     "configuring", "dual-stack",
        "ipv6-only", "ipv6-mostly", "degraded",    "failed",
        NULL,
};

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                           */

static bool startswith(const char *s, const char *prefix) {
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

_printf_(2, 3) static int log_error_errno(int error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_errorv(error, format, ap);
        va_end(ap);
        return r;
}

static int log_oom(void) {
        return log_error_errno(ENOMEM, "Out of memory.");
}

static int bus_log_parse_error(int r) {
        return log_error_errno(r, "Failed to parse bus message: %m");
}

_printf_(1, 2) static int usage_error(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        (void) log_errorv(EINVAL, format, ap);
        va_end(ap);
        return ERR_USAGE;
}

static bool bus_error_is_not_running(const sd_bus_error *error) {
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                return true;
        /* With the activation file installed the bus asks systemd to start the service;
         * when that fails, the daemon is just as absent. */
        return error && (startswith(error->name, "org.freedesktop.DBus.Error.Spawn.") ||
                         startswith(error->name, "org.freedesktop.systemd1."));
}

static bool bus_error_is_no_such_object(const sd_bus_error *error) {
        return sd_bus_error_has_names(error, ERROR_NO_SUCH_LINK, SD_BUS_ERROR_UNKNOWN_OBJECT,
                                      SD_BUS_ERROR_UNKNOWN_INTERFACE);
}

static const char *bus_error_text(const sd_bus_error *error, int r) {
        /* The broker's message for a policy denial is a long dump of the matched rule. */
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED))
                return "Access denied";
        if (sd_bus_error_is_set(error) && !isempty(error->message))
                return error->message;
        return strerror(abs(r));
}

/* Print "<what>: <why>" for a failed call and return the error that selects the exit status. */
_printf_(3, 4) static int log_bus_error(const sd_bus_error *error, int r, const char *format, ...) {
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

        if (sd_bus_error_has_names(error, ERROR_NO_SUCH_LINK, SD_BUS_ERROR_UNKNOWN_OBJECT)) {
                fprintf(stderr, "%s: No such link\n", strna(what));
                return ERR_NO_SUCH_LINK;
        }

        fprintf(stderr, "%s: %s\n", strna(what), bus_error_text(error, r));
        if (r == ERR_USAGE || r == ERR_NOT_RUNNING || r == ERR_NO_SUCH_LINK || r >= 0)
                return -EIO;
        return r;
}

static int exit_status_from_error(int r) {
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

static const char *link_state_color(const char *state) {
        if (!arg_colors || !state)
                return "";
        if (STR_IN_SET(state, "ipv6-mostly", "dual-stack", "ipv6-only"))
                return ANSI_GREEN;
        if (STR_IN_SET(state, "degraded", "configuring", "pending"))
                return ANSI_YELLOW;
        if (streq(state, "failed"))
                return ANSI_RED;
        if (streq(state, "unmanaged"))
                return ANSI_GREY;
        return "";
}

static const char *ansi_normal(void) {
        return arg_colors ? ANSI_NORMAL : "";
}

static const char *dash_if_empty(const char *s) {
        return isempty(s) ? "-" : s;
}

/* "1d 2h 3min 4s"; whole seconds are all the bus gives us. */
static const char *format_duration(char *buf, size_t size, uint64_t sec) {
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

static int parse_ifindex(const char *s, int *ret) {
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

static int parse_timeout(const char *s, uint64_t *ret) {
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

static void json_print(const char *json) {
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
static pid_t pager_open(void) {
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

static void pager_close(pid_t pid) {
        if (pid <= 0)
                return;

        /* EOF on the pipe lets the pager finish; then wait for the user to quit it. */
        fflush(stdout);
        (void) close(STDOUT_FILENO);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* ---------------------------------------------------------------------------------------- */
/* Reading link properties                                                                 */

typedef struct Nat64Candidate {
        char *prefix;
        char *source;
        uint64_t lifetime_remaining;
} Nat64Candidate;

typedef struct Nat64CandidateList {
        Nat64Candidate *items;
        size_t n;
} Nat64CandidateList;

typedef struct DropCounter {
        char *reason;
        uint64_t packets;
} DropCounter;

typedef struct ClatCounters {
        bool valid;
        uint64_t packets_4to6;
        uint64_t packets_6to4;
        DropCounter *drops;
        size_t n_drops;
} ClatCounters;

typedef struct LinkInfo {
        char *path;
        int ifindex;
        char *name;
        char *state;
        char *reason;
        char *network_file;

        char *dhcp4_state;
        char *dhcp4_address;
        char *dhcp4_server;
        uint64_t dhcp4_lease_remaining;
        uint64_t v6only_wait_remaining;

        char *nat64_prefix;
        char *nat64_prefix_source;
        uint64_t nat64_prefix_lifetime_remaining;
        Nat64CandidateList nat64_candidates;

        char **dns_servers;
        char **search_domains;

        char *clat_state;
        char *clat_backend;
        char *clat_ipv4_address;
        char *clat_ipv6_address;
        uint32_t clat_mtu;
        char *clat_reason;
        ClatCounters clat_counters;
} LinkInfo;

typedef struct LinkList {
        LinkInfo *links;
        size_t n;
} LinkList;

static void link_info_init(LinkInfo *info) {
        *info = (LinkInfo) {
                .dhcp4_lease_remaining = UINT64_MAX,
                .v6only_wait_remaining = UINT64_MAX,
                .nat64_prefix_lifetime_remaining = UINT64_MAX,
        };
}

static void link_info_done(LinkInfo *info) {
        free(info->path);
        free(info->name);
        free(info->state);
        free(info->reason);
        free(info->network_file);
        free(info->dhcp4_state);
        free(info->dhcp4_address);
        free(info->dhcp4_server);
        free(info->nat64_prefix);
        strv_free(info->dns_servers);
        strv_free(info->search_domains);
        free(info->nat64_prefix_source);
        for (size_t i = 0; i < info->nat64_candidates.n; i++) {
                free(info->nat64_candidates.items[i].prefix);
                free(info->nat64_candidates.items[i].source);
        }
        free(info->nat64_candidates.items);
        free(info->clat_state);
        free(info->clat_backend);
        free(info->clat_ipv4_address);
        free(info->clat_ipv6_address);
        free(info->clat_reason);
        for (size_t i = 0; i < info->clat_counters.n_drops; i++)
                free(info->clat_counters.drops[i].reason);
        free(info->clat_counters.drops);
        link_info_init(info);
}

static void link_list_done(LinkList *l) {
        for (size_t i = 0; i < l->n; i++)
                link_info_done(&l->links[i]);
        free(l->links);
        *l = (LinkList) {};
}

typedef int (*property_map_func_t)(sd_bus_message *m, void *field);

typedef struct PropertyMap {
        const char *name;
        const char *signature;
        property_map_func_t map;
        size_t offset;
} PropertyMap;

static int map_string(sd_bus_message *m, void *field) {
        const char *s;
        int r;

        r = sd_bus_message_read_basic(m, 's', &s);
        if (r < 0)
                return r;
        return free_and_strdup(field, s);
}

static int map_int32(sd_bus_message *m, void *field) {
        return sd_bus_message_read_basic(m, 'i', field);
}

static int map_uint32(sd_bus_message *m, void *field) {
        return sd_bus_message_read_basic(m, 'u', field);
}

static int map_uint64(sd_bus_message *m, void *field) {
        return sd_bus_message_read_basic(m, 't', field);
}

static int map_strv(sd_bus_message *m, void *field) {
        char ***l = field;
        char **v = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &v);
        if (r < 0)
                return r;
        strv_free(*l);
        *l = v;
        return 0;
}

static int map_nat64_candidates(sd_bus_message *m, void *field) {
        Nat64CandidateList *list = field;
        const char *prefix, *source;
        uint64_t lifetime;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(sst)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(sst)", &prefix, &source, &lifetime)) > 0) {
                Nat64Candidate *items, *c;

                items = reallocarray(list->items, list->n + 1, sizeof(Nat64Candidate));
                if (!items)
                        return -ENOMEM;
                list->items = items;
                c = &list->items[list->n];
                *c = (Nat64Candidate) { .lifetime_remaining = lifetime };
                c->prefix = strdup(prefix);
                c->source = strdup(source);
                list->n++;
                if (!c->prefix || !c->source)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int map_clat_counters(sd_bus_message *m, void *field) {
        ClatCounters *counters = field;
        const char *reason;
        uint64_t packets;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "tta{st}");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "tt", &counters->packets_4to6, &counters->packets_6to4);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "{st}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{st}", &reason, &packets)) > 0) {
                DropCounter *drops;

                drops = reallocarray(counters->drops, counters->n_drops + 1, sizeof(DropCounter));
                if (!drops)
                        return -ENOMEM;
                counters->drops = drops;
                drops[counters->n_drops] = (DropCounter) { .reason = strdup(reason), .packets = packets };
                if (!drops[counters->n_drops++].reason)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        counters->valid = true;
        return 0;
}

static const PropertyMap link_property_map[] = {
        { "Ifindex",                      "i",         map_int32,            offsetof(LinkInfo, ifindex) },
        { "Name",                         "s",         map_string,           offsetof(LinkInfo, name) },
        { "State",                        "s",         map_string,           offsetof(LinkInfo, state) },
        { "Reason",                       "s",         map_string,           offsetof(LinkInfo, reason) },
        { "NetworkFile",                  "s",         map_string,           offsetof(LinkInfo, network_file) },
        { "DHCPv4State",                  "s",         map_string,           offsetof(LinkInfo, dhcp4_state) },
        { "DHCPv4Address",                "s",         map_string,           offsetof(LinkInfo, dhcp4_address) },
        { "DHCPv4Server",                 "s",         map_string,           offsetof(LinkInfo, dhcp4_server) },
        { "DHCPv4LeaseRemaining",         "t",         map_uint64,           offsetof(LinkInfo, dhcp4_lease_remaining) },
        { "V6OnlyWaitRemaining",          "t",         map_uint64,           offsetof(LinkInfo, v6only_wait_remaining) },
        { "NAT64Prefix",                  "s",         map_string,           offsetof(LinkInfo, nat64_prefix) },
        { "NAT64PrefixSource",            "s",         map_string,           offsetof(LinkInfo, nat64_prefix_source) },
        { "NAT64PrefixLifetimeRemaining", "t",         map_uint64,           offsetof(LinkInfo, nat64_prefix_lifetime_remaining) },
        { "NAT64Candidates",              "a(sst)",    map_nat64_candidates, offsetof(LinkInfo, nat64_candidates) },
        { "DNSServers",                   "as",        map_strv,             offsetof(LinkInfo, dns_servers) },
        { "SearchDomains",                "as",        map_strv,             offsetof(LinkInfo, search_domains) },
        { "CLATState",                    "s",         map_string,           offsetof(LinkInfo, clat_state) },
        { "CLATBackend",                  "s",         map_string,           offsetof(LinkInfo, clat_backend) },
        { "CLATIPv4Address",              "s",         map_string,           offsetof(LinkInfo, clat_ipv4_address) },
        { "CLATIPv6Address",              "s",         map_string,           offsetof(LinkInfo, clat_ipv6_address) },
        { "CLATMTU",                      "u",         map_uint32,           offsetof(LinkInfo, clat_mtu) },
        { "CLATReason",                   "s",         map_string,           offsetof(LinkInfo, clat_reason) },
        { "CLATCounters",                 "(tta{st})", map_clat_counters,    offsetof(LinkInfo, clat_counters) },
        {}
};

static const PropertyMap *property_map_find(const PropertyMap *map, const char *name) {
        for (const PropertyMap *p = map; p->name; p++)
                if (streq(p->name, name))
                        return p;
        return NULL;
}

/* Read an a{sv} into the fields named by `map`. Unknown properties, and known ones with an
 * unexpected type, are skipped: a newer daemon may add or change things. */
static int bus_map_properties(sd_bus_message *m, const PropertyMap *map, void *userdata) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;

        for (;;) {
                const char *member, *contents;
                const PropertyMap *p;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;

                r = sd_bus_message_read_basic(m, 's', &member);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r < 0)
                        return r;

                p = property_map_find(map, member);
                if (p && streq(contents, p->signature)) {
                        r = sd_bus_message_enter_container(m, 'v', contents);
                        if (r < 0)
                                return r;
                        r = p->map(m, (uint8_t *) userdata + p->offset);
                        if (r < 0)
                                return r;
                        r = sd_bus_message_exit_container(m);
                } else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;

                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }

        return sd_bus_message_exit_container(m);
}

/* Fill `info` from the link object at info->path. On a bus error, `error` is set and the
 * caller decides how to report it. */
static int link_info_load(sd_bus *bus, LinkInfo *info, bool want_counters, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, info->path, PROPERTIES_INTERFACE, "GetAll", error, &reply, "s",
                               LINK_INTERFACE);
        if (r < 0)
                return r;

        r = bus_map_properties(reply, link_property_map, info);
        if (r < 0)
                return bus_log_parse_error(r);

        if (want_counters && !info->clat_counters.valid) {
                _cleanup_(sd_bus_error_free) sd_bus_error counters_error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *counters = NULL;

                /* A daemon may leave computed properties out of GetAll(); ask directly, and
                 * show "n/a" if that fails too. */
                r = sd_bus_get_property(bus, BUS_NAME, info->path, LINK_INTERFACE, "CLATCounters",
                                        &counters_error, &counters, "(tta{st})");
                if (r >= 0) {
                        r = map_clat_counters(counters, &info->clat_counters);
                        if (r < 0)
                                return bus_log_parse_error(r);
                }
        }
        return 0;
}

/* Ask the daemon for the object path of a link given by name or ifindex. Errors are left in
 * `error` for the caller. */
static int link_lookup(sd_bus *bus, const char *link, sd_bus_error *error, char **ret_path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int ifindex, r;

        if (parse_ifindex(link, &ifindex) >= 0)
                r = sd_bus_call_method(bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, "GetLink", error, &reply,
                                       "i", ifindex);
        else
                r = sd_bus_call_method(bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, "GetLinkByName", error,
                                       &reply, "s", link);
        if (r < 0)
                return r;

        r = sd_bus_message_read_basic(reply, 'o', &path);
        if (r < 0)
                return bus_log_parse_error(r);

        *ret_path = strdup(path);
        return *ret_path ? 0 : log_oom();
}

static int link_get_path(sd_bus *bus, const char *link, char **ret_path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = link_lookup(bus, link, &error, ret_path);
        if (r < 0 && sd_bus_error_is_set(&error))
                return log_bus_error(&error, r, "Failed to get link %s", link);
        return r;
}

static int link_list_cmp(const void *a, const void *b) {
        const LinkInfo *x = a, *y = b;

        return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* Every link the daemon knows, sorted by ifindex; only ifindex, name and path are filled. */
static int link_list_acquire(sd_bus *bus, LinkList *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(link_list_done) LinkList list = {};
        const char *name, *path;
        int ifindex, r;

        r = sd_bus_call_method(bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, "ListLinks", &error, &reply,
                               NULL);
        if (r < 0)
                return log_bus_error(&error, r, "Failed to list links");

        r = sd_bus_message_enter_container(reply, 'a', "(iso)");
        if (r < 0)
                return bus_log_parse_error(r);
        while ((r = sd_bus_message_read(reply, "(iso)", &ifindex, &name, &path)) > 0) {
                LinkInfo *links, *info;

                links = reallocarray(list.links, list.n + 1, sizeof(LinkInfo));
                if (!links)
                        return log_oom();
                list.links = links;
                info = &list.links[list.n++];
                link_info_init(info);
                info->ifindex = ifindex;
                info->name = strdup(name);
                info->path = strdup(path);
                if (!info->name || !info->path)
                        return log_oom();
        }
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return bus_log_parse_error(r);

        if (list.n > 1)
                qsort(list.links, list.n, sizeof(LinkInfo), link_list_cmp);

        *ret = list;
        list = (LinkList) {};
        return 0;
}

/* Load the properties of every link of `list`. Links that vanished since ListLinks() are
 * dropped. */
static int link_list_load(sd_bus *bus, LinkList *list, bool want_counters) {
        size_t k = 0;
        int r;

        for (size_t i = 0; i < list->n; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                LinkInfo *info = &list->links[i];

                r = link_info_load(bus, info, want_counters, &error);
                if (r < 0 && bus_error_is_no_such_object(&error)) {
                        link_info_done(info);
                        continue;
                }
                if (r < 0 && sd_bus_error_is_set(&error))
                        return log_bus_error(&error, r, "Failed to get properties of link %s", info->name);
                if (r < 0)
                        return r;
                list->links[k++] = *info;
        }
        list->n = k;
        return 0;
}

static int bus_open(sd_bus **ret) {
        int r;

        r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        return 0;
}

/* Whether the daemon's name has an owner. Asks the broker rather than the daemon, so that
 * it never triggers bus activation. */
static int bus_daemon_is_running(sd_bus *bus) {
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

/* Call a Describe() method and return its JSON text. */
static int call_describe(sd_bus *bus, const char *path, const char *interface, const char *link, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *json;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, interface, "Describe", &error, &reply, NULL);
        if (r < 0) {
                if (link)
                        return log_bus_error(&error, r, "Failed to describe link %s", link);
                return log_bus_error(&error, r, "Failed to describe links");
        }

        r = sd_bus_message_read_basic(reply, 's', &json);
        if (r < 0)
                return bus_log_parse_error(r);

        *ret = strdup(json);
        return *ret ? 0 : log_oom();
}

/* Print a JSON array of the Link.Describe() objects of `paths` (`names` for messages). */
static int print_json_links(sd_bus *bus, char *const *paths, char *const *names) {
        _cleanup_(freep) char *array = NULL;
        size_t size = 0;
        FILE *f;
        int r = 0;

        f = open_memstream(&array, &size);
        if (!f)
                return log_oom();

        fputc('[', f);
        for (size_t i = 0; paths && paths[i]; i++) {
                _cleanup_(freep) char *json = NULL;

                r = call_describe(bus, paths[i], LINK_INTERFACE, names ? names[i] : paths[i], &json);
                if (r < 0)
                        break;
                if (i > 0)
                        fputc(',', f);
                fputs(json, f);
        }
        fputc(']', f);
        if (fclose(f) != 0 && r >= 0)
                r = log_oom();
        if (r < 0)
                return r;

        json_print(array);
        return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* list                                                                                    */

static const char *clat_summary(const LinkInfo *info, char *buf, size_t size) {
        if (isempty(info->clat_state))
                return "-";
        if (!isempty(info->clat_backend))
                snprintf(buf, size, "%s (%s)", info->clat_state, info->clat_backend);
        else
                snprintf(buf, size, "%s", info->clat_state);
        return buf;
}

static int verb_list(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(link_list_done) LinkList list = {};
        int idx_width = 3, name_width = 4, state_width = 5, nat64_width = 5;
        char buf[256];
        int r;

        r = bus_open(&bus);
        if (r < 0)
                return r;

        if (arg_json != JSON_OFF) {
                _cleanup_(freep) char *json = NULL;

                r = call_describe(bus, MANAGER_PATH, MANAGER_INTERFACE, NULL, &json);
                if (r < 0)
                        return r;
                json_print(json);
                return 0;
        }

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

/* ---------------------------------------------------------------------------------------- */
/* status                                                                                  */

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
                status_field("NAT64 Prefix", "%s (%s, %s)", info->nat64_prefix,
                             dash_if_empty(info->nat64_prefix_source),
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
        print_strv_field("DNS", info->dns_servers);
        print_strv_field("Search Domains", info->search_domains);
        print_clat(info);
}

static int verb_status(int argc, char *argv[]) {
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

                if (arg_json != JSON_OFF && argc == 2) {
                        _cleanup_(freep) char *json = NULL;

                        r = call_describe(bus, list.links[0].path, LINK_INTERFACE, argv[1], &json);
                        if (r < 0)
                                return r;
                        json_print(json);
                        return 0;
                }
        } else {
                if (arg_json != JSON_OFF && arg_all) {
                        _cleanup_(freep) char *json = NULL;

                        r = call_describe(bus, MANAGER_PATH, MANAGER_INTERFACE, NULL, &json);
                        if (r < 0)
                                return r;
                        json_print(json);
                        return 0;
                }
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

                        if (argc <= 1 && streq_ptr(info->state, "unmanaged"))
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
                if (argc <= 1 && !arg_all && streq_ptr(info->state, "unmanaged"))
                        continue;
                if (!first)
                        fputc('\n', stdout);
                first = false;
                print_link_status(info);
        }
        return 0;
}

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

/* Read an a{sv} into name/value pairs, the values formatted for people. */
static int read_properties_formatted(sd_bus_message *m, char ***ret) {
        _cleanup_(strv_freep) char **pairs = NULL;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_(freep) char *value = NULL;
                const char *member, *contents;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read_basic(m, 's', &member);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r < 0)
                        return r;
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                r = format_value_to_string(m, &value);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                if (strv_extend(&pairs, member) < 0 || strv_extend(&pairs, value) < 0)
                        return -ENOMEM;
        }
        r = sd_bus_message_exit_container(m);
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
                               LINK_INTERFACE);
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
        if (!streq(interface, LINK_INTERFACE))
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

                        if (sd_bus_get_property_string(m->bus, BUS_NAME, path, LINK_INTERFACE, "Reason", &error,
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
                                       LINK_INTERFACE, invalidated[i]);
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

static int on_interfaces_added(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        _cleanup_(strv_freep) char **properties = NULL;
        const char *path;
        bool is_link = false;
        MonitorLink *l;
        int r;

        r = sd_bus_message_read_basic(message, 'o', &path);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!startswith(path, LINK_PATH_NAMESPACE "/"))
                return 0;

        r = sd_bus_message_enter_container(message, 'a', "{sa{sv}}");
        if (r < 0)
                return bus_log_parse_error(r);
        while ((r = sd_bus_message_enter_container(message, 'e', "sa{sv}")) > 0) {
                const char *interface;

                r = sd_bus_message_read_basic(message, 's', &interface);
                if (r < 0)
                        return bus_log_parse_error(r);
                if (streq(interface, LINK_INTERFACE)) {
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

static int on_interfaces_removed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        _cleanup_(strv_freep) char **interfaces = NULL;
        const char *path;
        MonitorLink *l;
        int r;

        r = sd_bus_message_read_basic(message, 'o', &path);
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_message_read_strv(message, &interfaces);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!strv_contains((const char *const *) interfaces, LINK_INTERFACE))
                return 0;

        l = monitor_find(m, path);
        if (!l)
                return 0;
        monitor_line("%s: link removed", monitor_link_label(l));
        monitor_forget(m, path);
        return 0;
}

static int on_monitor_name_owner_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        r = sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!streq(name, BUS_NAME))
                return 0;

        if (isempty(new_owner)) {
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

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int event_new_with_exit_signals(sd_event **ret) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        int r;

        r = sd_event_new(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate event loop: %m");

        r = sd_event_add_signal(event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, on_exit_signal, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_exit_signal, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to install signal handlers: %m");

        *ret = TAKE_PTR(event);
        return 0;
}

/* Subscribe to the daemon's link signals. The matches are installed synchronously, so
 * whatever the caller reads afterwards cannot miss a change. */
static int add_link_matches(sd_bus *bus, sd_bus_message_handler_t on_changed, sd_bus_message_handler_t on_added,
                            sd_bus_message_handler_t on_removed, sd_bus_message_handler_t on_owner,
                            void *userdata) {
        int r;

        r = sd_bus_add_match(bus, NULL,
                             "type='signal',"
                             "sender='" BUS_NAME "',"
                             "interface='" PROPERTIES_INTERFACE "',"
                             "member='PropertiesChanged',"
                             "path_namespace='" LINK_PATH_NAMESPACE "',"
                             "arg0='" LINK_INTERFACE "'",
                             on_changed, userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to PropertiesChanged: %m");

        r = sd_bus_match_signal(bus, NULL, BUS_NAME, MANAGER_PATH, OBJECT_MANAGER_INTERFACE, "InterfacesAdded",
                                on_added, userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to InterfacesAdded: %m");

        r = sd_bus_match_signal(bus, NULL, BUS_NAME, MANAGER_PATH, OBJECT_MANAGER_INTERFACE, "InterfacesRemoved",
                                on_removed, userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to InterfacesRemoved: %m");

        r = sd_bus_add_match(bus, NULL,
                             "type='signal',"
                             "sender='org.freedesktop.DBus',"
                             "path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',"
                             "member='NameOwnerChanged',"
                             "arg0='" BUS_NAME "'",
                             on_owner, userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to NameOwnerChanged: %m");

        return 0;
}

static int verb_monitor(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        Monitor m = {};
        int r;

        r = bus_open(&bus);
        if (r < 0)
                return r;
        m.bus = bus;

        r = event_new_with_exit_signals(&event);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach bus to event loop: %m");
        /* If the bus goes away nothing more can arrive: end the loop (it returns > 0). */
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for bus disconnects: %m");

        r = add_link_matches(bus, on_properties_changed, on_interfaces_added, on_interfaces_removed,
                             on_monitor_name_owner_changed, &m);
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

/* ---------------------------------------------------------------------------------------- */
/* wait                                                                                    */

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

        r = sd_bus_get_property_string(w->bus, BUS_NAME, w->path, LINK_INTERFACE, "State", &error, &state);
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
        if (!streq(interface, LINK_INTERFACE))
                return 0;

        r = sd_bus_message_enter_container(message, 'a', "{sv}");
        if (r < 0)
                return bus_log_parse_error(r);
        while ((r = sd_bus_message_enter_container(message, 'e', "sv")) > 0) {
                const char *member, *value;

                r = sd_bus_message_read_basic(message, 's', &member);
                if (r < 0)
                        return bus_log_parse_error(r);
                if (streq(member, "State")) {
                        r = sd_bus_message_read(message, "v", "s", &value);
                        if (r >= 0 && free_and_strdup(&state, value) < 0)
                                return log_oom();
                } else
                        r = sd_bus_message_skip(message, "v");
                if (r < 0)
                        return bus_log_parse_error(r);
                r = sd_bus_message_exit_container(message);
                if (r < 0)
                        return bus_log_parse_error(r);
        }
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_message_exit_container(message);
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

static int on_wait_interfaces_added(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Waiter *w = userdata;
        const char *path;
        int r;

        r = sd_bus_message_read_basic(message, 'o', &path);
        if (r < 0)
                return bus_log_parse_error(r);
        if (w->path && !streq(path, w->path))
                return 0;
        return waiter_check_and_exit(w);
}

static int on_wait_interfaces_removed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Waiter *w = userdata;
        const char *path;
        int r;

        r = sd_bus_message_read_basic(message, 'o', &path);
        if (r < 0)
                return bus_log_parse_error(r);
        if (streq_ptr(path, w->path))
                waiter_forget_link(w);
        return 0;
}

static int on_wait_name_owner_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Waiter *w = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        r = sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!streq(name, BUS_NAME))
                return 0;

        waiter_forget_link(w);
        w->daemon_running = !isempty(new_owner);
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

static int verb_wait(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(strv_freep) char **states = NULL;
        Waiter w = {};
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
        r = sd_event_new(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate event loop: %m");
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach bus to event loop: %m");
        /* If the bus goes away nothing more can arrive: end the loop (it returns > 0). */
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for bus disconnects: %m");

        w = (Waiter) {
                .bus = bus,
                .event = event,
                .link = argv[1],
                .states = states,
        };

        r = add_link_matches(bus, on_wait_properties_changed, on_wait_interfaces_added, on_wait_interfaces_removed,
                             on_wait_name_owner_changed, &w);
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

/* ---------------------------------------------------------------------------------------- */
/* reload, renew, reconfigure                                                              */

static int verb_reload(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = bus_open(&bus);
        if (r < 0)
                return r;

        r = sd_bus_call_method(bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, "Reload", &error, NULL, NULL);
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
                        r = sd_bus_call_method(bus, BUS_NAME, path, LINK_INTERFACE, method, &error, NULL, NULL);
                        if (r < 0)
                                r = log_bus_error(&error, r, "Failed to %s %s", verb, argv[i]);
                }
                if (r < 0 && ret >= 0)
                        ret = r;
        }
        return ret;
}

static int verb_renew(int argc, char *argv[]) {
        return link_call_method(argc, argv, "Renew", "renew");
}

static int verb_reconfigure(int argc, char *argv[]) {
        return link_call_method(argc, argv, "Reconfigure", "reconfigure");
}

/* ---------------------------------------------------------------------------------------- */
/* Command line                                                                            */

static int help(void) {
        printf("%s [OPTIONS...] COMMAND\n"
               "\n"
               "Query and control v6mostlyd, the IPv6-mostly network daemon.\n"
               "\n"
               "Commands:\n"
               "  list                        List links (default)\n"
               "  status [LINK...]            Show the status of links (default: managed links)\n"
               "  monitor                     Print link changes as they happen\n"
               "  wait LINK STATE[,STATE...]  Wait until LINK is in one of the given states\n"
               "  reload                      Reload v6mostlyd.conf and .network files\n"
               "  renew LINK...               Restart DHCPv4 and NAT64 discovery on links\n"
               "  reconfigure LINK...         Re-match and re-apply .network files on links\n"
               "\n"
               "Options:\n"
               "  -h --help                   Show this help\n"
               "     --version                Show package version\n"
               "     --json[=pretty|short|off]\n"
               "                              Print JSON (list, status)\n"
               "     --no-pager               Do not pipe output into a pager\n"
               "     --no-legend              Do not show the headers and footers\n"
               "  -a --all                    Include unmanaged links (status)\n"
               "     --timeout=SEC            How long to wait (wait; default: 30, 0: forever)\n"
               "\n"
               "LINK is an interface name or ifindex. See v6mostlyctl(1) for details.\n",
               program_invocation_short_name);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_JSON,
                ARG_NO_PAGER,
                ARG_NO_LEGEND,
                ARG_TIMEOUT,
        };
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h'           },
                { "version",   no_argument,       NULL, ARG_VERSION   },
                { "json",      optional_argument, NULL, ARG_JSON      },
                { "no-pager",  no_argument,       NULL, ARG_NO_PAGER  },
                { "no-legend", no_argument,       NULL, ARG_NO_LEGEND },
                { "all",       no_argument,       NULL, 'a'           },
                { "timeout",   required_argument, NULL, ARG_TIMEOUT   },
                {}
        };
        int c;

        /* getopt_long() prints its own complaints: keep its message, prefix-free like ours. */
        while ((c = getopt_long(argc, argv, "ha", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case ARG_VERSION:
                        printf("v6mostlyctl %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_JSON:
                        if (!optarg)
                                arg_json = JSON_DAEMON;
                        else if (streq(optarg, "pretty"))
                                arg_json = JSON_PRETTY;
                        else if (streq(optarg, "short"))
                                arg_json = JSON_SHORT;
                        else if (streq(optarg, "off"))
                                arg_json = JSON_OFF;
                        else
                                return usage_error("Unknown --json= mode '%s' (expected pretty, short or off).",
                                                   optarg);
                        break;
                case ARG_NO_PAGER:
                        arg_pager = false;
                        break;
                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;
                case 'a':
                        arg_all = true;
                        break;
                case ARG_TIMEOUT:
                        if (parse_timeout(optarg, &arg_timeout_usec) < 0)
                                return usage_error("Invalid --timeout= value '%s'.", optarg);
                        break;
                case '?':
                        return ERR_USAGE;
                default:
                        abort();
                }

        return 1;
}

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* not counting the verb; -1: no limit */
        bool is_default;
        bool use_pager;
        int (*dispatch)(int argc, char *argv[]);
} Verb;

static const Verb verbs[] = {
        { "list",        0, 0,  true,  true,  verb_list        },
        { "status",      0, -1, false, true,  verb_status      },
        { "monitor",     0, 0,  false, false, verb_monitor     },
        { "wait",        2, 2,  false, false, verb_wait        },
        { "reload",      0, 0,  false, false, verb_reload      },
        { "renew",       1, -1, false, false, verb_renew       },
        { "reconfigure", 1, -1, false, false, verb_reconfigure },
};

static int dispatch_verb(int argc, char *argv[]) {
        static char *default_argv[] = { (char *) "list", NULL };
        const Verb *verb = NULL;
        pid_t pager;
        int r;

        if (argc <= 0) {
                argc = 1;
                argv = default_argv;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, argv[0])) {
                        verb = &verbs[i];
                        break;
                }
        if (!verb)
                return usage_error("Unknown command verb '%s'.", argv[0]);
        if (argc - 1 < verb->min_args)
                return usage_error("Too few arguments for '%s'.", verb->name);
        if (verb->max_args >= 0 && argc - 1 > verb->max_args)
                return usage_error("Too many arguments for '%s'.", verb->name);

        pager = verb->use_pager ? pager_open() : 0;
        r = verb->dispatch(argc, argv);
        pager_close(pager);
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return exit_status_from_error(r);

        arg_colors = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !streq_ptr(getenv("TERM"), "dumb");

        r = dispatch_verb(argc - optind, argv + optind);
        if (fflush(stdout) != 0 && r >= 0)
                r = log_error_errno(errno, "Failed to write output: %m");
        return exit_status_from_error(r);
}
