/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 7915 translation, byte arrays in and out; each test is named after the section
 * whose behaviour it checks. Expected packets are built with checksums computed from
 * scratch (xlat-test-packets.h), so they check the library's incremental arithmetic. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "nat64-prefix.h"
#include "test-util.h"
#include "xlat-test-packets.h"
#include "xlat.h"

#define CLAT4 "192.0.0.1"
#define CLAT6 "2001:db8:1::c1a7"
#define REMOTE4 "198.51.100.10"
#define REMOTE6 "2001:db8:64::c633:640a"
#define ROUTER6 "2001:db8:ffff::1"

static struct xlat X;
static const char *clat6 = CLAT6;
static uint32_t lowest_mtu; /* config.lowest_ipv6_mtu of the next setup() */
static uint8_t in[70000], out[140000];

static void setup(const char *prefix, uint32_t mtu) {
        struct xlat_config c = { .ipv6_mtu = mtu, .lowest_ipv6_mtu = lowest_mtu };
        const char *reason = NULL;

        CHECK_OK(nat64_prefix_from_string(prefix, &c.nat64_prefix, &reason));
        inet_pton(AF_INET, CLAT4, &c.clat_ipv4);
        inet_pton(AF_INET6, clat6, &c.clat_ipv6);
        if (xlat_init(&X, &c, &reason) < 0)
                check_fail("xlat_init: %s", reason);
}

static void hexdump(const char *what, const uint8_t *p, size_t n) {
        fprintf(stderr, "%s (%zu bytes):", what, n);
        for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
        fputc('\n', stderr);
}

#define CHECK_BYTES(got, got_len, want, want_len)                                           \
        do {                                                                                \
                if ((got_len) != (want_len) || memcmp((got), (want), (want_len)) != 0) {    \
                        hexdump("got", (got), (got_len));                                   \
                        hexdump("want", (want), (want_len));                                \
                        check_fail("packets differ");                                       \
                }                                                                           \
        } while (0)

static const uint8_t *pkt(const struct xlat_result *r, unsigned i) {
        return out + r->packets[i].offset;
}

/* Every output packet of a translation has valid checksums (IPv4 header, L4). */
static void check_valid(const struct xlat_result *r) {
        for (unsigned i = 0; i < r->n_packets; i++) {
                const uint8_t *p = pkt(r, i);
                size_t len = r->packets[i].len;

                if (r->packets[i].family == AF_INET) {
                        CHECK_EQ(p[0], 0x45);
                        CHECK_EQ(tp_get16(p + 2), len);
                        CHECK_EQ(tp_fold(tp_sum(p, 20, 0)), 0xffff);
                        if ((tp_get16(p + 6) & 0x3fff) == 0)
                                CHECK(tp_l4_csum_ok(tp_pseudo4(p, (uint16_t) (len - 20), p[9]), p[9], p + 20, len - 20));
                } else {
                        CHECK_EQ(p[0] >> 4, 6);
                        CHECK_EQ(tp_get16(p + 4) + 40, len);
                        if (p[6] != IPPROTO_FRAGMENT)
                                CHECK(tp_l4_csum_ok(tp_pseudo6(p, (uint32_t) (len - 40), p[6]), p[6], p + 40, len - 40));
                }
        }
}

static struct xlat_result R;

/* XLAT_DUMP_SEEDS=DIR writes every input packet as a seed of fuzz-xlat-4to6/6to4
 * (DIR/fuzz-xlat-4to6/..., with the option byte of test/fuzz/fuzz-xlat.h). */
static void dump_seed(const char *direction, size_t len, unsigned flags) {
        static const uint32_t mtus[] = { 1280, 1400, 1500, 9000 };
        static unsigned counter;
        const char *dir = getenv("XLAT_DUMP_SEEDS");
        char path[512];
        uint8_t opt = 5; /* 2001:db8:64::/96 */
        FILE *f;

        if (!dir || X.config.nat64_prefix.len != 96)
                return;
        for (uint8_t i = 0; i < ELEMENTSOF(mtus); i++)
                if (X.ipv6_mtu == mtus[i])
                        opt |= (uint8_t) (i << 5);
        opt |= (flags & XLAT_F_GSO ? 8 : 0) | (flags & XLAT_F_CSUM_PARTIAL ? 16 : 0);
        snprintf(path, sizeof(path), "%s/fuzz-xlat-%s/test-xlat-%03u", dir, direction, counter++);
        f = fopen(path, "we");
        if (!f)
                check_fail("%s: %m", path);
        fputc(opt, f);
        fwrite(in, 1, len, f);
        fclose(f);
}

static enum xlat_verdict t46(size_t len, unsigned flags) {
        dump_seed("4to6", len, flags);
        xlat_4to6(&X, in, len, flags, out, sizeof(out), &R);
        return R.verdict;
}

static enum xlat_verdict t64(size_t len, unsigned flags) {
        dump_seed("6to4", len, flags);
        xlat_6to4(&X, in, len, flags, out, sizeof(out), &R);
        return R.verdict;
}

#define CHECK_DROP(expr, reason)                                                            \
        do {                                                                                \
                CHECK_EQ((expr), XLAT_VERDICT_DROP);                                        \
                if (R.drop_reason != (reason))                                              \
                        check_fail("dropped for %s, expected %s",                           \
                                   xlat_drop_reason_to_string(R.drop_reason),               \
                                   xlat_drop_reason_to_string(reason));                     \
        } while (0)

/* RFC 6052 §2.2 and the §2.4 examples, all lengths, the u octet skipped. */
static void test_rfc6052_2_2_address_mapping(void) {
        static const struct { const char *prefix, *v6; } t[] = {
                { "2001:db8::/32", "2001:db8:c000:221::" },
                { "2001:db8:100::/40", "2001:db8:1c0:2:21::" },
                { "2001:db8:122::/48", "2001:db8:122:c000:2:2100::" },
                { "2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::" },
                { "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0" },
                { "2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33" },
        };

        clat6 = "fd00::c1a7"; /* outside every prefix of the table */
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                struct in_addr v4, back;
                struct in6_addr v6, want;

                setup(t[i].prefix, 0);
                inet_pton(AF_INET, "192.0.2.33", &v4);
                inet_pton(AF_INET6, t[i].v6, &want);
                CHECK_OK(xlat_map_ipv4_to_ipv6(&X, &v4, &v6));
                CHECK(memcmp(&v6, &want, 16) == 0);
                CHECK_OK(xlat_map_ipv6_to_ipv4(&X, &v6, &back));
                CHECK_EQ(back.s_addr, v4.s_addr);
                /* u octet set: not an RFC 6052 address of this prefix */
                v6.s6_addr[8] = 0x01;
                CHECK_EQ(xlat_map_ipv6_to_ipv4(&X, &v6, &back), -EADDRNOTAVAIL);
                /* outside the prefix */
                inet_pton(AF_INET6, "2001:dead::1", &v6);
                CHECK_EQ(xlat_map_ipv6_to_ipv4(&X, &v6, &back), -EADDRNOTAVAIL);
        }

        /* The CLAT pair maps onto itself, both ways. */
        clat6 = CLAT6;
        setup("2001:db8:64::/96", 0);
        {
                struct in_addr v4, back;
                struct in6_addr v6, want;

                inet_pton(AF_INET, CLAT4, &v4);
                inet_pton(AF_INET6, CLAT6, &want);
                CHECK_OK(xlat_map_ipv4_to_ipv6(&X, &v4, &v6));
                CHECK(memcmp(&v6, &want, 16) == 0);
                CHECK_OK(xlat_map_ipv6_to_ipv4(&X, &want, &back));
                CHECK_EQ(back.s_addr, v4.s_addr);
                inet_pton(AF_INET, "224.0.0.1", &v4);
                CHECK_EQ(xlat_map_ipv4_to_ipv6(&X, &v4, &v6), -EADDRNOTAVAIL);
        }
}

static void test_init_validation(void) {
        struct xlat_config c = {};
        const char *reason = NULL;
        struct xlat x;

        CHECK_OK(nat64_prefix_from_string("2001:db8:64::/96", &c.nat64_prefix, &reason));
        inet_pton(AF_INET6, CLAT6, &c.clat_ipv6);
        CHECK_EQ(xlat_init(&x, &c, &reason), -EINVAL); /* CLAT IPv4 0.0.0.0 */
        CHECK(strstr(reason, "IPv4"));
        inet_pton(AF_INET, CLAT4, &c.clat_ipv4);
        c.ipv6_mtu = 1000;
        CHECK_EQ(xlat_init(&x, &c, &reason), -EINVAL);
        CHECK(strstr(reason, "MTU"));
        c.ipv6_mtu = 0;
        inet_pton(AF_INET6, "2001:db8:64::1", &c.clat_ipv6);
        CHECK_EQ(xlat_init(&x, &c, &reason), -EINVAL);
        CHECK(strstr(reason, "inside the NAT64 prefix"));
        inet_pton(AF_INET6, CLAT6, &c.clat_ipv6);
        CHECK_OK(xlat_init(&x, &c, &reason));
        CHECK_EQ(x.ipv6_mtu, 1280);
}

/* §4.1: header fields. TOS → Traffic Class, TTL copied (host-side: not decremented),
 * flow label 0, no Fragment header whatever DF says, addresses mapped. One literal. */
static void test_4_1_header_translation(void) {
        static const uint8_t v4[] = {
                0x45, 0xb8, 0x00, 0x20, 0xab, 0xcd, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, /* csum set below */
                192, 0, 0, 1, 198, 51, 100, 10,
                0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'a', 'b', 'c', 'd',
        };
        static const uint8_t v6[] = {
                0x6b, 0x80, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40,
                0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0xc1, 0xa7,
                0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0, 0, 0, 0, 0, 0, 0xc6, 0x33, 0x64, 0x0a,
                0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'a', 'b', 'c', 'd',
        };
        uint8_t want[sizeof(v6)];
        size_t len = sizeof(v4);

        setup("2001:db8:64::/96", 1500);
        memcpy(in, v4, len);
        tp_put16(in + 10, (uint16_t) ~tp_fold(tp_sum(in, 20, 0)));
        tp_l4_csum_set(tp_pseudo4(in, 12, 17), 17, in + 20, 12);
        memcpy(want, v6, sizeof(v6));
        tp_l4_csum_set(tp_pseudo6(want, 12, 17), 17, want + 40, 12);

        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.n_packets, 1);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, want, sizeof(want));
        CHECK_EQ(R.packets[0].family, AF_INET6);
        CHECK_EQ(R.packets[0].l4_offset, 40);
        CHECK_EQ(R.packets[0].hdr_len, 48);
        CHECK_EQ(R.packets[0].csum_offset, 6);
        CHECK_EQ(R.packets[0].l4_protocol, IPPROTO_UDP);

        /* DF set, small: the same IPv6 packet (no Fragment header, §4.1). */
        in[6] = 0x40;
        tp_put16(in + 10, 0);
        tp_put16(in + 10, (uint16_t) ~tp_fold(tp_sum(in, 20, 0)));
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, want, sizeof(want));

        /* Trailing bytes after Total Length are not part of the packet. */
        in[len] = 0xee;
        CHECK_EQ(t46(len + 1, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, want, sizeof(want));

        /* Broken headers. */
        CHECK_DROP(t46(19, 0), XLAT_DROP_TRUNCATED);
        CHECK_DROP(t46(len - 1, 0), XLAT_DROP_TRUNCATED);
        in[10] ^= 1;
        CHECK_DROP(t46(len, 0), XLAT_DROP_BAD_IPV4_CHECKSUM);
        in[10] ^= 1;
        in[0] = 0x65;
        CHECK_DROP(t46(len, 0), XLAT_DROP_BAD_IP_VERSION);
        in[0] = 0x44;
        CHECK_DROP(t46(len, 0), XLAT_DROP_BAD_IPV4_HEADER);
}

/* §4.1 with the CLAT rules of RFC 6877: only our IPv4 address is translated, and only
 * towards unicast destinations. */
static void test_4_1_addresses(void) {
        uint8_t u[64];
        size_t n;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 1, 2, 10, 0);
        CHECK_DROP(t46(tp_ipv4(in, 0, 1, 0, 64, 17, "192.0.0.2", REMOTE4, u, n, true), 0), XLAT_DROP_IPV4_SOURCE_NOT_CLAT);
        CHECK_DROP(t46(tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, "224.0.0.251", u, n, true), 0), XLAT_DROP_IPV4_DESTINATION_INVALID);
        CHECK_DROP(t46(tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, "255.255.255.255", u, n, true), 0), XLAT_DROP_IPV4_DESTINATION_INVALID);
        CHECK_DROP(t46(tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, "127.0.0.1", u, n, true), 0), XLAT_DROP_IPV4_DESTINATION_INVALID);
        CHECK_DROP(t46(tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, CLAT4, u, n, true), 0), XLAT_DROP_IPV4_DESTINATION_INVALID);
        CHECK_EQ(t46(tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, REMOTE4, u, n, true), 0), XLAT_VERDICT_TRANSLATED);
}

/* Build an IPv4 packet with options (ihl 5 + nopt/4 words). */
static size_t ipv4_with_options(const uint8_t *opts, size_t nopt, const uint8_t *payload, size_t plen) {
        size_t ihl = 20 + nopt;

        tp_ipv4(in, 0, 7, 0, 64, 17, CLAT4, REMOTE4, payload, plen, true);
        memmove(in + ihl, in + 20, plen);
        memcpy(in + 20, opts, nopt);
        in[0] = (uint8_t) (0x40 | ihl / 4);
        tp_put16(in + 2, (uint16_t) (ihl + plen));
        tp_put16(in + 10, 0);
        tp_put16(in + 10, (uint16_t) ~tp_fold(tp_sum(in, ihl, 0)));
        return ihl + plen;
}

/* §4.1: options are ignored; an unexpired source route is answered with Destination
 * Unreachable / Source Route Failed (3/5). */
static void test_4_1_ipv4_options(void) {
        static const uint8_t rr[] = { 7, 7, 4, 0, 0, 0, 0, 1 };           /* record route + NOP */
        static const uint8_t lsrr[] = { 131, 7, 4, 198, 51, 100, 1, 0 }; /* unexpired */
        static const uint8_t lsrr_done[] = { 131, 7, 8, 198, 51, 100, 1, 0 };
        uint8_t u[64], plain[200];
        size_t n, plain_len, len;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 1000, 53, 20, 3);
        CHECK_EQ(t46(tp_ipv4(in, 0, 7, 0, 64, 17, CLAT4, REMOTE4, u, n, true), 0), XLAT_VERDICT_TRANSLATED);
        plain_len = R.packets[0].len;
        memcpy(plain, pkt(&R, 0), plain_len);

        CHECK_EQ(t46(ipv4_with_options(rr, sizeof(rr), in + 20, n), 0), XLAT_VERDICT_TRANSLATED);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, plain, plain_len);
        tp_ipv4(in, 0, 7, 0, 64, 17, CLAT4, REMOTE4, u, n, true);
        CHECK_EQ(t46(ipv4_with_options(lsrr_done, sizeof(lsrr_done), in + 20, n), 0), XLAT_VERDICT_TRANSLATED);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, plain, plain_len);

        tp_ipv4(in, 0, 7, 0, 64, 17, CLAT4, REMOTE4, u, n, true);
        len = ipv4_with_options(lsrr, sizeof(lsrr), in + 20, n);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_REPLY);
        CHECK_EQ(R.drop_reason, XLAT_DROP_IPV4_SOURCE_ROUTE);
        check_valid(&R);
        CHECK_EQ(R.packets[0].family, AF_INET);
        CHECK_EQ(pkt(&R, 0)[20], 3);
        CHECK_EQ(pkt(&R, 0)[21], 5);
        CHECK(memcmp(pkt(&R, 0) + 28, in, len) == 0);
}

/* §4.1 + §1.4: DF set and too big for the IPv6 MTU → Fragmentation Needed back to the
 * sender (from 192.0.0.8) with MTU = IPv6 MTU - 20, quoting the packet (576 max). */
static void test_4_1_df_frag_needed(void) {
        uint8_t t[1600];
        size_t n, len;
        const uint8_t *p;

        setup("2001:db8:64::/96", 1400);
        n = tp_tcp(t, 40000, 80, 1381 - 40, 1);
        len = tp_ipv4(in, 0, 99, 0x4000, 64, 6, CLAT4, REMOTE4, t, n, true); /* 1381 + 20 = 1401 > 1400 */
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_REPLY);
        CHECK_EQ(R.drop_reason, XLAT_DROP_PACKET_TOO_BIG);
        CHECK_EQ(R.n_packets, 1);
        check_valid(&R);
        p = pkt(&R, 0);
        CHECK_EQ(R.packets[0].len, 576);
        CHECK_EQ(tp_get16(p + 12) , 0xc000);
        CHECK_EQ(tp_get16(p + 14), 0x0008);
        CHECK(memcmp(p + 16, in + 12, 4) == 0);
        CHECK_EQ(p[8], 64);
        CHECK_EQ(p[20], 3);
        CHECK_EQ(p[21], 4);
        CHECK_EQ(tp_get16(p + 26), 1380);
        CHECK(memcmp(p + 28, in, 548) == 0);

        /* One byte less fits exactly. */
        len = tp_ipv4(in, 0, 99, 0x4000, 64, 6, CLAT4, REMOTE4, t, n - 1, true);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.packets[0].len, 1400);

        /* GSO: no MTU check, no fragmentation. */
        len = tp_ipv4(in, 0, 99, 0x4000, 64, 6, CLAT4, REMOTE4, t, n, true);
        CHECK_EQ(t46(len, XLAT_F_GSO), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.n_packets, 1);
        CHECK_EQ(R.packets[0].len, len + 20);

        /* Not about an ICMP error. */
        {
                uint8_t e[1500];
                size_t m;

                e[0] = 3, e[1] = 3;
                memset(e + 2, 0, 6);
                m = tp_ipv4(e + 8, 0, 1, 0, 64, 17, REMOTE4, CLAT4, t, 1380, true) + 8;
                len = tp_ipv4(in, 0, 5, 0x4000, 64, 1, CLAT4, REMOTE4, e, m, true);
                CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED); /* truncated to 1280 instead */
                CHECK_EQ(R.packets[0].len, 1280);
                check_valid(&R);
        }
}

/* §4.1: DF clear and too big → IPv6 fragments of at most lowest-ipv6-mtu, each with a
 * Fragment header (Identification = IPv4 ID), data concatenating to the translation. */
static void test_4_1_df_clear_fragmentation(void) {
        uint8_t u[4000], whole[4100];
        size_t n, len, whole_len, off = 0;

        setup("2001:db8:64::/96", 1280);
        n = tp_udp(u, 5000, 6000, 3000, 9);
        len = tp_ipv4(in, 0x10, 0xbeef, 0, 33, 17, CLAT4, REMOTE4, u, n, true);
        /* The reference: the same datagram with a big MTU, no fragmentation. */
        lowest_mtu = 9000;
        setup("2001:db8:64::/96", 9000);
        lowest_mtu = 0;
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.n_packets, 1);
        whole_len = R.packets[0].len;
        memcpy(whole, pkt(&R, 0), whole_len);

        /* lowest-ipv6-mtu defaults to 1280 whatever the uplink MTU (§4.1) */
        setup("2001:db8:64::/96", 1500);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.n_packets, 3);
        lowest_mtu = 1500;
        setup("2001:db8:64::/96", 1500);
        lowest_mtu = 0;
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.n_packets, 3);
        CHECK_EQ(R.packets[0].len, 1496);
        CHECK_EQ(R.packets[2].len, 48 + 3008 - 2 * 1448);

        setup("2001:db8:64::/96", 1280);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.n_packets, 3); /* 3008 bytes of UDP in 1232-byte pieces */
        for (unsigned i = 0; i < R.n_packets; i++) {
                const uint8_t *p = pkt(&R, i);
                size_t plen = R.packets[i].len - 48;

                CHECK(R.packets[i].len <= 1280);
                CHECK(memcmp(p, whole, 4) == 0); /* version, traffic class, flow label */
                CHECK_EQ(tp_get16(p + 4), plen + 8);
                CHECK_EQ(p[6], IPPROTO_FRAGMENT);
                CHECK_EQ(p[7], 33);
                CHECK(memcmp(p + 8, whole + 8, 32) == 0);
                CHECK_EQ(p[40], IPPROTO_UDP);
                CHECK_EQ(tp_get16(p + 42), (off / 8) << 3 | (i + 1 < R.n_packets));
                CHECK_EQ(tp_get16(p + 44), 0);
                CHECK_EQ(tp_get16(p + 46), 0xbeef);
                CHECK(memcmp(p + 48, whole + 40 + off, plen) == 0);
                CHECK_EQ(R.packets[i].l4_offset, i == 0 ? 48 : 0);
                off += plen;
        }
        CHECK_EQ(off, whole_len - 40);

        /* In place, with room for the fragment headers at the end. */
        {
                static uint8_t buf[8000];
                struct xlat_result r2;

                memcpy(buf + 64, in, len);
                CHECK_EQ(xlat_4to6_inplace(&X, buf, 64, len, sizeof(buf), 0, &r2), XLAT_VERDICT_TRANSLATED);
                CHECK_EQ(r2.n_packets, 3);
                for (unsigned i = 0; i < 3; i++) {
                        CHECK_EQ(r2.packets[i].len, R.packets[i].len);
                        CHECK(memcmp(buf + r2.packets[i].offset, pkt(&R, i), R.packets[i].len) == 0);
                }
                /* Too little tail room: refused, buffer untouched. */
                memcpy(buf + 64, in, len);
                CHECK_EQ(xlat_4to6_inplace(&X, buf, 64, len, 64 + len + 20, 0, &r2), XLAT_VERDICT_DROP);
                CHECK_EQ(r2.drop_reason, XLAT_DROP_OUTPUT_TOO_SMALL);
                CHECK(memcmp(buf + 64, in, len) == 0);
        }
}

/* §4.1: an IPv4 fragment becomes an IPv6 fragment: ID in the low 16 bits, MF → M,
 * offset copied; DF plays no role. Non-first fragments carry no L4 header. */
static void test_4_1_ipv4_fragment(void) {
        uint8_t u[200];
        size_t n, len;
        const uint8_t *p;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 7, 9, 100, 0);
        CHECK_EQ(n, 108);
        tp_put16(u + 6, 0x1234); /* checksum of the whole datagram, whatever it is */
        len = tp_ipv4(in, 0, 0x4242, 0x2000, 64, 17, CLAT4, REMOTE4, u, 48, false); /* first, MF */
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        p = pkt(&R, 0);
        CHECK_EQ(R.packets[0].len, 40 + 8 + 48);
        CHECK_EQ(p[6], IPPROTO_FRAGMENT);
        CHECK_EQ(p[40], IPPROTO_UDP);
        CHECK_EQ(tp_get16(p + 42), 0x0001);
        CHECK_EQ(tp_get16(p + 46), 0x4242);
        CHECK_EQ(R.packets[0].l4_offset, 48);
        /* UDP checksum adjusted for the addresses only */
        {
                uint32_t d = tp_sum(p + 8, 32, 0) + (uint16_t) ~tp_fold(tp_sum(in + 12, 8, 0));
                uint16_t want = (uint16_t) ~tp_fold((uint16_t) ~0x1234 + tp_fold(d));

                CHECK_EQ(tp_get16(p + 48 + 6), want);
        }

        len = tp_ipv4(in, 0, 0x4242, 0x4000 | 6, 64, 17, CLAT4, REMOTE4, u + 48, 60, false); /* last, DF set */
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        p = pkt(&R, 0);
        CHECK_EQ(tp_get16(p + 42), 6 << 3);
        CHECK(memcmp(p + 48, u + 48, 60) == 0);
        CHECK_EQ(R.packets[0].l4_offset, 0);
        CHECK_EQ(R.packets[0].l4_protocol, 0);

        /* §4.5: the first fragment of a UDP datagram without checksum cannot get one. */
        tp_put16(u + 6, 0);
        len = tp_ipv4(in, 0, 0x4242, 0x2000, 64, 17, CLAT4, REMOTE4, u, 48, false);
        CHECK_DROP(t46(len, 0), XLAT_DROP_UDP_ZERO_CHECKSUM_FRAGMENT);
        /* ICMP fragments cannot get their pseudo-header checksum. */
        len = tp_ipv4(in, 0, 0x4242, 0x2000, 64, 1, CLAT4, REMOTE4, u, 48, false);
        CHECK_DROP(t46(len, 0), XLAT_DROP_ICMP_FRAGMENTED);
}

/* §4.2: Echo Request/Reply ↔ 128/129; the ICMPv6 checksum gains the pseudo-header. */
static void test_4_2_icmp_echo(void) {
        uint8_t e[200], w[300];
        size_t n, len, wl;

        setup("2001:db8:64::/96", 1500);
        for (int type = 0; type <= 8; type += 8) {
                n = tp_echo(e, (uint8_t) type, 0x1d, 0x2c, 56);
                len = tp_ipv4(in, 0, 3, 0x4000, 64, 1, CLAT4, REMOTE4, e, n, true);
                CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                tp_echo(e, type == 8 ? 128 : 129, 0x1d, 0x2c, 56);
                wl = tp_ipv6(w, 0, 58, 64, CLAT6, REMOTE6, e, n);
                tp_ipv6_l4_csum_set(w, wl, 40, 58);
                CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        }
        /* No ICMPv6 counterpart: timestamp, information request, redirect. */
        for (int type = 13; type <= 15; type++) {
                n = tp_echo(e, (uint8_t) type, 1, 1, 12);
                CHECK_DROP(t46(tp_ipv4(in, 0, 3, 0, 64, 1, CLAT4, REMOTE4, e, n, true), 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
        }
        /* ICMPv6 inside IPv4 */
        n = tp_echo(e, 128, 1, 1, 12);
        CHECK_DROP(t46(tp_ipv4(in, 0, 3, 0, 64, 58, CLAT4, REMOTE4, e, n, false), 0), XLAT_DROP_ICMP_WRONG_FAMILY);
}

/* An ICMPv4 error from us (CLAT4) about a packet REMOTE4 sent us. */
static size_t icmp4_error(uint8_t type, uint8_t code, uint32_t rest, size_t inner_payload, uint16_t inner_tot_override) {
        uint8_t e[2000], inner[1600];
        size_t n, il;

        n = tp_udp(inner, 53, 33000, inner_payload, 5);
        il = tp_ipv4(e + 8, 0, 0x77, 0, 61, 17, REMOTE4, CLAT4, inner, n, true);
        if (inner_tot_override) {
                tp_put16(e + 8 + 2, inner_tot_override);
                tp_put16(e + 8 + 10, 0);
                tp_put16(e + 8 + 10, (uint16_t) ~tp_fold(tp_sum(e + 8, 20, 0)));
        }
        e[0] = type;
        e[1] = code;
        tp_put16(e + 2, 0);
        e[4] = (uint8_t) (rest >> 24), e[5] = (uint8_t) (rest >> 16), e[6] = (uint8_t) (rest >> 8), e[7] = (uint8_t) rest;
        return tp_ipv4(in, 0xc0, 0x55, 0, 64, 1, CLAT4, REMOTE4, e, il + 8, true);
}

/* The expected ICMPv6 error for icmp4_error(): inner IPv6 packet REMOTE6 → CLAT6. */
static size_t icmp6_error_expected(uint8_t *w, uint8_t type, uint8_t code, uint32_t rest, size_t inner_payload,
                                   size_t truncate_to) {
        uint8_t e[2000], inner[1600];
        size_t n, il, wl;

        n = tp_udp(inner, 53, 33000, inner_payload, 5);
        il = tp_ipv6(e + 8, 0, 17, 61, REMOTE6, CLAT6, inner, n);
        tp_ipv6_l4_csum_set(e + 8, il, 40, 17);
        e[0] = type;
        e[1] = code;
        tp_put16(e + 2, 0);
        e[4] = (uint8_t) (rest >> 24), e[5] = (uint8_t) (rest >> 16), e[6] = (uint8_t) (rest >> 8), e[7] = (uint8_t) rest;
        if (truncate_to && il + 8 + 40 > truncate_to)
                il = truncate_to - 48;
        wl = tp_ipv6(w, 0xc0, 58, 64, CLAT6, REMOTE6, e, il + 8);
        tp_ipv6_l4_csum_set(w, wl, 40, 58);
        return wl;
}

/* §4.2 type/code table and §4.3 inner translation (inner TTL untouched, UDP checksum of
 * the inner packet adjusted, outer length and ICMPv6 checksum recomputed). */
static void test_4_3_icmp_error_inner(void) {
        static const struct { uint8_t type, code, type6, code6; uint32_t rest6; } t[] = {
                { 3, 0, 1, 0, 0 },  { 3, 1, 1, 0, 0 },  { 3, 3, 1, 4, 0 },  { 3, 2, 4, 1, 6 },
                { 3, 5, 1, 0, 0 },  { 3, 9, 1, 1, 0 },  { 3, 10, 1, 1, 0 }, { 3, 13, 1, 1, 0 },
                { 3, 15, 1, 1, 0 }, { 11, 0, 3, 0, 0 }, { 11, 1, 3, 1, 0 },
        };
        uint8_t w[2000];
        size_t len, wl;

        setup("2001:db8:64::/96", 1500);
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                len = icmp4_error(t[i].type, t[i].code, 0, 100, 0);
                CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                wl = icmp6_error_expected(w, t[i].type6, t[i].code6, t[i].rest6, 100, 0);
                CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        }
        /* Untranslatable codes and types */
        CHECK_DROP(t46(icmp4_error(3, 14, 0, 10, 0), 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
        CHECK_DROP(t46(icmp4_error(5, 0, 0, 10, 0), 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
        CHECK_DROP(t46(icmp4_error(12, 1, 0, 10, 0), 0), XLAT_DROP_ICMP_UNTRANSLATABLE);

        /* Truncated to 1280 bytes of IPv6 (RFC 4443 §2.4 (c)). */
        len = icmp4_error(3, 3, 0, 1400, 0);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_expected(w, 1, 4, 0, 1400, 1280);
        CHECK_EQ(wl, 1280);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* Bad ICMPv4 checksum: not "repaired" by recomputing. */
        len = icmp4_error(3, 3, 0, 100, 0);
        in[20 + 2] ^= 0x40;
        CHECK_DROP(t46(len, 0), XLAT_DROP_BAD_CHECKSUM);

        /* An inner packet that is not from the other side cannot be mapped. */
        len = icmp4_error(3, 3, 0, 100, 0);
        memcpy(in + 28 + 12, "\xe0\x00\x00\x01", 4);
        in[22] = in[23] = 0;
        tp_put16(in + 22, (uint16_t) ~tp_fold(tp_sum(in + 20, len - 20, 0)));
        CHECK_DROP(t46(len, 0), XLAT_DROP_ICMP_ERROR_INNER_INVALID);
}

/* §4.2 Parameter Problem pointer table. */
static void test_4_2_param_problem_pointer(void) {
        static const struct { uint8_t p4; int p6; } t[] = {
                { 0, 0 }, { 1, 1 }, { 2, 4 }, { 3, 4 }, { 4, -1 }, { 8, 7 }, { 9, 6 }, { 10, -1 },
                { 12, 8 }, { 15, 8 }, { 16, 24 }, { 19, 24 }, { 20, -1 },
        };
        uint8_t w[2000];
        size_t len, wl;

        setup("2001:db8:64::/96", 1500);
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                len = icmp4_error(12, 0, (uint32_t) t[i].p4 << 24, 40, 0);
                if (t[i].p6 < 0) {
                        CHECK_DROP(t46(len, 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
                        continue;
                }
                CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                wl = icmp6_error_expected(w, 4, 0, (uint32_t) t[i].p6, 40, 0);
                CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        }
}

/* §4.2 Fragmentation Needed → Packet Too Big: MTU + 20, capped by the IPv6 MTU, at
 * least 1280; 0 means the RFC 1191 plateau below the inner Total Length. */
static void test_4_2_frag_needed_mtu(void) {
        static const struct { uint32_t mtu4, ipv6_mtu; uint16_t inner_tot; uint32_t mtu6; } t[] = {
                { 1400, 1500, 0, 1420 },
                { 1492, 1500, 0, 1500 }, /* 1512 capped by our uplink */
                { 576, 1500, 0, 1280 },  /* never below the IPv6 minimum */
                { 0, 9000, 4000, 2022 }, /* plateau 2002 + 20 */
                { 0, 9000, 1500, 1512 }, /* plateau 1492 + 20 */
        };
        uint8_t w[2000];
        size_t len, wl;

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                setup("2001:db8:64::/96", t[i].ipv6_mtu);
                len = icmp4_error(3, 4, t[i].mtu4, 60, t[i].inner_tot);
                CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                CHECK_EQ(pkt(&R, 0)[40], 2);
                CHECK_EQ(tp_get16(pkt(&R, 0) + 46), t[i].mtu6);
                if (!t[i].inner_tot) {
                        wl = icmp6_error_expected(w, 2, 0, t[i].mtu6, 60, 0);
                        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
                }
                check_valid(&R);
        }
        CHECK_EQ(xlat_mtu_plateau(1500), 1492);
        CHECK_EQ(xlat_mtu_plateau(1492), 1006);
        CHECK_EQ(xlat_mtu_plateau(65535), 32000);
        CHECK_EQ(xlat_mtu_plateau(20), 68);
}

/* §4.3: "This process MUST stop at the first embedded header and drop the packet if it
 * contains more embedded headers." */
static void test_4_3_icmp_error_nested(void) {
        uint8_t e[300], inner[200];
        size_t n, il;

        setup("2001:db8:64::/96", 1500);
        n = tp_echo(inner, 3, 0, 0, 28); /* an ICMP error inside */
        il = tp_ipv4(e + 8, 0, 1, 0, 64, 1, REMOTE4, CLAT4, inner, n, true);
        memset(e, 0, 8);
        e[0] = 3, e[1] = 1;
        CHECK_DROP(t46(tp_ipv4(in, 0, 1, 0, 64, 1, CLAT4, REMOTE4, e, il + 8, true), 0), XLAT_DROP_ICMP_ERROR_NESTED);

        /* An echo inside an error is translated too (type and checksum). */
        n = tp_echo(inner, 0, 9, 9, 16);
        il = tp_ipv4(e + 8, 0, 1, 0, 64, 1, REMOTE4, CLAT4, inner, n, true);
        CHECK_EQ(t46(tp_ipv4(in, 0, 1, 0, 64, 1, CLAT4, REMOTE4, e, il + 8, true), 0), XLAT_VERDICT_TRANSLATED);
        {
                const uint8_t *ip6 = pkt(&R, 0) + 48;

                CHECK_EQ(ip6[6], 58);
                CHECK_EQ(ip6[40], 129);
                CHECK(tp_l4_csum_ok(tp_pseudo6(ip6, 24, 58), 58, ip6 + 40, 24));
        }
}

/* §4.5: an IPv4 UDP datagram without checksum gets one computed; other transports are
 * passed unchanged. */
static void test_4_5_udp_zero_checksum(void) {
        uint8_t u[100], w[200];
        size_t n, len, wl;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 68, 67, 33, 1);
        len = tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, REMOTE4, u, n, false);
        CHECK_EQ(tp_get16(in + 26), 0);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = tp_ipv6(w, 0, 17, 64, CLAT6, REMOTE6, u, n);
        tp_ipv6_l4_csum_set(w, wl, 40, 17);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* GRE: copied as is */
        memset(u, 0xab, 24);
        len = tp_ipv4(in, 0, 1, 0, 64, 47, CLAT4, REMOTE4, u, 24, false);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = tp_ipv6(w, 0, 47, 64, CLAT6, REMOTE6, u, 24);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
}

/* §4.5 + RFC 1624: TCP checksum updated incrementally, and a CHECKSUM_PARTIAL field
 * (pseudo-header sum only) stays a correct partial sum for the new addresses. */
static void test_4_5_tcp_checksum_partial(void) {
        uint8_t t[2000], w[2100];
        size_t n, len, wl;

        setup("2001:db8:64::/96", 1500);
        n = tp_tcp(t, 443, 50000, 1000, 77);
        len = tp_ipv4(in, 0, 1, 0x4000, 64, 6, CLAT4, REMOTE4, t, n, true);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = tp_ipv6(w, 0, 6, 64, CLAT6, REMOTE6, t, n);
        tp_ipv6_l4_csum_set(w, wl, 40, 6);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        CHECK_EQ(R.packets[0].hdr_len, 60);

        /* Partial: the field holds the folded pseudo-header sum, not complemented. */
        tp_put16(in + 20 + 16, tp_fold(tp_pseudo4(in, (uint16_t) n, 6)));
        CHECK_EQ(t46(len, XLAT_F_CSUM_PARTIAL), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(tp_fold(tp_get16(pkt(&R, 0) + 40 + 16)), tp_fold(tp_pseudo6(pkt(&R, 0), (uint32_t) n, 6)));
        CHECK_EQ(R.packets[0].l4_offset, 40);
        CHECK_EQ(R.packets[0].csum_offset, 16);

        /* and back (as the answer: addresses swapped, which keeps the pseudo-header sum) */
        memcpy(in, pkt(&R, 0), R.packets[0].len);
        memcpy(in + 8, pkt(&R, 0) + 24, 16);
        memcpy(in + 24, pkt(&R, 0) + 8, 16);
        CHECK_EQ(t64(wl, XLAT_F_CSUM_PARTIAL), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(tp_fold(tp_get16(pkt(&R, 0) + 20 + 16)), tp_fold(tp_pseudo4(pkt(&R, 0), (uint16_t) n, 6)));

        CHECK_EQ(R.packets[0].csum_partial, 1);

        /* A partial datagram that must be fragmented (DF clear, over lowest-ipv6-mtu):
         * the library completes the checksum, the fragments carry a full one. */
        {
                uint8_t whole[4000];
                size_t off = 0;

                n = tp_udp(t, 7, 8, 1900, 4);
                len = tp_ipv4(in, 0, 0x99, 0, 64, 17, CLAT4, REMOTE4, t, n, false);
                tp_put16(in + 26, tp_fold(tp_pseudo4(in, (uint16_t) n, 17)));
                CHECK_EQ(t46(len, XLAT_F_CSUM_PARTIAL), XLAT_VERDICT_TRANSLATED);
                CHECK_EQ(R.n_packets, 2);
                for (unsigned i = 0; i < R.n_packets; i++) {
                        CHECK_EQ(R.packets[i].csum_partial, 0);
                        memcpy(whole + off, pkt(&R, i) + 48, R.packets[i].len - 48);
                        off += R.packets[i].len - 48;
                }
                CHECK_EQ(off, n);
                CHECK(tp_l4_csum_ok(tp_pseudo6(pkt(&R, 0), (uint32_t) n, 17), 17, whole, n));
                /* and without the flag, nothing is partial */
                tp_l4_csum_set(tp_pseudo4(in, (uint16_t) n, 17), 17, in + 20, n);
                CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                CHECK_EQ(R.packets[0].csum_partial, 0);
        }

        /* UDP partial with a zero-looking field is left to the device. */
        n = tp_udp(t, 1, 2, 100, 0);
        len = tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, REMOTE4, t, n, false);
        tp_put16(in + 26, tp_fold(tp_pseudo4(in, (uint16_t) n, 17)));
        CHECK_EQ(t46(len, XLAT_F_CSUM_PARTIAL), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(tp_fold(tp_get16(pkt(&R, 0) + 46)), tp_fold(tp_pseudo6(pkt(&R, 0), (uint32_t) n, 17)));
}

/* A 64 KiB GSO TCP super-packet: translated as one packet, only its headers touched. */
static void test_gso_super_packet(void) {
        static uint8_t t[66000], buf[70000];
        struct xlat_result r;
        size_t n, len;

        setup("2001:db8:64::/96", 1500);
        n = tp_tcp(t, 443, 50000, 65535 - 40, 3);
        len = tp_ipv4(in, 0, 1, 0x4000, 64, 6, CLAT4, REMOTE4, t, n, true);
        CHECK_EQ(len, 65535);
        CHECK_EQ(t46(len, XLAT_F_GSO), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.n_packets, 1);
        CHECK_EQ(R.packets[0].len, 65555);
        check_valid(&R);
        CHECK_EQ(R.packets[0].hdr_len, 60);

        /* in place: the payload does not move */
        memcpy(buf + XLAT_HEADROOM, in, len);
        CHECK_EQ(xlat_4to6_inplace(&X, buf, XLAT_HEADROOM, len, sizeof(buf), XLAT_F_GSO, &r), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(r.packets[0].offset + 40, XLAT_HEADROOM + 20);
        CHECK(memcmp(buf + r.packets[0].offset, pkt(&R, 0), R.packets[0].len) == 0);

        /* and back, in place: DF set on a GSO packet */
        len = R.packets[0].len;
        memcpy(buf, pkt(&R, 0), len);
        memcpy(buf + 8, pkt(&R, 0) + 24, 16);
        memcpy(buf + 24, pkt(&R, 0) + 8, 16);
        CHECK_EQ(xlat_6to4_inplace(&X, buf, 0, len, sizeof(buf), XLAT_F_GSO, &r), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(r.packets[0].offset, 20);
        CHECK_EQ(r.packets[0].len, 65535);
        CHECK(memcmp(buf + 20 + 20, in + 20, 65535 - 20) == 0);
        CHECK(memcmp(buf + 20 + 12, in + 16, 4) == 0);
        CHECK(memcmp(buf + 20 + 16, in + 12, 4) == 0);
        CHECK_EQ(tp_get16(buf + 20 + 6), 0x4000);
}

/* §5.1: header fields, DF by size (≤ 1260 clear, > 1260 set, ID 0), TTL copied. */
static void test_5_1_header_translation(void) {
        uint8_t u[2000], w[2100];
        size_t n, len, wl;
        const uint8_t *p;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 53, 40000, 100, 2);
        len = tp_ipv6(in, 0x28, 17, 57, REMOTE6, CLAT6, u, n);
        in[1] |= 0x0a, in[2] = 0xbc, in[3] = 0xde; /* flow label: dropped */
        tp_ipv6_l4_csum_set(in, len, 40, 17);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        p = pkt(&R, 0);
        memcpy(u + 6, in + 46, 2);
        wl = tp_ipv4(w, 0x28, tp_get16(p + 4), 0, 57, 17, REMOTE4, CLAT4, u, n, true);
        CHECK_BYTES(p, R.packets[0].len, w, wl);
        CHECK_EQ(R.packets[0].l4_offset, 20);
        CHECK_EQ(R.packets[0].hdr_len, 28);
        CHECK_EQ(R.packets[0].family, AF_INET);

        /* 1260 bytes of IPv4: DF clear; 1261: DF set, Identification 0. */
        n = tp_udp(u, 53, 40000, 1260 - 28, 2);
        len = tp_ipv6(in, 0, 17, 64, REMOTE6, CLAT6, u, n);
        tp_ipv6_l4_csum_set(in, len, 40, 17);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.packets[0].len, 1260);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 6), 0);
        n = tp_udp(u, 53, 40000, 1261 - 28, 2);
        len = tp_ipv6(in, 0, 17, 64, REMOTE6, CLAT6, u, n);
        tp_ipv6_l4_csum_set(in, len, 40, 17);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 4), 0);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 6), 0x4000);

        CHECK_DROP(t64(39, 0), XLAT_DROP_TRUNCATED);
        CHECK_DROP(t64(len - 1, 0), XLAT_DROP_TRUNCATED);
        in[0] = 0x45;
        CHECK_DROP(t64(len, 0), XLAT_DROP_BAD_IP_VERSION);
}

/* §5.1 with RFC 6877: only packets to our CLAT address, only from the NAT64 prefix. */
static void test_5_1_addresses(void) {
        uint8_t u[100];
        size_t n;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 1, 2, 10, 0);
        CHECK_DROP(t64(tp_ipv6(in, 0, 17, 64, REMOTE6, "2001:db8:1::1", u, n), 0), XLAT_DROP_IPV6_DESTINATION_NOT_CLAT);
        CHECK_DROP(t64(tp_ipv6(in, 0, 17, 64, ROUTER6, CLAT6, u, n), 0), XLAT_DROP_IPV6_SOURCE_NOT_NAT64);
        /* embedded address that is not unicast IPv4 */
        CHECK_DROP(t64(tp_ipv6(in, 0, 17, 64, "2001:db8:64::e000:1", CLAT6, u, n), 0), XLAT_DROP_IPV6_SOURCE_NOT_NAT64);
}

/* §5.1: Hop-by-Hop, Destination Options and Routing (Segments Left 0) are skipped;
 * Segments Left != 0 → Parameter Problem pointing at it; extension headers after the
 * Fragment header → dropped. */
static void test_5_1_extension_headers(void) {
        uint8_t u[200], body[300], plain[200];
        size_t n, len, plain_len;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 53, 40000, 30, 2);
        len = tp_ipv6(in, 0, 17, 64, REMOTE6, CLAT6, u, n);
        tp_ipv6_l4_csum_set(in, len, 40, 17);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        plain_len = R.packets[0].len;
        memcpy(plain, pkt(&R, 0), plain_len);

        /* HBH(8) + DST(16) + RH(8, segments left 0) + UDP */
        memset(body, 0, 32);
        body[0] = 60;                  /* HBH → DST */
        body[2] = 1, body[3] = 4;      /* PadN */
        body[8] = 43, body[9] = 1;     /* DST → RH, 16 bytes */
        body[10] = 1, body[11] = 12;   /* PadN */
        body[24] = 17, body[25] = 0;   /* RH → UDP */
        body[26] = 0, body[27] = 0;    /* type 0, segments left 0 */
        memcpy(body + 32, in + 40, n);
        len = tp_ipv6(in, 0, 0, 64, REMOTE6, CLAT6, body, 32 + n);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(R.packets[0].len, plain_len);
        /* same packet except the Identification (hashed over the same fields: equal) */
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, plain, plain_len);

        /* segments left 1 → Parameter Problem code 0, pointer 40+24+3 */
        in[40 + 27] = 1;
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_REPLY);
        CHECK_EQ(R.drop_reason, XLAT_DROP_IPV6_ROUTING_HEADER);
        check_valid(&R);
        CHECK_EQ(R.packets[0].family, AF_INET6);
        CHECK_EQ(pkt(&R, 0)[40], 4);
        CHECK_EQ(pkt(&R, 0)[41], 0);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 46), 40 + 24 + 3);
        CHECK(memcmp(pkt(&R, 0) + 48, in, len) == 0);
        CHECK(memcmp(pkt(&R, 0) + 8, in + 24, 16) == 0);
        CHECK(memcmp(pkt(&R, 0) + 24, in + 8, 16) == 0);

        /* HBH not first */
        body[8] = 0;
        len = tp_ipv6(in, 0, 0, 64, REMOTE6, CLAT6, body, 32 + n);
        in[40] = 0;
        CHECK_DROP(t64(len, 0), XLAT_DROP_IPV6_EXTENSION_HEADER);

        /* Fragment header then Destination Options */
        memset(body, 0, 16);
        body[0] = 60;
        body[8] = 17;
        len = tp_ipv6(in, 0, 44, 64, REMOTE6, CLAT6, body, 16 + n);
        CHECK_DROP(t64(len, 0), XLAT_DROP_IPV6_EXTENSION_HEADER);

        /* Truncated inside an extension header */
        len = tp_ipv6(in, 0, 60, 64, REMOTE6, CLAT6, body, 4);
        CHECK_DROP(t64(len, 0), XLAT_DROP_TRUNCATED);
}

/* §5.1.1: Fragment header → IPv4 fragment: ID = low 16 bits, MF = M, offset, DF clear;
 * an atomic fragment is an ordinary packet. */
static void test_5_1_1_fragment_header(void) {
        uint8_t body[300], u[200];
        size_t n, len;
        const uint8_t *p;

        setup("2001:db8:64::/96", 1500);
        n = tp_udp(u, 53, 40000, 100, 2);
        tp_put16(u + 6, 0x5555);
        body[0] = 17, body[1] = 0;
        tp_put16(body + 2, 0x0001);                     /* offset 0, M */
        body[4] = 0x12, body[5] = 0x34, body[6] = 0x56, body[7] = 0x78;
        memcpy(body + 8, u, 64);
        len = tp_ipv6(in, 0x20, 44, 64, REMOTE6, CLAT6, body, 8 + 64);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        p = pkt(&R, 0);
        CHECK_EQ(R.packets[0].len, 20 + 64);
        CHECK_EQ(tp_get16(p + 4), 0x5678);
        CHECK_EQ(tp_get16(p + 6), 0x2000);
        CHECK_EQ(p[9], 17);
        CHECK_EQ(tp_fold(tp_sum(p, 20, 0)), 0xffff);
        /* checksum adjusted by the address difference only */
        {
                uint32_t d = tp_sum(p + 12, 8, 0) + (uint16_t) ~tp_fold(tp_sum(in + 8, 32, 0));
                CHECK_EQ(tp_get16(p + 26), (uint16_t) ~tp_fold((uint16_t) ~0x5555 + tp_fold(d)));
        }

        tp_put16(body + 2, (uint16_t) (8 << 3)); /* offset 64, last */
        memcpy(body + 8, u + 64, n - 64);
        len = tp_ipv6(in, 0x20, 44, 64, REMOTE6, CLAT6, body, 8 + n - 64);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        p = pkt(&R, 0);
        CHECK_EQ(tp_get16(p + 6), 8);
        CHECK(memcmp(p + 20, u + 64, n - 64) == 0);
        CHECK_EQ(R.packets[0].l4_offset, 0);

        /* offset too large for IPv4 */
        tp_put16(in + 40 + 2, (uint16_t) (8190 << 3));
        CHECK_DROP(t64(len, 0), XLAT_DROP_IPV6_FRAGMENT_INVALID);

        /* atomic fragment: no MF, DF clear, its Identification (see below) */
        tp_put16(body + 2, 0);
        n = tp_udp(u, 53, 40000, 20, 2);
        memcpy(body + 8, u, n);
        len = tp_ipv6(in, 0, 44, 64, REMOTE6, CLAT6, body, 8 + n);
        tp_ipv6_l4_csum_set(in, len, 48, 17);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 4), 0x5678);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 6), 0);
}

/* §5.1.1 (the fields of a packet with a Fragment header): "Identification: Copied from
 * the low-order 16 bits in the Identification field in the Fragment Header", "The IPv4
 * Don't Fragment (DF) flag is cleared (set to zero)": for every packet with a Fragment
 * header, so also for an
 * atomic fragment (offset 0, M clear), which is otherwise a whole datagram (RFC 8021):
 * its checksums translate as usual, a wrong one stays wrong by the same amount. UDP,
 * TCP, ICMPv6 echo and No Next Header (59), each with a good and a bad checksum, under
 * and over the 1260-byte DF threshold of §5.1 (which does not apply: §5.1.1 does). */
static size_t icmp6_error(const char *src, uint8_t type, uint8_t code, uint32_t rest, size_t inner_payload, bool frag);

static void test_5_1_1_atomic_fragment_identification(void) {
        static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMPV6, 59 };
        static const size_t sizes[] = { 20, 1300 };
        uint8_t l4[1500], body[1600], w[1600];

        setup("2001:db8:64::/96", 1500);
        for (size_t i = 0; i < ELEMENTSOF(protos); i++)
                for (size_t z = 0; z < ELEMENTSOF(sizes); z++)
                        for (int bad = 0; bad < 2; bad++) {
                                uint8_t proto = protos[i], proto4 = proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : proto;
                                size_t n, len, wl;

                                switch (proto) {
                                case IPPROTO_UDP:
                                        n = tp_udp(l4, 53, 40000, sizes[z], 3);
                                        break;
                                case IPPROTO_TCP:
                                        n = tp_tcp(l4, 443, 40000, sizes[z], 3);
                                        break;
                                case IPPROTO_ICMPV6:
                                        n = tp_echo(l4, 129, 0x77, 9, sizes[z]);
                                        break;
                                default:
                                        n = bad ? sizes[z] : 0; /* nothing, or bytes after "no next header" */
                                        memset(l4, 0xa5, n);
                                        break;
                                }
                                body[0] = proto, body[1] = 0;
                                tp_put16(body + 2, 0); /* offset 0, M clear */
                                body[4] = 0xde, body[5] = 0xad, body[6] = 0xbe, body[7] = 0xef;
                                memcpy(body + 8, l4, n);
                                len = tp_ipv6(in, 0, IPPROTO_FRAGMENT, 64, REMOTE6, CLAT6, body, 8 + n);
                                tp_ipv6_l4_csum_set(in, len, 48, proto);
                                /* expected: from scratch, the same bytes after the header */
                                if (proto == IPPROTO_ICMPV6)
                                        l4[0] = 0; /* Echo Reply */
                                wl = tp_ipv4(w, 0, 0xbeef, 0, 64, proto4, REMOTE4, CLAT4, l4, n, true);
                                if (bad && proto != 59) {
                                        in[48 + n - 1] ^= 0x5a;
                                        w[20 + n - 1] ^= 0x5a;
                                }
                                CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                                CHECK_EQ(R.n_packets, 1);
                                CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
                        }

        /* §5.3: the packet inside an ICMPv6 error is translated the same way. */
        {
                size_t len = icmp6_error(REMOTE6, 1, 4, 0, 40, true);
                const uint8_t *p;

                tp_put16(in + 48 + 40 + 2, 0); /* the quoted Fragment header: atomic */
                tp_ipv6_l4_csum_set(in, len, 40, IPPROTO_ICMPV6);
                CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                check_valid(&R);
                p = pkt(&R, 0) + 28;
                CHECK_EQ(tp_get16(p + 4), 0x4321);
                CHECK_EQ(tp_get16(p + 6), 0);
                CHECK_EQ(p[9], IPPROTO_UDP);
                CHECK_EQ(tp_get16(p + 2), 20 + 8 + 40);
        }
}

/* Upper layers without an L4 step. RFC 7915 §5.1 "Protocol" (ICMPv6 becomes ICMP,
 * anything else is the Next Header of the last IPv6 header, after the extension headers
 * it skips), §4.1 "Next Header" (ICMP becomes ICMPv6, anything else copied), and §5.5
 * (§4.5 alike): "Other transport protocols (e.g., DCCP) are OPTIONAL to support. In
 * order to ease debugging and troubleshooting, translators MUST forward all transport
 * protocols as described in the "Protocol" step of Section 5.1." The payload
 * goes through unchanged: No Next Header (59, also with Payload Length 0), GRE, ESP,
 * SCTP, UDP-Lite; with extension headers and as fragments; 4→6 also fragmented. */
static void test_other_upper_layers(void) {
        static const uint8_t protos[] = { 59, 47, 50, 132, 136 };
        uint8_t data[1400], body[1500], w[1600];
        size_t len, wl;

        setup("2001:db8:64::/96", 1500);
        for (size_t i = 0; i < 1400; i++)
                data[i] = (uint8_t) (i * 11 + 3);
        for (size_t i = 0; i < ELEMENTSOF(protos); i++) {
                uint8_t proto = protos[i];

                for (size_t n = 0; n <= 300; n += 100) {
                        const uint8_t *p;

                        /* 6→4, plain */
                        len = tp_ipv6(in, 0x48, proto, 33, REMOTE6, CLAT6, data, n);
                        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                        p = pkt(&R, 0);
                        wl = tp_ipv4(w, 0x48, tp_get16(p + 4), 0, 33, proto, REMOTE4, CLAT4, data, n, false);
                        CHECK_BYTES(p, R.packets[0].len, w, wl);
                        CHECK_EQ(R.packets[0].l4_protocol, proto);

                        /* 6→4, after Hop-by-Hop and Destination Options: the last Next Header */
                        memset(body, 0, 16);
                        body[0] = 60;         /* HBH → DST */
                        body[2] = 1, body[3] = 4;
                        body[8] = proto;      /* DST → proto */
                        body[10] = 1, body[11] = 4;
                        memcpy(body + 16, data, n);
                        len = tp_ipv6(in, 0x48, 0, 33, REMOTE6, CLAT6, body, 16 + n);
                        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                        p = pkt(&R, 0);
                        CHECK_EQ(p[9], proto);
                        CHECK_EQ(R.packets[0].len, 20 + n);
                        CHECK(memcmp(p + 20, data, n) == 0);

                        /* 6→4, a first fragment: IPv4 fragment of the same protocol */
                        body[0] = proto, body[1] = 0;
                        tp_put16(body + 2, 1);
                        body[4] = 0, body[5] = 0, body[6] = 0x0a, body[7] = 0xbc;
                        memcpy(body + 8, data, n + 8);
                        len = tp_ipv6(in, 0, IPPROTO_FRAGMENT, 33, REMOTE6, CLAT6, body, 8 + n + 8);
                        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                        wl = tp_ipv4(w, 0, 0x0abc, 0x2000, 33, proto, REMOTE4, CLAT4, data, n + 8, false);
                        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

                        /* 4→6, DF set */
                        len = tp_ipv4(in, 0x48, 0x1234, 0x4000, 33, proto, CLAT4, REMOTE4, data, n, false);
                        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                        wl = tp_ipv6(w, 0x48, proto, 33, CLAT6, REMOTE6, data, n);
                        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
                }

                /* 4→6, DF clear and over 1280 translated: fragments, Next Header proto */
                len = tp_ipv4(in, 0, 0x1234, 0, 33, proto, CLAT4, REMOTE4, data, 1300, false);
                CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                CHECK_EQ(R.n_packets, 2);
                CHECK_EQ(R.packets[0].len, 1280);
                CHECK_EQ(pkt(&R, 0)[6], IPPROTO_FRAGMENT);
                CHECK_EQ(pkt(&R, 0)[40], proto);
                CHECK_EQ(pkt(&R, 1)[40], proto);
                CHECK(memcmp(pkt(&R, 0) + 48, data, 1232) == 0);
                CHECK(memcmp(pkt(&R, 1) + 48, data + 1232, 1300 - 1232) == 0);
        }

        /* Payload Length 0 is a jumbogram only with a Hop-by-Hop header (RFC 2675). */
        len = tp_ipv6(in, 0, IPPROTO_HOPOPTS, 64, REMOTE6, CLAT6, data, 0);
        CHECK_DROP(t64(len + 8, 0), XLAT_DROP_BAD_IPV6_HEADER);
}

/* §5.2: Echo 128/129 → 8/0, pseudo-header taken out of the checksum; informational
 * messages without an ICMPv4 form are dropped. */
static void test_5_2_icmp_echo(void) {
        uint8_t e[200], w[300];
        size_t n, len, wl;

        setup("2001:db8:64::/96", 1500);
        for (int type = 128; type <= 129; type++) {
                n = tp_echo(e, (uint8_t) type, 0x77, 3, 40);
                len = tp_ipv6(in, 0, 58, 64, REMOTE6, CLAT6, e, n);
                tp_ipv6_l4_csum_set(in, len, 40, 58);
                CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                tp_echo(e, type == 128 ? 8 : 0, 0x77, 3, 40);
                wl = tp_ipv4(w, 0, tp_get16(pkt(&R, 0) + 4), 0, 64, 1, REMOTE4, CLAT4, e, n, true);
                CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        }
        for (int type = 130; type <= 137; type++) {
                n = tp_echo(e, (uint8_t) type, 0, 0, 16);
                len = tp_ipv6(in, 0, 58, 255, REMOTE6, CLAT6, e, n);
                tp_ipv6_l4_csum_set(in, len, 40, 58);
                CHECK_DROP(t64(len, 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
        }
        n = tp_echo(e, 8, 0, 0, 16);
        CHECK_DROP(t64(tp_ipv6(in, 0, 1, 64, REMOTE6, CLAT6, e, n), 0), XLAT_DROP_ICMP_WRONG_FAMILY);
}

/* An ICMPv6 error from `src` about a UDP packet CLAT6 → REMOTE6 (what we translated). */
static size_t icmp6_error(const char *src, uint8_t type, uint8_t code, uint32_t rest, size_t inner_payload, bool frag) {
        uint8_t e[2000], inner[1600], body[1700];
        size_t n, il, len;

        n = tp_udp(inner, 33000, 53, inner_payload, 8);
        if (frag) {
                body[0] = 17, body[1] = 0;
                tp_put16(body + 2, 1);
                body[4] = 0, body[5] = 0, body[6] = 0x43, body[7] = 0x21;
                memcpy(body + 8, inner, n);
                il = tp_ipv6(e + 8, 0, 44, 63, CLAT6, REMOTE6, body, n + 8);
                tp_ipv6_l4_csum_set(e + 8, il, 48, 17);
        } else {
                il = tp_ipv6(e + 8, 0, 17, 63, CLAT6, REMOTE6, inner, n);
                tp_ipv6_l4_csum_set(e + 8, il, 40, 17);
        }
        e[0] = type, e[1] = code;
        tp_put16(e + 2, 0);
        e[4] = (uint8_t) (rest >> 24), e[5] = (uint8_t) (rest >> 16), e[6] = (uint8_t) (rest >> 8), e[7] = (uint8_t) rest;
        len = tp_ipv6(in, 0, 58, 60, src, CLAT6, e, il + 8);
        tp_ipv6_l4_csum_set(in, len, 40, 58);
        return len;
}

/* §5.2 type/code table and §5.3 inner translation. */
static void test_5_3_icmp_error_inner(void) {
        static const struct { uint8_t type6, code6, type4, code4; uint32_t rest6, rest4; } t[] = {
                { 1, 0, 3, 1, 0, 0 },  { 1, 1, 3, 10, 0, 0 }, { 1, 2, 3, 1, 0, 0 },
                { 1, 3, 3, 1, 0, 0 },  { 1, 4, 3, 3, 0, 0 },  { 3, 0, 11, 0, 0, 0 },
                { 3, 1, 11, 1, 0, 0 }, { 4, 1, 3, 2, 0, 0 },
                { 4, 0, 12, 0, 6, 9u << 24 }, { 4, 0, 12, 0, 7, 8u << 24 }, { 4, 0, 12, 0, 4, 2u << 24 },
                { 4, 0, 12, 0, 8, 12u << 24 }, { 4, 0, 12, 0, 24, 16u << 24 },
        };
        uint8_t e[2000], inner[1600], w[2000];
        size_t len, n, il, wl;

        setup("2001:db8:64::/96", 1500);
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                const uint8_t *p;

                len = icmp6_error(REMOTE6, t[i].type6, t[i].code6, t[i].rest6, 100, false);
                CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                p = pkt(&R, 0);
                /* expected: ICMPv4 REMOTE4 → CLAT4 with inner IPv4 CLAT4 → REMOTE4 */
                n = tp_udp(inner, 33000, 53, 100, 8);
                il = tp_ipv4(e + 8, 0, tp_get16(p + 28 + 4), tp_get16(p + 28 + 6), 63, 17, CLAT4, REMOTE4, inner, n, true);
                e[0] = t[i].type4, e[1] = t[i].code4;
                tp_put16(e + 2, 0);
                e[4] = (uint8_t) (t[i].rest4 >> 24), e[5] = (uint8_t) (t[i].rest4 >> 16);
                e[6] = (uint8_t) (t[i].rest4 >> 8), e[7] = (uint8_t) t[i].rest4;
                wl = tp_ipv4(w, 0, tp_get16(p + 4), 0, 60, 1, REMOTE4, CLAT4, e, il + 8, true);
                CHECK_BYTES(p, R.packets[0].len, w, wl);
        }
        /* untranslatable */
        CHECK_DROP(t64(icmp6_error(REMOTE6, 1, 5, 0, 10, false), 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
        CHECK_DROP(t64(icmp6_error(REMOTE6, 4, 2, 0, 10, false), 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
        CHECK_DROP(t64(icmp6_error(REMOTE6, 4, 0, 2, 10, false), 0), XLAT_DROP_ICMP_UNTRANSLATABLE);
        /* bad checksum */
        len = icmp6_error(REMOTE6, 1, 4, 0, 10, false);
        in[50] ^= 1;
        CHECK_DROP(t64(len, 0), XLAT_DROP_BAD_CHECKSUM);
        /* an inner packet we did not send */
        len = icmp6_error(REMOTE6, 1, 4, 0, 10, false);
        in[48 + 8] ^= 0x80;
        in[42] = in[43] = 0;
        tp_ipv6_l4_csum_set(in, len, 40, 58);
        CHECK_DROP(t64(len, 0), XLAT_DROP_ICMP_ERROR_INNER_INVALID);
}

/* ICMPv6 errors may be 1280 bytes (RFC 4443 §2.4 (c)), ICMPv4 errors should not exceed
 * 576 (RFC 1812 §4.3.2.3: "the ICMP datagram SHOULD contain as much of the original
 * datagram as possible without the length of the ICMP datagram exceeding 576 bytes"):
 * the translated quote is cut so that the ICMPv4 error is at most 576 bytes, its own
 * lengths and checksums right, the quoted header's Total Length untouched (it describes
 * the packet in error, not the quote). Every §5.2 type, with and without a Fragment
 * header in the quoted packet, around the limit. */
static void test_5_2_icmpv4_error_576(void) {
        static const struct { uint8_t type, code; uint32_t rest; } t[] = {
                { 1, 4, 0 }, { 2, 0, 1280 }, { 3, 0, 0 }, { 4, 0, 24 }, { 4, 1, 6 },
        };
        static const size_t payloads[] = { 500, 520, 521, 1000, 1176 };

        setup("2001:db8:64::/96", 1500);
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                for (size_t k = 0; k < ELEMENTSOF(payloads); k++)
                        for (int frag = 0; frag < 2; frag++) {
                                /* the inner IPv4 packet: 20 + 8 + payload bytes */
                                size_t whole = 28 + payloads[k], want = whole > 548 ? 548 : whole;
                                size_t len = icmp6_error(REMOTE6, t[i].type, t[i].code, t[i].rest, payloads[k], frag);
                                const uint8_t *p;

                                CHECK(len <= 1280);
                                CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                                check_valid(&R);
                                p = pkt(&R, 0);
                                CHECK_EQ(R.packets[0].len, 28 + want);
                                CHECK_EQ(tp_get16(p + 2), 28 + want);
                                CHECK_EQ(tp_get16(p + 28 + 2), whole);
                                /* the quote is the start of the packet in error */
                                CHECK(memcmp(p + 28 + 20 + 8, in + 40 + 8 + 40 + (frag ? 8 : 0) + 8, want - 28) == 0);
                        }
}

/* §5.1 / RFC 7600: errors from routers on the IPv6 path (not under the prefix) come
 * from 192.0.0.8; Time Exceeded is how traceroute works through a CLAT. */
static void test_5_2_icmp_error_from_router(void) {
        size_t len;

        setup("2001:db8:64::/96", 1500);
        len = icmp6_error(ROUTER6, 3, 0, 0, 20, false);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 12), 0xc000);
        CHECK_EQ(tp_get16(pkt(&R, 0) + 14), 0x0008);
        CHECK_EQ(pkt(&R, 0)[20], 11);
        /* but an echo from such a router is not ours to translate */
        {
                uint8_t e[64];
                size_t n = tp_echo(e, 129, 1, 1, 8);

                len = tp_ipv6(in, 0, 58, 64, ROUTER6, CLAT6, e, n);
                tp_ipv6_l4_csum_set(in, len, 40, 58);
                CHECK_DROP(t64(len, 0), XLAT_DROP_IPV6_SOURCE_NOT_NAT64);
        }
}

/* §5.2 Packet Too Big → Fragmentation Needed: MTU - 20 (- 8 more when the packet in
 * error carried a Fragment header), capped by our IPv6 MTU - 20. */
static void test_5_2_ptb_mtu(void) {
        static const struct { uint32_t mtu6, ipv6_mtu; bool frag; uint16_t mtu4; } t[] = {
                { 1400, 1500, false, 1380 },
                { 1400, 1500, true, 1372 },
                { 9000, 1500, false, 1480 },
                { 1280, 1280, false, 1260 },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                const uint8_t *p;

                setup("2001:db8:64::/96", t[i].ipv6_mtu);
                CHECK_EQ(t64(icmp6_error(ROUTER6, 2, 0, t[i].mtu6, 200, t[i].frag), 0), XLAT_VERDICT_TRANSLATED);
                check_valid(&R);
                p = pkt(&R, 0);
                CHECK_EQ(p[20], 3);
                CHECK_EQ(p[21], 4);
                CHECK_EQ(tp_get16(p + 24), 0);
                CHECK_EQ(tp_get16(p + 26), t[i].mtu4);
                /* inner: the IPv4 packet the host sent, ID from the Fragment header */
                CHECK(memcmp(p + 28 + 12, "\xc0\x00\x00\x01", 4) == 0);
                if (t[i].frag)
                        CHECK_EQ(tp_get16(p + 28 + 4), 0x4321);
        }
}

/* The in-place variants produce what the copying ones do. */
static void check_inplace_same(bool v4, size_t len, unsigned flags) {
        static uint8_t buf[80000], copy[80000];
        struct xlat_result a, b;
        size_t headroom = XLAT_HEADROOM;

        if (v4)
                xlat_4to6(&X, in, len, flags, copy, sizeof(copy), &a);
        else
                xlat_6to4(&X, in, len, flags, copy, sizeof(copy), &a);
        memcpy(buf + headroom, in, len);
        if (v4)
                xlat_4to6_inplace(&X, buf, headroom, len, sizeof(buf), flags, &b);
        else
                xlat_6to4_inplace(&X, buf, headroom, len, sizeof(buf), flags, &b);
        CHECK_EQ(a.verdict, b.verdict);
        CHECK_EQ(a.drop_reason, b.drop_reason);
        CHECK_EQ(a.n_packets, b.n_packets);
        for (unsigned i = 0; i < a.n_packets; i++) {
                CHECK_EQ(a.packets[i].len, b.packets[i].len);
                CHECK(memcmp(copy + a.packets[i].offset, buf + b.packets[i].offset, a.packets[i].len) == 0);
                CHECK_EQ(a.packets[i].l4_offset, b.packets[i].l4_offset);
                CHECK_EQ(a.packets[i].hdr_len, b.packets[i].hdr_len);
        }
}

/* RFC 4884 multi-part messages. An extension structure (§7: version 2, checksum) with one
 * RFC 4950 MPLS Label Stack object (class 1, c-type 1) of (len - 8) / 4 label entries,
 * the last with the bottom-of-stack bit; len is a multiple of 4, at least 12. */
static size_t mpls_extension(uint8_t *b, size_t len) {
        b[0] = 0x20, b[1] = 0;
        tp_put16(b + 2, 0);
        tp_put16(b + 4, (uint16_t) (len - 4));
        b[6] = 1, b[7] = 1;
        for (size_t i = 8; i < len; i += 4) {
                uint32_t entry = (uint32_t) (16000 + i) << 12 | (i + 4 >= len ? 0x100U : 0) | 1;

                b[i] = (uint8_t) (entry >> 24), b[i + 1] = (uint8_t) (entry >> 16);
                b[i + 2] = (uint8_t) (entry >> 8), b[i + 3] = (uint8_t) entry;
        }
        tp_put16(b + 2, (uint16_t) ~tp_fold(tp_sum(b, len, 0)));
        return len;
}

/* An ICMP error body: the first `quote` bytes of `pkt` (il bytes), zero-padded to
 * `field`, then the extension. Returns its length. */
static size_t ext_body(uint8_t *b, const uint8_t *pkt, size_t il, size_t quote, size_t field, const uint8_t *ext,
                       size_t ext_len) {
        size_t n = il < quote ? il : quote;

        memcpy(b, pkt, n);
        if (field > n)
                memset(b + n, 0, field - n);
        else
                field = n;
        memcpy(b + field, ext, ext_len);
        return field + ext_len;
}

/* An ICMPv4 error from CLAT4 about a UDP packet REMOTE4 sent us (inner_payload bytes of
 * data), quoting at most `field` bytes of it zero-padded to `field`, Length attribute
 * `attr` (32-bit words) in the sixth octet, then the extension. */
static size_t icmp4_error_ext(uint8_t type, uint8_t code, size_t inner_payload, size_t field, uint8_t attr,
                              const uint8_t *ext, size_t ext_len) {
        uint8_t e[2400], inner[1600], ip[1700];
        size_t n, il, bl;

        n = tp_udp(inner, 53, 33000, inner_payload, 5);
        il = tp_ipv4(ip, 0, 0x77, 0, 61, 17, REMOTE4, CLAT4, inner, n, true);
        bl = ext_body(e + 8, ip, il, field, field, ext, ext_len);
        memset(e, 0, 8);
        e[0] = type, e[1] = code, e[5] = attr;
        return tp_ipv4(in, 0xc0, 0x55, 0, 64, 1, CLAT4, REMOTE4, e, bl + 8, true);
}

/* What icmp4_error_ext() becomes: the inner IPv6 packet REMOTE6 → CLAT6 cut to `quote`
 * bytes, padded to `field`, Length attribute `attr` (64-bit words) in the fifth octet. */
static size_t icmp6_error_ext_expected(uint8_t *w, uint8_t type, uint8_t code, size_t inner_payload, size_t quote,
                                       size_t field, uint8_t attr, const uint8_t *ext, size_t ext_len) {
        uint8_t e[2400], inner[1600], ip[1700];
        size_t n, il, bl, wl;

        n = tp_udp(inner, 53, 33000, inner_payload, 5);
        il = tp_ipv6(ip, 0, 17, 61, REMOTE6, CLAT6, inner, n);
        tp_ipv6_l4_csum_set(ip, il, 40, 17);
        bl = ext_body(e + 8, ip, il, quote, field, ext, ext_len);
        memset(e, 0, 8);
        e[0] = type, e[1] = code, e[4] = attr;
        wl = tp_ipv6(w, 0xc0, 58, 64, CLAT6, REMOTE6, e, bl + 8);
        tp_ipv6_l4_csum_set(w, wl, 40, 58);
        return wl;
}

/* §4.2 "ICMP Error Payload": "If the received ICMPv4 packet contains an ICMPv4 Extension
 * [RFC4884], ... the ICMPv6 Extension length attribute MUST be adjusted accordingly".
 * RFC 4884 §4: the original datagram field is at least 128 octets, zero-padded to the
 * unit of the Length attribute (32 bits in ICMPv4, 64 bits in ICMPv6). */
static void test_4_2_icmp_extension_rfc4884(void) {
        uint8_t ext[1200], w[2000];
        size_t len, wl, el;

        setup("2001:db8:64::/96", 1500);

        /* A short datagram (48 bytes, padded to 128: Length 32 words) with an MPLS label
         * stack: the 68-byte IPv6 datagram is padded to 128 again (Length 16), the
         * extension follows unchanged, its own checksum still right. */
        el = mpls_extension(ext, 12);
        len = icmp4_error_ext(11, 0, 20, 128, 32, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp6_error_ext_expected(w, 3, 0, 20, 128, 128, 16, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        CHECK_EQ(tp_fold(tp_sum(pkt(&R, 0) + 48 + 128, el, 0)), 0xffff);
        check_inplace_same(true, len, 0);

        /* Port Unreachable, a datagram that needs no padding in IPv4 (132 bytes) but does
         * in IPv6 (152 → 152: already a multiple of 8; 136 → 160 with 4 more). */
        len = icmp4_error_ext(3, 3, 108, 136, 34, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_ext_expected(w, 1, 4, 108, 156, 160, 20, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* A long quote (1020 bytes, the most 8 bits of 32-bit words say) and a 300-byte
         * extension: 40 + 8 + 1040 + 300 > 1280, so the datagram is cut to 928 bytes
         * (Length 116) and the extension kept whole: 1276 bytes. */
        el = mpls_extension(ext, 300);
        len = icmp4_error_ext(11, 0, 1200, 1020, 255, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp6_error_ext_expected(w, 3, 0, 1200, 928, 928, 116, ext, el);
        CHECK_EQ(wl, 1276);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        check_inplace_same(true, len, 0);

        /* An extension that does not fit with even 128 octets of datagram (1108 bytes:
         * 48 + 128 + 1108 > 1280) is dropped, Length 0, and never quoted as datagram. */
        el = mpls_extension(ext, 1108);
        len = icmp4_error_ext(11, 0, 20, 128, 32, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_expected(w, 3, 0, 0, 20, 0);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* §4.6 of RFC 4884: Packet Too Big and Parameter Problem carry no extension. */
        el = mpls_extension(ext, 12);
        len = icmp4_error_ext(3, 4, 20, 128, 32, ext, el);
        in[20 + 6] = 0x05, in[20 + 7] = 0xdc; /* next-hop MTU 1500 */
        in[22] = in[23] = 0;
        tp_put16(in + 22, (uint16_t) ~tp_fold(tp_sum(in + 20, len - 20, 0)));
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_expected(w, 2, 0, 1500, 20, 0);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        len = icmp4_error_ext(12, 0, 20, 128, 32, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_expected(w, 4, 0, 0, 20, 0);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* Inconsistent Length attributes: the field would end past the message (200
         * words), or is under 128 octets (20 words), or nothing follows it (32 words =
         * the whole body). Translated as without extension: all of the body quoted,
         * Length 0. */
        {
                static const uint8_t attrs[] = { 200, 20, 32 };

                for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                        size_t elen = attrs[i] == 32 ? 0 : el;

                        len = icmp4_error_ext(11, 0, 20, 128, attrs[i], ext, elen);
                        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
                        check_valid(&R);
                        wl = icmp6_error_ext_expected(w, 3, 0, 20, 68, 148, 0, ext, elen);
                        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
                }
        }
}

/* An ICMPv6 error from `src` about a UDP packet CLAT6 → REMOTE6, quoting at most `field`
 * bytes of it zero-padded to `field`, Length attribute `attr` (64-bit words), then the
 * extension. */
static size_t icmp6_error_ext(const char *src, uint8_t type, uint8_t code, size_t inner_payload, size_t field,
                              uint8_t attr, const uint8_t *ext, size_t ext_len) {
        uint8_t e[2400], inner[1600], ip[1700];
        size_t n, il, bl, len;

        n = tp_udp(inner, 33000, 53, inner_payload, 8);
        il = tp_ipv6(ip, 0, 17, 63, CLAT6, REMOTE6, inner, n);
        tp_ipv6_l4_csum_set(ip, il, 40, 17);
        bl = ext_body(e + 8, ip, il, field, field, ext, ext_len);
        memset(e, 0, 8);
        e[0] = type, e[1] = code, e[4] = attr;
        len = tp_ipv6(in, 0, 58, 60, src, CLAT6, e, bl + 8);
        tp_ipv6_l4_csum_set(in, len, 40, 58);
        return len;
}

/* What icmp6_error_ext() becomes, `p` the translation (for the Identification and flags
 * the library chose): the inner IPv4 packet cut to `quote`, padded to `field`, Length
 * `attr` (32-bit words) in the sixth octet. */
static size_t icmp4_error_ext_expected(uint8_t *w, const uint8_t *p, const char *src4, uint8_t type, uint8_t code,
                                       size_t inner_payload, size_t quote, size_t field, uint8_t attr,
                                       const uint8_t *ext, size_t ext_len) {
        uint8_t e[2400], inner[1600], ip[1700];
        size_t n, il, bl;

        n = tp_udp(inner, 33000, 53, inner_payload, 8);
        il = tp_ipv4(ip, 0, tp_get16(p + 28 + 4), tp_get16(p + 28 + 6), 63, 17, CLAT4, REMOTE4, inner, n, true);
        bl = ext_body(e + 8, ip, il, quote, field, ext, ext_len);
        memset(e, 0, 8);
        e[0] = type, e[1] = code, e[5] = attr;
        return tp_ipv4(w, 0, tp_get16(p + 4), tp_get16(p + 6), 60, 1, src4, CLAT4, e, bl + 8, true);
}

/* §5.2 "ICMP Error Payload": "If the received ICMPv6 packet contains an ICMPv6 Extension
 * [RFC4884], ... the ICMPv6 Extension length attribute MUST be adjusted accordingly
 * (e.g., shorter due to the translation from IPv6 to IPv4)." */
static void test_5_2_icmp_extension_rfc4884(void) {
        uint8_t ext[1200], w[2000];
        size_t len, wl, el;

        setup("2001:db8:64::/96", 1500);

        /* traceroute through an MPLS core: Time Exceeded from a router with its label
         * stack (RFC 4950). 68-byte datagram padded to 128 (16 words of 64 bits) → 48
         * bytes padded to 128 (32 words of 32 bits), from 192.0.0.8. */
        el = mpls_extension(ext, 12);
        len = icmp6_error_ext(ROUTER6, 3, 0, 20, 128, 16, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), "192.0.0.8", 11, 0, 20, 128, 128, 32, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        CHECK_EQ(tp_fold(tp_sum(pkt(&R, 0) + 28 + 128, el, 0)), 0xffff);
        check_inplace_same(false, len, 0);

        /* The same as a Port Unreachable from the remote host (under the prefix), a
         * datagram that needs no padding in IPv6 (136 bytes, 17 words) but does in IPv4
         * (116 → 128). */
        len = icmp6_error_ext(REMOTE6, 1, 4, 88, 136, 17, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), REMOTE4, 3, 3, 88, 116, 128, 32, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* Port Unreachable quoting 1128 bytes (141 words) of a 1148-byte datagram, with a
         * 100-byte extension: the ICMPv4 error may have 576 bytes (RFC 1812 §4.3.2.3), so
         * the 1108-byte IPv4 datagram is cut to 576 - 28 - 100 = 448 (Length 112) and the
         * extension kept whole. */
        el = mpls_extension(ext, 100);
        len = icmp6_error_ext(REMOTE6, 1, 4, 1100, 1128, 141, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), REMOTE4, 3, 3, 1100, 448, 448, 112, ext, el);
        CHECK_EQ(wl, 576);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
        check_inplace_same(false, len, 0);

        /* An extension too big for 576 bytes with 128 octets of datagram: dropped. */
        el = mpls_extension(ext, 1128);
        len = icmp6_error_ext(ROUTER6, 3, 0, 20, 128, 16, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), "192.0.0.8", 11, 0, 20, 48, 48, 0, ext, 0);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* Inconsistent Length attributes (past the end; 10 words = 80 octets < 128;
         * 17 words = all of the body, only 8 bytes after the 128 of the datagram, less
         * than an extension header): all of the body quoted, Length 0. */
        el = mpls_extension(ext, 12);
        {
                static const uint8_t attrs[] = { 100, 10, 17 };

                for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                        size_t elen = attrs[i] == 17 ? 8 : el;

                        len = icmp6_error_ext(ROUTER6, 3, 0, 20, 128, attrs[i], ext, elen);
                        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
                        check_valid(&R);
                        wl = icmp4_error_ext_expected(w, pkt(&R, 0), "192.0.0.8", 11, 0, 20, 48, 108, 0, ext, elen);
                        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
                }
        }
}

/* The padding rules of the original datagram field, one case per rule and direction
 * (xlat.c, icmp_ext_finish()). RFC 4884 §4: the field "MUST contain at least 128
 * octets. If the original datagram did not contain 128 octets, the 'original datagram'
 * field MUST be zero padded to 128 octets"; §4.1-4.3 (ICMPv4): "zero padded to the
 * nearest 32-bit boundary"; §4.4-4.5 (ICMPv6): to the nearest 64-bit boundary. Padding
 * is only added where the datagram needs it: a quote that is cut short is cut back to
 * the unit; the received padding is not datagram and is not carried over. RFC 7915
 * §4.2/§5.2: the Length attribute "MUST be adjusted accordingly". */
static void test_rfc4884_padding_rules(void) {
        uint8_t ext[200], w[2000];
        size_t len, wl, el;

        setup("2001:db8:64::/96", 1500);
        el = mpls_extension(ext, 12);

        /* 4→6, RFC 4884 §4.4: the whole 136-byte datagram (34 words of 32 bits, no
         * padding) becomes 156 bytes: padded to 160, Length 20 words of 64 bits. */
        len = icmp4_error_ext(11, 0, 108, 136, 34, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_ext_expected(w, 3, 0, 108, 156, 160, 20, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* 4→6, RFC 4884 §4: the whole 48-byte datagram, padded to 128 in IPv4, is 68
         * bytes in IPv6: padded to 128 again, Length 16. */
        len = icmp4_error_ext(11, 0, 20, 128, 32, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_ext_expected(w, 3, 0, 20, 128, 128, 16, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* 4→6, only when needed: a router quoted 192 bytes (Length 48) of a 500-byte
         * datagram. Translated, that is 212 bytes, not a multiple of 8: the quote is cut
         * to 208 (Length 26); padding it to 216 would put 4 zero bytes where the packet
         * had data. */
        len = icmp4_error_ext(11, 0, 472, 192, 48, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp6_error_ext_expected(w, 3, 0, 472, 208, 208, 26, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* 4→6, the received padding is not datagram: the whole 136-byte datagram padded
         * to a 160-byte field (Length 40, 24 zero bytes) is laid out as above (156 →
         * 160, Length 20), not as 180 translated bytes cut to 176. */
        len = icmp4_error_ext(11, 0, 108, 160, 40, ext, el);
        CHECK_EQ(t46(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp6_error_ext_expected(w, 3, 0, 108, 156, 160, 20, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* 6→4, RFC 4884 §4.1: the whole 149-byte IPv6 datagram (padded to 152, Length
         * 19) becomes 129 bytes: padded to 132, Length 33 words of 32 bits. */
        len = icmp6_error_ext(REMOTE6, 1, 4, 101, 152, 19, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), REMOTE4, 3, 3, 101, 129, 132, 33, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* 6→4, RFC 4884 §4: 68 bytes padded to 128 (Length 16) → 48 → 128 (Length 32). */
        len = icmp6_error_ext(REMOTE6, 1, 4, 20, 128, 16, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), REMOTE4, 3, 3, 20, 48, 128, 32, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* 6→4, a quote that must be cut to fit 576 bytes (RFC 1812 §4.3.2.3) is cut to
         * the unit and not padded: the whole 536-byte IPv6 datagram (Length 67) is 516
         * bytes in IPv4, 576 - 28 - 40 = 508 fit (Length 127) before the 40-byte
         * extension. */
        el = mpls_extension(ext, 40);
        len = icmp6_error_ext(REMOTE6, 1, 4, 488, 536, 67, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        check_valid(&R);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), REMOTE4, 3, 3, 488, 508, 508, 127, ext, el);
        CHECK_EQ(wl, 576);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);

        /* 6→4, the same datagram 8 bytes shorter fits whole: 508 bytes, no padding. */
        len = icmp6_error_ext(REMOTE6, 1, 4, 480, 528, 66, ext, el);
        CHECK_EQ(t64(len, 0), XLAT_VERDICT_TRANSLATED);
        wl = icmp4_error_ext_expected(w, pkt(&R, 0), REMOTE4, 3, 3, 480, 508, 508, 127, ext, el);
        CHECK_BYTES(pkt(&R, 0), R.packets[0].len, w, wl);
}

static void test_inplace_variants(void) {
        uint8_t t[3000];
        size_t n;

        setup("2001:db8:64::/96", 1280);
        n = tp_tcp(t, 1, 2, 500, 0);
        check_inplace_same(true, tp_ipv4(in, 0, 1, 0x4000, 64, 6, CLAT4, REMOTE4, t, n, true), 0);
        n = tp_udp(t, 1, 2, 2000, 0);
        check_inplace_same(true, tp_ipv4(in, 0, 1, 0, 64, 17, CLAT4, REMOTE4, t, n, true), 0);
        check_inplace_same(true, tp_ipv4(in, 0, 1, 0x4000, 64, 17, CLAT4, REMOTE4, t, n, true), 0); /* reply */
        check_inplace_same(true, icmp4_error(3, 3, 0, 1400, 0), 0);
        check_inplace_same(false, icmp6_error(REMOTE6, 1, 4, 0, 1000, false), 0);
        check_inplace_same(false, icmp6_error(ROUTER6, 2, 0, 1280, 1000, true), 0);
        n = tp_echo(t, 128, 1, 2, 100);
        n = tp_ipv6(in, 0, 58, 64, REMOTE6, CLAT6, t, n);
        tp_ipv6_l4_csum_set(in, n, 40, 58);
        check_inplace_same(false, n, 0);
}

/* 4→6→4 gives the original back except DF/Identification of unfragmented packets
 * (§5.1 rules) and the IPv4 header checksum that depends on them. */
static void test_round_trip(void) {
        static uint8_t mid[2000], back[2000];
        uint8_t t[1500];
        size_t n, len;
        struct xlat_result r1, r2;

        setup("2001:db8:64::/96", 1500);
        n = tp_tcp(t, 1, 2, 1000, 0);
        len = tp_ipv4(in, 0x08, 0, 0x4000, 64, 6, CLAT4, REMOTE4, t, n, true);
        CHECK_EQ(xlat_4to6(&X, in, len, 0, mid, sizeof(mid), &r1), XLAT_VERDICT_TRANSLATED);
        /* what came out as CLAT6 → REMOTE6: swap to make it an answer */
        {
                uint8_t tmp[16];
                memcpy(tmp, mid + 8, 16);
                memcpy(mid + 8, mid + 24, 16);
                memcpy(mid + 24, tmp, 16);
        }
        CHECK_EQ(xlat_6to4(&X, mid, r1.packets[0].len, 0, back, sizeof(back), &r2), XLAT_VERDICT_TRANSLATED);
        CHECK_EQ(r2.packets[0].len, len);
        CHECK(memcmp(back + 12, in + 16, 4) == 0);
        CHECK(memcmp(back + 16, in + 12, 4) == 0);
        CHECK(memcmp(back + 20, in + 20, len - 20) == 0); /* checksum invariant under swap */
        CHECK_EQ(back[1], in[1]);
        CHECK_EQ(back[8], in[8]);
}

static void test_counters_and_strings(void) {
        struct xlat_counters c = {}, sum = {};
        struct xlat_result r = { .verdict = XLAT_VERDICT_DROP, .drop_reason = XLAT_DROP_TRUNCATED };

        for (int i = 0; i < _XLAT_DROP_MAX; i++) {
                const char *s = xlat_drop_reason_to_string(i);

                CHECK(s);
                CHECK_EQ(xlat_drop_reason_from_string(s), i);
        }
        CHECK_STREQ(xlat_drop_reason_to_string(XLAT_DROP_IPV6_ROUTING_HEADER), "ipv6-routing-header");
        CHECK(!xlat_drop_reason_to_string(_XLAT_DROP_MAX));
        CHECK_STREQ(xlat_verdict_to_string(XLAT_VERDICT_REPLY), "reply");
        CHECK_STREQ(xlat_direction_to_string(XLAT_6TO4), "6to4");

        xlat_counters_account(&c, XLAT_6TO4, &r);
        r = (struct xlat_result) { .verdict = XLAT_VERDICT_TRANSLATED, .n_packets = 3 };
        xlat_counters_account(&c, XLAT_4TO6, &r);
        r = (struct xlat_result) { .verdict = XLAT_VERDICT_REPLY, .drop_reason = XLAT_DROP_PACKET_TOO_BIG, .n_packets = 1 };
        xlat_counters_account(&c, XLAT_4TO6, &r);
        xlat_counters_add(&sum, &c);
        xlat_counters_add(&sum, &c);
        CHECK_EQ(sum.dropped[XLAT_6TO4][XLAT_DROP_TRUNCATED], 2);
        CHECK_EQ(sum.packets[XLAT_4TO6], 2);
        CHECK_EQ(sum.fragments_out[XLAT_4TO6], 4);
        CHECK_EQ(sum.replies[XLAT_4TO6], 2);
        CHECK_EQ(sum.dropped[XLAT_4TO6][XLAT_DROP_PACKET_TOO_BIG], 2);
        CHECK_EQ(xlat_counters_dropped(&sum, -1), 4);
        CHECK_EQ(xlat_counters_dropped(&sum, XLAT_4TO6), 2);
}

int main(void) {
        test_rfc6052_2_2_address_mapping();
        test_init_validation();
        test_4_1_header_translation();
        test_4_1_addresses();
        test_4_1_ipv4_options();
        test_4_1_df_frag_needed();
        test_4_1_df_clear_fragmentation();
        test_4_1_ipv4_fragment();
        test_4_2_icmp_echo();
        test_4_2_param_problem_pointer();
        test_4_2_frag_needed_mtu();
        test_4_3_icmp_error_inner();
        test_4_3_icmp_error_nested();
        test_4_5_udp_zero_checksum();
        test_4_5_tcp_checksum_partial();
        test_gso_super_packet();
        test_5_1_header_translation();
        test_5_1_addresses();
        test_5_1_extension_headers();
        test_5_1_1_fragment_header();
        test_5_1_1_atomic_fragment_identification();
        test_other_upper_layers();
        test_5_2_icmp_echo();
        test_5_2_icmp_error_from_router();
        test_5_2_icmpv4_error_576();
        test_5_2_ptb_mtu();
        test_5_3_icmp_error_inner();
        test_4_2_icmp_extension_rfc4884();
        test_5_2_icmp_extension_rfc4884();
        test_rfc4884_padding_rules();
        test_inplace_variants();
        test_round_trip();
        test_counters_and_strings();
        return 0;
}
