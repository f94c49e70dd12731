/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The in-kernel stateless translation device proposed for net-next in 2026 ("ipxlat"):
 * a netdevice created with rtnetlink (RTM_NEWLINK, IFLA_INFO_KIND "ipxlat") and given
 * its translation prefix through the generic netlink family "ipxlat".
 *
 * PROVISIONAL. No released kernel has it and its UAPI header is not final; the command
 * and attribute numbers below are our reading of the proposal, kept in this one place.
 * The plugin uses this path only when the running kernel both knows the link kind and
 * has the family (run-time detection), so a kernel without it never sees these
 * messages. test/unit/test-clat-kmod-nl.c pins the bytes we send. When the device is
 * merged, check these numbers against include/uapi/linux/ipxlat.h. */

#include <netinet/in.h>
#include <netlink/msg.h>
#include <stdint.h>

#define IPXLAT_LINK_KIND "ipxlat"
#define IPXLAT_GENL_FAMILY "ipxlat"
#define IPXLAT_GENL_VERSION 1

enum {
        IPXLAT_CMD_UNSPEC,
        IPXLAT_CMD_DEV_GET,
        IPXLAT_CMD_DEV_SET,
};

enum {
        IPXLAT_A_UNSPEC,
        IPXLAT_A_IFINDEX,    /* u32 */
        IPXLAT_A_PREFIX,     /* binary, struct in6_addr */
        IPXLAT_A_PREFIX_LEN, /* u8: 32, 40, 48, 56, 64 or 96 (RFC 6052) */
};

/* RTM_NEWLINK (create, exclusive) for a device of kind "ipxlat" named name. */
struct nl_msg *ipxlat_nl_link_new(uint32_t seq, const char *name, uint32_t mtu);
/* IPXLAT_CMD_DEV_SET: the translation prefix of the device ifindex. */
struct nl_msg *ipxlat_nl_set_prefix(int family, uint32_t seq, int ifindex, const struct in6_addr *prefix,
                                    uint8_t prefix_len);
