/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "route-table.h"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/route.h>

#include "macro.h"

static ssize_t route_find(const RouteTable *t, const DefaultRoute *r) {
        for (size_t i = 0; i < t->n_routes; i++)
                if (t->routes[i].ifindex == r->ifindex && t->routes[i].metric == r->metric &&
                    memcmp(&t->routes[i].gateway, &r->gateway, sizeof(r->gateway)) == 0)
                        return (ssize_t) i;
        return -1;
}

static void route_remove_at(RouteTable *t, size_t i) {
        t->routes[i] = t->routes[t->n_routes - 1];
        t->n_routes--;
}

static int route_add(RouteTable *t, const DefaultRoute *r) {
        DefaultRoute *n;

        if (route_find(t, r) >= 0)
                return 0;
        n = reallocarray(t->routes, t->n_routes + 1, sizeof(DefaultRoute));
        if (!n)
                return -ENOMEM;
        t->routes = n;
        t->routes[t->n_routes++] = *r;
        return 1;
}

static int route_del(RouteTable *t, const DefaultRoute *r) {
        ssize_t i = route_find(t, r);

        if (i < 0)
                return 0;
        route_remove_at(t, (size_t) i);
        return 1;
}

typedef struct ParseContext {
        RouteTable *table;
        bool replace;
        int result;
} ParseContext;

static void parse_route_cb(struct nl_object *obj, void *userdata) {
        ParseContext *c = userdata;
        struct rtnl_route *route = (struct rtnl_route *) obj;
        struct nl_addr *dst = rtnl_route_get_dst(route);
        int type = nl_object_get_msgtype(obj), r;

        if (rtnl_route_get_family(route) != AF_INET6 || rtnl_route_get_table(route) != RT_TABLE_MAIN ||
            rtnl_route_get_type(route) != RTN_UNICAST || !dst || nl_addr_get_prefixlen(dst) != 0)
                return;

        if (type == RTM_NEWROUTE && c->replace) {
                /* Which route the kernel replaced is not in the message: ask again. */
                c->result = -ESTALE;
                return;
        }

        for (int i = 0; i < rtnl_route_get_nnexthops(route); i++) {
                struct rtnl_nexthop *nh = rtnl_route_nexthop_n(route, i);
                struct nl_addr *gw = nh ? rtnl_route_nh_get_gateway(nh) : NULL;
                DefaultRoute d = {
                        .ifindex = nh ? rtnl_route_nh_get_ifindex(nh) : 0,
                        .metric = rtnl_route_get_priority(route),
                };

                if (d.ifindex <= 0)
                        continue;
                if (gw && nl_addr_get_len(gw) == sizeof(d.gateway))
                        memcpy(&d.gateway, nl_addr_get_binary_addr(gw), sizeof(d.gateway));
                r = type == RTM_DELROUTE ? route_del(c->table, &d) : route_add(c->table, &d);
                if (r < 0 || c->result < 0)
                        c->result = c->result < 0 ? c->result : r;
                else
                        c->result |= r;
        }
}

int route_table_apply(RouteTable *t, struct nl_msg *msg) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        ParseContext c = {
                .table = t,
                .replace = h->nlmsg_type == RTM_NEWROUTE && (h->nlmsg_flags & NLM_F_REPLACE),
        };
        int r;

        if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
                return 0;
        r = nl_msg_parse(msg, parse_route_cb, &c);
        if (r < 0)
                return -EBADMSG;
        return c.result;
}

bool route_table_has_default(const RouteTable *t, int ifindex) {
        for (size_t i = 0; i < t->n_routes; i++)
                if (t->routes[i].ifindex == ifindex)
                        return true;
        return false;
}

void route_table_forget_ifindex(RouteTable *t, int ifindex) {
        for (size_t i = t->n_routes; i > 0; i--)
                if (t->routes[i - 1].ifindex == ifindex)
                        route_remove_at(t, i - 1);
}

void route_table_clear(RouteTable *t) {
        free(t->routes);
        *t = (RouteTable) {};
}
