/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reassembly of the fragmented ICMP messages a CLAT is an endpoint of, IPv6 (RFC 8200
 * §4.5) and IPv4 (RFC 791).
 *
 * Why: the ICMPv6 checksum covers a pseudo-header with the length of the whole message,
 * so a stateless translator can translate no fragment of an ICMP(v6) message alone
 * (XLAT_DROP_ICMP_FRAGMENTED). Yet a NAT64 fragments the IPv6 translation of every IPv4
 * packet without DF over 1260 bytes (RFC 7915 §4), e.g. the reply to `ping -s 1300`, and
 * the local IPv4 stack fragments its own ICMP messages over the CLAT MTU (`ping -s
 * 3000`). The CLAT is the destination of the former (its own IPv6 address) and on the
 * host that sent the latter (its own IPv4 address): it may reassemble both, then
 * translate the whole message, which the translator fragments again as needed.
 *
 * Taken, per family (a family whose protocol is 0 in the config is never taken):
 *   IPv6: fragments to config.ipv6_destination whose Fragment header's Next Header is
 *         config.ipv6_next_header (IPPROTO_ICMPV6); Hop-by-Hop, Destination Options and
 *         Routing headers may precede the Fragment header;
 *   IPv4: fragments from config.ipv4_source with protocol config.ipv4_protocol
 *         (IPPROTO_ICMP) and a valid header checksum.
 * Everything else passes (FRAG_PASS) and is translated one fragment at a time as
 * before, as are atomic fragments (offset 0, M clear, RFC 8021): they are whole.
 *
 * Rules (RFC 8200 §4.5, the same for IPv4 where they apply):
 *   - datagrams are keyed by (source, destination, Identification), IPv4 also protocol;
 *   - the headers are the offset-0 fragment's: IPv6: the unfragmentable part, whose last
 *     Next Header becomes the Fragment header's, Payload Length the reassembled one;
 *     IPv4: its header with MF and offset cleared, Total Length and checksum redone;
 *   - a fragment with M set whose data is not a multiple of 8 bytes, an empty fragment,
 *     one that would make the datagram exceed 65535 bytes (IPv6: its payload), a second
 *     last fragment with another end, data past the end: XLAT_DROP_IPV6_FRAGMENT_INVALID
 *     or XLAT_DROP_BAD_IPV4_HEADER (the fragment; in the last two cases the datagram);
 *   - overlapping fragments drop the whole datagram and every later fragment of it until
 *     it times out (RFC 5722: XLAT_DROP_FRAGMENT_OVERLAP); an exact duplicate (same
 *     offset, length, M and bytes) drops only itself (XLAT_DROP_FRAGMENT_DUPLICATE, as
 *     §4.5 allows);
 *   - a datagram incomplete after config.timeout_usec from its first fragment is dropped
 *     (XLAT_DROP_FRAGMENT_TIMEOUT, one count per fragment held). Expiry runs on arrival
 *     (frag_reasm_input() with the arrival time) and in frag_reasm_expire(): no timer;
 *   - bounded memory: at most config.max_datagrams datagrams, config.max_bytes bytes
 *     (data, per-fragment bookkeeping and headers counted) and FRAG_FRAGMENTS_MAX
 *     fragments per datagram; a fragment that does not fit is dropped
 *     (XLAT_DROP_FRAGMENT_TABLE_FULL), and its datagram too at the per-datagram limit.
 * Drops are counted in the caller's struct xlat_counters, one per input fragment, under
 * XLAT_6TO4 for IPv6 and XLAT_4TO6 for IPv4 input.
 *
 * Not thread-safe: one table per thread that receives the fragments (all fragments of a
 * datagram must reach the same table). */

#include <netinet/in.h>
#include <stdint.h>

#include "xlat.h"

#define FRAG_DEFAULT_MAX_DATAGRAMS 64U
#define FRAG_DEFAULT_MAX_BYTES (256U * 1024U)
#define FRAG_DEFAULT_TIMEOUT_USEC (5U * 1000U * 1000U) /* RFC 8200 allows up to 60 s */
#define FRAG_FRAGMENTS_MAX 128U /* a 64 KiB message in 1280-byte fragments is 54 */
/* Largest reassembled packet: IPv6 header + a 65535-byte payload (IPv4: 65535). */
#define FRAG_PACKET_MAX (40U + 65535U)

struct frag_reasm_config {
        struct in6_addr ipv6_destination; /* IPv6: only datagrams to this address */
        uint8_t ipv6_next_header;         /* and with this Fragment header Next Header; 0: no IPv6 */
        struct in_addr ipv4_source;       /* IPv4: only datagrams from this address */
        uint8_t ipv4_protocol;            /* and of this protocol; 0: no IPv4 */
        unsigned max_datagrams;      /* 0: FRAG_DEFAULT_MAX_DATAGRAMS */
        size_t max_bytes;            /* 0: FRAG_DEFAULT_MAX_BYTES */
        uint64_t timeout_usec;       /* 0: FRAG_DEFAULT_TIMEOUT_USEC */
};

enum frag_verdict {
        FRAG_PASS,     /* not to reassemble: handle the packet as it is */
        FRAG_HELD,     /* kept until the datagram is complete; nothing to do now */
        FRAG_COMPLETE, /* the reassembled datagram is in the output buffer */
        FRAG_DROP,     /* dropped and counted */
        _FRAG_VERDICT_MAX,
        _FRAG_VERDICT_INVALID = -EINVAL,
};

typedef struct FragReasm FragReasm;

int frag_reasm_new(const struct frag_reasm_config *config, FragReasm **ret);
FragReasm *frag_reasm_free(FragReasm *r);

/* Feed one IPv6 or IPv4 packet (len bytes from its first byte) that arrived at now_usec (any
 * monotonic clock, the same for every call). On FRAG_COMPLETE the datagram is written
 * to out (out_size >= FRAG_PACKET_MAX always suffices; else the datagram is dropped as
 * XLAT_DROP_OUTPUT_TOO_SMALL) and its length stored in *ret_len. `pkt` and `out` must
 * not overlap. Drops are counted in counters->dropped[][] (see above). */
enum frag_verdict frag_reasm_input(FragReasm *r, const void *pkt, size_t len, uint64_t now_usec, void *out,
                                     size_t out_size, size_t *ret_len, struct xlat_counters *counters);

/* Drop (and count) the datagrams whose time is up at now_usec. */
void frag_reasm_expire(FragReasm *r, uint64_t now_usec, struct xlat_counters *counters);

/* Datagrams and bytes held now (for tests and stats). */
unsigned frag_reasm_datagrams(const FragReasm *r);
size_t frag_reasm_bytes(const FragReasm *r);
