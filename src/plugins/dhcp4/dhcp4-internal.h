/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>
#include <systemd/sd-event.h>

#include "dhcp4-message.h"
#include "macro.h"
#include "v6mostly/plugin.h"

struct nl_sock;

/* RFC 8925 §4.2: MIN_V6ONLY_WAIT. Tests may lower it with the environment variable
 * below (read once at plugin init; documented in v6mostly.network(5) as test-only). */
#define DHCP4_MIN_V6ONLY_WAIT_S 300u
#define DHCP4_MIN_V6ONLY_WAIT_ENV "V6MOSTLY_DHCP4_MIN_V6ONLY_WAIT"

typedef struct Dhcp4Plugin {
        v6m_core *core;
        sd_event *event;
        struct nl_sock *nl;
        uint32_t min_v6only_wait_s;
        uint8_t duid[130]; /* RFC 8415 §11: at most 128 bytes + type */
        size_t duid_len;
} Dhcp4Plugin;

/* The core starts every message of a plugin with the plugin's name ("dhcp4: ") and adds
 * V6M_PLUGIN= to its journal entry. */
#define log_dhcp4_link(link, priority, error, ...) \
        v6m_link_log(link, priority, error, __VA_ARGS__)
#define log_dhcp4(priority, error, ...) v6m_log(priority, error, __VA_ARGS__)

typedef enum Dhcp4ClientState {
        DHCP4_STATE_STOPPED,     /* not running: no carrier, disabled, or detached */
        DHCP4_STATE_INIT,        /* waiting to send the first DISCOVER */
        DHCP4_STATE_SELECTING,   /* DISCOVER sent, waiting for an OFFER */
        DHCP4_STATE_REQUESTING,  /* REQUEST for an OFFER sent */
        DHCP4_STATE_INIT_REBOOT, /* REQUEST for a remembered address sent */
        DHCP4_STATE_PROBING,     /* ACK received, RFC 5227 ARP probe running */
        DHCP4_STATE_BOUND,
        DHCP4_STATE_RENEWING,  /* T1 passed: unicast REQUEST to the server */
        DHCP4_STATE_REBINDING, /* T2 passed: broadcast REQUEST */
        DHCP4_STATE_V6ONLY,    /* RFC 8925: IPv6-only preferred, waiting */
        DHCP4_STATE_DECLINED,  /* DECLINE sent, RFC 2131 §3.1.5 wait before INIT */
        _DHCP4_STATE_MAX,
} Dhcp4ClientState;

const char *dhcp4_client_state_to_string(Dhcp4ClientState s);

/* ---- dhcp4-acd.c: RFC 5227 probe of one address ---- */

typedef enum Dhcp4AcdEvent {
        DHCP4_ACD_EVENT_READY,    /* no answer to the probes: the address is free */
        DHCP4_ACD_EVENT_CONFLICT, /* another host uses or probes for the address */
} Dhcp4AcdEvent;

typedef struct Dhcp4Acd Dhcp4Acd;
typedef void (*dhcp4_acd_callback_t)(Dhcp4Acd *acd, Dhcp4AcdEvent event, void *userdata);

struct Dhcp4Acd {
        sd_event *event;
        v6m_link *link; /* for log messages */
        int ifindex;
        uint8_t mac[6];
        struct in_addr address;
        unsigned probes_sent;
        int fd;
        sd_event_source *io, *timer;
        dhcp4_acd_callback_t callback;
        void *userdata;
};

void dhcp4_acd_init(Dhcp4Acd *acd, sd_event *event, v6m_link *link, dhcp4_acd_callback_t callback, void *userdata);
/* Probe `address`; the callback tells the outcome. Negative errno when ARP is not
 * available (no socket): the caller decides whether to go on without the check. */
int dhcp4_acd_start(Dhcp4Acd *acd, int ifindex, const uint8_t mac[6], struct in_addr address);
/* RFC 5227 §2.3 announcement, on the socket of the probe that just succeeded. */
void dhcp4_acd_announce(Dhcp4Acd *acd, struct in_addr address);
void dhcp4_acd_stop(Dhcp4Acd *acd);
void dhcp4_acd_done(Dhcp4Acd *acd);

/* ---- dhcp4-client.c: the RFC 2131 client of one link ---- */

/* What the client tells its owner (dhcp4-link.c), which applies leases to the link,
 * stores them and reports to the core. */
typedef enum Dhcp4ClientEvent {
        DHCP4_CLIENT_EVENT_PENDING,  /* looking for a lease */
        DHCP4_CLIENT_EVENT_FAILED,   /* with a reason; the client keeps trying */
        DHCP4_CLIENT_EVENT_V6ONLY,   /* RFC 8925: a server prefers IPv6-only */
        DHCP4_CLIENT_EVENT_APPLY,    /* put c->lease on the link; negative: could not */
        DHCP4_CLIENT_EVENT_BOUND,    /* the applied lease is in use: store and report it */
        DHCP4_CLIENT_EVENT_REMOVE,   /* the lease is gone: take it off the link */
        DHCP4_CLIENT_EVENT_RELEASED, /* RELEASE sent for c->lease: store it as released */
} Dhcp4ClientEvent;

typedef struct Dhcp4Client Dhcp4Client;

typedef struct Dhcp4ClientOps {
        int (*event)(Dhcp4Client *c, Dhcp4ClientEvent event, const char *reason, void *userdata);
        /* The address an earlier run of the daemon leased for this client identifier:
         * 0, or -ENOENT when there is none. Expired ones too, with *ret_expired. */
        int (*load_lease)(Dhcp4Client *c, struct in_addr *ret_address, bool *ret_released, bool *ret_expired,
                          void *userdata);
} Dhcp4ClientOps;

#define DHCP4_DROP_REASONS_MAX 24

struct Dhcp4Client {
        Dhcp4Plugin *plugin;
        v6m_link *link;
        const Dhcp4ClientOps *ops;
        void *userdata;
        int ifindex;
        char ifname[IF_NAMESIZE];
        uint8_t mac[6];

        /* Settings from the .network file, copied when the client starts. */
        enum v6m_tristate ipv6_only_preferred;
        enum v6m_client_id client_id_kind;
        bool send_release;
        uint32_t route_metric; /* not the client's business: for the owner's routes */
        bool request_v6only;   /* 108 is in the PRL for this run */

        uint8_t client_id[1 + 4 + sizeof(((Dhcp4Plugin *) 0)->duid)];
        size_t client_id_len;

        Dhcp4ClientState state;
        uint32_t xid;
        unsigned attempt;        /* transmissions in the current state */
        uint64_t start_usec;     /* when the current exchange began (secs field) */
        uint64_t request_usec;   /* when the REQUEST that got the lease was sent */
        bool failed_reported;

        int raw_fd, udp_fd;
        sd_event_source *raw_source, *udp_source;
        sd_event_source *timer;       /* retransmission / state timeout */
        sd_event_source *lease_timer; /* T1, T2, expiry */
        Dhcp4Acd acd;

        Dhcp4Message offer; /* the selected OFFER (REQUESTING) or the ACK being probed */
        bool has_lease;
        bool lease_applied; /* the owner put the lease on the link (APPLY succeeded) */
        Dhcp4Message lease; /* the ACK in use */
        uint64_t lease_start_usec;
        uint32_t lease_time, t1, t2;

        /* A remembered address: INIT-REBOOT asks for it, or DISCOVER suggests it. */
        bool has_stored;
        bool stored_released;
        struct in_addr stored_address;
        uint64_t stored_expiry_usec; /* CLOCK_BOOTTIME; UINT64_MAX: checked when loaded */

        uint64_t v6only_until_usec;
        struct in_addr v6only_server;

        struct {
                const char *reason;
                uint64_t count;
        } drops[DHCP4_DROP_REASONS_MAX];
        size_t n_drops;
};

int dhcp4_client_new(Dhcp4Plugin *plugin, v6m_link *link, const Dhcp4ClientOps *ops, void *userdata,
                     Dhcp4Client **ret);
Dhcp4Client *dhcp4_client_free(Dhcp4Client *c);
/* Start (from INIT-REBOOT with a remembered lease, else INIT) with the link's current
 * settings; restart if running. */
int dhcp4_client_start(Dhcp4Client *c);
/* Stop: RELEASE if asked and bound, drop the lease (REMOVE). */
void dhcp4_client_stop(Dhcp4Client *c, bool release);
/* Carrier lost: stop sending and receiving, keep a bound address on the link until
 * the lease expires (dhcp4_client_renew() when carrier is back). */
void dhcp4_client_suspend(Dhcp4Client *c);
/* v6mostlyctl renew, carrier back: INIT-REBOOT keeping a bound address (an ACK for it
 * skips the ARP probe), else a fresh start. */
int dhcp4_client_renew(Dhcp4Client *c);
void dhcp4_client_count_drop(Dhcp4Client *c, const char *reason);
/* Seconds left of the lease (UINT32_MAX: infinite). */
uint32_t dhcp4_client_lease_remaining_s(Dhcp4Client *c);
/* CLOCK_BOOTTIME end of the lease, V6M_USEC_INFINITY for an infinite one. */
uint64_t dhcp4_client_lease_expiry_usec(const Dhcp4Client *c);
/* The prefix length of a lease: option 1, else the classful default. */
uint8_t dhcp4_lease_prefixlen(const Dhcp4Message *m);

/* Helpers of the client and the probe. */
uint64_t dhcp4_random_between(uint64_t min, uint64_t max);
int dhcp4_timer_arm(sd_event *event, sd_event_source **s, uint64_t usec, sd_event_time_handler_t handler,
                    void *userdata);
void dhcp4_timer_disarm(sd_event_source *s);

/* ---- dhcp4-link.c: the lease on the link, stored, reported ---- */

/* What the client put on the link, so that exactly that is removed again. */
#define DHCP4_MAX_ROUTES (DHCP4_MAX_CLASSLESS_ROUTES + 1)
typedef struct Dhcp4Configured {
        bool address;
        struct in_addr addr;
        uint8_t prefixlen;
        size_t n_routes;
        Dhcp4Route routes[DHCP4_MAX_ROUTES];
        uint32_t route_metric;
        uint32_t mtu_before; /* nonzero: we changed the MTU from this */
} Dhcp4Configured;

typedef struct Dhcp4Link {
        Dhcp4Plugin *plugin;
        v6m_link *link;
        Dhcp4Client *client;
        Dhcp4Configured configured;
        bool detaching; /* link_remove(): the core forgets the facts itself */
} Dhcp4Link;

int dhcp4_link_new(Dhcp4Plugin *plugin, v6m_link *link, Dhcp4Link **ret);
Dhcp4Link *dhcp4_link_free(Dhcp4Link *l);
/* The client holds a lease and its address is on the link. */
bool dhcp4_link_has_lease(const Dhcp4Link *l);

/* dhcp4-socket.c */
int dhcp4_socket_raw_open(int ifindex);
int dhcp4_socket_raw_send(int fd, int ifindex, struct in_addr source, const uint8_t *payload, size_t size);
/* One datagram from the raw socket; -EAGAIN when none, -EBADMSG with *ret_reason. */
int dhcp4_socket_raw_receive(int fd, uint8_t *buf, size_t size, const uint8_t **ret_payload, size_t *ret_size,
                             const char **ret_reason);
int dhcp4_socket_udp_open(const char *ifname, struct in_addr address);
int dhcp4_socket_udp_send(int fd, struct in_addr server, const uint8_t *payload, size_t size);
/* Hand the datagrams waiting on fd (at most 16) to `handler` until it returns false or
 * closes the socket (*current_fd is no longer fd). */
void dhcp4_socket_drain(int fd, const int *current_fd, bool (*handler)(const uint8_t *data, size_t size, void *userdata),
                        void *userdata);
int dhcp4_socket_arp_open(int ifindex);
int dhcp4_socket_arp_send(int fd, int ifindex, const uint8_t packet[ARP4_PACKET_SIZE]);

/* dhcp4-netlink.c: synchronous rtnetlink requests. */
int dhcp4_netlink_open(struct nl_sock **ret);
void dhcp4_netlink_close(struct nl_sock *nl);
int dhcp4_netlink_address(struct nl_sock *nl, int ifindex, bool add, struct in_addr addr, uint8_t prefixlen,
                          struct in_addr broadcast, uint32_t lifetime_s);
int dhcp4_netlink_route(struct nl_sock *nl, int ifindex, bool add, const Dhcp4Route *route, uint32_t metric,
                        bool onlink);
int dhcp4_netlink_mtu(struct nl_sock *nl, int ifindex, uint32_t mtu);

/* dhcp4-store.c: the DUID and leases under the state directory. */
int dhcp4_store_duid(const char *state_dir, uint8_t *duid, size_t size, size_t *ret_len);
int dhcp4_store_lease_save(const char *state_dir, const char *ifname, const uint8_t *client_id, size_t client_id_len,
                           struct in_addr address, uint64_t expiry_realtime_usec, bool released);
/* 0 with the address (and whether it was released), -ENOENT when there is none. Expired
 * leases are returned with *ret_expired set: DISCOVER may still suggest the address. */
int dhcp4_store_lease_load(const char *state_dir, const char *ifname, const uint8_t *client_id, size_t client_id_len,
                           struct in_addr *ret_address, bool *ret_released, bool *ret_expired);
