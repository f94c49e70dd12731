/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a DHCPv4 lease does to the link, the glue between the client (dhcp4-client.c)
 * and the rest: the address, routes and MTU over rtnetlink (and exactly those removed
 * again), the lease file, and the reports to the core (DHCPv4 outcome, DNS servers). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "dhcp4-internal.h"

#define log_link(l, prio, err, ...) log_dhcp4_link((l)->link, prio, err, __VA_ARGS__)

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static void report(Dhcp4Link *l, enum v6m_dhcp4_state state, const char *reason) {
        Dhcp4Client *c = l->client;
        struct v6m_dhcp4_status s = { .state = state, .reason = reason };

        if (l->detaching)
                return;
        if (state == V6M_DHCP4_BOUND) {
                s.address = c->lease.yiaddr;
                s.prefixlen = l->configured.prefixlen;
                s.server = c->lease.server_id;
                s.lease_expiry_usec = dhcp4_client_lease_expiry_usec(c);
        } else if (state == V6M_DHCP4_V6ONLY) {
                s.server = c->v6only_server;
                s.v6only_until_usec = c->v6only_until_usec;
        }
        (void) v6m_link_report_dhcp4(l->link, &s);
}

static void report_dns(Dhcp4Link *l, const Dhcp4Message *lease) {
        struct v6m_dns_server servers[DHCP4_MAX_DNS_SERVERS] = {};
        char *domains[2] = { NULL, NULL };
        size_t n = 0;
        int r;

        if (l->detaching)
                return;
        if (lease) {
                for (size_t i = 0; i < lease->n_dns_servers; i++) {
                        if (lease->dns_servers[i].s_addr == 0)
                                continue;
                        servers[n].family = AF_INET;
                        servers[n].address.in = lease->dns_servers[i];
                        n++;
                }
                if (lease->domain[0])
                        domains[0] = (char *) lease->domain;
        }
        r = v6m_link_report_dns(l->link, V6M_DNS_SOURCE_DHCP4, servers, n, domains[0] ? domains : NULL);
        if (r < 0)
                log_link(l, LOG_WARNING, r, "Failed to report DNS servers: %m");
}

static bool in_subnet(struct in_addr a, struct in_addr net, uint8_t prefixlen) {
        uint32_t mask = prefixlen == 0 ? 0 : ~((UINT32_C(1) << (32 - prefixlen)) - 1);

        if (prefixlen >= 32)
                return a.s_addr == net.s_addr;
        return (ntohl(a.s_addr) & mask) == (ntohl(net.s_addr) & mask);
}

static bool route_equal(const Dhcp4Route *a, const Dhcp4Route *b) {
        return a->destination.s_addr == b->destination.s_addr && a->prefixlen == b->prefixlen &&
               a->gateway.s_addr == b->gateway.s_addr;
}

/* RFC 3442 §1: with option 121 present, option 3 is ignored. */
static size_t lease_routes(const Dhcp4Message *m, Dhcp4Route *ret) {
        size_t n = 0;

        if (m->has_classless_routes) {
                for (size_t i = 0; i < m->n_classless_routes; i++)
                        ret[n++] = m->classless_routes[i];
                return n;
        }
        for (size_t i = 0; i < m->n_routers; i++)
                if (m->routers[i].s_addr != 0) {
                        ret[n++] = (Dhcp4Route) { .prefixlen = 0, .gateway = m->routers[i] };
                        break; /* one default route; more would only be ECMP by accident */
                }
        return n;
}

static void unconfigure(Dhcp4Link *l) {
        Dhcp4Client *c = l->client;
        Dhcp4Configured *cf = &l->configured;
        char a[INET_ADDRSTRLEN];
        int r;

        for (size_t i = cf->n_routes; i > 0; i--) {
                const Dhcp4Route *rt = cf->routes + i - 1;

                r = dhcp4_netlink_route(l->plugin->nl, c->ifindex, false, rt, cf->route_metric,
                                        !in_subnet(rt->gateway, cf->addr, cf->prefixlen));
                if (r < 0 && r != -ESRCH)
                        log_link(l, LOG_WARNING, r, "Failed to remove a route: %m");
        }
        cf->n_routes = 0;
        if (cf->address) {
                r = dhcp4_netlink_address(l->plugin->nl, c->ifindex, false, cf->addr, cf->prefixlen, (struct in_addr) {}, 0);
                if (r < 0 && r != -ESRCH && r != -ENODEV)
                        log_link(l, LOG_WARNING, r, "Failed to remove address %s: %m",
                                 inet_ntop(AF_INET, &cf->addr, a, sizeof(a)));
                else
                        log_link(l, LOG_INFO, 0, "Removed address %s/%u", inet_ntop(AF_INET, &cf->addr, a, sizeof(a)),
                                 cf->prefixlen);
                cf->address = false;
        }
        if (cf->mtu_before) {
                r = dhcp4_netlink_mtu(l->plugin->nl, c->ifindex, cf->mtu_before);
                if (r < 0 && r != -ENODEV)
                        log_link(l, LOG_WARNING, r, "Failed to restore MTU %u: %m", cf->mtu_before);
                cf->mtu_before = 0;
        }
        report_dns(l, NULL);
}

/* Make the link carry the lease in c->lease: add or refresh the address, add routes that
 * are new, remove ones the lease no longer has. */
static int configure(Dhcp4Link *l) {
        Dhcp4Client *c = l->client;
        Dhcp4Configured *cf = &l->configured;
        const Dhcp4Message *m = &c->lease;
        Dhcp4Route want[DHCP4_MAX_ROUTES];
        size_t n_want;
        uint8_t prefixlen = dhcp4_lease_prefixlen(m);
        struct in_addr broadcast = m->has_broadcast ? m->broadcast : (struct in_addr) {
                .s_addr = m->yiaddr.s_addr | htonl(prefixlen >= 32 ? 0 : (UINT32_C(1) << (32 - prefixlen)) - 1) };
        char a[INET_ADDRSTRLEN];
        int r;

        if (cf->address && (cf->addr.s_addr != m->yiaddr.s_addr || cf->prefixlen != prefixlen ||
                            cf->route_metric != c->route_metric))
                unconfigure(l);

        inet_ntop(AF_INET, &m->yiaddr, a, sizeof(a));
        r = dhcp4_netlink_address(l->plugin->nl, c->ifindex, true, m->yiaddr, prefixlen, broadcast,
                                  dhcp4_client_lease_remaining_s(c));
        if (r < 0)
                return log_link(l, LOG_ERR, r, "Failed to add address %s/%u: %m", a, prefixlen);
        if (!cf->address)
                log_link(l, LOG_INFO, 0, "Added address %s/%u", a, prefixlen);
        cf->address = true;
        cf->addr = m->yiaddr;
        cf->prefixlen = prefixlen;
        cf->route_metric = c->route_metric;

        n_want = lease_routes(m, want);
        /* Remove what the lease dropped. */
        for (size_t i = 0; i < cf->n_routes;) {
                bool keep = false;

                for (size_t k = 0; k < n_want && !keep; k++)
                        keep = route_equal(cf->routes + i, want + k);
                if (keep) {
                        i++;
                        continue;
                }
                (void) dhcp4_netlink_route(l->plugin->nl, c->ifindex, false, cf->routes + i, cf->route_metric,
                                           !in_subnet(cf->routes[i].gateway, cf->addr, cf->prefixlen));
                cf->routes[i] = cf->routes[--cf->n_routes];
        }
        /* Add what is new, and again what we added before: the kernel flushes routes
         * when the link goes administratively down. */
        for (size_t k = 0; k < n_want; k++) {
                bool have = false;

                for (size_t i = 0; i < cf->n_routes && !have; i++)
                        have = route_equal(cf->routes + i, want + k);
                r = dhcp4_netlink_route(l->plugin->nl, c->ifindex, true, want + k, c->route_metric,
                                        want[k].gateway.s_addr && !in_subnet(want[k].gateway, m->yiaddr, prefixlen));
                if (have && (r >= 0 || r == -EEXIST))
                        continue;
                if (r == -EEXIST) {
                        /* Someone else's route: not ours to remove later. */
                        log_link(l, LOG_DEBUG, 0, "Route %u of the lease already exists, leaving it alone", (unsigned) k);
                        continue;
                }
                if (r < 0) {
                        log_link(l, LOG_WARNING, r, "Failed to add a route of the lease: %m");
                        continue;
                }
                if (!have && cf->n_routes < DHCP4_MAX_ROUTES)
                        cf->routes[cf->n_routes++] = want[k];
        }

        /* RFC 2132 §5.1: the interface MTU. Below 576 (RFC 791 minimum reassembly size)
         * it is more likely a misconfiguration than a real link. */
        if (m->mtu >= DHCP4_MIN_MAX_MESSAGE_SIZE && m->mtu != v6m_link_get_mtu(l->link)) {
                uint32_t before = v6m_link_get_mtu(l->link);

                r = dhcp4_netlink_mtu(l->plugin->nl, c->ifindex, m->mtu);
                if (r < 0)
                        log_link(l, LOG_WARNING, r, "Failed to set MTU %u: %m", m->mtu);
                else if (!cf->mtu_before)
                        cf->mtu_before = before;
        } else if (m->mtu < DHCP4_MIN_MAX_MESSAGE_SIZE && cf->mtu_before) {
                (void) dhcp4_netlink_mtu(l->plugin->nl, c->ifindex, cf->mtu_before);
                cf->mtu_before = 0;
        }

        report_dns(l, m);
        return 0;
}

static void save_lease(Dhcp4Link *l, bool released) {
        Dhcp4Client *c = l->client;
        uint32_t remaining = dhcp4_client_lease_remaining_s(c);
        uint64_t expiry = remaining == UINT32_MAX ? UINT64_MAX : now_realtime_usec() + (uint64_t) remaining * USEC_PER_SEC;
        int r;

        r = dhcp4_store_lease_save(v6m_core_get_state_dir(l->plugin->core), c->ifname, c->client_id, c->client_id_len,
                                   c->lease.yiaddr, expiry, released);
        if (r < 0)
                log_link(l, LOG_DEBUG, r, "Failed to store the lease: %m");
}

static int client_event(Dhcp4Client *c, Dhcp4ClientEvent event, const char *reason, void *userdata) {
        Dhcp4Link *l = userdata;

        switch (event) {
        case DHCP4_CLIENT_EVENT_PENDING:
                report(l, V6M_DHCP4_PENDING, NULL);
                return 0;
        case DHCP4_CLIENT_EVENT_FAILED:
                report(l, V6M_DHCP4_FAILED, reason);
                return 0;
        case DHCP4_CLIENT_EVENT_V6ONLY:
                report(l, V6M_DHCP4_V6ONLY, NULL);
                return 0;
        case DHCP4_CLIENT_EVENT_APPLY:
                return configure(l);
        case DHCP4_CLIENT_EVENT_BOUND:
                save_lease(l, false);
                report(l, V6M_DHCP4_BOUND, NULL);
                return 0;
        case DHCP4_CLIENT_EVENT_REMOVE:
                unconfigure(l);
                return 0;
        case DHCP4_CLIENT_EVENT_RELEASED:
                save_lease(l, true);
                return 0;
        }
        return -EINVAL;
}

static int client_load_lease(Dhcp4Client *c, struct in_addr *ret_address, bool *ret_released, bool *ret_expired,
                             void *userdata) {
        Dhcp4Link *l = userdata;

        return dhcp4_store_lease_load(v6m_core_get_state_dir(l->plugin->core), c->ifname, c->client_id,
                                      c->client_id_len, ret_address, ret_released, ret_expired);
}

static const Dhcp4ClientOps client_ops = {
        .event = client_event,
        .load_lease = client_load_lease,
};

int dhcp4_link_new(Dhcp4Plugin *plugin, v6m_link *link, Dhcp4Link **ret) {
        Dhcp4Link *l = calloc(1, sizeof(Dhcp4Link));
        int r;

        if (!l)
                return -ENOMEM;
        l->plugin = plugin;
        l->link = link;
        r = dhcp4_client_new(plugin, link, &client_ops, l, &l->client);
        if (r < 0) {
                free(l);
                return r;
        }
        *ret = l;
        return 0;
}

Dhcp4Link *dhcp4_link_free(Dhcp4Link *l) {
        if (!l)
                return NULL;
        l->detaching = true;
        dhcp4_client_free(l->client);
        return mfree(l);
}

bool dhcp4_link_has_lease(const Dhcp4Link *l) {
        return l->client->has_lease && l->configured.address;
}
