/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "link.h"

/* The backend-independent CLAT control plane: the IPv4 address (RFC 7335), the
 * dedicated IPv6 address (RFC 6877 §6.3: RFC 7217-style IID, DAD, NS responder), the
 * MTU, backend choice in Backend= order (first whose probe succeeds), fall-through on
 * failure, stop/restart. */

/* Try the backends from the first in Backend= order. Sets link->clat_state to STARTING
 * when one accepted start(); otherwise leaves it STOPPED with clat_backend_available
 * false and the reasons of every backend in link->clat_reason. */
void clat_start(Link *link);
/* The backend in use reported what became of it (v6m_link_report_clat()): recorded as
 * a fact, the link marked dirty; nothing is stopped or started here. */
void clat_report(Link *link, enum v6m_clat_state state, int error, const char *reason);
/* From the link's dispatch (CLAT_ACTION_START_BACKEND): the CLAT IPv6 address passed DAD,
 * start the first backend of Backend= that can run. */
void clat_start_backend(Link *link);
/* From the link's dispatch (CLAT_ACTION_NEXT_BACKEND): stop the backend that reported a
 * failure and continue with the one after it in Backend=. */
void clat_next_backend(Link *link);
void clat_stop(Link *link);
/* Why the running (or starting, or failed) CLAT must be restarted: the NAT64 prefix
 * changed, the /64 of its IPv6 address went away...; NULL if it need not. */
const char *clat_needs_restart(const Link *link);
/* Neighbor Advertisements sent for the CLAT IPv6 address. */
uint64_t clat_ndp_answered(const Link *link);
/* Could a CLAT run on this link: CLAT= is not "no" and a backend of Backend= is installed
 * and its probe succeeds (or one is already running). Starts nothing. Used by the DHCPv4
 * client to decide whether to ask for option 108 with IPv6OnlyPreferred=auto. */
bool clat_backend_usable(Link *link);
