/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* RFC 7050 §3: the NAT64 prefix (Pref64::/n) from the AAAA answers a DNS64 resolver gives
 * for "ipv4only.arpa". The DNS64 synthesises those answers from the name's A records,
 * the well-known IPv4 addresses (WKA) 192.0.0.170 and 192.0.0.171, so finding a WKA at
 * one of the RFC 6052 positions reveals the prefix and its length. Pure code: the query
 * itself goes through c-ares in the dns64 plugin. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "v6mostly/types.h"

#define DNS64_WKA_PRIMARY 0xc00000aau   /* 192.0.0.170, host byte order */
#define DNS64_WKA_SECONDARY 0xc00000abu /* 192.0.0.171 */
#define DNS64_QUERY_NAME "ipv4only.arpa"

/* More distinct prefixes than this from one resolver are not kept (a DNS64 normally has
 * one; RFC 7050 §3 allows several). */
#define DNS64_PREFIXES_MAX 8

typedef struct Dns64Result {
        struct v6m_nat64_prefix prefixes[DNS64_PREFIXES_MAX]; /* distinct, in answer order */
        size_t n_prefixes;
        size_t n_with_wka;  /* answers that carried a WKA at one position at least */
        size_t n_ignored;   /* answers without any WKA (RFC 7050 §3: ignored) */
        size_t n_ambiguous; /* answers with a WKA at several positions that nothing resolved */
        size_t n_dropped;   /* prefixes beyond DNS64_PREFIXES_MAX */
} Dns64Result;

/* The RFC 6052 prefix lengths at which an address carries a WKA, as a bit set: bit i for
 * the i-th of 32, 40, 48, 56, 64, 96. A position counts only if the "u" octet (bits
 * 64..71) is zero. If ret_wka is non-NULL, it gets which WKA was found at each position
 * (host byte order, 0 where none). */
unsigned dns64_wka_positions(const struct in6_addr *address, uint32_t ret_wka[6]);

/* The prefix length of bit i of dns64_wka_positions()'s set. */
unsigned dns64_position_length(unsigned i);

/* Derive the NAT64 prefixes from the AAAA answers (RFC 7050 §3, §3.1):
 *  - every answer is searched for 192.0.0.170 and 192.0.0.171 at all six RFC 6052
 *    positions; answers without a WKA are ignored;
 *  - an answer with a WKA at one position yields that prefix; an answer with a WKA at
 *    several positions is resolved by the other answers: a position where another
 *    answer has the other WKA under the same prefix bits wins; if none or several do,
 *    the answer is ambiguous and skipped;
 *  - the same prefix from several answers (170 and 171) is listed once; distinct
 *    prefixes are all listed, in answer order (the first one is the one to use).
 * Returns the number of prefixes (> 0), or -ENOENT if there is none, -EINVAL on bad
 * arguments. *ret is filled in either way (counters). */
int dns64_prefix_derive(const struct in6_addr *answers, size_t n_answers, Dns64Result *ret);

/* Short human-readable explanation of a result without prefixes, e.g.
 * "no answer carries 192.0.0.170 or 192.0.0.171". Static string. */
const char *dns64_result_failure_reason(const Dns64Result *r);
