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


struct nl_request {
        struct nlmsghdr h;
        union {
                struct ifinfomsg ifi;
                struct ifaddrmsg ifa;
                struct rtmsg rtm;
                struct ndmsg ndm;
        };
        uint8_t attrs[256];
};

static void add_attr(struct nl_request *req, uint16_t type, const void *data, size_t len) {
        struct rtattr *rta = (struct rtattr *) ((uint8_t *) req + NLMSG_ALIGN(req->h.nlmsg_len));

        rta->rta_type = type;
        rta->rta_len = (unsigned short) RTA_LENGTH(len);
        if (len)
                memcpy(RTA_DATA(rta), data, len);
        req->h.nlmsg_len = NLMSG_ALIGN(req->h.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void add_u32(struct nl_request *req, uint16_t type, uint32_t v) {
        add_attr(req, type, &v, sizeof(v));
}

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

/* Send one request; hand each reply message to `cb` (if any) until the ACK, the error or
 * the end of a dump. */
static int transact(int fd, struct nl_request *req, nl_reply_handler_t cb, void *userdata) {
        req->h.nlmsg_flags |= NLM_F_REQUEST | (cb ? 0 : NLM_F_ACK);
        return nl_transact(fd, &req->h, cb, userdata);
}

int tun_nl_link_delete_by_name(int fd, const char *name) {
        struct nl_request req = {
                .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_DELLINK },
        };

        add_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
        return transact(fd, &req, NULL, NULL);
}

int tun_nl_link_set(int fd, int ifindex, uint32_t mtu, bool up) {
        struct nl_request req = {
                .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK },
                .ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_change = IFF_UP,
                         .ifi_flags = up ? IFF_UP : 0 },
        };

        if (mtu)
                add_u32(&req, IFLA_MTU, mtu);
        return transact(fd, &req, NULL, NULL);
}

int tun_nl_addr4_add(int fd, int ifindex, const struct in_addr *address) {
        struct nl_request req = {
                .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = RTM_NEWADDR,
                       .nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE },
                .ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_scope = RT_SCOPE_UNIVERSE,
                         .ifa_index = (unsigned) ifindex },
        };

        add_attr(&req, IFA_LOCAL, address, 4);
        add_attr(&req, IFA_ADDRESS, address, 4);
        return transact(fd, &req, NULL, NULL);
}

int tun_nl_route4_default_add(int fd, int ifindex, uint32_t metric, const struct in_addr *src) {
        struct nl_request req = {
                .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)), .nlmsg_type = RTM_NEWROUTE,
                       .nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE },
                .rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_V6MOSTLY,
                         .rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST },
        };

        add_u32(&req, RTA_OIF, (uint32_t) ifindex);
        add_u32(&req, RTA_PRIORITY, metric);
        add_attr(&req, RTA_PREFSRC, src, 4);
        return transact(fd, &req, NULL, NULL);
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
        struct nl_request req = {
                .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)), .nlmsg_type = RTM_GETROUTE },
                .rtm = { .rtm_family = AF_INET6, .rtm_dst_len = 128 },
        };
        struct route_ctx c = {};
        int r;

        add_attr(&req, RTA_DST, dst, 16);
        r = transact(fd, &req, route_cb, &c);
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
        struct nl_request req = {
                .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)), .nlmsg_type = RTM_GETNEIGH },
                .ndm = { .ndm_family = AF_INET6, .ndm_ifindex = ifindex },
        };
        struct neigh_ctx c = {};
        int r;

        add_attr(&req, NDA_DST, addr, 16);
        r = transact(fd, &req, neigh_cb, &c);
        if (r < 0)
                return r;
        if (!c.has_mac)
                return -ENOENT;
        memcpy(ret_mac, c.mac, 6);
        *ret_state = c.state;
        return 0;
}
