/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CLAT backend: an in-kernel stateless translator.
 *
 *  - "ipxlat" (the translation netdevice proposed for net-next in 2026) when the running
 *    kernel has it: detected at run time (its generic netlink family, then creating the
 *    link), preferred over Jool. Provisional: see ipxlat-nl.h.
 *  - Jool SIIT (jool_siit, 4.1.x) otherwise, driven over its generic netlink family.
 *
 * Jool translates at PRE_ROUTING, so it cannot translate what the host itself sends
 * where it is sent. The translator therefore gets its own network namespace, per link:
 *
 *   host netns                                 translator netns (anonymous, ours)
 *   IPv4 socket ─► default route via inet6 fe80::2 ─► v6mclatN ══veth══ clat4 ─► Jool
 *                  (192.0.0.1/32 on v6mclatN)                                 │  (pool6 = NAT64
 *                                                                             │   prefix, EAM
 *   uplink ◄── host routing (ipvlan L3 hands the packet back to the uplink's   ▼   192.0.0.1 ↔ CLAT6)
 *      ▲        netns for routing)  ◄─────────────────────────────── clat6 (ipvlan L3 on the uplink,
 *      └── IPv6 to the CLAT address: ipvlan delivers it to clat6 ──►  CLAT IPv6 /128) ─► Jool ─► clat4
 *
 * ipvlan in L3 mode is what spares the host IPv6 forwarding: a packet the namespace
 * sends on clat6 is routed in the uplink's namespace (the host's IPv6 default route) and
 * leaves on the uplink with the uplink's MAC, and a packet arriving on the uplink for
 * the CLAT IPv6 address is handed to clat6, where Jool sees it at PRE_ROUTING. The core
 * answers Neighbor Solicitations for that address with the uplink's MAC, as for the
 * other backends.
 *
 * The namespace has no name: it lives as long as our file descriptor and sockets. When
 * the daemon dies, the kernel destroys it, and with it the veth pair, the ipvlan device
 * and the Jool instance (Jool removes instances with their namespace). Stop removes them
 * explicitly, and start removes a host-side device left behind. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <unistd.h>
#if HAVE_LIBKMOD
#include <libkmod.h>
#endif

#include "capability.h"
#include "clat-tun-name.h"
#include "ipxlat-nl.h"
#include "jool-nl.h"
#include "kmod-netlink.h"
#include "macro.h"
#include "nl-transact.h"
#include "tun-netlink.h"
#include "v6mostly/plugin.h"

#define JOOL_MODULE "jool_siit"
#define JOOL_INSTANCE "v6mostly"
#define NS_VETH "clat4"
#define NS_IPVLAN "clat6"
#define HEALTH_USEC (1000 * 1000)

static const struct in6_addr ll_host = { .s6_addr = { 0xfe, 0x80, [15] = 1 } };
static const struct in6_addr ll_ns = { .s6_addr = { 0xfe, 0x80, [15] = 2 } };

typedef enum KmodMode {
        KMOD_NONE,
        KMOD_JOOL,
        KMOD_IPXLAT,
} KmodMode;

typedef struct KmodLink {
        v6m_link *link;
        sd_event *event;
        KmodMode mode;
        struct v6m_clat_config config;
        char host_name[CLAT_IFNAMSIZ];
        int host_ifindex;
        int ns_fd;   /* the translator's namespace (Jool) */
        int host_nl; /* rtnetlink in the host's namespace */
        sd_event_source *health;
        bool failed;
} KmodLink;

/* ---- capabilities, modules, families ---- */

static bool module_loaded(const char *name) {
        char path[128];

        snprintf(path, sizeof(path), "/sys/module/%s", name);
        return access(path, F_OK) == 0;
}

/* Load a module; on failure a reason for "module X not loaded and cannot be loaded: ". */
static int module_load(const char *name, char *why, size_t size) {
        struct utsname u;

        (void) uname(&u);
        if (!have_effective_capability(CAP_SYS_MODULE)) {
                snprintf(why, size, "no CAP_SYS_MODULE");
                return -EPERM;
        }
#if HAVE_LIBKMOD
        struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        struct kmod_list *list = NULL, *l;
        int r;

        if (!ctx) {
                snprintf(why, size, "no module directory for kernel %s", u.release);
                return -ENOENT;
        }
        r = kmod_module_new_from_lookup(ctx, name, &list);
        if (r < 0 || !list) {
                snprintf(why, size, "no %s module for kernel %s (jool-dkms not installed or not built for it)", name,
                         u.release);
                kmod_unref(ctx);
                return -ENOENT;
        }
        r = -ENOENT;
        kmod_list_foreach(l, list) {
                struct kmod_module *m = kmod_module_get_module(l);

                r = kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL);
                kmod_module_unref(m);
                if (r >= 0)
                        break;
        }
        kmod_module_unref_list(list);
        kmod_unref(ctx);
        if (r < 0)
                snprintf(why, size, "loading it failed: %s", strerror(-r));
        return r < 0 ? r : 0;
#else
        snprintf(why, size, "v6mostlyd was built without libkmod");
        return -EOPNOTSUPP;
#endif
}

static int genl_family(const char *name) {
        struct nl_sock *sk = nl_socket_alloc();
        int r;

        if (!sk)
                return -ENOMEM;
        r = genl_connect(sk);
        if (r >= 0)
                r = genl_ctrl_resolve(sk, name);
        nl_socket_free(sk);
        return r < 0 ? -ENOENT : r;
}

static int genl_open(void) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

typedef struct JoolReply {
        int r, status;
        bool got_reply;
        char *errmsg;
        size_t errmsg_size;
} JoolReply;

static int jool_reply(struct nlmsghdr *m, void *userdata) {
        JoolReply *j = userdata;

        j->r = jool_nl_parse_reply(NLMSG_DATA(m), m->nlmsg_len - NLMSG_HDRLEN, &j->status, j->errmsg,
                                   j->errmsg_size);
        j->got_reply = true;
        return 0;
}

/* Send a Jool request; its reply decides. Frees msg. */
static int jool_transact(int fd, struct nl_msg *msg, int *ret_status, char *errmsg, size_t errmsg_size) {
        JoolReply j = { .status = JOOL_NL_STATUS_NONE, .errmsg = errmsg, .errmsg_size = errmsg_size };
        int r;

        if (!msg)
                return -ENOMEM;
        r = nl_transact(fd, nlmsg_hdr(msg), jool_reply, &j);
        nlmsg_free(msg);
        if (ret_status)
                *ret_status = j.status;
        if (r < 0)
                return r;
        return j.got_reply ? j.r : 0;
}

/* ---- namespace helpers ---- */

static int ns_enter(int fd, int *ret_orig) {
        int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

        if (orig < 0)
                return -errno;
        if (setns(fd, CLONE_NEWNET) < 0) {
                int r = -errno;
                close(orig);
                return r;
        }
        *ret_orig = orig;
        return 0;
}

static void ns_leave(int orig) {
        if (setns(orig, CLONE_NEWNET) < 0)
                abort(); /* the event-loop thread in the wrong namespace would be far worse */
        close(orig);
}

static void sysctl_write(const char *path, const char *value) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd >= 0) {
                (void) !write(fd, value, strlen(value));
                close(fd);
        }
}

/* ---- probe ---- */

static int clat_kmod_probe(void *plugin_data, v6m_link *link, char *reason, size_t reason_size) {
        const char *e = getenv("V6MOSTLY_CLAT_KMOD_DISABLE");
        char why[200], version[64] = "";
        FILE *f;

        if (e && streq(e, "1")) {
                snprintf(reason, reason_size, "disabled by V6MOSTLY_CLAT_KMOD_DISABLE=1 (a test knob)");
                return -EPERM;
        }
        if (!have_effective_capability(CAP_NET_ADMIN)) {
                snprintf(reason, reason_size, "no CAP_NET_ADMIN");
                return -EPERM;
        }
        if (genl_family(IPXLAT_GENL_FAMILY) >= 0)
                return 0; /* the in-kernel device; start() still checks the link kind */

        /* Jool runs in a network namespace of our own: unshare(CLONE_NEWNET) needs
         * CAP_SYS_ADMIN (the shipped unit does not grant it; see v6mostlyd.service). */
        if (!have_effective_capability(CAP_SYS_ADMIN)) {
                snprintf(reason, reason_size,
                         "no CAP_SYS_ADMIN (needed to create the network namespace Jool translates in)");
                return -EPERM;
        }
        if (!v6m_link_get_hw_addr(link, (uint8_t[6]) {})) {
                snprintf(reason, reason_size, "the uplink is not Ethernet (Jool's IPv6 side is an ipvlan on it)");
                return -EOPNOTSUPP;
        }
        if (!module_loaded(JOOL_MODULE) && module_load(JOOL_MODULE, why, sizeof(why)) < 0) {
                snprintf(reason, reason_size, "module %s not loaded and cannot be loaded: %s", JOOL_MODULE, why);
                return -ENOENT;
        }
        f = fopen("/sys/module/" JOOL_MODULE "/version", "re");
        if (f) {
                if (!fgets(version, sizeof(version), f))
                        version[0] = '\0';
                fclose(f);
                version[strcspn(version, "\n")] = '\0';
        }
        if (version[0] && strncmp(version, "4.1.", 4) != 0) {
                snprintf(reason, reason_size, "module %s is version %s; this backend speaks Jool 4.1's protocol",
                         JOOL_MODULE, version);
                return -EPROTONOSUPPORT;
        }
        if (genl_family(JOOL_GENL_FAMILY) < 0) {
                snprintf(reason, reason_size, "module %s is loaded but its generic netlink family \"%s\" is missing",
                         JOOL_MODULE, JOOL_GENL_FAMILY);
                return -ENOENT;
        }
        return 0;
}

/* ---- Jool in a namespace ---- */

/* The steps of jool_ns_setup(); *ret_step names the one under way, for the message if it
 * fails. */
static int jool_ns_build(KmodLink *k, const char **ret_step, char *err, size_t err_size) {
        const struct v6m_clat_config *c = &k->config;
        _cleanup_close_ int ns_nl = -1, gfd = -1;
        int orig = -1, family, r, i4, i6;

        family = genl_family(JOOL_GENL_FAMILY);
        if (family < 0) {
                snprintf(err, err_size, "generic netlink family \"%s\" missing", JOOL_GENL_FAMILY);
                return family;
        }

        /* A namespace of our own, held by ns_fd. */
        orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (orig < 0)
                return -errno;
        if (unshare(CLONE_NEWNET) < 0) {
                r = -errno;
                close(orig);
                snprintf(err, err_size, "cannot create a network namespace");
                return r;
        }
        k->ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        r = k->ns_fd < 0 ? -errno : 0;
        ns_leave(orig);
        if (r < 0)
                return r;

        /* The devices, created from the host side straight into the namespace. */
        *ret_step = "cannot create the veth pair";
        r = kmod_nl_veth_new(k->host_nl, k->host_name, NS_VETH, k->ns_fd);
        if (r < 0)
                return r;
        *ret_step = "cannot create the ipvlan (L3) device on the uplink";
        r = kmod_nl_ipvlan_l3_new(k->host_nl, NS_IPVLAN, c->uplink_ifindex, k->ns_fd);
        if (r < 0)
                return r;
        k->host_ifindex = (int) if_nametoindex(k->host_name);
        if (k->host_ifindex <= 0) {
                *ret_step = "the host side of the veth pair vanished";
                return -ENODEV;
        }

        /* Inside: addresses, routes, Jool. */
        r = ns_enter(k->ns_fd, &orig);
        if (r < 0) {
                *ret_step = "cannot enter the translator's namespace";
                return r;
        }
        sysctl_write("/proc/sys/net/ipv4/conf/all/forwarding", "1");
        sysctl_write("/proc/sys/net/ipv6/conf/all/forwarding", "1");
        sysctl_write("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
        ns_nl = tun_nl_open();
        gfd = genl_open();
        i4 = (int) if_nametoindex(NS_VETH);
        i6 = (int) if_nametoindex(NS_IPVLAN);
        *ret_step = "cannot configure the translator's namespace";
        r = ns_nl < 0 ? ns_nl : gfd < 0 ? gfd : (i4 <= 0 || i6 <= 0) ? -ENODEV : 0;
        if (r >= 0)
                r = tun_nl_link_set(ns_nl, 1, 0, true); /* lo */
        if (r >= 0)
                r = tun_nl_link_set(ns_nl, i4, c->mtu, true);
        if (r >= 0)
                r = tun_nl_link_set(ns_nl, i6, 0, true);
        if (r >= 0)
                r = kmod_nl_addr6_add(ns_nl, i4, &ll_ns, 64);
        if (r >= 0)
                r = kmod_nl_addr6_add(ns_nl, i6, &c->ipv6_address, 128);
        if (r >= 0)
                r = kmod_nl_route_add(ns_nl, AF_INET6, NULL, 0, i6, NULL, 0, NULL);
        if (r >= 0)
                r = kmod_nl_route_add(ns_nl, AF_INET, &c->ipv4_address, 32, i4, &ll_host, 0, NULL);
        if (r >= 0) {
                *ret_step = "Jool: instance add";
                r = jool_transact(gfd,
                                  jool_nl_instance_add(family, 0, JOOL_INSTANCE, &c->nat64.prefix, c->nat64.len),
                                  NULL, err, err_size);
        }
        if (r >= 0) {
                *ret_step = "Jool: eamt add";
                r = jool_transact(gfd, jool_nl_eamt_add(family, 0, JOOL_INSTANCE, &c->ipv6_address, &c->ipv4_address),
                                  NULL, err, err_size);
        }
        ns_leave(orig);
        if (r < 0)
                return r;

        /* Host side. */
        *ret_step = "cannot configure the host side of the veth pair";
        r = tun_nl_link_set(k->host_nl, k->host_ifindex, c->mtu, true);
        if (r >= 0)
                r = kmod_nl_addr6_add(k->host_nl, k->host_ifindex, &ll_host, 64);
        if (r >= 0)
                r = tun_nl_addr4_add(k->host_nl, k->host_ifindex, &c->ipv4_address);
        if (r >= 0)
                r = kmod_nl_route_add(k->host_nl, AF_INET, NULL, 0, k->host_ifindex, &ll_ns, c->route_metric,
                                      &c->ipv4_address);
        return r < 0 ? r : 0;
}

static int jool_ns_setup(KmodLink *k, char *err, size_t err_size) {
        const char *step = NULL;
        int r;

        r = jool_ns_build(k, &step, err, err_size);
        if (r >= 0 || !step)
                return r;
        if (!err[0] || strncmp(step, "Jool", 4) != 0)
                snprintf(err, err_size, "%s: %s", step, strerror(-r));
        else {
                char tmp[256];

                snprintf(tmp, sizeof(tmp), "%s: %s", step, err);
                snprintf(err, err_size, "%s", tmp);
        }
        return r;
}

static void jool_ns_teardown(KmodLink *k) {
        int orig, fd, family;

        if (k->ns_fd >= 0 && ns_enter(k->ns_fd, &orig) >= 0) {
                family = genl_family(JOOL_GENL_FAMILY);
                fd = genl_open();
                if (family >= 0 && fd >= 0)
                        (void) jool_transact(fd, jool_nl_instance_rm(family, 0, JOOL_INSTANCE), NULL, NULL, 0);
                if (fd >= 0)
                        close(fd);
                /* The ipvlan now: the namespace dies asynchronously, and its address on
                 * the uplink's ipvlan port would block the next start until then. */
                fd = tun_nl_open();
                if (fd >= 0) {
                        (void) tun_nl_link_delete_by_name(fd, NS_IPVLAN);
                        close(fd);
                }
                ns_leave(orig);
        }
        if (k->ns_fd >= 0)
                close(k->ns_fd);
        k->ns_fd = -1;
}

/* Is the Jool instance still there? */
static int jool_check(KmodLink *k, char *why, size_t size) {
        int orig, fd, family, status = JOOL_NL_STATUS_NONE, r;
        char err[200] = "";

        if (!module_loaded(JOOL_MODULE)) {
                snprintf(why, size, "module %s was unloaded", JOOL_MODULE);
                return -ENOENT;
        }
        family = genl_family(JOOL_GENL_FAMILY);
        if (family < 0) {
                snprintf(why, size, "Jool's generic netlink family is gone");
                return -ENOENT;
        }
        r = ns_enter(k->ns_fd, &orig);
        if (r < 0) {
                snprintf(why, size, "cannot enter the translator's namespace");
                return r;
        }
        fd = genl_open();
        r = fd < 0 ? fd : jool_transact(fd, jool_nl_instance_hello(family, 0, JOOL_INSTANCE), &status, err, sizeof(err));
        if (fd >= 0)
                close(fd);
        ns_leave(orig);
        if (r < 0) {
                snprintf(why, size, "Jool does not answer: %s", err[0] ? err : strerror(-r));
                return r;
        }
        if (status != JOOL_NL_STATUS_ALIVE) {
                snprintf(why, size, "the Jool instance is gone");
                return -ENOENT;
        }
        return 0;
}

/* ---- ipxlat ---- */

static int ipxlat_setup(KmodLink *k, char *err, size_t err_size) {
        const struct v6m_clat_config *c = &k->config;
        int family, gfd, r;

        family = genl_family(IPXLAT_GENL_FAMILY);
        if (family < 0)
                return -EOPNOTSUPP;
        r = kmod_nl_send_msg(k->host_nl, ipxlat_nl_link_new(0, k->host_name, c->mtu));
        if (r < 0) {
                snprintf(err, err_size, "cannot create a link of kind %s: %s", IPXLAT_LINK_KIND, strerror(-r));
                return r == -EOPNOTSUPP || r == -EINVAL ? -EOPNOTSUPP : r;
        }
        k->host_ifindex = (int) if_nametoindex(k->host_name);
        gfd = genl_open();
        r = gfd < 0 ? gfd
                    : kmod_nl_send_msg(gfd, ipxlat_nl_set_prefix(family, 0, k->host_ifindex, &c->nat64.prefix,
                                                                 c->nat64.len));
        if (gfd >= 0)
                close(gfd);
        if (r >= 0)
                r = tun_nl_link_set(k->host_nl, k->host_ifindex, c->mtu, true);
        if (r >= 0)
                r = tun_nl_addr4_add(k->host_nl, k->host_ifindex, &c->ipv4_address);
        if (r >= 0)
                r = tun_nl_route4_default_add(k->host_nl, k->host_ifindex, c->route_metric, &c->ipv4_address);
        if (r >= 0)
                r = kmod_nl_route_add(k->host_nl, AF_INET6, &c->ipv6_address, 128, k->host_ifindex, NULL, 0, NULL);
        if (r < 0)
                snprintf(err, err_size, "cannot configure the %s device: %s", IPXLAT_LINK_KIND, strerror(-r));
        return r;
}

/* ---- lifecycle ---- */

static void kmod_teardown(KmodLink *k) {
        k->health = sd_event_source_disable_unref(k->health);
        if (k->mode == KMOD_JOOL)
                jool_ns_teardown(k);
        if (k->host_nl >= 0 && k->host_name[0]) {
                int r = tun_nl_link_delete_by_name(k->host_nl, k->host_name);

                if (r < 0 && r != -ENODEV)
                        v6m_link_log(k->link, LOG_WARNING, r, "cannot delete %s: %m", k->host_name);
        }
        if (k->host_nl >= 0)
                close(k->host_nl);
        k->host_nl = -1;
        k->host_ifindex = 0;
        k->mode = KMOD_NONE;
}

static int health_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        KmodLink *k = userdata;
        char why[256] = "", name[CLAT_IFNAMSIZ];
        int r = 0;

        if (k->mode == KMOD_NONE || k->failed)
                return 0;
        if (!if_indextoname((unsigned) k->host_ifindex, name) || !streq(name, k->host_name)) {
                snprintf(why, sizeof(why), "%s was deleted", k->host_name);
                r = -ENODEV;
        } else if (k->mode == KMOD_JOOL)
                r = jool_check(k, why, sizeof(why));
        if (r < 0) {
                k->failed = true;
                v6m_link_log(k->link, LOG_WARNING, r, "%s", why);
                v6m_link_report_clat(k->link, V6M_CLAT_FAILED, 0, why);
                return 0;
        }
        (void) sd_event_source_set_time_relative(s, HEALTH_USEC);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

static int clat_kmod_init(v6m_core *core, void **ret) {
        *ret = core;
        return 0;
}

static int clat_kmod_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        KmodLink *k = calloc(1, sizeof(KmodLink));

        if (!k)
                return -ENOMEM;
        k->link = link;
        k->event = v6m_core_get_event(plugin_data);
        k->ns_fd = k->host_nl = -1;
        *ret_link_data = k;
        return 0;
}

static void clat_kmod_stop(void *plugin_data, v6m_link *link, void *link_data) {
        KmodLink *k = link_data;

        if (k)
                kmod_teardown(k);
}

static void clat_kmod_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        clat_kmod_stop(plugin_data, link, link_data);
        free(link_data);
}

static int clat_kmod_start(void *plugin_data, v6m_link *link, void *link_data, const struct v6m_clat_config *config) {
        KmodLink *k = link_data;
        char err[256] = "", a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
        int r;

        if (!k)
                return -EINVAL;
        kmod_teardown(k);
        k->config = *config;
        k->failed = false;
        clat_tun_name(config->uplink_ifindex, k->host_name);
        k->host_nl = tun_nl_open();
        if (k->host_nl < 0)
                return k->host_nl;
        /* A device left by a daemon that was killed (its namespace may still be dying). */
        r = tun_nl_link_delete_by_name(k->host_nl, k->host_name);
        if (r >= 0)
                v6m_link_log(link, LOG_NOTICE, 0, "removed %s left behind by an earlier run", k->host_name);

        k->mode = KMOD_IPXLAT;
        r = ipxlat_setup(k, err, sizeof(err));
        if (r == -EOPNOTSUPP) {
                if (err[0])
                        v6m_link_log(link, LOG_INFO, 0, "ipxlat not usable (%s), using Jool", err);
                (void) tun_nl_link_delete_by_name(k->host_nl, k->host_name);
                err[0] = '\0';
                k->mode = KMOD_JOOL;
                r = jool_ns_setup(k, err, sizeof(err));
        }
        if (r < 0) {
                v6m_link_log(link, LOG_WARNING, r, "%s", err[0] ? err : strerror(-r));
                kmod_teardown(k);
                return r;
        }
        r = sd_event_add_time_relative(k->event, &k->health, CLOCK_MONOTONIC, HEALTH_USEC, 0, health_handler, k);
        if (r < 0) {
                kmod_teardown(k);
                return r;
        }
        v6m_link_log(link, LOG_INFO, 0, "%s, %s up, %s/32 ↔ %s, MTU %u",
                     k->mode == KMOD_JOOL ? "Jool SIIT in its own network namespace" : "ipxlat device", k->host_name,
                     inet_ntop(AF_INET, &config->ipv4_address, a4, sizeof(a4)),
                     inet_ntop(AF_INET6, &config->ipv6_address, a6, sizeof(a6)), config->mtu);
        v6m_link_report_clat(link, V6M_CLAT_RUNNING, 0, NULL);
        return 0;
}

static uint64_t read_stat(const char *dev, const char *name) {
        char path[128], buf[32];
        uint64_t v = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", dev, name);
        f = fopen(path, "re");
        if (f) {
                if (fgets(buf, sizeof(buf), f))
                        v = strtoull(buf, NULL, 10);
                fclose(f);
        }
        return v;
}

/* What went through the host side of the translator: what the host sent into it is
 * what was handed over for 4→6, what came out of it was translated 6→4. */
static int clat_kmod_stats(void *plugin_data, v6m_link *link, void *link_data, struct v6m_clat_stats *ret) {
        KmodLink *k = link_data;

        *ret = (struct v6m_clat_stats) {};
        if (!k || k->mode == KMOD_NONE)
                return 0;
        ret->packets_4to6 = read_stat(k->host_name, "tx_packets");
        ret->packets_6to4 = read_stat(k->host_name, "rx_packets");
        return 0;
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "clat-kmod",
        .kind = V6M_PLUGIN_CLAT,
        .init = clat_kmod_init,
        .link_add = clat_kmod_link_add,
        .link_remove = clat_kmod_link_remove,
        .probe = clat_kmod_probe,
        .start = clat_kmod_start,
        .stop = clat_kmod_stop,
        .stats = clat_kmod_stats,
};
