/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define CLAT_IID_SECRET_SIZE 16

/* The CLAT's dedicated IPv6 address (RFC 6877 §6.3) in a /64: a stable, per-link,
 * per-prefix interface identifier in the style of RFC 7217 §5:
 *   RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key)
 * with F = SipHash-2-4 keyed by the secret, Net_Iface = the interface name, no
 * Network_ID, and a fixed label so the CLAT IID never equals one the same secret would
 * give for another purpose. A reserved IID (RFC 5453) is skipped by moving on to the next
 * DAD counter, as RFC 7217 §6 does for collisions. Returns the DAD counter used. */
unsigned clat_iid_generate(const uint8_t secret[static CLAT_IID_SECRET_SIZE], const struct in6_addr *prefix64,
                           const char *ifname, unsigned dad_counter, struct in6_addr *ret);

/* RFC 5453 reserved interface identifiers: all zero (subnet-router anycast) and the
 * subnet anycast range fdff:ffff:ffff:ff80-ffff. ISATAP-style 0200:5efe:: IIDs (RFC 5214)
 * are skipped too, so the address never looks like something it is not. */
bool clat_iid_is_reserved(const uint8_t iid[static 8]);
