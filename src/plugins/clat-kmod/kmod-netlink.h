/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <stdint.h>
#include <netlink/msg.h>

/* The rtnetlink requests of the kmod backend that tun-netlink.c does not make:
 * synchronous, on a socket bound to the namespace they act in. Negative errno. */

int kmod_nl_veth_new(int fd, const char *name, const char *peer, int peer_ns_fd);
int kmod_nl_ipvlan_l3_new(int fd, const char *name, int lower_ifindex, int ns_fd);
int kmod_nl_addr6_add(int fd, int ifindex, const struct in6_addr *a, uint8_t plen);
/* dst/dst_len, a route of the given family through an IPv6 next hop on ifindex (an
 * IPv4 route with an IPv6 gateway, RFC 5549, is what spares the veth an IPv4 address),
 * or on-link if gw6 is NULL. src: RTA_PREFSRC (IPv4 only) or NULL. */
int kmod_nl_route_add(int fd, int family, const void *dst, uint8_t dst_len, int ifindex, const struct in6_addr *gw6,
                      uint32_t metric, const struct in_addr *src);
/* Send an nl_msg built elsewhere (ipxlat-nl.c) and wait for its ACK. Frees msg. */
int kmod_nl_send_msg(int fd, struct nl_msg *msg);
