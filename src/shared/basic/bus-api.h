/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bus API of docs/dbus-api.md, as both sides spell it: v6mostlyd (src/core/bus-*.c)
 * and v6mostlyctl (src/ctl). Header only, and it includes nothing: the names, the link
 * states and the link properties. Never rename or reorder what is here without
 * docs/dbus-api.md: scripts and other clients use these names. */

/* BUS_NAME ("org.v6mostly1") comes from config.h, which meson.build makes and includes in
 * every compile: the name is set in one place. */
#ifndef BUS_NAME
#error "BUS_NAME is not defined: build with meson (config.h)"
#endif

#define BUS_MANAGER_PATH "/org/v6mostly1"
#define BUS_MANAGER_INTERFACE "org.v6mostly1.Manager"
#define BUS_LINK_INTERFACE "org.v6mostly1.Link"
/* A link's object is BUS_LINK_PATH_PREFIX "/<ifindex>". */
#define BUS_LINK_PATH_PREFIX "/org/v6mostly1/link"
#define BUS_ERROR_NO_SUCH_LINK "org.v6mostly1.Error.NoSuchLink"
#define BUS_ERROR_NOT_MANAGED "org.v6mostly1.Error.NotManaged"

/* The values of the link property State (and of "state" in the JSON), in the order of
 * LinkState (src/core/link-state.h): X(ID, "name") for LINK_STATE_ID. */
#define V6M_LINK_STATES(X)                 \
        X(UNMANAGED, "unmanaged")          \
        X(PENDING, "pending")              \
        X(CONFIGURING, "configuring")      \
        X(DUAL_STACK, "dual-stack")        \
        X(IPV6_ONLY, "ipv6-only")          \
        X(IPV6_MOSTLY, "ipv6-mostly")      \
        X(DEGRADED, "degraded")            \
        X(FAILED, "failed")

/* Every property of org.v6mostly1.Link, in the order of the vtable (and of the names in
 * PropertiesChanged): X(field, "Name", "signature", KIND). `field` names the property in
 * C: the daemon's getter and change-detection function, the CLI's LinkInfo member. KIND:
 *   CONST   never changes (SD_BUS_VTABLE_PROPERTY_CONST);
 *   STRING  a string rendered by one function, for Get and for change detection;
 *   CHANGE  emits PropertiesChanged, rendered to a string for change detection only;
 *   PLAIN   read on demand, never signalled (remaining times, counters). */
#define V6M_LINK_PROPERTIES(X)                                                       \
        X(ifindex, "Ifindex", "i", CONST)                                            \
        X(name, "Name", "s", STRING)                                                 \
        X(state, "State", "s", STRING)                                               \
        X(reason, "Reason", "s", STRING)                                             \
        X(network_file, "NetworkFile", "s", STRING)                                  \
        X(dhcp4_state, "DHCPv4State", "s", STRING)                                   \
        X(dhcp4_address, "DHCPv4Address", "s", STRING)                               \
        X(dhcp4_server, "DHCPv4Server", "s", STRING)                                 \
        X(dhcp4_lease_remaining, "DHCPv4LeaseRemaining", "t", PLAIN)                 \
        X(v6only_wait_remaining, "V6OnlyWaitRemaining", "t", PLAIN)                  \
        X(nat64_prefix, "NAT64Prefix", "s", STRING)                                  \
        X(nat64_prefix_source, "NAT64PrefixSource", "s", STRING)                     \
        X(nat64_prefix_origin, "NAT64PrefixOrigin", "s", STRING)                     \
        X(nat64_prefix_lifetime_remaining, "NAT64PrefixLifetimeRemaining", "t", PLAIN) \
        X(nat64_candidates, "NAT64Candidates", "a(sst)", CHANGE)                     \
        X(dns_servers, "DNSServers", "as", CHANGE)                                   \
        X(search_domains, "SearchDomains", "as", CHANGE)                             \
        X(clat_state, "CLATState", "s", STRING)                                      \
        X(clat_backend, "CLATBackend", "s", STRING)                                  \
        X(clat_ipv4_address, "CLATIPv4Address", "s", STRING)                         \
        X(clat_ipv6_address, "CLATIPv6Address", "s", STRING)                         \
        X(clat_mtu, "CLATMTU", "u", CHANGE)                                          \
        X(clat_reason, "CLATReason", "s", STRING)                                    \
        X(clat_counters, "CLATCounters", "(tta{st})", PLAIN)
