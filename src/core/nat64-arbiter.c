/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nat64-arbiter.h"

#include "macro.h"
#include "nat64-prefix.h"

static bool candidate_matches(const Nat64Candidate *c, enum v6m_nat64_source source, const char *origin,
                              const struct v6m_nat64_prefix *prefix) {
        return c->source == source && (!origin || streq(c->origin, origin)) &&
               (!prefix || nat64_prefix_equal(&c->prefix, prefix));
}

static void candidate_remove_at(Nat64Arbiter *a, size_t i) {
        free(a->candidates[i].origin);
        memmove(a->candidates + i, a->candidates + i + 1, (a->n_candidates - i - 1) * sizeof(Nat64Candidate));
        a->n_candidates--;
}

int nat64_arbiter_report(Nat64Arbiter *a, enum v6m_nat64_source source, const char *origin,
                         const struct v6m_nat64_prefix *prefix, uint64_t expiry_usec, uint64_t now_usec) {
        Nat64Candidate *n;

        if (!origin || !prefix || (int) source < 0 || source >= _V6M_NAT64_SOURCE_MAX)
                return -EINVAL;

        for (size_t i = 0; i < a->n_candidates; i++) {
                Nat64Candidate *c = a->candidates + i;

                if (!candidate_matches(c, source, origin, prefix))
                        continue;
                if (expiry_usec <= now_usec) {
                        candidate_remove_at(a, i);
                        return 1;
                }
                if (now_usec > c->updated_usec)
                        c->interval_usec = now_usec - c->updated_usec;
                c->updated_usec = now_usec;
                if (c->expiry_usec == expiry_usec)
                        return 0;
                c->expiry_usec = expiry_usec;
                return 1;
        }

        if (expiry_usec <= now_usec)
                return 0; /* withdrawal of something we never had */

        n = realloc(a->candidates, (a->n_candidates + 1) * sizeof(Nat64Candidate));
        if (!n)
                return -ENOMEM;
        a->candidates = n;
        n[a->n_candidates] = (Nat64Candidate) {
                .source = source,
                .origin = strdup(origin),
                .prefix = *prefix,
                .expiry_usec = expiry_usec,
                .updated_usec = now_usec,
        };
        if (!n[a->n_candidates].origin)
                return -ENOMEM;
        a->n_candidates++;
        return 1;
}

size_t nat64_arbiter_withdraw(Nat64Arbiter *a, enum v6m_nat64_source source, const char *origin,
                              const struct v6m_nat64_prefix *prefix) {
        size_t removed = 0;

        for (size_t i = a->n_candidates; i > 0; i--)
                if (candidate_matches(a->candidates + i - 1, source, origin, prefix)) {
                        candidate_remove_at(a, i - 1);
                        removed++;
                }
        return removed;
}

size_t nat64_arbiter_expire(Nat64Arbiter *a, uint64_t now_usec) {
        size_t removed = 0;

        for (size_t i = a->n_candidates; i > 0; i--)
                if (a->candidates[i - 1].expiry_usec <= now_usec) {
                        candidate_remove_at(a, i - 1);
                        removed++;
                }
        return removed;
}

uint64_t nat64_arbiter_next_expiry(const Nat64Arbiter *a) {
        uint64_t next = V6M_USEC_INFINITY;

        for (size_t i = 0; i < a->n_candidates; i++)
                if (a->candidates[i].expiry_usec < next)
                        next = a->candidates[i].expiry_usec;
        return next;
}

/* Negative if x should be preferred over y within one source. */
static int candidate_compare(const Nat64Candidate *x, const Nat64Candidate *y) {
        int r;

        if (x->expiry_usec != y->expiry_usec)
                return x->expiry_usec > y->expiry_usec ? -1 : 1;
        if (x->updated_usec != y->updated_usec)
                return x->updated_usec > y->updated_usec ? -1 : 1;
        r = memcmp(&x->prefix.prefix, &y->prefix.prefix, sizeof(struct in6_addr));
        if (r != 0)
                return r;
        if (x->prefix.len != y->prefix.len)
                return x->prefix.len < y->prefix.len ? -1 : 1;
        return strcmp(x->origin, y->origin);
}

const Nat64Candidate *nat64_arbiter_choose(const Nat64Arbiter *a, const bool source_enabled[_V6M_NAT64_SOURCE_MAX],
                                           const struct v6m_nat64_prefix *current,
                                           enum v6m_nat64_source current_source) {
        for (enum v6m_nat64_source s = 0; s < _V6M_NAT64_SOURCE_MAX; s++) {
                const Nat64Candidate *best = NULL, *keep = NULL;

                if (!source_enabled[s])
                        continue;
                for (size_t i = 0; i < a->n_candidates; i++) {
                        const Nat64Candidate *c = a->candidates + i;

                        if (c->source != s)
                                continue;
                        /* The current prefix may come from several routers: keep it, with
                         * the longest-lived of its announcements. */
                        if (current && current_source == s && nat64_prefix_equal(&c->prefix, current) &&
                            (!keep || candidate_compare(c, keep) < 0))
                                keep = c;
                        if (!best || candidate_compare(c, best) < 0)
                                best = c;
                }
                if (keep)
                        return keep;
                if (best)
                        return best;
        }
        return NULL;
}

void nat64_arbiter_clear(Nat64Arbiter *a) {
        for (size_t i = 0; i < a->n_candidates; i++)
                free(a->candidates[i].origin);
        free(a->candidates);
        *a = (Nat64Arbiter) {};
}
