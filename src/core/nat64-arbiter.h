/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v6mostly/plugin.h"

/* The NAT64 prefix candidates of one link, from every source, and the choice among them.
 * Pure bookkeeping (times are passed in), so it is unit-tested on its own. */

typedef struct Nat64Candidate {
        enum v6m_nat64_source source;
        char *origin; /* router, resolver or "config" */
        struct v6m_nat64_prefix prefix;
        uint64_t expiry_usec;  /* CLOCK_BOOTTIME, V6M_USEC_INFINITY for none */
        uint64_t updated_usec; /* when it was last reported */
        /* Between the last two reports, 0 after the first: for RAs the interval the
         * router repeats them at, which `v6mostlyctl diagnose` holds the lifetime against. */
        uint64_t interval_usec;
} Nat64Candidate;

typedef struct Nat64Arbiter {
        Nat64Candidate *candidates;
        size_t n_candidates;
} Nat64Arbiter;

/* Add or refresh a candidate keyed by (source, origin, prefix). An expiry at or before
 * `now` withdraws it. Returns 1 if the set changed (a new candidate, a withdrawal, or a
 * changed expiry), 0 if not, negative errno on failure. */
int nat64_arbiter_report(Nat64Arbiter *a, enum v6m_nat64_source source, const char *origin,
                         const struct v6m_nat64_prefix *prefix, uint64_t expiry_usec, uint64_t now_usec);

/* Remove candidates of `source`; origin NULL = any origin; prefix NULL = any prefix.
 * Returns how many were removed. */
size_t nat64_arbiter_withdraw(Nat64Arbiter *a, enum v6m_nat64_source source, const char *origin,
                              const struct v6m_nat64_prefix *prefix);

/* Drop candidates whose lifetime ran out; returns how many. */
size_t nat64_arbiter_expire(Nat64Arbiter *a, uint64_t now_usec);

/* Earliest finite expiry, or V6M_USEC_INFINITY. */
uint64_t nat64_arbiter_next_expiry(const Nat64Arbiter *a);

/* The prefix to use, or NULL. The rule (documented in v6mostly.network(5), [NAT64]):
 *  1. Sources rank RA PREF64 > DNS64 > static, each only if enabled in source_enabled[]
 *     (UsePREF64=, UseDNS64=, Prefix=); a lower source counts only when every higher one
 *     has no candidate at all.
 *  2. Within that source, the current choice is kept while any candidate still carries
 *     it (a prefix announced by several routers is one choice), so a second router or a
 *     graceful renumbering (RFC 8781 §4: old and new prefix in the same RA) never flaps
 *     the CLAT; it changes when the current prefix is withdrawn or expires.
 *  3. Otherwise (and to pick which announcement of the kept prefix to show) the
 *     candidate with the latest expiry (longest remaining lifetime) wins, then the most
 *     recently reported, then the numerically lowest prefix, then the shorter length,
 *     then the lowest origin: a total order, so the choice is deterministic. */
const Nat64Candidate *nat64_arbiter_choose(const Nat64Arbiter *a, const bool source_enabled[_V6M_NAT64_SOURCE_MAX],
                                           const struct v6m_nat64_prefix *current,
                                           enum v6m_nat64_source current_source);

void nat64_arbiter_clear(Nat64Arbiter *a);
