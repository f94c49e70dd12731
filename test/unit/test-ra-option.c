/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RA options as the kernel hands them over (RTM_NEWNDUSEROPT): byte arrays in, parsed
 * values or a named rejection out. Tests are named after the RFC section they exercise. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "macro.h"
#include "nat64-prefix.h"
#include "ra-option.h"
#include "test-util.h"

static RaOption opt; /* large (RDNSS/DNSSL arrays): keep it off the stack */

static void check_prefix(const struct v6m_nat64_prefix *p, const char *want) {
        char buf[NAT64_PREFIX_STRLEN];

        CHECK_STREQ(nat64_prefix_to_string(p, buf, sizeof(buf)), want);
}

static RaOptionError parse_error(const uint8_t *data, size_t size) {
        RaOptionError e = _RA_OPTION_ERROR_MAX;

        CHECK_EQ(ra_option_parse(data, size, &opt, &e), -EBADMSG);
        CHECK(ra_option_error_to_string(e));
        return e;
}

/* A PREF64 option: 38, 2, scaled lifetime << 3 | plc, then the 12 prefix bytes. */
#define PREF64(scaled, plc, ...) \
        { 38, 2, (uint8_t) (((scaled) << 3 | (plc)) >> 8), (uint8_t) ((scaled) << 3 | (plc)), __VA_ARGS__ }

/* RFC 8781 §4: all six Prefix Length Codes. */
static void test_rfc8781_4_prefix_length_codes(void) {
        static const struct {
                unsigned plc;
                const char *want;
        } cases[] = {
                { 0, "2001:db8:102:304:5:607::/96" }, /* the u octet (bits 64..71) is 0 */
                { 1, "2001:db8:102:304::/64" },
                { 2, "2001:db8:102:300::/56" },
                { 3, "2001:db8:102::/48" },
                { 4, "2001:db8:100::/40" },
                { 5, "2001:db8::/32" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const uint8_t o[] = PREF64(225, cases[i].plc, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x02, 0x03, 0x04,
                                           cases[i].plc == 0 ? 0x00 : 0xff, 0x05, 0x06, 0x07);

                CHECK_EQ(ra_option_parse(o, sizeof(o), &opt, NULL), 16);
                CHECK_EQ(opt.type, RA_OPTION_PREF64);
                check_prefix(&opt.pref64.prefix, cases[i].want);
                CHECK_EQ(opt.pref64.lifetime_s, 1800);
        }
}

/* RFC 8781 §4: "the receiver MUST ignore the PREF64 option if the Length field value is not 2". */
static void test_rfc8781_4_length_not_2(void) {
        const uint8_t one[8] = { 38, 1, 0x07, 0x08, 0x20, 0x01, 0x0d, 0xb8 };
        const uint8_t three[24] = { 38, 3, 0x07, 0x08, 0x20, 0x01, 0x0d, 0xb8 };

        CHECK_EQ(parse_error(one, sizeof(one)), RA_OPTION_ERROR_PREF64_LENGTH);
        CHECK_EQ(parse_error(three, sizeof(three)), RA_OPTION_ERROR_PREF64_LENGTH);
}

/* RFC 8781 §4: PLC values 6 and 7 are not defined; the option is ignored. */
static void test_rfc8781_4_plc_6_and_7(void) {
        const uint8_t six[] = PREF64(225, 6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0);
        const uint8_t seven[] = PREF64(225, 7, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0);

        CHECK_EQ(parse_error(six, sizeof(six)), RA_OPTION_ERROR_PREF64_PLC);
        CHECK_EQ(parse_error(seven, sizeof(seven)), RA_OPTION_ERROR_PREF64_PLC);
}

/* RFC 8781 §4: bits of the 96-bit field beyond the prefix length are ignored. */
static void test_rfc8781_4_bits_beyond_prefix_ignored(void) {
        const uint8_t o32[] = PREF64(225, 5, 0x00, 0x64, 0xff, 0x9b, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef);
        const uint8_t o56[] = PREF64(225, 2, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff);

        CHECK_EQ(ra_option_parse(o32, sizeof(o32), &opt, NULL), 16);
        check_prefix(&opt.pref64.prefix, "64:ff9b::/32");
        CHECK_OK(nat64_prefix_validate(&opt.pref64.prefix, NULL));
        CHECK_EQ(ra_option_parse(o56, sizeof(o56), &opt, NULL), 16);
        check_prefix(&opt.pref64.prefix, "2001:db8:64:100::/56");
}

/* RFC 6052 §2.2 (which RFC 8781 §4 refers to): a /96's u octet (bits 64..71) must be zero. */
static void test_rfc8781_4_rfc6052_u_octet(void) {
        const uint8_t o[] = PREF64(225, 0, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0x01, 0, 0, 0);

        CHECK_EQ(parse_error(o, sizeof(o)), RA_OPTION_ERROR_PREF64_PREFIX);
}

/* RFC 8781 §4.1: the scaled lifetime is in units of 8 seconds, 13 bits: 0..65528 s;
 * 0 means the prefix must no longer be used. */
static void test_rfc8781_4_1_scaled_lifetime(void) {
        const uint8_t max[] = PREF64(0x1fff, 0, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);
        const uint8_t one[] = PREF64(1, 0, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);
        const uint8_t zero[] = PREF64(0, 0, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);

        CHECK_EQ(ra_option_parse(max, sizeof(max), &opt, NULL), 16);
        CHECK_EQ(opt.pref64.lifetime_s, 65528);
        check_prefix(&opt.pref64.prefix, "64:ff9b::/96");
        CHECK_EQ(ra_option_parse(one, sizeof(one), &opt, NULL), 16);
        CHECK_EQ(opt.pref64.lifetime_s, 8);
        CHECK_EQ(ra_option_parse(zero, sizeof(zero), &opt, NULL), 16);
        CHECK_EQ(opt.pref64.lifetime_s, 0);
}

/* RFC 4861 §4.6: an option of length 0 is invalid; one longer than the data is truncated. */
static void test_rfc4861_4_6_option_length(void) {
        const uint8_t zero[16] = { 38, 0 };
        const uint8_t pref64[] = PREF64(225, 0, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);
        const uint8_t other[8] = { 3, 1 };

        CHECK_EQ(parse_error(zero, sizeof(zero)), RA_OPTION_ERROR_ZERO_LENGTH);
        CHECK_EQ(parse_error(pref64, 15), RA_OPTION_ERROR_TRUNCATED);
        CHECK_EQ(parse_error(pref64, 1), RA_OPTION_ERROR_TRUNCATED);
        CHECK_EQ(parse_error(NULL, 0), RA_OPTION_ERROR_TRUNCATED);
        CHECK_EQ(parse_error(other, sizeof(other)), RA_OPTION_ERROR_UNKNOWN_TYPE);
        /* Bytes past the option's own length are not part of it. */
        uint8_t longer[32] = { 0 };
        memcpy(longer, pref64, sizeof(pref64));
        longer[16] = 0xff;
        CHECK_EQ(ra_option_parse(longer, sizeof(longer), &opt, NULL), 16);
}

/* RFC 8106 §5.1: RDNSS, length 3 + 2 × addresses, lifetime in seconds, all ones = infinity. */
static void test_rfc8106_5_1_rdnss(void) {
        uint8_t o[40] = { 25, 5, 0, 0, 0xff, 0xff, 0xff, 0xff };
        char buf[INET6_ADDRSTRLEN];

        inet_pton(AF_INET6, "2001:db8:1::53", o + 8);
        inet_pton(AF_INET6, "fe80::1", o + 24);
        CHECK_EQ(ra_option_parse(o, sizeof(o), &opt, NULL), 40);
        CHECK_EQ(opt.type, RA_OPTION_RDNSS);
        CHECK_EQ(opt.rdnss.lifetime_s, RA_OPTION_LIFETIME_INFINITY);
        CHECK_EQ(opt.rdnss.n_addresses, 2);
        CHECK_STREQ(inet_ntop(AF_INET6, opt.rdnss.addresses + 0, buf, sizeof(buf)), "2001:db8:1::53");
        CHECK_STREQ(inet_ntop(AF_INET6, opt.rdnss.addresses + 1, buf, sizeof(buf)), "fe80::1");

        /* One address, lifetime 600 s; lifetime 0 parses (it withdraws). */
        o[1] = 3;
        o[4] = 0, o[5] = 0, o[6] = 0x02, o[7] = 0x58;
        CHECK_EQ(ra_option_parse(o, sizeof(o), &opt, NULL), 24);
        CHECK_EQ(opt.rdnss.n_addresses, 1);
        CHECK_EQ(opt.rdnss.lifetime_s, 600);
        o[6] = 0, o[7] = 0;
        CHECK_EQ(ra_option_parse(o, sizeof(o), &opt, NULL), 24);
        CHECK_EQ(opt.rdnss.lifetime_s, 0);
}

/* RFC 8106 §5.1: "the minimum value is 3 if one IPv6 address is contained" and the length
 * is odd: 1, 2 and 4 are invalid. */
static void test_rfc8106_5_1_rdnss_length(void) {
        uint8_t o[40] = { 25, 1 };

        CHECK_EQ(parse_error(o, sizeof(o)), RA_OPTION_ERROR_RDNSS_LENGTH);
        o[1] = 2;
        CHECK_EQ(parse_error(o, sizeof(o)), RA_OPTION_ERROR_RDNSS_LENGTH);
        o[1] = 4;
        CHECK_EQ(parse_error(o, sizeof(o)), RA_OPTION_ERROR_RDNSS_LENGTH);
        o[1] = 5;
        CHECK_EQ(parse_error(o, 39), RA_OPTION_ERROR_TRUNCATED);
}

static size_t dnssl_names(char out[static 512]) {
        size_t n = 0;

        out[0] = '\0';
        RA_DNSSL_FOREACH(d, &opt.dnssl) {
                if (n++ > 0)
                        strcat(out, " ");
                strcat(out, d);
        }
        return n;
}

/* RFC 8106 §5.2: DNSSL, names in RFC 1035 encoding, the last one padded with zeros. */
static void test_rfc8106_5_2_dnssl(void) {
        const uint8_t o[] = {
                31, 4, 0, 0, 0, 0, 0x0e, 0x10,
                7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0,
                4, 'c', 'o', 'r', 'p', 2, 'e', 'x', 0,
                0, 0,
        };
        char names[512];

        CHECK_EQ(sizeof(o), 32);
        CHECK_EQ(ra_option_parse(o, sizeof(o), &opt, NULL), 32);
        CHECK_EQ(opt.type, RA_OPTION_DNSSL);
        CHECK_EQ(opt.dnssl.lifetime_s, 3600);
        CHECK_EQ(dnssl_names(names), 2);
        CHECK_STREQ(names, "example.com corp.ex");

        /* No padding needed: a name that ends exactly at the option's end. */
        const uint8_t exact[] = { 31, 2, 0, 0, 0, 0, 0, 60, 6, 'a', 'b', 'c', 'd', 'e', 'f', 0 };
        CHECK_EQ(ra_option_parse(exact, sizeof(exact), &opt, NULL), 16);
        CHECK_EQ(dnssl_names(names), 1);
        CHECK_STREQ(names, "abcdef");
}

/* RFC 8106 §5.2: length at least 2; names well-formed and within the option; padding zero. */
static void test_rfc8106_5_2_dnssl_malformed(void) {
        const uint8_t short_opt[8] = { 31, 1 };
        const uint8_t long_label[16] = { 31, 2, 0, 0, 0, 0, 0, 60, 64, 'a' };
        const uint8_t pointer[16] = { 31, 2, 0, 0, 0, 0, 0, 60, 0xc0, 0x08 };
        const uint8_t truncated[16] = { 31, 2, 0, 0, 0, 0, 0, 60, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e' };
        const uint8_t past_end[16] = { 31, 2, 0, 0, 0, 0, 0, 60, 3, 'c', 'o', 'm', 9, 'a', 'b', 'c' };
        const uint8_t padding[16] = { 31, 2, 0, 0, 0, 0, 0, 60, 1, 'a', 0, 0, 1, 'b', 0, 0 };
        const uint8_t empty[16] = { 31, 2, 0, 0, 0, 0, 0, 60 };
        const uint8_t bad_char[16] = { 31, 2, 0, 0, 0, 0, 0, 60, 3, 'a', '.', 'b', 0 };
        const uint8_t nul_char[16] = { 31, 2, 0, 0, 0, 0, 0, 60, 3, 'a', 0, 'b', 0 };
        uint8_t too_long[8 + 264] = { 31, 34, 0, 0, 0, 0, 0, 60 };

        CHECK_EQ(parse_error(short_opt, sizeof(short_opt)), RA_OPTION_ERROR_DNSSL_LENGTH);
        CHECK_EQ(parse_error(long_label, sizeof(long_label)), RA_OPTION_ERROR_DNSSL_LABEL);
        CHECK_EQ(parse_error(pointer, sizeof(pointer)), RA_OPTION_ERROR_DNSSL_LABEL);
        CHECK_EQ(parse_error(truncated, sizeof(truncated)), RA_OPTION_ERROR_DNSSL_NAME_TRUNCATED);
        CHECK_EQ(parse_error(past_end, sizeof(past_end)), RA_OPTION_ERROR_DNSSL_NAME_TRUNCATED);
        CHECK_EQ(parse_error(padding, sizeof(padding)), RA_OPTION_ERROR_DNSSL_PADDING);
        CHECK_EQ(parse_error(empty, sizeof(empty)), RA_OPTION_ERROR_DNSSL_EMPTY);
        CHECK_EQ(parse_error(bad_char, sizeof(bad_char)), RA_OPTION_ERROR_DNSSL_LABEL);
        CHECK_EQ(parse_error(nul_char, sizeof(nul_char)), RA_OPTION_ERROR_DNSSL_LABEL);

        /* RFC 1035 §2.3.4: four labels of 63 octets make a name of 257 > 255 octets. */
        for (size_t i = 0; i < 4; i++) {
                too_long[8 + i * 64] = 63;
                memset(too_long + 8 + i * 64 + 1, 'a', 63);
        }
        CHECK_EQ(parse_error(too_long, sizeof(too_long)), RA_OPTION_ERROR_DNSSL_NAME_LENGTH);
        /* Three labels of 63 and one of 61: 255 octets with the root, the longest allowed. */
        too_long[8 + 3 * 64] = 61;
        memset(too_long + 8 + 3 * 64 + 1 + 61, 0, 264 - 3 * 64 - 62);
        CHECK_EQ(ra_option_parse(too_long, sizeof(too_long), &opt, NULL), 272);
        CHECK_EQ(opt.dnssl.n_domains, 1);
        CHECK_EQ(strlen(opt.dnssl.names), 253);
}

/* The message the kernel builds in ndisc_ra_useropt(): struct nduseroptmsg, the option,
 * then NDUSEROPT_SRCADDR. */
static size_t build_message(uint8_t *buf, const uint8_t *option, size_t option_size, const char *router) {
        struct nduseroptmsg h = {
                .nduseropt_family = AF_INET6,
                .nduseropt_opts_len = (unsigned short) option_size,
                .nduseropt_ifindex = 7,
                .nduseropt_icmp_type = 134,
        };
        struct rtattr a = { .rta_len = RTA_LENGTH(16), .rta_type = NDUSEROPT_SRCADDR };
        size_t n = 0;

        memcpy(buf, &h, sizeof(h));
        n += sizeof(h);
        memcpy(buf + n, option, option_size);
        n += option_size;
        if (router) {
                memcpy(buf + n, &a, sizeof(a));
                inet_pton(AF_INET6, router, buf + n + sizeof(a));
                n += RTA_SPACE(16);
        }
        return n;
}

static void test_nduseroptmsg(void) {
        const uint8_t pref64[] = PREF64(225, 0, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);
        uint8_t buf[128];
        RaUserOptMessage m;
        RaOptionError e;
        char s[INET6_ADDRSTRLEN];
        size_t n;

        n = build_message(buf, pref64, sizeof(pref64), "fe80::1");
        CHECK_OK(ra_useropt_message_parse(buf, n, &m, &e));
        CHECK_EQ(m.ifindex, 7);
        CHECK_STREQ(inet_ntop(AF_INET6, &m.router, s, sizeof(s)), "fe80::1");
        CHECK_EQ(m.options_size, 16);
        CHECK_EQ(ra_option_parse(m.options, m.options_size, &opt, &e), 16);
        check_prefix(&opt.pref64.prefix, "64:ff9b::/96");

        /* No source address attribute. */
        n = build_message(buf, pref64, sizeof(pref64), NULL);
        CHECK_EQ(ra_useropt_message_parse(buf, n, &m, &e), -EBADMSG);
        CHECK_EQ(e, RA_OPTION_ERROR_NO_SOURCE);

        /* Truncated in the header, in the options, in the attribute. */
        n = build_message(buf, pref64, sizeof(pref64), "fe80::1");
        CHECK_EQ(ra_useropt_message_parse(buf, 10, &m, &e), -EBADMSG);
        CHECK_EQ(e, RA_OPTION_ERROR_MESSAGE_TRUNCATED);
        CHECK_EQ(ra_useropt_message_parse(buf, 16 + 8, &m, &e), -EBADMSG);
        CHECK_EQ(e, RA_OPTION_ERROR_MESSAGE_TRUNCATED);
        CHECK_EQ(ra_useropt_message_parse(buf, n - 4, &m, &e), -EBADMSG);
        CHECK_EQ(e, RA_OPTION_ERROR_MESSAGE_ATTRIBUTE);

        /* Not IPv6, not from an RA. */
        buf[0] = AF_INET;
        CHECK_EQ(ra_useropt_message_parse(buf, n, &m, &e), -EBADMSG);
        CHECK_EQ(e, RA_OPTION_ERROR_MESSAGE_FAMILY);
        buf[0] = AF_INET6;
        buf[8] = 133;
        CHECK_EQ(ra_useropt_message_parse(buf, n, &m, &e), -EBADMSG);
        CHECK_EQ(e, RA_OPTION_ERROR_MESSAGE_ICMP_TYPE);
}

static void test_error_strings(void) {
        for (int e = 0; e < _RA_OPTION_ERROR_MAX; e++)
                CHECK(ra_option_error_to_string(e));
        CHECK(!ra_option_error_to_string(_RA_OPTION_ERROR_MAX));
        CHECK(!ra_option_error_to_string(-1));
}

int main(void) {
        test_rfc8781_4_prefix_length_codes();
        test_rfc8781_4_length_not_2();
        test_rfc8781_4_plc_6_and_7();
        test_rfc8781_4_bits_beyond_prefix_ignored();
        test_rfc8781_4_rfc6052_u_octet();
        test_rfc8781_4_1_scaled_lifetime();
        test_rfc4861_4_6_option_length();
        test_rfc8106_5_1_rdnss();
        test_rfc8106_5_1_rdnss_length();
        test_rfc8106_5_2_dnssl();
        test_rfc8106_5_2_dnssl_malformed();
        test_nduseroptmsg();
        test_error_strings();
        return 0;
}
