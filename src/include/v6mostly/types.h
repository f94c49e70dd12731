/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The value types that the daemon, its plugins and the engine library (src/shared/engine)
 * share: NAT64 prefixes, .network settings, DHCPv4 and DNS facts, CLAT configuration and
 * counters. Types only: no functions, no callbacks, nothing but libc headers, so that a
 * translator or a parser can use them without pulling in sd-event or the plugin ABI.
 * plugin.h includes this file; its layouts are part of the plugin ABI all the same (bump
 * V6M_PLUGIN_ABI_VERSION on any incompatible change).
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Time values are CLOCK_BOOTTIME microseconds (sd_event_now(e, CLOCK_BOOTTIME, ...)),
 * so lifetimes keep running across suspend. */
#define V6M_USEC_INFINITY UINT64_MAX

enum v6m_tristate { /* auto|yes|no settings */
        V6M_AUTO,
        V6M_YES,
        V6M_NO,
};

enum v6m_client_id {
        V6M_CLIENT_ID_DUID,
        V6M_CLIENT_ID_MAC,
};

enum v6m_clat_backend {
        V6M_CLAT_BACKEND_EBPF,
        V6M_CLAT_BACKEND_TUN,
        V6M_CLAT_BACKEND_KMOD,
        _V6M_CLAT_BACKEND_MAX,
};

/* A NAT64 prefix (RFC 6052): len is one of 32, 40, 48, 56, 64, 96; bits past len are 0. */
struct v6m_nat64_prefix {
        struct in6_addr prefix;
        uint8_t len;
};

/* The settings of the .network file that matched a link (read-only for plugins).
 * Absent optional values: has_* false. */
struct v6m_network_config {
        const char *filename; /* the .network file, for status output */

        /* [Network] */
        bool dhcp4;              /* DHCPv4=yes|no, default yes */
        enum v6m_tristate clat;  /* CLAT=auto|yes|no, default auto */

        /* [DHCPv4] */
        enum v6m_tristate ipv6_only_preferred; /* IPv6OnlyPreferred=, default auto */
        enum v6m_client_id client_id;          /* ClientIdentifier=, default duid */
        bool send_release;                     /* SendRelease=, default yes */
        uint32_t route_metric;                 /* RouteMetric=, default 1024 */

        /* [NAT64] */
        bool has_static_prefix;
        struct v6m_nat64_prefix static_prefix; /* Prefix= */
        bool use_pref64;                       /* UsePREF64=, default yes */
        bool use_dns64;                        /* UseDNS64=, default yes */
        struct in6_addr *dns_servers;          /* DNS= (list), may be NULL */
        size_t n_dns_servers;

        /* [CLAT] */
        enum v6m_clat_backend backends[_V6M_CLAT_BACKEND_MAX]; /* Backend=, in order */
        size_t n_backends;                                     /* default: ebpf tun kmod */
        bool has_ipv4_address;
        struct in_addr ipv4_address; /* IPv4Address= */
        bool has_ipv6_address;
        struct in6_addr ipv6_address; /* IPv6Address= */
        uint32_t mtu;                 /* MTU=, 0 = derive from the uplink */
};

enum v6m_nat64_source {
        V6M_NAT64_SOURCE_RA,     /* PREF64 option in Router Advertisements (RFC 8781) */
        V6M_NAT64_SOURCE_DNS64,  /* ipv4only.arpa discovery (RFC 7050) */
        V6M_NAT64_SOURCE_STATIC, /* [NAT64] Prefix= */
        _V6M_NAT64_SOURCE_MAX,
};

enum v6m_dhcp4_state {
        V6M_DHCP4_DISABLED, /* DHCPv4=no, or no DHCPv4 plugin installed */
        V6M_DHCP4_PENDING,
        V6M_DHCP4_BOUND,
        V6M_DHCP4_V6ONLY, /* RFC 8925 option 108 received; no lease, waiting */
        V6M_DHCP4_FAILED,
        _V6M_DHCP4_STATE_MAX,
};

struct v6m_dhcp4_status {
        enum v6m_dhcp4_state state;
        struct in_addr address;      /* BOUND */
        uint8_t prefixlen;           /* BOUND */
        struct in_addr server;       /* BOUND, V6ONLY: the server that answered */
        uint64_t lease_expiry_usec;  /* BOUND: CLOCK_BOOTTIME */
        uint64_t v6only_until_usec;  /* V6ONLY: CLOCK_BOOTTIME end of V6ONLY_WAIT */
        const char *reason;          /* FAILED: why */
};

/* Where a link's DNS servers and search domains were learned. */
enum v6m_dns_source {
        V6M_DNS_SOURCE_RA,    /* RDNSS and DNSSL options in Router Advertisements (RFC 8106) */
        V6M_DNS_SOURCE_DHCP4, /* DHCPv4 options 6 and 15 */
        _V6M_DNS_SOURCE_MAX,
};

struct v6m_dns_server {
        int family; /* AF_INET or AF_INET6 */
        union {
                struct in_addr in;
                struct in6_addr in6;
        } address;
        int ifindex; /* scope of a link-local IPv6 server, else 0 */
};

/* What the core hands a CLAT backend when it starts one. */
struct v6m_clat_config {
        int uplink_ifindex;
        struct v6m_nat64_prefix nat64;
        struct in_addr ipv4_address;  /* RFC 7335 address, from 192.0.0.0/29 by default */
        struct in6_addr ipv6_address; /* dedicated CLAT IPv6 address (RFC 6877 6.3) */
        uint32_t mtu;                 /* IPv4-side MTU */
        uint32_t route_metric;        /* metric of the IPv4 default route */
};

#define V6M_CLAT_DROP_REASONS_MAX 32

struct v6m_clat_stats {
        uint64_t packets_4to6;
        uint64_t packets_6to4;
        size_t n_dropped;
        struct {
                const char *reason; /* static string owned by the plugin */
                uint64_t count;
        } dropped[V6M_CLAT_DROP_REASONS_MAX];
};

#ifdef __cplusplus
}
#endif
