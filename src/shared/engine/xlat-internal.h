/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared layer of the two translation directions (xlat-4to6.c, xlat-6to4.c): the
 * per-packet context, checksum arithmetic, byte access, the output stage. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "xlat.h"

#ifndef _fallthrough_
#define _fallthrough_ __attribute__((fallthrough))
#endif

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
