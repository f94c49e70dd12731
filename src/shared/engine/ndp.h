/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Neighbor Discovery (RFC 4861) messages the CLAT control plane sends and receives on the
 * uplink for its dedicated IPv6 address: Duplicate Address Detection (RFC 4862 §5.4) and
 * Neighbor Advertisements answering solicitations. Buffers hold the IPv6 packet (no L2
 * header); the L2 side is the caller's. */

#define NDP_HOP_LIMIT 255
#define NDP_DAD_NS_SIZE (40 + 24)          /* IPv6 + NS, no option (source is ::) */
#define NDP_NA_SIZE (40 + 24 + 8)          /* IPv6 + NA + target link-layer address option */

enum {
        NDP_TYPE_NS = 135,
        NDP_TYPE_NA = 136,
};

typedef struct NdpMessage {
        uint8_t type;              /* NDP_TYPE_NS or NDP_TYPE_NA */
        struct in6_addr source, destination, target;
        bool has_link_address;     /* NS: source, NA: target link-layer address option */
        uint8_t link_address[6];
        bool solicited, override;  /* NA flags */
} NdpMessage;

/* ff02::1:ffXX:XXXX for an address, and its Ethernet group 33:33:ff:XX:XX:XX. */
void ndp_solicited_node(const struct in6_addr *address, struct in6_addr *ret);
void ndp_multicast_mac(const struct in6_addr *group, uint8_t ret[static 6]);

/* The DAD probe: NS from :: to the solicited-node group of target. Returns the size. */
size_t ndp_build_dad_ns(const struct in6_addr *target, uint8_t buf[static NDP_DAD_NS_SIZE]);
/* An NA for target (as its source) to destination, with our link-layer address. The
 * Solicited flag is set for answers to unicast-sourced NS (RFC 4861 §7.2.4); Override is
 * set: the address is ours alone. */
size_t ndp_build_na(const struct in6_addr *target, const struct in6_addr *destination, const uint8_t mac[static 6],
                    bool solicited, uint8_t buf[static NDP_NA_SIZE]);

/* Parse and validate an NS or NA per RFC 4861 §7.1.1/§7.1.2 (hop limit 255, code 0,
 * checksum, length, no multicast target, options well formed). 0, or -EBADMSG for
 * anything else. */
int ndp_parse(const uint8_t *packet, size_t size, NdpMessage *ret);

/* The Internet checksum over the IPv6 pseudo-header and an upper-layer payload. */
uint16_t ndp_icmp6_checksum(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *payload,
                            size_t size);
