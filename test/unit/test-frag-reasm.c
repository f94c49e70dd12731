/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reassembly of the CLAT's own ICMP messages, IPv6 and IPv4: fragments cut from a whole packet
 * (byte arrays), fed in various orders; the output compared byte for byte with the
 * original. Tests are named after the RFC 8200 §4.5 / RFC 5722 rule they check. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "frag-reasm.h"
#include "nat64-prefix.h"
#include "test-util.h"
#include "xlat-test-packets.h"
#include "xlat.h"

#define CLAT4 "192.0.0.1"
#define CLAT6 "2001:db8:1::c1a7"
#define OTHER6 "2001:db8:1::1"
#define REMOTE4 "198.51.100.10"
#define REMOTE6 "2001:db8:64::c633:640a"
#define SEC 1000000ULL

static uint8_t whole[70000], frag[70000], out[FRAG_PACKET_MAX];
static size_t whole_len;
static struct xlat_counters C;
static FragReasm *R;
static size_t out_len;

static void reasm_setup(unsigned max_datagrams, size_t max_bytes) {
        struct frag_reasm_config c = { .ipv6_next_header = IPPROTO_ICMPV6, .ipv4_protocol = IPPROTO_ICMP, .max_datagrams = max_datagrams,
                                        .max_bytes = max_bytes };

        R = frag_reasm_free(R);
        memset(&C, 0, sizeof(C));
        inet_pton(AF_INET6, CLAT6, &c.ipv6_destination);
        inet_pton(AF_INET, CLAT4, &c.ipv4_source);
        CHECK_OK(frag_reasm_new(&c, &R));
}

/* An ICMPv6 echo reply from the NAT64 to the CLAT, n bytes of data, checksum valid. */
static void make_whole(size_t n) {
        size_t l4 = tp_echo(whole + 40, 129, 0x1234, 7, n);

        whole_len = tp_ipv6(whole, 0, IPPROTO_ICMPV6, 60, REMOTE6, CLAT6, whole + 40, l4);
        tp_ipv6_l4_csum_set(whole, whole_len, 40, IPPROTO_ICMPV6);
}

/* The fragment of `whole`'s payload [offset, offset + n) with Identification id;
 * dstopts: an 8-byte Destination Options header before the Fragment header. */
static size_t cut(uint32_t id, size_t offset, size_t n, bool more, bool dstopts) {
        size_t h = 40;

        memcpy(frag, whole, 40);
        inet_pton(AF_INET6, REMOTE6, frag + 8);
        if (dstopts) {
                frag[6] = IPPROTO_DSTOPTS;
                memset(frag + 40, 0, 8);
                frag[40] = IPPROTO_FRAGMENT;
                frag[42] = 1; /* PadN, 4 bytes */
                frag[43] = 4;
                h += 8;
        } else
                frag[6] = IPPROTO_FRAGMENT;
        frag[h] = whole[6];
        frag[h + 1] = 0;
        tp_put16(frag + h + 2, (uint16_t) (offset | (more ? 1 : 0)));
        frag[h + 4] = (uint8_t) (id >> 24);
        frag[h + 5] = (uint8_t) (id >> 16);
        frag[h + 6] = (uint8_t) (id >> 8);
        frag[h + 7] = (uint8_t) id;
        memcpy(frag + h + 8, whole + 40 + offset, n);
        tp_put16(frag + 4, (uint16_t) (h + 8 + n - 40));
        return h + 8 + n;
}

static enum frag_verdict feed(size_t len, uint64_t now) {
        out_len = 0;
        return frag_reasm_input(R, frag, len, now, out, sizeof(out), &out_len, &C);
}

static uint64_t dropped(enum xlat_drop_reason r) {
        return C.dropped[XLAT_6TO4][r];
}

static void check_whole(void) {
        if (out_len != whole_len || memcmp(out, whole, whole_len) != 0)
                check_fail("reassembled packet differs (%zu bytes, want %zu)", out_len, whole_len);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
        CHECK_EQ(frag_reasm_bytes(R), 0);
}

/* §4.5: fragments in order, the last completes the datagram. */
static void test_in_order(void) {
        reasm_setup(0, 0);
        make_whole(1400); /* 1408 bytes of ICMPv6: 1232 + 176 */
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(frag_reasm_datagrams(R), 1);
        CHECK_EQ(feed(cut(1, 1232, 176, false, false), 1), FRAG_COMPLETE);
        check_whole();
}

/* §4.5: any order; the end is known from the last fragment before the first arrives. */
static void test_out_of_order(void) {
        reasm_setup(0, 0);
        make_whole(3000); /* 3008 bytes */
        CHECK_EQ(feed(cut(9, 2464, 544, false, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(9, 1232, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(9, 0, 1232, true, false), 0), FRAG_COMPLETE);
        check_whole();
}

/* §4.5: the unfragmentable part (here a Destination Options header) is the offset-0
 * fragment's, its Next Header becomes the Fragment header's. */
static void test_unfragmentable_part(void) {
        reasm_setup(0, 0);
        make_whole(2000);
        CHECK_EQ(feed(cut(3, 1232, 776, false, true), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(3, 0, 1232, true, true), 0), FRAG_COMPLETE);
        CHECK_EQ(out_len, whole_len + 8);
        CHECK_EQ(out[6], IPPROTO_DSTOPTS);
        CHECK_EQ(out[40], IPPROTO_ICMPV6);
        CHECK_EQ(tp_get16(out + 4), whole_len - 40 + 8);
        CHECK(memcmp(out + 48, whole + 40, whole_len - 40) == 0);
}

/* Interleaved datagrams: keyed by (source, destination, Identification). */
static void test_interleaved(void) {
        reasm_setup(0, 0);
        make_whole(1400);
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(2, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(frag_reasm_datagrams(R), 2);
        CHECK_EQ(feed(cut(2, 1232, 176, false, false), 0), FRAG_COMPLETE);
        CHECK_EQ(frag_reasm_datagrams(R), 1);
        CHECK_EQ(feed(cut(1, 1232, 176, false, false), 0), FRAG_COMPLETE);
        check_whole();
}

/* What is not ours passes: atomic fragments (RFC 8021), other protocols, other
 * destinations, unfragmented packets. */
static void test_pass(void) {
        size_t n;

        reasm_setup(0, 0);
        make_whole(100);
        CHECK_EQ(feed(cut(1, 0, 108, false, false), 0), FRAG_PASS);
        n = cut(1, 0, 64, true, false);
        frag[40] = IPPROTO_UDP;
        CHECK_EQ(feed(n, 0), FRAG_PASS);
        n = cut(1, 0, 64, true, false);
        inet_pton(AF_INET6, OTHER6, frag + 24);
        CHECK_EQ(feed(n, 0), FRAG_PASS);
        memcpy(frag, whole, whole_len);
        CHECK_EQ(feed(whole_len, 0), FRAG_PASS);
        CHECK_EQ(feed(20, 0), FRAG_PASS);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
        CHECK_EQ(xlat_counters_dropped(&C, -1), 0);
}

/* RFC 5722: an overlap drops the whole datagram, and the rest of it until it expires. */
static void test_overlap_rfc5722(void) {
        reasm_setup(0, 0);
        make_whole(3000);
        CHECK_EQ(feed(cut(4, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(4, 1224, 1232, true, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_OVERLAP), 2);
        CHECK_EQ(frag_reasm_bytes(R), 0);
        CHECK_EQ(feed(cut(4, 1232, 1232, true, false), 1), FRAG_DROP);
        CHECK_EQ(feed(cut(4, 2464, 544, false, false), 1), FRAG_DROP);
        CHECK_EQ(feed(cut(4, 0, 1232, true, false), 1), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_OVERLAP), 5);
        /* After the timeout the Identification may be reused. */
        CHECK_EQ(feed(cut(4, 0, 1232, true, false), 6 * SEC), FRAG_HELD);
        CHECK_EQ(feed(cut(4, 1232, 1232, true, false), 6 * SEC), FRAG_HELD);
        CHECK_EQ(feed(cut(4, 2464, 544, false, false), 6 * SEC), FRAG_COMPLETE);
        check_whole();
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_TIMEOUT), 0);

        /* Overlap with the following fragment too. */
        CHECK_EQ(feed(cut(5, 1232, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(5, 8, 1232, true, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_OVERLAP), 7);
}

/* §4.5: exact duplicates may be dropped alone. */
static void test_duplicate(void) {
        reasm_setup(0, 0);
        make_whole(1400);
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_DUPLICATE), 1);
        CHECK_EQ(feed(cut(1, 1232, 176, false, false), 0), FRAG_COMPLETE);
        check_whole();
        /* Same place, other bytes: an overlap. */
        CHECK_EQ(feed(cut(2, 0, 1232, true, false), 0), FRAG_HELD);
        make_whole(1401);
        CHECK_EQ(feed(cut(2, 0, 1232, true, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_OVERLAP), 2);
}

/* §4.5 length rules. */
static void test_invalid(void) {
        size_t n;

        reasm_setup(0, 0);
        make_whole(65000);
        /* M set, length not a multiple of 8. */
        CHECK_EQ(feed(cut(1, 0, 1231, true, false), 0), FRAG_DROP);
        /* Payload would exceed 65535 bytes. */
        n = cut(1, 0, 64, true, false);
        tp_put16(frag + 42, (uint16_t) (65528 | 1));
        CHECK_EQ(feed(n, 0), FRAG_DROP);
        /* Empty fragment. */
        CHECK_EQ(feed(cut(1, 8, 0, true, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_IPV6_FRAGMENT_INVALID), 3);
        CHECK_EQ(frag_reasm_datagrams(R), 0);

        /* Two last fragments with different ends: the datagram goes. */
        CHECK_EQ(feed(cut(2, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(2, 2464, 100, false, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(2, 1232, 80, false, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_IPV6_FRAGMENT_INVALID), 6);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
        /* Data past the end. */
        CHECK_EQ(feed(cut(3, 2464, 100, false, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(3, 2464 + 96, 16, true, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_IPV6_FRAGMENT_INVALID), 8);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
        CHECK_EQ(frag_reasm_bytes(R), 0);
}

/* §4.5 reassembly timeout (ours: 5 s), expired on arrival or by frag_reasm_expire(). */
static void test_timeout(void) {
        reasm_setup(0, 0);
        make_whole(3000);
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 1232, 1232, true, false), 4 * SEC), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 2464, 544, false, false), 5 * SEC), FRAG_HELD); /* a new datagram */
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_TIMEOUT), 2);
        CHECK_EQ(frag_reasm_datagrams(R), 1);
        frag_reasm_expire(R, 9 * SEC, &C);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_TIMEOUT), 2);
        frag_reasm_expire(R, 10 * SEC, &C);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_TIMEOUT), 3);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
        CHECK_EQ(frag_reasm_bytes(R), 0);
}

/* Bounded memory: datagrams, bytes, fragments per datagram. */
static void test_table_full(void) {
        reasm_setup(2, 0);
        make_whole(1400);
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(2, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(3, 0, 1232, true, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_TABLE_FULL), 1);
        CHECK_EQ(feed(cut(2, 1232, 176, false, false), 0), FRAG_COMPLETE);
        CHECK_EQ(frag_reasm_datagrams(R), 1);

        reasm_setup(0, 3000);
        make_whole(3000);
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 1232, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 2464, 544, false, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_TABLE_FULL), 1);
        CHECK(frag_reasm_bytes(R) <= 3000);

        reasm_setup(0, 0);
        make_whole(8 * FRAG_FRAGMENTS_MAX + 8);
        for (unsigned i = 0; i < FRAG_FRAGMENTS_MAX; i++)
                CHECK_EQ(feed(cut(1, 8 * i, 8, true, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 8 * FRAG_FRAGMENTS_MAX, 16, false, false), 0), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_TABLE_FULL), FRAG_FRAGMENTS_MAX + 1);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
        CHECK_EQ(frag_reasm_bytes(R), 0);
}

/* A caller's buffer too small for the datagram. */
static void test_output_too_small(void) {
        reasm_setup(0, 0);
        make_whole(1400);
        CHECK_EQ(feed(cut(1, 0, 1232, true, false), 0), FRAG_HELD);
        CHECK_EQ(frag_reasm_input(R, frag, cut(1, 1232, 176, false, false), 0, out, 1000, &out_len, &C), FRAG_DROP);
        CHECK_EQ(dropped(XLAT_DROP_OUTPUT_TOO_SMALL), 2);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
}

/* The point of it all: a fragmented echo reply translates once reassembled (and its
 * fragments alone do not: icmp-fragmented). */
static void test_translate_reassembled(void) {
        struct xlat_config xc = {};
        struct xlat x;
        struct xlat_result res;
        static uint8_t xout[140000];
        const char *reason = NULL;
        const uint8_t *o;
        size_t n;

        CHECK_OK(nat64_prefix_from_string("2001:db8:64::/96", &xc.nat64_prefix, &reason));
        inet_pton(AF_INET, CLAT4, &xc.clat_ipv4);
        inet_pton(AF_INET6, CLAT6, &xc.clat_ipv6);
        CHECK_OK(xlat_init(&x, &xc, &reason));

        reasm_setup(0, 0);
        make_whole(3000);
        n = cut(1, 0, 1232, true, false);
        CHECK_EQ(xlat_6to4(&x, frag, n, 0, xout, sizeof(xout), &res), XLAT_VERDICT_DROP);
        CHECK_EQ(res.drop_reason, XLAT_DROP_ICMP_FRAGMENTED);
        CHECK_EQ(feed(n, 0), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 2464, 544, false, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut(1, 1232, 1232, true, false), 0), FRAG_COMPLETE);
        CHECK_EQ(xlat_6to4(&x, out, out_len, 0, xout, sizeof(xout), &res), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(res.n_packets, 1);
        o = xout + res.packets[0].offset;
        CHECK_EQ(res.packets[0].len, 20 + 3008);
        CHECK_EQ(o[9], IPPROTO_ICMP);
        CHECK_EQ(o[20], 0); /* echo reply */
        CHECK(tp_fold(tp_sum(o + 20, 3008, 0)) == 0xffff);
        CHECK(memcmp(o + 28, whole + 48, 3000) == 0);
}

/* ---- IPv4: ICMP the local stack fragmented (RFC 791) ---- */

/* An ICMP echo request from the CLAT to REMOTE4, n bytes of data, Identification 0x4242. */
static void make_whole4(size_t n) {
        size_t l4 = tp_echo(whole + 20, 8, 0x1234, 7, n);

        whole_len = tp_ipv4(whole, 0, 0x4242, 0, 64, IPPROTO_ICMP, CLAT4, REMOTE4, whole + 20, l4, true);
}

static size_t cut4(const char *src, size_t offset, size_t n, bool more) {
        memcpy(frag, whole, 20);
        inet_pton(AF_INET, src, frag + 12);
        tp_put16(frag + 2, (uint16_t) (20 + n));
        tp_put16(frag + 6, (uint16_t) ((more ? 0x2000 : 0) | offset / 8));
        tp_put16(frag + 10, 0);
        tp_put16(frag + 10, (uint16_t) ~tp_fold(tp_sum(frag, 20, 0)));
        memcpy(frag + 20, whole + 20 + offset, n);
        return 20 + n;
}

static uint64_t dropped4(enum xlat_drop_reason r) {
        return C.dropped[XLAT_4TO6][r];
}

/* Fragments at a 1472-byte MTU (1448 data bytes each), in and out of order. */
static void test_ipv4_reassembly(void) {
        reasm_setup(0, 0);
        make_whole4(3000); /* 3008 bytes of ICMP */
        CHECK_EQ(feed(cut4(CLAT4, 0, 1448, true), 0), FRAG_HELD);
        CHECK_EQ(feed(cut4(CLAT4, 1448, 1448, true), 0), FRAG_HELD);
        CHECK_EQ(feed(cut4(CLAT4, 2896, 112, false), 0), FRAG_COMPLETE);
        check_whole();

        CHECK_EQ(feed(cut4(CLAT4, 2896, 112, false), 0), FRAG_HELD);
        CHECK_EQ(feed(cut4(CLAT4, 0, 1448, true), 0), FRAG_HELD);
        CHECK_EQ(feed(cut4(CLAT4, 1448, 1448, true), 0), FRAG_COMPLETE);
        check_whole();
        CHECK_EQ(xlat_counters_dropped(&C, -1), 0);
}

/* Not ours: another source, another protocol, a whole packet, a bad header checksum. */
static void test_ipv4_pass(void) {
        size_t n;

        reasm_setup(0, 0);
        make_whole4(3000);
        CHECK_EQ(feed(cut4("192.0.0.2", 0, 1448, true), 0), FRAG_PASS);
        n = cut4(CLAT4, 0, 1448, true);
        frag[9] = IPPROTO_UDP;
        tp_put16(frag + 10, 0);
        tp_put16(frag + 10, (uint16_t) ~tp_fold(tp_sum(frag, 20, 0)));
        CHECK_EQ(feed(n, 0), FRAG_PASS);
        n = cut4(CLAT4, 0, 1448, true);
        frag[10] ^= 1;
        CHECK_EQ(feed(n, 0), FRAG_PASS);
        memcpy(frag, whole, whole_len);
        CHECK_EQ(feed(whole_len, 0), FRAG_PASS);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
}

/* The same rules as IPv6; drops counted under 4→6. */
static void test_ipv4_rules(void) {
        reasm_setup(0, 0);
        make_whole4(3000);
        CHECK_EQ(feed(cut4(CLAT4, 0, 1447, true), 0), FRAG_DROP);
        CHECK_EQ(dropped4(XLAT_DROP_BAD_IPV4_HEADER), 1);
        CHECK_EQ(feed(cut4(CLAT4, 0, 1448, true), 0), FRAG_HELD);
        CHECK_EQ(feed(cut4(CLAT4, 1440, 1448, true), 0), FRAG_DROP);
        CHECK_EQ(dropped4(XLAT_DROP_FRAGMENT_OVERLAP), 2);
        CHECK_EQ(feed(cut4(CLAT4, 2896, 112, false), 0), FRAG_DROP);
        CHECK_EQ(dropped4(XLAT_DROP_FRAGMENT_OVERLAP), 3);
        CHECK_EQ(dropped(XLAT_DROP_FRAGMENT_OVERLAP), 0);
        frag_reasm_expire(R, 5 * SEC, &C);
        CHECK_EQ(frag_reasm_datagrams(R), 0);
}

/* Reassembled, the request translates, into IPv6 fragments (DF clear, RFC 7915 §4). */
static void test_ipv4_translate_reassembled(void) {
        struct xlat_config xc = {};
        struct xlat x;
        struct xlat_result res;
        static uint8_t xout[140000];
        const char *reason = NULL;

        CHECK_OK(nat64_prefix_from_string("2001:db8:64::/96", &xc.nat64_prefix, &reason));
        inet_pton(AF_INET, CLAT4, &xc.clat_ipv4);
        inet_pton(AF_INET6, CLAT6, &xc.clat_ipv6);
        CHECK_OK(xlat_init(&x, &xc, &reason));

        reasm_setup(0, 0);
        make_whole4(3000);
        CHECK_EQ(xlat_4to6(&x, frag, cut4(CLAT4, 0, 1448, true), 0, xout, sizeof(xout), &res), XLAT_VERDICT_DROP);
        CHECK_EQ(res.drop_reason, XLAT_DROP_ICMP_FRAGMENTED);
        CHECK_EQ(feed(cut4(CLAT4, 0, 1448, true), 0), FRAG_HELD);
        CHECK_EQ(feed(cut4(CLAT4, 1448, 1448, true), 0), FRAG_HELD);
        CHECK_EQ(feed(cut4(CLAT4, 2896, 112, false), 0), FRAG_COMPLETE);
        CHECK_EQ(xlat_4to6(&x, out, out_len, 0, xout, sizeof(xout), &res), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(res.n_packets, 3); /* 3008 bytes of ICMPv6 in 1232-byte fragments */
        for (unsigned i = 0; i < res.n_packets; i++) {
                CHECK(res.packets[i].len <= 1280);
                CHECK_EQ(xout[res.packets[i].offset + 6], IPPROTO_FRAGMENT);
        }
}

int main(void) {
        test_in_order();
        test_out_of_order();
        test_unfragmentable_part();
        test_interleaved();
        test_pass();
        test_overlap_rfc5722();
        test_duplicate();
        test_invalid();
        test_timeout();
        test_table_full();
        test_output_too_small();
        test_translate_reassembled();
        test_ipv4_reassembly();
        test_ipv4_pass();
        test_ipv4_rules();
        test_ipv4_translate_reassembled();
        R = frag_reasm_free(R);
        return 0;
}
