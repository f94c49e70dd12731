/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 7915 translation: configuration, address mapping, counters, string tables and the
 * pieces both directions share. The directions themselves: xlat-4to6.c, xlat-6to4.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nat64-prefix.h"
#include "xlat-internal.h"

#define XLAT_DROP_STRING_ENTRY_(name, str) [name] = str,
static const char *const xlat_drop_reason_table[_XLAT_DROP_MAX] = {
        XLAT_DROP_REASONS(XLAT_DROP_STRING_ENTRY_)
};
#undef XLAT_DROP_STRING_ENTRY_
DEFINE_STRING_TABLE_LOOKUP(xlat_drop_reason, enum xlat_drop_reason, _XLAT_DROP_MAX);

static const char *const xlat_verdict_table[_XLAT_VERDICT_MAX] = {
        [XLAT_VERDICT_TRANSLATED] = "translated",
        [XLAT_VERDICT_REPLY] = "reply",
        [XLAT_VERDICT_DROP] = "drop",
};
DEFINE_STRING_TABLE_LOOKUP(xlat_verdict, enum xlat_verdict, _XLAT_VERDICT_MAX);

static const char *const xlat_direction_table[_XLAT_DIRECTION_MAX] = {
        [XLAT_4TO6] = "4to6",
        [XLAT_6TO4] = "6to4",
};
DEFINE_STRING_TABLE_LOOKUP(xlat_direction, enum xlat_direction, _XLAT_DIRECTION_MAX);

/* Unicast and usable as a translated address: not 0/8, 127/8, class D or E, nor the
 * limited broadcast. */
static bool ipv4_unicast(const struct in_addr *a) {
        uint32_t h = ntohl(a->s_addr);

        return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 0xe;
}

bool xlat_ipv4_unicast(const struct xlat *x, const struct in_addr *a) {
        return ipv4_unicast(a) && a->s_addr != x->config.clat_ipv4.s_addr;
}

bool xlat_under_prefix(const struct xlat *x, const struct in6_addr *a) {
        const struct v6m_nat64_prefix *p = &x->config.nat64_prefix;
        size_t bytes = p->len / 8;

        if (memcmp(a->s6_addr, p->prefix.s6_addr, bytes) != 0)
                return false;
        /* RFC 6052 §2.2: bits 64..71 must be zero; for /96 so is nothing else, for the
         * shorter prefixes the suffix after the IPv4 octets should be zero too, but
         * §2.2 says it "SHOULD" be: accept it either way, like tayga and Jool. */
        return a->s6_addr[8] == 0;
}

int xlat_map_4to6(const struct xlat *x, const struct in_addr *v4, struct in6_addr *ret) {
        if (v4->s_addr == x->config.clat_ipv4.s_addr) {
                *ret = x->config.clat_ipv6;
                return 0;
        }
        if (!ipv4_unicast(v4))
                return -EADDRNOTAVAIL;
        nat64_prefix_embed_ipv4(&x->config.nat64_prefix, v4, ret);
        return 0;
}

int xlat_map_6to4(const struct xlat *x, const struct in6_addr *v6, struct in_addr *ret) {
        if (memcmp(v6, &x->config.clat_ipv6, sizeof(*v6)) == 0) {
                *ret = x->config.clat_ipv4;
                return 0;
        }
        if (!xlat_under_prefix(x, v6))
                return -EADDRNOTAVAIL;
        nat64_prefix_extract_ipv4(&x->config.nat64_prefix, v6, ret);
        if (!xlat_ipv4_unicast(x, ret))
                return -EADDRNOTAVAIL;
        return 0;
}

int xlat_map_ipv4_to_ipv6(const struct xlat *x, const struct in_addr *v4, struct in6_addr *ret) {
        return xlat_map_4to6(x, v4, ret);
}

int xlat_map_ipv6_to_ipv4(const struct xlat *x, const struct in6_addr *v6, struct in_addr *ret) {
        return xlat_map_6to4(x, v6, ret);
}

int xlat_init(struct xlat *x, const struct xlat_config *config, const char **ret_reason) {
        const char *reason = NULL;
        struct xlat t;

        if (nat64_prefix_validate(&config->nat64_prefix, &reason) < 0)
                goto fail;
        if (!ipv4_unicast(&config->clat_ipv4)) {
                reason = "CLAT IPv4 address is not a unicast address";
                goto fail;
        }
        if (IN6_IS_ADDR_UNSPECIFIED(&config->clat_ipv6) || IN6_IS_ADDR_MULTICAST(&config->clat_ipv6) ||
            IN6_IS_ADDR_LOOPBACK(&config->clat_ipv6)) {
                reason = "CLAT IPv6 address is not a unicast address";
                goto fail;
        }
        if (config->ipv6_mtu != 0 && (config->ipv6_mtu < XLAT_IPV6_MIN_MTU || config->ipv6_mtu > 65575)) {
                reason = "IPv6 MTU out of range (1280...65575)";
                goto fail;
        }

        if (config->lowest_ipv6_mtu != 0 && (config->lowest_ipv6_mtu < XLAT_IPV6_MIN_MTU || config->lowest_ipv6_mtu > 65575)) {
                reason = "lowest IPv6 MTU out of range (1280...65575)";
                goto fail;
        }

        t = (struct xlat) {
                .config = *config,
                .ipv6_mtu = config->ipv6_mtu ?: XLAT_IPV6_MIN_MTU,
                .lowest_ipv6_mtu = config->lowest_ipv6_mtu ?: XLAT_IPV6_MIN_MTU,
        };
        if (t.lowest_ipv6_mtu > t.ipv6_mtu)
                t.lowest_ipv6_mtu = t.ipv6_mtu;
        if (xlat_under_prefix(&t, &config->clat_ipv6)) {
                reason = "CLAT IPv6 address is inside the NAT64 prefix";
                goto fail;
        }
        *x = t;
        return 0;
fail:
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

uint16_t xlat_mtu_plateau(uint16_t total_length) {
        static const uint16_t plateaus[] = { 65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };

        /* RFC 7915 §4.2: "the greatest plateau value that is less than the returned
         * Total Length field". */
        for (size_t i = 0; i < ELEMENTSOF(plateaus); i++)
                if (plateaus[i] < total_length)
                        return plateaus[i];
        return 68;
}

void xlat_counters_account(struct xlat_counters *c, enum xlat_direction d, const struct xlat_result *r) {
        if (!c || d < 0 || d >= _XLAT_DIRECTION_MAX)
                return;
        switch (r->verdict) {
        case XLAT_VERDICT_TRANSLATED:
                c->packets[d]++;
                if (r->n_packets > 1)
                        c->fragments_out[d] += r->n_packets - 1;
                break;
        case XLAT_VERDICT_REPLY:
                /* The packet itself was not translated: count why, too. */
                c->replies[d]++;
                if (r->drop_reason > XLAT_DROP_NONE && r->drop_reason < _XLAT_DROP_MAX)
                        c->dropped[d][r->drop_reason]++;
                break;
        default:
                if (r->drop_reason >= 0 && r->drop_reason < _XLAT_DROP_MAX)
                        c->dropped[d][r->drop_reason]++;
                break;
        }
}

void xlat_counters_add(struct xlat_counters *sum, const struct xlat_counters *c) {
        for (size_t d = 0; d < _XLAT_DIRECTION_MAX; d++) {
                sum->packets[d] += c->packets[d];
                sum->fragments_out[d] += c->fragments_out[d];
                sum->replies[d] += c->replies[d];
                for (size_t i = 0; i < _XLAT_DROP_MAX; i++)
                        sum->dropped[d][i] += c->dropped[d][i];
        }
}

uint64_t xlat_counters_dropped(const struct xlat_counters *c, int d) {
        uint64_t n = 0;

        for (int k = 0; k < _XLAT_DIRECTION_MAX; k++) {
                if (d >= 0 && d != k)
                        continue;
                for (size_t i = 0; i < _XLAT_DROP_MAX; i++)
                        n += c->dropped[k][i];
        }
        return n;
}

enum xlat_verdict xlat_drop(struct xlat_result *ret, enum xlat_drop_reason reason) {
        ret->verdict = XLAT_VERDICT_DROP;
        ret->drop_reason = reason;
        ret->n_packets = 0;
        return XLAT_VERDICT_DROP;
}

const struct xlat_l4_step *xlat_l4_step_find(const struct xlat_l4_step *table, size_t n, uint8_t protocol) {
        for (size_t i = 0; i < n; i++)
                if (table[i].protocol == protocol)
                        return table + i;
        return NULL;
}

uint16_t xlat_l4_hdr_len(uint8_t protocol, const uint8_t *l4, size_t avail) {
        switch (protocol) {
        case IPPROTO_TCP:
                if (avail < 20)
                        return 0;
                return (uint16_t) ((l4[12] >> 4) * 4);
        case IPPROTO_UDP:
        case IPPROTO_ICMP:
        case IPPROTO_ICMPV6:
                return avail < 8 ? 0 : 8;
        default:
                return 0;
        }
}

/* RFC 4884 §4: a Length attribute (the length of the original datagram field, in units
 * of 32 bits for ICMPv4, 64 bits for ICMPv6) says where the extension structure starts;
 * that field "MUST contain at least 128 octets" and is zero-padded to the unit. The
 * message is compliant, and its extension is kept apart, when the attribute is non-zero,
 * the field is at least 128 octets, and at least an extension header (4 octets, §7)
 * follows it inside the message. Anything else (a field running past the end of the
 * message, one under 128 octets, nothing after it) is inconsistent: the message is then
 * handled as one without extension, everything after the ICMP header quoted as the
 * original datagram and the Length attribute sent as 0; this is how a classic
 * application (RFC 4884 §5.1) reads it anyway. The extension itself (version, checksum,
 * objects) is not validated: RFC 7915 §4.2/§5.2 has the translator pass extensions "as
 * opaque bit strings", and the receiver checks their checksum. Messages with extensions
 * but no Length attribute (the pre-RFC 4884 MPLS form of §5, exactly 128 octets of
 * datagram) are not recognised: without the attribute nothing tells them from a longer
 * quote. */
bool icmp_ext_find(const uint8_t *body, size_t body_len, uint8_t length_attr, size_t unit, struct icmp_ext *ret) {
        size_t field = (size_t) length_attr * unit;

        *ret = (struct icmp_ext) {};
        if (length_attr == 0 || field < 128 || field + 4 > body_len)
                return false;
        *ret = (struct icmp_ext) {
                .datagram_len = field,
                .ext = body + field,
                .ext_len = body_len - field,
        };
        return true;
}

size_t icmp_ext_datagram_room(const struct icmp_ext *e, size_t room, size_t unit) {
        size_t n;

        if (room < e->ext_len)
                return 0;
        n = room - e->ext_len;
        n -= n % unit;
        if (n > 255 * unit)
                n = 255 * unit;
        return n < 128 ? 0 : n;
}

/* RFC 4884 pads the original datagram field only where it must: "zero padded to the
 * nearest 32-bit boundary" (ICMPv4, §4.1-4.3) or 64-bit boundary (ICMPv6, §4.4-4.5),
 * and "If the original datagram did not contain 128 octets, the 'original datagram'
 * field MUST be zero padded to 128 octets" (§4). So:
 *   - the whole packet in error, translated, is padded up to the unit (its end is where
 *     the packet ends: nothing follows that could fill the gap);
 *   - a quote that was cut (by the sender of the error, or here to fit 1280/576 bytes)
 *     is cut back to the unit instead: what it lacks is the rest of the packet, padding
 *     would stand where the packet had data (RFC 7915 §4.2/§5.2 only ask that the
 *     Length attribute be "adjusted accordingly");
 *   - either is padded to 128 octets if shorter.
 * The padding of the received field is not part of the datagram (the callers translate
 * only what the inner header's length covers), so it is never carried over: the field is
 * laid out for the outgoing family alone. */
size_t icmp_ext_finish(uint8_t *field, size_t n, bool whole, size_t unit, const struct icmp_ext *e) {
        size_t len = whole ? (n + unit - 1) / unit * unit : n / unit * unit;

        if (len < 128)
                len = 128;
        if (len > n)
                memset(field + n, 0, len - n);
        memcpy(field + len, e->ext, e->ext_len);
        return len;
}

void ipv4_header_checksum_set(uint8_t *h, size_t ihl_bytes) {
        h[10] = h[11] = 0;
        put_be16(h + 10, (uint16_t) ~csum_fold(csum_bytes(h, ihl_bytes, 0)));
}

/* Walk the IPv6 extension headers RFC 7915 §5.1 deals with: Hop-by-Hop (first only),
 * Routing, Destination Options, Fragment. Anything else is the upper layer (AH, ESP,
 * and unknown headers are passed on as the IPv4 protocol, like RFC 7915 says for
 * "other" next headers). The Fragment header must be the last extension header: its Next
 * Header names the upper layer. */
#define IN_SET_EXT_AFTER_FRAGMENT(nh)                                                        \
        ((nh) == IPPROTO_HOPOPTS || (nh) == IPPROTO_ROUTING || (nh) == IPPROTO_FRAGMENT ||   \
         (nh) == IPPROTO_DSTOPTS || (nh) == IPPROTO_AH)

enum xlat_drop_reason ipv6_walk(const uint8_t *p, size_t len, struct ipv6_walk *ret) {
        uint8_t nh = p[6];
        size_t off = IPV6_HDR_LEN;
        bool first = true;

        *ret = (struct ipv6_walk) {};
        for (;;) {
                size_t hl;

                switch (nh) {
                case IPPROTO_HOPOPTS:
                        if (!first)
                                return XLAT_DROP_IPV6_EXTENSION_HEADER;
                        _fallthrough_;
                case IPPROTO_DSTOPTS:
                case IPPROTO_ROUTING:
                        if (len < off + 8)
                                return XLAT_DROP_TRUNCATED;
                        hl = ((size_t) p[off + 1] + 1) * 8;
                        if (len < off + hl)
                                return XLAT_DROP_TRUNCATED;
                        if (nh == IPPROTO_ROUTING && p[off + 3] != 0 && ret->segments_left_offset == 0)
                                ret->segments_left_offset = off + 3;
                        nh = p[off];
                        off += hl;
                        break;
                case IPPROTO_FRAGMENT: {
                        uint16_t fo;

                        if (ret->has_fragment)
                                return XLAT_DROP_IPV6_EXTENSION_HEADER;
                        if (len < off + IPV6_FRAG_HDR_LEN)
                                return XLAT_DROP_TRUNCATED;
                        fo = get_be16(p + off + 2);
                        ret->has_fragment = true;
                        ret->frag_offset = fo >> 3;
                        ret->more_fragments = fo & 1;
                        ret->frag_id = get_be32(p + off + 4);
                        nh = p[off];
                        off += IPV6_FRAG_HDR_LEN;
                        /* §5.1: an extension header (but ESP) after the Fragment header:
                         * "the packet SHOULD be dropped and logged". */
                        if (IN_SET_EXT_AFTER_FRAGMENT(nh))
                                return XLAT_DROP_IPV6_EXTENSION_HEADER;
                        goto done;
                }
                default:
                        goto done;
                }
                first = false;
        }
done:
        ret->l3_len = off;
        ret->protocol = nh;
        return XLAT_DROP_NONE;
}
