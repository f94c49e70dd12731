/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "kmod-netlink.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <sys/socket.h>

#include "nl-transact.h"
#include "tun-netlink.h"

int kmod_nl_veth_new(int fd, const char *name, const char *peer, int peer_ns_fd) {
        NlRequest r;
        struct ifinfomsg *ifi = nl_request_init(&r, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
        struct rtattr *info, *data, *p;

        ifi->ifi_family = AF_UNSPEC;
        nl_request_put_string(&r, IFLA_IFNAME, name);
        info = nl_request_nest_begin(&r, IFLA_LINKINFO);
        nl_request_put_string(&r, IFLA_INFO_KIND, "veth");
        data = nl_request_nest_begin(&r, IFLA_INFO_DATA);
        p = nl_request_nest_begin(&r, VETH_INFO_PEER);
        /* The peer's ifinfomsg, then its attributes. */
        nl_request_reserve(&r, sizeof(struct ifinfomsg));
        nl_request_put_string(&r, IFLA_IFNAME, peer);
        nl_request_put_u32(&r, IFLA_NET_NS_FD, (uint32_t) peer_ns_fd);
        nl_request_nest_end(&r, p);
        nl_request_nest_end(&r, data);
        nl_request_nest_end(&r, info);
        return nl_request_transact(fd, &r, NULL, NULL);
}

int kmod_nl_ipvlan_l3_new(int fd, const char *name, int lower_ifindex, int ns_fd) {
        NlRequest r;
        struct ifinfomsg *ifi = nl_request_init(&r, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
        struct rtattr *info, *data;
        uint16_t mode = IPVLAN_MODE_L3;

        ifi->ifi_family = AF_UNSPEC;
        nl_request_put_string(&r, IFLA_IFNAME, name);
        nl_request_put_u32(&r, IFLA_LINK, (uint32_t) lower_ifindex);
        nl_request_put_u32(&r, IFLA_NET_NS_FD, (uint32_t) ns_fd);
        info = nl_request_nest_begin(&r, IFLA_LINKINFO);
        nl_request_put_string(&r, IFLA_INFO_KIND, "ipvlan");
        data = nl_request_nest_begin(&r, IFLA_INFO_DATA);
        nl_request_put(&r, IFLA_IPVLAN_MODE, &mode, sizeof(mode));
        nl_request_nest_end(&r, data);
        nl_request_nest_end(&r, info);
        return nl_request_transact(fd, &r, NULL, NULL);
}

int kmod_nl_addr6_add(int fd, int ifindex, const struct in6_addr *a, uint8_t plen) {
        NlRequest r;
        struct ifaddrmsg *ifa = nl_request_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, sizeof(*ifa));

        *ifa = (struct ifaddrmsg) { .ifa_family = AF_INET6, .ifa_prefixlen = plen, .ifa_index = (uint32_t) ifindex,
                                    .ifa_flags = IFA_F_NODAD,
                                    .ifa_scope = a->s6_addr[0] == 0xfe ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE };
        nl_request_put(&r, IFA_LOCAL, a, sizeof(*a));
        nl_request_put(&r, IFA_ADDRESS, a, sizeof(*a));
        nl_request_put_u32(&r, IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE * (plen == 128));
        return nl_request_transact(fd, &r, NULL, NULL);
}

int kmod_nl_route_add(int fd, int family, const void *dst, uint8_t dst_len, int ifindex, const struct in6_addr *gw6,
                      uint32_t metric, const struct in_addr *src) {
        NlRequest r;
        struct rtmsg *rtm = nl_request_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));

        *rtm = (struct rtmsg) { .rtm_family = (unsigned char) family, .rtm_dst_len = dst_len,
                                .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_V6MOSTLY,
                                .rtm_scope = gw6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK, .rtm_type = RTN_UNICAST };
        if (dst_len > 0)
                nl_request_put(&r, RTA_DST, dst, family == AF_INET ? 4 : 16);
        nl_request_put_u32(&r, RTA_OIF, (uint32_t) ifindex);
        if (metric)
                nl_request_put_u32(&r, RTA_PRIORITY, metric);
        if (src)
                nl_request_put(&r, RTA_PREFSRC, src, 4);
        if (gw6 && family == AF_INET) {
                uint8_t via[2 + 16];
                uint16_t f = AF_INET6;

                memcpy(via, &f, 2);
                memcpy(via + 2, gw6, 16);
                nl_request_put(&r, RTA_VIA, via, sizeof(via));
        } else if (gw6)
                nl_request_put(&r, RTA_GATEWAY, gw6, 16);
        return nl_request_transact(fd, &r, NULL, NULL);
}

int kmod_nl_send_msg(int fd, struct nl_msg *msg) {
        int r = nl_transact(fd, nlmsg_hdr(msg), NULL, NULL); /* the builder asked for the ACK */

        nlmsg_free(msg);
        return r;
}
