/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ttp46: IPv4 → IPv6 (RFC 7915 §4), host-side CLAT rules (see xlat.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "nat64-prefix.h"
#include "xlat-internal.h"

#define IPV4_OPT_END 0
#define IPV4_OPT_NOP 1
#define IPV4_OPT_LSRR 131
#define IPV4_OPT_SSRR 137

static bool icmp4_is_error(uint8_t type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* §4.1: options are ignored, except an unexpired source route: drop it and answer
 * Destination Unreachable / Source Route Failed. */
static enum xlat_drop_reason ttp46_ipv4_options(struct xlat_ctx *c) {
        const uint8_t *o = c->in + IPV4_HDR_LEN;
        size_t n = c->l3_len - IPV4_HDR_LEN;

        for (size_t i = 0; i < n;) {
                uint8_t type = o[i], olen;

                if (type == IPV4_OPT_END)
                        break;
                if (type == IPV4_OPT_NOP) {
                        i++;
                        continue;
                }
                if (i + 2 > n)
                        return XLAT_DROP_BAD_IPV4_HEADER;
                olen = o[i + 1];
                if (olen < 2 || i + olen > n)
                        return XLAT_DROP_BAD_IPV4_HEADER;
                /* Unexpired: the pointer (1-based, at offset 2) still points into the route. */
                if ((type == IPV4_OPT_LSRR || type == IPV4_OPT_SSRR) && olen >= 3 && o[i + 2] <= olen) {
                        c->reply_type = 3;
                        c->reply_code = 5;
                        c->reply_rest = 0;
                        c->reply_reason = XLAT_DROP_IPV4_SOURCE_ROUTE;
                        return XLAT_DROP_IPV4_SOURCE_ROUTE;
                }
                i += olen;
        }
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp46_ipv4_header(struct xlat_ctx *c) {
        const uint8_t *h = c->in;
        uint16_t tot_len, fo;
        size_t ihl;

        if (c->len < IPV4_HDR_LEN)
                return XLAT_DROP_TRUNCATED;
        if ((h[0] >> 4) != 4)
                return XLAT_DROP_BAD_IP_VERSION;
        ihl = (size_t) (h[0] & 0xf) * 4;
        if (ihl < IPV4_HDR_LEN)
                return XLAT_DROP_BAD_IPV4_HEADER;
        if (c->len < ihl)
                return XLAT_DROP_TRUNCATED;
        tot_len = get_be16(h + 2);
        if (tot_len < ihl)
                return XLAT_DROP_BAD_IPV4_HEADER;
        if (tot_len > c->len)
                return XLAT_DROP_TRUNCATED;
        if (csum_fold(csum_bytes(h, ihl, 0)) != 0xffff)
                return XLAT_DROP_BAD_IPV4_CHECKSUM;

        c->len = tot_len; /* trailing padding is not part of the packet */
        c->l3_len = ihl;
        c->tos = h[1];
        c->ttl = h[8];
        c->protocol = h[9];
        fo = get_be16(h + 6);
        c->df = fo & IPV4_FLAG_DF;
        c->more_fragments = fo & IPV4_FLAG_MF;
        c->frag_offset = fo & IPV4_OFFSET_MASK;
        c->is_fragment = c->more_fragments || c->frag_offset != 0;
        c->frag_id = get_be16(h + 4);
        memcpy(&c->src4.s_addr, h + 12, 4);
        memcpy(&c->dst4.s_addr, h + 16, 4);

        if (ihl > IPV4_HDR_LEN)
                return ttp46_ipv4_options(c);
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp46_addresses(struct xlat_ctx *c) {
        if (c->src4.s_addr != c->x->config.clat_ipv4.s_addr)
                return XLAT_DROP_IPV4_SOURCE_NOT_CLAT;
        if (!xlat_ipv4_unicast(c->x, &c->dst4))
                return XLAT_DROP_IPV4_DESTINATION_INVALID;
        c->src6 = c->x->config.clat_ipv6;
        nat64_prefix_embed_ipv4(&c->x->config.nat64_prefix, &c->dst4, &c->dst6);
        return XLAT_STEP_CONTINUE;
}

static uint16_t ttp46_addr_diff(const struct xlat_ctx *c) {
        return csum_diff(csum_ipv6_addrs(&c->src6, &c->dst6), csum_ipv4_addrs(&c->src4, &c->dst4));
}

static void ctx_patch(struct xlat_ctx *c, uint16_t offset, uint16_t value) {
        c->patches[c->n_patches++] = (struct xlat_patch) { offset, value };
}

static enum xlat_drop_reason ttp46_tcp(struct xlat_ctx *c) {
        bool partial = c->flags & XLAT_F_CSUM_PARTIAL;

        if (c->payload_len < 20)
                return XLAT_DROP_TRUNCATED;
        ctx_patch(c, 16, csum_apply(get_be16(c->payload + 16), ttp46_addr_diff(c), partial));
        c->l4_hdr_len = xlat_l4_hdr_len(IPPROTO_TCP, c->payload, c->payload_len);
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp46_udp(struct xlat_ctx *c) {
        bool partial = c->flags & XLAT_F_CSUM_PARTIAL;
        uint16_t old, csum;

        if (c->payload_len < 8)
                return XLAT_DROP_TRUNCATED;
        c->l4_hdr_len = 8;
        old = get_be16(c->payload + 6);
        if (old == 0 && !partial) {
                /* §4.5: IPv6 requires the checksum; compute it over the datagram. */
                if (c->is_fragment)
                        return XLAT_DROP_UDP_ZERO_CHECKSUM_FRAGMENT;
                csum = (uint16_t) ~csum_fold(csum_ipv6_pseudo(&c->src6, &c->dst6, (uint32_t) c->payload_len, IPPROTO_UDP) +
                                             csum_bytes(c->payload, c->payload_len, 0));
        } else
                csum = csum_apply(old, ttp46_addr_diff(c), partial);
        if (csum == 0 && !partial)
                csum = 0xffff;
        ctx_patch(c, 6, csum);
        return XLAT_STEP_CONTINUE;
}

/* §4.3: the packet inside an ICMPv4 error, translated like an outer packet (but mapped
 * the other way round, and without TTL change), truncated to what fits in out_size. */
int ttp46_inner(const struct xlat *x, const uint8_t *in, size_t len, uint8_t *out, size_t out_size,
                bool *ret_whole) {
        struct in_addr src4, dst4;
        struct in6_addr src6, dst6;
        uint16_t tot_len, fo, ulen;
        size_t ihl, hdr, n;
        uint8_t protocol, out_protocol;
        bool frag, first;
        uint8_t *o;

        if (len < IPV4_HDR_LEN || (in[0] >> 4) != 4)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        ihl = (size_t) (in[0] & 0xf) * 4;
        tot_len = get_be16(in + 2);
        if (ihl < IPV4_HDR_LEN || len < ihl || tot_len < ihl)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        memcpy(&src4.s_addr, in + 12, 4);
        memcpy(&dst4.s_addr, in + 16, 4);
        if (xlat_map_4to6(x, &src4, &src6) < 0 || xlat_map_4to6(x, &dst4, &dst6) < 0)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;

        protocol = in[9];
        fo = get_be16(in + 6);
        frag = fo & (IPV4_FLAG_MF | IPV4_OFFSET_MASK);
        first = (fo & IPV4_OFFSET_MASK) == 0;
        ulen = (uint16_t) (tot_len - ihl);
        if (protocol == IPPROTO_ICMPV6)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        out_protocol = protocol == IPPROTO_ICMP ? IPPROTO_ICMPV6 : protocol;
        if (first && protocol == IPPROTO_ICMP && len > ihl && icmp4_is_error(in[ihl]))
                return -XLAT_DROP_ICMP_ERROR_NESTED;

        hdr = IPV6_HDR_LEN + (frag ? IPV6_FRAG_HDR_LEN : 0);
        if (out_size < hdr)
                return -XLAT_DROP_OUTPUT_TOO_SMALL;
        n = len - ihl;
        if (n > out_size - hdr)
                n = out_size - hdr;

        put_be32(out, 0x60000000U | (uint32_t) in[1] << 20);
        put_be16(out + 4, (uint16_t) (ulen + (frag ? IPV6_FRAG_HDR_LEN : 0)));
        out[6] = frag ? IPPROTO_FRAGMENT : out_protocol;
        out[7] = in[8];
        memcpy(out + 8, &src6, 16);
        memcpy(out + 24, &dst6, 16);
        if (frag) {
                out[40] = out_protocol;
                out[41] = 0;
                put_be16(out + 42, (uint16_t) ((fo & IPV4_OFFSET_MASK) << 3 | !!(fo & IPV4_FLAG_MF)));
                put_be32(out + 44, get_be16(in + 4));
        }
        o = out + hdr;
        memcpy(o, in + ihl, n);
        *ret_whole = n >= ulen;

        if (!first)
                return (int) (hdr + n);

        /* Checksums of a truncated packet cannot be verified, only kept consistent. */
        if ((protocol == IPPROTO_TCP && n >= 18) || (protocol == IPPROTO_UDP && n >= 8 && get_be16(o + 6) != 0)) {
                size_t off = protocol == IPPROTO_TCP ? 16 : 6;
                uint16_t csum = csum_apply(get_be16(o + off),
                                           csum_diff(csum_ipv6_addrs(&src6, &dst6), csum_ipv4_addrs(&src4, &dst4)), false);

                if (protocol == IPPROTO_UDP && csum == 0)
                        csum = 0xffff;
                put_be16(o + off, csum);
        } else if (protocol == IPPROTO_ICMP && n >= 4 && (o[0] == 8 || o[0] == 0)) {
                uint16_t old_word = get_be16(o), new_word = (uint16_t) ((o[0] == 8 ? 128 : 129) << 8 | o[1]);
                uint16_t diff = csum_diff(csum_ipv6_pseudo(&src6, &dst6, ulen, IPPROTO_ICMPV6) + new_word, old_word);

                put_be16(o, new_word);
                put_be16(o + 2, csum_apply(get_be16(o + 2), diff, false));
        }
        return (int) (hdr + n);
}

/* §4.2 parameter problem pointer, IPv4 header offset → IPv6 header offset; -1: none. */
static int ttp46_pointer(uint8_t p) {
        static const int8_t map[20] = {
                0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1, 8, 8, 8, 8, 24, 24, 24, 24,
        };
        return p < ELEMENTSOF(map) ? map[p] : -1;
}

/* §4.2 type/code table for errors; §4.3 the inner packet; the checksum is recomputed
 * (the message is at most 1240 bytes).
 *
 * RFC 4884 extensions (§4.2 "ICMP Error Payload"): a compliant extension (see
 * icmp_ext_find()) is kept byte for byte after the translated datagram, which is laid
 * out again for ICMPv6 (64-bit words, 128 octets; icmp_ext_finish() says when it is
 * padded and when cut), and the Length attribute is recomputed. When the
 * whole does not fit in 1280 bytes, the datagram is shortened first, down to the 128
 * octets RFC 4884 §4 requires; if the extension still does not fit, it is dropped and
 * the Length attribute is 0. RFC 7915 §4.2 says the extension "SHOULD be simply
 * truncated", but a cut extension structure fails its own checksum and object lengths
 * (RFC 4884 §7, §8) and a compliant receiver discards it anyway, while the Length
 * attribute would still claim an extension: without it the message is a plain,
 * valid error. The extension is never quoted as if it were part of the datagram. */
static enum xlat_drop_reason ttp46_icmp_error(struct xlat_ctx *c) {
        const uint8_t *p = c->payload;
        uint8_t type = p[0], code = p[1], out_type, out_code = 0;
        uint32_t rest = 0;
        uint8_t *s = c->scratch;
        const uint8_t *body = p + ICMP_HDR_LEN;
        size_t body_len = c->payload_len - ICMP_HDR_LEN, inner_len = body_len, field = 0;
        size_t room = XLAT_ICMP_ERROR_MAX - IPV6_HDR_LEN - ICMP_HDR_LEN;
        struct icmp_ext ext;
        bool whole;
        int r, ptr;

        switch (type) {
        case 3: /* Destination Unreachable */
                switch (code) {
                case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
                        out_type = 1, out_code = 0;
                        break;
                case 9: case 10: case 13: case 15:
                        out_type = 1, out_code = 1;
                        break;
                case 2: /* Protocol Unreachable: Parameter Problem at the Next Header */
                        out_type = 4, out_code = 1, rest = 6;
                        break;
                case 3:
                        out_type = 1, out_code = 4;
                        break;
                case 4: /* Fragmentation Needed → Packet Too Big, MTU set below */
                        out_type = 2, out_code = 0;
                        break;
                default: /* 14 (host precedence violation) and unknown */
                        return XLAT_DROP_ICMP_UNTRANSLATABLE;
                }
                break;
        case 11: /* Time Exceeded */
                out_type = 3, out_code = code;
                break;
        case 12: /* Parameter Problem */
                if (code != 0 && code != 2)
                        return XLAT_DROP_ICMP_UNTRANSLATABLE;
                ptr = ttp46_pointer(p[4]);
                if (ptr < 0)
                        return XLAT_DROP_ICMP_UNTRANSLATABLE;
                out_type = 4, out_code = 0, rest = (uint32_t) ptr;
                break;
        default:
                return XLAT_DROP_ICMP_UNTRANSLATABLE;
        }

        if (!(c->flags & XLAT_F_CSUM_PARTIAL) && csum_fold(csum_bytes(p, c->payload_len, 0)) != 0xffff)
                return XLAT_DROP_BAD_CHECKSUM;

        /* RFC 4884 §4.1-4.3: Destination Unreachable, Time Exceeded and Parameter Problem
         * carry the Length attribute in their sixth octet, in 32-bit words. */
        if (icmp_ext_find(body, body_len, p[5], 4, &ext)) {
                /* The padding is not part of the datagram: translate what the inner
                 * header says there is, then pad again to IPv6's rules. */
                inner_len = ext.datagram_len;
                if (get_be16(body + 2) >= IPV4_HDR_LEN && get_be16(body + 2) < inner_len)
                        inner_len = get_be16(body + 2);
                /* RFC 4884 §4.6: only ICMPv6 Destination Unreachable and Time Exceeded carry
                 * an extension; Packet Too Big and Parameter Problem lose it. */
                if (out_type == 1 || out_type == 3)
                        field = icmp_ext_datagram_room(&ext, room, 8);
                if (field > 0)
                        room = field;
        }

        r = ttp46_inner(c->x, body, inner_len, s + ICMP_HDR_LEN, room, &whole);
        if (r < 0)
                return (enum xlat_drop_reason) -r;
        if (field > 0) {
                /* RFC 7915 §4.2 "ICMP Error Payload": the ICMPv6 length attribute MUST be
                 * adjusted; RFC 4884 §4.4/4.5: it is the fifth octet, in 64-bit words. */
                field = icmp_ext_finish(s + ICMP_HDR_LEN, (size_t) r, whole, 8, &ext);
                rest = (uint32_t) (field / 8) << 24;
                r = (int) (field + ext.ext_len);
        }

        if (out_type == 2) {
                /* §4.2: min(advertised + 20, IPv6 next-hop MTU), never below 1280 (§5);
                 * a 0 from a pre-RFC 1191 router means: use the plateau below the
                 * packet's length. */
                uint32_t mtu = get_be16(p + 6);

                if (mtu == 0)
                        mtu = xlat_mtu_plateau(get_be16(p + ICMP_HDR_LEN + 2));
                mtu += IPV6_HDR_LEN - IPV4_HDR_LEN;
                if (mtu > c->x->ipv6_mtu)
                        mtu = c->x->ipv6_mtu;
                if (mtu < XLAT_IPV6_MIN_MTU)
                        mtu = XLAT_IPV6_MIN_MTU;
                rest = mtu;
        }

        s[0] = out_type;
        s[1] = out_code;
        put_be16(s + 2, 0);
        put_be32(s + 4, rest);
        c->payload_len = ICMP_HDR_LEN + (size_t) r;
        put_be16(s + 2, (uint16_t) ~csum_fold(csum_ipv6_pseudo(&c->src6, &c->dst6, (uint32_t) c->payload_len, IPPROTO_ICMPV6) +
                                              csum_bytes(s, c->payload_len, 0)));
        c->payload = s;
        c->payload_rewritten = true;
        c->icmp_error = true;
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp46_icmp(struct xlat_ctx *c) {
        bool partial = c->flags & XLAT_F_CSUM_PARTIAL;
        const uint8_t *p = c->payload;
        uint16_t old_word, new_word, diff;
        uint64_t pseudo;

        if (c->payload_len < ICMP_HDR_LEN)
                return XLAT_DROP_TRUNCATED;
        c->l4_hdr_len = ICMP_HDR_LEN;
        /* The ICMPv6 pseudo-header needs the length of the whole message. */
        if (c->is_fragment)
                return XLAT_DROP_ICMP_FRAGMENTED;

        if (icmp4_is_error(p[0]))
                return ttp46_icmp_error(c);
        if (p[0] != 8 && p[0] != 0) /* only Echo and Echo Reply have an ICMPv6 counterpart */
                return XLAT_DROP_ICMP_UNTRANSLATABLE;

        old_word = get_be16(p);
        new_word = (uint16_t) ((p[0] == 8 ? 128 : 129) << 8 | p[1]);
        pseudo = csum_ipv6_pseudo(&c->src6, &c->dst6, (uint32_t) c->payload_len, IPPROTO_ICMPV6);
        /* A partial checksum covers only the pseudo-header: the type change is inside the
         * range the device still sums. */
        diff = partial ? csum_fold(pseudo) : csum_diff(pseudo + new_word, old_word);
        ctx_patch(c, 0, new_word);
        ctx_patch(c, 2, csum_apply(get_be16(p + 2), diff, partial));
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp46_icmpv6_in_ipv4(struct xlat_ctx *c) {
        return XLAT_DROP_ICMP_WRONG_FAMILY;
}

static const struct xlat_l4_step ttp46_l4_steps[] = {
        { IPPROTO_TCP, IPPROTO_TCP, 16, ttp46_tcp },
        { IPPROTO_UDP, IPPROTO_UDP, 6, ttp46_udp },
        { IPPROTO_ICMP, IPPROTO_ICMPV6, 2, ttp46_icmp },
        { IPPROTO_ICMPV6, 0, 0, ttp46_icmpv6_in_ipv4 },
};

static enum xlat_drop_reason ttp46_l4(struct xlat_ctx *c) {
        const struct xlat_l4_step *s = xlat_l4_step_find(ttp46_l4_steps, ELEMENTSOF(ttp46_l4_steps), c->protocol);

        c->payload = c->in + c->l3_len;
        c->payload_len = c->len - c->l3_len;
        c->out_protocol = s ? s->out_protocol : c->protocol;
        if (!s)
                return XLAT_STEP_CONTINUE; /* §4.5: other protocols pass unchanged */
        c->csum_offset = s->csum_offset;
        if (c->frag_offset != 0) {
                /* Non-first fragment: no L4 header to translate; ICMP cannot be fixed. */
                if (c->protocol == IPPROTO_ICMP)
                        return XLAT_DROP_ICMP_FRAGMENTED;
                if (c->protocol == IPPROTO_ICMPV6)
                        return XLAT_DROP_ICMP_WRONG_FAMILY;
                return XLAT_STEP_CONTINUE;
        }
        return s->step(c);
}

/* §4.1 DF handling: too big with DF → Fragmentation Needed back to the sender (unless
 * that would be an error about an error, or about a non-first fragment). */
/* The largest IPv6 packet this one may become: the next-hop MTU with DF (else
 * Fragmentation Needed), lowest-ipv6-mtu without (else fragments). */
static size_t ttp46_mtu_limit(const struct xlat_ctx *c) {
        return c->df ? c->x->ipv6_mtu : c->x->lowest_ipv6_mtu;
}

static bool ttp46_fragmenting(const struct xlat_ctx *c) {
        return !(c->flags & XLAT_F_GSO) && !c->df &&
               IPV6_HDR_LEN + (c->is_fragment ? IPV6_FRAG_HDR_LEN : 0) + c->payload_len > c->x->lowest_ipv6_mtu;
}

static enum xlat_drop_reason ttp46_mtu(struct xlat_ctx *c) {
        size_t total = IPV6_HDR_LEN + (c->is_fragment ? IPV6_FRAG_HDR_LEN : 0) + c->payload_len;

        if ((c->flags & XLAT_F_GSO) || total <= ttp46_mtu_limit(c) || !c->df)
                return XLAT_STEP_CONTINUE;
        if (c->icmp_error || c->frag_offset != 0)
                return XLAT_DROP_PACKET_TOO_BIG;
        c->reply_type = 3;
        c->reply_code = 4;
        c->reply_reason = XLAT_DROP_PACKET_TOO_BIG;
        c->reply_rest = c->x->ipv6_mtu - (IPV6_HDR_LEN - IPV4_HDR_LEN) - (c->is_fragment ? IPV6_FRAG_HDR_LEN : 0);
        return XLAT_STEP_REPLY;
}

static const xlat_step_fn ttp46_steps[] = {
        ttp46_ipv4_header,
        ttp46_addresses,
        ttp46_l4,
        ttp46_mtu,
};

/* An ICMPv4 error from the translator (192.0.0.8) to the sender, quoting the packet.
 * `quote` may lie inside `base`: it is moved, not copied, when the two overlap. */
static enum xlat_verdict ttp46_reply(struct xlat_ctx *c, uint8_t *base, size_t base_size, size_t quote_pos,
                                     const uint8_t *quote, struct xlat_result *ret) {
        const size_t hdr = IPV4_HDR_LEN + ICMP_HDR_LEN;
        size_t qlen = c->len, pos;
        uint32_t dummy = htonl(XLAT_IPV4_DUMMY_ADDRESS);
        uint8_t *o;

        if (qlen > XLAT_ICMPV4_ERROR_MAX - hdr)
                qlen = XLAT_ICMPV4_ERROR_MAX - hdr;
        pos = quote_pos >= hdr ? quote_pos - hdr : 0;
        if (pos + hdr + qlen > base_size)
                return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);
        o = base + pos;
        if (o + hdr != quote)
                memmove(o + hdr, quote, qlen);

        o[0] = 0x45;
        o[1] = 0;
        put_be16(o + 2, (uint16_t) (hdr + qlen));
        put_be32(o + 4, 0);
        o[8] = 64;
        o[9] = IPPROTO_ICMP;
        memcpy(o + 12, &dummy, 4);
        memcpy(o + 16, &c->src4.s_addr, 4);
        ipv4_header_checksum_set(o, IPV4_HDR_LEN);
        o[20] = c->reply_type;
        o[21] = c->reply_code;
        put_be16(o + 22, 0);
        put_be32(o + 24, c->reply_rest);
        put_be16(o + 22, (uint16_t) ~csum_fold(csum_bytes(o + IPV4_HDR_LEN, ICMP_HDR_LEN + qlen, 0)));

        ret->verdict = XLAT_VERDICT_REPLY;
        ret->drop_reason = c->reply_reason;
        ret->n_packets = 1;
        ret->packets[0] = (struct xlat_packet) {
                .offset = (uint32_t) pos,
                .len = (uint32_t) (hdr + qlen),
                .l4_offset = IPV4_HDR_LEN,
                .hdr_len = IPV4_HDR_LEN + ICMP_HDR_LEN,
                .csum_offset = 2,
                .l4_protocol = IPPROTO_ICMP,
                .family = AF_INET,
        };
        return XLAT_VERDICT_REPLY;
}

static void ttp46_ipv6_hdr(const struct xlat_ctx *c, uint8_t *o, size_t payload_len, bool frag_hdr,
                           uint16_t frag_offset, bool more) {
        put_be32(o, 0x60000000U | (uint32_t) c->tos << 20);
        put_be16(o + 4, (uint16_t) (payload_len + (frag_hdr ? IPV6_FRAG_HDR_LEN : 0)));
        o[6] = frag_hdr ? IPPROTO_FRAGMENT : c->out_protocol;
        o[7] = c->ttl; /* host-side: not decremented */
        memcpy(o + 8, &c->src6, 16);
        memcpy(o + 24, &c->dst6, 16);
        if (frag_hdr) {
                /* §4.1: Identification = the IPv4 one in the low-order 16 bits. */
                o[40] = c->out_protocol;
                o[41] = 0;
                put_be16(o + 42, (uint16_t) (frag_offset << 3 | more));
                put_be32(o + 44, c->frag_id);
        }
}

static void ctx_describe(const struct xlat_ctx *c, struct xlat_packet *p, size_t pos, size_t hdr, size_t len,
                         bool first, int family) {
        *p = (struct xlat_packet) {
                .offset = (uint32_t) pos,
                .len = (uint32_t) len,
                .family = (uint8_t) family,
        };
        if (!first)
                return;
        p->l4_offset = (uint16_t) hdr;
        p->l4_protocol = c->out_protocol;
        p->hdr_len = (uint16_t) (hdr + c->l4_hdr_len);
        p->csum_offset = c->l4_hdr_len ? c->csum_offset : 0;
        p->csum_partial = (c->flags & XLAT_F_CSUM_PARTIAL) && c->l4_hdr_len && !c->payload_rewritten &&
                          !c->csum_completed;
}

/* Before cutting a CHECKSUM_PARTIAL datagram into fragments: sum it now, with the
 * (already adjusted) partial value in the field, as the device would have. */
static void ttp46_csum_complete(struct xlat_ctx *c) {
        uint16_t off = c->csum_offset;
        uint64_t sum;

        if (!(c->flags & XLAT_F_CSUM_PARTIAL) || c->payload_rewritten || !c->l4_hdr_len || c->frag_offset != 0 ||
            c->payload_len < (size_t) off + 2)
                return;
        for (unsigned i = 0; i < c->n_patches; i++) {
                uint16_t field;

                if (c->patches[i].offset != off)
                        continue;
                field = c->patches[i].value;
                sum = csum_bytes(c->payload, c->payload_len, 0) + (uint16_t) ~get_be16(c->payload + off) + field;
                field = (uint16_t) ~csum_fold(sum);
                if (field == 0 && c->protocol == IPPROTO_UDP)
                        field = 0xffff;
                c->patches[i].value = field;
                c->csum_completed = true;
        }
}

/* Output stage. `base` is the output buffer; the payload, if not rewritten, is at
 * c->payload (possibly inside `base`). `pos` is where the first packet starts. */
static enum xlat_verdict ttp46_emit(struct xlat_ctx *c, uint8_t *base, size_t base_size, size_t pos,
                                    struct xlat_result *ret) {
        bool first_in = c->frag_offset == 0;
        size_t mtu = c->x->lowest_ipv6_mtu;
        size_t total = IPV6_HDR_LEN + (c->is_fragment ? IPV6_FRAG_HDR_LEN : 0) + c->payload_len;

        ret->verdict = XLAT_VERDICT_TRANSLATED;
        ret->drop_reason = XLAT_DROP_NONE;

        if (!ttp46_fragmenting(c)) {
                size_t hdr = total - c->payload_len;
                uint8_t *o = base + pos;

                if (pos + total > base_size)
                        return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);
                if (o + hdr != c->payload)
                        memmove(o + hdr, c->payload, c->payload_len);
                ttp46_ipv6_hdr(c, o, c->payload_len, c->is_fragment, c->frag_offset, c->more_fragments);
                for (unsigned i = 0; i < c->n_patches; i++)
                        put_be16(o + hdr + c->patches[i].offset, c->patches[i].value);
                ret->n_packets = 1;
                ctx_describe(c, &ret->packets[0], pos, hdr, total, first_in, AF_INET6);
                return XLAT_VERDICT_TRANSLATED;
        }

        /* §4.1: DF clear and too big: fragments of at most lowest-ipv6-mtu, each with a
         * Fragment header, offsets relative to the original datagram. */
        size_t chunk = ((mtu - IPV6_HDR_LEN - IPV6_FRAG_HDR_LEN) / 8) * 8;
        size_t n = (c->payload_len + chunk - 1) / chunk;
        const size_t hdr = IPV6_HDR_LEN + IPV6_FRAG_HDR_LEN;

        ttp46_csum_complete(c);

        if (n > XLAT_PACKETS_MAX)
                return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);
        if (pos + c->payload_len + n * hdr > base_size)
                return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);

        for (size_t k = 0, done = 0; k < n; k++) {
                size_t this_len = c->payload_len - done < chunk ? c->payload_len - done : chunk;
                bool last = k == n - 1;
                uint8_t *o = base + pos;

                if (o + hdr != c->payload + done)
                        memmove(o + hdr, c->payload + done, this_len);
                ttp46_ipv6_hdr(c, o, this_len, true, (uint16_t) (c->frag_offset + done / 8),
                               last ? c->more_fragments : true);
                if (k == 0)
                        for (unsigned i = 0; i < c->n_patches; i++)
                                put_be16(o + hdr + c->patches[i].offset, c->patches[i].value);
                ctx_describe(c, &ret->packets[k], pos, hdr, hdr + this_len, k == 0 && first_in, AF_INET6);
                pos += hdr + this_len;
                done += this_len;
        }
        ret->n_packets = (unsigned) n;
        return XLAT_VERDICT_TRANSLATED;
}

static enum xlat_drop_reason ttp46_run(struct xlat_ctx *c) {
        for (size_t i = 0; i < ELEMENTSOF(ttp46_steps); i++) {
                enum xlat_drop_reason r = ttp46_steps[i](c);

                /* Answer an unexpired source route only to our own IPv4 side, and
                 * never about a non-first fragment (RFC 1812 §4.3.2.7). */
                if (r == XLAT_DROP_IPV4_SOURCE_ROUTE) {
                        if (c->src4.s_addr != c->x->config.clat_ipv4.s_addr)
                                return XLAT_DROP_IPV4_SOURCE_NOT_CLAT;
                        return c->frag_offset == 0 ? XLAT_STEP_REPLY : r;
                }
                if (r != XLAT_STEP_CONTINUE)
                        return r;
        }
        return XLAT_STEP_CONTINUE;
}

enum xlat_verdict xlat_4to6(const struct xlat *x, const void *in, size_t len, unsigned flags,
                            void *out, size_t out_size, struct xlat_result *ret) {
        uint8_t scratch[XLAT_ICMP_ERROR_MAX];
        struct xlat_ctx c = { .x = x, .flags = flags, .in = in, .len = len, .scratch = scratch };
        enum xlat_drop_reason r;

        r = ttp46_run(&c);
        if (r == XLAT_STEP_REPLY)
                return ttp46_reply(&c, out, out_size, 0, c.in, ret);
        if (r != XLAT_STEP_CONTINUE)
                return xlat_drop(ret, r);
        return ttp46_emit(&c, out, out_size, 0, ret);
}

enum xlat_verdict xlat_4to6_inplace(const struct xlat *x, void *buf, size_t headroom, size_t len,
                                    size_t size, unsigned flags, struct xlat_result *ret) {
        uint8_t *b = buf;
        uint8_t scratch[XLAT_ICMP_ERROR_MAX];
        struct xlat_ctx c = { .x = x, .flags = flags, .in = b + headroom, .len = len, .scratch = scratch };
        enum xlat_drop_reason r;
        size_t hdr, payload_pos;

        if (headroom > size || len > size - headroom)
                return xlat_drop(ret, XLAT_DROP_TRUNCATED);

        r = ttp46_run(&c);
        if (r == XLAT_STEP_REPLY)
                return ttp46_reply(&c, b, size, headroom, c.in, ret);
        if (r != XLAT_STEP_CONTINUE)
                return xlat_drop(ret, r);

        if (ttp46_fragmenting(&c)) {
                /* Move the packet to the end of the buffer, then write the fragments from
                 * the start: each fragment's headers land before the data still to read
                 * as long as the tail room covers the added headers. */
                size_t chunk = ((x->lowest_ipv6_mtu - IPV6_HDR_LEN - IPV6_FRAG_HDR_LEN) / 8) * 8;
                size_t n = (c.payload_len + chunk - 1) / chunk;
                size_t src = size - c.len;

                if (src + c.l3_len < n * XLAT_FRAGMENT_OVERHEAD)
                        return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);
                memmove(b + src, c.in, c.len);
                c.in = b + src;
                c.payload = c.in + c.l3_len;
                return ttp46_emit(&c, b, size, 0, ret);
        }

        /* One packet: the new headers go right in front of the payload, which stays. */
        payload_pos = headroom + c.l3_len;
        hdr = IPV6_HDR_LEN + (c.is_fragment ? IPV6_FRAG_HDR_LEN : 0);
        if (payload_pos < hdr)
                return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);
        return ttp46_emit(&c, b, size, payload_pos - hdr, ret);
}
