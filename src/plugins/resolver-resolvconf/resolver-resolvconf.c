/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resolver backend "resolvconf": resolvconf(8), as DHCP clients and VPNs use it. Each
 * link is one record, "<ifname>.v6mostly": `resolvconf -a <record>` with resolv.conf(5)
 * lines on stdin adds or replaces it, `resolvconf -d <record>` removes it.
 *
 * Two programs go by that name, with the same -a/-d interface but not the same options:
 *   openresolv (Debian's "openresolv", the BSDs)  -d fails for a record it does not have
 *       unless -f is given; -m METRIC orders records (lower first, default 0) and -x makes
 *       one exclusive. We pass -f with -d and neither -m nor -x: the record sorts like any
 *       interface's, and the other records stay in use.
 *   Debian's resolvconf (package "resolvconf")  knows neither -f, -m nor -x (it refuses
 *       unknown options); the order comes from /etc/resolvconf/interface-order, whose
 *       patterns match records by interface name ("eth*", "wlan*", "*").
 * init() asks `resolvconf --version`, which only openresolv answers.
 *
 * The commands run one at a time, in order, off the event loop: each is spawned with its
 * input in a pipe, and its exit is watched through a pidfd. An apply whose command fails
 * is reported to the core, which goes on with the next backend. At stop, done() runs what
 * is still queued (the core has reverted every link by then) and waits for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <poll.h>
#include <unistd.h>

#include "macro.h"
#include "v6mostly/plugin.h"

#define RECORD_SUFFIX ".v6mostly"
#define JOB_WAIT_AT_STOP_MS 5000

extern char **environ;

typedef enum Flavour {
        FLAVOUR_DEBIAN,     /* -a, -d only */
        FLAVOUR_OPENRESOLV, /* also -f, -m, -x */
} Flavour;

typedef struct RcLink RcLink;

typedef struct RcJob {
        bool add;
        char record[IF_NAMESIZE + sizeof(RECORD_SUFFIX)];
        char *input; /* resolv.conf lines for -a */
        RcLink *link; /* to report a failed -a to; NULL once the link is gone */
        struct RcJob *next;
} RcJob;

typedef struct RcPlugin {
        sd_event *event;
        char *program;
        Flavour flavour;
        RcJob *queue, **queue_tail;
        RcJob *running;
        pid_t pid;
        int pidfd;
        sd_event_source *child_source;
        RcLink *links;
} RcPlugin;

struct RcLink {
        RcPlugin *plugin;
        v6m_link *link;
        char record[IF_NAMESIZE + sizeof(RECORD_SUFFIX)]; /* as added; "" when none */
        RcLink *next;
};

static const char *const program_paths[] = {
        "/usr/sbin/resolvconf", "/sbin/resolvconf", "/usr/bin/resolvconf", "/bin/resolvconf",
};

static void job_free(RcJob *j) {
        if (!j)
                return;
        free(j->input);
        free(j);
}

static int spawn(RcPlugin *p, char *const argv[], int stdin_fd, pid_t *ret_pid) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none;
        int r;

        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&attr);
        /* The daemon blocks SIGTERM/SIGINT/SIGHUP for sd-event and ignores SIGPIPE: the
         * script gets the defaults. */
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        {
                sigset_t def;
                sigemptyset(&def);
                sigaddset(&def, SIGPIPE);
                posix_spawnattr_setsigdefault(&attr, &def);
        }
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (stdin_fd >= 0)
                posix_spawn_file_actions_adddup2(&fa, stdin_fd, STDIN_FILENO);
        else
                posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        r = -posix_spawn(ret_pid, p->program, &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return r;
}

/* Exit status of a child, waiting at most timeout_ms (-1: forever). */
static int wait_child(pid_t pid, int pidfd, int timeout_ms) {
        siginfo_t si = {};

        if (pidfd >= 0 && timeout_ms >= 0) {
                struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
                if (poll(&pfd, 1, timeout_ms) == 0) {
                        (void) kill(pid, SIGKILL);
                }
        }
        if (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                return -errno;
        if (si.si_code == CLD_EXITED)
                return si.si_status;
        return 128 + si.si_status;
}

static void job_finished(RcPlugin *p, RcJob *j, int status) {
        if (status == 0) {
                v6m_log(LOG_DEBUG, 0, "resolver-resolvconf: resolvconf %s %s done", j->add ? "-a" : "-d", j->record);
                return;
        }
        v6m_log(LOG_WARNING, 0, "resolver-resolvconf: resolvconf %s %s failed (exit status %d)", j->add ? "-a" : "-d",
                j->record, status);
        if (j->add && j->link) {
                char why[128];

                snprintf(why, sizeof(why), "resolvconf -a %s exited with status %d", j->record, status);
                v6m_link_report_resolver(j->link->link, -EIO, why);
        }
}

static int start_job(RcPlugin *p, RcJob *j, pid_t *ret_pid) {
        char *argv[5];
        size_t n = 0;
        int fds[2] = { -1, -1 }, r;

        argv[n++] = p->program;
        if (!j->add && p->flavour == FLAVOUR_OPENRESOLV)
                argv[n++] = (char *) "-f";
        argv[n++] = (char *) (j->add ? "-a" : "-d");
        argv[n++] = j->record;
        argv[n] = NULL;

        if (j->add) {
                size_t len = strlen(j->input);

                /* At most a few KiB (RESOLVER_*_MAX entries): it fits in the pipe. */
                if (pipe2(fds, O_CLOEXEC) < 0)
                        return -errno;
                if (write(fds[1], j->input, len) != (ssize_t) len) {
                        r = -errno ?: -EIO;
                        close(fds[0]);
                        close(fds[1]);
                        return r;
                }
                close(fds[1]);
        }
        r = spawn(p, argv, fds[0], ret_pid);
        if (fds[0] >= 0)
                close(fds[0]);
        return r;
}

static void run_next(RcPlugin *p);

static int child_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        RcPlugin *p = userdata;
        RcJob *j = p->running;
        int status;

        status = wait_child(p->pid, -1, -1);
        p->child_source = sd_event_source_disable_unref(p->child_source);
        close(p->pidfd);
        p->pidfd = -1;
        p->running = NULL;
        if (j) {
                job_finished(p, j, status);
                job_free(j);
        }
        run_next(p);
        return 0;
}

static void run_next(RcPlugin *p) {
        while (!p->running && p->queue) {
                RcJob *j = p->queue;
                int r;

                p->queue = j->next;
                if (!p->queue)
                        p->queue_tail = &p->queue;
                j->next = NULL;

                r = start_job(p, j, &p->pid);
                if (r < 0) {
                        v6m_log(LOG_WARNING, r, "resolver-resolvconf: cannot run %s: %m", p->program);
                        job_finished(p, j, 127);
                        job_free(j);
                        continue;
                }
                p->pidfd = (int) syscall(SYS_pidfd_open, p->pid, 0);
                if (p->pidfd < 0 ||
                    sd_event_add_io(p->event, &p->child_source, p->pidfd, EPOLLIN, child_handler, p) < 0) {
                        /* No pidfd (a kernel older than 5.3): wait here; it is short. */
                        if (p->pidfd >= 0)
                                close(p->pidfd);
                        p->pidfd = -1;
                        job_finished(p, j, wait_child(p->pid, -1, -1));
                        job_free(j);
                        continue;
                }
                p->running = j;
        }
}

static int enqueue(RcPlugin *p, bool add, const char *record, char *input, RcLink *link) {
        RcJob *j;

        j = calloc(1, sizeof(*j));
        if (!j) {
                free(input);
                return -ENOMEM;
        }
        j->add = add;
        snprintf(j->record, sizeof(j->record), "%s", record);
        j->input = input;
        j->link = add ? link : NULL;
        *p->queue_tail = j;
        p->queue_tail = &j->next;
        run_next(p);
        return 0;
}

/* ---- Plugin ---------------------------------------------------------------------------- */

static Flavour detect_flavour(RcPlugin *p) {
        char *argv[] = { p->program, (char *) "--version", NULL };
        char buf[128] = "";
        int fds[2];
        pid_t pid;
        Flavour f = FLAVOUR_DEBIAN;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return f;
        {
                posix_spawn_file_actions_t fa;
                posix_spawn_file_actions_init(&fa);
                posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
                posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
                posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
                if (posix_spawn(&pid, p->program, &fa, NULL, argv, environ) != 0)
                        pid = -1;
                posix_spawn_file_actions_destroy(&fa);
        }
        close(fds[1]);
        if (pid > 0) {
                ssize_t n = read(fds[0], buf, sizeof(buf) - 1);

                buf[n > 0 ? n : 0] = '\0';
                (void) wait_child(pid, -1, -1);
                if (strncmp(buf, "openresolv", 10) == 0)
                        f = FLAVOUR_OPENRESOLV;
        }
        close(fds[0]);
        return f;
}

static int rc_init(v6m_core *core, void **ret_plugin_data) {
        RcPlugin *p;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->event = v6m_core_get_event(core);
        p->queue_tail = &p->queue;
        p->pidfd = -1;
        for (size_t i = 0; i < ELEMENTSOF(program_paths) && !p->program; i++)
                if (access(program_paths[i], X_OK) == 0)
                        p->program = strdup(program_paths[i]);
        if (p->program) {
                p->flavour = detect_flavour(p);
                v6m_log(LOG_DEBUG, 0, "resolver-resolvconf: %s is %s", p->program,
                        p->flavour == FLAVOUR_OPENRESOLV ? "openresolv" : "Debian's resolvconf (or another)");
        }
        *ret_plugin_data = p;
        return 0;
}

static void rc_done(void *plugin_data) {
        RcPlugin *p = plugin_data;

        /* The core reverted every link before: run those -d now, in order, and wait. */
        if (p->running) {
                job_finished(p, p->running, wait_child(p->pid, p->pidfd, JOB_WAIT_AT_STOP_MS));
                job_free(p->running);
                p->running = NULL;
        }
        p->child_source = sd_event_source_disable_unref(p->child_source);
        if (p->pidfd >= 0)
                close(p->pidfd);
        while (p->queue) {
                RcJob *j = p->queue;
                pid_t pid;
                int r;

                p->queue = j->next;
                j->link = NULL;
                r = start_job(p, j, &pid);
                if (r >= 0) {
                        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
                        job_finished(p, j, wait_child(pid, pidfd, JOB_WAIT_AT_STOP_MS));
                        if (pidfd >= 0)
                                close(pidfd);
                }
                job_free(j);
        }
        free(p->program);
        free(p);
}

static int rc_probe(void *plugin_data, v6m_link *link, char *reason, size_t reason_size) {
        RcPlugin *p = plugin_data;

        if (!p->program) {
                snprintf(reason, reason_size, "resolvconf(8) is not installed");
                return -ENOENT;
        }
        return 0;
}

static int rc_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        RcPlugin *p = plugin_data;
        RcLink *l;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        *l = (RcLink) { .plugin = p, .link = link, .next = p->links };
        p->links = l;
        *ret_link_data = l;
        return 0;
}

static void rc_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        RcPlugin *p = plugin_data;
        RcLink *l = link_data;

        for (RcLink **i = &p->links; *i; i = &(*i)->next)
                if (*i == l) {
                        *i = l->next;
                        break;
                }
        if (p->running && p->running->link == l)
                p->running->link = NULL;
        for (RcJob *j = p->queue; j; j = j->next)
                if (j->link == l)
                        j->link = NULL;
        free(l);
}

static void record_name(v6m_link *link, char buf[static IF_NAMESIZE + sizeof(RECORD_SUFFIX)]) {
        snprintf(buf, IF_NAMESIZE + sizeof(RECORD_SUFFIX), "%s" RECORD_SUFFIX, v6m_link_get_name(link));
}

static int rc_revert(void *plugin_data, v6m_link *link, void *link_data) {
        RcPlugin *p = plugin_data;
        RcLink *l = link_data;
        char record[IF_NAMESIZE + sizeof(RECORD_SUFFIX)];

        if (!p->program || !l)
                return 0;
        /* An -a still on its way is undone by this -d: its failure no longer matters. */
        if (p->running && p->running->link == l)
                p->running->link = NULL;
        for (RcJob *j = p->queue; j; j = j->next)
                if (j->link == l)
                        j->link = NULL;
        /* What we added, or (first revert of the link) what a killed daemon may have. */
        if (l->record[0])
                snprintf(record, sizeof(record), "%s", l->record);
        else
                record_name(link, record);
        l->record[0] = '\0';
        return enqueue(p, false, record, NULL, NULL);
}

static int rc_apply(void *plugin_data, v6m_link *link, void *link_data, const struct v6m_dns_server *servers,
                    size_t n_servers, const struct v6m_resolver_domain *domains, size_t n_domains,
                    bool default_route) {
        RcPlugin *p = plugin_data;
        RcLink *l = link_data;
        char record[IF_NAMESIZE + sizeof(RECORD_SUFFIX)], *input = NULL;
        size_t size = 0;
        bool any_domain = false;
        FILE *f;
        int r;

        if (!p->program)
                return -ENOENT;
        if (!l)
                return -ENODEV;
        record_name(link, record);
        if (l->record[0] && strcmp(l->record, record) != 0) {
                /* Renamed: the old record would stay for good. */
                r = enqueue(p, false, l->record, NULL, NULL);
                if (r < 0)
                        return r;
        }

        f = open_memstream(&input, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# v6mostlyd: %s\n", v6m_link_get_name(link));
        for (size_t i = 0; i < n_servers; i++) {
                char a[INET6_ADDRSTRLEN];

                if (!inet_ntop(servers[i].family, &servers[i].address, a, sizeof(a)))
                        continue;
                if (servers[i].family == AF_INET6 && servers[i].ifindex > 0)
                        fprintf(f, "nameserver %s%%%s\n", a, v6m_link_get_name(link));
                else
                        fprintf(f, "nameserver %s\n", a);
        }
        /* resolv.conf has no routing-only domains. */
        for (size_t i = 0; i < n_domains; i++)
                if (!domains[i].route_only) {
                        fprintf(f, "%s%s", any_domain ? " " : "search ", domains[i].name);
                        any_domain = true;
                }
        if (any_domain)
                fputc('\n', f);
        if (fclose(f) != 0) {
                free(input);
                return -ENOMEM;
        }
        r = enqueue(p, true, record, input, l);
        if (r < 0)
                return r;
        snprintf(l->record, sizeof(l->record), "%s", record);
        return 0;
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "resolver-resolvconf",
        .kind = V6M_PLUGIN_RESOLVER,
        .init = rc_init,
        .done = rc_done,
        .link_add = rc_link_add,
        .link_remove = rc_link_remove,
        .probe = rc_probe,
        .apply = rc_apply,
        .revert = rc_revert,
};
