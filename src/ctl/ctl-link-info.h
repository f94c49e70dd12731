/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "ctl-util.h"

typedef struct Nat64Candidate {
        char *prefix;
        char *source;
        uint64_t lifetime_remaining;
} Nat64Candidate;

typedef struct Nat64CandidateList {
        Nat64Candidate *items;
        size_t n;
} Nat64CandidateList;

typedef struct DropCounter {
        char *reason;
        uint64_t packets;
} DropCounter;

typedef struct ClatCounters {
        bool valid;
        uint64_t packets_4to6;
        uint64_t packets_6to4;
        DropCounter *drops;
        size_t n_drops;
} ClatCounters;

typedef struct LinkInfo {
        char *path;
        int ifindex;
        char *name;
        char *state;
        char *reason;
        char *network_file;

        char *dhcp4_state;
        char *dhcp4_address;
        char *dhcp4_server;
        uint64_t dhcp4_lease_remaining;
        uint64_t v6only_wait_remaining;

        char *nat64_prefix;
        char *nat64_prefix_source;
        char *nat64_prefix_origin;
        uint64_t nat64_prefix_lifetime_remaining;
        Nat64CandidateList nat64_candidates;

        char **dns_servers;
        char **search_domains;

        char *clat_state;
        char *clat_backend;
        char *clat_ipv4_address;
        char *clat_ipv6_address;
        uint32_t clat_mtu;
        char *clat_reason;
        ClatCounters clat_counters;
} LinkInfo;

typedef struct LinkList {
        LinkInfo *links;
        size_t n;
} LinkList;

void link_info_init(LinkInfo *info);
void link_info_done(LinkInfo *info);
void link_list_done(LinkList *l);

/* Fill `info` from the link object at info->path. On a bus error, `error` is set and the
 * caller decides how to report it. */
int link_info_load(sd_bus *bus, LinkInfo *info, bool want_counters, sd_bus_error *error);
/* The object path of a link given by name or ifindex. Bus errors are left in `error`. */
int link_lookup(sd_bus *bus, const char *link, sd_bus_error *error, char **ret_path);
/* The same, reporting bus errors. */
int link_get_path(sd_bus *bus, const char *link, char **ret_path);
/* Every link the daemon knows, sorted by ifindex; only ifindex, name and path are filled. */
int link_list_acquire(sd_bus *bus, LinkList *ret);
/* Load the properties of every link of `list`; links that vanished are dropped. */
int link_list_load(sd_bus *bus, LinkList *list, bool want_counters);

/* Call a Describe() method and return its JSON text. */
int call_describe(sd_bus *bus, const char *path, const char *interface, const char *link, char **ret);
/* Call a Describe() method and print its JSON text as --json= asks. */
int print_describe(sd_bus *bus, const char *path, const char *interface, const char *link);
/* Print a JSON array of the Link.Describe() objects of `paths` (`names` for messages). */
int print_json_links(sd_bus *bus, char *const *paths, char *const *names);
