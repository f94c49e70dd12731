/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "v6mostly/plugin.h"

typedef enum LinkState {
        LINK_STATE_UNMANAGED,
        LINK_STATE_PENDING,
        LINK_STATE_CONFIGURING,
        LINK_STATE_DUAL_STACK,
        LINK_STATE_IPV6_ONLY,
        LINK_STATE_IPV6_MOSTLY,
        LINK_STATE_DEGRADED,
        LINK_STATE_FAILED,
        _LINK_STATE_MAX,
        _LINK_STATE_INVALID = -EINVAL,
} LinkState;

DECLARE_STRING_TABLE_LOOKUP(link_state, LinkState);
DECLARE_STRING_TABLE_LOOKUP(dhcp4_state, enum v6m_dhcp4_state);
DECLARE_STRING_TABLE_LOOKUP(nat64_source, enum v6m_nat64_source);
DECLARE_STRING_TABLE_LOOKUP(clat_state, enum v6m_clat_state);

/* Everything the state of a link is derived from. Filled by link.c from netlink, plugin
 * reports and config; kept free of pointers into daemon state so the derivation can be
 * unit-tested on its own. */
typedef struct LinkFacts {
        bool managed;
        const char *unmanaged_reason; /* why not managed, when !managed */
        const char *failure;          /* set when the daemon cannot manage the link */
        bool carrier;
        bool ipv6_global_address;
        bool ipv6_default_route;
        bool native_ipv4_address; /* a global IPv4 address that is not the CLAT's */

        bool dhcp4_enabled;        /* DHCPv4=yes and a DHCPv4 plugin is installed */
        enum v6m_dhcp4_state dhcp4_state;

        bool nat64_prefix; /* the arbiter chose a prefix */
        enum v6m_tristate clat_setting;
        bool clat_backend_available; /* some backend of Backend= probed OK */
        enum v6m_clat_state clat_state;
        const char *clat_reason;
} LinkFacts;

typedef struct LinkDecision {
        LinkState state;
        bool want_clat;
        char reason[256];
} LinkDecision;

/* The one place that decides what a link is. Pure: same facts, same answer. */
void link_derive_state(const LinkFacts *facts, LinkDecision *ret);

/* Shown as the link reason when a CLAT is wanted but no backend can run. */
#define LINK_REASON_NO_CLAT_BACKEND "no CLAT backend available"
