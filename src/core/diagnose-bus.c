/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Manager.Diagnose(): the checks of diagnose.c now, the probes of diagnose-probe.c in a
 * child process, and the reply when that is done. */
#include "diagnose.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus-api.h"
#include "link.h"

typedef struct DiagJob {
        sd_bus_message *message;
        DiagReport report;
        int fd;
        pid_t pid;
        union {
                DiagCheck check;
                uint8_t bytes[sizeof(DiagCheck)];
        } buf;
        size_t filled;
} DiagJob;

static void diag_job_destroy(void *userdata) {
        DiagJob *job = userdata;

        if (job->pid > 0) {
                (void) kill(job->pid, SIGKILL);
                (void) waitpid(job->pid, NULL, 0);
        }
        if (job->fd >= 0)
                close(job->fd);
        sd_bus_message_unref(job->message);
        diag_report_done(&job->report);
        free(job);
}

static int diag_reply(sd_bus_message *message, const DiagReport *report) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (report->error)
                return sd_bus_reply_method_errno(message, report->error, NULL);
        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', BUS_DIAGNOSE_SIGNATURE);
        if (r < 0)
                return r;
        for (size_t i = 0; i < report->n_checks; i++) {
                const DiagCheck *c = report->checks + i;

                r = sd_bus_message_append(reply, BUS_DIAGNOSE_SIGNATURE, c->id, diag_verdict_to_string(c->verdict), c->evidence,
                                          c->fix, diag_where_to_string(c->where), c->value);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int on_probe_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        DiagJob *job = userdata;
        ssize_t n;
        int status = 0;

        for (;;) {
                n = read(fd, job->buf.bytes + job->filled, sizeof(job->buf) - job->filled);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n <= 0)
                        break;
                job->filled += (size_t) n;
                if (job->filled == sizeof(job->buf)) {
                        DiagCheck *c = &job->buf.check;

                        /* Our own child, but keep strings terminated whatever it wrote. */
                        c->id[sizeof(c->id) - 1] = c->evidence[sizeof(c->evidence) - 1] = c->fix[sizeof(c->fix) - 1] = 0;
                        if (c->verdict >= 0 && c->verdict < _DIAG_VERDICT_MAX && c->where >= 0 && c->where < _DIAG_WHERE_MAX)
                                (void) diag_append(&job->report, c);
                        job->filled = 0;
                }
        }

        /* EOF: the probes are done (or the child died). */
        if (waitpid(job->pid, &status, 0) == job->pid)
                job->pid = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                diag_add(&job->report, "probes", DIAG_SKIP, DIAG_WHERE_NONE, "the probe process ended abnormally (status %d)",
                         status);
        (void) diag_reply(job->message, &job->report);
        /* Drop the event loop's reference: the source goes, and diag_job_destroy() with it. */
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        (void) sd_event_source_set_floating(s, false);
        return 0;
}

static bool sender_is_root(sd_bus_message *message) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t euid;

        if (sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds) < 0)
                return false;
        return sd_bus_creds_get_euid(creds, &euid) >= 0 && euid == 0;
}

static int diag_start_probes(sd_bus_message *message, Manager *m, DiagReport *report, const DiagProbeInput *in) {
        _cleanup_close_ int fd_read = -1, fd_write = -1;
        sd_event_source *source = NULL;
        int fds[2], r;
        DiagJob *job;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        fd_read = fds[0];
        fd_write = fds[1];

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                DiagReport probes = {};
                bool ok = true;

                /* The child: only sockets and poll from here, never the event loop or the bus. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                fd_read = -1;
                (void) fcntl(fd_write, F_SETFL, 0);
                diag_run_probes(in, &probes);
                for (size_t i = 0; i < probes.n_checks && ok; i++)
                        ok = write(fd_write, probes.checks + i, sizeof(DiagCheck)) == (ssize_t) sizeof(DiagCheck);
                _exit(ok && probes.error == 0 ? 0 : 1);
        }
        close(fd_write);
        fd_write = -1;

        job = calloc(1, sizeof(*job));
        if (!job) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return -ENOMEM;
        }
        *job = (DiagJob) {
                .message = sd_bus_message_ref(message),
                .report = *report,
                .fd = TAKE_FD(fd_read),
                .pid = pid,
        };
        *report = (DiagReport) {};

        r = sd_event_add_io(m->event, &source, job->fd, EPOLLIN, on_probe_output, job);
        if (r < 0) {
                diag_job_destroy(job);
                return r;
        }
        (void) sd_event_source_set_description(source, "diagnose-probes");
        (void) sd_event_source_set_destroy_callback(source, diag_job_destroy);
        /* Owned by the event loop: a daemon stopping with probes in flight frees the job
         * (and kills the child) when the loop goes. */
        r = sd_event_source_set_floating(source, true);
        sd_event_source_unref(source);
        return r < 0 ? r : 1;
}

int diag_bus_method(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(diag_report_done) DiagReport report = {};
        Manager *m = userdata;
        struct in_addr target;
        const char *target_str;
        DiagProbeInput in;
        uint64_t flags;
        int32_t ifindex;
        Link *link;
        int r;

        r = sd_bus_message_read(message, "its", &ifindex, &flags, &target_str);
        if (r < 0)
                return r;
        if (flags & ~(uint64_t) _DIAG_FLAGS_ALL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown flags 0x%" PRIx64 ".",
                                         flags & ~(uint64_t) _DIAG_FLAGS_ALL);
        if (!isempty(target_str) && inet_pton(AF_INET, target_str, &target) != 1)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Target '%s' is not an IPv4 address.",
                                         target_str);
        link = manager_get_link(m, ifindex);
        if (!link)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_LINK, "Link %" PRIi32 " not known.", ifindex);

        r = diag_link_passive(link, isempty(target_str) ? NULL : &target, &report);
        if (r < 0)
                return r;
        if (flags == 0 || !link->network)
                return diag_reply(message, &report);
        if (!sender_is_root(message)) {
                if (flags & DIAG_FLAG_ACTIVE)
                        diag_add(&report, "nat64-probes", DIAG_SKIP, DIAG_WHERE_NONE,
                                 "the NAT64 reachability and path MTU probes need root");
                if (flags & DIAG_FLAG_PROBE_DHCP4)
                        diag_add(&report, "dhcp4-probe", DIAG_SKIP, DIAG_WHERE_NONE, "--probe needs root");
                return diag_reply(message, &report);
        }

        diag_probe_input_from_link(link, flags, isempty(target_str) ? NULL : &target, &in);
        for (size_t i = 0; i < report.n_checks; i++)
                if (streq(report.checks[i].id, "clat-route") && report.checks[i].verdict == DIAG_FAIL)
                        in.route_shadowed = true;
        r = diag_start_probes(message, m, &report, &in);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the probes: %m");
        return r;
}
