/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DNS64 probe's query and answer (engine/dns64-query.c), bytes in, bytes out. */
#include <arpa/inet.h>
#include <errno.h>

#include "dns64-query.h"
#include "test-util.h"

static const uint8_t expected_query[DNS64_QUERY_SIZE] = {
        0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,   /* id, RD, QDCOUNT 1 */
        0x08, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 0x04, 'a', 'r', 'p', 'a', 0x00,
        0x00, 0x1c, 0x00, 0x01,                                                   /* AAAA IN */
};

/* An answer with a CNAME first (skipped), then two AAAA with compressed owner names. */
static const uint8_t reply[] = {
        0xbe, 0xef, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
        0x08, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 0x04, 'a', 'r', 'p', 'a', 0x00,
        0x00, 0x1c, 0x00, 0x01,
        /* CNAME ipv4only.arpa -> ipv4only.arpa (pointer), rdlength 2 */
        0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x02, 0xc0, 0x0c,
        /* AAAA 2001:db8:64::c000:aa */
        0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x00, 0xaa,
        /* AAAA 2001:db8:64::c000:ab */
        0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x00, 0xab,
};

static void test_query(void) {
        uint8_t buf[DNS64_QUERY_SIZE];

        CHECK_EQ(dns64_query_build(buf, 0xbeef), sizeof(expected_query));
        CHECK(memcmp(buf, expected_query, sizeof(buf)) == 0);
}

static void test_answer(void) {
        struct in6_addr answers[4], want;
        int rcode = -1;

        CHECK_EQ(dns64_answer_parse(reply, sizeof(reply), 0xbeef, answers, 4, &rcode), 2);
        CHECK_EQ(rcode, 0);
        inet_pton(AF_INET6, "2001:db8:64::c000:aa", &want);
        CHECK(memcmp(answers + 0, &want, 16) == 0);
        inet_pton(AF_INET6, "2001:db8:64::c000:ab", &want);
        CHECK(memcmp(answers + 1, &want, 16) == 0);
        /* At most `max`. */
        CHECK_EQ(dns64_answer_parse(reply, sizeof(reply), 0xbeef, answers, 1, &rcode), 1);
}

static void test_refused(void) {
        struct in6_addr answers[4];
        uint8_t m[sizeof(reply)];
        int rcode;

        /* Another id, and a query (QR clear), are not our answer. */
        CHECK_EQ(dns64_answer_parse(reply, sizeof(reply), 0xbeee, answers, 4, &rcode), -EBADMSG);
        memcpy(m, reply, sizeof(m));
        m[2] &= 0x7f;
        CHECK_EQ(dns64_answer_parse(m, sizeof(m), 0xbeef, answers, 4, &rcode), -EBADMSG);
        /* Every truncation is refused, none reads past the end. */
        for (size_t len = 0; len < sizeof(reply); len++)
                CHECK_EQ(dns64_answer_parse(reply, len, 0xbeef, answers, 4, &rcode), -EBADMSG);
        /* NXDOMAIN without answers: 0 records and the rcode. */
        memcpy(m, reply, 31);
        m[3] = 0x83;
        m[7] = 0;
        CHECK_EQ(dns64_answer_parse(m, 31, 0xbeef, answers, 4, &rcode), 0);
        CHECK_EQ(rcode, 3);
        /* A label with the reserved 0x40/0x80 bits. */
        memcpy(m, reply, sizeof(m));
        m[12] = 0x48;
        CHECK_EQ(dns64_answer_parse(m, sizeof(m), 0xbeef, answers, 4, &rcode), -EBADMSG);
}

int main(void) {
        test_query();
        test_answer();
        test_refused();
        return 0;
}
