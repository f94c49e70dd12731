/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>

#include "dhcp4-message.h"
#include "test-util.h"

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
#define XID 0x11223344u

/* A reply as servers send it: fixed header with yiaddr 192.0.2.50 for our chaddr, the
 * cookie, then `options` (which must end with 255 where the test wants it to). */
static size_t make_reply(uint8_t *buf, size_t size, const uint8_t *options, size_t options_size) {
        CHECK(size >= DHCP4_MIN_SIZE + options_size);
        memset(buf, 0, DHCP4_MIN_SIZE);
        buf[0] = DHCP4_OP_BOOTREPLY;
        buf[1] = 1;
        buf[2] = 6;
        buf[4] = 0x11, buf[5] = 0x22, buf[6] = 0x33, buf[7] = 0x44;
        buf[16] = 192, buf[17] = 0, buf[18] = 2, buf[19] = 50; /* yiaddr */
        memcpy(buf + 28, mac, 6);
        buf[236] = 0x63, buf[237] = 0x82, buf[238] = 0x53, buf[239] = 0x63;
        memcpy(buf + DHCP4_MIN_SIZE, options, options_size);
        return DHCP4_MIN_SIZE + options_size;
}

static void check_refused(const uint8_t *buf, size_t size, const char *expected) {
        Dhcp4Message m;
        const char *reason = NULL;
        int r;

        r = dhcp4_message_parse(buf, size, &m, &reason);
        if (r == 0)
                r = dhcp4_message_check_reply(&m, XID, mac, &reason);
        CHECK_EQ(r, -EBADMSG);
        CHECK_STREQ(reason, expected);
}

static void check_addr(struct in_addr a, const char *expected) {
        char buf[INET_ADDRSTRLEN];

        CHECK_STREQ(inet_ntop(AF_INET, &a, buf, sizeof(buf)), expected);
}

/* An OFFER as dnsmasq 2.90 sends it with option 108 configured. */
static void test_parse_offer(void) {
        static const uint8_t options[] = {
                53, 1, 2,                       /* OFFER */
                54, 4, 192, 0, 2, 1,            /* server id */
                51, 4, 0, 0, 0x0e, 0x10,        /* lease 3600 */
                58, 4, 0, 0, 0x07, 0x08,        /* T1 1800 */
                59, 4, 0, 0, 0x0c, 0x4e,        /* T2 3150 */
                1, 4, 255, 255, 255, 0,         /* mask */
                28, 4, 192, 0, 2, 255,          /* broadcast */
                3, 8, 192, 0, 2, 1, 192, 0, 2, 2, /* two routers */
                6, 4, 192, 0, 2, 53,            /* DNS */
                15, 12, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g', 0, /* trailing NUL */
                26, 2, 0x05, 0xdc,              /* MTU 1500 */
                108, 4, 0, 0, 0x07, 0x08,       /* V6ONLY_WAIT 1800 */
                56, 3, 'h', 'i', 0x01,          /* message with a control byte */
                255,
        };
        uint8_t buf[600];
        size_t size = make_reply(buf, sizeof(buf), options, sizeof(options));
        Dhcp4Message m;
        const char *reason = NULL;

        CHECK_OK(dhcp4_message_parse(buf, size, &m, &reason));
        CHECK_OK(dhcp4_message_check_reply(&m, XID, mac, &reason));
        CHECK_EQ(m.type, DHCP4_OFFER);
        CHECK_STREQ(dhcp4_message_type_to_string(m.type), "OFFER");
        check_addr(m.yiaddr, "192.0.2.50");
        CHECK(m.has_server_id);
        check_addr(m.server_id, "192.0.2.1");
        CHECK(m.has_lease_time && m.lease_time == 3600);
        CHECK(m.has_t1 && m.t1 == 1800);
        CHECK(m.has_t2 && m.t2 == 3150);
        CHECK(m.has_subnet_mask);
        CHECK_EQ(dhcp4_netmask_to_prefixlen(m.subnet_mask), 24);
        CHECK(m.has_broadcast);
        CHECK_EQ(m.n_routers, 2);
        check_addr(m.routers[1], "192.0.2.2");
        CHECK_EQ(m.n_dns_servers, 1);
        check_addr(m.dns_servers[0], "192.0.2.53");
        CHECK_STREQ(m.domain, "example.org");
        CHECK_EQ(m.mtu, 1500);
        CHECK(m.has_v6only_wait);
        CHECK_EQ(m.v6only_wait, 1800);
        CHECK_STREQ(m.message, "hi?");
        CHECK(!m.has_classless_routes);
}

/* RFC 2131 §4.1 and our checks: each malformed input has its own reason. */
static void test_refusals(void) {
        static const uint8_t ack[] = { 53, 1, 5, 54, 4, 192, 0, 2, 1, 255 };
        uint8_t buf[600];
        size_t size;

        size = make_reply(buf, sizeof(buf), ack, sizeof(ack));
        check_refused(buf, DHCP4_MIN_SIZE - 1, "short");
        check_refused(buf, 0, "short");

        buf[239] = 0x64;
        check_refused(buf, size, "bad-cookie");
        buf[239] = 0x63;

        buf[2] = 16;
        check_refused(buf, size, "bad-hardware-type");
        buf[2] = 6;

        buf[0] = DHCP4_OP_BOOTREQUEST;
        check_refused(buf, size, "not-reply");
        buf[0] = DHCP4_OP_BOOTREPLY;

        buf[7] = 0x45;
        check_refused(buf, size, "wrong-xid");
        buf[7] = 0x44;

        buf[33] = 0x02;
        check_refused(buf, size, "wrong-chaddr");
        buf[33] = 0x01;

        /* The server id's length byte says 5: it runs over the END into nothing. */
        {
                static const uint8_t overrun[] = { 53, 1, 5, 54, 8, 192, 0, 2, 1, 255 };

                size = make_reply(buf, sizeof(buf), overrun, sizeof(overrun));
                check_refused(buf, size, "option-overrun");
        }
        /* A code byte with no length byte at the very end. */
        {
                static const uint8_t dangling[] = { 53, 1, 5, 54, 4, 192, 0, 2, 1, 3 };

                size = make_reply(buf, sizeof(buf), dangling, sizeof(dangling));
                check_refused(buf, size, "option-overrun");
        }
        {
                static const uint8_t no_type[] = { 54, 4, 192, 0, 2, 1, 255 };

                size = make_reply(buf, sizeof(buf), no_type, sizeof(no_type));
                check_refused(buf, size, "no-message-type");
        }
        {
                static const uint8_t bad_type[] = { 53, 2, 5, 5, 54, 4, 192, 0, 2, 1, 255 };

                size = make_reply(buf, sizeof(buf), bad_type, sizeof(bad_type));
                check_refused(buf, size, "bad-message-type");
        }
        {
                static const uint8_t unknown_type[] = { 53, 1, 42, 255 };

                size = make_reply(buf, sizeof(buf), unknown_type, sizeof(unknown_type));
                check_refused(buf, size, "bad-message-type");
        }
        {
                static const uint8_t request[] = { 53, 1, 3, 255 };

                size = make_reply(buf, sizeof(buf), request, sizeof(request));
                check_refused(buf, size, "unexpected-type");
        }
        {
                static const uint8_t no_server[] = { 53, 1, 2, 255 };

                size = make_reply(buf, sizeof(buf), no_server, sizeof(no_server));
                check_refused(buf, size, "no-server-id");
        }
        {
                static const uint8_t bad_overload[] = { 53, 1, 5, 52, 1, 4, 255 };

                size = make_reply(buf, sizeof(buf), bad_overload, sizeof(bad_overload));
                check_refused(buf, size, "bad-overload");
        }
        /* An option with a wrong length is ignored alone; the message stays valid. */
        {
                static const uint8_t short_lease[] = { 53, 1, 5, 54, 4, 192, 0, 2, 1, 51, 3, 0, 0, 1, 108, 2, 0, 1, 255 };
                Dhcp4Message m;

                size = make_reply(buf, sizeof(buf), short_lease, sizeof(short_lease));
                CHECK_OK(dhcp4_message_parse(buf, size, &m, NULL));
                CHECK(!m.has_lease_time);
                CHECK(!m.has_v6only_wait);
        }
        /* A NAK needs no server id. */
        {
                static const uint8_t nak[] = { 53, 1, 6, 255 };
                Dhcp4Message m;

                size = make_reply(buf, sizeof(buf), nak, sizeof(nak));
                CHECK_OK(dhcp4_message_parse(buf, size, &m, NULL));
                CHECK_OK(dhcp4_message_check_reply(&m, XID, mac, NULL));
        }
}

/* RFC 3442 §3 encoding, and RFC 3396: one option split into two instances. */
static void test_classless_routes(void) {
        static const uint8_t options[] = {
                53, 1, 5, 54, 4, 192, 0, 2, 1,
                121, 8, 0, 192, 0, 2, 1,         /* default via 192.0.2.1 */
                24, 198, 51,                     /* 198.51.100.0/24 ... (continued) */
                121, 7, 100, 192, 0, 2, 9,       /* ... via 192.0.2.9 */
                9, 10,                           /* 10.128.0.0/9 (second octet of the */
                121, 5, 0xff, 0, 0, 0, 0,        /* destination 0xff: bits past /9 cleared), on-link */
                3, 4, 192, 0, 2, 254,
                255,
        };
        uint8_t buf[600];
        size_t size = make_reply(buf, sizeof(buf), options, sizeof(options));
        Dhcp4Message m;

        CHECK_OK(dhcp4_message_parse(buf, size, &m, NULL));
        CHECK(m.has_classless_routes);
        CHECK_EQ(m.n_classless_routes, 3);
        check_addr(m.classless_routes[0].destination, "0.0.0.0");
        CHECK_EQ(m.classless_routes[0].prefixlen, 0);
        check_addr(m.classless_routes[0].gateway, "192.0.2.1");
        check_addr(m.classless_routes[1].destination, "198.51.100.0");
        CHECK_EQ(m.classless_routes[1].prefixlen, 24);
        check_addr(m.classless_routes[1].gateway, "192.0.2.9");
        check_addr(m.classless_routes[2].destination, "10.128.0.0");
        CHECK_EQ(m.classless_routes[2].prefixlen, 9);
        check_addr(m.classless_routes[2].gateway, "0.0.0.0");
        CHECK_EQ(m.n_routers, 1);

        /* Width 33, or a truncated entry: the whole option is discarded. */
        {
                static const uint8_t bad[] = { 53, 1, 5, 54, 4, 192, 0, 2, 1, 121, 5, 33, 1, 2, 3, 4, 255 };

                size = make_reply(buf, sizeof(buf), bad, sizeof(bad));
                CHECK_OK(dhcp4_message_parse(buf, size, &m, NULL));
                CHECK(!m.has_classless_routes);
        }
        {
                static const uint8_t truncated[] = { 53, 1, 5, 54, 4, 192, 0, 2, 1, 121, 4, 8, 10, 0, 0, 255 };

                size = make_reply(buf, sizeof(buf), truncated, sizeof(truncated));
                CHECK_OK(dhcp4_message_parse(buf, size, &m, NULL));
                CHECK(!m.has_classless_routes);
        }
}

/* RFC 2132 §9.3: options continue in file, then sname. */
static void test_overload(void) {
        static const uint8_t options[] = { 53, 1, 5, 52, 1, 3, 255 };
        uint8_t buf[600];
        size_t size = make_reply(buf, sizeof(buf), options, sizeof(options));
        Dhcp4Message m;

        /* file (offset 108): server id; sname (offset 44): lease time. */
        memcpy(buf + 108, (const uint8_t[]) { 54, 4, 192, 0, 2, 7, 255 }, 7);
        memcpy(buf + 44, (const uint8_t[]) { 0, 51, 4, 0, 0, 0, 60, 255 }, 8);
        CHECK_OK(dhcp4_message_parse(buf, size, &m, NULL));
        CHECK(m.has_server_id);
        check_addr(m.server_id, "192.0.2.7");
        CHECK(m.has_lease_time && m.lease_time == 60);

        /* An overrun inside the file field is refused like one in the options. */
        buf[109] = 200;
        check_refused(buf, size, "option-overrun");
}

/* A DISCOVER as the client sends it, byte for byte. */
static void test_build_discover(void) {
        static const uint8_t expected_options[] = {
                53, 1, 1,
                61, 7, 0xff, 0, 0, 0, 1, 0, 3,          /* client id (shortened DUID) */
                57, 2, 0x05, 0xdc,                     /* max message size 1500 */
                55, 5, 1, 3, 6, 121, 108,              /* PRL */
                255,
        };
        Dhcp4Message m = {
                .op = DHCP4_OP_BOOTREQUEST,
                .xid = XID,
                .secs = 3,
                .type = DHCP4_DISCOVER,
                .client_id_len = 7,
                .client_id = { 0xff, 0, 0, 0, 1, 0, 3 },
                .max_message_size = 1500,
                .n_prl = 5,
                .prl = { 1, 3, 6, 121, 108 },
        };
        uint8_t buf[600];
        int len;

        memcpy(m.chaddr, mac, 6);
        len = dhcp4_message_build(&m, buf, sizeof(buf));
        CHECK_EQ(len, DHCP4_BOOTP_MIN_SIZE);
        CHECK_EQ(buf[0], 1);
        CHECK_EQ(buf[1], 1);
        CHECK_EQ(buf[2], 6);
        CHECK(memcmp(buf + 4, (const uint8_t[]) { 0x11, 0x22, 0x33, 0x44, 0, 3 }, 6) == 0);
        CHECK(memcmp(buf + 28, mac, 6) == 0);
        CHECK(memcmp(buf + 236, (const uint8_t[]) { 0x63, 0x82, 0x53, 0x63 }, 4) == 0);
        CHECK(memcmp(buf + DHCP4_MIN_SIZE, expected_options, sizeof(expected_options)) == 0);
        for (int i = DHCP4_MIN_SIZE + (int) sizeof(expected_options); i < len; i++)
                CHECK_EQ(buf[i], 0);

        CHECK_EQ(dhcp4_message_build(&m, buf, 299), -ENOBUFS);
}

static void test_round_trip(void) {
        Dhcp4Message m = {
                .op = DHCP4_OP_BOOTREPLY,
                .xid = XID,
                .type = DHCP4_ACK,
                .yiaddr.s_addr = htonl(0xc0000232),
                .has_server_id = true,
                .server_id.s_addr = htonl(0xc0000201),
                .has_lease_time = true,
                .lease_time = 120,
                .n_dns_servers = 2,
                .domain = "lab.example",
                .has_classless_routes = true,
                .n_classless_routes = DHCP4_MAX_CLASSLESS_ROUTES, /* > 255 bytes: split */
                .has_v6only_wait = true,
                .v6only_wait = 300,
        }, p;
        uint8_t buf[2000];
        int len;

        memcpy(m.chaddr, mac, 6);
        for (size_t i = 0; i < m.n_classless_routes; i++)
                m.classless_routes[i] = (Dhcp4Route) { .destination.s_addr = htonl(0x0a000000u + (uint32_t) (i << 8)),
                                                       .prefixlen = 24,
                                                       .gateway.s_addr = htonl(0xc0000201) };
        len = dhcp4_message_build(&m, buf, sizeof(buf));
        CHECK(len > 0);
        CHECK_OK(dhcp4_message_parse(buf, (size_t) len, &p, NULL));
        CHECK(dhcp4_message_equal(&m, &p));
}

static void test_netmask(void) {
        CHECK_EQ(dhcp4_netmask_to_prefixlen((struct in_addr) { htonl(0xffffff00) }), 24);
        CHECK_EQ(dhcp4_netmask_to_prefixlen((struct in_addr) { htonl(0xffffffff) }), 32);
        CHECK_EQ(dhcp4_netmask_to_prefixlen((struct in_addr) { 0 }), 0);
        CHECK_EQ(dhcp4_netmask_to_prefixlen((struct in_addr) { htonl(0xff00ff00) }), -EINVAL);
}

static void test_udp(void) {
        uint8_t buf[DHCP4_IP_UDP_HEADER_SIZE + 300] = {};
        struct in_addr src = { htonl(0xc0000201) }, dst = { INADDR_BROADCAST }, from;
        const uint8_t *payload;
        size_t payload_size, total;
        const char *reason = NULL;

        memset(buf + DHCP4_IP_UDP_HEADER_SIZE, 0xab, 300);
        total = dhcp4_packet_build_udp(buf, 300, src, 67, dst, 68);
        CHECK_EQ(total, sizeof(buf));
        CHECK_OK(dhcp4_packet_parse_udp(buf, total, 68, true, &from, &payload, &payload_size, &reason));
        CHECK_EQ(payload_size, 300);
        CHECK(payload == buf + DHCP4_IP_UDP_HEADER_SIZE);
        check_addr(from, "192.0.2.1");

        CHECK_EQ(dhcp4_packet_parse_udp(buf, total, 67, true, &from, &payload, &payload_size, &reason), -EBADMSG);
        CHECK_STREQ(reason, "wrong-port");
        CHECK_EQ(dhcp4_packet_parse_udp(buf, 27, 68, true, &from, &payload, &payload_size, &reason), -EBADMSG);
        CHECK_STREQ(reason, "bad-ip-length");

        buf[DHCP4_IP_UDP_HEADER_SIZE + 10] ^= 1;
        CHECK_EQ(dhcp4_packet_parse_udp(buf, total, 68, true, &from, &payload, &payload_size, &reason), -EBADMSG);
        CHECK_STREQ(reason, "bad-udp-checksum");
        /* Checksum offload on this host (PACKET_AUXDATA said so): not checked. */
        CHECK_OK(dhcp4_packet_parse_udp(buf, total, 68, false, &from, &payload, &payload_size, &reason));
        buf[DHCP4_IP_UDP_HEADER_SIZE + 10] ^= 1;

        buf[8] = 1; /* TTL without fixing the header checksum */
        CHECK_EQ(dhcp4_packet_parse_udp(buf, total, 68, true, &from, &payload, &payload_size, &reason), -EBADMSG);
        CHECK_STREQ(reason, "bad-ip-checksum");
        buf[8] = 64;

        buf[6] = 0x20; /* more fragments */
        CHECK_EQ(dhcp4_packet_parse_udp(buf, total, 68, true, &from, &payload, &payload_size, &reason), -EBADMSG);
        CHECK_STREQ(reason, "ip-fragment");
        buf[6] = 0;

        buf[9] = 6;
        CHECK_EQ(dhcp4_packet_parse_udp(buf, total, 68, true, &from, &payload, &payload_size, &reason), -EBADMSG);
        CHECK_STREQ(reason, "not-udp");
}

/* RFC 5227 §2.1.1 conflicts. */
static void test_arp(void) {
        static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
        struct in_addr addr = { htonl(0xc0000232) }, zero = { 0 }, elsewhere = { htonl(0xc0000233) };
        uint8_t pkt[ARP4_PACKET_SIZE];

        arp4_build(pkt, 1, mac, zero, addr); /* our own probe */
        CHECK(!arp4_is_conflict(pkt, sizeof(pkt), mac, addr));
        CHECK(pkt[7] == 1 && pkt[5] == 4);

        arp4_build(pkt, 2, other, addr, elsewhere); /* someone answers from the address */
        CHECK(arp4_is_conflict(pkt, sizeof(pkt), mac, addr));
        CHECK(!arp4_is_conflict(pkt, sizeof(pkt) - 1, mac, addr));

        arp4_build(pkt, 1, other, zero, addr); /* someone else probes for it */
        CHECK(arp4_is_conflict(pkt, sizeof(pkt), mac, addr));

        arp4_build(pkt, 1, other, elsewhere, addr); /* an ordinary request for it: not a conflict */
        CHECK(!arp4_is_conflict(pkt, sizeof(pkt), mac, addr));
}

int main(void) {
        test_parse_offer();
        test_refusals();
        test_classless_routes();
        test_overload();
        test_build_discover();
        test_round_trip();
        test_netmask();
        test_udp();
        test_arp();
        return 0;
}
