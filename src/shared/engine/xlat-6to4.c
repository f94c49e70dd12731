/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ttp64: IPv6 → IPv4 (RFC 7915 §5), host-side CLAT rules (see xlat.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "nat64-prefix.h"
#include "xlat-internal.h"

/* §5.1: DF is set only on packets over 1260 bytes (which could not have been fragmented
 * to fit the IPv6 minimum MTU anyway). */
#define TTP64_DF_THRESHOLD 1260U

static bool icmp6_is_error(uint8_t type) {
        return type < 128;
}

/* §5.1 Identification of an unfragmented packet without DF: "set according to a
 * Fragment Identification generator". A stateless, read-only translator has no counter:
 * hash what tells packets of a flow apart (addresses, length, the first 8 bytes of the
 * transport header: ports and checksum, or ICMP identifier and sequence). A host-side
 * translator delivers these packets locally, so they are never fragmented after it. */
static uint16_t ttp64_ipv4_id(const struct in6_addr *src6, const struct in6_addr *dst6, uint32_t flow,
                              const uint8_t *l4, size_t l4_len, size_t tot_len) {
        uint32_t w[2 * 4 + 4] = {}, h = (uint32_t) tot_len;

        memcpy(w, src6, 16);
        memcpy(w + 4, dst6, 16);
        w[8] = flow;
        memcpy(w + 9, l4, l4_len < 8 ? l4_len : 8);
        for (size_t i = 0; i < ELEMENTSOF(w); i++)
                h = (h ^ w[i]) * 0x9e3779b1U;
        h ^= h >> 15;
        h *= 0x85ebca6bU;
        return (uint16_t) (h ^ (h >> 16));
}

/* The IPv4 header of a translated packet, outer or inner (§5.1). `frag_header`: the
 * IPv6 packet had a Fragment header (a fragment or an atomic fragment). */
static void ttp64_ipv4_hdr(uint8_t *o, uint8_t tos, uint16_t tot_len, bool frag_header, uint32_t frag_id,
                           uint16_t frag_offset, bool more, bool force_df, uint16_t gen_id, uint8_t ttl,
                           uint8_t protocol, const struct in_addr *src, const struct in_addr *dst) {
        o[0] = 0x45;
        o[1] = tos;
        put_be16(o + 2, tot_len);
        if (frag_header) {
                /* §5.1.1: "Identification: Copied from the low-order 16 bits in the
                 * Identification field in the Fragment Header"; MF from M, "The IPv4
                 * Don't Fragment (DF) flag is cleared (set to zero)". */
                put_be16(o + 4, (uint16_t) frag_id);
                put_be16(o + 6, (uint16_t) ((more ? IPV4_FLAG_MF : 0) | (frag_offset & IPV4_OFFSET_MASK)));
        } else if (force_df || tot_len > TTP64_DF_THRESHOLD) {
                put_be16(o + 4, 0); /* atomic datagram, RFC 6864 §4.1 */
                put_be16(o + 6, IPV4_FLAG_DF);
        } else {
                put_be16(o + 4, gen_id);
                put_be16(o + 6, 0);
        }
        o[8] = ttl; /* host-side: not decremented */
        o[9] = protocol;
        memcpy(o + 12, &src->s_addr, 4);
        memcpy(o + 16, &dst->s_addr, 4);
        ipv4_header_checksum_set(o, IPV4_HDR_LEN);
}

static enum xlat_drop_reason ttp64_ipv6_header(struct xlat_ctx *c) {
        struct ipv6_walk w;
        enum xlat_drop_reason r;
        size_t plen;

        if (c->len < IPV6_HDR_LEN)
                return XLAT_DROP_TRUNCATED;
        if ((c->in[0] >> 4) != 6)
                return XLAT_DROP_BAD_IP_VERSION;
        plen = get_be16(c->in + 4);
        /* A jumbogram (or BIG TCP) has Payload Length 0 and a Hop-by-Hop header with the
         * real one (RFC 2675): it cannot become IPv4. Payload Length 0 is otherwise a
         * packet with nothing after its headers, e.g. Next Header 59 (No Next Header,
         * RFC 8200 §4.7), which §5.1 translates like any other ("Protocol: ... copied"). */
        if (plen == 0 && c->in[6] == IPPROTO_HOPOPTS)
                return XLAT_DROP_BAD_IPV6_HEADER;
        if (IPV6_HDR_LEN + plen > c->len)
                return XLAT_DROP_TRUNCATED;
        c->len = IPV6_HDR_LEN + plen;

        r = ipv6_walk(c->in, c->len, &w);
        if (r != XLAT_DROP_NONE)
                return r;
        c->l3_len = w.l3_len;
        c->protocol = w.protocol;
        c->is_fragment = w.has_fragment;
        c->more_fragments = w.more_fragments;
        c->frag_offset = w.frag_offset;
        c->frag_id = w.frag_id;
        c->tos = (uint8_t) (get_be32(c->in) >> 20);
        c->ttl = c->in[7];
        memcpy(&c->src6, c->in + 8, 16);
        memcpy(&c->dst6, c->in + 24, 16);
        /* §5.1.1 applies to every packet with a Fragment header, so an atomic fragment
         * (offset 0, M clear; RFC 8021) too gets the Identification of its Fragment
         * header and DF clear; but it is a whole datagram: nothing to reassemble, its
         * ICMP checksum can be translated. */
        c->frag_header = w.has_fragment;
        if (c->is_fragment && c->frag_offset == 0 && !c->more_fragments)
                c->is_fragment = false;

        if (w.segments_left_offset != 0) {
                /* §5.1: a Routing header with Segments Left != 0 is not translated; a
                 * Parameter Problem pointing at Segments Left goes back (see below). */
                c->reply_type = 4;
                c->reply_code = 0;
                c->reply_rest = (uint32_t) w.segments_left_offset;
                c->reply_reason = XLAT_DROP_IPV6_ROUTING_HEADER;
        }
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp64_addresses(struct xlat_ctx *c) {
        const struct xlat *x = c->x;
        const uint8_t *l4 = c->in + c->l3_len;

        if (memcmp(&c->dst6, &x->config.clat_ipv6, sizeof(c->dst6)) != 0)
                return XLAT_DROP_IPV6_DESTINATION_NOT_CLAT;
        c->dst4 = x->config.clat_ipv4;

        c->icmp_error = c->protocol == IPPROTO_ICMPV6 && c->frag_offset == 0 && c->len > c->l3_len &&
                        icmp6_is_error(l4[0]);

        if (xlat_under_prefix(x, &c->src6)) {
                nat64_prefix_extract_ipv4(&x->config.nat64_prefix, &c->src6, &c->src4);
                if (!xlat_ipv4_unicast(x, &c->src4))
                        return XLAT_DROP_IPV6_SOURCE_NOT_NAT64;
        } else if (c->icmp_error)
                /* An error from a router on the IPv6 path: RFC 7915 §5.1 / RFC 7600. */
                c->src4.s_addr = htonl(XLAT_IPV4_DUMMY_ADDRESS);
        else
                return XLAT_DROP_IPV6_SOURCE_NOT_NAT64;

        if (c->reply_type == 4) {
                /* Never an error about an error (RFC 4443 §2.4 (e)). */
                if (c->icmp_error)
                        return XLAT_DROP_IPV6_ROUTING_HEADER;
                return XLAT_STEP_REPLY;
        }
        return XLAT_STEP_CONTINUE;
}

static uint16_t ttp64_addr_diff(const struct xlat_ctx *c) {
        return csum_diff(csum_ipv4_addrs(&c->src4, &c->dst4), csum_ipv6_addrs(&c->src6, &c->dst6));
}

static void ctx_patch(struct xlat_ctx *c, uint16_t offset, uint16_t value) {
        c->patches[c->n_patches++] = (struct xlat_patch) { offset, value };
}

static enum xlat_drop_reason ttp64_tcp(struct xlat_ctx *c) {
        if (c->payload_len < 20)
                return XLAT_DROP_TRUNCATED;
        ctx_patch(c, 16, csum_apply(get_be16(c->payload + 16), ttp64_addr_diff(c), c->flags & XLAT_F_CSUM_PARTIAL));
        c->l4_hdr_len = xlat_l4_hdr_len(IPPROTO_TCP, c->payload, c->payload_len);
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp64_udp(struct xlat_ctx *c) {
        bool partial = c->flags & XLAT_F_CSUM_PARTIAL;
        uint16_t old, csum;

        if (c->payload_len < 8)
                return XLAT_DROP_TRUNCATED;
        c->l4_hdr_len = 8;
        old = get_be16(c->payload + 6);
        /* A zero checksum is invalid in IPv6 (RFC 8200 §8.1) but means "none" in IPv4:
         * keep it, the receiver decides. */
        if (old == 0 && !partial)
                return XLAT_STEP_CONTINUE;
        csum = csum_apply(old, ttp64_addr_diff(c), partial);
        if (csum == 0 && !partial)
                csum = 0xffff;
        ctx_patch(c, 6, csum);
        return XLAT_STEP_CONTINUE;
}

/* §5.3: the packet inside an ICMPv6 error, translated back to what we sent. */
int ttp64_inner(const struct xlat *x, const uint8_t *in, size_t len, uint8_t *out, size_t out_size,
                bool *ret_had_fragment_header, bool *ret_whole) {
        struct in_addr src4, dst4;
        struct in6_addr src6, dst6;
        struct ipv6_walk w;
        size_t plen, ulen, n;
        uint8_t out_protocol;
        bool first;
        uint8_t *o;

        if (len < IPV6_HDR_LEN || (in[0] >> 4) != 6)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        if (ipv6_walk(in, len, &w) != XLAT_DROP_NONE)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        memcpy(&src6, in + 8, 16);
        memcpy(&dst6, in + 24, 16);
        if (xlat_map_6to4(x, &src6, &src4) < 0 || xlat_map_6to4(x, &dst6, &dst4) < 0)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        plen = get_be16(in + 4);
        if (plen + IPV6_HDR_LEN < w.l3_len)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        ulen = plen + IPV6_HDR_LEN - w.l3_len;
        if (ulen + IPV4_HDR_LEN > 0xffff)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        if (w.protocol == IPPROTO_ICMP)
                return -XLAT_DROP_ICMP_ERROR_INNER_INVALID;
        first = w.frag_offset == 0;
        if (first && w.protocol == IPPROTO_ICMPV6 && len > w.l3_len && icmp6_is_error(in[w.l3_len]))
                return -XLAT_DROP_ICMP_ERROR_NESTED;
        out_protocol = w.protocol == IPPROTO_ICMPV6 ? IPPROTO_ICMP : w.protocol;
        if (out_size < IPV4_HDR_LEN)
                return -XLAT_DROP_OUTPUT_TOO_SMALL;

        n = len - w.l3_len;
        if (n > out_size - IPV4_HDR_LEN)
                n = out_size - IPV4_HDR_LEN;
        o = out + IPV4_HDR_LEN;
        memcpy(o, in + w.l3_len, n);
        *ret_whole = n >= ulen;

        /* An atomic fragment keeps its Identification too (§5.1.1, as outside). */
        *ret_had_fragment_header = w.has_fragment;
        ttp64_ipv4_hdr(out, (uint8_t) (get_be32(in) >> 20), (uint16_t) (ulen + IPV4_HDR_LEN), w.has_fragment,
                       w.frag_id, w.frag_offset, w.more_fragments, false,
                       ttp64_ipv4_id(&src6, &dst6, get_be32(in) & 0xfffff, o, n, ulen + IPV4_HDR_LEN),
                       in[7], out_protocol, &src4, &dst4);

        if (!first)
                return (int) (IPV4_HDR_LEN + n);
        if ((w.protocol == IPPROTO_TCP && n >= 18) || (w.protocol == IPPROTO_UDP && n >= 8 && get_be16(o + 6) != 0)) {
                size_t off = w.protocol == IPPROTO_TCP ? 16 : 6;
                uint16_t csum = csum_apply(get_be16(o + off),
                                           csum_diff(csum_ipv4_addrs(&src4, &dst4), csum_ipv6_addrs(&src6, &dst6)), false);

                if (w.protocol == IPPROTO_UDP && csum == 0)
                        csum = 0xffff;
                put_be16(o + off, csum);
        } else if (w.protocol == IPPROTO_ICMPV6 && n >= 4 && (o[0] == 128 || o[0] == 129)) {
                uint16_t old_word = get_be16(o), new_word = (uint16_t) ((o[0] == 128 ? 8 : 0) << 8 | o[1]);
                uint16_t diff = csum_diff(new_word, csum_ipv6_pseudo(&src6, &dst6, (uint32_t) ulen, IPPROTO_ICMPV6) + old_word);

                put_be16(o, new_word);
                put_be16(o + 2, csum_apply(get_be16(o + 2), diff, false));
        }
        return (int) (IPV4_HDR_LEN + n);
}

/* §5.2 parameter problem pointer, IPv6 header offset → IPv4 header offset; -1: none. */
static int ttp64_pointer(uint32_t p) {
        if (p <= 1)
                return (int) p;
        if (p == 4 || p == 5)
                return 2;
        if (p == 6)
                return 9;
        if (p == 7)
                return 8;
        if (p >= 8 && p <= 23)
                return 12;
        if (p >= 24 && p <= 39)
                return 16;
        return -1;
}

/* §5.2 type/code table, §5.3 the inner packet; the checksum is recomputed. The
 * translated error is at most 576 bytes (XLAT_ICMPV4_ERROR_MAX, RFC 1812 §4.3.2.3): an
 * ICMPv6 error may quote up to 1232 bytes (RFC 4443 §2.4 (c)), the quote is cut.
 *
 * RFC 4884 extensions (§5.2 "ICMP Error Payload"): as in 4→6 (xlat-4to6.c says why an
 * extension that does not fit is dropped rather than cut), with the original datagram
 * field re-padded to IPv4's rules (32 bits, 128 octets). Within 576 bytes the field
 * never reaches the 255 words (1020 octets) the 8-bit Length attribute can say. */
static enum xlat_drop_reason ttp64_icmp_error(struct xlat_ctx *c) {
        const uint8_t *p = c->payload;
        uint8_t type = p[0], code = p[1], out_type, out_code = 0;
        uint32_t rest = 0;
        uint8_t *s = c->scratch;
        const uint8_t *body = p + ICMP_HDR_LEN;
        size_t body_len = c->payload_len - ICMP_HDR_LEN, inner_len = body_len, field = 0;
        size_t room = XLAT_ICMPV4_ERROR_MAX - IPV4_HDR_LEN - ICMP_HDR_LEN;
        struct icmp_ext ext;
        bool had_frag = false, whole;
        int r, ptr;

        switch (type) {
        case 1: /* Destination Unreachable */
                switch (code) {
                case 0: case 2: case 3:
                        out_type = 3, out_code = 1;
                        break;
                case 1:
                        out_type = 3, out_code = 10;
                        break;
                case 4:
                        out_type = 3, out_code = 3;
                        break;
                default:
                        return XLAT_DROP_ICMP_UNTRANSLATABLE;
                }
                break;
        case 2: /* Packet Too Big → Fragmentation Needed, MTU below */
                out_type = 3, out_code = 4;
                break;
        case 3: /* Time Exceeded */
                out_type = 11, out_code = code;
                break;
        case 4: /* Parameter Problem */
                if (code == 1) {
                        out_type = 3, out_code = 2; /* unrecognized Next Header: Protocol Unreachable */
                        break;
                }
                if (code != 0)
                        return XLAT_DROP_ICMP_UNTRANSLATABLE;
                ptr = ttp64_pointer(get_be32(p + 4));
                if (ptr < 0)
                        return XLAT_DROP_ICMP_UNTRANSLATABLE;
                out_type = 12, out_code = 0, rest = (uint32_t) ptr << 24;
                break;
        default:
                return XLAT_DROP_ICMP_UNTRANSLATABLE;
        }

        if (!(c->flags & XLAT_F_CSUM_PARTIAL) &&
            csum_fold(csum_ipv6_pseudo(&c->src6, &c->dst6, (uint32_t) c->payload_len, IPPROTO_ICMPV6) +
                      csum_bytes(p, c->payload_len, 0)) != 0xffff)
                return XLAT_DROP_BAD_CHECKSUM;

        /* RFC 4884 §4.4/4.5: ICMPv6 Destination Unreachable and Time Exceeded carry the
         * Length attribute in their fifth octet, in 64-bit words (Packet Too Big and
         * Parameter Problem have the MTU and the pointer there). Both become ICMPv4
         * Destination Unreachable or Time Exceeded, which may carry the extension. */
        if ((type == 1 || type == 3) && icmp_ext_find(body, body_len, p[4], 8, &ext)) {
                /* The padding is not part of the datagram: translate what the inner
                 * header says there is, then pad again to IPv4's rules. */
                inner_len = ext.datagram_len;
                if (IPV6_HDR_LEN + (size_t) get_be16(body + 4) < inner_len)
                        inner_len = IPV6_HDR_LEN + get_be16(body + 4);
                field = icmp_ext_datagram_room(&ext, room, 4);
                if (field > 0)
                        room = field;
        }

        r = ttp64_inner(c->x, body, inner_len, s + ICMP_HDR_LEN, room, &had_frag, &whole);
        if (r < 0)
                return (enum xlat_drop_reason) -r;
        if (field > 0) {
                /* RFC 7915 §5.2 "ICMP Error Payload": the length attribute MUST be
                 * adjusted; RFC 4884 §4.1/4.2: the sixth octet, in 32-bit words. */
                field = icmp_ext_finish(s + ICMP_HDR_LEN, (size_t) r, whole, 4, &ext);
                rest = (uint32_t) (field / 4) << 16;
                r = (int) (field + ext.ext_len);
        }

        if (type == 2) {
                /* §5.2: min(advertised - 20, IPv6 next-hop MTU - 20), minus 8 more if the
                 * packet in error carried a Fragment header (its IPv4 original did not). */
                uint32_t adv = get_be32(p + 4), overhead = IPV6_HDR_LEN - IPV4_HDR_LEN + (had_frag ? IPV6_FRAG_HDR_LEN : 0);
                uint32_t mtu = adv > overhead ? adv - overhead : 0;

                if (mtu > c->x->ipv6_mtu - (IPV6_HDR_LEN - IPV4_HDR_LEN))
                        mtu = c->x->ipv6_mtu - (IPV6_HDR_LEN - IPV4_HDR_LEN);
                if (mtu < 68)
                        mtu = 68;
                if (mtu > 0xffff)
                        mtu = 0xffff;
                rest = mtu;
        }

        s[0] = out_type;
        s[1] = out_code;
        put_be16(s + 2, 0);
        put_be32(s + 4, rest);
        c->payload_len = ICMP_HDR_LEN + (size_t) r;
        put_be16(s + 2, (uint16_t) ~csum_fold(csum_bytes(s, c->payload_len, 0)));
        c->payload = s;
        c->payload_rewritten = true;
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp64_icmp(struct xlat_ctx *c) {
        bool partial = c->flags & XLAT_F_CSUM_PARTIAL;
        const uint8_t *p = c->payload;
        uint16_t old_word, new_word, diff;
        uint64_t pseudo;

        if (c->payload_len < ICMP_HDR_LEN)
                return XLAT_DROP_TRUNCATED;
        c->l4_hdr_len = ICMP_HDR_LEN;
        if (c->is_fragment)
                return XLAT_DROP_ICMP_FRAGMENTED;
        if (icmp6_is_error(p[0]))
                return ttp64_icmp_error(c);
        /* Echo only: MLD and Neighbor Discovery are link-local, the rest has no ICMPv4 form. */
        if (p[0] != 128 && p[0] != 129)
                return XLAT_DROP_ICMP_UNTRANSLATABLE;

        old_word = get_be16(p);
        new_word = (uint16_t) ((p[0] == 128 ? 8 : 0) << 8 | p[1]);
        pseudo = csum_ipv6_pseudo(&c->src6, &c->dst6, (uint32_t) c->payload_len, IPPROTO_ICMPV6);
        diff = partial ? (uint16_t) ~csum_fold(pseudo) : csum_diff(new_word, pseudo + old_word);
        ctx_patch(c, 0, new_word);
        ctx_patch(c, 2, csum_apply(get_be16(p + 2), diff, partial));
        return XLAT_STEP_CONTINUE;
}

static enum xlat_drop_reason ttp64_icmpv4_in_ipv6(struct xlat_ctx *c) {
        return XLAT_DROP_ICMP_WRONG_FAMILY;
}

static const struct xlat_l4_step ttp64_l4_steps[] = {
        { IPPROTO_TCP, IPPROTO_TCP, 16, ttp64_tcp },
        { IPPROTO_UDP, IPPROTO_UDP, 6, ttp64_udp },
        { IPPROTO_ICMPV6, IPPROTO_ICMP, 2, ttp64_icmp },
        { IPPROTO_ICMP, 0, 0, ttp64_icmpv4_in_ipv6 },
};

static enum xlat_drop_reason ttp64_l4(struct xlat_ctx *c) {
        const struct xlat_l4_step *s = xlat_l4_step_find(ttp64_l4_steps, ELEMENTSOF(ttp64_l4_steps), c->protocol);

        c->payload = c->in + c->l3_len;
        c->payload_len = c->len - c->l3_len;
        c->out_protocol = s ? s->out_protocol : c->protocol;
        if (!s)
                return XLAT_STEP_CONTINUE;
        c->csum_offset = s->csum_offset;
        if (c->frag_offset != 0) {
                if (c->protocol == IPPROTO_ICMPV6)
                        return XLAT_DROP_ICMP_FRAGMENTED;
                if (c->protocol == IPPROTO_ICMP)
                        return XLAT_DROP_ICMP_WRONG_FAMILY;
                return XLAT_STEP_CONTINUE;
        }
        return s->step(c);
}

static enum xlat_drop_reason ttp64_size(struct xlat_ctx *c) {
        if (IPV4_HDR_LEN + c->payload_len > 0xffff)
                return XLAT_DROP_PACKET_TOO_BIG;
        if (c->is_fragment && (size_t) c->frag_offset * 8 + IPV4_HDR_LEN + c->payload_len > 0xffff)
                return XLAT_DROP_IPV6_FRAGMENT_INVALID;
        return XLAT_STEP_CONTINUE;
}

static const xlat_step_fn ttp64_steps[] = {
        ttp64_ipv6_header,
        ttp64_addresses,
        ttp64_l4,
        ttp64_size,
};

/* ICMPv6 Parameter Problem from the CLAT address back to the sender (§5.1, Routing
 * header), quoting as much of the packet as fits in 1280 bytes. */
static enum xlat_verdict ttp64_reply(struct xlat_ctx *c, uint8_t *base, size_t base_size, size_t quote_pos,
                                     const uint8_t *quote, struct xlat_result *ret) {
        const size_t hdr = IPV6_HDR_LEN + ICMP_HDR_LEN;
        size_t qlen = c->len, pos;
        uint8_t *o;

        if (qlen > XLAT_ICMP_ERROR_MAX - hdr)
                qlen = XLAT_ICMP_ERROR_MAX - hdr;
        pos = quote_pos >= hdr ? quote_pos - hdr : 0;
        if (pos + hdr + qlen > base_size)
                return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);
        o = base + pos;
        if (o + hdr != quote)
                memmove(o + hdr, quote, qlen);

        put_be32(o, 0x60000000U);
        put_be16(o + 4, (uint16_t) (ICMP_HDR_LEN + qlen));
        o[6] = IPPROTO_ICMPV6;
        o[7] = 64;
        memcpy(o + 8, &c->x->config.clat_ipv6, 16);
        memcpy(o + 24, &c->src6, 16);
        o[40] = c->reply_type;
        o[41] = c->reply_code;
        put_be16(o + 42, 0);
        put_be32(o + 44, c->reply_rest);
        put_be16(o + 42, (uint16_t) ~csum_fold(csum_ipv6_pseudo(&c->x->config.clat_ipv6, &c->src6,
                                                                 (uint32_t) (ICMP_HDR_LEN + qlen), IPPROTO_ICMPV6) +
                                               csum_bytes(o + IPV6_HDR_LEN, ICMP_HDR_LEN + qlen, 0)));

        ret->verdict = XLAT_VERDICT_REPLY;
        ret->drop_reason = c->reply_reason;
        ret->n_packets = 1;
        ret->packets[0] = (struct xlat_packet) {
                .offset = (uint32_t) pos,
                .len = (uint32_t) (hdr + qlen),
                .l4_offset = IPV6_HDR_LEN,
                .hdr_len = IPV6_HDR_LEN + ICMP_HDR_LEN,
                .csum_offset = 2,
                .l4_protocol = IPPROTO_ICMPV6,
                .family = AF_INET6,
        };
        return XLAT_VERDICT_REPLY;
}

static enum xlat_verdict ttp64_emit(struct xlat_ctx *c, uint8_t *base, size_t base_size, size_t pos,
                                    struct xlat_result *ret) {
        size_t total = IPV4_HDR_LEN + c->payload_len;
        uint8_t *o = base + pos;
        struct xlat_packet *p = &ret->packets[0];
        uint16_t id = 0;

        if (pos + total > base_size)
                return xlat_drop(ret, XLAT_DROP_OUTPUT_TOO_SMALL);
        if (!c->frag_header && !(c->flags & XLAT_F_GSO) && total <= TTP64_DF_THRESHOLD)
                id = ttp64_ipv4_id(&c->src6, &c->dst6, get_be32(c->in) & 0xfffff, c->payload, c->payload_len, total);
        if (o + IPV4_HDR_LEN != c->payload)
                memmove(o + IPV4_HDR_LEN, c->payload, c->payload_len);
        /* A GSO packet keeps DF: its segments must not be fragmented on the way. */
        ttp64_ipv4_hdr(o, c->tos, (uint16_t) total, c->frag_header, c->frag_id, c->frag_offset, c->more_fragments,
                       c->flags & XLAT_F_GSO, id, c->ttl, c->out_protocol, &c->src4, &c->dst4);
        for (unsigned i = 0; i < c->n_patches; i++)
                put_be16(o + IPV4_HDR_LEN + c->patches[i].offset, c->patches[i].value);

        ret->verdict = XLAT_VERDICT_TRANSLATED;
        ret->drop_reason = XLAT_DROP_NONE;
        ret->n_packets = 1;
        *p = (struct xlat_packet) {
                .offset = (uint32_t) pos,
                .len = (uint32_t) total,
                .family = AF_INET,
        };
        if (c->frag_offset == 0) {
                p->l4_offset = IPV4_HDR_LEN;
                p->l4_protocol = c->out_protocol;
                p->hdr_len = (uint16_t) (IPV4_HDR_LEN + c->l4_hdr_len);
                p->csum_offset = c->l4_hdr_len ? c->csum_offset : 0;
                p->csum_partial = (c->flags & XLAT_F_CSUM_PARTIAL) && c->l4_hdr_len && !c->payload_rewritten;
        }
        return XLAT_VERDICT_TRANSLATED;
}

static enum xlat_drop_reason ttp64_run(struct xlat_ctx *c) {
        for (size_t i = 0; i < ELEMENTSOF(ttp64_steps); i++) {
                enum xlat_drop_reason r = ttp64_steps[i](c);

                if (r != XLAT_STEP_CONTINUE)
                        return r;
        }
        return XLAT_STEP_CONTINUE;
}

enum xlat_verdict xlat_6to4(const struct xlat *x, const void *in, size_t len, unsigned flags,
                            void *out, size_t out_size, struct xlat_result *ret) {
        uint8_t scratch[XLAT_ICMP_ERROR_MAX];
        struct xlat_ctx c = { .x = x, .flags = flags, .in = in, .len = len, .scratch = scratch };
        enum xlat_drop_reason r;

        r = ttp64_run(&c);
        if (r == XLAT_STEP_REPLY)
                return ttp64_reply(&c, out, out_size, 0, c.in, ret);
        if (r != XLAT_STEP_CONTINUE)
                return xlat_drop(ret, r);
        return ttp64_emit(&c, out, out_size, 0, ret);
}

enum xlat_verdict xlat_6to4_inplace(const struct xlat *x, void *buf, size_t headroom, size_t len,
                                    size_t size, unsigned flags, struct xlat_result *ret) {
        uint8_t *b = buf;
        uint8_t scratch[XLAT_ICMP_ERROR_MAX];
        struct xlat_ctx c = { .x = x, .flags = flags, .in = b + headroom, .len = len, .scratch = scratch };
        enum xlat_drop_reason r;

        if (headroom > size || len > size - headroom)
                return xlat_drop(ret, XLAT_DROP_TRUNCATED);
        r = ttp64_run(&c);
        if (r == XLAT_STEP_REPLY)
                return ttp64_reply(&c, b, size, headroom, c.in, ret);
        if (r != XLAT_STEP_CONTINUE)
                return xlat_drop(ret, r);
        /* The IPv4 header goes right in front of the payload, over the IPv6 headers. */
        return ttp64_emit(&c, b, size, headroom + c.l3_len - IPV4_HDR_LEN, ret);
}
