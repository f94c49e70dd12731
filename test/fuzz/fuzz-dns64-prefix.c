/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The input is a list of AAAA answers, 16 bytes each (a trailing partial one is dropped).
 * Besides not crashing, the derivation must keep its promises: every prefix it returns is
 * a valid RFC 6052 prefix under which one of the answers carries a WKA, listed once. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns64-prefix.h"
#include "nat64-prefix.h"

#define FUZZ_ANSWERS_MAX 256 /* more AAAA records than fit a 64 KiB DNS message */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what) {
        fprintf(stderr, "Broken promise: %s\n", what);
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct in6_addr answers[FUZZ_ANSWERS_MAX];
        size_t n = size / 16;
        Dns64Result r;
        int k;

        if (n > FUZZ_ANSWERS_MAX)
                n = FUZZ_ANSWERS_MAX;
        if (n > 0)
                memcpy(answers, data, n * 16);

        k = dns64_prefix_derive(answers, n, &r);
        if (k < 0 && k != -ENOENT)
                fuzz_fail("unexpected error");
        if ((k > 0) != (r.n_prefixes > 0) || (k > 0 && (size_t) k != r.n_prefixes))
                fuzz_fail("return value and count disagree");
        if (r.n_prefixes > DNS64_PREFIXES_MAX)
                fuzz_fail("too many prefixes");
        if (r.n_with_wka + r.n_ignored != n || r.n_ambiguous > r.n_with_wka)
                fuzz_fail("counters do not add up");
        if (k < 0 && !dns64_result_failure_reason(&r))
                fuzz_fail("no reason for no prefix");

        for (size_t i = 0; i < r.n_prefixes; i++) {
                const struct v6m_nat64_prefix *p = r.prefixes + i;
                bool found = false;

                if (nat64_prefix_validate(p, NULL) < 0)
                        fuzz_fail("invalid prefix returned");
                for (size_t j = 0; j < i; j++)
                        if (nat64_prefix_equal(p, r.prefixes + j))
                                fuzz_fail("prefix listed twice");

                for (size_t a = 0; a < n && !found; a++) {
                        uint32_t wka[6];
                        unsigned set = dns64_wka_positions(answers + a, wka);

                        for (unsigned b = 0; b < 6 && !found; b++) {
                                struct in_addr v4 = { htonl(wka[b]) };
                                struct in6_addr synthesized;

                                if (!(set & (1u << b)) || dns64_position_length(b) != p->len)
                                        continue;
                                /* Re-synthesise the answer from the prefix: the prefix bits
                                 * and the WKA must come out as they went in. */
                                nat64_prefix_embed_ipv4(p, &v4, &synthesized);
                                found = memcmp(synthesized.s6_addr, answers[a].s6_addr, p->len / 8) == 0;
                        }
                }
                if (!found)
                        fuzz_fail("prefix not backed by any answer");
        }
        return 0;
}
