/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nl-transact.h"
#include "tun-netlink.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


int tun_nl_open(void) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        int fd, one = 1;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int tun_nl_link_delete_by_name(int fd, const char *name) {
        NlRequest r;

        nl_request_init(&r, RTM_DELLINK, NLM_F_ACK, sizeof(struct ifinfomsg));
        nl_request_put_string(&r, IFLA_IFNAME, name);
        return nl_request_transact(fd, &r, NULL, NULL);
}

int tun_nl_link_set(int fd, int ifindex, uint32_t mtu, bool up) {
        NlRequest r;
        struct ifinfomsg *ifi = nl_request_init(&r, RTM_NEWLINK, NLM_F_ACK, sizeof(*ifi));

        *ifi = (struct ifinfomsg) { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_change = IFF_UP,
                                    .ifi_flags = up ? IFF_UP : 0 };
        if (mtu)
                nl_request_put_u32(&r, IFLA_MTU, mtu);
        return nl_request_transact(fd, &r, NULL, NULL);
}

int tun_nl_addr4_add(int fd, int ifindex, const struct in_addr *address) {
        NlRequest r;
        struct ifaddrmsg *ifa = nl_request_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
                                                sizeof(*ifa));

        *ifa = (struct ifaddrmsg) { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_scope = RT_SCOPE_UNIVERSE,
                                    .ifa_index = (unsigned) ifindex };
        nl_request_put(&r, IFA_LOCAL, address, 4);
        nl_request_put(&r, IFA_ADDRESS, address, 4);
        return nl_request_transact(fd, &r, NULL, NULL);
}

int tun_nl_route4_default_add(int fd, int ifindex, uint32_t metric, const struct in_addr *src) {
        NlRequest r;
        struct rtmsg *rtm = nl_request_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, sizeof(*rtm));

        *rtm = (struct rtmsg) { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_V6MOSTLY,
                                .rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST };
        nl_request_put_u32(&r, RTA_OIF, (uint32_t) ifindex);
        nl_request_put_u32(&r, RTA_PRIORITY, metric);
        nl_request_put(&r, RTA_PREFSRC, src, 4);
        return nl_request_transact(fd, &r, NULL, NULL);
}

struct route_ctx {
        struct in6_addr gateway;
        int oif;
};

static int route_cb(struct nlmsghdr *h, void *userdata) {
        struct route_ctx *c = userdata;
        struct rtmsg *rtm = NLMSG_DATA(h);
        int len = (int) RTM_PAYLOAD(h);

        if (h->nlmsg_type != RTM_NEWROUTE)
                return 0;
        for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
                if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == 16)
                        memcpy(&c->gateway, RTA_DATA(a), 16);
                else if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == 4)
                        memcpy(&c->oif, RTA_DATA(a), 4);
        }
        return 0;
}

int tun_nl_route6_get(int fd, const struct in6_addr *dst, struct in6_addr *ret_gateway, int *ret_oif) {
        NlRequest req;
        struct rtmsg *rtm = nl_request_init(&req, RTM_GETROUTE, 0, sizeof(*rtm));
        struct route_ctx c = {};
        int r;

        *rtm = (struct rtmsg) { .rtm_family = AF_INET6, .rtm_dst_len = 128 };
        nl_request_put(&req, RTA_DST, dst, 16);
        r = nl_request_transact(fd, &req, route_cb, &c);
        if (r < 0)
                return r;
        *ret_gateway = c.gateway;
        *ret_oif = c.oif;
        return 0;
}

struct neigh_ctx {
        uint8_t mac[6];
        bool has_mac;
        uint16_t state;
};

static int neigh_cb(struct nlmsghdr *h, void *userdata) {
        struct neigh_ctx *c = userdata;
        struct ndmsg *ndm = NLMSG_DATA(h);
        int len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*ndm)));

        if (h->nlmsg_type != RTM_NEWNEIGH)
                return 0;
        c->state = ndm->ndm_state;
        for (struct rtattr *a = (struct rtattr *) ((uint8_t *) ndm + NLMSG_ALIGN(sizeof(*ndm))); RTA_OK(a, len);
             a = RTA_NEXT(a, len))
                if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
                        memcpy(c->mac, RTA_DATA(a), 6);
                        c->has_mac = true;
                }
        return 0;
}

int tun_nl_neigh6_get(int fd, int ifindex, const struct in6_addr *addr, uint8_t ret_mac[static 6], uint16_t *ret_state) {
        NlRequest req;
        struct ndmsg *ndm = nl_request_init(&req, RTM_GETNEIGH, 0, sizeof(*ndm));
        struct neigh_ctx c = {};
        int r;

        *ndm = (struct ndmsg) { .ndm_family = AF_INET6, .ndm_ifindex = ifindex };
        nl_request_put(&req, NDA_DST, addr, 16);
        r = nl_request_transact(fd, &req, neigh_cb, &c);
        if (r < 0)
                return r;
        if (!c.has_mac)
                return -ENOENT;
        memcpy(ret_mac, c.mac, 6);
        *ret_state = c.state;
        return 0;
}
