/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Stateless IP/ICMP translation (RFC 7915) with host-side CLAT semantics (RFC 6877).
 *
 * Pure code, no daemon state: a validated, read-only `struct xlat` (share it between
 * worker threads), packets in, packets out, a verdict and a named drop reason per packet.
 * Counters live with the caller (struct xlat_counters, one per worker, summed for stats).
 *
 * Address mapping (one CLAT, one local side):
 *   4→6  source      MUST be the CLAT IPv4 address       → the CLAT IPv6 address
 *                    (anything else: XLAT_DROP_IPV4_SOURCE_NOT_CLAT)
 *        destination any unicast IPv4                    → embedded in the NAT64 prefix
 *   6→4  destination MUST be the CLAT IPv6 address       → the CLAT IPv4 address
 *        source      MUST be under the NAT64 prefix      → the embedded IPv4 address
 *                    except for ICMPv6 errors from routers on the path (not under the
 *                    prefix): their IPv4 source becomes 192.0.0.8 (RFC 7600 "IPv4 dummy
 *                    address", the RFC 6791 approach RFC 7915 §5.1 points to for ICMPv6
 *                    errors whose source cannot be mapped) — this is what keeps
 *                    traceroute and PMTU discovery working through a CLAT.
 *   Packets inside ICMP errors are mapped the other way round (they were sent by the
 *   other side), with the same two rules.
 *
 * A host-side translator is not a router hop: TTL and Hop Limit are copied unchanged,
 * never decremented, and no ICMP Time Exceeded is ever generated here. (A router-side
 * SIIT decrements them, RFC 7915 §4.1/§5.1; on a host the IPv4 stack and the IPv6 uplink
 * are the same node, so decrementing would only make traceroute show a phantom hop.)
 *
 * MTU (config.ipv6_mtu = the uplink's IPv6 MTU, the "next-hop MTU" of RFC 7915 §4.1):
 *   - an IPv4 packet with DF set whose translation exceeds it is not translated: the
 *     verdict is XLAT_VERDICT_REPLY and the output is an ICMPv4 Fragmentation Needed
 *     (type 3 code 4, source 192.0.0.8, next-hop MTU = ipv6_mtu - 20) for the sender;
 *   - an IPv4 packet with DF clear whose translation exceeds config.lowest_ipv6_mtu
 *     (default 1280, as RFC 7915 §4.1 says: nobody will do PMTU discovery for it) is
 *     fragmented: several IPv6 packets, each with a Fragment header and at most
 *     lowest_ipv6_mtu bytes;
 *   - an IPv4 packet with DF clear that fits, and is not a fragment, gets NO Fragment
 *     header (RFC 7915 §4: "When the IPv4 sender does not set the DF bit, the
 *     translator MUST NOT include the Fragment Header for the non-fragmented IPv6
 *     packets"; RFC 8021 deprecates atomic fragments);
 *   - XLAT_F_GSO packets are never checked against the MTU nor fragmented.
 *   6→4 never checks an MTU: the IPv4 side is the local stack. The IPv4 header gets, per
 *   RFC 7915 §5.1.1: for a packet with a Fragment header (a fragment, or an atomic
 *   fragment: offset 0, M clear), the low 16 bits of the IPv6 Identification, MF and
 *   offset, DF clear; otherwise (§5.1) DF set and Identification 0 (an atomic datagram,
 *   RFC 6864) when the packet is over 1260 bytes or a GSO packet, else DF clear and an
 *   Identification hashed from addresses, length and the first 8 transport bytes (the
 *   "Fragment Identification generator" of §5.1, without state). An atomic fragment is
 *   otherwise a whole datagram (its ICMP checksum is translated like any other).
 *
 * ICMP errors (RFC 7915 §4.2/§4.3, §5.2/§5.3) are translated with the packet inside
 * them, truncated so that the result is at most 1280 bytes for ICMPv6 (RFC 4443 §2.4
 * (c)) and 576 bytes for ICMPv4 (RFC 1812 §4.3.2.3), as the ICMPv4 errors the translator
 * makes itself. An RFC 4884 extension
 * (MPLS label stack, interface information...) behind a consistent Length attribute is
 * kept as it is after the translated packet, which is laid out to the other family's
 * rules (64-bit words for ICMPv6, 32-bit words for ICMPv4, at least 128 octets; RFC 4884
 * §4) with the Length attribute recomputed (§4.2/§5.2 "ICMP Error Payload"): zero
 * padding only where the datagram needs it (the whole packet in error up to the unit,
 * anything up to 128 octets), a quote cut short is cut back to the unit; the received
 * padding is never carried over. The packet is shortened
 * before the extension is, and an extension that does not fit even then, or that the
 * translated type cannot carry (Packet Too Big, Parameter Problem), is dropped (Length
 * 0). A Length attribute inconsistent with the message is ignored: everything after the
 * ICMP header is quoted as the packet, Length 0. Packet Too Big
 * and Fragmentation Needed get the MTU adjusted by the header size difference and capped
 * by config.ipv6_mtu (§4.2: plateau table for an MTU of 0). An IPv6 Routing header with
 * Segments Left != 0 is answered (verdict REPLY) with an ICMPv6 Parameter Problem from
 * the CLAT IPv6 address; an IPv4 unexpired source route with Destination Unreachable /
 * Source Route Failed from 192.0.0.8.
 *
 * Other upper layers (No Next Header, GRE, ESP, AH, SCTP, UDP-Lite, ...) are translated
 * with their payload unchanged, the protocol copied (§4.1 "Next Header", §5.1
 * "Protocol": the last Next Header after the extension headers), as §4.5 asks:
 * "translators MUST forward all transport protocols"; their checksums are not touched
 * (§4.5: "Other transport protocols (e.g., ... DCCP) are OPTIONAL to support"), so the
 * few that cover a pseudo-header (UDP-Lite, DCCP) arrive with the old one. An IPv6
 * packet with Payload Length 0 is translated unless it is a jumbogram (Hop-by-Hop
 * first).
 *
 * Checksums: TCP and UDP checksums are adjusted incrementally (RFC 1624) for the change
 * of pseudo-header, never recomputed over the payload. With XLAT_F_CSUM_PARTIAL the L4
 * checksum field holds only the pseudo-header sum (CHECKSUM_PARTIAL, virtio_net_hdr
 * VIRTIO_NET_HDR_F_NEEDS_CSUM) and stays a correct partial sum; the caller then moves
 * csum_start to packets[i].l4_offset (csum_offset is unchanged for TCP/UDP) and hdr_len
 * to packets[i].hdr_len, turns gso_type TCPV4 into TCPV6 (and back), and keeps
 * NEEDS_CSUM only where packets[i].csum_partial says so (a DF-clear packet that must be
 * fragmented gets its checksum completed first: a device cannot sum across fragments). Exception: an
 * IPv4 UDP datagram with checksum 0 (and no XLAT_F_CSUM_PARTIAL) gets a full checksum
 * computed (RFC 7915 §4.5); if it is a fragment, that is impossible and it is dropped.
 * ICMP checksums are adjusted incrementally too (type/code and, for ICMPv6, the
 * pseudo-header), except for ICMP errors, whose inner packet is rewritten: those are
 * recomputed over the (short) message and always leave complete, whatever the flags
 * (the kernel never hands out ICMP errors with CHECKSUM_PARTIAL). An IPv6 UDP datagram
 * with checksum 0 (invalid in IPv6) is passed on with checksum 0 ("none" in IPv4). */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "v6mostly/types.h"
#include "xlat-drop-reason.h"

/* 192.0.0.8, RFC 7600: source of the ICMPv4 messages the translator makes or maps. */
#define XLAT_IPV4_DUMMY_ADDRESS ((uint32_t) 0xc0000008U) /* host byte order */

#define XLAT_IPV6_MIN_MTU 1280U

/* Room the in-place 4→6 variant needs in front of the packet: IPv6 header growth (20),
 * a Fragment header (8), and the same again for the packet inside an ICMP error. */
#define XLAT_HEADROOM 64U

/* Output packets per input packet: a 65535-byte IPv4 datagram cut into fragments for an
 * IPv6 MTU of 1280 (1232 bytes of data each) makes 54. */
#define XLAT_PACKETS_MAX 64U

/* Extra bytes per IPv6 fragment over the IPv4 input (IPv6 header + Fragment header). */
#define XLAT_FRAGMENT_OVERHEAD 48U

enum xlat_direction {
        XLAT_4TO6,
        XLAT_6TO4,
        _XLAT_DIRECTION_MAX,
        _XLAT_DIRECTION_INVALID = -EINVAL,
};

enum xlat_verdict {
        XLAT_VERDICT_TRANSLATED, /* packets[] hold the translation (other family) */
        XLAT_VERDICT_REPLY,      /* packets[0] goes back to the sender (same family) */
        XLAT_VERDICT_DROP,       /* see drop_reason */
        _XLAT_VERDICT_MAX,
        _XLAT_VERDICT_INVALID = -EINVAL,
};

/* Input flags. */
enum {
        /* A GSO super-packet (TSO/USO): lengths may exceed the MTU; never fragmented,
         * never answered with Fragmentation Needed. */
        XLAT_F_GSO = 1U << 0,
        /* The TCP/UDP checksum field holds the pseudo-header sum only (see above). */
        XLAT_F_CSUM_PARTIAL = 1U << 1,
};

struct xlat_config {
        struct v6m_nat64_prefix nat64_prefix; /* RFC 6052, /32 /40 /48 /56 /64 /96 */
        struct in_addr clat_ipv4;             /* the local IPv4 side, e.g. 192.0.0.1 */
        struct in6_addr clat_ipv6;            /* its dedicated IPv6 address */
        uint32_t ipv6_mtu;                    /* uplink IPv6 MTU; 0 means 1280 */
        uint32_t lowest_ipv6_mtu;             /* RFC 7915 §4.1 "lowest-ipv6-mtu": size of the
                                               * fragments made of DF-clear packets; 0 means
                                               * 1280; capped by ipv6_mtu */
};

/* Validated configuration; read-only while translating. Fill with xlat_init(). */
struct xlat {
        struct xlat_config config;
        uint32_t ipv6_mtu;        /* effective, >= 1280 */
        uint32_t lowest_ipv6_mtu; /* effective, 1280 <= it <= ipv6_mtu */
};

/* One output packet. Offsets are from the start of the buffer the caller handed in
 * (`out` for the copying variants, `buf` for the in-place ones). */
struct xlat_packet {
        uint32_t offset;      /* start of the packet in the buffer */
        uint32_t len;         /* its length */
        uint16_t l4_offset;   /* start of the TCP/UDP/ICMP header in the packet (csum_start); 0 if none */
        uint16_t hdr_len;     /* l4_offset + L4 header length (virtio hdr_len); 0 if none */
        uint16_t csum_offset; /* checksum field from l4_offset (virtio csum_offset) */
        uint8_t l4_protocol;  /* IPPROTO_TCP/UDP/ICMP/ICMPV6/other; 0 for non-first fragments */
        uint8_t family;       /* AF_INET or AF_INET6 */
        uint8_t csum_partial; /* 1: the L4 checksum is still a partial (pseudo-header) sum, to
                               * be completed at l4_offset + csum_offset (keep
                               * VIRTIO_NET_HDR_F_NEEDS_CSUM); 0: it is complete (also for
                               * fragments of an XLAT_F_CSUM_PARTIAL input, which the library
                               * completes before cutting, and for ICMP errors) */
};

struct xlat_result {
        enum xlat_verdict verdict;
        enum xlat_drop_reason drop_reason; /* DROP: why; REPLY: why the packet was answered
                                            * instead of translated; else XLAT_DROP_NONE */
        unsigned n_packets;                /* 0 for DROP */
        struct xlat_packet packets[XLAT_PACKETS_MAX];
};

struct xlat_counters {
        uint64_t packets[_XLAT_DIRECTION_MAX];      /* input packets translated */
        uint64_t fragments_out[_XLAT_DIRECTION_MAX]; /* extra packets made by fragmenting */
        uint64_t replies[_XLAT_DIRECTION_MAX];      /* ICMP replies generated */
        uint64_t dropped[_XLAT_DIRECTION_MAX][_XLAT_DROP_MAX]; /* also the answered ones */
};

/* Validate (prefix per RFC 6052 incl. the u octet, unicast CLAT IPv4 address, CLAT IPv6
 * address not under the prefix, 1280 <= MTU <= 65575) and copy. 0 or -EINVAL with a
 * static reason in *ret_reason (if non-NULL). */
int xlat_init(struct xlat *x, const struct xlat_config *config, const char **ret_reason);

/* Copying variants: `in` (len bytes, starting with the IP header) and `out` (out_size
 * bytes) must not overlap. out_size >= len + XLAT_HEADROOM always suffices for one output
 * packet; fragmentation needs XLAT_FRAGMENT_OVERHEAD more per fragment. The L4 payload is
 * copied with a single memcpy. Returns ret->verdict. */
enum xlat_verdict xlat_4to6(const struct xlat *x, const void *in, size_t len, unsigned flags,
                            void *out, size_t out_size, struct xlat_result *ret);
enum xlat_verdict xlat_6to4(const struct xlat *x, const void *in, size_t len, unsigned flags,
                            void *out, size_t out_size, struct xlat_result *ret);

/* In-place variants: the packet is at buf + headroom (len bytes) in a buffer of `size`
 * bytes. New headers are written in front of the payload, which does not move; so the
 * output starts at buf + packets[0].offset, which may be before or after `headroom`.
 * 4→6 needs headroom >= XLAT_HEADROOM. Fragmenting moves the packet to the end of the
 * buffer and writes the fragments from buf[0]: it needs
 * size - len + IPv4 header length >= n_fragments * XLAT_FRAGMENT_OVERHEAD (else
 * XLAT_DROP_OUTPUT_TOO_SMALL, and the buffer is unchanged). A reply (ICMP error) is
 * written in front of the packet, which it quotes. */
enum xlat_verdict xlat_4to6_inplace(const struct xlat *x, void *buf, size_t headroom, size_t len,
                                    size_t size, unsigned flags, struct xlat_result *ret);
enum xlat_verdict xlat_6to4_inplace(const struct xlat *x, void *buf, size_t headroom, size_t len,
                                    size_t size, unsigned flags, struct xlat_result *ret);

/* Address mapping as above (outer-packet rules without the 192.0.0.8 exception).
 * 0, or -EADDRNOTAVAIL if the address has no mapping. */
int xlat_map_ipv4_to_ipv6(const struct xlat *x, const struct in_addr *v4, struct in6_addr *ret);
int xlat_map_ipv6_to_ipv4(const struct xlat *x, const struct in6_addr *v6, struct in_addr *ret);

/* RFC 1191 §7 plateau table: the MTU to assume for a Fragmentation Needed with next-hop
 * MTU 0, from the total length of the packet in error (RFC 7915 §4.2). */
uint16_t xlat_mtu_plateau(uint16_t total_length);

void xlat_counters_account(struct xlat_counters *c, enum xlat_direction d, const struct xlat_result *r);
void xlat_counters_add(struct xlat_counters *sum, const struct xlat_counters *c);
/* Total drops of one direction, or of both if d < 0. */
uint64_t xlat_counters_dropped(const struct xlat_counters *c, int d);

DECLARE_STRING_TABLE_LOOKUP(xlat_drop_reason, enum xlat_drop_reason);
DECLARE_STRING_TABLE_LOOKUP(xlat_verdict, enum xlat_verdict);
DECLARE_STRING_TABLE_LOOKUP(xlat_direction, enum xlat_direction);
