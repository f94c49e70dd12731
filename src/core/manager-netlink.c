/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager's view of the kernel: libnl caches of links and addresses, kept current by
 * rtnetlink multicast, and the IPv6 default routes from their own socket. From them it
 * creates, updates and removes Links and derives each link's netlink facts (a global
 * IPv6 address, a default route, native IPv4, the /64 prefixes). */
#include "manager.h"

#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "bus-link.h"
#include "clat-tun-name.h"
#include "link.h"
#include "log.h"

#define NETLINK_RCVBUF (8u * 1024u * 1024u)

/* ---- links and addresses ---- */

static bool in6_is_clat_address(const Link *link, const struct in6_addr *a) {
        return link->clat_state != V6M_CLAT_STOPPED &&
               memcmp(a, &link->clat_config.ipv6_address, sizeof(*a)) == 0;
}

/* RFC 7335 reserves 192.0.0.0/29 for the CLAT: never native IPv4. */
static bool in4_is_native(const struct in_addr *a) {
        uint32_t h = ntohl(a->s_addr);

        return (h & 0xfffffff8u) != 0xc0000000u && (h & 0xffff0000u) != 0xa9fe0000u && (h >> 24) != 127;
}

typedef struct NetlinkFacts {
        bool ipv6_global_address, ipv6_default_route, native_ipv4_address;
        struct in6_addr prefixes64[LINK_PREFIXES64_MAX];
        bool prefix64_slaac[LINK_PREFIXES64_MAX];
        size_t n_prefixes64;
} NetlinkFacts;

/* Remember the /64 of a usable global address; kernel-managed (SLAAC) ones sort first,
 * then by value, so the choice does not depend on the order of the dump. */
static void facts_add_prefix64(NetlinkFacts *f, const struct in6_addr *a, bool slaac) {
        struct in6_addr p = {};
        size_t i;

        memcpy(p.s6_addr, a->s6_addr, 8);
        for (i = 0; i < f->n_prefixes64; i++)
                if (memcmp(&f->prefixes64[i], &p, sizeof(p)) == 0) {
                        f->prefix64_slaac[i] = f->prefix64_slaac[i] || slaac;
                        return;
                }
        if (f->n_prefixes64 >= LINK_PREFIXES64_MAX)
                return;
        f->prefixes64[f->n_prefixes64] = p;
        f->prefix64_slaac[f->n_prefixes64++] = slaac;
}

static void facts_sort_prefixes64(NetlinkFacts *f) {
        for (size_t i = 1; i < f->n_prefixes64; i++)
                for (size_t j = i; j > 0; j--) {
                        bool sa = f->prefix64_slaac[j - 1], sb = f->prefix64_slaac[j];
                        int c = memcmp(&f->prefixes64[j - 1], &f->prefixes64[j], sizeof(struct in6_addr));

                        if (sa > sb || (sa == sb && c <= 0))
                                break;
                        struct in6_addr tp = f->prefixes64[j];
                        f->prefixes64[j] = f->prefixes64[j - 1];
                        f->prefixes64[j - 1] = tp;
                        f->prefix64_slaac[j] = sa;
                        f->prefix64_slaac[j - 1] = sb;
                }
}

static void collect_address(Manager *m, struct rtnl_addr *a) {
        Link *link = manager_get_link(m, rtnl_addr_get_ifindex(a));
        struct nl_addr *local = rtnl_addr_get_local(a);
        NetlinkFacts *f;

        if (!link || !local || rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE)
                return;
        f = (NetlinkFacts *) link->netlink_scratch;
        switch (rtnl_addr_get_family(a)) {
        case AF_INET6:
                if (rtnl_addr_get_flags(a) & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
                        return;
                if (nl_addr_get_len(local) == 16 && !in6_is_clat_address(link, nl_addr_get_binary_addr(local))) {
                        f->ipv6_global_address = true;
                        /* Not IFA_F_PERMANENT: configured by the kernel from an RA. */
                        if (rtnl_addr_get_prefixlen(a) == 64 && !(rtnl_addr_get_flags(a) & IFA_F_DEPRECATED))
                                facts_add_prefix64(f, nl_addr_get_binary_addr(local),
                                                   !(rtnl_addr_get_flags(a) & IFA_F_PERMANENT));
                }
                break;
        case AF_INET:
                if (nl_addr_get_len(local) == 4 && in4_is_native(nl_addr_get_binary_addr(local)))
                        f->native_ipv4_address = true;
                break;
        }
}

static int object_ifindex(struct nl_cache *cache, struct nl_object *o, Manager *m) {
        if (cache == m->link_cache)
                return rtnl_link_get_ifindex((struct rtnl_link *) o);
        return rtnl_addr_get_ifindex((struct rtnl_addr *) o);
}

/* Drop what the caches still hold for a deleted link (per-family link objects). */
static void manager_netlink_purge_ifindex(Manager *m, int ifindex) {
        struct nl_cache *caches[] = { m->link_cache, m->addr_cache };

        route_table_forget_ifindex(&m->routes, ifindex);

        for (size_t i = 0; i < ELEMENTSOF(caches); i++) {
                struct nl_object *o = nl_cache_get_first(caches[i]);

                while (o) {
                        struct nl_object *next = nl_cache_get_next(o);

                        if (object_ifindex(caches[i], o, m) == ifindex)
                                nl_cache_remove(o);
                        o = next;
                }
        }
}

/* Bring our links in line with the caches: create, update, remove; then recompute the
 * address and route facts of every link. Small tables, so a full pass per batch of
 * netlink messages is cheap and cannot drift from the kernel's view. */
void manager_netlink_sync(Manager *m) {
        for (Link *l = m->links; l; l = l->next)
                l->seen = false;

        for (struct nl_object *o = nl_cache_get_first(m->link_cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_link *nl = (struct rtnl_link *) o;
                int ifindex = rtnl_link_get_ifindex(nl);
                const char *name = rtnl_link_get_name(nl);
                struct nl_addr *hw = rtnl_link_get_addr(nl);
                struct ether_addr mac;
                bool has_mac = false, created = false;
                Link *link;

                /* The kernel also announces per-family link data (AF_INET6 after an RA,
                 * AF_BRIDGE...) as RTM_NEWLINK; libnl caches those as separate objects
                 * that no RTM_DELLINK removes. Only the AF_UNSPEC object is the link. */
                if (ifindex <= 0 || !name || rtnl_link_get_family(nl) != AF_UNSPEC)
                        continue;
                if (hw && nl_addr_get_len(hw) == ETH_ALEN && rtnl_link_get_arptype(nl) == ARPHRD_ETHER) {
                        memcpy(&mac, nl_addr_get_binary_addr(hw), ETH_ALEN);
                        has_mac = true;
                }
                link = manager_get_link(m, ifindex);
                if (!link) {
                        if (link_new(m, ifindex, name, &link) < 0) {
                                log_oom();
                                continue;
                        }
                        link->next = m->links;
                        m->links = link;
                        m->n_links++;
                        created = true;
                        log_link_debug(link, "Link appeared");
                }
                link->seen = true;
                link_update_from_netlink(link, name, rtnl_link_get_flags(nl), rtnl_link_get_mtu(nl),
                                         has_mac ? &mac : NULL,
                                         rtnl_link_get_arptype(nl) == ARPHRD_LOOPBACK ||
                                                 (rtnl_link_get_flags(nl) & IFF_LOOPBACK));
                if (created) {
                        (void) link_apply_config(link, false);
                        link_mark_dirty(link);
                        link_bus_emit_added(link);
                }
        }

        for (Link **p = &m->links; *p;) {
                Link *l = *p;

                if (l->seen) {
                        p = &l->next;
                        continue;
                }
                log_link_info(l, "Link removed");
                manager_netlink_purge_ifindex(m, l->ifindex);
                *p = l->next;
                m->n_links--;
                link_bus_emit_removed(l);
                link_free(l);
        }

        _cleanup_free_ NetlinkFacts *facts = calloc(m->n_links ?: 1, sizeof(NetlinkFacts));
        size_t k = 0;
        if (!facts) {
                log_oom();
                return;
        }
        for (Link *l = m->links; l; l = l->next, k++) {
                facts[k] = (NetlinkFacts) {};
                l->netlink_scratch = &facts[k];
        }
        for (struct nl_object *o = nl_cache_get_first(m->addr_cache); o; o = nl_cache_get_next(o))
                collect_address(m, (struct rtnl_addr *) o);
        for (Link *l = m->links; l; l = l->next) {
                NetlinkFacts *f = l->netlink_scratch;

                f->ipv6_default_route = route_table_has_default(&m->routes, l->ifindex);
                facts_sort_prefixes64(f);

                link_set_netlink_facts(l, f->ipv6_global_address, f->ipv6_default_route, f->native_ipv4_address,
                                       f->prefixes64, f->n_prefixes64);
                l->netlink_scratch = NULL;
        }
        manager_update_status(m);
}

static void nl_change_cb(struct nl_cache *cache, struct nl_object *obj, int action, void *userdata) {
        Manager *m = userdata;

        m->nl_changed = true;
}

static int manager_netlink_resync(Manager *m) {
        struct nl_cache *caches[] = { m->link_cache, m->addr_cache };
        int r;

        log_notice("Netlink receive buffer overran, re-reading links and addresses");
        for (size_t i = 0; i < ELEMENTSOF(caches); i++) {
                r = nl_cache_refill(m->nl_sync_sock, caches[i]);
                if (r < 0)
                        return log_error_errno(EIO, "Failed to re-read netlink cache: %s", nl_geterror(r));
        }
        return 0;
}

static int manager_netlink_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        int r;

        r = nl_cache_mngr_data_ready(m->nl_mngr);
        if (r < 0) {
                if (r == -NLE_NOMEM || r == -NLE_DUMP_INTR || r == -NLE_BUSY) {
                        if (manager_netlink_resync(m) >= 0)
                                m->nl_changed = true;
                } else
                        log_warning("Failed to process netlink messages: %s", nl_geterror(r));
        }
        if (m->nl_changed) {
                m->nl_changed = false;
                manager_netlink_sync(m);
        }
        return 0;
}

/* ---- IPv6 default routes ---- */

static int manager_route_request_dump(Manager *m) {
        int r;

        route_table_clear(&m->routes_dump);
        m->routes_dumping = true;
        r = nl_rtgen_request(m->route_sock, RTM_GETROUTE, AF_INET6, NLM_F_DUMP);
        if (r < 0)
                return log_warning_errno(EIO, "Failed to request the IPv6 routes: %s", nl_geterror(r));
        return 0;
}

static int route_valid_cb(struct nl_msg *msg, void *userdata) {
        Manager *m = userdata;
        bool from_dump = nlmsg_hdr(msg)->nlmsg_flags & NLM_F_MULTI;
        int r = 0;

        /* An event during a dump may or may not be in the dump: apply it to both. */
        if (m->routes_dumping)
                r = route_table_apply(&m->routes_dump, msg);
        if (!from_dump && r != -ESTALE)
                r = route_table_apply(&m->routes, msg);
        if (r == -ESTALE)
                (void) manager_route_request_dump(m);
        else if (r < 0)
                log_debug_errno(r, "Ignoring unparsable route message: %m");
        else if (r > 0 && !from_dump)
                m->nl_changed = true;
        return NL_OK;
}

static int route_finish_cb(struct nl_msg *msg, void *userdata) {
        Manager *m = userdata;

        if (m->routes_dumping) {
                route_table_clear(&m->routes);
                m->routes = m->routes_dump;
                m->routes_dump = (RouteTable) {};
                m->routes_dumping = false;
                m->nl_changed = true;
        }
        return NL_STOP;
}

static int manager_route_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        int r;

        r = nl_recvmsgs_default(m->route_sock);
        if (r < 0 && r != -NLE_AGAIN) {
                if (r == -NLE_NOMEM || r == -NLE_DUMP_INTR)
                        log_notice("Lost IPv6 route messages (%s), re-reading the routes", nl_geterror(r));
                else
                        log_warning("Failed to process route messages (%s), re-reading the routes", nl_geterror(r));
                (void) manager_route_request_dump(m);
        }
        if (m->nl_changed) {
                m->nl_changed = false;
                manager_netlink_sync(m);
        }
        return 0;
}

static int manager_route_connect(Manager *m) {
        int r;

        m->route_sock = nl_socket_alloc();
        if (!m->route_sock)
                return log_oom();
        /* Events carry sequence number 0: no sequence checks on this socket. */
        nl_socket_disable_seq_check(m->route_sock);
        nl_socket_modify_cb(m->route_sock, NL_CB_VALID, NL_CB_CUSTOM, route_valid_cb, m);
        nl_socket_modify_cb(m->route_sock, NL_CB_FINISH, NL_CB_CUSTOM, route_finish_cb, m);
        r = nl_connect(m->route_sock, NETLINK_ROUTE);
        if (r >= 0)
                r = nl_socket_add_memberships(m->route_sock, RTNLGRP_IPV6_ROUTE, 0);
        if (r < 0)
                return log_error_errno(EIO, "Failed to subscribe to IPv6 route changes: %s", nl_geterror(r));
        (void) nl_socket_set_buffer_size(m->route_sock, NETLINK_RCVBUF, 0);

        /* The first dump synchronously, so the first state derivation knows the routes. */
        r = manager_route_request_dump(m);
        if (r < 0)
                return r;
        while (m->routes_dumping) {
                r = nl_recvmsgs_default(m->route_sock);
                if (r < 0)
                        return log_error_errno(EIO, "Failed to read the IPv6 routes: %s", nl_geterror(r));
        }
        r = nl_socket_set_nonblocking(m->route_sock);
        if (r < 0)
                return log_error_errno(EIO, "Failed to make the route socket non-blocking: %s", nl_geterror(r));

        r = sd_event_add_io(m->event, &m->route_source, nl_socket_get_fd(m->route_sock), EPOLLIN,
                            manager_route_handler, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the route socket: %m");
        (void) sd_event_source_set_description(m->route_source, "rtnetlink-routes");
        return 0;
}

int manager_netlink_connect(Manager *m) {
        int r;

        m->nl_sock = nl_socket_alloc();
        m->nl_sync_sock = nl_socket_alloc();
        if (!m->nl_sock || !m->nl_sync_sock)
                return log_oom();
        r = nl_connect(m->nl_sync_sock, NETLINK_ROUTE);
        if (r < 0)
                return log_error_errno(EIO, "Failed to open rtnetlink socket: %s", nl_geterror(r));

        r = nl_cache_mngr_alloc(m->nl_sock, NETLINK_ROUTE, NL_AUTO_PROVIDE, &m->nl_mngr);
        if (r < 0)
                return log_error_errno(EIO, "Failed to set up the netlink cache manager: %s", nl_geterror(r));
        /* Bursts (many routes at once) must not overrun the socket; resync if they do. */
        (void) nl_socket_set_buffer_size(m->nl_sock, NETLINK_RCVBUF, 0);

        r = nl_cache_mngr_add(m->nl_mngr, "route/link", nl_change_cb, m, &m->link_cache);
        if (r >= 0)
                r = nl_cache_mngr_add(m->nl_mngr, "route/addr", nl_change_cb, m, &m->addr_cache);
        if (r < 0)
                return log_error_errno(EIO, "Failed to subscribe to rtnetlink: %s", nl_geterror(r));

        r = sd_event_add_io(m->event, &m->nl_source, nl_cache_mngr_get_fd(m->nl_mngr), EPOLLIN,
                            manager_netlink_handler, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the netlink socket: %m");
        (void) sd_event_source_set_description(m->nl_source, "rtnetlink");
        return manager_route_connect(m);
}

bool manager_ipv4_address_in_use(Manager *m, const struct in_addr *address, const Link *self) {
        char own[CLAT_IFNAMSIZ];

        clat_tun_name(self->ifindex, own);
        for (Link *l = m->links; l; l = l->next)
                if (l != self && l->clat_state != V6M_CLAT_STOPPED &&
                    l->clat_config.ipv4_address.s_addr == address->s_addr)
                        return true;
        for (struct nl_object *o = nl_cache_get_first(m->addr_cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *) o;
                struct nl_addr *local = rtnl_addr_get_local(a);
                Link *owner;

                if (rtnl_addr_get_family(a) != AF_INET || !local || nl_addr_get_len(local) != 4 ||
                    memcmp(nl_addr_get_binary_addr(local), address, 4) != 0)
                        continue;
                /* What our own CLAT device of this uplink still holds goes away with it. */
                owner = manager_get_link(m, rtnl_addr_get_ifindex(a));
                if (owner && streq(owner->ifname, own))
                        continue;
                return true;
        }
        return false;
}

void manager_netlink_done(Manager *m) {
        m->nl_source = sd_event_source_disable_unref(m->nl_source);
        if (m->nl_mngr)
                nl_cache_mngr_free(m->nl_mngr); /* frees its caches, not a socket it was given */
        m->nl_mngr = NULL;
        if (m->nl_sock)
                nl_socket_free(m->nl_sock);
        m->nl_sock = NULL;
        if (m->nl_sync_sock)
                nl_socket_free(m->nl_sync_sock);
        m->nl_sync_sock = NULL;
        m->route_source = sd_event_source_disable_unref(m->route_source);
        if (m->route_sock)
                nl_socket_free(m->route_sock);
        m->route_sock = NULL;
        route_table_clear(&m->routes);
        route_table_clear(&m->routes_dump);
}
