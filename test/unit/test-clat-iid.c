/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CLAT's RFC 7217-style interface identifier and its PRF. */
#include <arpa/inet.h>

#include "clat-iid.h"
#include "siphash24.h"
#include "test-util.h"

/* The reference vector of the SipHash paper (Appendix A): key 00..0f, message 00..0e. */
static void test_siphash24_reference(void) {
        uint8_t key[16], msg[64];
        uint64_t h;

        for (unsigned i = 0; i < 16; i++)
                key[i] = (uint8_t) i;
        for (unsigned i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t) i;
        h = siphash24(msg, 15, key);
        CHECK(h == 0xa129ca6149be45e5ULL);
        /* The first entries of the reference implementation's vectors.h. */
        CHECK(siphash24(msg, 0, key) == 0x726fdb47dd0e0e31ULL);
        CHECK(siphash24(msg, 8, key) == 0x93f5f5799a932462ULL);
}

static struct in6_addr prefix(const char *s) {
        struct in6_addr a;

        CHECK(inet_pton(AF_INET6, s, &a) == 1);
        return a;
}

/* RFC 7217 §5: stable for the same inputs; different per prefix, interface, counter,
 * secret; the prefix is kept. */
static void test_rfc7217_5_stable_per_link_per_prefix(void) {
        uint8_t secret[CLAT_IID_SECRET_SIZE] = { 1, 2, 3 }, other_secret[CLAT_IID_SECRET_SIZE] = { 3, 2, 1 };
        struct in6_addr p1 = prefix("2001:db8:1::"), p2 = prefix("2001:db8:2::"), a, b;

        CHECK_EQ(clat_iid_generate(secret, &p1, "uplink0", 0, &a), 0);
        CHECK_EQ(clat_iid_generate(secret, &p1, "uplink0", 0, &b), 0);
        CHECK(memcmp(&a, &b, 16) == 0);
        CHECK(memcmp(a.s6_addr, p1.s6_addr, 8) == 0);

        clat_iid_generate(secret, &p2, "uplink0", 0, &b);
        CHECK(memcmp(a.s6_addr + 8, b.s6_addr + 8, 8) != 0);
        CHECK(memcmp(b.s6_addr, p2.s6_addr, 8) == 0);
        clat_iid_generate(secret, &p1, "uplink1", 0, &b);
        CHECK(memcmp(&a, &b, 16) != 0);
        clat_iid_generate(secret, &p1, "uplink0", 1, &b);
        CHECK(memcmp(&a, &b, 16) != 0);
        clat_iid_generate(other_secret, &p1, "uplink0", 0, &b);
        CHECK(memcmp(&a, &b, 16) != 0);
}

/* RFC 5453: reserved IIDs are never produced. */
static void test_rfc5453_reserved(void) {
        uint8_t zero[8] = {}, anycast[8] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80 };
        uint8_t ok[8] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };

        CHECK(clat_iid_is_reserved(zero));
        CHECK(clat_iid_is_reserved(anycast));
        anycast[7] = 0xff;
        CHECK(clat_iid_is_reserved(anycast));
        CHECK(!clat_iid_is_reserved(ok));
}

int main(void) {
        test_siphash24_reference();
        test_rfc7217_5_stable_per_link_per_prefix();
        test_rfc5453_reserved();
        return 0;
}
