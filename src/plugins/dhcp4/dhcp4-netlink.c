/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Put a lease on the link and take it off again: address with lifetimes, routes with
 * protocol "dhcp", MTU. Synchronous requests on the plugin's own rtnetlink socket; the
 * core learns about the result from its own netlink subscription. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "dhcp4-internal.h"

/* A libnl result as 0 or a negative errno. */
static int nl_to_errno(int r) {
        if (r >= 0)
                return 0;
        switch (-r) {
        case NLE_EXIST:
                return -EEXIST;
        case NLE_OBJ_NOTFOUND:
        case NLE_NOADDR:
                return -ESRCH;
        case NLE_NOMEM:
                return -ENOMEM;
        case NLE_PERM:
                return -EPERM;
        case NLE_INVAL:
                return -EINVAL;
        case NLE_NODEV:
                return -ENODEV;
        case NLE_BUSY:
                return -EBUSY;
        default:
                return -EIO;
        }
}

int dhcp4_netlink_open(struct nl_sock **ret) {
        struct nl_sock *nl;
        int r;

        nl = nl_socket_alloc();
        if (!nl)
                return -ENOMEM;
        r = nl_connect(nl, NETLINK_ROUTE);
        if (r < 0) {
                nl_socket_free(nl);
                return nl_to_errno(r);
        }
        *ret = nl;
        return 0;
}

void dhcp4_netlink_close(struct nl_sock *nl) {
        if (nl)
                nl_socket_free(nl);
}

static int addr4(struct in_addr a, uint8_t prefixlen, struct nl_addr **ret) {
        struct nl_addr *n = nl_addr_build(AF_INET, &a.s_addr, 4);

        if (!n)
                return -ENOMEM;
        nl_addr_set_prefixlen(n, prefixlen);
        *ret = n;
        return 0;
}

int dhcp4_netlink_address(struct nl_sock *nl, int ifindex, bool add, struct in_addr addr, uint8_t prefixlen,
                          struct in_addr broadcast, uint32_t lifetime_s) {
        struct rtnl_addr *a = rtnl_addr_alloc();
        struct nl_addr *local = NULL, *bcast = NULL;
        int r = -ENOMEM;

        if (!a)
                goto finish;
        r = addr4(addr, prefixlen, &local);
        if (r < 0)
                goto finish;
        rtnl_addr_set_ifindex(a, ifindex);
        rtnl_addr_set_family(a, AF_INET);
        r = nl_to_errno(rtnl_addr_set_local(a, local));
        if (r < 0)
                goto finish;
        rtnl_addr_set_prefixlen(a, prefixlen);
        if (add) {
                if (broadcast.s_addr) {
                        r = addr4(broadcast, 32, &bcast);
                        if (r < 0)
                                goto finish;
                        (void) rtnl_addr_set_broadcast(a, bcast);
                }
                /* The kernel removes the address itself if we do not renew in time. */
                rtnl_addr_set_valid_lifetime(a, lifetime_s);
                rtnl_addr_set_preferred_lifetime(a, lifetime_s);
                r = rtnl_addr_add(nl, a, NLM_F_REPLACE);
        } else
                r = rtnl_addr_delete(nl, a, 0);
        r = nl_to_errno(r);
finish:
        nl_addr_put(bcast);
        nl_addr_put(local);
        rtnl_addr_put(a);
        return r;
}

int dhcp4_netlink_route(struct nl_sock *nl, int ifindex, bool add, const Dhcp4Route *route, uint32_t metric,
                        bool onlink) {
        struct rtnl_route *rt = rtnl_route_alloc();
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        struct nl_addr *dst = NULL, *gw = NULL;
        int r = -ENOMEM;

        if (!rt || !nh)
                goto finish;
        r = addr4(route->destination, route->prefixlen, &dst);
        if (r < 0)
                goto finish;
        rtnl_route_set_family(rt, AF_INET);
        rtnl_route_set_table(rt, RT_TABLE_MAIN);
        rtnl_route_set_protocol(rt, RTPROT_DHCP);
        rtnl_route_set_type(rt, RTN_UNICAST);
        rtnl_route_set_scope(rt, route->gateway.s_addr ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
        rtnl_route_set_priority(rt, metric);
        r = nl_to_errno(rtnl_route_set_dst(rt, dst));
        if (r < 0)
                goto finish;
        rtnl_route_nh_set_ifindex(nh, ifindex);
        if (route->gateway.s_addr) {
                r = addr4(route->gateway, 32, &gw);
                if (r < 0)
                        goto finish;
                rtnl_route_nh_set_gateway(nh, gw);
                if (onlink)
                        rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
        }
        rtnl_route_add_nexthop(rt, nh);
        nh = NULL; /* owned by the route now */
        r = add ? rtnl_route_add(nl, rt, NLM_F_EXCL) : rtnl_route_delete(nl, rt, 0);
        r = nl_to_errno(r);
finish:
        if (nh)
                rtnl_route_nh_free(nh);
        nl_addr_put(gw);
        nl_addr_put(dst);
        rtnl_route_put(rt);
        return r;
}

int dhcp4_netlink_mtu(struct nl_sock *nl, int ifindex, uint32_t mtu) {
        struct rtnl_link *orig = rtnl_link_alloc(), *change = rtnl_link_alloc();
        int r = -ENOMEM;

        if (!orig || !change)
                goto finish;
        rtnl_link_set_ifindex(orig, ifindex);
        rtnl_link_set_mtu(change, mtu);
        r = rtnl_link_change(nl, orig, change, 0);
        r = nl_to_errno(r);
finish:
        rtnl_link_put(orig);
        rtnl_link_put(change);
        return r;
}
