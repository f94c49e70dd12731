/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "link.h"

/* The backend-independent CLAT control plane: backend choice in Backend= order (first
 * whose probe succeeds), fall-through on failure, stop/restart. */

/* Try the backends from the first in Backend= order. Sets link->clat_state to STARTING
 * when one accepted start(); otherwise leaves it STOPPED with clat_backend_available
 * false and the reasons of every backend in link->clat_reason. */
void clat_start(Link *link);
/* Continue with the backend after the one that just failed. */
void clat_fall_through(Link *link, const char *why);
void clat_stop(Link *link);
/* Could a CLAT run on this link: CLAT= is not "no" and a backend of Backend= is installed
 * and its probe succeeds (or one is already running). Starts nothing. Used by the DHCPv4
 * client to decide whether to ask for option 108 with IPv6OnlyPreferred=auto. */
bool clat_backend_usable(Link *link);
/* True when the running CLAT was started for another prefix than the chosen one. */
bool clat_needs_restart(const Link *link);
