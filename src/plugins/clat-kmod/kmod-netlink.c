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

#define REQ_SIZE 1024

typedef struct Req {
        uint8_t buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
        struct nlmsghdr *h;
} Req;

static void *req_init(Req *r, uint16_t type, uint16_t flags, size_t hdr_len) {
        memset(r->buf, 0, sizeof(r->buf));
        r->h = (struct nlmsghdr *) r->buf;
        r->h->nlmsg_type = type;
        r->h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        r->h->nlmsg_len = NLMSG_LENGTH(hdr_len);
        return NLMSG_DATA(r->h);
}

static struct rtattr *put(Req *r, uint16_t type, const void *data, size_t len) {
        struct rtattr *a = (struct rtattr *) (r->buf + NLMSG_ALIGN(r->h->nlmsg_len));

        a->rta_type = type;
        a->rta_len = (unsigned short) RTA_LENGTH(len);
        if (len)
                memcpy(RTA_DATA(a), data, len);
        r->h->nlmsg_len = NLMSG_ALIGN(r->h->nlmsg_len) + RTA_ALIGN(a->rta_len);
        return a;
}

static void put_u32(Req *r, uint16_t type, uint32_t v) {
        put(r, type, &v, sizeof(v));
}

static void put_str(Req *r, uint16_t type, const char *s) {
        put(r, type, s, strlen(s) + 1);
}

static struct rtattr *nest(Req *r, uint16_t type) {
        return put(r, type, NULL, 0);
}

static void nest_end(Req *r, struct rtattr *a) {
        a->rta_len = (unsigned short) (r->buf + r->h->nlmsg_len - (uint8_t *) a);
}

static int transact(int fd, struct nlmsghdr *h) {
        return nl_transact(fd, h, NULL, NULL); /* req_init() asked for the ACK */
}

int kmod_nl_veth_new(int fd, const char *name, const char *peer, int peer_ns_fd) {
        Req r;
        struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
        struct rtattr *info, *data, *p;

        ifi->ifi_family = AF_UNSPEC;
        put_str(&r, IFLA_IFNAME, name);
        info = nest(&r, IFLA_LINKINFO);
        put_str(&r, IFLA_INFO_KIND, "veth");
        data = nest(&r, IFLA_INFO_DATA);
        p = nest(&r, VETH_INFO_PEER);
        /* The peer's ifinfomsg, then its attributes. */
        r.h->nlmsg_len += sizeof(struct ifinfomsg);
        put_str(&r, IFLA_IFNAME, peer);
        put_u32(&r, IFLA_NET_NS_FD, (uint32_t) peer_ns_fd);
        nest_end(&r, p);
        nest_end(&r, data);
        nest_end(&r, info);
        return transact(fd, r.h);
}

int kmod_nl_ipvlan_l3_new(int fd, const char *name, int lower_ifindex, int ns_fd) {
        Req r;
        struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
        struct rtattr *info, *data;
        uint16_t mode = IPVLAN_MODE_L3;

        ifi->ifi_family = AF_UNSPEC;
        put_str(&r, IFLA_IFNAME, name);
        put_u32(&r, IFLA_LINK, (uint32_t) lower_ifindex);
        put_u32(&r, IFLA_NET_NS_FD, (uint32_t) ns_fd);
        info = nest(&r, IFLA_LINKINFO);
        put_str(&r, IFLA_INFO_KIND, "ipvlan");
        data = nest(&r, IFLA_INFO_DATA);
        put(&r, IFLA_IPVLAN_MODE, &mode, sizeof(mode));
        nest_end(&r, data);
        nest_end(&r, info);
        return transact(fd, r.h);
}

int kmod_nl_addr6_add(int fd, int ifindex, const struct in6_addr *a, uint8_t plen) {
        Req r;
        struct ifaddrmsg *ifa = req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*ifa));

        *ifa = (struct ifaddrmsg) { .ifa_family = AF_INET6, .ifa_prefixlen = plen, .ifa_index = (uint32_t) ifindex,
                                    .ifa_flags = IFA_F_NODAD,
                                    .ifa_scope = a->s6_addr[0] == 0xfe ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE };
        put(&r, IFA_LOCAL, a, sizeof(*a));
        put(&r, IFA_ADDRESS, a, sizeof(*a));
        put_u32(&r, IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE * (plen == 128));
        return transact(fd, r.h);
}

int kmod_nl_route_add(int fd, int family, const void *dst, uint8_t dst_len, int ifindex, const struct in6_addr *gw6,
                      uint32_t metric, const struct in_addr *src) {
        Req r;
        struct rtmsg *rtm = req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));

        *rtm = (struct rtmsg) { .rtm_family = (unsigned char) family, .rtm_dst_len = dst_len,
                                .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_V6MOSTLY,
                                .rtm_scope = gw6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK, .rtm_type = RTN_UNICAST };
        if (dst_len > 0)
                put(&r, RTA_DST, dst, family == AF_INET ? 4 : 16);
        put_u32(&r, RTA_OIF, (uint32_t) ifindex);
        if (metric)
                put_u32(&r, RTA_PRIORITY, metric);
        if (src)
                put(&r, RTA_PREFSRC, src, 4);
        if (gw6 && family == AF_INET) {
                uint8_t via[2 + 16];
                uint16_t f = AF_INET6;

                memcpy(via, &f, 2);
                memcpy(via + 2, gw6, 16);
                put(&r, RTA_VIA, via, sizeof(via));
        } else if (gw6)
                put(&r, RTA_GATEWAY, gw6, 16);
        return transact(fd, r.h);
}

int kmod_nl_send_msg(int fd, struct nl_msg *msg) {
        int r = transact(fd, nlmsg_hdr(msg));

        nlmsg_free(msg);
        return r;
}
