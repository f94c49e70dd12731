/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The eBPF fast path against the translation library, byte for byte: the same packets
 * through the BPF programs (BPF_PROG_TEST_RUN, no device involved) and through
 * xlat_4to6()/xlat_6to4(). Packets the fast path must leave to the slow path come out
 * unchanged and are counted as such. Needs root (or CAP_BPF + CAP_NET_ADMIN): skipped
 * otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clat-ebpf.h"
#include "clat-ebpf.skel.h"
#include "xlat-test-packets.h"
#include "xlat.h"

#define CLAT4 "192.0.0.1"
#define CLAT6 "2001:db8:1::c1a7"
#define PREFIX "2001:db8:64::"
#define REMOTE4 "198.51.100.10"
#define REMOTE6 "2001:db8:64::c633:640a"

static struct clat_ebpf *skel;
static struct xlat X;
static unsigned failures, cases;
static uint8_t frame[70000], bpf_out[70000], lib_out[140000], pkt[70000];

static uint64_t counter(enum clat_ebpf_counter what) {
        static uint64_t v[4096];
        int n = libbpf_num_possible_cpus();
        uint64_t sum = 0;
        uint32_t k = what;

        if (n <= 0 || n > (int) ELEMENTSOF(v) || bpf_map_lookup_elem(bpf_map__fd(skel->maps.v6m_counters), &k, v) < 0)
                return 0;
        for (int i = 0; i < n; i++)
                sum += v[i];
        return sum;
}

static void hexdiff(const uint8_t *a, const uint8_t *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (a[i] != b[i]) {
                        fprintf(stderr, "    first difference at byte %zu: bpf %02x, library %02x\n", i, a[i], b[i]);
                        return;
                }
}

/* Run one packet (pkt, len bytes, starting with the IP header) through both; `fast`: the
 * fast path must translate it (else it must leave it alone). */
static void run(const char *name, bool to_ipv6, size_t len, bool fast) {
        struct bpf_program *prog = to_ipv6 ? skel->progs.v6m_clat_4to6 : skel->progs.v6m_clat_6to4;
        enum clat_ebpf_counter fast_c = to_ipv6 ? CLAT_EBPF_FAST_4TO6 : CLAT_EBPF_FAST_6TO4;
        enum clat_ebpf_counter slow_c = to_ipv6 ? CLAT_EBPF_SLOW_4TO6 : CLAT_EBPF_SLOW_6TO4;
        uint64_t fast0 = counter(fast_c), slow0 = counter(slow_c);
        struct xlat_result res;
        int r;

        cases++;
        memset(frame, 0, 12);
        tp_put16(frame + 12, to_ipv6 ? 0x0800 : 0x86dd);
        memcpy(frame + 14, pkt, len);
        DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t) (14 + len),
                            .data_out = bpf_out, .data_size_out = sizeof(bpf_out), .repeat = 1);
        r = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
        /* Translated: TC_ACT_OK (the test build does not redirect); left to the slow path:
         * TC_ACT_UNSPEC, so that tc filters after ours still run. */
        if (r < 0 || o.retval != (fast ? (uint32_t) TC_ACT_OK : (uint32_t) TC_ACT_UNSPEC)) {
                fprintf(stderr, "FAIL %s: test run: %d, retval %d\n", name, r, (int) o.retval);
                failures++;
                return;
        }
        if (!fast) {
                if (counter(slow_c) != slow0 + 1 || o.data_size_out != 14 + len ||
                    memcmp(bpf_out + 14, pkt, len) != 0) {
                        fprintf(stderr, "FAIL %s: should have gone to the slow path untouched\n", name);
                        failures++;
                }
                return;
        }
        if (counter(fast_c) != fast0 + 1) {
                fprintf(stderr, "FAIL %s: did not take the fast path\n", name);
                failures++;
                return;
        }
        if (to_ipv6)
                xlat_4to6(&X, pkt, len, 0, lib_out, sizeof(lib_out), &res);
        else
                xlat_6to4(&X, pkt, len, 0, lib_out, sizeof(lib_out), &res);
        if (res.verdict != XLAT_VERDICT_TRANSLATED || res.n_packets != 1) {
                fprintf(stderr, "FAIL %s: the library says %s (%s), the fast path translated\n", name,
                        xlat_verdict_to_string(res.verdict), xlat_drop_reason_to_string(res.drop_reason));
                failures++;
                return;
        }
        const uint8_t *want = lib_out + res.packets[0].offset;
        size_t want_len = res.packets[0].len;
        if (o.data_size_out != 14 + want_len || memcmp(bpf_out + 14, want, want_len) != 0 ||
            tp_get16(bpf_out + 12) != (to_ipv6 ? 0x86dd : 0x0800)) {
                fprintf(stderr, "FAIL %s: fast path %u bytes, library %zu bytes\n", name, o.data_size_out - 14,
                        want_len);
                if (o.data_size_out == 14 + want_len)
                        hexdiff(bpf_out + 14, want, want_len);
                failures++;
        }
}

static uint8_t l4[70000];

static size_t v4(uint8_t tos, uint16_t df, uint8_t ttl, uint8_t proto, size_t l4_len, const char *src) {
        return tp_ipv4(pkt, tos, 0x1234, df, ttl, proto, src, REMOTE4, l4, l4_len, true);
}

static size_t v6(uint8_t tc, uint32_t flow, uint8_t proto, size_t l4_len, bool csum) {
        size_t n = tp_ipv6(pkt, tc, proto, 57, REMOTE6, CLAT6, l4, l4_len);

        pkt[1] |= (uint8_t) (flow >> 16);
        pkt[2] = (uint8_t) (flow >> 8);
        pkt[3] = (uint8_t) flow;
        if (csum)
                tp_ipv6_l4_csum_set(pkt, n, 40, proto);
        return n;
}

int main(void) {
        struct xlat_config xc = { .ipv6_mtu = 1500 };
        const char *why = NULL;
        char name[128];
        int r;

        if (geteuid() != 0) {
                printf("skipped: needs root for BPF_PROG_TEST_RUN\n");
                return 77;
        }
        inet_pton(AF_INET6, PREFIX, &xc.nat64_prefix.prefix);
        xc.nat64_prefix.len = 96;
        inet_pton(AF_INET, CLAT4, &xc.clat_ipv4);
        inet_pton(AF_INET6, CLAT6, &xc.clat_ipv6);
        if (xlat_init(&X, &xc, &why) < 0) {
                fprintf(stderr, "xlat_init: %s\n", why);
                return 1;
        }

        skel = clat_ebpf__open();
        if (!skel) {
                printf("skipped: cannot open the BPF object: %m\n");
                return 77;
        }
        skel->rodata->clat_ipv4 = xc.clat_ipv4.s_addr;
        memcpy((void *) skel->rodata->clat_ipv6, &xc.clat_ipv6, 16);
        memcpy((void *) skel->rodata->nat64_prefix96, &xc.nat64_prefix.prefix, 12);
        skel->rodata->uplink_ifindex = 1;
        skel->rodata->clat_ifindex = 1;
        skel->rodata->ipv6_mtu = X.ipv6_mtu;
        skel->rodata->lowest_ipv6_mtu = X.lowest_ipv6_mtu;
        skel->rodata->egress_has_eth = 1;
        skel->rodata->redirect = 0;
        r = clat_ebpf__load(skel);
        if (r == -EPERM || r == -EACCES) {
                printf("skipped: bpf() not permitted here\n");
                clat_ebpf__destroy(skel);
                return 77;
        }
        if (r < 0) {
                fprintf(stderr, "cannot load the BPF programs: %s\n", strerror(-r));
                clat_ebpf__destroy(skel);
                return 1;
        }

        /* 4→6: TCP, UDP, ICMP echo; sizes around the DF / lowest-MTU limits; TOS, TTL. */
        static const size_t tcp_sizes[] = { 0, 1, 2, 3, 100, 1219, 1240, 1241, 1440, 1460 };
        static const uint8_t toses[] = { 0, 0xb8, 0x03 };
        for (size_t i = 0; i < ELEMENTSOF(tcp_sizes); i++)
                for (size_t t = 0; t < ELEMENTSOF(toses); t++)
                        for (int df = 0; df < 2; df++) {
                                size_t n = v4(toses[t], df ? 0x4000 : 0, (uint8_t) (64 - t), IPPROTO_TCP,
                                              tp_tcp(l4, (uint16_t) (40000 + i), 443, tcp_sizes[i], (uint8_t) i), CLAT4);
                                /* The library answers DF packets over the MTU and fragments
                                 * DF-clear ones over 1280 bytes: both slow. */
                                bool fast = n + 20 <= (df ? 1500u : 1280u);
                                snprintf(name, sizeof(name), "4to6 tcp %zu tos %#x df %d", tcp_sizes[i], toses[t], df);
                                run(name, true, n, fast);
                        }
        static const size_t udp_sizes[] = { 0, 1, 7, 64, 501, 1232, 1233, 1472 };
        for (size_t i = 0; i < ELEMENTSOF(udp_sizes); i++) {
                size_t n = v4(0, 0x4000, 64, IPPROTO_UDP, tp_udp(l4, 5353, 53, udp_sizes[i], (uint8_t) i), CLAT4);
                snprintf(name, sizeof(name), "4to6 udp %zu", udp_sizes[i]);
                run(name, true, n, n + 20 <= 1500);
        }
        for (int type = 0; type <= 8; type += 8)
                for (size_t sz = 0; sz < 1400; sz += 333) {
                        size_t n = v4(0, 0, 64, IPPROTO_ICMP, tp_echo(l4, (uint8_t) type, 0x77, (uint16_t) sz, sz), CLAT4);
                        snprintf(name, sizeof(name), "4to6 icmp echo type %d size %zu", type, sz);
                        run(name, true, n, n + 20 <= 1280);
                }
        /* Slow path: UDP without checksum, a fragment, options, another source, too big. */
        {
                size_t n = tp_ipv4(pkt, 0, 1, 0x4000, 64, IPPROTO_UDP, CLAT4, REMOTE4, l4, tp_udp(l4, 1, 2, 10, 0), false);
                run("4to6 udp checksum 0 (slow)", true, n, false);
                n = v4(0, 0x2000, 64, IPPROTO_UDP, tp_udp(l4, 1, 2, 100, 0), CLAT4);
                run("4to6 first fragment (slow)", true, n, false);
                n = v4(0, 0x4000, 64, IPPROTO_TCP, tp_tcp(l4, 1, 2, 10, 0), "192.0.0.2");
                run("4to6 source not the CLAT (slow)", true, n, false);
                n = v4(0, 0x4000, 64, IPPROTO_ICMP, tp_echo(l4, 13, 1, 1, 12), CLAT4);
                run("4to6 icmp timestamp (slow)", true, n, false);
                n = v4(0, 0x4000, 64, IPPROTO_TCP, tp_tcp(l4, 1, 2, 1461, 0), CLAT4);
                run("4to6 tcp DF over the MTU (slow: Fragmentation Needed)", true, n, false);
                n = v4(0, 0x4000, 64, IPPROTO_TCP, tp_tcp(l4, 1, 2, 10, 0), CLAT4);
                pkt[0] = 0x46; /* claims options */
                run("4to6 options (slow)", true, n, false);
        }

        /* 6→4: sizes around the 1260-byte DF threshold (Identification hash below it). */
        static const size_t sizes6[] = { 0, 1, 5, 100, 1199, 1200, 1201, 1220, 1240, 1241, 1400, 1440 };
        static const uint32_t flows[] = { 0, 0x12345, 0xfffff };
        for (size_t i = 0; i < ELEMENTSOF(sizes6); i++)
                for (size_t f = 0; f < ELEMENTSOF(flows); f++) {
                        size_t n = v6((uint8_t) (f * 0x5c), flows[f], IPPROTO_TCP,
                                      tp_tcp(l4, 443, (uint16_t) (40000 + i), sizes6[i], (uint8_t) (i + f)), true);
                        snprintf(name, sizeof(name), "6to4 tcp %zu flow %#x", sizes6[i], flows[f]);
                        run(name, false, n, true);
                        n = v6(0, flows[f], IPPROTO_UDP, tp_udp(l4, 53, 5353, sizes6[i], (uint8_t) i), true);
                        snprintf(name, sizeof(name), "6to4 udp %zu flow %#x", sizes6[i], flows[f]);
                        run(name, false, n, true);
                }
        for (int type = 128; type <= 129; type++)
                for (size_t sz = 0; sz < 1400; sz += 257) {
                        size_t n = v6(0, 0x0abcd, IPPROTO_ICMPV6, tp_echo(l4, (uint8_t) type, 0x99, (uint16_t) sz, sz), true);
                        snprintf(name, sizeof(name), "6to4 icmpv6 echo type %d size %zu", type, sz);
                        run(name, false, n, true);
                }
        {
                size_t n = v6(0, 0, IPPROTO_UDP, tp_udp(l4, 53, 5353, 20, 1), false);
                run("6to4 udp checksum 0 (passed on as 0)", false, n, true);
                n = v6(0, 0, IPPROTO_ICMPV6, tp_echo(l4, 1, 0, 0, 48), true);
                run("6to4 icmpv6 error (slow)", false, n, false);
                n = v6(0, 0, 44 /* fragment header */, tp_udp(l4, 1, 2, 8, 0), false);
                run("6to4 extension header (slow)", false, n, false);
                n = tp_ipv6(pkt, 0, IPPROTO_TCP, 64, "2001:db8:99::1", CLAT6, l4, tp_tcp(l4, 1, 2, 10, 0));
                tp_ipv6_l4_csum_set(pkt, n, 40, IPPROTO_TCP);
                run("6to4 source outside the NAT64 prefix (slow)", false, n, false);
        }

        /* Upper layers the fast path does not know (RFC 7915 translates them all, the
         * library does, xlat unit test): left to the slow path untouched, never dropped.
         * No Next Header also without any payload (Payload Length 0). */
        {
                static const uint8_t protos[] = { 59, 47, 50, 132, 136 };

                for (size_t i = 0; i < ELEMENTSOF(protos); i++)
                        for (size_t sz = 0; sz <= 64; sz += 64) {
                                size_t n;

                                memset(l4, 0x5c, sz);
                                n = v4(0, 0x4000, 64, protos[i], sz, CLAT4);
                                snprintf(name, sizeof(name), "4to6 protocol %u, %zu bytes (slow)", protos[i], sz);
                                run(name, true, n, false);
                                n = v6(0, 0, protos[i], sz, false);
                                snprintf(name, sizeof(name), "6to4 next header %u, %zu bytes (slow)", protos[i], sz);
                                run(name, false, n, false);
                        }
        }

        clat_ebpf__destroy(skel);
        printf("%u cases, %u failed\n", cases, failures);
        return failures ? 1 : 0;
}
