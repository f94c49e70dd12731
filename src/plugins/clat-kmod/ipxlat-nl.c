/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ipxlat-nl.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <string.h>
#include <sys/socket.h>

struct nl_msg *ipxlat_nl_link_new(uint32_t seq, const char *name, uint32_t mtu) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        struct nl_msg *msg;
        struct nlattr *info;

        if (!name || strlen(name) >= 16)
                return NULL;
        msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        if (!msg)
                return NULL;
        nlmsg_hdr(msg)->nlmsg_seq = seq;
        if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 || nla_put_string(msg, IFLA_IFNAME, name) < 0 ||
            (mtu > 0 && nla_put_u32(msg, IFLA_MTU, mtu) < 0) || !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
            nla_put_string(msg, IFLA_INFO_KIND, IPXLAT_LINK_KIND) < 0 || nla_nest_end(msg, info) < 0) {
                nlmsg_free(msg);
                return NULL;
        }
        return msg;
}

struct nl_msg *ipxlat_nl_set_prefix(int family, uint32_t seq, int ifindex, const struct in6_addr *prefix,
                                    uint8_t prefix_len) {
        struct nl_msg *msg = nlmsg_alloc();

        if (!msg)
                return NULL;
        if (!genlmsg_put(msg, NL_AUTO_PORT, seq, family, 0, NLM_F_REQUEST | NLM_F_ACK, IPXLAT_CMD_DEV_SET,
                         IPXLAT_GENL_VERSION) ||
            nla_put_u32(msg, IPXLAT_A_IFINDEX, (uint32_t) ifindex) < 0 ||
            nla_put(msg, IPXLAT_A_PREFIX, sizeof(*prefix), prefix) < 0 ||
            nla_put_u8(msg, IPXLAT_A_PREFIX_LEN, prefix_len) < 0) {
                nlmsg_free(msg);
                return NULL;
        }
        return msg;
}
