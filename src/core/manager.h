/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "daemon-config.h"
#include "network-config.h"
#include "plugin-loader.h"
#include "route-table.h"

typedef struct Link Link;

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_event_source *bus_reconnect_timer;
        sd_event_source *sigterm_source, *sigint_source, *sighup_source;
        sd_event_source *dispatch_source; /* deferred: re-derive dirty links */

        struct nl_sock *nl_sock;      /* multicast events, owned by the cache manager */
        struct nl_sock *nl_sync_sock; /* resync after overflow */
        struct nl_cache_mngr *nl_mngr;
        struct nl_cache *link_cache, *addr_cache;
        sd_event_source *nl_source;
        bool nl_changed;

        /* IPv6 default routes, from their own socket (see route-table.h). */
        struct nl_sock *route_sock;
        sd_event_source *route_source;
        RouteTable routes;
        RouteTable routes_dump; /* filled while a dump runs, then swapped in */
        bool routes_dumping;

        Link *links; /* list */
        size_t n_links;

        char **network_dirs;
        NetworkConfig **networks;
        size_t n_networks;
        char *config_file;
        DaemonConfig daemon_config;
        int log_level_override; /* --log-level, or -1 */

        PluginSet plugins;
        char *plugin_dir;
        char *runtime_dir;
        char *state_dir;
        uint8_t clat_secret[16]; /* RFC 7217 secret_key of the CLAT IPv6 addresses */
        bool has_clat_secret;

        bool ready;
        bool exiting;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        manager_free(*m);
}

/* Load config and plugins, connect netlink and the bus, enumerate links. */
int manager_start(Manager *m);
int manager_run(Manager *m);
/* Re-read v6mostlyd.conf and .network files and re-apply; working links whose config
 * is unchanged are untouched. */
int manager_reload(Manager *m);

Link *manager_get_link(Manager *m, int ifindex);
Link *manager_get_link_by_name(Manager *m, const char *name);

/* Queue a re-derivation of dirty links for the next event-loop iteration. */
void manager_schedule_dispatch(Manager *m);
void manager_update_status(Manager *m);

uint64_t manager_now(Manager *m); /* CLOCK_BOOTTIME usec */

/* manager-netlink.c: the kernel's links, addresses and IPv6 default routes. */

/* Open the sockets and caches and watch them (links are created by the first sync). */
int manager_netlink_connect(Manager *m);
/* Bring the links in line with the caches and recompute every link's netlink facts. */
void manager_netlink_sync(Manager *m);
void manager_netlink_done(Manager *m);
/* Some interface of the host (or another link's CLAT) holds this IPv4 address; the
 * CLAT device of `self` does not count. */
bool manager_ipv4_address_in_use(Manager *m, const struct in_addr *address, const Link *self);
