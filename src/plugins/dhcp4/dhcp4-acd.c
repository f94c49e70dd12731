/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 5227 address conflict detection for one address: PROBE_NUM ARP probes, then
 * ANNOUNCE_WAIT for an answer; the outcome goes to the owner's callback. Knows nothing of
 * DHCP: the client starts a probe for an ACKed address and declines it on a conflict. */
#include <errno.h>
#include <sys/random.h>

#include "dhcp4-internal.h"

/* RFC 5227 §1.1 constants. */
#define PROBE_WAIT_USEC (1 * USEC_PER_SEC)
#define PROBE_NUM 3
#define PROBE_MIN_USEC (1 * USEC_PER_SEC)
#define PROBE_MAX_USEC (2 * USEC_PER_SEC)
#define ANNOUNCE_WAIT_USEC (2 * USEC_PER_SEC)

static uint64_t acd_now_usec(Dhcp4Acd *a) {
        uint64_t t = 0;

        (void) sd_event_now(a->event, CLOCK_BOOTTIME, &t);
        return t;
}

static int acd_timer_handler(sd_event_source *s, uint64_t usec, void *userdata);

static int acd_arm(Dhcp4Acd *a, uint64_t usec) {
        int r;

        r = dhcp4_timer_arm(a->event, &a->timer, usec, acd_timer_handler, a);
        if (r < 0)
                log_dhcp4_link(a->link, LOG_ERR, r, "Failed to arm a timer: %m");
        return r;
}

static int acd_timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Dhcp4Acd *a = userdata;
        uint8_t probe[ARP4_PACKET_SIZE];
        int r;

        if (a->fd < 0)
                return 0;
        if (a->probes_sent >= PROBE_NUM) {
                /* ANNOUNCE_WAIT passed with no conflict: the address is ours. The socket
                 * stays open for dhcp4_acd_announce(). */
                a->callback(a, DHCP4_ACD_EVENT_READY, a->userdata);
                return 0;
        }
        arp4_build(probe, 1, a->mac, (struct in_addr) {}, a->address);
        r = dhcp4_socket_arp_send(a->fd, a->ifindex, probe);
        if (r < 0)
                log_dhcp4_link(a->link, LOG_DEBUG, r, "Failed to send an ARP probe: %m");
        a->probes_sent++;
        (void) acd_arm(a, acd_now_usec(a) + (a->probes_sent < PROBE_NUM
                                                     ? dhcp4_random_between(PROBE_MIN_USEC, PROBE_MAX_USEC)
                                                     : ANNOUNCE_WAIT_USEC));
        return 0;
}

static bool acd_datagram(const uint8_t *data, size_t size, void *userdata) {
        Dhcp4Acd *a = userdata;

        if (!arp4_is_conflict(data, size, a->mac, a->address))
                return true;
        a->callback(a, DHCP4_ACD_EVENT_CONFLICT, a->userdata);
        return false;
}

static int acd_io_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Dhcp4Acd *a = userdata;

        dhcp4_socket_drain(fd, &a->fd, acd_datagram, a);
        return 0;
}

void dhcp4_acd_init(Dhcp4Acd *a, sd_event *event, v6m_link *link, dhcp4_acd_callback_t callback, void *userdata) {
        *a = (Dhcp4Acd) {
                .event = event,
                .link = link,
                .fd = -1,
                .callback = callback,
                .userdata = userdata,
        };
}

int dhcp4_acd_start(Dhcp4Acd *a, int ifindex, const uint8_t mac[6], struct in_addr address) {
        int r;

        dhcp4_acd_stop(a);
        a->ifindex = ifindex;
        memcpy(a->mac, mac, 6);
        a->address = address;
        a->probes_sent = 0;

        r = dhcp4_socket_arp_open(ifindex);
        if (r < 0)
                return log_dhcp4_link(a->link, LOG_ERR, r, "Failed to open the ARP socket: %m");
        a->fd = r;
        r = sd_event_add_io(a->event, &a->io, a->fd, EPOLLIN, acd_io_handler, a);
        if (r < 0) {
                log_dhcp4_link(a->link, LOG_ERR, r, "Failed to watch the ARP socket: %m");
                dhcp4_acd_stop(a);
                return r;
        }
        (void) acd_arm(a, acd_now_usec(a) + dhcp4_random_between(0, PROBE_WAIT_USEC));
        return 0;
}

void dhcp4_acd_announce(Dhcp4Acd *a, struct in_addr address) {
        uint8_t announce[ARP4_PACKET_SIZE];

        /* RFC 5227 §2.3: announce the address we now use. */
        if (a->fd < 0)
                return;
        arp4_build(announce, 1, a->mac, address, address);
        (void) dhcp4_socket_arp_send(a->fd, a->ifindex, announce);
}

void dhcp4_acd_stop(Dhcp4Acd *a) {
        a->io = sd_event_source_disable_unref(a->io);
        dhcp4_timer_disarm(a->timer);
        if (a->fd >= 0)
                close(a->fd);
        a->fd = -1;
}

void dhcp4_acd_done(Dhcp4Acd *a) {
        dhcp4_acd_stop(a);
        a->timer = sd_event_source_disable_unref(a->timer);
}
