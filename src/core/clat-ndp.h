/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

/* The CLAT's dedicated IPv6 address on the uplink, on the wire: Duplicate Address
 * Detection (RFC 4862 §5.4) and then answering Neighbor Solicitations for it.
 *
 * Why our own responder on an AF_PACKET socket, not the kernel: if the address were
 * assigned to the uplink, the host stack would own it and answer translated traffic
 * itself (TCP RSTs, port unreachables); a proxy NDP entry (ip -6 neigh add proxy) is only
 * honoured with IPv6 forwarding enabled, which would turn the host into a router (and
 * stop it from accepting RAs with accept_ra=1). The responder joins the address's
 * solicited-node Ethernet group with PACKET_ADD_MEMBERSHIP and lets a classic BPF filter
 * pass only NS/NA whose target is our address, so nothing else wakes the daemon. */

typedef struct ClatNdp ClatNdp;

/* result: 0 the address is free (the responder now answers for it), -EADDRINUSE another
 * node has it, other negative errno on failure. */
typedef void (*clat_ndp_dad_handler_t)(ClatNdp *ndp, int result, void *userdata);

int clat_ndp_new(sd_event *event, int ifindex, const char *ifname, const uint8_t mac[static 6], ClatNdp **ret);
ClatNdp *clat_ndp_free(ClatNdp *ndp);

/* Probe `address` (DupAddrDetectTransmits=1, one RetransTimer), then answer for it. */
int clat_ndp_start(ClatNdp *ndp, const struct in6_addr *address, clat_ndp_dad_handler_t handler, void *userdata);
uint64_t clat_ndp_get_answered(const ClatNdp *ndp);
