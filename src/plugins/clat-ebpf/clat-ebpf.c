/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CLAT backend: an eBPF fast path in front of the TUN backend.
 *
 * Where the IPv4 side lives. The host's IPv4 stack needs a device that carries the CLAT
 * address (192.0.0.1/32) and the IPv4 default route, so that routing, source address
 * selection and sockets work unchanged. We keep the TUN backend's device for that
 * (v6mclat<ifindex>, set up by the very same engine, the static library
 * src/plugins/clat-tun/engine) and put two tc programs around it:
 *
 *   - tc egress of the CLAT device: IPv4 packets the stack routes to it are translated
 *     in place (bpf_skb_change_proto) and redirected to the uplink with
 *     bpf_redirect_neigh(), which does the IPv6 FIB lookup and neighbour resolution: no
 *     MAC bookkeeping here, on-link NAT64 prefixes work too;
 *   - tc ingress of the uplink: IPv6 packets to the CLAT IPv6 address are translated
 *     and redirected into the CLAT device (BPF_F_INGRESS), where the IPv4 stack receives
 *     them as if they had arrived on it.
 *
 * What the fast path does not handle (IPv4 options, fragments, ICMP errors with the
 * packet inside, IPv6 extension headers, packets that need fragmenting or a Fragmentation
 * Needed answer, UDP without checksum, NAT64 prefixes other than /96) it passes on
 * untouched, and the TUN backend's userspace translator does it: on egress the packet
 * simply reaches the TUN; on ingress the translator's AF_PACKET socket is a protocol
 * handler, which runs after tc ingress. So this backend translates everything the TUN
 * backend does, with one translation library as the reference: the unit test compares
 * the fast path with it byte for byte through BPF_PROG_TEST_RUN.
 *
 * Why not NetworkManager's design (the CLAT address on the uplink itself, a tc egress
 * program there)? It needs no extra device, but the IPv4 stack then believes the uplink
 * has IPv4 (ARP for the gateway, DHCP clients and firewalls see an IPv4 address on the
 * interface, and "no native IPv4" — the CLAT decision itself — becomes ambiguous), and
 * every packet the fast path cannot translate would need a slow path of its own. The
 * extra device costs nothing per packet (the redirect happens before its driver runs)
 * and keeps the two backends' behaviour the same.
 *
 * Attachment: tc clsact through libbpf (bpf_tc_hook_create/bpf_tc_attach). The uplink's
 * filter has our own handle and priority (CLAT_EBPF_TC_HANDLE/PRIORITY) and program names
 * start with "v6m_clat_": a restarted daemon removes a filter at that slot only if its
 * program carries our name, foreign filters are never touched, and a clsact qdisc that
 * existed before is left alone (one we created is left too: other tools may have added
 * filters to it since; an empty clsact costs nothing). tcx (kernel 6.6) would be the
 * better hook, but libbpf 1.1 (Debian 12) has no API for it (bpf_program__attach_tcx()
 * came with libbpf 1.3): when this plugin is built against such a libbpf, clsact is used
 * whatever the kernel offers.
 *
 * Test knob: V6MOSTLY_CLAT_EBPF_DISABLE=1 in the daemon's environment makes probe()
 * fail ("disabled by ..."), for the fallback tests only. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capability.h"
#include "clat-ebpf.h"
#include "clat-ebpf.skel.h"
#include "clat-tun-name.h"
#include "macro.h"
#include "nl-transact.h"
#include "tun-translator.h"
#include "v6mostly/plugin.h"
#include "xlat.h"

#define DISABLE_ENV "V6MOSTLY_CLAT_EBPF_DISABLE"
#define VERIFIER_LOG_SIZE (64 * 1024)

typedef struct EbpfPlugin {
        v6m_core *core;
} EbpfPlugin;

typedef struct EbpfLink {
        v6m_link *link;
        TunTranslator *slow; /* the slow path, and the CLAT device */
        struct clat_ebpf *skel;
        int uplink_ifindex;
        int clat_ifindex;
        bool ingress_attached, egress_attached;
        bool running;
        sd_event *event;
        sd_event_source *watch; /* is our uplink filter still there? */
} EbpfLink;

#define WATCH_USEC (1000 * 1000)

/* ---- libbpf messages: collected while opening and loading, so an open failure (a bad
 * ELF image) or a verifier rejection reaches the journal with the link it concerns. Only the event-loop thread loads programs. */

static char *load_log;
static size_t load_log_len;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap) {
        if (level == LIBBPF_DEBUG || !load_log)
                return 0;
        if (load_log_len < VERIFIER_LOG_SIZE - 1) {
                int n = vsnprintf(load_log + load_log_len, VERIFIER_LOG_SIZE - load_log_len, fmt, ap);
                if (n > 0)
                        load_log_len = load_log_len + (size_t) n < VERIFIER_LOG_SIZE - 1 ? load_log_len + (size_t) n
                                                                                          : VERIFIER_LOG_SIZE - 1;
        }
        return 0;
}

static void log_load_failure(v6m_link *link, int error) {
        if (!load_log || load_log_len == 0)
                return;
        /* One journal entry per line keeps the verifier's log readable with journalctl. */
        for (char *line = load_log, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                v6m_link_log(link, LOG_WARNING, error, "libbpf: %s",
                             strncmp(line, "libbpf: ", 8) == 0 ? line + 8 : line);
        }
}

static void clat_ebpf_destroyp(struct clat_ebpf **skel) {
        if (*skel)
                clat_ebpf__destroy(*skel);
}

/* The collection of libbpf's messages ends with the load that asked for it. */
static void load_log_freep(char **log) {
        free(*log);
        load_log = NULL;
}

/* Open and load the programs (the verifier runs here). For probe() with a zero
 * configuration, for start() with the link's. */
static int ebpf_load(v6m_link *link, const struct v6m_clat_config *c, int clat_ifindex, const struct xlat *x,
                     struct clat_ebpf **ret, char *reason, size_t reason_size) {
        _cleanup_(load_log_freep) char *log = NULL;
        _cleanup_(clat_ebpf_destroyp) struct clat_ebpf *skel = NULL;
        int r;

        log = load_log = calloc(1, VERIFIER_LOG_SIZE);
        load_log_len = 0;
        skel = clat_ebpf__open();
        if (!skel) {
                r = -errno;
                snprintf(reason, reason_size, "cannot open the BPF object: %s (libbpf's log in the journal)",
                         strerror(-r));
                log_load_failure(link, r);
                return r;
        }
        if (c) {
                skel->rodata->clat_ipv4 = c->ipv4_address.s_addr;
                memcpy((void *) skel->rodata->clat_ipv6, &c->ipv6_address, 16);
                memcpy((void *) skel->rodata->nat64_prefix96, &c->nat64.prefix, 12);
                skel->rodata->uplink_ifindex = (uint32_t) c->uplink_ifindex;
                skel->rodata->clat_ifindex = (uint32_t) clat_ifindex;
                skel->rodata->ipv6_mtu = x->ipv6_mtu;
                skel->rodata->lowest_ipv6_mtu = x->lowest_ipv6_mtu;
        }
        r = clat_ebpf__load(skel);
        if (r < 0) {
                if (r == -EPERM || r == -EACCES)
                        snprintf(reason, reason_size, "bpf() not permitted (%s): no CAP_BPF/CAP_SYS_ADMIN, or locked down",
                                 strerror(-r));
                else if (strstr(load_log ?: "", "PROG LOAD LOG") || strstr(load_log ?: "", "verifier"))
                        /* libbpf prints the verifier's log between "-- BEGIN PROG LOAD
                         * LOG --" and "-- END PROG LOAD LOG --" when a load fails. */
                        snprintf(reason, reason_size, "the kernel's verifier rejected the program (log in the journal)");
                else
                        snprintf(reason, reason_size, "cannot load the BPF programs: %s (libbpf's log in the journal)",
                                 strerror(-r));
                log_load_failure(link, r);
                return r;
        }
        *ret = TAKE_PTR(skel);
        return 0;
}

/* ---- tc ---- */

/* Whether the filter at our slot of the hook runs a program of ours, by the name libbpf
 * gave it when attaching ("v6m_clat_6to4:[42]", TCA_BPF_NAME), read from the filter
 * itself: opening the program by its id (BPF_PROG_GET_FD_BY_ID) needs CAP_SYS_ADMIN,
 * which the daemon does not have under its unit. */
static int tc_name_reply(struct nlmsghdr *h, void *userdata) {
        bool *ours = userdata;
        struct tcmsg *t = NLMSG_DATA(h);
        int len = (int) h->nlmsg_len - (int) NLMSG_LENGTH(sizeof(*t));

        if (h->nlmsg_type != RTM_NEWTFILTER || len < 0)
                return 0;
        for (struct rtattr *a = TCA_RTA(t); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
                int olen = (int) RTA_PAYLOAD(a);

                if (a->rta_type != TCA_OPTIONS)
                        continue;
                for (struct rtattr *o = RTA_DATA(a); RTA_OK(o, olen); o = RTA_NEXT(o, olen))
                        if (o->rta_type == TCA_BPF_NAME &&
                            strnlen(RTA_DATA(o), RTA_PAYLOAD(o)) >= strlen(CLAT_EBPF_PROG_PREFIX) &&
                            strncmp(RTA_DATA(o), CLAT_EBPF_PROG_PREFIX, strlen(CLAT_EBPF_PROG_PREFIX)) == 0)
                                *ours = true;
        }
        return 0;
}

static bool tc_filter_is_ours(int ifindex, enum bpf_tc_attach_point point) {
        struct {
                struct nlmsghdr h;
                struct tcmsg t;
                struct rtattr kind;
                char kind_name[4];
        } req = {
                .h.nlmsg_len = sizeof(req),
                .h.nlmsg_type = RTM_GETTFILTER,
                .h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ECHO,
                .t.tcm_family = AF_UNSPEC,
                .t.tcm_ifindex = ifindex,
                .t.tcm_handle = CLAT_EBPF_TC_HANDLE,
                .t.tcm_parent = TC_H_MAKE(TC_H_CLSACT,
                                          point == BPF_TC_INGRESS ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS),
                .t.tcm_info = TC_H_MAKE(CLAT_EBPF_TC_PRIORITY << 16, htons(ETH_P_ALL)),
                .kind.rta_len = RTA_LENGTH(sizeof("bpf")),
                .kind.rta_type = TCA_KIND,
                .kind_name = "bpf",
        };
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        bool ours = false;
        int fd;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return false;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || nl_transact(fd, &req.h, tc_name_reply, &ours) < 0)
                ours = false;
        close(fd);
        return ours;
}

/* Our slot on a hook: 0 if free (or freed from a leftover of ours), -EBUSY if a foreign
 * filter holds it. */
static int tc_slot_clear(v6m_link *link, int ifindex, enum bpf_tc_attach_point point) {
        DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
        DECLARE_LIBBPF_OPTS(bpf_tc_opts, q, .handle = CLAT_EBPF_TC_HANDLE, .priority = CLAT_EBPF_TC_PRIORITY);
        int r;

        r = bpf_tc_query(&hook, &q);
        if (r < 0)
                return 0; /* no clsact, or nothing at our slot */
        if (!tc_filter_is_ours(ifindex, point))
                return -EBUSY;
        DECLARE_LIBBPF_OPTS(bpf_tc_opts, d, .handle = CLAT_EBPF_TC_HANDLE, .priority = CLAT_EBPF_TC_PRIORITY);
        r = bpf_tc_detach(&hook, &d);
        if (r < 0)
                return v6m_link_log(link, LOG_WARNING, r, "cannot remove a leftover filter on ifindex %d: %m",
                                    ifindex);
        v6m_link_log(link, LOG_NOTICE, 0, "removed a leftover tc filter (program %u) on ifindex %d",
                     q.prog_id, ifindex);
        return 0;
}

static int tc_attach(v6m_link *link, int ifindex, enum bpf_tc_attach_point point, int prog_fd) {
        DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
        DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = CLAT_EBPF_TC_HANDLE, .priority = CLAT_EBPF_TC_PRIORITY,
                            .prog_fd = prog_fd);
        int r;

        r = bpf_tc_hook_create(&hook); /* clsact; -EEXIST: somebody's (or ours) is there */
        if (r < 0 && r != -EEXIST)
                return r;
        r = tc_slot_clear(link, ifindex, point);
        if (r < 0)
                return r;
        return bpf_tc_attach(&hook, &o);
}

static void tc_detach(v6m_link *link, int ifindex, enum bpf_tc_attach_point point) {
        DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
        DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = CLAT_EBPF_TC_HANDLE, .priority = CLAT_EBPF_TC_PRIORITY);
        int r = bpf_tc_detach(&hook, &o);

        if (r < 0 && r != -ENOENT && r != -ENODEV && r != -EINVAL)
                v6m_link_log(link, LOG_WARNING, r, "cannot detach the tc filter on ifindex %d: %m", ifindex);
}

/* ---- counters ---- */

static void counters_read(EbpfLink *e, uint64_t sum[static _CLAT_EBPF_COUNTER_MAX]) {
        int ncpus = libbpf_num_possible_cpus();
        _cleanup_free_ uint64_t *v = NULL;

        memset(sum, 0, sizeof(uint64_t) * _CLAT_EBPF_COUNTER_MAX);
        if (!e->skel || ncpus <= 0)
                return;
        v = calloc((size_t) ncpus, sizeof(uint64_t));
        if (!v)
                return;
        for (uint32_t k = 0; k < _CLAT_EBPF_COUNTER_MAX; k++)
                if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.v6m_counters), &k, v) == 0)
                        for (int i = 0; i < ncpus; i++)
                                sum[k] += v[i];
}

/* ---- plugin callbacks ---- */

static int clat_ebpf_probe(void *plugin_data, v6m_link *link, char *reason, size_t reason_size) {
        struct v6m_nat64_prefix prefix;
        struct clat_ebpf *skel = NULL;
        const char *env = getenv(DISABLE_ENV);
        int r;

        if (env && streq(env, "1")) {
                snprintf(reason, reason_size, "disabled by %s=1 (a test knob)", DISABLE_ENV);
                return -EOPNOTSUPP;
        }
        if (libbpf_major_version() < 1 && libbpf_minor_version() < 8) {
                snprintf(reason, reason_size, "libbpf %u.%u is too old (bpf_tc_attach() needs 0.8)",
                         libbpf_major_version(), libbpf_minor_version());
                return -EOPNOTSUPP;
        }
        if (!have_effective_capability(CAP_NET_ADMIN)) {
                snprintf(reason, reason_size, "no CAP_NET_ADMIN");
                return -EPERM;
        }
        if (!have_effective_capability(CAP_BPF) && !have_effective_capability(CAP_SYS_ADMIN)) {
                snprintf(reason, reason_size, "no CAP_BPF (nor CAP_SYS_ADMIN)");
                return -EPERM;
        }
        if (v6m_link_get_nat64_prefix(link, &prefix) && prefix.len != 96) {
                snprintf(reason, reason_size, "the fast path handles /96 NAT64 prefixes only (this one is /%u)",
                         prefix.len);
                return -EOPNOTSUPP;
        }
        /* The slow path is the TUN backend: it must be usable too. */
        r = tun_translator_probe(link, reason, reason_size);
        if (r < 0) {
                char why[200];
                snprintf(why, sizeof(why), "%s", reason);
                snprintf(reason, reason_size, "slow path (TUN) unusable: %s", why);
                return r;
        }
        r = ebpf_load(link, NULL, 0, NULL, &skel, reason, reason_size);
        if (r < 0)
                return r;
        clat_ebpf__destroy(skel);

        /* clsact on the uplink: there already, or we can make it (and undo that). */
        DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = v6m_link_get_ifindex(link), .attach_point = BPF_TC_INGRESS);
        r = bpf_tc_hook_create(&hook);
        if (r < 0 && r != -EEXIST) {
                snprintf(reason, reason_size, "cannot add a clsact qdisc to the uplink: %s", strerror(-r));
                return r;
        }
        if (r == 0) {
                hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
                (void) bpf_tc_hook_destroy(&hook);
        }
        return 0;
}

static void ebpf_link_teardown(EbpfLink *e) {
        e->watch = sd_event_source_disable_unref(e->watch);
        if (e->ingress_attached)
                tc_detach(e->link, e->uplink_ifindex, BPF_TC_INGRESS);
        if (e->egress_attached)
                tc_detach(e->link, e->clat_ifindex, BPF_TC_EGRESS);
        e->ingress_attached = e->egress_attached = false;
        if (e->skel) {
                uint64_t c[_CLAT_EBPF_COUNTER_MAX];

                counters_read(e, c);
                v6m_link_log(e->link, LOG_INFO, 0,
                             "fast path translated %" PRIu64 " packets 4→6 and %" PRIu64
                             " 6→4; %" PRIu64 " and %" PRIu64 " went to the slow path",
                             c[CLAT_EBPF_FAST_4TO6], c[CLAT_EBPF_FAST_6TO4], c[CLAT_EBPF_SLOW_4TO6],
                             c[CLAT_EBPF_SLOW_6TO4]);
                clat_ebpf__destroy(e->skel);
                e->skel = NULL;
        }
        e->running = false;
}

static int ebpf_link_setup(EbpfLink *e, const struct v6m_clat_config *config) {
        char reason[256] = "";
        const char *name = tun_translator_get_device(e->slow);
        const char *why = NULL;
        struct xlat x;
        int r;

        struct xlat_config xc = {
                .nat64_prefix = config->nat64,
                .clat_ipv4 = config->ipv4_address,
                .clat_ipv6 = config->ipv6_address,
                .ipv6_mtu = config->mtu + 28, /* as the TUN backend */
        };
        r = xlat_init(&x, &xc, &why);
        if (r < 0)
                return v6m_link_log(e->link, LOG_WARNING, r, "invalid translator settings: %s", why);
        if (config->nat64.len != 96)
                return v6m_link_log(e->link, LOG_WARNING, EOPNOTSUPP, "NAT64 prefix is not a /96");

        e->uplink_ifindex = config->uplink_ifindex;
        /* Asked by name, not taken from the engine: the device may have gone since. */
        e->clat_ifindex = name ? (int) if_nametoindex(name) : 0;
        if (e->clat_ifindex <= 0)
                return v6m_link_log(e->link, LOG_WARNING, ENODEV, "%s is missing", name ?: "the CLAT device");

        r = ebpf_load(e->link, config, e->clat_ifindex, &x, &e->skel, reason, sizeof(reason));
        if (r < 0)
                return v6m_link_log(e->link, LOG_WARNING, r, "%s", reason);

        r = tc_attach(e->link, e->clat_ifindex, BPF_TC_EGRESS, bpf_program__fd(e->skel->progs.v6m_clat_4to6));
        if (r < 0)
                return v6m_link_log(e->link, LOG_WARNING, r, "cannot attach to tc egress of %s: %m", name);
        e->egress_attached = true;
        r = tc_attach(e->link, e->uplink_ifindex, BPF_TC_INGRESS, bpf_program__fd(e->skel->progs.v6m_clat_6to4));
        if (r == -EBUSY)
                return v6m_link_log(e->link, LOG_WARNING, r,
                                    "tc ingress handle/priority 0x%x/0x%x of the uplink is taken by a foreign filter",
                                    CLAT_EBPF_TC_HANDLE, CLAT_EBPF_TC_PRIORITY);
        if (r < 0)
                return v6m_link_log(e->link, LOG_WARNING, r, "cannot attach to tc ingress of the uplink: %m");
        e->ingress_attached = true;
        e->running = true;
        return 0;
}

static int clat_ebpf_init(v6m_core *core, void **ret) {
        EbpfPlugin *p = calloc(1, sizeof(EbpfPlugin));

        if (!p)
                return -ENOMEM;
        p->core = core;
        /* libbpf's messages go nowhere but into a load's log: a query that finds no
         * clsact is not worth a line on stderr. */
        libbpf_set_print(libbpf_print);
        *ret = p;
        return 0;
}

static void clat_ebpf_done(void *plugin_data) {
        free(plugin_data);
}

/* The slow path's workers died: the CLAT device may be gone, and with it the fast path. */
static void slow_path_dead(TunTranslator *t, int error, void *userdata) {
        EbpfLink *e = userdata;

        v6m_link_report_clat(e->link, V6M_CLAT_FAILED, error, "the TUN translator stopped");
}

/* Somebody else (tc filter del, another tool's clean-up) may remove our filter from the
 * uplink: the fast path 6→4 is gone then, and with it most incoming traffic. Polled:
 * there is no notification for it. The link falls through to the next backend. */
static int watch_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        EbpfLink *e = userdata;
        DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = e->uplink_ifindex, .attach_point = BPF_TC_INGRESS);
        DECLARE_LIBBPF_OPTS(bpf_tc_opts, q, .handle = CLAT_EBPF_TC_HANDLE, .priority = CLAT_EBPF_TC_PRIORITY);

        if (!e->running || !e->ingress_attached)
                return 0;
        if (bpf_tc_query(&hook, &q) < 0 || !tc_filter_is_ours(e->uplink_ifindex, BPF_TC_INGRESS)) {
                e->ingress_attached = false;
                v6m_link_log(e->link, LOG_WARNING, 0, "our tc filter on the uplink was removed by someone else");
                v6m_link_report_clat(e->link, V6M_CLAT_FAILED, 0, "the tc filter on the uplink was removed by someone else");
                return 0;
        }
        (void) sd_event_source_set_time_relative(s, WATCH_USEC);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

static int clat_ebpf_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        EbpfPlugin *p = plugin_data;
        _cleanup_free_ EbpfLink *e = calloc(1, sizeof(EbpfLink));
        int r;

        if (!e)
                return -ENOMEM;
        e->link = link;
        e->event = v6m_core_get_event(p->core);
        r = tun_translator_new(link, e->event, slow_path_dead, e, &e->slow);
        if (r < 0)
                return r;
        /* A daemon killed with SIGKILL left its uplink filter behind: remove it now,
         * whether or not this link gets a CLAT again. */
        if (have_effective_capability(CAP_NET_ADMIN))
                (void) tc_slot_clear(link, v6m_link_get_ifindex(link), BPF_TC_INGRESS);
        *ret_link_data = TAKE_PTR(e);
        return 0;
}

/* Stop, or undo a half-made start: the fast path, then the slow path. */
static void ebpf_link_stopp(EbpfLink **e) {
        if (!*e)
                return;
        ebpf_link_teardown(*e);
        tun_translator_stop((*e)->slow);
}

static void clat_ebpf_stop(void *plugin_data, v6m_link *link, void *link_data) {
        ebpf_link_stopp(&(EbpfLink *) { link_data });
}

static void clat_ebpf_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        EbpfLink *e = link_data;

        ebpf_link_stopp(&e);
        if (!e)
                return;
        tun_translator_free(e->slow);
        free(e);
}

static int clat_ebpf_start(void *plugin_data, v6m_link *link, void *link_data, const struct v6m_clat_config *config) {
        EbpfLink *e = link_data;
        int r;

        if (!e)
                return -EINVAL;
        if (e->running)
                clat_ebpf_stop(plugin_data, link, e);
        /* The slow path first: it makes the CLAT device the fast path attaches to. */
        r = tun_translator_start(e->slow, config);
        if (r < 0)
                return r;
        _cleanup_(ebpf_link_stopp) EbpfLink *undo = e;
        r = ebpf_link_setup(e, config);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(e->event, &e->watch, CLOCK_MONOTONIC, WATCH_USEC, 0, watch_handler, e);
        if (r < 0)
                return r;
        TAKE_PTR(undo);
        v6m_link_log(link, LOG_INFO, 0,
                     "fast path on tc egress of the CLAT device and tc ingress of the uplink (clsact; "
                     "libbpf %u.%u has no tcx API)",
                     libbpf_major_version(), libbpf_minor_version());
        v6m_link_report_clat(link, V6M_CLAT_RUNNING, 0, NULL);
        return 0;
}

static int clat_ebpf_stats(void *plugin_data, v6m_link *link, void *link_data, struct v6m_clat_stats *ret) {
        EbpfLink *e = link_data;
        uint64_t c[_CLAT_EBPF_COUNTER_MAX];

        *ret = (struct v6m_clat_stats) {};
        if (!e)
                return 0;
        tun_translator_stats(e->slow, ret);
        counters_read(e, c);
        ret->packets_4to6 += c[CLAT_EBPF_FAST_4TO6];
        ret->packets_6to4 += c[CLAT_EBPF_FAST_6TO4];
        for (int d = XLAT_DROP_NONE + 1; d < _XLAT_DROP_MAX; d++) {
                uint64_t n = c[CLAT_EBPF_DROP_BASE + d];
                const char *name = xlat_drop_reason_to_string(d);
                size_t i;

                if (n == 0)
                        continue;
                for (i = 0; i < ret->n_dropped; i++)
                        if (streq(ret->dropped[i].reason, name))
                                break;
                if (i == ret->n_dropped) {
                        if (ret->n_dropped >= V6M_CLAT_DROP_REASONS_MAX)
                                continue;
                        ret->dropped[ret->n_dropped++] = (typeof(ret->dropped[0])) { .reason = name };
                }
                ret->dropped[i].count += n;
        }
        return 0;
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "clat-ebpf",
        .kind = V6M_PLUGIN_CLAT,
        .init = clat_ebpf_init,
        .done = clat_ebpf_done,
        .link_add = clat_ebpf_link_add,
        .link_remove = clat_ebpf_link_remove,
        .probe = clat_ebpf_probe,
        .start = clat_ebpf_start,
        .stop = clat_ebpf_stop,
        .stats = clat_ebpf_stats,
};
