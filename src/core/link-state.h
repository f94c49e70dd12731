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

/* Why a CLAT backend is not used or the CLAT cannot run. The string is what users see in
 * the reason and the "tried" list, unless a more precise text (a probe's own reason, the
 * errno of a failed start) goes with it. */
typedef enum ClatCause {
        CLAT_CAUSE_NONE,
        CLAT_CAUSE_NOT_INSTALLED,
        CLAT_CAUSE_CANNOT_START,   /* installed, but not attached to the link or without start() */
        CLAT_CAUSE_PROBE_FAILED,
        CLAT_CAUSE_START_FAILED,   /* start() returned an error */
        CLAT_CAUSE_BACKEND_FAILED, /* it reported FAILED or STOPPED (v6m_link_report_clat()) */
        CLAT_CAUSE_NO_IPV4_ADDRESS,
        CLAT_CAUSE_NO_PREFIX64,
        CLAT_CAUSE_NO_MAC,
        CLAT_CAUSE_NO_SECRET,
        CLAT_CAUSE_DAD_FAILED,
        CLAT_CAUSE_DAD_NOT_STARTED,
        CLAT_CAUSE_IPV6_ADDRESS_TAKEN, /* IPv6Address= failed DAD */
        CLAT_CAUSE_DAD_EXHAUSTED,      /* every generated address failed DAD */
        _CLAT_CAUSE_MAX,
        _CLAT_CAUSE_INVALID = -EINVAL,
} ClatCause;

DECLARE_STRING_TABLE_LOOKUP(clat_cause, ClatCause);

typedef enum ClatProbe {
        CLAT_PROBE_UNKNOWN, /* not asked yet */
        CLAT_PROBE_OK,
        CLAT_PROBE_FAILED,
} ClatProbe;

/* What the choice of a backend needs to know of one entry of Backend=. */
typedef struct ClatBackendFacts {
        bool installed; /* a plugin implements it */
        bool startable; /* attached to the link, with a start() */
        ClatProbe probe;
} ClatBackendFacts;

typedef enum ClatChoiceAction {
        CLAT_CHOICE_NONE,  /* no backend from `first` on can run */
        CLAT_CHOICE_PROBE, /* ask backend `index` (then choose again) */
        CLAT_CHOICE_START, /* use backend `index` */
} ClatChoiceAction;

typedef struct ClatChoice {
        ClatChoiceAction action;
        size_t index;
} ClatChoice;

/* Why backend `b` cannot be used (CLAT_CAUSE_NONE: it can, or its probe is still due).
 * Pure. */
ClatCause clat_backend_cause(const ClatBackendFacts *b);
/* The backend to use among b[first..n-1], in order: the first installed, startable one
 * whose probe succeeds. Pure: probes are facts the caller collects when told to. The
 * backends before the returned index are the ones passed over. */
ClatChoice clat_choose_backend(const ClatBackendFacts *b, size_t n, size_t first);

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
        bool clat_attempted;      /* backends were tried for the current decision */
        bool clat_address_ready;  /* the CLAT IPv6 address passed DAD, no backend chosen yet */
        bool clat_backend_failed; /* the backend in use reported a failure, not handled yet */
} LinkFacts;

/* What the link's dispatch does to its CLAT. */
typedef enum ClatAction {
        CLAT_ACTION_NONE,
        CLAT_ACTION_START,        /* prepare the addresses, begin DAD */
        CLAT_ACTION_START_BACKEND, /* DAD passed: choose a backend from the first of Backend= */
        CLAT_ACTION_STOP,
        CLAT_ACTION_NEXT_BACKEND, /* stop the failed backend, choose from the one after it */
} ClatAction;

typedef struct LinkDecision {
        LinkState state;
        bool want_clat;
        ClatAction clat_action;
        char reason[256];
} LinkDecision;

/* The one place that decides what a link is. Pure: same facts, same answer. */
void link_derive_state(const LinkFacts *facts, LinkDecision *ret);

/* Shown as the link reason when a CLAT is wanted but no backend can run. */
#define LINK_REASON_NO_CLAT_BACKEND "no CLAT backend available"
