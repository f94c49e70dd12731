/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by fuzz-xlat-4to6.c and fuzz-xlat-6to4.c. Input: one option byte, then the
 * packet. Option byte: bits 0-2 prefix (index into fuzz_xlat_prefixes, mod 6), bit 3
 * XLAT_F_GSO, bit 4 XLAT_F_CSUM_PARTIAL, bits 5-7 IPv6 MTU (index, mod 4). The CLAT is
 * 192.0.0.1 / 2001:db8:1::c1a7 as in test-xlat.c, so its seeds work here. */

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nat64-prefix.h"
#include "xlat.h"

#define FUZZ_CLAT4 "192.0.0.1"
#define FUZZ_CLAT6 "2001:db8:1::c1a7"

static const char *const fuzz_xlat_prefixes[6] = {
        "2001:db8:6400::/40", "2001:db8:64::/48", "2001:db8:64:6400::/56", "2001:db8:64:64::/64",
        "64:ff9b::/32", "2001:db8:64::/96",
};
static const uint32_t fuzz_xlat_mtus[4] = { 1280, 1400, 1500, 9000 };

static inline void fuzz_xlat_setup(struct xlat *x, uint8_t opt, unsigned *ret_flags) {
        struct xlat_config c = { .ipv6_mtu = fuzz_xlat_mtus[(opt >> 5) % 4] };

        if (nat64_prefix_from_string(fuzz_xlat_prefixes[(opt & 7) % 6], &c.nat64_prefix, NULL) < 0)
                abort();
        inet_pton(AF_INET, FUZZ_CLAT4, &c.clat_ipv4);
        inet_pton(AF_INET6, FUZZ_CLAT6, &c.clat_ipv6);
        if (xlat_init(x, &c, NULL) < 0)
                abort();
        *ret_flags = (opt & 8 ? XLAT_F_GSO : 0) | (opt & 16 ? XLAT_F_CSUM_PARTIAL : 0);
}

/* Same verdict, reason and packets from the copying and the in-place variant; every
 * packet inside the buffer. */
static inline void fuzz_xlat_check_result(const struct xlat_result *r, size_t size) {
        if (r->verdict == XLAT_VERDICT_DROP) {
                if (r->n_packets != 0 || r->drop_reason <= XLAT_DROP_NONE || r->drop_reason >= _XLAT_DROP_MAX)
                        abort();
                return;
        }
        if (r->n_packets == 0 || r->n_packets > XLAT_PACKETS_MAX)
                abort();
        if (r->verdict == XLAT_VERDICT_TRANSLATED ? r->drop_reason != XLAT_DROP_NONE
                                                   : (r->drop_reason <= XLAT_DROP_NONE || r->drop_reason >= _XLAT_DROP_MAX))
                abort();
        for (unsigned i = 0; i < r->n_packets; i++) {
                if ((size_t) r->packets[i].offset + r->packets[i].len > size)
                        abort();
                if (r->packets[i].hdr_len > r->packets[i].len && r->packets[i].l4_protocol != 0 &&
                    r->verdict == XLAT_VERDICT_TRANSLATED && r->packets[i].hdr_len > r->packets[i].l4_offset + 60)
                        abort();
        }
}

static inline void fuzz_xlat_same(const struct xlat_result *a, const uint8_t *abuf, const struct xlat_result *b,
                                  const uint8_t *bbuf) {
        if (a->verdict != b->verdict || a->drop_reason != b->drop_reason || a->n_packets != b->n_packets) {
                /* In place may lack room for fragments where the copy had it. */
                if (b->verdict == XLAT_VERDICT_DROP && b->drop_reason == XLAT_DROP_OUTPUT_TOO_SMALL)
                        return;
                abort();
        }
        for (unsigned i = 0; i < a->n_packets; i++)
                if (a->packets[i].len != b->packets[i].len || a->packets[i].l4_offset != b->packets[i].l4_offset ||
                    memcmp(abuf + a->packets[i].offset, bbuf + b->packets[i].offset, a->packets[i].len) != 0)
                        abort();
}

static inline uint16_t fuzz_get16(const uint8_t *p) {
        return (uint16_t) (p[0] << 8 | p[1]);
}

/* Two checksum fields are the same ones' complement number (0 and 0xffff both zero). */
static inline int fuzz_csum_same(uint16_t a, uint16_t b) {
        return a == b || ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff));
}

static inline void fuzz_swap_ipv6_addresses(uint8_t *p) {
        uint8_t t[16];

        memcpy(t, p + 8, 16);
        memcpy(p + 8, p + 24, 16);
        memcpy(p + 24, t, 16);
}

static inline void fuzz_swap_ipv4_addresses(uint8_t *p) {
        uint8_t t[4];

        memcpy(t, p + 12, 4);
        memcpy(p + 12, p + 16, 4);
        memcpy(p + 16, t, 4);
}
