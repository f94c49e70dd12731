/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RFC 2131 client state machine for one link (figure 5 of the RFC), with RFC 8925
 * option 108 and RFC 3442 classless routes. It sends, receives and keeps time; what
 * becomes of a lease (the link's address and routes, the lease file, the report to the
 * core) is its owner's, told through Dhcp4ClientOps (dhcp4-link.c). An ACKed address is
 * checked with the RFC 5227 probe of dhcp4-acd.c before it is used. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "dhcp4-internal.h"

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
#define log_client(c, prio, err, ...) log_dhcp4_link((c)->link, prio, err, __VA_ARGS__)

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

static uint64_t random_u64(void) {
        uint64_t v;

        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
                v = ((uint64_t) random() << 32) ^ (uint64_t) random();
        return v;
}

/* A random value in [min, max]. */
uint64_t dhcp4_random_between(uint64_t min, uint64_t max) {
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

int dhcp4_timer_arm(sd_event *event, sd_event_source **s, uint64_t usec, sd_event_time_handler_t handler,
                    void *userdata) {
        int r;

        if (*s) {
                r = sd_event_source_set_time(*s, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(event, s, CLOCK_BOOTTIME, usec, TIMER_ACCURACY_USEC, handler, userdata);
        return r;
}

void dhcp4_timer_disarm(sd_event_source *s) {
        if (s)
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

static int timer_arm(Dhcp4Client *c, sd_event_source **s, uint64_t usec, sd_event_time_handler_t handler) {
        int r;

        r = dhcp4_timer_arm(c->plugin->event, s, usec, handler, c);
        if (r < 0)
                log_client(c, LOG_ERR, r, "Failed to arm a timer: %m");
        return r;
}

/* ---- telling the owner ---- */

static void report(Dhcp4Client *c, Dhcp4ClientEvent event, const char *reason) {
        (void) c->ops->event(c, event, reason, c->userdata);
}

/* ---- sockets ---- */

static int raw_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int udp_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static void socket_close(int *fd, sd_event_source **s) {
        *s = sd_event_source_disable_unref(*s);
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* Take a socket just opened (or the error of opening it) and watch it. */
static int socket_adopt(Dhcp4Client *c, int opened, int *fd, sd_event_source **s, sd_event_io_handler_t handler,
                        const char *what) {
        int r;

        if (opened < 0)
                return log_client(c, LOG_ERR, opened, "Failed to open the %s socket: %m", what);
        *fd = opened;
        r = sd_event_add_io(c->plugin->event, s, *fd, EPOLLIN, handler, c);
        if (r < 0)
                return log_client(c, LOG_ERR, r, "Failed to watch the %s socket: %m", what);
        return 0;
}

/* Open what the state needs and close the rest; `acd`: leave a running probe alone. */
static int client_sockets(Dhcp4Client *c, bool raw, bool udp, bool acd) {
        int r;

        if (!raw)
                socket_close(&c->raw_fd, &c->raw_source);
        else if (c->raw_fd < 0) {
                r = socket_adopt(c, dhcp4_socket_raw_open(c->ifindex), &c->raw_fd, &c->raw_source, raw_handler,
                                 "packet");
                if (r < 0)
                        return r;
        }
        if (!udp)
                socket_close(&c->udp_fd, &c->udp_source);
        else if (c->udp_fd < 0) {
                r = socket_adopt(c, dhcp4_socket_udp_open(c->ifname, c->lease.yiaddr), &c->udp_fd, &c->udp_source,
                                 udp_handler, "UDP");
                if (r < 0)
                        return r;
        }
        if (!acd)
                dhcp4_acd_stop(&c->acd);
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

/* ---- the lease ---- */

uint8_t dhcp4_lease_prefixlen(const Dhcp4Message *m) {
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

uint32_t dhcp4_client_lease_remaining_s(Dhcp4Client *c) {
        uint64_t now = now_usec(c), end;

        if (c->lease_time == UINT32_MAX)
                return UINT32_MAX;
        end = c->lease_start_usec + (uint64_t) c->lease_time * USEC_PER_SEC;
        if (end <= now)
                return 0;
        return (uint32_t) MIN((end - now + USEC_PER_SEC - 1) / USEC_PER_SEC, (uint64_t) UINT32_MAX - 1);
}

uint64_t dhcp4_client_lease_expiry_usec(const Dhcp4Client *c) {
        return c->lease_time == UINT32_MAX ? V6M_USEC_INFINITY
                                           : c->lease_start_usec + (uint64_t) c->lease_time * USEC_PER_SEC;
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
        report(c, DHCP4_CLIENT_EVENT_REMOVE, NULL);
        c->lease_applied = false;
        c->has_lease = false;
        dhcp4_timer_disarm(c->lease_timer);
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
                report(c, DHCP4_CLIENT_EVENT_FAILED, "cannot open the DHCPv4 packet socket");
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
        report(c, DHCP4_CLIENT_EVENT_V6ONLY, NULL);
}

static void arm_lease_timer(Dhcp4Client *c) {
        uint64_t now = now_usec(c), next;

        if (c->lease_time == UINT32_MAX) {
                dhcp4_timer_disarm(c->lease_timer);
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

        c->lease = *ack;
        c->has_lease = true;
        c->lease_start_usec = c->request_usec;
        lease_times(ack, &c->lease_time, &c->t1, &c->t2);
        if (c->ops->event(c, DHCP4_CLIENT_EVENT_APPLY, NULL, c->userdata) < 0) {
                drop_lease(c);
                report(c, DHCP4_CLIENT_EVENT_FAILED, "cannot configure the leased address");
                enter_init(c, DECLINE_WAIT_USEC);
                return;
        }
        c->lease_applied = true;
        if (!renewal)
                dhcp4_acd_announce(&c->acd, ack->yiaddr);
        (void) client_sockets(c, false, false, false);
        dhcp4_timer_disarm(c->timer);
        set_state(c, DHCP4_STATE_BOUND);
        c->has_stored = true;
        c->stored_released = false;
        c->stored_address = ack->yiaddr;
        c->failed_reported = false;
        arm_lease_timer(c);
        inet_ntop(AF_INET, &ack->yiaddr, a, sizeof(a));
        inet_ntop(AF_INET, &ack->server_id, s, sizeof(s));
        log_client(c, renewal ? LOG_DEBUG : LOG_INFO, 0, "%s %s/%u from %s, lease %u s (T1 %u s, T2 %u s)",
                   renewal ? "Renewed" : "Bound to", a, dhcp4_lease_prefixlen(ack), s, c->lease_time, c->t1, c->t2);
        report(c, DHCP4_CLIENT_EVENT_BOUND, NULL);
}

static void start_probe(Dhcp4Client *c, const Dhcp4Message *ack) {
        c->offer = *ack;
        (void) client_sockets(c, false, false, false);
        dhcp4_timer_disarm(c->timer); /* the probe keeps its own time */
        if (dhcp4_acd_start(&c->acd, c->ifindex, c->mac, ack->yiaddr) < 0) {
                /* Without ARP we cannot check: take the address as RFC 2131 clients did. */
                enter_bound(c, ack);
                return;
        }
        set_state(c, DHCP4_STATE_PROBING);
}

static void decline(Dhcp4Client *c) {
        char a[INET_ADDRSTRLEN];
        Dhcp4Message m;

        inet_ntop(AF_INET, &c->acd.address, a, sizeof(a));
        log_client(c, LOG_WARNING, 0, "Address %s is in use by another host (RFC 5227 probe), declining it", a);
        if (client_sockets(c, true, false, false) >= 0) {
                message_init(c, &m, DHCP4_DECLINE);
                m.has_requested_address = true;
                m.requested_address = c->acd.address;
                m.has_server_id = true;
                m.server_id = c->offer.server_id;
                (void) send_broadcast(c, &m, (struct in_addr) {});
        }
        if (c->has_lease && c->lease.yiaddr.s_addr == c->acd.address.s_addr)
                drop_lease(c);
        c->has_stored = false;
        (void) client_sockets(c, false, false, false);
        set_state(c, DHCP4_STATE_DECLINED);
        (void) timer_arm(c, &c->timer, now_usec(c) + DECLINE_WAIT_USEC, timer_handler);
        report(c, DHCP4_CLIENT_EVENT_PENDING, NULL);
}

static void restart_after_nak(Dhcp4Client *c, const Dhcp4Message *m) {
        log_client(c, LOG_INFO, 0, "Server sent NAK%s%s%s in state %s, starting over", m->message[0] ? " (\"" : "",
                   m->message, m->message[0] ? "\")" : "", dhcp4_client_state_to_string(c->state));
        drop_lease(c);
        c->has_stored = false;
        report(c, DHCP4_CLIENT_EVENT_PENDING, NULL);
        /* RFC 2131 §3.1.4 restarts at once; a short random delay keeps a server that NAKs
         * everything from seeing a tight loop. */
        enter_init(c, dhcp4_random_between(0, INIT_DELAY_MAX_USEC) + USEC_PER_SEC);
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
                if (c->lease_applied && c->lease.yiaddr.s_addr == m->yiaddr.s_addr)
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

static bool udp_datagram(const uint8_t *data, size_t size, void *userdata) {
        receive_payload(userdata, data, size);
        return true;
}

static int udp_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Dhcp4Client *c = userdata;

        dhcp4_socket_drain(fd, &c->udp_fd, udp_datagram, c);
        return 0;
}

static void acd_callback(Dhcp4Acd *acd, Dhcp4AcdEvent event, void *userdata) {
        Dhcp4Client *c = userdata;
        Dhcp4Message ack;

        if (c->state != DHCP4_STATE_PROBING)
                return;
        switch (event) {
        case DHCP4_ACD_EVENT_CONFLICT:
                decline(c);
                return;
        case DHCP4_ACD_EVENT_READY:
                ack = c->offer;
                enter_bound(c, &ack);
                return;
        }
}

/* The next transmission of the current state, RFC 2131 §4.1 backoff. */
static void retransmit(Dhcp4Client *c, int (*send)(Dhcp4Client *c), uint64_t now) {
        (void) send(c);
        c->attempt++;
        (void) timer_arm(c, &c->timer, now + backoff_usec(c->attempt), timer_handler);
}

/* After `max` transmissions without an answer, start over with a DISCOVER. */
static bool give_up_to_discovery(Dhcp4Client *c, unsigned max, const char *why) {
        if (c->attempt < max)
                return false;
        log_client(c, LOG_INFO, 0, "%s", why);
        set_state(c, DHCP4_STATE_INIT);
        start_discovery(c);
        return true;
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
                if (!give_up_to_discovery(c, REBOOT_ATTEMPTS_MAX, "No answer for the remembered address, discovering"))
                        retransmit(c, send_request, now);
                break;

        case DHCP4_STATE_SELECTING:
                if (c->attempt >= DISCOVER_ATTEMPTS_BEFORE_FAILED && !c->failed_reported) {
                        log_client(c, LOG_INFO, 0, "No DHCPv4 server answered %u DISCOVERs, still trying", c->attempt);
                        c->failed_reported = true;
                        report(c, DHCP4_CLIENT_EVENT_FAILED, "no DHCPv4 server answered");
                }
                retransmit(c, send_discover, now);
                break;

        case DHCP4_STATE_REQUESTING:
                if (!give_up_to_discovery(c, REQUEST_ATTEMPTS_MAX, "No answer to REQUEST, discovering again"))
                        retransmit(c, send_request, now);
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

/* RENEWING (unicast, from the leased address) or REBINDING (broadcast): the first
 * REQUEST, then RFC 2131 §4.4.5 retransmissions until `until` (T2 or the lease's end). */
static void extend_lease(Dhcp4Client *c, Dhcp4ClientState state, uint64_t until, uint64_t now) {
        bool rebinding = state == DHCP4_STATE_REBINDING;

        set_state(c, state);
        if (client_sockets(c, rebinding, !rebinding, false) < 0)
                return;
        new_exchange(c);
        (void) send_request(c);
        c->attempt = 1;
        (void) timer_arm(c, &c->timer, now + MAX((until - now) / 2, RENEW_RETRANSMIT_MIN_USEC), timer_handler);
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
                report(c, DHCP4_CLIENT_EVENT_PENDING, NULL);
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
                extend_lease(c, DHCP4_STATE_REBINDING, end, now);
        } else if (now >= t1 && c->state == DHCP4_STATE_BOUND) {
                log_client(c, LOG_DEBUG, 0, "T1 reached, renewing");
                extend_lease(c, DHCP4_STATE_RENEWING, t2, now);
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

int dhcp4_client_new(Dhcp4Plugin *plugin, v6m_link *link, const Dhcp4ClientOps *ops, void *userdata,
                     Dhcp4Client **ret) {
        Dhcp4Client *c = calloc(1, sizeof(Dhcp4Client));

        if (!c)
                return -ENOMEM;
        c->plugin = plugin;
        c->link = link;
        c->ops = ops;
        c->userdata = userdata;
        c->raw_fd = c->udp_fd = -1;
        dhcp4_acd_init(&c->acd, plugin->event, link, acd_callback, c);
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
        report(c, DHCP4_CLIENT_EVENT_RELEASED, NULL);
}

void dhcp4_client_suspend(Dhcp4Client *c) {
        if (!c->has_lease || !c->lease_applied)
                return dhcp4_client_stop(c, false);
        /* Keep the address and routes (connections survive a short loss of carrier)
         * and the lease timer (expiry still removes them); stop talking. */
        (void) client_sockets(c, false, false, false);
        dhcp4_timer_disarm(c->timer);
        set_state(c, DHCP4_STATE_STOPPED);
}

void dhcp4_client_stop(Dhcp4Client *c, bool send_release) {
        if (c->state == DHCP4_STATE_STOPPED && !c->has_lease)
                return;
        if (c->has_lease && c->lease_applied &&
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
        dhcp4_timer_disarm(c->timer);
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
                report(c, DHCP4_CLIENT_EVENT_FAILED, "the link has no Ethernet address");
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
        } else if (c->ops->load_lease && c->ops->load_lease(c, &stored, &released, &expired, c->userdata) >= 0) {
                c->has_stored = true;
                c->stored_address = stored;
                c->stored_released = released || expired;
                c->stored_expiry_usec = UINT64_MAX;
        }
        c->failed_reported = false;
        report(c, DHCP4_CLIENT_EVENT_PENDING, NULL);

        if (c->has_stored && !c->stored_released) {
                char a[INET_ADDRSTRLEN];

                log_client(c, LOG_DEBUG, 0, "Asking for the remembered address %s (INIT-REBOOT)",
                           inet_ntop(AF_INET, &c->stored_address, a, sizeof(a)));
                set_state(c, DHCP4_STATE_INIT_REBOOT);
                return timer_arm(c, &c->timer, now_usec(c) + dhcp4_random_between(0, INIT_DELAY_MAX_USEC), timer_handler);
        }
        set_state(c, DHCP4_STATE_INIT);
        return timer_arm(c, &c->timer, now_usec(c) + dhcp4_random_between(0, INIT_DELAY_MAX_USEC), timer_handler);
}

int dhcp4_client_renew(Dhcp4Client *c) {
        char a[INET_ADDRSTRLEN];

        if (!c->has_lease || !c->lease_applied)
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
        dhcp4_client_stop(c, true);
        dhcp4_acd_done(&c->acd);
        sd_event_source_disable_unref(c->timer);
        sd_event_source_disable_unref(c->lease_timer);
        return mfree(c);
}
