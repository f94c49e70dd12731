/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv4 → IPv6: no crash, copying == in place, and the round trip: a translated
 * unfragmented TCP/UDP/ICMP echo packet, answered (addresses swapped) and translated
 * back, is the original packet except DF/Identification (RFC 7915 §5.1 rules), the
 * IPv4 header checksum, IPv4 options (§4.1: ignored) and the representation of a zero
 * L4 checksum (0 vs 0xffff). */
#include "fuzz-xlat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[140000], buf[140000], back[140000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct xlat_result a, b, r;
        unsigned flags;
        struct xlat x;
        const uint8_t *p;
        size_t len;

        if (size < 1 || size > 65536 + 1)
                return 0;
        fuzz_xlat_setup(&x, data[0], &flags);
        p = data + 1;
        len = size - 1;

        xlat_4to6(&x, p, len, flags, out, sizeof(out), &a);
        fuzz_xlat_check_result(&a, sizeof(out));

        memcpy(buf + XLAT_HEADROOM, p, len);
        xlat_4to6_inplace(&x, buf, XLAT_HEADROOM, len, XLAT_HEADROOM + len + 64 * XLAT_FRAGMENT_OVERHEAD, flags, &b);
        fuzz_xlat_check_result(&b, XLAT_HEADROOM + len + 64 * XLAT_FRAGMENT_OVERHEAD);
        fuzz_xlat_same(&a, out, &b, buf);

        /* Tight output buffer: never written past. */
        xlat_4to6(&x, p, len, flags, back, len / 2, &r);
        fuzz_xlat_check_result(&r, len / 2);

        if (a.verdict != XLAT_VERDICT_TRANSLATED || a.n_packets != 1 || (flags & XLAT_F_CSUM_PARTIAL))
                return 0;
        /* Round trip, for plain packets only. */
        {
                size_t ihl = (size_t) (p[0] & 0xf) * 4, tot = fuzz_get16(p + 2), olen;
                uint8_t proto = p[9], *o = out + a.packets[0].offset;

                if (ihl != 20 || (fuzz_get16(p + 6) & 0x3fff) != 0)
                        return 0;
                if (proto == 17 && fuzz_get16(p + 20 + 6) == 0)
                        return 0; /* checksum computed on the way: not the original */
                if (proto == 1 && p[20] != 0 && p[20] != 8)
                        return 0; /* errors: the inner packet was truncated/mapped */
                if (proto != 1 && proto != 6 && proto != 17 && proto != 47)
                        return 0;
                if (proto == 6 && tot < 40)
                        return 0;

                olen = a.packets[0].len;
                fuzz_swap_ipv6_addresses(o);
                xlat_6to4(&x, o, olen, flags, back, sizeof(back), &r);
                if (r.verdict != XLAT_VERDICT_TRANSLATED || r.n_packets != 1 || r.packets[0].len != tot)
                        abort();
                o = back + r.packets[0].offset;
                fuzz_swap_ipv4_addresses(o);
                if (o[0] != p[0] || o[1] != p[1] || memcmp(o + 2, p + 2, 2) != 0 || o[8] != p[8] || o[9] != p[9] ||
                    memcmp(o + 12, p + 12, 8) != 0)
                        abort();
                if (proto == 47) {
                        if (memcmp(o + 20, p + 20, tot - 20) != 0)
                                abort();
                } else {
                        size_t co = proto == 6 ? 16 : proto == 17 ? 6 : 2;

                        if (memcmp(o + 20, p + 20, co) != 0 || memcmp(o + 20 + co + 2, p + 20 + co + 2, tot - 20 - co - 2) != 0)
                                abort();
                        if (!fuzz_csum_same(fuzz_get16(o + 20 + co), fuzz_get16(p + 20 + co)))
                                abort();
                }
        }
        return 0;
}
