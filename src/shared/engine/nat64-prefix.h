/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "v6mostly/types.h"

#define NAT64_PREFIX_STRLEN (46 + 4) /* INET6_ADDRSTRLEN + "/96" */

/* RFC 6052 §2.2: the only valid prefix lengths. */
bool nat64_prefix_length_valid(unsigned len);

/* Check a prefix per RFC 6052: length 32/40/48/56/64/96, no bits set past the length,
 * and for /96 the "u" octet (bits 64..71) zero. Returns 0, or -EINVAL with a static
 * human-readable reason in *ret_reason (if non-NULL). */
int nat64_prefix_validate(const struct v6m_nat64_prefix *p, const char **ret_reason);

/* Parse "2001:db8:64::/96" and validate it. -EINVAL with *ret_reason on failure. */
int nat64_prefix_from_string(const char *s, struct v6m_nat64_prefix *ret, const char **ret_reason);

/* "2001:db8:64::/96"; buf must hold NAT64_PREFIX_STRLEN bytes. Returns buf. */
char *nat64_prefix_to_string(const struct v6m_nat64_prefix *p, char *buf, size_t size);

bool nat64_prefix_equal(const struct v6m_nat64_prefix *a, const struct v6m_nat64_prefix *b);

/* RFC 6052 §2.2 address synthesis/extraction, all lengths, skipping the u octet. */
void nat64_prefix_embed_ipv4(const struct v6m_nat64_prefix *p, const struct in_addr *v4, struct in6_addr *ret);
void nat64_prefix_extract_ipv4(const struct v6m_nat64_prefix *p, const struct in6_addr *v6, struct in_addr *ret);
