/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The RFC 7050 §3 query, "ipv4only.arpa" AAAA with recursion desired, as bytes, and the
 * AAAA records of its answer; dns64_prefix_derive() makes the prefixes of them. Pure code:
 * the caller sends and receives. */

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define DNS64_QUERY_SIZE 31

/* Returns the length (DNS64_QUERY_SIZE). `id` goes out in network byte order. */
size_t dns64_query_build(uint8_t buf[static DNS64_QUERY_SIZE], uint16_t id);

/* The AAAA records of the answer section (at most `max` into `answers`; CNAMEs and other
 * records skipped, compressed names followed no further than their pointer) and the
 * RCODE. Returns how many, or -EBADMSG for a message that is not a well-formed answer to
 * `id` (too short, another id, QR clear, a bad label, a record past the end). */
int dns64_answer_parse(const uint8_t *reply, size_t len, uint16_t id, struct in6_addr *answers, size_t max,
                       int *ret_rcode);
