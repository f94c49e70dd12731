/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Microbenchmark of the translation library: ns per packet, 4→6 and 6→4, for a 64-byte
 * UDP packet and a 64 KiB GSO TCP super-packet, copying and in place. Built, not run by
 * the tests:  build/bench/xlat-micro [iterations-scale]
 * The in-place rows restore the overwritten IP header before each call (a memcpy of 20
 * or 40 bytes, included in the time), so the same packet is translated every time.
 * Times are per packet over 101 short batches: the fastest batch and the median. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nat64-prefix.h"
#include "xlat-test-packets.h"
#include "xlat.h"

static uint8_t pkt4[70000], pkt6[70000], buf[140000], out[140000];

static double now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

/* The machine is shared and preempts us: time many short batches and report the
 * fastest and the median batch, per packet. */
#define BATCHES 101

static void measure(const struct xlat *x, bool v4, bool inplace, const uint8_t *p, size_t len, unsigned flags,
                    long batch, double *ret_min, double *ret_median) {
        size_t hdr = v4 ? 20 : 40;
        double t[BATCHES];
        struct xlat_result r;

        memcpy(buf + XLAT_HEADROOM, p, len);
        for (int b = 0; b < BATCHES; b++) {
                double t0 = now_ns();

                for (long i = 0; i < batch; i++) {
                        if (inplace) {
                                memcpy(buf + XLAT_HEADROOM, p, hdr);
                                if (v4)
                                        xlat_4to6_inplace(x, buf, XLAT_HEADROOM, len, sizeof(buf), flags, &r);
                                else
                                        xlat_6to4_inplace(x, buf, XLAT_HEADROOM, len, sizeof(buf), flags, &r);
                        } else if (v4)
                                xlat_4to6(x, p, len, flags, out, sizeof(out), &r);
                        else
                                xlat_6to4(x, p, len, flags, out, sizeof(out), &r);
                        __asm__ volatile("" : : "r"(out), "r"(buf) : "memory");
                }
                t[b] = (now_ns() - t0) / (double) batch;
                if (r.verdict != XLAT_VERDICT_TRANSLATED) {
                        fprintf(stderr, "not translated: %s\n", xlat_drop_reason_to_string(r.drop_reason));
                        exit(EXIT_FAILURE);
                }
        }
        qsort(t, BATCHES, sizeof(t[0]), cmp_double);
        *ret_min = t[0];
        *ret_median = t[BATCHES / 2];
}

static void run(const struct xlat *x, const char *name, bool v4, const uint8_t *p, size_t len, unsigned flags,
                long batch) {
        double cmin, cmed, imin, imed;

        measure(x, v4, false, p, len, flags, batch, &cmin, &cmed);
        measure(x, v4, true, p, len, flags, batch, &imin, &imed);
        printf("%-22s %6zu B   copy min %7.1f median %7.1f ns/pkt   in-place min %6.1f median %6.1f ns/pkt\n", name, len,
               cmin, cmed, imin, imed);
}

int main(int argc, char **argv) {
        struct xlat_config c = { .ipv6_mtu = 1500 };
        uint8_t l4[70000];
        long scale = argc > 1 ? atol(argv[1]) : 1;
        struct xlat x;
        size_t n, len4, len6;

        if (scale < 1)
                scale = 1;
        if (nat64_prefix_from_string("2001:db8:64::/96", &c.nat64_prefix, NULL) < 0)
                return EXIT_FAILURE;
        inet_pton(AF_INET, "192.0.0.1", &c.clat_ipv4);
        inet_pton(AF_INET6, "2001:db8:1::c1a7", &c.clat_ipv6);
        if (xlat_init(&x, &c, NULL) < 0)
                return EXIT_FAILURE;

        /* 64-byte IPv4 UDP packet, and the IPv6 answer of the same size class */
        n = tp_udp(l4, 40000, 53, 64 - 28, 1);
        len4 = tp_ipv4(pkt4, 0, 1, 0x4000, 64, 17, "192.0.0.1", "198.51.100.10", l4, n, true);
        len6 = tp_ipv6(pkt6, 0, 17, 64, "2001:db8:64::c633:640a", "2001:db8:1::c1a7", l4, n);
        tp_ipv6_l4_csum_set(pkt6, len6, 40, 17);
        run(&x, "4to6 UDP", true, pkt4, len4, 0, 2000 * scale);
        run(&x, "6to4 UDP", false, pkt6, len6, 0, 2000 * scale);

        /* 64 KiB GSO TCP super-packet, partial checksum as from a virtio_net_hdr */
        n = tp_tcp(l4, 50000, 443, 65535 - 40, 3);
        len4 = tp_ipv4(pkt4, 0, 1, 0x4000, 64, 6, "192.0.0.1", "198.51.100.10", l4, n, false);
        tp_put16(pkt4 + 36, tp_fold(tp_pseudo4(pkt4, (uint16_t) n, 6)));
        len6 = tp_ipv6(pkt6, 0, 6, 64, "2001:db8:64::c633:640a", "2001:db8:1::c1a7", l4, n - 20);
        tp_put16(pkt6 + 56, tp_fold(tp_pseudo6(pkt6, (uint32_t) (n - 20), 6)));
        run(&x, "4to6 TCP GSO 64 KiB", true, pkt4, len4, XLAT_F_GSO | XLAT_F_CSUM_PARTIAL, 50 * scale);
        run(&x, "6to4 TCP GSO 64 KiB", false, pkt6, len6, XLAT_F_GSO | XLAT_F_CSUM_PARTIAL, 50 * scale);
        return 0;
}
