/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv6 → IPv4: no crash, copying == in place, and the round trip: a translated
 * TCP/UDP/ICMPv6 echo packet without extension headers, answered (addresses swapped)
 * and translated back, is the original packet except the flow label (§5.1: not
 * translated), a source address under a short prefix whose suffix was not zero
 * (RFC 6052 §2.2 "SHOULD" be zero; we embed with zeros) and the representation of a
 * zero L4 checksum. Only for packets that fit the configured IPv6 MTU: a bigger one
 * (which no link of that MTU delivers) comes back as Fragmentation Needed. */
#include "fuzz-xlat.h"

#define IPV6_HDR_BYTES 40U

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[140000], buf[140000], back[140000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct xlat_result a, b, r;
        unsigned flags;
        struct xlat x;
        const uint8_t *p;
        size_t len;

        if (size < 1 || size > 65576 + 1)
                return 0;
        fuzz_xlat_setup(&x, data[0], &flags);
        p = data + 1;
        len = size - 1;

        xlat_6to4(&x, p, len, flags, out, sizeof(out), &a);
        fuzz_xlat_check_result(&a, sizeof(out));

        memcpy(buf + XLAT_HEADROOM, p, len);
        xlat_6to4_inplace(&x, buf, XLAT_HEADROOM, len, XLAT_HEADROOM + len, flags, &b);
        fuzz_xlat_check_result(&b, XLAT_HEADROOM + len);
        fuzz_xlat_same(&a, out, &b, buf);

        /* In place without headroom: a reply may not fit, nothing else changes. */
        memcpy(buf, p, len);
        xlat_6to4_inplace(&x, buf, 0, len, len, flags, &r);
        fuzz_xlat_check_result(&r, len);

        xlat_6to4(&x, p, len, flags, back, len / 2, &r);
        fuzz_xlat_check_result(&r, len / 2);

        if (a.verdict != XLAT_VERDICT_TRANSLATED || (flags & XLAT_F_CSUM_PARTIAL))
                return 0;
        {
                size_t plen = fuzz_get16(p + 4), olen = a.packets[0].len;
                uint8_t nh = p[6], *o = out + a.packets[0].offset;
                struct in6_addr src6, canon;
                struct in_addr src4;

                if (nh != 6 && nh != 17 && nh != 58 && nh != 47)
                        return 0;
                /* A packet bigger than the configured IPv6 MTU cannot come back as one. */
                if (!(flags & XLAT_F_GSO) && IPV6_HDR_BYTES + plen > x.ipv6_mtu)
                        return 0;
                if (nh == 58 && p[40] != 128 && p[40] != 129)
                        return 0;
                if (nh == 17 && fuzz_get16(p + 40 + 6) == 0)
                        return 0;
                memcpy(&src6, p + 8, 16);
                if (xlat_map_ipv6_to_ipv4(&x, &src6, &src4) < 0 || xlat_map_ipv4_to_ipv6(&x, &src4, &canon) < 0 ||
                    memcmp(&canon, &src6, 16) != 0)
                        return 0;

                fuzz_swap_ipv4_addresses(o);
                xlat_4to6(&x, o, olen, flags, back, sizeof(back), &r);
                if (r.verdict != XLAT_VERDICT_TRANSLATED || r.n_packets != 1 || r.packets[0].len != 40 + plen)
                        abort();
                o = back + r.packets[0].offset;
                fuzz_swap_ipv6_addresses(o);
                if (o[0] != p[0] || (o[1] & 0xf0) != (p[1] & 0xf0) || memcmp(o + 4, p + 4, 36) != 0)
                        abort();
                if (nh == 47) {
                        if (memcmp(o + 40, p + 40, plen) != 0)
                                abort();
                } else {
                        size_t co = nh == 6 ? 16 : nh == 17 ? 6 : 2;

                        if (memcmp(o + 40, p + 40, co) != 0 || memcmp(o + 40 + co + 2, p + 40 + co + 2, plen - co - 2) != 0)
                                abort();
                        if (!fuzz_csum_same(fuzz_get16(o + 40 + co), fuzz_get16(p + 40 + co)))
                                abort();
                }
        }
        return 0;
}
