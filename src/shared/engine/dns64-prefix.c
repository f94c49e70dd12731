/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dns64-prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "nat64-prefix.h"

static const unsigned dns64_lengths[] = { 32, 40, 48, 56, 64, 96 };
#define DNS64_N_LENGTHS ELEMENTSOF(dns64_lengths)

/* RFC 6052 §2.2: bits 64..71 */
#define U_OCTET 8

unsigned dns64_position_length(unsigned i) {
        return i < DNS64_N_LENGTHS ? dns64_lengths[i] : 0;
}

/* The prefix part of `address` for length `len`: bits past the length zeroed. */
static struct v6m_nat64_prefix prefix_of(const struct in6_addr *address, unsigned len) {
        struct v6m_nat64_prefix p = { .len = (uint8_t) len };

        memcpy(p.prefix.s6_addr, address->s6_addr, len / 8);
        return p;
}

unsigned dns64_wka_positions(const struct in6_addr *address, uint32_t ret_wka[6]) {
        unsigned set = 0;

        if (ret_wka)
                memset(ret_wka, 0, sizeof(uint32_t) * DNS64_N_LENGTHS);

        /* RFC 6052 §2.2: the u octet is zero in every IPv4-embedded address; an address
         * with it set was not synthesised by a conforming DNS64 at any position. */
        if (address->s6_addr[U_OCTET] != 0)
                return 0;

        for (unsigned i = 0; i < DNS64_N_LENGTHS; i++) {
                struct v6m_nat64_prefix p = prefix_of(address, dns64_lengths[i]);
                struct in_addr v4;
                uint32_t host;

                nat64_prefix_extract_ipv4(&p, address, &v4);
                host = ntohl(v4.s_addr);
                if (host != DNS64_WKA_PRIMARY && host != DNS64_WKA_SECONDARY)
                        continue;
                set |= 1u << i;
                if (ret_wka)
                        ret_wka[i] = host;
        }
        return set;
}

static void result_add(Dns64Result *r, const struct v6m_nat64_prefix *p) {
        for (size_t i = 0; i < r->n_prefixes; i++)
                if (nat64_prefix_equal(r->prefixes + i, p))
                        return;
        if (r->n_prefixes >= DNS64_PREFIXES_MAX) {
                r->n_dropped++;
                return;
        }
        r->prefixes[r->n_prefixes++] = *p;
}

/* Another answer confirms position i of `address` if it has the other WKA at the same
 * position under the same prefix bits (RFC 7050 §3: the second WKA tells the length
 * apart when the first one shows up in more than one place). */
static bool position_confirmed(const struct in6_addr *answers, size_t n_answers, size_t self, unsigned i,
                               uint32_t wka) {
        struct v6m_nat64_prefix p = prefix_of(answers + self, dns64_lengths[i]);

        for (size_t k = 0; k < n_answers; k++) {
                uint32_t other_wka[DNS64_N_LENGTHS];
                struct v6m_nat64_prefix q;

                if (k == self)
                        continue;
                if (!(dns64_wka_positions(answers + k, other_wka) & (1u << i)))
                        continue;
                if (other_wka[i] == wka)
                        continue;
                q = prefix_of(answers + k, dns64_lengths[i]);
                if (nat64_prefix_equal(&p, &q))
                        return true;
        }
        return false;
}

int dns64_prefix_derive(const struct in6_addr *answers, size_t n_answers, Dns64Result *ret) {
        Dns64Result r = {};

        if (!ret || (n_answers > 0 && !answers))
                return -EINVAL;

        for (size_t a = 0; a < n_answers; a++) {
                uint32_t wka[DNS64_N_LENGTHS];
                unsigned set = dns64_wka_positions(answers + a, wka), chosen = DNS64_N_LENGTHS, n_confirmed = 0;
                struct v6m_nat64_prefix p;

                if (set == 0) {
                        r.n_ignored++;
                        continue;
                }
                r.n_with_wka++;

                if ((set & (set - 1)) == 0)
                        chosen = (unsigned) __builtin_ctz(set);
                else
                        for (unsigned i = 0; i < DNS64_N_LENGTHS; i++)
                                if ((set & (1u << i)) && position_confirmed(answers, n_answers, a, i, wka[i])) {
                                        chosen = i;
                                        n_confirmed++;
                                }

                if (chosen == DNS64_N_LENGTHS || n_confirmed > 1) {
                        r.n_ambiguous++;
                        continue;
                }

                p = prefix_of(answers + a, dns64_lengths[chosen]);
                /* Cannot fail for a length from the table and a zero u octet; keep the check
                 * so an invalid prefix can never leave this function. */
                if (nat64_prefix_validate(&p, NULL) < 0) {
                        r.n_ambiguous++;
                        continue;
                }
                result_add(&r, &p);
        }

        *ret = r;
        return r.n_prefixes > 0 ? (int) r.n_prefixes : -ENOENT;
}

const char *dns64_result_failure_reason(const Dns64Result *r) {
        if (!r)
                return "no result";
        if (r->n_prefixes > 0)
                return NULL;
        if (r->n_ambiguous > 0)
                return "the answers carry 192.0.0.170/171 at more than one RFC 6052 position and nothing tells them apart";
        if (r->n_ignored > 0)
                return "no answer carries 192.0.0.170 or 192.0.0.171 (not a DNS64)";
        return "no AAAA answer";
}
