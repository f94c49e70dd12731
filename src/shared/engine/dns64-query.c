/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ipv4only.arpa AAAA query and its answer as bytes (RFC 1035 §4.1), for the daemon's
 * one-shot DNS64 probe, where c-ares (the dns64 plugin's) is not at hand. */
#include "dns64-query.h"

#include <errno.h>
#include <string.h>

/* A name in a DNS message at `off`: returns the offset past it, or -EBADMSG. */
static int dns_skip_name(const uint8_t *m, size_t len, size_t off) {
        for (unsigned labels = 0; off < len && labels < 128; labels++) {
                uint8_t l = m[off];

                if (l == 0)
                        return (int) off + 1;
                if ((l & 0xc0) == 0xc0)
                        return off + 2 <= len ? (int) off + 2 : -EBADMSG;
                if (l & 0xc0)
                        return -EBADMSG;
                off += 1 + (size_t) l;
        }
        return -EBADMSG;
}

size_t dns64_query_build(uint8_t buf[static DNS64_QUERY_SIZE], uint16_t id) {
        static const uint8_t question[] = "\x08ipv4only\x04" "arpa\0" /* QNAME */
                                          "\x00\x1c"                    /* QTYPE AAAA */
                                          "\x00\x01";                   /* QCLASS IN */

        memset(buf, 0, 12);
        buf[0] = (uint8_t) (id >> 8);
        buf[1] = (uint8_t) id;
        buf[2] = 0x01; /* RD */
        buf[5] = 1;    /* QDCOUNT */
        memcpy(buf + 12, question, sizeof(question) - 1);
        return 12 + sizeof(question) - 1;
}

int dns64_answer_parse(const uint8_t *reply, size_t len, uint16_t id, struct in6_addr *answers, size_t max,
                       int *ret_rcode) {
        size_t n_answers = 0;
        unsigned qd, an;
        int off = 12;

        if (len < 12 || reply[0] != (uint8_t) (id >> 8) || reply[1] != (uint8_t) id || !(reply[2] & 0x80))
                return -EBADMSG;
        *ret_rcode = reply[3] & 0x0f;
        qd = (unsigned) reply[4] << 8 | reply[5];
        an = (unsigned) reply[6] << 8 | reply[7];
        for (unsigned i = 0; i < qd; i++) {
                off = dns_skip_name(reply, len, (size_t) off);
                if (off < 0 || (size_t) off + 4 > len)
                        return -EBADMSG;
                off += 4;
        }
        for (unsigned i = 0; i < an; i++) {
                unsigned type, rdlength;

                off = dns_skip_name(reply, len, (size_t) off);
                if (off < 0 || (size_t) off + 10 > len)
                        return -EBADMSG;
                type = (unsigned) reply[off] << 8 | reply[off + 1];
                rdlength = (unsigned) reply[off + 8] << 8 | reply[off + 9];
                off += 10;
                if ((size_t) off + rdlength > len)
                        return -EBADMSG;
                /* CNAMEs and other records on the way are skipped: only the AAAA count. */
                if (type == 28 && rdlength == 16 && n_answers < max)
                        memcpy(answers + n_answers++, reply + off, 16);
                off += (int) rdlength;
        }
        return (int) n_answers;
}
