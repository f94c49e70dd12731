/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared layer of the two translation directions (xlat-4to6.c, xlat-6to4.c): the
 * per-packet context, checksum arithmetic, byte access, and the steps both directions
 * take, parameterised by `to_ipv6` where they differ (L4 dispatch, TCP/UDP/ICMP Echo
 * checksum adjustment, the quoted packet's L4, RFC 4884 extensions, the ICMP error
 * header, replies, the entry-point frame). What is one direction's alone (header
 * parsing and writing, ICMP type/code tables, MTU and fragmentation) stays in its file.
 * Hot-path helpers are inline here; the ICMP error path is in xlat.c. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "xlat.h"

#ifndef _fallthrough_
#define _fallthrough_ __attribute__((fallthrough))
#endif

/* For the entry-point frame and the per-packet helpers of the hot path: a call there
 * costs a measurable part of a ~50 ns translation (bench/xlat-micro). */
#define _xlat_inline_ inline __attribute__((always_inline))

#define IPV4_HDR_LEN 20U
#define IPV6_HDR_LEN 40U
#define IPV6_FRAG_HDR_LEN 8U
#define ICMP_HDR_LEN 8U

#define IPV4_FLAG_DF 0x4000U
#define IPV4_FLAG_MF 0x2000U
#define IPV4_OFFSET_MASK 0x1fffU

/* Largest ICMPv6 error the translator emits, translated or its own (RFC 4443 §2.4 (c):
 * as much of the invoking packet as fits in the minimum IPv6 MTU); also the size of the
 * scratch buffer an ICMP error is rewritten in. */
#define XLAT_ICMP_ERROR_MAX 1280U

/* Largest ICMPv4 error the translator emits, translated or its own: RFC 1812 §4.3.2.3,
 * "the ICMP datagram SHOULD contain as much of the original datagram as possible
 * without the length of the ICMP datagram exceeding 576 bytes". */
#define XLAT_ICMPV4_ERROR_MAX 576U

static inline uint16_t get_be16(const uint8_t *p) {
        return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}

static inline void put_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

/* Ones' complement arithmetic on host-order values of big-endian 16-bit words. */
static inline uint16_t csum_fold(uint64_t sum) {
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t) sum;
}

static inline uint64_t csum_bytes(const uint8_t *p, size_t len, uint64_t sum) {
        size_t i = 0;

        for (; i + 4 <= len; i += 4)
                sum += get_be32(p + i);
        for (; i + 2 <= len; i += 2)
                sum += get_be16(p + i);
        if (i < len)
                sum += (uint32_t) p[i] << 8;
        return sum;
}

/* The ones' complement difference "a - b" of two sums, as a 16-bit value to add. */
static inline uint16_t csum_diff(uint64_t add, uint64_t sub) {
        return csum_fold((uint64_t) csum_fold(add) + (uint16_t) ~csum_fold(sub));
}

/* RFC 1624 eqn. 3 on a complete checksum field; on a partial one (pseudo-header sum
 * only, not complemented) the difference is simply added. */
static inline uint16_t csum_apply(uint16_t field, uint16_t diff, bool partial) {
        if (partial)
                return csum_fold((uint64_t) field + diff);
        return (uint16_t) ~csum_fold((uint64_t) (uint16_t) ~field + diff);
}

static inline uint64_t csum_ipv4_addrs(const struct in_addr *src, const struct in_addr *dst) {
        return csum_bytes((const uint8_t *) &src->s_addr, 4, 0) + csum_bytes((const uint8_t *) &dst->s_addr, 4, 0);
}

static inline uint64_t csum_ipv6_addrs(const struct in6_addr *src, const struct in6_addr *dst) {
        return csum_bytes(src->s6_addr, 16, 0) + csum_bytes(dst->s6_addr, 16, 0);
}

/* The IPv6 pseudo-header (RFC 8200 §8.1). */
static inline uint64_t csum_ipv6_pseudo(const struct in6_addr *src, const struct in6_addr *dst,
                                        uint32_t len, uint8_t next_header) {
        return csum_ipv6_addrs(src, dst) + (len >> 16) + (len & 0xffff) + next_header;
}

static inline uint64_t csum_ipv4_pseudo(const struct in_addr *src, const struct in_addr *dst,
                                        uint16_t len, uint8_t protocol) {
        return csum_ipv4_addrs(src, dst) + len + protocol;
}

/* A 16-bit field the L4 step changes in the payload once it is in place. */
struct xlat_patch {
        uint16_t offset; /* from the start of the payload */
        uint16_t value;
};

/* One packet being translated, filled in step by step. */
struct xlat_ctx {
        const struct xlat *x;
        unsigned flags;

        const uint8_t *in;      /* the input packet (trimmed to its IP length) */
        size_t len;
        size_t l3_len;          /* IPv4 header, or IPv6 header + extension headers */
        uint8_t protocol;       /* upper-layer protocol of the input */
        uint8_t out_protocol;   /* and of the output */
        uint8_t tos;
        uint8_t ttl;
        bool df;
        bool is_fragment;
        bool frag_header;       /* 6→4: a Fragment header, also an atomic fragment's */
        bool more_fragments;
        uint16_t frag_offset;   /* in 8-octet units */
        uint32_t frag_id;
        bool icmp_error;        /* an ICMP error message (inner packet to translate) */

        struct in_addr src4, dst4;
        struct in6_addr src6, dst6;

        /* The output payload: the input's, or for ICMP errors a rewritten copy. */
        const uint8_t *payload;
        size_t payload_len;
        bool payload_rewritten;
        bool csum_completed;    /* a partial L4 checksum was completed (fragmenting) */
        uint8_t *scratch;       /* XLAT_ICMP_ERROR_MAX bytes, not zeroed with the rest */

        struct xlat_patch patches[2];
        unsigned n_patches;

        /* For the result descriptors. */
        uint16_t l4_hdr_len;    /* 0: no L4 header in the first packet */
        uint16_t csum_offset;

        /* Reply (XLAT_VERDICT_REPLY): type, code and the 32 bits after the checksum. */
        uint8_t reply_type, reply_code;
        uint32_t reply_rest;
        enum xlat_drop_reason reply_reason; /* why the packet got a reply instead */
};

/* What a step says: go on, drop (with the reason), or answer the sender. */
#define XLAT_STEP_CONTINUE XLAT_DROP_NONE
#define XLAT_STEP_REPLY ((enum xlat_drop_reason) _XLAT_DROP_MAX)

typedef enum xlat_drop_reason (*xlat_step_fn)(struct xlat_ctx *ctx);

static inline void xlat_ctx_patch(struct xlat_ctx *c, uint16_t offset, uint16_t value) {
        c->patches[c->n_patches++] = (struct xlat_patch) { offset, value };
}

/* The L4 checksum difference the address change makes: the IPv4 addresses replaced by
 * the IPv6 ones (to_ipv6) or the other way round. */
static inline uint16_t xlat_addr_diff(const struct in_addr *src4, const struct in_addr *dst4,
                                      const struct in6_addr *src6, const struct in6_addr *dst6, bool to_ipv6) {
        if (to_ipv6)
                return csum_diff(csum_ipv6_addrs(src6, dst6), csum_ipv4_addrs(src4, dst4));
        return csum_diff(csum_ipv4_addrs(src4, dst4), csum_ipv6_addrs(src6, dst6));
}

static inline uint16_t xlat_ctx_addr_diff(const struct xlat_ctx *c, bool to_ipv6) {
        return xlat_addr_diff(&c->src4, &c->dst4, &c->src6, &c->dst6, to_ipv6);
}

/* An ICMP error message (with a packet in error to translate), by its type of the input
 * family (IPv4 if to_ipv6). */
static inline bool xlat_icmp_is_error(uint8_t type, bool to_ipv6) {
        if (to_ipv6)
                return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
        return type < 128;
}

/* Echo Request/Reply: ICMPv4 8/0, ICMPv6 128/129 (the only informational messages with
 * a counterpart). `type` of the input family: IPv4 if to_ipv6. */
static inline bool xlat_icmp_is_echo(uint8_t type, bool to_ipv6) {
        return to_ipv6 ? type == 8 || type == 0 : type == 128 || type == 129;
}

/* The first word (type, code) of a translated Echo message, and its checksum: the type
 * changes and the ICMPv6 pseudo-header (`pseudo`, which ICMPv4 does not have) is added
 * (to_ipv6) or taken away. A partial checksum covers only the pseudo-header: the type
 * change is inside the range the device still sums. */
static inline void xlat_icmp_echo_translate(const uint8_t *p, uint64_t pseudo, bool to_ipv6, bool partial,
                                            uint16_t *ret_word, uint16_t *ret_csum) {
        uint16_t old_word = get_be16(p), new_word, diff;

        if (to_ipv6) {
                new_word = (uint16_t) ((p[0] == 8 ? 128 : 129) << 8 | p[1]);
                diff = partial ? csum_fold(pseudo) : csum_diff(pseudo + new_word, old_word);
        } else {
                new_word = (uint16_t) ((p[0] == 128 ? 8 : 0) << 8 | p[1]);
                diff = partial ? (uint16_t) ~csum_fold(pseudo) : csum_diff(new_word, pseudo + old_word);
        }
        *ret_word = new_word;
        *ret_csum = csum_apply(get_be16(p + 2), diff, partial);
}

/* Per-protocol L4 handling, one table per direction. */
struct xlat_l4_step {
        uint8_t protocol;
        uint8_t out_protocol;
        uint8_t csum_offset;
        xlat_step_fn step;
};

const struct xlat_l4_step *xlat_l4_step_find(const struct xlat_l4_step *table, size_t n, uint8_t protocol);

bool xlat_ipv4_unicast(const struct xlat *x, const struct in_addr *a);
/* 0, or -EADDRNOTAVAIL: the rules of xlat_map_*() without validation of the caller. */
int xlat_map_4to6(const struct xlat *x, const struct in_addr *v4, struct in6_addr *ret);
int xlat_map_6to4(const struct xlat *x, const struct in6_addr *v6, struct in_addr *ret);
bool xlat_under_prefix(const struct xlat *x, const struct in6_addr *a);

enum xlat_verdict xlat_drop(struct xlat_result *ret, enum xlat_drop_reason reason);

/* Write the translated L4 header length (TCP data offset etc.) for descriptors. */
uint16_t xlat_l4_hdr_len(uint8_t protocol, const uint8_t *l4, size_t avail);

/* Inner packet translation (inside ICMP errors): returns bytes written, or a negative
 * drop reason. `out` holds out_size bytes. *ret_whole: all of the packet in error (as
 * its Total Length / Payload Length says) was translated, none of it missing from the
 * quote nor cut to out_size. */
int ttp46_inner(const struct xlat *x, const uint8_t *in, size_t len, uint8_t *out, size_t out_size,
                bool *ret_whole);
int ttp64_inner(const struct xlat *x, const uint8_t *in, size_t len, uint8_t *out, size_t out_size,
                bool *ret_had_fragment_header, bool *ret_whole);

/* IPv6 extension header walk shared by outer and inner 6→4 parsing. */
struct ipv6_walk {
        size_t l3_len;
        uint8_t protocol;
        bool has_fragment;
        bool more_fragments;
        uint16_t frag_offset;
        uint32_t frag_id;
        size_t segments_left_offset; /* 0: no routing header with segments left */
};
enum xlat_drop_reason ipv6_walk(const uint8_t *p, size_t len, struct ipv6_walk *ret);

/* RFC 4884 multi-part ICMP errors: the "original datagram" field and the extension
 * structure after it (xlat.c says what counts as compliant and why). */
struct icmp_ext {
        size_t datagram_len; /* the original datagram field as received, padding included */
        const uint8_t *ext;  /* the extension structure (family-independent, kept opaque) */
        size_t ext_len;
};

/* `body`: the ICMP message after its 8-byte header; `length_attr`: its Length attribute;
 * `unit`: 4 (ICMPv4, 32-bit words) or 8 (ICMPv6, 64-bit words). True if the message
 * carries a compliant extension, described in *ret. */
bool icmp_ext_find(const uint8_t *body, size_t body_len, uint8_t length_attr, size_t unit, struct icmp_ext *ret);
/* Room for the translated original datagram field when `room` bytes follow the ICMP
 * header and the extension is kept: a multiple of `unit`, at most 255 units (the Length
 * attribute is 8 bits), at least 128 (RFC 4884 §4); 0 if the extension does not fit. */
size_t icmp_ext_datagram_room(const struct icmp_ext *e, size_t room, size_t unit);
/* The translated datagram (n bytes at `field`, `whole`: all of the packet in error) is
 * fitted to the unit and to 128 octets (xlat.c says how), and the extension appended.
 * Returns the length of the field. */
size_t icmp_ext_finish(uint8_t *field, size_t n, bool whole, size_t unit, const struct icmp_ext *e);

/* Checksum of an IPv4 header in place. */
void ipv4_header_checksum_set(uint8_t *h, size_t ihl_bytes);

/* The L4 step of either direction: the payload, the table's step for its protocol (other
 * protocols pass unchanged). A non-first fragment has no L4 header to translate, and
 * ICMP (`icmp_in`, of the input family; `icmp_out` of the other) cannot be fixed. */
static inline enum xlat_drop_reason xlat_l4_dispatch(struct xlat_ctx *c, const struct xlat_l4_step *table,
                                                     size_t n, uint8_t icmp_in, uint8_t icmp_out) {
        const struct xlat_l4_step *s = xlat_l4_step_find(table, n, c->protocol);

        c->payload = c->in + c->l3_len;
        c->payload_len = c->len - c->l3_len;
        c->out_protocol = s ? s->out_protocol : c->protocol;
        if (!s)
                return XLAT_STEP_CONTINUE;
        c->csum_offset = s->csum_offset;
        if (c->frag_offset != 0) {
                if (c->protocol == icmp_in)
                        return XLAT_DROP_ICMP_FRAGMENTED;
                if (c->protocol == icmp_out)
                        return XLAT_DROP_ICMP_WRONG_FAMILY;
                return XLAT_STEP_CONTINUE;
        }
        return s->step(c);
}

/* The ICMP step of either direction (the input's ICMP, IPv4's if to_ipv6): errors go to
 * the direction's `error` step; of the rest only Echo has a counterpart in the other
 * family (MLD and Neighbor Discovery are link-local). */
static inline enum xlat_drop_reason xlat_l4_icmp(struct xlat_ctx *c, bool to_ipv6, xlat_step_fn error) {
        const uint8_t *p = c->payload;
        uint16_t word, csum;

        if (c->payload_len < ICMP_HDR_LEN)
                return XLAT_DROP_TRUNCATED;
        c->l4_hdr_len = ICMP_HDR_LEN;
        /* The ICMPv6 pseudo-header needs the length of the whole message. */
        if (c->is_fragment)
                return XLAT_DROP_ICMP_FRAGMENTED;
        if (xlat_icmp_is_error(p[0], to_ipv6))
                return error(c);
        if (!xlat_icmp_is_echo(p[0], to_ipv6))
                return XLAT_DROP_ICMP_UNTRANSLATABLE;

        xlat_icmp_echo_translate(p, csum_ipv6_pseudo(&c->src6, &c->dst6, (uint32_t) c->payload_len, IPPROTO_ICMPV6),
                                 to_ipv6, c->flags & XLAT_F_CSUM_PARTIAL, &word, &csum);
        xlat_ctx_patch(c, 0, word);
        xlat_ctx_patch(c, 2, csum);
        return XLAT_STEP_CONTINUE;
}

/* L4 steps common to both directions, given the address difference of xlat_ctx_addr_diff(). */
static inline enum xlat_drop_reason xlat_l4_tcp(struct xlat_ctx *c, uint16_t addr_diff) {
        if (c->payload_len < 20)
                return XLAT_DROP_TRUNCATED;
        xlat_ctx_patch(c, 16, csum_apply(get_be16(c->payload + 16), addr_diff, c->flags & XLAT_F_CSUM_PARTIAL));
        c->l4_hdr_len = xlat_l4_hdr_len(IPPROTO_TCP, c->payload, c->payload_len);
        return XLAT_STEP_CONTINUE;
}

/* UDP once the zero checksum is dealt with (the directions differ there). */
static inline enum xlat_drop_reason xlat_l4_udp_adjust(struct xlat_ctx *c, uint16_t old, uint16_t addr_diff) {
        bool partial = c->flags & XLAT_F_CSUM_PARTIAL;
        uint16_t csum = csum_apply(old, addr_diff, partial);

        if (csum == 0 && !partial)
                csum = 0xffff;
        xlat_ctx_patch(c, 6, csum);
        return XLAT_STEP_CONTINUE;
}

/* The other family's ICMP inside this family's IP. */
enum xlat_drop_reason xlat_l4_wrong_family(struct xlat_ctx *c);

/* The L4 checksum of the packet quoted in an ICMP error (`l4`, n bytes of it, ulen its
 * upper-layer length), after its addresses changed; an Echo's type too. Checksums of a
 * truncated packet cannot be verified, only kept consistent. `protocol`: of the input
 * family (IPv4 if to_ipv6). */
void xlat_inner_l4_adjust(uint8_t *l4, size_t n, uint8_t protocol, const struct in_addr *src4,
                          const struct in_addr *dst4, const struct in6_addr *src6, const struct in6_addr *dst6,
                          uint32_t ulen, bool to_ipv6);

/* The output's payload, after its headers are written at `l4 - header length`: the
 * patches of the L4 step. */
static inline void xlat_ctx_put_patches(const struct xlat_ctx *c, uint8_t *l4) {
        for (unsigned i = 0; i < c->n_patches; i++)
                put_be16(l4 + c->patches[i].offset, c->patches[i].value);
}

/* The descriptor of one output packet (`hdr`: its IP headers; `first`: it carries the
 * L4 header). */
static inline void xlat_ctx_describe(const struct xlat_ctx *c, struct xlat_packet *p, size_t pos, size_t hdr,
                                     size_t len, bool first, int family) {
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

/* A direction's steps (xlat_run_steps() and what the direction adds). */
typedef enum xlat_drop_reason (*xlat_run_fn)(struct xlat_ctx *c);
/* A direction's own ICMP error to the sender (XLAT_STEP_REPLY), quoting the input
 * packet, which may lie inside `base` at quote_pos. */
typedef enum xlat_verdict (*xlat_reply_fn)(struct xlat_ctx *c, uint8_t *base, size_t base_size, size_t quote_pos,
                                           struct xlat_result *ret);
/* A direction's output stage: the translated packet(s) from `pos` in `base`. */
typedef enum xlat_verdict (*xlat_emit_fn)(struct xlat_ctx *c, uint8_t *base, size_t base_size, size_t pos,
                                          struct xlat_result *ret);

/* The start of a reply (`ipv6`: its family): where it goes, with the quote (as much of
 * the input as fits in the family's largest error) moved right behind its IP and ICMP
 * headers, and its result and descriptor filled in. NULL: no room (*ret says so). */
uint8_t *xlat_reply_place(const struct xlat_ctx *c, bool ipv6, uint8_t *base, size_t base_size, size_t quote_pos,
                          size_t *ret_qlen, struct xlat_result *ret);

/* RFC 4884, an ICMP error with a compliant extension `e` (found with the input's Length
 * attribute): *inner_len becomes the original datagram field without its padding (what
 * the inner header says there is), and if the output message may carry the extension
 * (`keep`), the room for the translated field in the output's unit is returned and set
 * in *room (0: the extension is dropped). `inner`: the quoted packet, of the input
 * family (IPv4 if to_ipv6). */
size_t xlat_icmp_ext_prepare(const struct icmp_ext *e, const uint8_t *inner, bool to_ipv6, bool keep, size_t *room,
                             size_t *inner_len);
/* After the inner packet (n bytes at `field`) is translated: the field fitted to the
 * output's unit, the extension appended, the output's Length attribute set in *rest
 * (ICMPv6: the fifth octet, in 64-bit words; ICMPv4: the sixth, in 32-bit words).
 * Returns the length of the ICMP body. */
size_t xlat_icmp_ext_append(uint8_t *field, size_t n, bool whole, bool to_ipv6, const struct icmp_ext *e,
                            uint32_t *rest);
/* The end of an ICMP error translation: the new ICMP header (with the ICMPv6
 * pseudo-header in its checksum if to_ipv6) in front of the `body_len` bytes of body in
 * c->scratch, which becomes the payload. */
void xlat_icmp_error_finish(struct xlat_ctx *c, bool to_ipv6, uint8_t type, uint8_t code, uint32_t rest,
                            size_t body_len);

/* The steps of a direction, in order, until one does not say go on. */
static inline enum xlat_drop_reason xlat_run_steps(struct xlat_ctx *c, const xlat_step_fn *steps, size_t n) {
        for (size_t i = 0; i < n; i++) {
                enum xlat_drop_reason r = steps[i](c);

                if (r != XLAT_STEP_CONTINUE)
                        return r;
        }
        return XLAT_STEP_CONTINUE;
}

/* The frame of both directions' entry points: run the steps, then drop, reply or emit.
 * Inline, so that the direction's functions are called directly. */
static _xlat_inline_ enum xlat_verdict xlat_translate(struct xlat_ctx *c, xlat_run_fn run, xlat_reply_fn reply,
                                                      xlat_emit_fn emit, uint8_t *base, size_t base_size, size_t pos,
                                                      struct xlat_result *ret) {
        enum xlat_drop_reason r = run(c);

        if (r == XLAT_STEP_REPLY)
                return reply(c, base, base_size, pos, ret);
        if (r != XLAT_STEP_CONTINUE)
                return xlat_drop(ret, r);
        return emit(c, base, base_size, pos, ret);
}

/* The copying entry point (`emit` gets pos 0) and the in-place one (`emit` gets the
 * headroom and places the packet itself). */
static _xlat_inline_ enum xlat_verdict xlat_translate_copy(const struct xlat *x, const void *in, size_t len,
                                                           unsigned flags, void *out, size_t out_size,
                                                           struct xlat_result *ret, xlat_run_fn run,
                                                           xlat_reply_fn reply, xlat_emit_fn emit) {
        uint8_t scratch[XLAT_ICMP_ERROR_MAX];
        struct xlat_ctx c = { .x = x, .flags = flags, .in = in, .len = len, .scratch = scratch };

        return xlat_translate(&c, run, reply, emit, out, out_size, 0, ret);
}

static _xlat_inline_ enum xlat_verdict xlat_translate_inplace(const struct xlat *x, void *buf, size_t headroom,
                                                              size_t len, size_t size, unsigned flags,
                                                              struct xlat_result *ret, xlat_run_fn run,
                                                              xlat_reply_fn reply, xlat_emit_fn emit_inplace) {
        uint8_t *b = buf;
        uint8_t scratch[XLAT_ICMP_ERROR_MAX];
        struct xlat_ctx c = { .x = x, .flags = flags, .in = b + headroom, .len = len, .scratch = scratch };

        if (headroom > size || len > size - headroom)
                return xlat_drop(ret, XLAT_DROP_TRUNCATED);
        return xlat_translate(&c, run, reply, emit_inplace, b, size, headroom, ret);
}
