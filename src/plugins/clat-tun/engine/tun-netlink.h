/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* The few rtnetlink requests the TUN backend makes, synchronous, on one socket (only ever
 * used from the event-loop thread). Negative errno on failure. */

/* Routes the CLAT adds carry this protocol number ("proto 118" in `ip route`), so they
 * can be told apart from everything else. They live on the TUN device and go with it. */
#define RTPROT_V6MOSTLY 118

int tun_nl_open(void);
int tun_nl_link_delete_by_name(int fd, const char *name); /* -ENODEV if there is none */
int tun_nl_link_set(int fd, int ifindex, uint32_t mtu, bool up);
int tun_nl_addr4_add(int fd, int ifindex, const struct in_addr *address);
int tun_nl_route4_default_add(int fd, int ifindex, uint32_t metric, const struct in_addr *src);
/* The route to dst: gateway (unspecified if on-link) and output interface. */
int tun_nl_route6_get(int fd, const struct in6_addr *dst, struct in6_addr *ret_gateway, int *ret_oif);
/* The neighbour entry of addr on ifindex: its MAC and NUD state (NUD_*). */
int tun_nl_neigh6_get(int fd, int ifindex, const struct in6_addr *addr, uint8_t ret_mac[static 6],
                      uint16_t *ret_state);
