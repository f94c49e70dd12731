/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NDP messages of the CLAT control plane: byte arrays in, byte arrays out. */
#include <arpa/inet.h>
#include <errno.h>

#include "ndp.h"
#include "test-util.h"

static struct in6_addr addr(const char *s) {
        struct in6_addr a;

        CHECK(inet_pton(AF_INET6, s, &a) == 1);
        return a;
}

/* RFC 4291 §2.7.1 solicited-node address, RFC 2464 §7 its Ethernet group. */
static void test_rfc4291_solicited_node(void) {
        struct in6_addr target = addr("2001:db8:1:0:8e8b:c09d:f28b:76e6"), group, want = addr("ff02::1:ff8b:76e6");
        uint8_t mac[6], want_mac[6] = { 0x33, 0x33, 0xff, 0x8b, 0x76, 0xe6 };

        ndp_solicited_node(&target, &group);
        CHECK(memcmp(&group, &want, 16) == 0);
        ndp_multicast_mac(&group, mac);
        CHECK(memcmp(mac, want_mac, 6) == 0);
}

/* RFC 4862 §5.4.2: the DAD probe is an NS from :: to the solicited-node group, hop
 * limit 255, no source link-layer address option. The expected bytes are what scapy
 * 2.5 makes of IPv6(src='::', dst='ff02::1:ff00:2', hlim=255)/ICMPv6ND_NS(tgt='2001:db8:1::2'). */
static void test_rfc4862_5_4_2_dad_probe(void) {
        static const uint8_t want[NDP_DAD_NS_SIZE] = {
                0x60, 0, 0, 0, 0, 24, 58, 255,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x02,
                135, 0, 0x4c, 0xea, 0, 0, 0, 0,
                0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
        };
        struct in6_addr target = addr("2001:db8:1::2");
        uint8_t buf[NDP_DAD_NS_SIZE];
        NdpMessage m;

        CHECK_EQ(ndp_build_dad_ns(&target, buf), NDP_DAD_NS_SIZE);
        CHECK(memcmp(buf, want, sizeof(buf)) == 0);
        /* The checksum over the finished message verifies to 0. */
        CHECK_EQ(ndp_icmp6_checksum(&in6addr_any, &(struct in6_addr) { .s6_addr = { 0xff, 0x02, [11] = 1, 0xff, 0, 0, 2 } },
                                    buf + 40, 24), 0);
        CHECK_EQ(ndp_parse(buf, sizeof(buf), &m), 0);
        CHECK_EQ(m.type, NDP_TYPE_NS);
        CHECK(IN6_IS_ADDR_UNSPECIFIED(&m.source));
        CHECK(memcmp(&m.target, &target, 16) == 0);
        CHECK(!m.has_link_address);
}

/* RFC 4861 §7.2.4: the answer to a unicast-sourced NS is a solicited NA to the source
 * with our link-layer address; Override set (the address is ours alone). */
static void test_rfc4861_7_2_4_solicited_na(void) {
        struct in6_addr target = addr("2001:db8:1::2"), dst = addr("fe80::1");
        uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 }, buf[NDP_NA_SIZE];
        NdpMessage m;

        CHECK_EQ(ndp_build_na(&target, &dst, mac, true, buf), NDP_NA_SIZE);
        CHECK_EQ(buf[7], 255);
        CHECK_EQ(buf[40], NDP_TYPE_NA);
        CHECK_EQ(buf[44], 0x60);
        CHECK_EQ(buf[64], 2);
        CHECK_EQ(buf[65], 1);
        CHECK(memcmp(buf + 66, mac, 6) == 0);
        CHECK_EQ(ndp_parse(buf, sizeof(buf), &m), 0);
        CHECK_EQ(m.type, NDP_TYPE_NA);
        CHECK(m.solicited && m.override && m.has_link_address);
        CHECK(memcmp(m.link_address, mac, 6) == 0);
        CHECK(memcmp(&m.source, &target, 16) == 0);

        /* An unsolicited NA (defending against a DAD probe) to all-nodes. */
        dst = addr("ff02::1");
        ndp_build_na(&target, &dst, mac, false, buf);
        CHECK_EQ(ndp_parse(buf, sizeof(buf), &m), 0);
        CHECK(!m.solicited && m.override);
}

/* RFC 4861 §7.1.1: validation. */
static void test_rfc4861_7_1_1_validation(void) {
        struct in6_addr target = addr("2001:db8:1::2");
        uint8_t buf[NDP_DAD_NS_SIZE + 8], bad[sizeof(buf)];
        NdpMessage m;

        ndp_build_dad_ns(&target, buf);

        memcpy(bad, buf, NDP_DAD_NS_SIZE);
        bad[7] = 64; /* hop limit not 255: forwarded, not on-link */
        CHECK_EQ(ndp_parse(bad, NDP_DAD_NS_SIZE, &m), -EBADMSG);

        memcpy(bad, buf, NDP_DAD_NS_SIZE);
        bad[41] = 1; /* code */
        CHECK_EQ(ndp_parse(bad, NDP_DAD_NS_SIZE, &m), -EBADMSG);

        memcpy(bad, buf, NDP_DAD_NS_SIZE);
        bad[60] ^= 1; /* checksum */
        CHECK_EQ(ndp_parse(bad, NDP_DAD_NS_SIZE, &m), -EBADMSG);

        CHECK_EQ(ndp_parse(buf, NDP_DAD_NS_SIZE - 1, &m), -EBADMSG); /* truncated */

        /* From :: with a source link-layer address option: invalid. */
        memcpy(bad, buf, NDP_DAD_NS_SIZE);
        bad[5] = 32;
        bad[64] = 1;
        bad[65] = 1;
        memset(bad + 66, 0x02, 6);
        bad[42] = bad[43] = 0;
        struct in6_addr dst;
        memcpy(&dst, bad + 24, 16);
        uint16_t c = ndp_icmp6_checksum(&in6addr_any, &dst, bad + 40, 32);
        bad[42] = (uint8_t) (c >> 8);
        bad[43] = (uint8_t) c;
        CHECK_EQ(ndp_parse(bad, sizeof(bad), &m), -EBADMSG);

        /* An option of length 0 is invalid. */
        bad[65] = 0;
        bad[42] = bad[43] = 0;
        c = ndp_icmp6_checksum(&in6addr_any, &dst, bad + 40, 32);
        bad[42] = (uint8_t) (c >> 8);
        bad[43] = (uint8_t) c;
        CHECK_EQ(ndp_parse(bad, sizeof(bad), &m), -EBADMSG);
}

int main(void) {
        test_rfc4291_solicited_node();
        test_rfc4862_5_4_2_dad_probe();
        test_rfc4861_7_2_4_solicited_na();
        test_rfc4861_7_1_1_validation();
        return 0;
}
