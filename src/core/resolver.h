/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Name resolution for the host: each managed link's DNS servers and search domains (RA
 * RDNSS/DNSSL, the DHCPv4 lease) handed to the host's resolver through a resolver plugin
 * (systemd-resolved, resolvconf(8), a resolv.conf file), chosen per link from
 * v6mostlyd.conf [Resolve] Backend= like CLAT backends: the first installed plugin whose
 * probe succeeds; an apply that fails falls through to the next. */

#include <stdbool.h>
#include <stddef.h>

#include "json-writer.h"
#include "v6mostly/plugin.h"

typedef struct Link Link;
typedef struct Manager Manager;
typedef struct ResolverLink ResolverLink;

/* Per source and link: a router announcing more is capped, the rest counted. */
#define RESOLVER_SERVERS_MAX 16u
#define RESOLVER_DOMAINS_MAX 32u

/* What a source reported, validated and capped (resolver_dns_sanitize()). */
typedef struct ResolverDnsSet {
        struct v6m_dns_server *servers;
        size_t n_servers;
        char **domains; /* NULL when none */
} ResolverDnsSet;

void resolver_dns_set_done(ResolverDnsSet *set);

/* Check what a plugin reports before the core keeps it: servers that cannot be a
 * resolver (unspecified, loopback, multicast, broadcast) and domains that are not DNS
 * names are dropped, more than RESOLVER_SERVERS_MAX servers or RESOLVER_DOMAINS_MAX
 * domains are cut, each counted per reason on the link (JSON dns.dropped) and logged the
 * first time. Link-local IPv6 servers get the link's ifindex. Duplicates go silently. */
int resolver_dns_sanitize(Link *link, enum v6m_dns_source source, const struct v6m_dns_server *servers,
                          size_t n_servers, char *const *domains, ResolverDnsSet *ret);

/* The same server: family, address and (for link-local ones) interface. */
bool dns_server_equal(const struct v6m_dns_server *a, const struct v6m_dns_server *b);

/* Normalize a DNS name for a resolver: lowercase, no trailing dot, labels of 1..63
 * letters, digits, '-' or '_', at most 253 characters. -EINVAL if it is not one. */
int resolver_domain_normalize(const char *name, char *ret, size_t size);

/* Bring what the link's resolver backend holds in line with the link's facts: choose a
 * backend when there is none, apply on change, revert when nothing is left. Called at
 * the end of every re-derivation of the link. */
void resolver_link_update(Link *link);
/* Revert and forget (link unmanaged, removed, daemon stopping). */
void resolver_link_detach(Link *link);
/* An asynchronous apply failed (v6m_link_report_resolver()). */
void resolver_link_report_failed(Link *link, int error, const char *reason);
/* Choose every link's backend afresh (v6m_core_report_resolver_changed(), reload). */
void resolver_manager_changed(Manager *m);

/* v6mostlyd.conf was read again: links whose Backend= list changed choose afresh. */
void resolver_manager_reloaded(Manager *m);

/* "backend", "reason" and "dropped" of the JSON "dns" object. */
void resolver_link_json_write(const Link *link, JsonWriter *w);
/* The backend in use ("resolved", "resolvconf", "file"), NULL if none. */
const char *resolver_link_backend_str(const Link *link);
/* Why earlier backends (or all) were not used, NULL if nothing to say. */
const char *resolver_link_reason(const Link *link);
