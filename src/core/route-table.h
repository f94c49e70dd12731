/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl_sock;
struct nl_msg;

/* The host's IPv6 default routes (main table, unicast), one entry per route and nexthop,
 * kept from the kernel's own per-route RTM_NEWROUTE/RTM_DELROUTE messages.
 *
 * Why not libnl's route cache: it keys IPv6 routes without the output device and merges
 * same-metric routes into one multipath object, so two links that each have a default
 * route from their own router (metric 1024 both) collide; when both exist at start-up one
 * of them is simply lost. Per-message bookkeeping has no such ambiguity. */

typedef struct DefaultRoute {
        int ifindex;
        struct in6_addr gateway;
        uint32_t metric;
} DefaultRoute;

typedef struct RouteTable {
        DefaultRoute *routes;
        size_t n_routes;
} RouteTable;

/* Apply one rtnetlink message (RTM_NEWROUTE/RTM_DELROUTE, dump or event). Returns 1 if the
 * table changed, 0 if not (other families, tables, prefixes), -ESTALE for a replacement
 * (the message does not say which route it replaced: dump again), other negative errno
 * on failure. */
int route_table_apply(RouteTable *t, struct nl_msg *msg);
bool route_table_has_default(const RouteTable *t, int ifindex);
void route_table_forget_ifindex(RouteTable *t, int ifindex);
void route_table_clear(RouteTable *t);
