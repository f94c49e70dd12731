/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The reasons a translator drops a packet, shared by every backend: the TUN backend and
 * the library count them in struct xlat_counters, the eBPF backend indexes its per-CPU
 * counter array with the same values. This header includes nothing on purpose, so that a
 * *.bpf.c program can include it too.
 *
 * The string names (xlat_drop_reason_to_string(), in xlat.h) are the keys of
 * "clat": {"counters": {"dropped": {...}}} in the JSON and on the bus: never renumber or
 * rename an entry, only append before _XLAT_DROP_MAX. */
#define XLAT_DROP_REASONS(X)                                                                      \
        X(XLAT_DROP_NONE, "none")                                  /* not dropped */              \
        X(XLAT_DROP_TRUNCATED, "truncated")                        /* shorter than its headers */ \
        X(XLAT_DROP_BAD_IP_VERSION, "bad-ip-version")                                             \
        X(XLAT_DROP_BAD_IPV4_HEADER, "bad-ipv4-header")            /* IHL, total length */        \
        X(XLAT_DROP_BAD_IPV4_CHECKSUM, "bad-ipv4-checksum")                                       \
        X(XLAT_DROP_IPV4_SOURCE_NOT_CLAT, "ipv4-source-not-clat")                                 \
        X(XLAT_DROP_IPV4_DESTINATION_INVALID, "ipv4-destination-invalid") /* 0/8, 127/8, mcast, bcast, CLAT itself */ \
        X(XLAT_DROP_IPV4_SOURCE_ROUTE, "ipv4-source-route")        /* RFC 7915 §4.1 */            \
        X(XLAT_DROP_BAD_IPV6_HEADER, "bad-ipv6-header")            /* payload length */           \
        X(XLAT_DROP_IPV6_DESTINATION_NOT_CLAT, "ipv6-destination-not-clat")                       \
        X(XLAT_DROP_IPV6_SOURCE_NOT_NAT64, "ipv6-source-not-nat64")                               \
        X(XLAT_DROP_IPV6_ROUTING_HEADER, "ipv6-routing-header")    /* segments left != 0, §5.1 */ \
        X(XLAT_DROP_IPV6_EXTENSION_HEADER, "ipv6-extension-header") /* malformed or misplaced */  \
        X(XLAT_DROP_IPV6_FRAGMENT_INVALID, "ipv6-fragment-invalid") /* offset overflows IPv4; RFC 8200 §4.5 length rules */ \
        X(XLAT_DROP_ICMP_WRONG_FAMILY, "icmp-wrong-family")        /* ICMPv6 in IPv4, ICMPv4 in IPv6 */ \
        X(XLAT_DROP_ICMP_UNTRANSLATABLE, "icmp-untranslatable")    /* type/code without equivalent */ \
        X(XLAT_DROP_ICMP_FRAGMENTED, "icmp-fragmented")            /* checksum needs the whole message */ \
        X(XLAT_DROP_ICMP_ERROR_INNER_INVALID, "icmp-error-inner-invalid")                         \
        X(XLAT_DROP_ICMP_ERROR_NESTED, "icmp-error-nested")        /* ICMP error inside an ICMP error */ \
        X(XLAT_DROP_UDP_ZERO_CHECKSUM_FRAGMENT, "udp-zero-checksum-fragment") /* §4.5 */          \
        X(XLAT_DROP_PACKET_TOO_BIG, "packet-too-big")              /* DF set, no reply possible */ \
        X(XLAT_DROP_OUTPUT_TOO_SMALL, "output-too-small")          /* caller's buffer */          \
        X(XLAT_DROP_BAD_CHECKSUM, "bad-checksum")                  /* ICMP checksum to verify */  \
        /* Reassembly of the CLAT's own fragmented ICMPv6 messages (frag-reasm.h): */            \
        X(XLAT_DROP_FRAGMENT_OVERLAP, "fragment-overlap")          /* RFC 5722: whole datagram */ \
        X(XLAT_DROP_FRAGMENT_DUPLICATE, "fragment-duplicate")      /* exact copy, RFC 8200 §4.5 */ \
        X(XLAT_DROP_FRAGMENT_TIMEOUT, "fragment-timeout")          /* incomplete after 5 s */     \
        X(XLAT_DROP_FRAGMENT_TABLE_FULL, "fragment-table-full")    /* datagram/memory budget */

#define XLAT_DROP_ENUM_ENTRY_(name, str) name,
enum xlat_drop_reason {
        XLAT_DROP_REASONS(XLAT_DROP_ENUM_ENTRY_)
        _XLAT_DROP_MAX,
        _XLAT_DROP_INVALID = -22, /* -EINVAL, without <errno.h> */
};
#undef XLAT_DROP_ENUM_ENTRY_
