/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv6 default routes from per-route rtnetlink messages: two links with a default route of
 * the same metric each keep theirs (the case libnl's route cache merges into one). */
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/route.h>

#include "route-table.h"
#include "test-util.h"

static struct nl_msg *route_msg(int type, int flags, const char *dst, const char *gateway, int ifindex,
                                uint32_t metric, int family) {
        struct rtnl_route *route = rtnl_route_alloc();
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        struct nl_addr *d = NULL, *g = NULL;
        struct nl_msg *msg = NULL;

        CHECK(route && nh);
        CHECK_OK(nl_addr_parse(dst, family, &d));
        CHECK_OK(nl_addr_parse(gateway, family, &g));
        CHECK_OK(rtnl_route_set_family(route, (uint8_t) family));
        CHECK_OK(rtnl_route_set_dst(route, d));
        rtnl_route_set_table(route, RT_TABLE_MAIN);
        CHECK_OK(rtnl_route_set_type(route, RTN_UNICAST));
        rtnl_route_set_priority(route, metric);
        rtnl_route_nh_set_ifindex(nh, ifindex);
        rtnl_route_nh_set_gateway(nh, g);
        rtnl_route_add_nexthop(route, nh);
        if (type == RTM_NEWROUTE)
                CHECK_OK(rtnl_route_build_add_request(route, flags, &msg));
        else
                CHECK_OK(rtnl_route_build_del_request(route, flags, &msg));
        nlmsg_set_proto(msg, NETLINK_ROUTE);
        nl_addr_put(d);
        nl_addr_put(g);
        rtnl_route_put(route);
        return msg;
}

static int apply(RouteTable *t, int type, int flags, const char *dst, const char *gateway, int ifindex,
                 uint32_t metric, int family) {
        struct nl_msg *msg = route_msg(type, flags, dst, gateway, ifindex, metric, family);
        int r = route_table_apply(t, msg);

        nlmsg_free(msg);
        return r;
}

int main(void) {
        RouteTable t = {};

        CHECK_EQ(apply(&t, RTM_NEWROUTE, NLM_F_CREATE, "::/0", "fe80::1", 2, 1024, AF_INET6), 1);
        CHECK_EQ(apply(&t, RTM_NEWROUTE, NLM_F_CREATE, "::/0", "fe80::2", 3, 1024, AF_INET6), 1);
        CHECK(route_table_has_default(&t, 2));
        CHECK(route_table_has_default(&t, 3));
        /* The same route again (a dump after an event) changes nothing. */
        CHECK_EQ(apply(&t, RTM_NEWROUTE, NLM_F_CREATE, "::/0", "fe80::2", 3, 1024, AF_INET6), 0);

        /* Not default routes, not IPv6: ignored. */
        CHECK_EQ(apply(&t, RTM_NEWROUTE, NLM_F_CREATE, "2001:db8::/64", "fe80::9", 4, 1024, AF_INET6), 0);
        CHECK_EQ(apply(&t, RTM_NEWROUTE, NLM_F_CREATE, "0.0.0.0/0", "192.0.2.1", 4, 0, AF_INET), 0);
        CHECK(!route_table_has_default(&t, 4));

        /* Deleting one link's route leaves the other's. */
        CHECK_EQ(apply(&t, RTM_DELROUTE, 0, "::/0", "fe80::2", 3, 1024, AF_INET6), 1);
        CHECK(route_table_has_default(&t, 2));
        CHECK(!route_table_has_default(&t, 3));
        CHECK_EQ(apply(&t, RTM_DELROUTE, 0, "::/0", "fe80::2", 3, 1024, AF_INET6), 0);

        /* A replacement does not say what it replaced: the caller must dump again. */
        CHECK_EQ(apply(&t, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, "::/0", "fe80::3", 3, 1024, AF_INET6),
                 -ESTALE);

        route_table_forget_ifindex(&t, 2);
        CHECK(!route_table_has_default(&t, 2));
        CHECK_EQ(t.n_routes, 0);
        route_table_clear(&t);
        return EXIT_SUCCESS;
}
