/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Source plugin: what Router Advertisements say that the kernel does not act on itself.
 *
 * The kernel processes RAs (SLAAC, default routes) and hands every option it does not know
 * to userspace as an RTM_NEWNDUSEROPT message on the RTNLGRP_ND_USEROPT multicast group:
 * one message per option, with the interface and the router's address. This plugin listens
 * to that group and, for managed links:
 *
 *   PREF64 (RFC 8781)        → a NAT64 prefix candidate, source "ra", origin the router,
 *                              expiring with the option's lifetime (the core expires it);
 *                              lifetime 0 withdraws it at once. Ignored with UsePREF64=no.
 *   RDNSS, DNSSL (RFC 8106)  → DNS servers and search domains, kept per router and entry
 *                              with their own lifetimes; the current set is reported to
 *                              the core on every change and every expiry.
 *
 * A malformed option is dropped and counted; the first of each kind per link is logged
 * at debug level. It never touches what is already known. Losing carrier, leaving
 * management or going away forgets everything learned on the link.
 *
 * Routers repeat their RAs only every few minutes (MaxRtrAdvInterval is 600 s by default),
 * and the kernel solicits them only when a link comes up. So when the daemon starts
 * managing a link that is already up, or UsePREF64= is switched back on, the plugin sends
 * one Router Solicitation (RFC 4861 §6.3.7) to have the options now.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <netinet/icmp6.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "macro.h"
#include "nat64-prefix.h"
#include "ra-option.h"
#include "v6mostly/plugin.h"

/* RFC 8106 §5.3.1 leaves the size of the lists to the implementation (at least 3): a
 * bound keeps a misbehaving router from growing them without end. */
#define RA_DNS_ENTRIES_MAX 32u
#define RECV_BUFFER_SIZE (1024 * 1024)

/* The core starts every message of a plugin with the plugin's name ("pref64-ra: ") and adds
 * V6M_PLUGIN= to its journal entry. */
#define log_pref64_link(link, priority, error, ...) \
        v6m_link_log(link, priority, error, __VA_ARGS__)
#define log_pref64(priority, error, ...) v6m_log(priority, error, __VA_ARGS__)

typedef struct Pref64Plugin Pref64Plugin;

typedef struct RaDnsEntry {
        struct in6_addr router;
        struct in6_addr address; /* servers */
        char *domain;            /* domains */
        uint64_t expiry_usec;    /* CLOCK_BOOTTIME, V6M_USEC_INFINITY */
} RaDnsEntry;

typedef struct RaDnsList {
        RaDnsEntry *entries;
        size_t n;
} RaDnsList;

typedef struct Pref64Link {
        Pref64Plugin *plugin;
        v6m_link *link;
        int ifindex;
        struct Pref64Link *next;

        RaDnsList servers, domains;
        sd_event_source *dns_timer;

        uint64_t dropped[_RA_OPTION_ERROR_MAX]; /* malformed options, by reason */
        bool dns_full_logged;
        bool use_pref64; /* UsePREF64= as last seen, to notice it being switched on */
} Pref64Link;

struct Pref64Plugin {
        v6m_core *core;
        sd_event *event;
        int fd;
        sd_event_source *io;
        int icmp6_fd; /* for Router Solicitations; -1 without CAP_NET_RAW */
        Pref64Link *links;
};

static uint64_t now_usec(Pref64Plugin *p) {
        uint64_t t = 0;

        (void) sd_event_now(p->event, CLOCK_BOOTTIME, &t);
        return t;
}

static uint64_t expiry_after(uint64_t now, uint32_t lifetime_s) {
        if (lifetime_s == RA_OPTION_LIFETIME_INFINITY)
                return V6M_USEC_INFINITY;
        return now + (uint64_t) lifetime_s * USEC_PER_SEC;
}

static Pref64Link *link_find(Pref64Plugin *p, int ifindex) {
        for (Pref64Link *l = p->links; l; l = l->next)
                if (l->ifindex == ifindex)
                        return l;
        return NULL;
}

static bool use_pref64(const Pref64Link *l) {
        const struct v6m_network_config *c = v6m_link_get_network_config(l->link);

        return c && c->use_pref64;
}

/* ---- DNS servers and search domains ---------------------------------------------- */

static void dns_list_remove_at(RaDnsList *list, size_t i) {
        free(list->entries[i].domain);
        memmove(list->entries + i, list->entries + i + 1, (list->n - i - 1) * sizeof(RaDnsEntry));
        list->n--;
}

static void dns_list_clear(RaDnsList *list) {
        for (size_t i = 0; i < list->n; i++)
                free(list->entries[i].domain);
        free(list->entries);
        *list = (RaDnsList) {};
}

static bool dns_entry_matches(const RaDnsEntry *e, const struct in6_addr *router, const struct in6_addr *address,
                              const char *domain) {
        if (memcmp(&e->router, router, sizeof(*router)) != 0)
                return false;
        return domain ? streq(e->domain, domain) : memcmp(&e->address, address, sizeof(*address)) == 0;
}

/* Add, refresh or (expiry ≤ now) remove one entry. Returns 1 if the list changed. */
static int dns_list_update(Pref64Link *l, RaDnsList *list, const struct in6_addr *router,
                           const struct in6_addr *address, const char *domain, uint64_t expiry, uint64_t now) {
        RaDnsEntry *n;

        for (size_t i = 0; i < list->n; i++) {
                if (!dns_entry_matches(list->entries + i, router, address, domain))
                        continue;
                if (expiry <= now) {
                        dns_list_remove_at(list, i);
                        return 1;
                }
                if (list->entries[i].expiry_usec == expiry)
                        return 0;
                list->entries[i].expiry_usec = expiry;
                return 1; /* only the timer cares, but the caller re-arms it on "changed" */
        }
        if (expiry <= now)
                return 0;
        if (list->n >= RA_DNS_ENTRIES_MAX) {
                if (!l->dns_full_logged)
                        log_pref64_link(l->link, LOG_DEBUG, 0,
                                        "Already %u RA DNS %s on this link, ignoring more", RA_DNS_ENTRIES_MAX,
                                        domain ? "search domains" : "servers");
                l->dns_full_logged = true;
                return 0;
        }
        n = reallocarray(list->entries, list->n + 1, sizeof(RaDnsEntry));
        if (!n)
                return -ENOMEM;
        list->entries = n;
        n[list->n] = (RaDnsEntry) { .router = *router, .expiry_usec = expiry };
        if (domain) {
                n[list->n].domain = strdup(domain);
                if (!n[list->n].domain)
                        return -ENOMEM;
        } else
                n[list->n].address = *address;
        list->n++;
        return 1;
}

static size_t dns_list_expire(RaDnsList *list, uint64_t now) {
        size_t removed = 0;

        for (size_t i = list->n; i > 0; i--)
                if (list->entries[i - 1].expiry_usec <= now) {
                        dns_list_remove_at(list, i - 1);
                        removed++;
                }
        return removed;
}

static int dns_timer_handler(sd_event_source *s, uint64_t usec, void *userdata);

/* Tell the core the current set (each address and domain once, in the order first
 * learned), and arm the timer for the next expiry. */
static void dns_report(Pref64Link *l) {
        struct v6m_dns_server servers[RA_DNS_ENTRIES_MAX];
        char *domains[RA_DNS_ENTRIES_MAX + 1];
        size_t n_servers = 0, n_domains = 0;
        uint64_t next = V6M_USEC_INFINITY;
        int r;

        for (size_t i = 0; i < l->servers.n; i++) {
                const RaDnsEntry *e = l->servers.entries + i;
                bool dup = false;

                next = e->expiry_usec < next ? e->expiry_usec : next;
                for (size_t k = 0; k < n_servers && !dup; k++)
                        dup = memcmp(&servers[k].address.in6, &e->address, sizeof(e->address)) == 0;
                if (dup)
                        continue;
                servers[n_servers++] = (struct v6m_dns_server) {
                        .family = AF_INET6,
                        .address.in6 = e->address,
                        /* A link-local resolver is only reachable through this link. */
                        .ifindex = IN6_IS_ADDR_LINKLOCAL(&e->address) ? l->ifindex : 0,
                };
        }
        for (size_t i = 0; i < l->domains.n; i++) {
                const RaDnsEntry *e = l->domains.entries + i;
                bool dup = false;

                next = e->expiry_usec < next ? e->expiry_usec : next;
                for (size_t k = 0; k < n_domains && !dup; k++)
                        dup = streq(domains[k], e->domain);
                if (!dup)
                        domains[n_domains++] = e->domain;
        }
        domains[n_domains] = NULL;

        r = v6m_link_report_dns(l->link, V6M_DNS_SOURCE_RA, servers, n_servers, n_domains > 0 ? domains : NULL);
        if (r < 0)
                log_pref64_link(l->link, LOG_WARNING, r, "Failed to report RA DNS servers: %m");

        if (next == V6M_USEC_INFINITY) {
                if (l->dns_timer)
                        (void) sd_event_source_set_enabled(l->dns_timer, SD_EVENT_OFF);
                return;
        }
        if (l->dns_timer) {
                r = sd_event_source_set_time(l->dns_timer, next);
                if (r >= 0)
                        r = sd_event_source_set_enabled(l->dns_timer, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(l->plugin->event, &l->dns_timer, CLOCK_BOOTTIME, next, 0, dns_timer_handler, l);
        if (r < 0)
                log_pref64_link(l->link, LOG_WARNING, r, "Failed to arm the RA DNS expiry timer: %m");
}

static int dns_timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Pref64Link *l = userdata;
        uint64_t now = now_usec(l->plugin);
        size_t n;

        n = dns_list_expire(&l->servers, now) + dns_list_expire(&l->domains, now);
        if (n > 0)
                log_pref64_link(l->link, LOG_INFO, 0, "%zu RA DNS server(s)/search domain(s) expired", n);
        dns_report(l);
        return 0;
}

/* ---- Options ---------------------------------------------------------------------- */

static void handle_pref64(Pref64Link *l, const char *origin, const RaPref64 *o, uint64_t now) {
        char buf[NAT64_PREFIX_STRLEN];

        nat64_prefix_to_string(&o->prefix, buf, sizeof(buf));
        if (!use_pref64(l)) {
                log_pref64_link(l->link, LOG_DEBUG, 0, "Ignoring PREF64 %s from %s: UsePREF64=no", buf, origin);
                return;
        }
        if (o->lifetime_s == 0) {
                /* RFC 8781 §4.1: lifetime 0 — stop using the prefix now. */
                log_pref64_link(l->link, LOG_DEBUG, 0, "PREF64 %s from %s withdrawn (lifetime 0)", buf, origin);
                v6m_link_withdraw_nat64_prefix(l->link, V6M_NAT64_SOURCE_RA, origin, &o->prefix);
                return;
        }
        log_pref64_link(l->link, LOG_DEBUG, 0, "PREF64 %s from %s, lifetime %" PRIu32 " s", buf, origin, o->lifetime_s);
        (void) v6m_link_report_nat64_prefix(l->link, V6M_NAT64_SOURCE_RA, origin, &o->prefix,
                                            expiry_after(now, o->lifetime_s));
}

static bool handle_rdnss(Pref64Link *l, const struct in6_addr *router, const RaRdnss *o, uint64_t now) {
        uint64_t expiry = o->lifetime_s == 0 ? now : expiry_after(now, o->lifetime_s);
        bool changed = false;

        for (size_t i = 0; i < o->n_addresses; i++) {
                int r = dns_list_update(l, &l->servers, router, o->addresses + i, NULL, expiry, now);
                if (r < 0)
                        log_pref64_link(l->link, LOG_WARNING, r, "Failed to record an RA DNS server: %m");
                changed = changed || r > 0;
        }
        return changed;
}

static bool handle_dnssl(Pref64Link *l, const struct in6_addr *router, const RaDnssl *o, uint64_t now) {
        uint64_t expiry = o->lifetime_s == 0 ? now : expiry_after(now, o->lifetime_s);
        bool changed = false;

        RA_DNSSL_FOREACH(d, o) {
                int r = dns_list_update(l, &l->domains, router, NULL, d, expiry, now);
                if (r < 0)
                        log_pref64_link(l->link, LOG_WARNING, r, "Failed to record an RA search domain: %m");
                changed = changed || r > 0;
        }
        return changed;
}

static void count_malformed(Pref64Link *l, const char *origin, uint8_t type, RaOptionError e) {
        if (l->dropped[e]++ == 0)
                log_pref64_link(l->link, LOG_DEBUG, 0,
                                "Dropped a malformed RA option (type %u) from %s: %s (further ones of this kind are only counted)",
                                type, origin, ra_option_error_to_string(e));
}

static void handle_message(Pref64Plugin *p, const uint8_t *payload, size_t size) {
        static RaOption option; /* DNSSL/RDNSS arrays make it large; one event loop, no re-entry */
        char origin[INET6_ADDRSTRLEN];
        RaUserOptMessage m;
        RaOptionError e;
        Pref64Link *l;
        uint64_t now;
        bool dns_changed = false;

        if (ra_useropt_message_parse(payload, size, &m, &e) < 0) {
                if (size >= sizeof(struct nduseroptmsg)) {
                        struct nduseroptmsg h;

                        memcpy(&h, payload, sizeof(h));
                        l = link_find(p, h.nduseropt_ifindex);
                        if (l)
                                count_malformed(l, "the kernel", 0, e);
                }
                return;
        }
        l = link_find(p, m.ifindex);
        if (!l)
                return; /* not a link we manage */
        inet_ntop(AF_INET6, &m.router, origin, sizeof(origin));
        now = now_usec(p);

        for (const uint8_t *o = m.options; o < m.options + m.options_size;) {
                size_t left = (size_t) (m.options + m.options_size - o);
                int r = ra_option_parse(o, left, &option, &e);

                if (r < 0) {
                        if (e != RA_OPTION_ERROR_UNKNOWN_TYPE) /* e.g. a Captive Portal option: not ours */
                                count_malformed(l, origin, o[0], e);
                        if (e == RA_OPTION_ERROR_TRUNCATED || e == RA_OPTION_ERROR_ZERO_LENGTH)
                                break;
                        o += o[1] * 8u;
                        continue;
                }
                switch (option.type) {
                case RA_OPTION_PREF64:
                        handle_pref64(l, origin, &option.pref64, now);
                        break;
                case RA_OPTION_RDNSS:
                        dns_changed = handle_rdnss(l, &m.router, &option.rdnss, now) || dns_changed;
                        break;
                case RA_OPTION_DNSSL:
                        dns_changed = handle_dnssl(l, &m.router, &option.dnssl, now) || dns_changed;
                        break;
                }
                o += r;
        }
        if (dns_changed)
                dns_report(l);
}

static int netlink_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Pref64Plugin *p = userdata;
        /* Aligned for struct nlmsghdr; an RTM_NEWNDUSEROPT is at most a few KiB. */
        uint64_t buf[8192 / sizeof(uint64_t)];

        /* Drain the socket: the options of one RA arrive back to back, and handling them
         * in one go lets the core decide once on all of them. */
        for (;;) {
                struct sockaddr_nl sender = {};
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
                struct msghdr mh = { .msg_name = &sender, .msg_namelen = sizeof(sender), .msg_iov = &iov, .msg_iovlen = 1 };
                ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return 0;
                        if (errno == ENOBUFS) {
                                /* Messages were lost; the next RA (they repeat) brings them again. */
                                log_pref64(LOG_WARNING, 0, "netlink receive queue overflowed, RA options were lost");
                                continue;
                        }
                        return log_pref64(LOG_ERR, errno, "failed to read from netlink: %m");
                }
                if (sender.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
                        continue; /* not from the kernel, or cut short */

                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n))
                        if (h->nlmsg_type == RTM_NEWNDUSEROPT)
                                handle_message(p, NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN);
        }
}

/* ---- Router Solicitations ----------------------------------------------------------- */

static int icmp6_socket_open(void) {
        struct icmp6_filter filter;
        int fd, hops = 255; /* RFC 4861 §6.1.1: routers drop solicitations with any other hop limit */

        fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
        if (fd < 0)
                return -errno;
        ICMP6_FILTER_SETBLOCKALL(&filter); /* send only: RAs reach us through the kernel */
        if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) < 0 ||
            setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* One Router Solicitation to all-routers on the link: type 133, code 0, checksum (the
 * kernel fills it in for ICMPv6 raw sockets), 4 reserved octets. No source link-layer
 * option: it is optional (RFC 4861 §4.1), routers resolve us by Neighbor Discovery. */
static void send_router_solicitation(Pref64Link *l, const char *why) {
        static const uint8_t rs[8] = { ND_ROUTER_SOLICIT, 0 };
        struct sockaddr_in6 dst = {
                .sin6_family = AF_INET6,
                .sin6_addr = { { { 0xff, 0x02, [15] = 0x02 } } },
                .sin6_scope_id = (uint32_t) l->ifindex,
        };

        if (l->plugin->icmp6_fd < 0 || !v6m_link_has_carrier(l->link))
                return;
        if (sendto(l->plugin->icmp6_fd, rs, sizeof(rs), 0, (struct sockaddr *) &dst, sizeof(dst)) < 0)
                log_pref64_link(l->link, LOG_DEBUG, errno, "Failed to send a Router Solicitation: %m");
        else
                log_pref64_link(l->link, LOG_DEBUG, 0, "Sent a Router Solicitation (%s)", why);
}

/* ---- Links ------------------------------------------------------------------------ */

/* Forget everything learned on the link; tell the core unless the link is leaving (the
 * core drops a detached link's facts itself). */
static void link_forget(Pref64Link *l, bool tell_core) {
        bool had_dns = l->servers.n > 0 || l->domains.n > 0;

        dns_list_clear(&l->servers);
        dns_list_clear(&l->domains);
        l->dns_timer = sd_event_source_disable_unref(l->dns_timer);
        if (!tell_core)
                return;
        v6m_link_withdraw_nat64_prefix(l->link, V6M_NAT64_SOURCE_RA, NULL, NULL);
        if (had_dns)
                dns_report(l);
}

static int pref64_ra_init(v6m_core *core, void **ret_plugin_data) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        int group = RTNLGRP_ND_USEROPT, size = RECV_BUFFER_SIZE;
        Pref64Plugin *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->core = core;
        p->event = v6m_core_get_event(core);
        p->icmp6_fd = icmp6_socket_open();
        if (p->icmp6_fd < 0)
                log_pref64(LOG_INFO, p->icmp6_fd,
                           "cannot send Router Solicitations (%m); waiting for routers' periodic RAs");

        p->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
        if (p->fd < 0) {
                r = log_pref64(LOG_ERR, errno, "failed to open a netlink socket: %m");
                goto fail;
        }
        if (bind(p->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
            setsockopt(p->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
                r = log_pref64(LOG_ERR, errno, "failed to join RTNLGRP_ND_USEROPT: %m");
                goto fail;
        }
        /* RAs come in bursts when several routers answer a solicitation. Best effort:
         * SO_RCVBUFFORCE needs CAP_NET_ADMIN, SO_RCVBUF is capped by rmem_max. */
        if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));

        r = sd_event_add_io(p->event, &p->io, p->fd, EPOLLIN, netlink_handler, p);
        if (r < 0) {
                log_pref64(LOG_ERR, r, "failed to watch the netlink socket: %m");
                goto fail;
        }
        *ret_plugin_data = p;
        return 0;

fail:
        if (p->fd >= 0)
                close(p->fd);
        if (p->icmp6_fd >= 0)
                close(p->icmp6_fd);
        free(p);
        return r;
}

static void pref64_ra_done(void *plugin_data) {
        Pref64Plugin *p = plugin_data;

        sd_event_source_disable_unref(p->io);
        if (p->fd >= 0)
                close(p->fd);
        if (p->icmp6_fd >= 0)
                close(p->icmp6_fd);
        free(p);
}

static int pref64_ra_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        Pref64Plugin *p = plugin_data;
        Pref64Link *l;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        *l = (Pref64Link) {
                .plugin = p,
                .link = link,
                .ifindex = v6m_link_get_ifindex(link),
                .next = p->links,
        };
        p->links = l;
        *ret_link_data = l;
        l->use_pref64 = use_pref64(l);
        send_router_solicitation(l, "started managing the link");
        return 0;
}

static void pref64_ra_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        Pref64Plugin *p = plugin_data;
        Pref64Link *l = link_data;
        uint64_t dropped = 0;

        for (Pref64Link **i = &p->links; *i; i = &(*i)->next)
                if (*i == l) {
                        *i = l->next;
                        break;
                }
        for (size_t e = 0; e < _RA_OPTION_ERROR_MAX; e++)
                dropped += l->dropped[e];
        if (dropped > 0)
                log_pref64_link(link, LOG_DEBUG, 0, "Dropped %" PRIu64 " malformed RA option(s) on this link", dropped);
        link_forget(l, false);
        free(l);
}

static void pref64_ra_link_changed(void *plugin_data, v6m_link *link, void *link_data, unsigned what) {
        Pref64Link *l = link_data;

        if ((what & V6M_LINK_CHANGED_CARRIER) && !v6m_link_has_carrier(link)) {
                /* Whatever the routers said may no longer hold on the next network. */
                link_forget(l, true);
                return;
        }
        if (what & V6M_LINK_CHANGED_CONFIG) {
                bool was = l->use_pref64;

                l->use_pref64 = use_pref64(l);
                if (!l->use_pref64)
                        v6m_link_withdraw_nat64_prefix(link, V6M_NAT64_SOURCE_RA, NULL, NULL);
                else if (!was)
                        send_router_solicitation(l, "UsePREF64= switched on");
        }
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "pref64-ra",
        .kind = V6M_PLUGIN_SOURCE,
        .provides = V6M_PROVIDES_NAT64_PREFIX,
        .init = pref64_ra_init,
        .done = pref64_ra_done,
        .link_add = pref64_ra_link_add,
        .link_remove = pref64_ra_link_remove,
        .link_changed = pref64_ra_link_changed,
};
