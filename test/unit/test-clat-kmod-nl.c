/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The netlink messages of the kmod CLAT backend, byte for byte: Jool 4.1's generic
 * netlink requests (instance add/rm/hello, EAMT add) and reply parsing, and the
 * provisional ipxlat link creation and prefix configuration. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipxlat-nl.h"
#include "jool-nl.h"

static int failures;

static void expect_bytes(const char *name, struct nl_msg *msg, const uint8_t *want, size_t want_len) {
        struct nlmsghdr *h;

        if (!msg) {
                printf("FAIL %s: no message\n", name);
                failures++;
                return;
        }
        h = nlmsg_hdr(msg);
        if (h->nlmsg_len != want_len || memcmp(h, want, want_len) != 0) {
                printf("FAIL %s: got %u bytes:", name, h->nlmsg_len);
                for (size_t i = 0; i < h->nlmsg_len; i++)
                        printf("%s%02x", i % 16 ? " " : "\n  ", ((uint8_t *) h)[i]);
                printf("\n");
                failures++;
        } else
                printf("ok %s (%zu bytes)\n", name, want_len);
        nlmsg_free(msg);
}

#define EXPECT(name, msg, ...)                                                   \
        do {                                                                     \
                static const uint8_t _w[] = { __VA_ARGS__ };                      \
                expect_bytes(name, msg, _w, sizeof(_w));                         \
        } while (0)

#define CHECK(name, cond)                                                        \
        do {                                                                     \
                if (cond)                                                        \
                        printf("ok %s\n", name);                                 \
                else {                                                           \
                        printf("FAIL %s\n", name);                               \
                        failures++;                                              \
                }                                                                \
        } while (0)

/* nlmsghdr: len, type 0x1d (family 29), flags REQUEST|ACK (0x0005), seq 7, port 0;
 * genlmsghdr: cmd, version 2; then Jool's header "jool" 04 01 09 00, xt 1 (SIIT),
 * flags 0, reserved, iname "v6mostly" padded to 16. */
#define NLH(len, cmd) len, 0, 0, 0, 0x1d, 0, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0, cmd, 2, 0, 0
#define JOOLHDR 'j', 'o', 'o', 'l', 4, 1, 9, 0, 1, 0, 0, 0, 'v', '6', 'm', 'o', 's', 't', 'l', 'y', 0, 0, 0, 0, 0, 0, 0, 0

static void test_jool_requests(void) {
        struct in6_addr p6, a6;
        struct in_addr a4;

        inet_pton(AF_INET6, "64:ff9b::", &p6);
        inet_pton(AF_INET6, "2001:db8:1::c1a7", &a6);
        inet_pton(AF_INET, "192.0.0.1", &a4);

        EXPECT("jool instance add", jool_nl_instance_add(0x1d, 7, "v6mostly", &p6, 96),
               NLH(0x5c, 1), JOOLHDR,
               /* OPERAND (10), nested, 44 bytes */
               0x2c, 0, 10, 0x80,
               /* XF u8 = NETFILTER (4) */
               5, 0, 1, 0, 4, 0, 0, 0,
               /* POOL6 nested: ADDR 16 bytes, LEN u8 96 */
               0x20, 0, 2, 0x80,
               0x14, 0, 1, 0, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               5, 0, 2, 0, 96, 0, 0, 0);
        EXPECT("jool eamt add", jool_nl_eamt_add(0x1d, 7, "v6mostly", &a6, &a4),
               NLH(0x68, 11), JOOLHDR,
               0x38, 0, 10, 0x80,
               /* PREFIX6: 2001:db8:1::c1a7/128 */
               0x20, 0, 1, 0x80,
               0x14, 0, 1, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xc1, 0xa7,
               5, 0, 2, 0, 128, 0, 0, 0,
               /* PREFIX4: 192.0.0.1/32 */
               0x14, 0, 2, 0x80,
               8, 0, 1, 0, 192, 0, 0, 1,
               5, 0, 2, 0, 32, 0, 0, 0);
        EXPECT("jool instance rm", jool_nl_instance_rm(0x1d, 7, "v6mostly"), NLH(0x30, 3), JOOLHDR);
        EXPECT("jool instance hello", jool_nl_instance_hello(0x1d, 7, "v6mostly"), NLH(0x30, 2), JOOLHDR);
        CHECK("jool: instance name of 16 characters refused", !jool_nl_instance_rm(0x1d, 7, "0123456789abcdef"));
}

static void test_jool_replies(void) {
        /* genlmsghdr, Jool header with flags, attributes */
        static const uint8_t ok[] = { 2, 2, 0, 0, JOOLHDR };
        static const uint8_t alive[] = { 2, 2, 0, 0, JOOLHDR, 5, 0, 1, 0, 0, 0, 0, 0 };
        static const uint8_t dead[] = { 2, 2, 0, 0, JOOLHDR, 5, 0, 1, 0, 1, 0, 0, 0 };
        uint8_t err[] = { 1, 2, 0, 0, JOOLHDR,
                          6, 0, 1, 0, 17, 0, 0, 0, /* code EEXIST */
                          0x10, 0, 2, 0, 'I', 'n', 's', 't', 'a', 'n', 'c', 'e', ' ', 'x', '\n', 0 };
        static const uint8_t bad_magic[] = { 2, 2, 0, 0, 'j', 'u', 'n', 'k', 4, 1, 9, 0, 1, 0, 0, 0,
                                             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        uint8_t trunc[sizeof(alive)];
        char msg[64];
        int status;

        err[4 + 9] = JOOL_HDR_FLAG_ERROR; /* flags byte of the Jool header */
        CHECK("jool reply: ack", jool_nl_parse_reply(ok, sizeof(ok), &status, msg, sizeof(msg)) == 0 &&
                                         status == JOOL_NL_STATUS_NONE);
        CHECK("jool reply: hello alive", jool_nl_parse_reply(alive, sizeof(alive), &status, msg, sizeof(msg)) == 0 &&
                                                 status == JOOL_NL_STATUS_ALIVE);
        CHECK("jool reply: hello dead", jool_nl_parse_reply(dead, sizeof(dead), &status, msg, sizeof(msg)) == 0 &&
                                                status == JOOL_NL_STATUS_DEAD);
        CHECK("jool reply: error code and one-line message",
              jool_nl_parse_reply(err, sizeof(err), &status, msg, sizeof(msg)) == -EEXIST && strcmp(msg, "Instance x") == 0);
        CHECK("jool reply: bad magic", jool_nl_parse_reply(bad_magic, sizeof(bad_magic), &status, msg, sizeof(msg)) ==
                                               -EBADMSG);
        CHECK("jool reply: short", jool_nl_parse_reply(ok, 10, &status, msg, sizeof(msg)) == -EBADMSG);
        memcpy(trunc, alive, sizeof(alive));
        trunc[sizeof(trunc) - 8] = 0x40; /* attribute longer than the message */
        CHECK("jool reply: attribute overruns", jool_nl_parse_reply(trunc, sizeof(trunc), &status, msg, sizeof(msg)) ==
                                                        -EBADMSG);
}

static void test_ipxlat(void) {
        struct in6_addr p6;

        inet_pton(AF_INET6, "64:ff9b::", &p6);
        EXPECT("ipxlat link new", ipxlat_nl_link_new(9, "v6mclat2", 1472),
               /* RTM_NEWLINK (16), REQUEST|ACK|EXCL|CREATE (0x605), seq 9 */
               0x48, 0, 0, 0, 16, 0, 0x05, 0x06, 9, 0, 0, 0, 0, 0, 0, 0,
               /* ifinfomsg, AF_UNSPEC */
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               /* IFLA_IFNAME (3) "v6mclat2" */
               0x0d, 0, 3, 0, 'v', '6', 'm', 'c', 'l', 'a', 't', '2', 0, 0, 0, 0,
               /* IFLA_MTU (4) 1472 */
               8, 0, 4, 0, 0xc0, 0x05, 0, 0,
               /* IFLA_LINKINFO (18) nested: IFLA_INFO_KIND (1) "ipxlat" */
               0x10, 0, 18, 0x80, 0x0b, 0, 1, 0, 'i', 'p', 'x', 'l', 'a', 't', 0, 0);
        EXPECT("ipxlat set prefix", ipxlat_nl_set_prefix(0x22, 9, 5, &p6, 96),
               0x38, 0, 0, 0, 0x22, 0, 0x05, 0, 9, 0, 0, 0, 0, 0, 0, 0,
               /* genlmsghdr: IPXLAT_CMD_DEV_SET (2), version 1 */
               2, 1, 0, 0,
               /* IFINDEX u32 5 */
               8, 0, 1, 0, 5, 0, 0, 0,
               /* PREFIX 64:ff9b:: */
               0x14, 0, 2, 0, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               /* PREFIX_LEN u8 96 */
               5, 0, 3, 0, 96, 0, 0, 0);
        CHECK("ipxlat: device name too long refused", !ipxlat_nl_link_new(9, "0123456789abcdef", 0));
}

int main(void) {
        test_jool_requests();
        test_jool_replies();
        test_ipxlat();
        return failures ? 1 : 0;
}
