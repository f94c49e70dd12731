/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Packet builders for the translator's tests, benchmark and fuzzers. Checksums here are
 * computed from scratch over the whole packet, independently of the library's
 * incremental arithmetic, so they serve as the oracle. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t tp_get16(const uint8_t *p) {
        return (uint16_t) (p[0] << 8 | p[1]);
}

static inline void tp_put16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}

static inline uint32_t tp_sum(const uint8_t *p, size_t len, uint32_t sum) {
        for (size_t i = 0; i < len; i++)
                sum += (i & 1) ? p[i] : (uint32_t) p[i] << 8;
        return sum;
}

static inline uint16_t tp_fold(uint32_t sum) {
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t) sum;
}

static inline uint32_t tp_pseudo4(const uint8_t *ip, uint16_t l4_len, uint8_t proto) {
        return tp_sum(ip + 12, 8, 0) + l4_len + proto;
}

static inline uint32_t tp_pseudo6(const uint8_t *ip, uint32_t l4_len, uint8_t proto) {
        return tp_sum(ip + 8, 32, 0) + (l4_len >> 16) + (l4_len & 0xffff) + proto;
}

static inline size_t tp_csum_offset(uint8_t proto) {
        switch (proto) {
        case IPPROTO_TCP:
                return 16;
        case IPPROTO_UDP:
                return 6;
        case IPPROTO_ICMP:
        case IPPROTO_ICMPV6:
                return 2;
        default:
                return SIZE_MAX;
        }
}

/* Set the L4 checksum of a complete packet in l4 (l4_len bytes). */
static inline void tp_l4_csum_set(uint32_t pseudo, uint8_t proto, uint8_t *l4, size_t l4_len) {
        size_t off = tp_csum_offset(proto);
        uint16_t c;

        if (off == SIZE_MAX || l4_len < off + 2)
                return;
        tp_put16(l4 + off, 0);
        c = (uint16_t) ~tp_fold(tp_sum(l4, l4_len, proto == IPPROTO_ICMP ? 0 : pseudo));
        if (c == 0 && proto == IPPROTO_UDP)
                c = 0xffff;
        tp_put16(l4 + off, c);
}

static inline bool tp_l4_csum_ok(uint32_t pseudo, uint8_t proto, const uint8_t *l4, size_t l4_len) {
        if (tp_csum_offset(proto) == SIZE_MAX)
                return true;
        if (proto == IPPROTO_UDP && l4_len >= 8 && tp_get16(l4 + 6) == 0)
                return true;
        return tp_fold(tp_sum(l4, l4_len, proto == IPPROTO_ICMP ? 0 : pseudo)) == 0xffff;
}

/* IPv4 header (20 bytes, no options) + payload; l4 checksum computed when `csum`. */
static inline size_t tp_ipv4(uint8_t *b, uint8_t tos, uint16_t id, uint16_t flags_off, uint8_t ttl, uint8_t proto,
                             const char *src, const char *dst, const uint8_t *payload, size_t plen, bool csum) {
        memset(b, 0, 20);
        b[0] = 0x45;
        b[1] = tos;
        tp_put16(b + 2, (uint16_t) (20 + plen));
        tp_put16(b + 4, id);
        tp_put16(b + 6, flags_off);
        b[8] = ttl;
        b[9] = proto;
        inet_pton(AF_INET, src, b + 12);
        inet_pton(AF_INET, dst, b + 16);
        tp_put16(b + 10, (uint16_t) ~tp_fold(tp_sum(b, 20, 0)));
        if (payload != b + 20)
                memmove(b + 20, payload, plen);
        if (csum && (flags_off & 0x1fff) == 0)
                tp_l4_csum_set(tp_pseudo4(b, (uint16_t) plen, proto), proto, b + 20, plen);
        return 20 + plen;
}

static inline size_t tp_ipv6(uint8_t *b, uint8_t tc, uint8_t nh, uint8_t hlim, const char *src, const char *dst,
                             const uint8_t *payload, size_t plen) {
        memset(b, 0, 40);
        b[0] = (uint8_t) (0x60 | tc >> 4);
        b[1] = (uint8_t) (tc << 4);
        tp_put16(b + 4, (uint16_t) plen);
        b[6] = nh;
        b[7] = hlim;
        inet_pton(AF_INET6, src, b + 8);
        inet_pton(AF_INET6, dst, b + 24);
        if (payload != b + 40)
                memmove(b + 40, payload, plen);
        return 40 + plen;
}

/* Set the L4 checksum of an IPv6 packet whose upper layer starts at l4_off. */
static inline void tp_ipv6_l4_csum_set(uint8_t *b, size_t len, size_t l4_off, uint8_t proto) {
        tp_l4_csum_set(tp_pseudo6(b, (uint32_t) (len - l4_off), proto), proto, b + l4_off, len - l4_off);
}

/* UDP header + n bytes of pattern data (checksum left 0). */
static inline size_t tp_udp(uint8_t *b, uint16_t sport, uint16_t dport, size_t n, uint8_t seed) {
        tp_put16(b, sport);
        tp_put16(b + 2, dport);
        tp_put16(b + 4, (uint16_t) (8 + n));
        tp_put16(b + 6, 0);
        for (size_t i = 0; i < n; i++)
                b[8 + i] = (uint8_t) (seed + i * 7);
        return 8 + n;
}

/* TCP header (20 bytes, ACK|PSH) + n bytes of data. */
static inline size_t tp_tcp(uint8_t *b, uint16_t sport, uint16_t dport, size_t n, uint8_t seed) {
        memset(b, 0, 20);
        tp_put16(b, sport);
        tp_put16(b + 2, dport);
        b[4] = 0x12, b[5] = 0x34, b[6] = 0x56, b[7] = 0x78;
        b[8] = 0x9a, b[11] = 0x01;
        b[12] = 0x50;
        b[13] = 0x18;
        tp_put16(b + 14, 0xfaf0);
        for (size_t i = 0; i < n; i++)
                b[20 + i] = (uint8_t) (seed + i * 13);
        return 20 + n;
}

/* ICMP(v6) echo header + n bytes of data. */
static inline size_t tp_echo(uint8_t *b, uint8_t type, uint16_t ident, uint16_t seq, size_t n) {
        b[0] = type;
        b[1] = 0;
        tp_put16(b + 2, 0);
        tp_put16(b + 4, ident);
        tp_put16(b + 6, seq);
        for (size_t i = 0; i < n; i++)
                b[8 + i] = (uint8_t) i;
        return 8 + n;
}
