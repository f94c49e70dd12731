/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RFC 2131 client state machine for one link (figure 5 of the RFC), with RFC 8925
 * option 108, RFC 5227 address conflict detection and RFC 3442 classless routes. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "dhcp4-internal.h"

/* RFC 5227 §1.1 constants. */
#define PROBE_WAIT_USEC (1 * USEC_PER_SEC)
#define PROBE_NUM 3
#define PROBE_MIN_USEC (1 * USEC_PER_SEC)
#define PROBE_MAX_USEC (2 * USEC_PER_SEC)
#define ANNOUNCE_WAIT_USEC (2 * USEC_PER_SEC)
/* RFC 2131 §3.1.5: wait at least 10 s after a DECLINE before starting again. */
#define DECLINE_WAIT_USEC (10 * USEC_PER_SEC)
/* RFC 2131 §4.4.1 suggests a random 1-10 s before the first DISCOVER; a host that just
 * got carrier wants its address sooner, and one client per link cannot cause a storm. */
#define INIT_DELAY_MAX_USEC (500 * USEC_PER_MSEC)
/* DISCOVERs without an answer before the outcome is "failed" (no DHCPv4 here: CLAT=auto
 * may then run); the client keeps trying at the 64 s backoff. */
#define DISCOVER_ATTEMPTS_BEFORE_FAILED 2
#define REQUEST_ATTEMPTS_MAX 4
#define REBOOT_ATTEMPTS_MAX 2
/* RFC 2131 §4.4.5: retransmit in RENEWING/REBINDING after half the remaining time, but
 * not sooner than 60 s. */
#define RENEW_RETRANSMIT_MIN_USEC (60 * USEC_PER_SEC)
#define TIMER_ACCURACY_USEC (10 * USEC_PER_MSEC)

#define IN_SET_STATE(s, a, b, c) ((s) == (a) || (s) == (b) || (s) == (c))
#define log_client(c, prio, err, ...) v6m_link_log((c)->link, prio, err, "DHCPv4: " __VA_ARGS__)

static const char *const dhcp4_client_state_table[_DHCP4_STATE_MAX] = {
        [DHCP4_STATE_STOPPED] = "stopped",         [DHCP4_STATE_INIT] = "init",
        [DHCP4_STATE_SELECTING] = "selecting",     [DHCP4_STATE_REQUESTING] = "requesting",
        [DHCP4_STATE_INIT_REBOOT] = "init-reboot", [DHCP4_STATE_PROBING] = "probing",
        [DHCP4_STATE_BOUND] = "bound",             [DHCP4_STATE_RENEWING] = "renewing",
        [DHCP4_STATE_REBINDING] = "rebinding",     [DHCP4_STATE_V6ONLY] = "v6only",
        [DHCP4_STATE_DECLINED] = "declined",
};

const char *dhcp4_client_state_to_string(Dhcp4ClientState s) {
        if ((int) s < 0 || s >= _DHCP4_STATE_MAX)
                return "invalid";
        return dhcp4_client_state_table[s];
}

static uint64_t now_usec(Dhcp4Client *c) {
        uint64_t t = 0;

        (void) sd_event_now(c->plugin->event, CLOCK_BOOTTIME, &t);
        return t;
}

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t random_u64(void) {
        uint64_t v;

        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
                v = ((uint64_t) random() << 32) ^ (uint64_t) random();
        return v;
}

/* A random value in [min, max]. */
static uint64_t random_between(uint64_t min, uint64_t max) {
        return min + random_u64() % (max - min + 1);
}

/* RFC 2131 §4.1: 4 s before the second transmission, then 8, 16, 32 and 64 s at most,
 * each randomized by ±1 s. `attempt` counts transmissions so far (1 after the first). */
static uint64_t backoff_usec(unsigned attempt) {
        unsigned shift = attempt > 0 ? MIN(attempt - 1, 4u) : 0;
        uint64_t base = (UINT64_C(4) << shift) * USEC_PER_SEC;

        return base - USEC_PER_SEC + random_u64() % (2 * USEC_PER_SEC + 1);
}

void dhcp4_client_count_drop(Dhcp4Client *c, const char *reason) {
        size_t i;

        for (i = 0; i < c->n_drops; i++)
                if (streq(c->drops[i].reason, reason))
                        break;
        if (i == c->n_drops) {
                if (c->n_drops == DHCP4_DROP_REASONS_MAX)
                        i = c->n_drops - 1; /* the last slot collects the rest */
                else
                        c->drops[c->n_drops++].reason = reason;
        }
        c->drops[i].count++;
        log_client(c, LOG_DEBUG, 0, "Dropped a message in state %s: %s (%llu so far)", dhcp4_client_state_to_string(c->state),
                   reason, (unsigned long long) c->drops[i].count);
}

/* ---- timers ---- */

static int timer_arm(Dhcp4Client *c, sd_event_source **s, uint64_t usec, sd_event_time_handler_t handler) {
        int r;

        if (*s) {
                r = sd_event_source_set_time(*s, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(c->plugin->event, s, CLOCK_BOOTTIME, usec, TIMER_ACCURACY_USEC, handler, c);
        if (r < 0)
                log_client(c, LOG_ERR, r, "Failed to arm a timer: %m");
        return r;
}

static void timer_disarm(sd_event_source *s) {
        if (s)
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

/* ---- reporting ---- */

static void report(Dhcp4Client *c, enum v6m_dhcp4_state state, const char *reason) {
        struct v6m_dhcp4_status s = { .state = state, .reason = reason };

        if (c->detaching)
                return;
        if (state == V6M_DHCP4_BOUND) {
                s.address = c->lease.yiaddr;
                s.prefixlen = c->configured.prefixlen;
                s.server = c->lease.server_id;
                s.lease_expiry_usec = c->lease_time == UINT32_MAX
                                              ? V6M_USEC_INFINITY
                                              : c->lease_start_usec + (uint64_t) c->lease_time * USEC_PER_SEC;
        } else if (state == V6M_DHCP4_V6ONLY) {
                s.server = c->v6only_server;
                s.v6only_until_usec = c->v6only_until_usec;
        }
        (void) v6m_link_report_dhcp4(c->link, &s);
}

static void report_dns(Dhcp4Client *c, const Dhcp4Message *lease) {
        struct v6m_dns_server servers[DHCP4_MAX_DNS_SERVERS] = {};
        char *domains[2] = { NULL, NULL };
        size_t n = 0;
        int r;

        if (c->detaching)
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
        r = v6m_link_report_dns(c->link, V6M_DNS_SOURCE_DHCP4, servers, n, domains[0] ? domains : NULL);
        if (r < 0)
                log_client(c, LOG_WARNING, r, "Failed to report DNS servers: %m");
}

/* ---- sockets ---- */

static int raw_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int udp_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int arp_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static void socket_close(int *fd, sd_event_source **s) {
        *s = sd_event_source_disable_unref(*s);
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static int socket_watch(Dhcp4Client *c, int fd, sd_event_source **s, sd_event_io_handler_t handler) {
        return sd_event_add_io(c->plugin->event, s, fd, EPOLLIN, handler, c);
}

/* Open what the state needs and close the rest. */
static int client_sockets(Dhcp4Client *c, bool raw, bool udp, bool arp) {
        int r;

        if (!raw)
                socket_close(&c->raw_fd, &c->raw_source);
        else if (c->raw_fd < 0) {
                r = dhcp4_socket_raw_open(c->ifindex);
                if (r < 0)
                        return log_client(c, LOG_ERR, r, "Failed to open the packet socket: %m");
                c->raw_fd = r;
                r = socket_watch(c, c->raw_fd, &c->raw_source, raw_handler);
                if (r < 0)
                        return log_client(c, LOG_ERR, r, "Failed to watch the packet socket: %m");
        }
        if (!udp)
                socket_close(&c->udp_fd, &c->udp_source);
        else if (c->udp_fd < 0) {
                r = dhcp4_socket_udp_open(c->ifname, c->lease.yiaddr);
                if (r < 0)
                        return log_client(c, LOG_ERR, r, "Failed to open the UDP socket: %m");
                c->udp_fd = r;
                r = socket_watch(c, c->udp_fd, &c->udp_source, udp_handler);
                if (r < 0)
                        return log_client(c, LOG_ERR, r, "Failed to watch the UDP socket: %m");
        }
        if (!arp)
                socket_close(&c->arp_fd, &c->arp_source);
        else if (c->arp_fd < 0) {
                r = dhcp4_socket_arp_open(c->ifindex);
                if (r < 0)
                        return log_client(c, LOG_ERR, r, "Failed to open the ARP socket: %m");
                c->arp_fd = r;
                r = socket_watch(c, c->arp_fd, &c->arp_source, arp_handler);
                if (r < 0)
                        return log_client(c, LOG_ERR, r, "Failed to watch the ARP socket: %m");
        }
        return 0;
}

/* ---- messages ---- */

static void message_init(Dhcp4Client *c, Dhcp4Message *m, uint8_t type) {
        uint64_t elapsed = (now_usec(c) - c->start_usec) / USEC_PER_SEC;
        uint32_t mtu = v6m_link_get_mtu(c->link);

        *m = (Dhcp4Message) {
                .op = DHCP4_OP_BOOTREQUEST,
                .xid = c->xid,
                .type = type,
                .secs = (uint16_t) MIN(elapsed, (uint64_t) UINT16_MAX),
                .client_id_len = c->client_id_len,
        };
        memcpy(m->chaddr, c->mac, 6);
        memcpy(m->client_id, c->client_id, c->client_id_len);
        if (type == DHCP4_DISCOVER || type == DHCP4_REQUEST) {
                static const uint8_t prl[] = {
                        DHCP4_OPTION_SUBNET_MASK,   DHCP4_OPTION_ROUTER,        DHCP4_OPTION_DNS_SERVER,
                        DHCP4_OPTION_DOMAIN_NAME,   DHCP4_OPTION_MTU,           DHCP4_OPTION_BROADCAST,
                        DHCP4_OPTION_LEASE_TIME,    DHCP4_OPTION_RENEWAL_TIME,  DHCP4_OPTION_REBINDING_TIME,
                        DHCP4_OPTION_CLASSLESS_ROUTES,
                };

                memcpy(m->prl, prl, sizeof(prl));
                m->n_prl = sizeof(prl);
                if (c->request_v6only)
                        m->prl[m->n_prl++] = DHCP4_OPTION_IPV6_ONLY_PREFERRED;
                m->max_message_size = (uint16_t) MAX(MIN(mtu ?: 1500, 1500u), (uint32_t) DHCP4_MIN_MAX_MESSAGE_SIZE);
        }
}

static int send_broadcast(Dhcp4Client *c, const Dhcp4Message *m, struct in_addr source) {
        uint8_t buf[1500];
        int len, r;

        len = dhcp4_message_build(m, buf, sizeof(buf));
        if (len < 0)
                return log_client(c, LOG_ERR, len, "Failed to build %s: %m", dhcp4_message_type_to_string(m->type));
        r = dhcp4_socket_raw_send(c->raw_fd, c->ifindex, source, buf, (size_t) len);
        if (r < 0)
                return log_client(c, LOG_WARNING, r, "Failed to send %s: %m", dhcp4_message_type_to_string(m->type));
        log_client(c, LOG_DEBUG, 0, "Sent %s (xid %08x, attempt %u)", dhcp4_message_type_to_string(m->type), m->xid,
                   c->attempt + 1);
        return 0;
}

static int send_unicast(Dhcp4Client *c, int fd, const Dhcp4Message *m, struct in_addr server) {
        uint8_t buf[1500];
        int len, r;

        len = dhcp4_message_build(m, buf, sizeof(buf));
        if (len < 0)
                return log_client(c, LOG_ERR, len, "Failed to build %s: %m", dhcp4_message_type_to_string(m->type));
        r = dhcp4_socket_udp_send(fd, server, buf, (size_t) len);
        if (r < 0)
                return log_client(c, LOG_WARNING, r, "Failed to send %s: %m", dhcp4_message_type_to_string(m->type));
        log_client(c, LOG_DEBUG, 0, "Sent %s to the server (xid %08x)", dhcp4_message_type_to_string(m->type), m->xid);
        return 0;
}

/* ---- configuring the link ---- */

static uint8_t lease_prefixlen(const Dhcp4Message *m) {
        uint32_t a = ntohl(m->yiaddr.s_addr);
        int r;

        if (m->has_subnet_mask) {
                r = dhcp4_netmask_to_prefixlen(m->subnet_mask);
                if (r > 0 && r <= 32)
                        return (uint8_t) r;
        }
        /* No (usable) mask: the classful default, as other clients do. */
        if (a >> 31 == 0)
                return 8;
        if (a >> 30 == 2)
                return 16;
        return 24;
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

static uint32_t lease_remaining_s(Dhcp4Client *c) {
        uint64_t now = now_usec(c), end;

        if (c->lease_time == UINT32_MAX)
                return UINT32_MAX;
        end = c->lease_start_usec + (uint64_t) c->lease_time * USEC_PER_SEC;
        if (end <= now)
                return 0;
        return (uint32_t) MIN((end - now + USEC_PER_SEC - 1) / USEC_PER_SEC, (uint64_t) UINT32_MAX - 1);
}

static void unconfigure(Dhcp4Client *c) {
        Dhcp4Configured *cf = &c->configured;
        char a[INET_ADDRSTRLEN];
        int r;

        for (size_t i = cf->n_routes; i > 0; i--) {
                const Dhcp4Route *rt = cf->routes + i - 1;

                r = dhcp4_netlink_route(c->plugin->nl, c->ifindex, false, rt, cf->route_metric,
                                        !in_subnet(rt->gateway, cf->addr, cf->prefixlen));
                if (r < 0 && r != -ESRCH)
                        log_client(c, LOG_WARNING, r, "Failed to remove a route: %m");
        }
        cf->n_routes = 0;
        if (cf->address) {
                r = dhcp4_netlink_address(c->plugin->nl, c->ifindex, false, cf->addr, cf->prefixlen, (struct in_addr) {}, 0);
                if (r < 0 && r != -ESRCH && r != -ENODEV)
                        log_client(c, LOG_WARNING, r, "Failed to remove address %s: %m",
                                   inet_ntop(AF_INET, &cf->addr, a, sizeof(a)));
                else
                        log_client(c, LOG_INFO, 0, "Removed address %s/%u", inet_ntop(AF_INET, &cf->addr, a, sizeof(a)),
                                   cf->prefixlen);
                cf->address = false;
        }
        if (cf->mtu_before) {
                r = dhcp4_netlink_mtu(c->plugin->nl, c->ifindex, cf->mtu_before);
                if (r < 0 && r != -ENODEV)
                        log_client(c, LOG_WARNING, r, "Failed to restore MTU %u: %m", cf->mtu_before);
                cf->mtu_before = 0;
        }
        report_dns(c, NULL);
}

/* Make the link carry the lease in c->lease: add or refresh the address, add routes that
 * are new, remove ones the lease no longer has. */
static int configure(Dhcp4Client *c) {
        Dhcp4Configured *cf = &c->configured;
        const Dhcp4Message *m = &c->lease;
        Dhcp4Route want[DHCP4_MAX_ROUTES];
        size_t n_want;
        uint8_t prefixlen = lease_prefixlen(m);
        struct in_addr broadcast = m->has_broadcast ? m->broadcast : (struct in_addr) {
                .s_addr = m->yiaddr.s_addr | htonl(prefixlen >= 32 ? 0 : (UINT32_C(1) << (32 - prefixlen)) - 1) };
        char a[INET_ADDRSTRLEN];
        int r;

        if (cf->address && (cf->addr.s_addr != m->yiaddr.s_addr || cf->prefixlen != prefixlen ||
                            cf->route_metric != c->route_metric))
                unconfigure(c);

        inet_ntop(AF_INET, &m->yiaddr, a, sizeof(a));
        r = dhcp4_netlink_address(c->plugin->nl, c->ifindex, true, m->yiaddr, prefixlen, broadcast, lease_remaining_s(c));
        if (r < 0)
                return log_client(c, LOG_ERR, r, "Failed to add address %s/%u: %m", a, prefixlen);
        if (!cf->address)
                log_client(c, LOG_INFO, 0, "Added address %s/%u", a, prefixlen);
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
                (void) dhcp4_netlink_route(c->plugin->nl, c->ifindex, false, cf->routes + i, cf->route_metric,
                                           !in_subnet(cf->routes[i].gateway, cf->addr, cf->prefixlen));
                cf->routes[i] = cf->routes[--cf->n_routes];
        }
        /* Add what is new, and again what we added before: the kernel flushes routes
         * when the link goes administratively down. */
        for (size_t k = 0; k < n_want; k++) {
                bool have = false;

                for (size_t i = 0; i < cf->n_routes && !have; i++)
                        have = route_equal(cf->routes + i, want + k);
                r = dhcp4_netlink_route(c->plugin->nl, c->ifindex, true, want + k, c->route_metric,
                                        want[k].gateway.s_addr && !in_subnet(want[k].gateway, m->yiaddr, prefixlen));
                if (have && (r >= 0 || r == -EEXIST))
                        continue;
                if (r == -EEXIST) {
                        /* Someone else's route: not ours to remove later. */
                        log_client(c, LOG_DEBUG, 0, "Route %u of the lease already exists, leaving it alone", (unsigned) k);
                        continue;
                }
                if (r < 0) {
                        log_client(c, LOG_WARNING, r, "Failed to add a route of the lease: %m");
                        continue;
                }
                if (!have && cf->n_routes < DHCP4_MAX_ROUTES)
                        cf->routes[cf->n_routes++] = want[k];
        }

        /* RFC 2132 §5.1: the interface MTU. Below 576 (RFC 791 minimum reassembly size)
         * it is more likely a misconfiguration than a real link. */
        if (m->mtu >= DHCP4_MIN_MAX_MESSAGE_SIZE && m->mtu != v6m_link_get_mtu(c->link)) {
                uint32_t before = v6m_link_get_mtu(c->link);

                r = dhcp4_netlink_mtu(c->plugin->nl, c->ifindex, m->mtu);
                if (r < 0)
                        log_client(c, LOG_WARNING, r, "Failed to set MTU %u: %m", m->mtu);
                else if (!cf->mtu_before)
                        cf->mtu_before = before;
        } else if (m->mtu < DHCP4_MIN_MAX_MESSAGE_SIZE && cf->mtu_before) {
                (void) dhcp4_netlink_mtu(c->plugin->nl, c->ifindex, cf->mtu_before);
                cf->mtu_before = 0;
        }

        report_dns(c, m);
        return 0;
}

static void save_lease(Dhcp4Client *c, bool released) {
        uint32_t remaining = lease_remaining_s(c);
        uint64_t expiry = remaining == UINT32_MAX ? UINT64_MAX : now_realtime_usec() + (uint64_t) remaining * USEC_PER_SEC;
        int r;

        r = dhcp4_store_lease_save(v6m_core_get_state_dir(c->plugin->core), c->ifname, c->client_id, c->client_id_len,
                                   c->lease.yiaddr, expiry, released);
        if (r < 0)
                log_client(c, LOG_DEBUG, r, "Failed to store the lease: %m");
}

/* ---- state transitions ---- */

static int timer_handler(sd_event_source *s, uint64_t usec, void *userdata);
static int lease_timer_handler(sd_event_source *s, uint64_t usec, void *userdata);

static void set_state(Dhcp4Client *c, Dhcp4ClientState state) {
        if (c->state != state)
                log_client(c, LOG_DEBUG, 0, "State %s → %s", dhcp4_client_state_to_string(c->state),
                           dhcp4_client_state_to_string(state));
        c->state = state;
        c->attempt = 0;
}

static void new_exchange(Dhcp4Client *c) {
        c->xid = (uint32_t) random_u64();
        c->start_usec = now_usec(c);
}

/* Forget the lease entirely (expired, NAKed, declined, v6only): take it off the link. */
static void drop_lease(Dhcp4Client *c) {
        unconfigure(c);
        c->has_lease = false;
        timer_disarm(c->lease_timer);
}

static void enter_init(Dhcp4Client *c, uint64_t delay_usec) {
        (void) client_sockets(c, false, false, false);
        set_state(c, DHCP4_STATE_INIT);
        (void) timer_arm(c, &c->timer, now_usec(c) + delay_usec, timer_handler);
}

static int send_discover(Dhcp4Client *c) {
        Dhcp4Message m;

        message_init(c, &m, DHCP4_DISCOVER);
        if (c->has_stored) { /* RFC 2131 §4.4.1: may suggest the last known address */
                m.has_requested_address = true;
                m.requested_address = c->stored_address;
        }
        return send_broadcast(c, &m, (struct in_addr) {});
}

static int send_request(Dhcp4Client *c) {
        Dhcp4Message m;

        /* RFC 2131 §4.4.1: the lease runs from when the REQUEST was sent. */
        c->request_usec = now_usec(c);
        message_init(c, &m, DHCP4_REQUEST);
        switch (c->state) {
        case DHCP4_STATE_REQUESTING: /* RFC 2131 §4.3.2 table 4: SELECTING column */
                m.has_requested_address = true;
                m.requested_address = c->offer.yiaddr;
                m.has_server_id = true;
                m.server_id = c->offer.server_id;
                return send_broadcast(c, &m, (struct in_addr) {});
        case DHCP4_STATE_INIT_REBOOT:
                m.has_requested_address = true;
                m.requested_address = c->stored_address;
                return send_broadcast(c, &m, (struct in_addr) {});
        case DHCP4_STATE_RENEWING:
                m.ciaddr = c->lease.yiaddr;
                return send_unicast(c, c->udp_fd, &m, c->lease.server_id);
        case DHCP4_STATE_REBINDING:
                m.ciaddr = c->lease.yiaddr;
                return send_broadcast(c, &m, c->lease.yiaddr);
        default:
                return -EINVAL;
        }
}

static void start_discovery(Dhcp4Client *c) {
        int r;

        /* IPv6OnlyPreferred=auto: ask for 108 only where a CLAT can replace native IPv4
         * (RFC 8925 §3.2); asked afresh for each run, as backends may come and go. */
        c->request_v6only = c->ipv6_only_preferred == V6M_YES ||
                            (c->ipv6_only_preferred == V6M_AUTO && v6m_link_clat_backend_usable(c->link));
        r = client_sockets(c, true, false, false);
        if (r < 0) {
                report(c, V6M_DHCP4_FAILED, "cannot open the DHCPv4 packet socket");
                return;
        }
        new_exchange(c);
        if (c->has_stored && !c->stored_released && c->state == DHCP4_STATE_INIT_REBOOT) {
                (void) send_request(c);
        } else {
                set_state(c, DHCP4_STATE_SELECTING);
                (void) send_discover(c);
        }
        c->attempt = 1;
        (void) timer_arm(c, &c->timer, now_usec(c) + backoff_usec(c->attempt), timer_handler);
}

static void enter_v6only(Dhcp4Client *c, const Dhcp4Message *m) {
        uint32_t wait_s = MAX(m->v6only_wait, c->plugin->min_v6only_wait_s);
        char a[INET_ADDRSTRLEN];

        inet_ntop(AF_INET, &m->server_id, a, sizeof(a));
        log_client(c, LOG_INFO, 0, "Server %s prefers IPv6-only (option 108, V6ONLY_WAIT %u s): no IPv4 for %u s", a,
                   m->v6only_wait, wait_s);
        drop_lease(c);
        c->has_stored = false; /* RFC 8925 §3.2: the remembered address is not to be used */
        (void) client_sockets(c, false, false, false);
        set_state(c, DHCP4_STATE_V6ONLY);
        c->v6only_server = m->server_id;
        c->v6only_until_usec = now_usec(c) + (uint64_t) wait_s * USEC_PER_SEC;
        (void) timer_arm(c, &c->timer, c->v6only_until_usec, timer_handler);
        report(c, V6M_DHCP4_V6ONLY, NULL);
}

static void arm_lease_timer(Dhcp4Client *c) {
        uint64_t now = now_usec(c), next;

        if (c->lease_time == UINT32_MAX) {
                timer_disarm(c->lease_timer);
                return;
        }
        next = c->lease_start_usec + (uint64_t) c->lease_time * USEC_PER_SEC;
        if (c->state == DHCP4_STATE_BOUND && c->lease_start_usec + (uint64_t) c->t1 * USEC_PER_SEC > now)
                next = c->lease_start_usec + (uint64_t) c->t1 * USEC_PER_SEC;
        else if ((c->state == DHCP4_STATE_BOUND || c->state == DHCP4_STATE_RENEWING) &&
                 c->lease_start_usec + (uint64_t) c->t2 * USEC_PER_SEC > now)
                next = c->lease_start_usec + (uint64_t) c->t2 * USEC_PER_SEC;
        (void) timer_arm(c, &c->lease_timer, next, lease_timer_handler);
}

/* Lease times per RFC 2131 §4.4.5: T1 = 0.5 and T2 = 0.875 of the lease unless the server
 * says otherwise (and consistently: T1 < T2 < lease). */
static void lease_times(const Dhcp4Message *m, uint32_t *ret_lease, uint32_t *ret_t1, uint32_t *ret_t2) {
        uint32_t lease = m->has_lease_time ? m->lease_time : 3600, t1, t2;

        if (lease == UINT32_MAX) {
                *ret_lease = *ret_t1 = *ret_t2 = UINT32_MAX;
                return;
        }
        lease = MAX(lease, 4u); /* a lease of 0-3 s would only make the client spin */
        t2 = m->has_t2 && m->t2 < lease ? m->t2 : (uint32_t) ((uint64_t) lease * 7 / 8);
        t1 = m->has_t1 && m->t1 < t2 ? m->t1 : MIN(lease / 2, t2);
        *ret_lease = lease;
        *ret_t1 = t1;
        *ret_t2 = t2;
}

static void enter_bound(Dhcp4Client *c, const Dhcp4Message *ack) {
        bool renewal = c->has_lease && c->lease.yiaddr.s_addr == ack->yiaddr.s_addr;
        char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
        uint8_t announce[ARP4_PACKET_SIZE];

        c->lease = *ack;
        c->has_lease = true;
        c->lease_start_usec = c->request_usec;
        lease_times(ack, &c->lease_time, &c->t1, &c->t2);
        if (configure(c) < 0) {
                drop_lease(c);
                report(c, V6M_DHCP4_FAILED, "cannot configure the leased address");
                enter_init(c, DECLINE_WAIT_USEC);
                return;
        }
        /* RFC 5227 §2.3: announce the address we now use. */
        if (!renewal && c->arp_fd >= 0) {
                arp4_build(announce, 1, c->mac, ack->yiaddr, ack->yiaddr);
                (void) dhcp4_socket_arp_send(c->arp_fd, c->ifindex, announce);
        }
        (void) client_sockets(c, false, false, false);
        timer_disarm(c->timer);
        set_state(c, DHCP4_STATE_BOUND);
        c->has_stored = true;
        c->stored_released = false;
        c->stored_address = ack->yiaddr;
        c->failed_reported = false;
        arm_lease_timer(c);
        save_lease(c, false);
        inet_ntop(AF_INET, &ack->yiaddr, a, sizeof(a));
        inet_ntop(AF_INET, &ack->server_id, s, sizeof(s));
        log_client(c, renewal ? LOG_DEBUG : LOG_INFO, 0, "%s %s/%u from %s, lease %u s (T1 %u s, T2 %u s)",
                   renewal ? "Renewed" : "Bound to", a, c->configured.prefixlen, s, c->lease_time, c->t1, c->t2);
        report(c, V6M_DHCP4_BOUND, NULL);
}

static void start_probe(Dhcp4Client *c, const Dhcp4Message *ack) {
        c->offer = *ack;
        c->probe_address = ack->yiaddr;
        c->probes_sent = 0;
        if (client_sockets(c, false, false, true) < 0) {
                /* Without ARP we cannot check: take the address as RFC 2131 clients did. */
                enter_bound(c, ack);
                return;
        }
        set_state(c, DHCP4_STATE_PROBING);
        (void) timer_arm(c, &c->timer, now_usec(c) + random_between(0, PROBE_WAIT_USEC), timer_handler);
}

static void decline(Dhcp4Client *c) {
        char a[INET_ADDRSTRLEN];
        Dhcp4Message m;

        inet_ntop(AF_INET, &c->probe_address, a, sizeof(a));
        log_client(c, LOG_WARNING, 0, "Address %s is in use by another host (RFC 5227 probe), declining it", a);
        if (client_sockets(c, true, false, false) >= 0) {
                message_init(c, &m, DHCP4_DECLINE);
                m.has_requested_address = true;
                m.requested_address = c->probe_address;
                m.has_server_id = true;
                m.server_id = c->offer.server_id;
                (void) send_broadcast(c, &m, (struct in_addr) {});
        }
        if (c->has_lease && c->lease.yiaddr.s_addr == c->probe_address.s_addr)
                drop_lease(c);
        c->has_stored = false;
        (void) client_sockets(c, false, false, false);
        set_state(c, DHCP4_STATE_DECLINED);
        (void) timer_arm(c, &c->timer, now_usec(c) + DECLINE_WAIT_USEC, timer_handler);
        report(c, V6M_DHCP4_PENDING, NULL);
}

static void restart_after_nak(Dhcp4Client *c, const Dhcp4Message *m) {
        log_client(c, LOG_INFO, 0, "Server sent NAK%s%s%s in state %s, starting over", m->message[0] ? " (\"" : "",
                   m->message, m->message[0] ? "\")" : "", dhcp4_client_state_to_string(c->state));
        drop_lease(c);
        c->has_stored = false;
        report(c, V6M_DHCP4_PENDING, NULL);
        /* RFC 2131 §3.1.4 restarts at once; a short random delay keeps a server that NAKs
         * everything from seeing a tight loop. */
        enter_init(c, random_between(0, INIT_DELAY_MAX_USEC) + USEC_PER_SEC);
}

static void handle_reply(Dhcp4Client *c, const Dhcp4Message *m) {
        bool v6only = c->request_v6only && m->has_v6only_wait;

        switch (c->state) {
        case DHCP4_STATE_SELECTING:
                if (m->type != DHCP4_OFFER)
                        return dhcp4_client_count_drop(c, "unexpected-type");
                /* RFC 8925 §3.2: 108 in the OFFER, when we asked for it: no IPv4. */
                if (v6only)
                        return enter_v6only(c, m);
                if (m->yiaddr.s_addr == 0)
                        return dhcp4_client_count_drop(c, "offer-without-address");
                c->offer = *m;
                set_state(c, DHCP4_STATE_REQUESTING);
                (void) send_request(c);
                c->attempt = 1;
                (void) timer_arm(c, &c->timer, now_usec(c) + backoff_usec(c->attempt), timer_handler);
                return;

        case DHCP4_STATE_REQUESTING:
        case DHCP4_STATE_INIT_REBOOT:
                if (c->state == DHCP4_STATE_REQUESTING && m->has_server_id &&
                    m->server_id.s_addr != c->offer.server_id.s_addr)
                        return dhcp4_client_count_drop(c, "wrong-server");
                if (m->type == DHCP4_NAK)
                        return restart_after_nak(c, m);
                if (m->type != DHCP4_ACK)
                        return dhcp4_client_count_drop(c, "unexpected-type");
                if (v6only) /* RFC 8925 §3.2: also in an ACK to INIT-REBOOT */
                        return enter_v6only(c, m);
                if (m->yiaddr.s_addr == 0)
                        return dhcp4_client_count_drop(c, "ack-without-address");
                if (c->configured.address && c->configured.addr.s_addr == m->yiaddr.s_addr)
                        return enter_bound(c, m); /* already ours on the link */
                return start_probe(c, m);

        case DHCP4_STATE_RENEWING:
        case DHCP4_STATE_REBINDING:
                if (m->type == DHCP4_NAK)
                        return restart_after_nak(c, m);
                if (m->type != DHCP4_ACK)
                        return dhcp4_client_count_drop(c, "unexpected-type");
                if (m->yiaddr.s_addr == 0)
                        return dhcp4_client_count_drop(c, "ack-without-address");
                if (m->yiaddr.s_addr != c->lease.yiaddr.s_addr) {
                        /* A server may hand out another address on renewal; treat it as new. */
                        drop_lease(c);
                        return start_probe(c, m);
                }
                return enter_bound(c, m);

        default:
                return dhcp4_client_count_drop(c, "unexpected-in-state");
        }
}

static void receive_payload(Dhcp4Client *c, const uint8_t *payload, size_t size) {
        const char *reason = NULL;
        Dhcp4Message m;

        if (dhcp4_message_parse(payload, size, &m, &reason) < 0 ||
            dhcp4_message_check_reply(&m, c->xid, c->mac, &reason) < 0)
                return dhcp4_client_count_drop(c, reason ?: "invalid");
        log_client(c, LOG_DEBUG, 0, "Received %s in state %s", dhcp4_message_type_to_string(m.type),
                   dhcp4_client_state_to_string(c->state));
        handle_reply(c, &m);
}

static int raw_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Dhcp4Client *c = userdata;

        for (unsigned i = 0; i < 16 && c->raw_fd == fd; i++) {
                uint8_t buf[2048];
                const uint8_t *payload;
                const char *reason = NULL;
                size_t size;
                int r;

                r = dhcp4_socket_raw_receive(fd, buf, sizeof(buf), &payload, &size, &reason);
                if (r == -EAGAIN)
                        break;
                if (r == -EBADMSG) {
                        dhcp4_client_count_drop(c, reason);
                        continue;
                }
                if (r < 0) {
                        log_client(c, LOG_DEBUG, r, "Failed to receive on the packet socket: %m");
                        break;
                }
                receive_payload(c, payload, size);
        }
        return 0;
}

static int udp_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Dhcp4Client *c = userdata;

        for (unsigned i = 0; i < 16 && c->udp_fd == fd; i++) {
                uint8_t buf[2048];
                ssize_t n;

                n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0)
                        break;
                receive_payload(c, buf, (size_t) n);
        }
        return 0;
}

static int arp_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Dhcp4Client *c = userdata;

        for (unsigned i = 0; i < 16 && c->arp_fd == fd; i++) {
                uint8_t buf[256];
                ssize_t n;

                n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0)
                        break;
                if (c->state == DHCP4_STATE_PROBING && arp4_is_conflict(buf, (size_t) n, c->mac, c->probe_address)) {
                        decline(c);
                        break;
                }
        }
        return 0;
}

static void probe_step(Dhcp4Client *c) {
        uint8_t probe[ARP4_PACKET_SIZE];
        int r;

        if (c->probes_sent >= PROBE_NUM) {
                /* ANNOUNCE_WAIT passed with no conflict: the address is ours. */
                Dhcp4Message ack = c->offer;

                enter_bound(c, &ack);
                return;
        }
        arp4_build(probe, 1, c->mac, (struct in_addr) {}, c->probe_address);
        r = dhcp4_socket_arp_send(c->arp_fd, c->ifindex, probe);
        if (r < 0)
                log_client(c, LOG_DEBUG, r, "Failed to send an ARP probe: %m");
        c->probes_sent++;
        (void) timer_arm(c, &c->timer,
                         now_usec(c) + (c->probes_sent < PROBE_NUM ? random_between(PROBE_MIN_USEC, PROBE_MAX_USEC)
                                                                   : ANNOUNCE_WAIT_USEC),
                         timer_handler);
}

static int timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Dhcp4Client *c = userdata;
        uint64_t now = now_usec(c);

        switch (c->state) {
        case DHCP4_STATE_INIT:
        case DHCP4_STATE_INIT_REBOOT:
                if (c->state == DHCP4_STATE_INIT_REBOOT && c->attempt == 0 && c->raw_fd < 0) {
                        start_discovery(c); /* first REQUEST for the remembered address */
                        break;
                }
                if (c->state == DHCP4_STATE_INIT) {
                        start_discovery(c);
                        break;
                }
                /* INIT-REBOOT without an answer: RFC 2131 §3.2 step 5, fall back to INIT. */
                if (c->attempt >= REBOOT_ATTEMPTS_MAX) {
                        log_client(c, LOG_INFO, 0, "No answer for the remembered address, discovering");
                        set_state(c, DHCP4_STATE_INIT);
                        start_discovery(c);
                        break;
                }
                (void) send_request(c);
                c->attempt++;
                (void) timer_arm(c, &c->timer, now + backoff_usec(c->attempt), timer_handler);
                break;

        case DHCP4_STATE_SELECTING:
                if (c->attempt >= DISCOVER_ATTEMPTS_BEFORE_FAILED && !c->failed_reported) {
                        log_client(c, LOG_INFO, 0, "No DHCPv4 server answered %u DISCOVERs, still trying", c->attempt);
                        c->failed_reported = true;
                        report(c, V6M_DHCP4_FAILED, "no DHCPv4 server answered");
                }
                (void) send_discover(c);
                c->attempt++;
                (void) timer_arm(c, &c->timer, now + backoff_usec(c->attempt), timer_handler);
                break;

        case DHCP4_STATE_REQUESTING:
                if (c->attempt >= REQUEST_ATTEMPTS_MAX) {
                        log_client(c, LOG_INFO, 0, "No answer to REQUEST, discovering again");
                        set_state(c, DHCP4_STATE_INIT);
                        start_discovery(c);
                        break;
                }
                (void) send_request(c);
                c->attempt++;
                (void) timer_arm(c, &c->timer, now + backoff_usec(c->attempt), timer_handler);
                break;

        case DHCP4_STATE_PROBING:
                probe_step(c);
                break;

        case DHCP4_STATE_RENEWING:
        case DHCP4_STATE_REBINDING: {
                /* RFC 2131 §4.4.5: half the time left until T2 (renewing) or the end of
                 * the lease (rebinding), at least 60 s; the lease timer moves us on. */
                uint64_t end = c->lease_start_usec +
                               (uint64_t) (c->state == DHCP4_STATE_RENEWING ? c->t2 : c->lease_time) * USEC_PER_SEC;

                if (now >= end)
                        break;
                (void) send_request(c);
                c->attempt++;
                (void) timer_arm(c, &c->timer, now + MAX((end - now) / 2, RENEW_RETRANSMIT_MIN_USEC), timer_handler);
                break;
        }

        case DHCP4_STATE_V6ONLY:
                /* The outcome stays "v6only" (with no wait left) until a server says
                 * otherwise: reporting "pending" would stop a running CLAT each time. */
                log_client(c, LOG_INFO, 0, "V6ONLY_WAIT over, asking for IPv4 again");
                set_state(c, DHCP4_STATE_INIT);
                start_discovery(c);
                break;

        case DHCP4_STATE_DECLINED:
                set_state(c, DHCP4_STATE_INIT);
                start_discovery(c);
                break;

        default:
                break;
        }
        return 0;
}

static int lease_timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Dhcp4Client *c = userdata;
        uint64_t now = now_usec(c);
        uint64_t t1 = c->lease_start_usec + (uint64_t) c->t1 * USEC_PER_SEC;
        uint64_t t2 = c->lease_start_usec + (uint64_t) c->t2 * USEC_PER_SEC;
        uint64_t end = c->lease_start_usec + (uint64_t) c->lease_time * USEC_PER_SEC;

        if (!c->has_lease)
                return 0;
        if (now >= end) {
                char a[INET_ADDRSTRLEN];

                log_client(c, LOG_INFO, 0, "Lease on %s expired", inet_ntop(AF_INET, &c->lease.yiaddr, a, sizeof(a)));
                drop_lease(c);
                c->has_stored = false;
                report(c, V6M_DHCP4_PENDING, NULL);
                /* An exchange for a new lease (after a renew request) goes on; one
                 * about the expired lease starts over; a suspended client (no
                 * carrier) stays silent. */
                if (c->state != DHCP4_STATE_STOPPED &&
                    !IN_SET_STATE(c->state, DHCP4_STATE_SELECTING, DHCP4_STATE_REQUESTING, DHCP4_STATE_PROBING))
                        enter_init(c, 0);
                return 0;
        }
        if (now >= t2 && (c->state == DHCP4_STATE_BOUND || c->state == DHCP4_STATE_RENEWING)) {
                log_client(c, LOG_INFO, 0, "T2 reached, rebinding");
                set_state(c, DHCP4_STATE_REBINDING);
                if (client_sockets(c, true, false, false) >= 0) {
                        new_exchange(c);
                        (void) send_request(c);
                        c->attempt = 1;
                        (void) timer_arm(c, &c->timer, now + MAX((end - now) / 2, RENEW_RETRANSMIT_MIN_USEC), timer_handler);
                }
        } else if (now >= t1 && c->state == DHCP4_STATE_BOUND) {
                log_client(c, LOG_DEBUG, 0, "T1 reached, renewing");
                set_state(c, DHCP4_STATE_RENEWING);
                if (client_sockets(c, false, true, false) >= 0) {
                        new_exchange(c);
                        (void) send_request(c);
                        c->attempt = 1;
                        (void) timer_arm(c, &c->timer, now + MAX((t2 - now) / 2, RENEW_RETRANSMIT_MIN_USEC), timer_handler);
                }
        }
        arm_lease_timer(c);
        return 0;
}

/* ---- life cycle ---- */

static void build_client_id(Dhcp4Client *c) {
        if (c->client_id_kind == V6M_CLIENT_ID_MAC) {
                c->client_id[0] = DHCP4_HTYPE_ETHER;
                memcpy(c->client_id + 1, c->mac, 6);
                c->client_id_len = 7;
                return;
        }
        /* RFC 4361 §6.1: type 255, IAID, DUID. The IAID names the interface, stably:
         * FNV-1a of its name. */
        uint32_t iaid = 2166136261u;
        for (const char *p = c->ifname; *p; p++)
                iaid = (iaid ^ (uint8_t) *p) * 16777619u;
        c->client_id[0] = 255;
        c->client_id[1] = iaid >> 24;
        c->client_id[2] = iaid >> 16;
        c->client_id[3] = iaid >> 8;
        c->client_id[4] = iaid;
        memcpy(c->client_id + 5, c->plugin->duid, c->plugin->duid_len);
        c->client_id_len = 5 + c->plugin->duid_len;
}

int dhcp4_client_new(Dhcp4Plugin *plugin, v6m_link *link, Dhcp4Client **ret) {
        Dhcp4Client *c = calloc(1, sizeof(Dhcp4Client));

        if (!c)
                return -ENOMEM;
        c->plugin = plugin;
        c->link = link;
        c->raw_fd = c->udp_fd = c->arp_fd = -1;
        c->state = DHCP4_STATE_STOPPED;
        *ret = c;
        return 0;
}

static void release(Dhcp4Client *c) {
        char a[INET_ADDRSTRLEN];
        Dhcp4Message m;
        int fd;

        fd = c->udp_fd >= 0 ? c->udp_fd : dhcp4_socket_udp_open(c->ifname, c->lease.yiaddr);
        if (fd < 0) {
                log_client(c, LOG_WARNING, fd, "Cannot send RELEASE: %m");
                return;
        }
        new_exchange(c);
        message_init(c, &m, DHCP4_RELEASE);
        m.ciaddr = c->lease.yiaddr;
        m.has_server_id = true;
        m.server_id = c->lease.server_id;
        if (send_unicast(c, fd, &m, c->lease.server_id) >= 0)
                log_client(c, LOG_INFO, 0, "Released %s", inet_ntop(AF_INET, &c->lease.yiaddr, a, sizeof(a)));
        if (fd != c->udp_fd)
                close(fd);
        save_lease(c, true);
}

void dhcp4_client_suspend(Dhcp4Client *c) {
        if (!c->has_lease || !c->configured.address)
                return dhcp4_client_stop(c, false);
        /* Keep the address and routes (connections survive a short loss of carrier)
         * and the lease timer (expiry still removes them); stop talking. */
        (void) client_sockets(c, false, false, false);
        timer_disarm(c->timer);
        set_state(c, DHCP4_STATE_STOPPED);
}

void dhcp4_client_stop(Dhcp4Client *c, bool send_release) {
        if (c->state == DHCP4_STATE_STOPPED && !c->has_lease)
                return;
        if (c->has_lease && c->configured.address &&
            (c->state == DHCP4_STATE_BOUND || c->state == DHCP4_STATE_RENEWING || c->state == DHCP4_STATE_REBINDING)) {
                if (send_release && c->send_release) {
                        release(c);
                        c->stored_released = true;
                }
        }
        /* Remember the address for INIT-REBOOT when we start again (carrier back, a
         * reload), even where the state directory is not writable. */
        if (c->has_lease) {
                c->has_stored = true;
                c->stored_address = c->lease.yiaddr;
                c->stored_expiry_usec = c->lease_time == UINT32_MAX
                                                ? UINT64_MAX
                                                : c->lease_start_usec + (uint64_t) c->lease_time * USEC_PER_SEC;
        }
        drop_lease(c);
        (void) client_sockets(c, false, false, false);
        timer_disarm(c->timer);
        set_state(c, DHCP4_STATE_STOPPED);
}

int dhcp4_client_start(Dhcp4Client *c) {
        const struct v6m_network_config *n = v6m_link_get_network_config(c->link);
        const char *name = v6m_link_get_name(c->link);
        struct in_addr stored;
        bool released = false, expired = true;
        uint8_t old_client_id[sizeof(c->client_id)];
        size_t old_client_id_len = c->client_id_len;

        if (!n || !n->dhcp4)
                return 0;
        dhcp4_client_stop(c, false);
        memcpy(old_client_id, c->client_id, sizeof(old_client_id));

        c->ifindex = v6m_link_get_ifindex(c->link);
        snprintf(c->ifname, sizeof(c->ifname), "%s", name ?: "");
        if (!v6m_link_get_hw_addr(c->link, c->mac)) {
                report(c, V6M_DHCP4_FAILED, "the link has no Ethernet address");
                return -EAFNOSUPPORT;
        }
        c->ipv6_only_preferred = n->ipv6_only_preferred;
        c->client_id_kind = n->client_id;
        c->send_release = n->send_release;
        c->route_metric = n->route_metric;
        build_client_id(c);

        /* A lease we held in this process (carrier came back, a reload), for the same
         * client identifier and not expired; else the one stored by an earlier run. */
        if (c->has_stored && (old_client_id_len != c->client_id_len ||
                              memcmp(old_client_id, c->client_id, c->client_id_len) != 0))
                c->has_stored = false;
        if (c->has_stored) {
                if (now_usec(c) >= c->stored_expiry_usec)
                        c->stored_released = true; /* only a hint for DISCOVER now */
        } else if (dhcp4_store_lease_load(v6m_core_get_state_dir(c->plugin->core), c->ifname, c->client_id,
                                          c->client_id_len, &stored, &released, &expired) >= 0) {
                c->has_stored = true;
                c->stored_address = stored;
                c->stored_released = released || expired;
                c->stored_expiry_usec = UINT64_MAX;
        }
        c->failed_reported = false;
        report(c, V6M_DHCP4_PENDING, NULL);

        if (c->has_stored && !c->stored_released) {
                char a[INET_ADDRSTRLEN];

                log_client(c, LOG_DEBUG, 0, "Asking for the remembered address %s (INIT-REBOOT)",
                           inet_ntop(AF_INET, &c->stored_address, a, sizeof(a)));
                set_state(c, DHCP4_STATE_INIT_REBOOT);
                return timer_arm(c, &c->timer, now_usec(c) + random_between(0, INIT_DELAY_MAX_USEC), timer_handler);
        }
        set_state(c, DHCP4_STATE_INIT);
        return timer_arm(c, &c->timer, now_usec(c) + random_between(0, INIT_DELAY_MAX_USEC), timer_handler);
}

int dhcp4_client_renew(Dhcp4Client *c) {
        char a[INET_ADDRSTRLEN];

        if (!c->has_lease || !c->configured.address)
                return dhcp4_client_start(c);
        /* Keep the address while asking for it again: INIT-REBOOT, and an ACK for the
         * same address goes straight back to BOUND. */
        log_client(c, LOG_INFO, 0, "Renewing: asking for %s again (INIT-REBOOT)",
                   inet_ntop(AF_INET, &c->lease.yiaddr, a, sizeof(a)));
        (void) client_sockets(c, false, false, false);
        c->has_stored = true;
        c->stored_released = false;
        c->stored_address = c->lease.yiaddr;
        set_state(c, DHCP4_STATE_INIT_REBOOT);
        return timer_arm(c, &c->timer, now_usec(c), timer_handler);
}

Dhcp4Client *dhcp4_client_free(Dhcp4Client *c) {
        if (!c)
                return NULL;
        c->detaching = true;
        dhcp4_client_stop(c, true);
        sd_event_source_disable_unref(c->timer);
        sd_event_source_disable_unref(c->lease_timer);
        return mfree(c);
}
