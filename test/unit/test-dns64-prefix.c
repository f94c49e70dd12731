/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 7050 §3 prefix derivation, byte arrays in, prefixes out. Addresses are spelled out
 * byte by byte where the position of 192.0.0.170 (c0 00 00 aa) is the point. */
#include <arpa/inet.h>
#include <errno.h>

#include "dns64-prefix.h"
#include "macro.h"
#include "nat64-prefix.h"
#include "test-util.h"

static struct in6_addr addr(const char *s) {
        struct in6_addr a;

        if (inet_pton(AF_INET6, s, &a) != 1)
                check_fail("bad test address %s", s);
        return a;
}

static struct in6_addr bytes(const uint8_t b[16]) {
        struct in6_addr a;

        memcpy(a.s6_addr, b, 16);
        return a;
}

static void check_prefix(const Dns64Result *r, size_t i, const char *expected) {
        char buf[NAT64_PREFIX_STRLEN];

        if (i >= r->n_prefixes)
                check_fail("no prefix #%zu (have %zu), expected %s", i, r->n_prefixes, expected);
        CHECK_STREQ(nat64_prefix_to_string(&r->prefixes[i], buf, sizeof(buf)), expected);
}

/* RFC 7050 §3 with the well-known prefix: what BIND or unbound answer by default. */
static void test_rfc7050_3_well_known_prefix(void) {
        struct in6_addr answers[] = { addr("64:ff9b::c000:aa"), addr("64:ff9b::c000:ab") };
        Dns64Result r;

        CHECK_EQ(dns64_prefix_derive(answers, 2, &r), 1);
        check_prefix(&r, 0, "64:ff9b::/96");
        CHECK_EQ(r.n_with_wka, 2);
        CHECK_EQ(r.n_ignored, 0);
        CHECK_EQ(r.n_ambiguous, 0);
        CHECK(!dns64_result_failure_reason(&r));
}

/* RFC 7050 §3 "every RFC 6052 position": the §2.4 example prefixes of RFC 6052, each
 * WKA synthesised with nat64_prefix_embed_ipv4() and, independently, as bytes. */
static void test_rfc7050_3_rfc6052_2_2_all_lengths(void) {
        static const struct {
                const char *prefix;
                uint8_t a170[16];
        } cases[] = {
                { "2001:db8::/32",
                  { 0x20, 0x01, 0x0d, 0xb8, 0xc0, 0x00, 0x00, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0 } },
                { "2001:db8:100::/40",
                  { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0xc0, 0x00, 0x00, 0, 0xaa, 0, 0, 0, 0, 0, 0 } },
                { "2001:db8:122::/48",
                  { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x22, 0xc0, 0x00, 0, 0x00, 0xaa, 0, 0, 0, 0, 0 } },
                { "2001:db8:122:300::/56",
                  { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x22, 0x03, 0xc0, 0, 0x00, 0x00, 0xaa, 0, 0, 0, 0 } },
                { "2001:db8:122:344::/64",
                  { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x22, 0x03, 0x44, 0, 0xc0, 0x00, 0x00, 0xaa, 0, 0, 0 } },
                { "2001:db8:122:344::/96",
                  { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x22, 0x03, 0x44, 0, 0, 0, 0, 0xc0, 0x00, 0x00, 0xaa } },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct v6m_nat64_prefix p;
                struct in_addr wka170 = { htonl(DNS64_WKA_PRIMARY) }, wka171 = { htonl(DNS64_WKA_SECONDARY) };
                struct in6_addr answers[2], embedded;
                uint32_t wka[6];
                Dns64Result r;

                CHECK_OK(nat64_prefix_from_string(cases[i].prefix, &p, NULL));
                nat64_prefix_embed_ipv4(&p, &wka170, &embedded);
                CHECK(memcmp(&embedded, cases[i].a170, 16) == 0);

                answers[0] = bytes(cases[i].a170);
                nat64_prefix_embed_ipv4(&p, &wka171, &answers[1]);

                CHECK_EQ(dns64_wka_positions(&answers[0], wka), 1u << i);
                CHECK_EQ(wka[i], DNS64_WKA_PRIMARY);
                CHECK_EQ(dns64_position_length(i), p.len);
                CHECK_EQ(dns64_wka_positions(&answers[1], wka), 1u << i);
                CHECK_EQ(wka[i], DNS64_WKA_SECONDARY);

                CHECK_EQ(dns64_prefix_derive(answers, 2, &r), 1);
                check_prefix(&r, 0, cases[i].prefix);
                /* Either WKA alone is enough (RFC 7050 §3: 192.0.0.171 may be absent). */
                CHECK_EQ(dns64_prefix_derive(answers, 1, &r), 1);
                check_prefix(&r, 0, cases[i].prefix);
                CHECK_EQ(dns64_prefix_derive(answers + 1, 1, &r), 1);
                check_prefix(&r, 0, cases[i].prefix);
        }
}

/* RFC 7050 §3: bits after the embedded IPv4 address (the suffix) do not matter for the
 * prefix; the prefix handed out has no bits past its length. */
static void test_rfc7050_3_suffix_ignored(void) {
        struct in6_addr answers[] = { addr("2001:db8:122:344:c0:0:aa00:ff") };
        Dns64Result r;

        CHECK_EQ(dns64_prefix_derive(answers, 1, &r), 1);
        check_prefix(&r, 0, "2001:db8:122:344::/64");
}

/* RFC 7050 §3: answers without a WKA are ignored; the others still count. */
static void test_rfc7050_3_answers_without_wka_ignored(void) {
        struct in6_addr answers[] = { addr("2001:db8::1"), addr("64:ff9b::c000:ab"), addr("64:ff9b::c000:ac") };
        Dns64Result r;

        CHECK_EQ(dns64_prefix_derive(answers, 3, &r), 1);
        check_prefix(&r, 0, "64:ff9b::/96");
        CHECK_EQ(r.n_ignored, 2);
        CHECK_EQ(r.n_with_wka, 1);
}

/* RFC 7050 §3: no WKA anywhere, or no answer at all: no prefix (not a DNS64). */
static void test_rfc7050_3_no_wka_no_prefix(void) {
        struct in6_addr answers[] = { addr("2001:db8::c000:a9"), addr("64:ff9b::c000:ac"), addr("::") };
        Dns64Result r;

        CHECK_EQ(dns64_prefix_derive(answers, 3, &r), -ENOENT);
        CHECK_EQ(r.n_prefixes, 0);
        CHECK_EQ(r.n_ignored, 3);
        CHECK(strstr(dns64_result_failure_reason(&r), "not a DNS64"));

        CHECK_EQ(dns64_prefix_derive(NULL, 0, &r), -ENOENT);
        CHECK_STREQ(dns64_result_failure_reason(&r), "no AAAA answer");
        CHECK_EQ(dns64_prefix_derive(NULL, 1, &r), -EINVAL);
        CHECK_EQ(dns64_prefix_derive(answers, 1, NULL), -EINVAL);
}

/* RFC 6052 §2.2: the u octet (bits 64..71) is zero in every synthesised address; an
 * answer with it set carries no valid WKA position, whatever else it holds. */
static void test_rfc6052_2_2_u_octet_set(void) {
        static const uint8_t u_set[16] = { 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0x01, 0, 0, 0, 0xc0, 0x00, 0x00, 0xaa };
        static const uint8_t u_set_64[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0x80, 0xc0, 0x00, 0x00, 0xaa, 0, 0, 0 };
        struct in6_addr answers[] = { bytes(u_set), bytes(u_set_64) };
        Dns64Result r;

        CHECK_EQ(dns64_wka_positions(&answers[0], NULL), 0);
        CHECK_EQ(dns64_wka_positions(&answers[1], NULL), 0);
        CHECK_EQ(dns64_prefix_derive(answers, 2, &r), -ENOENT);
        CHECK_EQ(r.n_ignored, 2);
}

/* RFC 7050 §3: a DNS64 with several prefixes synthesises an answer per prefix; all are
 * returned in answer order (the first is used), 170 and 171 of one prefix count once. */
static void test_rfc7050_3_several_prefixes(void) {
        struct in6_addr answers[] = {
                addr("2001:db8:64::c000:aa"),   addr("64:ff9b::c000:aa"), addr("2001:db8:64::c000:ab"),
                addr("64:ff9b::c000:ab"),       addr("2001:db8:122:3c0:0:aa::"),
        };
        Dns64Result r;

        CHECK_EQ(dns64_prefix_derive(answers, ELEMENTSOF(answers), &r), 3);
        check_prefix(&r, 0, "2001:db8:64::/96");
        check_prefix(&r, 1, "64:ff9b::/96");
        check_prefix(&r, 2, "2001:db8:122:300::/56");
        CHECK_EQ(r.n_with_wka, 5);
}

static void test_rfc7050_3_prefix_limit(void) {
        struct in6_addr answers[DNS64_PREFIXES_MAX + 3];
        Dns64Result r;

        for (size_t i = 0; i < ELEMENTSOF(answers); i++) {
                answers[i] = addr("2001:db8:64::c000:aa");
                answers[i].s6_addr[6] = (uint8_t) i; /* 2001:db8:64:<i>00::/96 */
        }
        CHECK_EQ(dns64_prefix_derive(answers, ELEMENTSOF(answers), &r), DNS64_PREFIXES_MAX);
        CHECK_EQ(r.n_dropped, 3);
        check_prefix(&r, 0, "2001:db8:64::/96");
        check_prefix(&r, 1, "2001:db8:64:100::/96");
}

/* RFC 7050 §3: 192.0.0.170 at two positions of one address. Here the /64 prefix
 * 2001:db8:c000:aa::/64 itself reads as 192.0.0.170 under /32. The 192.0.0.171 answer
 * has the other WKA at /64 only, under the same prefix bits: that settles /64. */
static void test_rfc7050_3_ambiguous_position_resolved_by_171(void) {
        static const uint8_t a170[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xc0, 0x00, 0x00, 0xaa,
                                          0x00, 0xc0, 0x00, 0x00, 0xaa, 0x00, 0x00, 0x00 };
        static const uint8_t a171[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xc0, 0x00, 0x00, 0xaa,
                                          0x00, 0xc0, 0x00, 0x00, 0xab, 0x00, 0x00, 0x00 };
        struct in6_addr answers[] = { bytes(a170), bytes(a171) };
        uint32_t wka[6];
        Dns64Result r;

        CHECK_EQ(dns64_wka_positions(&answers[0], wka), (1u << 0) | (1u << 4));
        CHECK_EQ(wka[0], DNS64_WKA_PRIMARY);
        CHECK_EQ(wka[4], DNS64_WKA_PRIMARY);
        CHECK_EQ(dns64_wka_positions(&answers[1], wka), (1u << 0) | (1u << 4));
        CHECK_EQ(wka[4], DNS64_WKA_SECONDARY);

        CHECK_EQ(dns64_prefix_derive(answers, 2, &r), 1);
        check_prefix(&r, 0, "2001:db8:c000:aa::/64");
        CHECK_EQ(r.n_ambiguous, 0);

        /* Alone, the 170 answer cannot be told apart: no prefix rather than a guess. */
        CHECK_EQ(dns64_prefix_derive(answers, 1, &r), -ENOENT);
        CHECK_EQ(r.n_ambiguous, 1);
        CHECK(strstr(dns64_result_failure_reason(&r), "more than one"));

        /* The same WKA twice confirms nothing. */
        answers[1] = answers[0];
        CHECK_EQ(dns64_prefix_derive(answers, 2, &r), -ENOENT);
        CHECK_EQ(r.n_ambiguous, 2);
}

/* RFC 7050 §3: the prefix must be consistent: a 171 answer under a different prefix
 * does not confirm a position, and both answers' prefixes stand on their own. */
static void test_rfc7050_3_inconsistent_answers(void) {
        struct in6_addr answers[] = { addr("64:ff9b::c000:aa"), addr("64:ff9b:1::c000:ab") };
        Dns64Result r;

        CHECK_EQ(dns64_prefix_derive(answers, 2, &r), 2);
        check_prefix(&r, 0, "64:ff9b::/96");
        check_prefix(&r, 1, "64:ff9b:1::/96");
}

int main(void) {
        test_rfc7050_3_well_known_prefix();
        test_rfc7050_3_rfc6052_2_2_all_lengths();
        test_rfc7050_3_suffix_ignored();
        test_rfc7050_3_answers_without_wka_ignored();
        test_rfc7050_3_no_wka_no_prefix();
        test_rfc6052_2_2_u_octet_set();
        test_rfc7050_3_several_prefixes();
        test_rfc7050_3_prefix_limit();
        test_rfc7050_3_ambiguous_position_resolved_by_171();
        test_rfc7050_3_inconsistent_answers();
        return EXIT_SUCCESS;
}
