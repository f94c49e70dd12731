/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>

#include "nat64-prefix.h"
#include "test-util.h"

static struct v6m_nat64_prefix prefix(const char *s) {
        struct v6m_nat64_prefix p;
        const char *reason = NULL;

        if (nat64_prefix_from_string(s, &p, &reason) < 0)
                check_fail("valid prefix %s refused: %s", s, reason);
        return p;
}

static void check_refused(const char *s, const char *expected_reason) {
        struct v6m_nat64_prefix p = { .len = 77 };
        const char *reason = NULL;

        CHECK_EQ(nat64_prefix_from_string(s, &p, &reason), -EINVAL);
        CHECK(reason);
        if (!strstr(reason, expected_reason))
                check_fail("%s: reason \"%s\" does not say \"%s\"", s, reason, expected_reason);
        CHECK_EQ(p.len, 77); /* untouched on failure */
}

static void test_lengths(void) {
        static const unsigned valid[] = { 32, 40, 48, 56, 64, 96 };

        for (unsigned len = 0; len <= 128; len++) {
                bool expected = false;

                for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
                        expected = expected || valid[i] == len;
                CHECK_EQ(nat64_prefix_length_valid(len), expected);
        }

        CHECK_EQ(prefix("2001:db8::/32").len, 32);
        CHECK_EQ(prefix("2001:db8:100::/40").len, 40);
        CHECK_EQ(prefix("2001:db8:122::/48").len, 48);
        CHECK_EQ(prefix("2001:db8:122:300::/56").len, 56);
        CHECK_EQ(prefix("2001:db8:122:344::/64").len, 64);
        CHECK_EQ(prefix("64:ff9b::/96").len, 96);

        check_refused("64:ff9b::/0", "invalid prefix length");
        check_refused("64:ff9b::/8", "invalid prefix length");
        check_refused("64:ff9b::/33", "invalid prefix length");
        check_refused("64:ff9b::/72", "invalid prefix length");
        check_refused("64:ff9b::/97", "invalid prefix length");
        check_refused("64:ff9b::/128", "invalid prefix length");
        check_refused("64:ff9b::/1000", "invalid prefix length");
        check_refused("64:ff9b::/+96", "invalid prefix length");
        check_refused("64:ff9b::/ 96", "invalid prefix length");
        check_refused("64:ff9b::/96 ", "invalid prefix length");
        check_refused("64:ff9b::/", "invalid prefix length");
        check_refused("64:ff9b::", "prefix length");
        check_refused("64:ff9b::1::2/96", "not a valid IPv6 address");
        check_refused("192.0.2.0/96", "not a valid IPv6 address");
        check_refused("/96", "not a valid IPv6 address");
        check_refused("", "prefix length");
}

static void test_bits_beyond_length(void) {
        static const unsigned lengths[] = { 32, 40, 48, 56, 64, 96 };

        for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
                unsigned len = lengths[i];
                char expected[64];

                snprintf(expected, sizeof(expected), "has bits set beyond /%u", len);
                /* The first and the last bit past the length. */
                for (unsigned bit = len; bit < 128; bit += 127 - len) {
                        struct v6m_nat64_prefix p = { .len = (uint8_t) len };
                        const char *reason = NULL;

                        p.prefix.s6_addr[0] = 0x20;
                        p.prefix.s6_addr[bit / 8] |= (uint8_t) (0x80 >> (bit % 8));
                        CHECK_EQ(nat64_prefix_validate(&p, &reason), -EINVAL);
                        CHECK_STREQ(reason, expected);
                        if (bit == 127)
                                break;
                }
        }

        check_refused("2001:db8::1/32", "has bits set beyond /32");
        check_refused("2001:db8:1:1::/48", "has bits set beyond /48");
        check_refused("2001:db8:122:344::1/96", "has bits set beyond /96");
}

static void test_u_octet(void) {
        struct v6m_nat64_prefix p;
        const char *reason;

        /* Bits 64..71 are inside a /96 but must be zero (RFC 6052 §2.2). */
        check_refused("2001:db8:122:344:ff00::/96", "\"u\" octet");
        check_refused("2001:db8:122:344:100::/96", "\"u\" octet");
        /* Bits 72..95 are ordinary prefix bits of a /96. */
        p = prefix("2001:db8:122:344:ff:ffff::/96");
        CHECK_EQ(p.prefix.s6_addr[8], 0);
        CHECK_EQ(p.prefix.s6_addr[9], 0xff);
        /* For /64 the u octet is beyond the length: that rule speaks. */
        check_refused("2001:db8:122:344:ff00::/64", "has bits set beyond /64");

        p = (struct v6m_nat64_prefix) { .len = 96 };
        p.prefix.s6_addr[8] = 1;
        CHECK_EQ(nat64_prefix_validate(&p, &reason), -EINVAL);
        CHECK_EQ(nat64_prefix_validate(&p, NULL), -EINVAL);
        p.prefix.s6_addr[8] = 0;
        CHECK_EQ(nat64_prefix_validate(&p, NULL), 0);
}

/* RFC 6052 §2.4, Table 1, plus the Well-Known Prefix of §2.1. */
static const struct {
        const char *prefix, *ipv4, *ipv6;
} rfc6052_examples[] = {
        { "2001:db8::/32",         "192.0.2.33", "2001:db8:c000:221::" },
        { "2001:db8:100::/40",     "192.0.2.33", "2001:db8:1c0:2:21::" },
        { "2001:db8:122::/48",     "192.0.2.33", "2001:db8:122:c000:2:2100::" },
        { "2001:db8:122:300::/56", "192.0.2.33", "2001:db8:122:3c0:0:221::" },
        { "2001:db8:122:344::/64", "192.0.2.33", "2001:db8:122:344:c0:2:2100:0" },
        { "2001:db8:122:344::/96", "192.0.2.33", "2001:db8:122:344::192.0.2.33" },
        { "64:ff9b::/96",          "192.0.2.33", "64:ff9b::192.0.2.33" },
};

static void test_rfc6052_examples(void) {
        for (size_t i = 0; i < sizeof(rfc6052_examples) / sizeof(rfc6052_examples[0]); i++) {
                struct v6m_nat64_prefix p = prefix(rfc6052_examples[i].prefix);
                struct in_addr v4, v4_back;
                struct in6_addr expected, v6;

                CHECK_EQ(inet_pton(AF_INET, rfc6052_examples[i].ipv4, &v4), 1);
                CHECK_EQ(inet_pton(AF_INET6, rfc6052_examples[i].ipv6, &expected), 1);

                nat64_prefix_embed_ipv4(&p, &v4, &v6);
                if (memcmp(&v6, &expected, sizeof(v6)) != 0) {
                        char got[INET6_ADDRSTRLEN];
                        check_fail("%s + %s: got %s, RFC 6052 says %s", rfc6052_examples[i].prefix,
                                   rfc6052_examples[i].ipv4, inet_ntop(AF_INET6, &v6, got, sizeof(got)),
                                   rfc6052_examples[i].ipv6);
                }
                CHECK_EQ(v6.s6_addr[8], 0);

                nat64_prefix_extract_ipv4(&p, &expected, &v4_back);
                CHECK_EQ(v4_back.s_addr, v4.s_addr);
        }
}

static void test_round_trip(void) {
        static const char *const prefixes[] = {
                "2001:db8::/32", "2001:db8:100::/40", "2001:db8:122::/48", "2001:db8:122:300::/56",
                "2001:db8:122:344::/64", "2001:db8:122:344::/96",
        };
        static const char *const addresses[] = { "0.0.0.0", "255.255.255.255", "10.1.2.3", "192.0.0.1" };

        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
                for (size_t j = 0; j < sizeof(addresses) / sizeof(addresses[0]); j++) {
                        struct v6m_nat64_prefix p = prefix(prefixes[i]), q;
                        struct in_addr v4, back;
                        struct in6_addr v6;

                        CHECK_EQ(inet_pton(AF_INET, addresses[j], &v4), 1);
                        nat64_prefix_embed_ipv4(&p, &v4, &v6);
                        CHECK_EQ(v6.s6_addr[8], 0);
                        /* The prefix part is kept... */
                        q = (struct v6m_nat64_prefix) { .prefix = v6, .len = p.len };
                        memset(q.prefix.s6_addr + p.len / 8, 0, 16 - p.len / 8);
                        CHECK(nat64_prefix_equal(&p, &q));
                        /* ...and the IPv4 address comes back. */
                        nat64_prefix_extract_ipv4(&p, &v6, &back);
                        CHECK_EQ(back.s_addr, v4.s_addr);
                }
}

static void test_to_string_equal(void) {
        struct v6m_nat64_prefix a = prefix("64:ff9b::/96"), b = prefix("64:FF9B:0::/96"),
                                c = prefix("64:ff9b::/64");
        char buf[NAT64_PREFIX_STRLEN];

        CHECK_STREQ(nat64_prefix_to_string(&a, buf, sizeof(buf)), "64:ff9b::/96");
        CHECK(nat64_prefix_equal(&a, &b));
        CHECK(!nat64_prefix_equal(&a, &c));
        CHECK(nat64_prefix_equal(NULL, NULL));
        CHECK(!nat64_prefix_equal(&a, NULL));

        /* The longest textual form fits the buffer. */
        memset(&a.prefix, 0xff, sizeof(a.prefix)); /* not valid, but the widest output */
        nat64_prefix_to_string(&a, buf, sizeof(buf));
        CHECK(strlen(buf) < sizeof(buf));
        CHECK(strstr(buf, "/96"));
}

int main(void) {
        test_lengths();
        test_bits_beyond_length();
        test_u_octet();
        test_rfc6052_examples();
        test_round_trip();
        test_to_string_equal();
        return EXIT_SUCCESS;
}
