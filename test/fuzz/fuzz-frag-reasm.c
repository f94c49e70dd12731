/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv6 and IPv4 reassembly: a sequence of packets into one small table. Input: records of
 * [length, 2 bytes big-endian][time step, 1 byte, in 1/10 s][packet]. Checks: no crash
 * or leak, the table stays within its budget, a reassembled datagram is a well-formed
 * IPv6 packet to the CLAT of at most FRAG_PACKET_MAX bytes or IPv4 packet from it
 * (lengths, no fragment bits, header checksum), and the translator takes it without
 * crashing. The seeds are the fragment sequences of test-frag-reasm.c (made by
 * test/fuzz/fuzz-frag-reasm-seeds.py). */
#include "fuzz-xlat.h"
#include "frag-reasm.h"

#define MAX_DATAGRAMS 4U
#define MAX_BYTES (16U * 1024U)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[FRAG_PACKET_MAX], xout[140000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct frag_reasm_config c = { .ipv6_next_header = IPPROTO_ICMPV6, .ipv4_protocol = IPPROTO_ICMP, .max_datagrams = MAX_DATAGRAMS,
                                        .max_bytes = MAX_BYTES };
        struct xlat_counters counters = {};
        struct xlat_result res;
        struct xlat x;
        unsigned flags;
        FragReasm *r;
        uint64_t now = 0;

        inet_pton(AF_INET6, FUZZ_CLAT6, &c.ipv6_destination);
        inet_pton(AF_INET, FUZZ_CLAT4, &c.ipv4_source);
        if (frag_reasm_new(&c, &r) < 0)
                abort();
        fuzz_xlat_setup(&x, 5, &flags); /* 2001:db8:64::/96, MTU 1280 */

        while (size >= 3) {
                size_t len = (size_t) data[0] << 8 | data[1];
                size_t out_len = 0;
                enum frag_verdict v;

                now += (uint64_t) data[2] * 100000;
                data += 3;
                size -= 3;
                if (len > size)
                        len = size;
                v = frag_reasm_input(r, data, len, now, out, sizeof(out), &out_len, &counters);
                if (v < 0 || v >= _FRAG_VERDICT_MAX)
                        abort();
                if (frag_reasm_datagrams(r) > MAX_DATAGRAMS || frag_reasm_bytes(r) > MAX_BYTES)
                        abort();
                if (v == FRAG_COMPLETE && (out[0] >> 4) == 6) {
                        if (out_len < 48 || out_len > FRAG_PACKET_MAX || fuzz_get16(out + 4) != out_len - 40 ||
                            memcmp(out + 24, &c.ipv6_destination, 16) != 0)
                                abort();
                        xlat_6to4(&x, out, out_len, 0, xout, sizeof(xout), &res);
                        fuzz_xlat_check_result(&res, sizeof(xout));
                } else if (v == FRAG_COMPLETE) {
                        uint32_t sum = 0;

                        if ((out[0] >> 4) != 4 || out_len < 28 || out_len > 65535 || fuzz_get16(out + 2) != out_len ||
                            (fuzz_get16(out + 6) & 0x3fff) != 0 || memcmp(out + 12, &c.ipv4_source, 4) != 0)
                                abort();
                        for (size_t i = 0; i < (size_t) (out[0] & 0xf) * 4; i += 2)
                                sum += fuzz_get16(out + i);
                        while (sum >> 16)
                                sum = (sum & 0xffff) + (sum >> 16);
                        if (sum != 0xffff)
                                abort();
                        xlat_4to6(&x, out, out_len, 0, xout, sizeof(xout), &res);
                        fuzz_xlat_check_result(&res, sizeof(xout));
                } else if (out_len != 0)
                        abort();
                data += len;
                size -= len;
        }
        frag_reasm_expire(r, now + FRAG_DEFAULT_TIMEOUT_USEC, &counters);
        if (frag_reasm_datagrams(r) != 0 || frag_reasm_bytes(r) != 0)
                abort();
        frag_reasm_free(r);
        return 0;
}
