/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "link-state.h"

#include <stdarg.h>
#include <stdio.h>

#include "bus-api.h"

#define LINK_STATE_NAME(id, name) [LINK_STATE_##id] = name,
static const char *const link_state_table[_LINK_STATE_MAX] = { V6M_LINK_STATES(LINK_STATE_NAME) };

DEFINE_STRING_TABLE_LOOKUP(link_state, LinkState, _LINK_STATE_MAX);

static const char *const dhcp4_state_table[_V6M_DHCP4_STATE_MAX] = {
        [V6M_DHCP4_DISABLED] = "disabled",
        [V6M_DHCP4_PENDING] = "pending",
        [V6M_DHCP4_BOUND] = "bound",
        [V6M_DHCP4_V6ONLY] = "v6only",
        [V6M_DHCP4_FAILED] = "failed",
};

DEFINE_STRING_TABLE_LOOKUP(dhcp4_state, enum v6m_dhcp4_state, _V6M_DHCP4_STATE_MAX);

static const char *const nat64_source_table[_V6M_NAT64_SOURCE_MAX] = {
        [V6M_NAT64_SOURCE_RA] = "ra",
        [V6M_NAT64_SOURCE_DNS64] = "dns64",
        [V6M_NAT64_SOURCE_STATIC] = "static",
};

DEFINE_STRING_TABLE_LOOKUP(nat64_source, enum v6m_nat64_source, _V6M_NAT64_SOURCE_MAX);

static const char *const clat_state_table[_V6M_CLAT_STATE_MAX] = {
        [V6M_CLAT_STOPPED] = "stopped",
        [V6M_CLAT_STARTING] = "starting",
        [V6M_CLAT_RUNNING] = "running",
        [V6M_CLAT_FAILED] = "failed",
};

DEFINE_STRING_TABLE_LOOKUP(clat_state, enum v6m_clat_state, _V6M_CLAT_STATE_MAX);

static const char *const clat_cause_table[_CLAT_CAUSE_MAX] = {
        [CLAT_CAUSE_NONE] = "none",
        [CLAT_CAUSE_NOT_INSTALLED] = "plugin not installed",
        [CLAT_CAUSE_CANNOT_START] = "plugin cannot start",
        [CLAT_CAUSE_PROBE_FAILED] = "probe failed",
        [CLAT_CAUSE_START_FAILED] = "failed to start",
        [CLAT_CAUSE_BACKEND_FAILED] = "stopped",
        [CLAT_CAUSE_NO_IPV4_ADDRESS] = "every address of 192.0.0.0/29 (.1-.6) is in use on the host (set [CLAT] IPv4Address=)",
        [CLAT_CAUSE_NO_PREFIX64] = "no SLAAC /64 on the link for the CLAT IPv6 address (set [CLAT] IPv6Address=)",
        [CLAT_CAUSE_NO_MAC] = "the link has no Ethernet address to answer Neighbor Solicitations with",
        [CLAT_CAUSE_NO_SECRET] = "no secret for the CLAT IPv6 address",
        [CLAT_CAUSE_DAD_FAILED] = "duplicate address detection failed",
        [CLAT_CAUSE_DAD_NOT_STARTED] = "duplicate address detection could not start",
        [CLAT_CAUSE_IPV6_ADDRESS_TAKEN] = "IPv6Address= is in use by another node on the link",
        [CLAT_CAUSE_DAD_EXHAUSTED] = "duplicate address detection failed for every candidate CLAT IPv6 address",
};

DEFINE_STRING_TABLE_LOOKUP(clat_cause, ClatCause, _CLAT_CAUSE_MAX);

ClatCause clat_backend_cause(const ClatBackendFacts *b) {
        if (!b->installed)
                return CLAT_CAUSE_NOT_INSTALLED;
        if (!b->startable)
                return CLAT_CAUSE_CANNOT_START;
        if (b->probe == CLAT_PROBE_FAILED)
                return CLAT_CAUSE_PROBE_FAILED;
        return CLAT_CAUSE_NONE;
}

ClatChoice clat_choose_backend(const ClatBackendFacts *b, size_t n, size_t first) {
        for (size_t i = first; i < n; i++) {
                if (clat_backend_cause(b + i) != CLAT_CAUSE_NONE)
                        continue;
                return (ClatChoice) { b[i].probe == CLAT_PROBE_OK ? CLAT_CHOICE_START : CLAT_CHOICE_PROBE, i };
        }
        return (ClatChoice) { CLAT_CHOICE_NONE, n };
}

/* A failure report is handled where the link is dispatched, never in the reporting
 * plugin's callback: fall through to the next backend while a CLAT is wanted. */
static ClatAction decide_clat(const LinkFacts *f, bool want) {
        if (!want)
                return f->clat_state != V6M_CLAT_STOPPED || f->clat_attempted || f->clat_backend_failed
                               ? CLAT_ACTION_STOP
                               : CLAT_ACTION_NONE;
        if (f->clat_backend_failed)
                return CLAT_ACTION_NEXT_BACKEND;
        if (f->clat_address_ready)
                return CLAT_ACTION_START_BACKEND;
        if (f->clat_state == V6M_CLAT_STOPPED && !f->clat_attempted)
                return CLAT_ACTION_START;
        return CLAT_ACTION_NONE;
}

_printf_(3, 4) static void decide(LinkDecision *d, LinkState state, const char *format, ...) {
        va_list ap;

        d->state = state;
        va_start(ap, format);
        vsnprintf(d->reason, sizeof(d->reason), format, ap);
        va_end(ap);
}

static bool has_native_ipv4(const LinkFacts *f) {
        return f->native_ipv4_address || f->dhcp4_state == V6M_DHCP4_BOUND;
}

/* DESIGN.md: with CLAT=auto a CLAT runs when the link has no native IPv4 (option 108
 * received, or no DHCPv4 at all), has a global IPv6 address and a default route, and a
 * NAT64 prefix is known; CLAT=yes runs it whenever a prefix is known. */
static bool want_clat(const LinkFacts *f) {
        if (f->clat_setting == V6M_NO || !f->nat64_prefix)
                return false;
        if (f->clat_setting == V6M_YES)
                return true;
        if (has_native_ipv4(f) || !f->ipv6_global_address || !f->ipv6_default_route)
                return false;
        /* "No DHCPv4 at all": disabled, or no server answered. While DHCPv4 is still
         * pending, native IPv4 may yet come: wait for it. */
        return !f->dhcp4_enabled || f->dhcp4_state != V6M_DHCP4_PENDING;
}

void link_derive_state(const LinkFacts *f, LinkDecision *d) {
        *d = (LinkDecision) {};
        /* Unmanaged, failed or without carrier: no CLAT, whatever ran before. */
        d->clat_action = decide_clat(f, false);

        if (!f->managed)
                return decide(d, LINK_STATE_UNMANAGED, "%s", f->unmanaged_reason ?: "no matching .network file");
        if (f->failure)
                return decide(d, LINK_STATE_FAILED, "%s", f->failure);
        if (!f->carrier)
                return decide(d, LINK_STATE_PENDING, "no carrier");

        d->want_clat = want_clat(f);
        d->clat_action = decide_clat(f, d->want_clat);
        if (d->want_clat) {
                switch (f->clat_state) {
                case V6M_CLAT_RUNNING:
                        if (has_native_ipv4(f))
                                return decide(d, LINK_STATE_DUAL_STACK, "native IPv4 and CLAT (CLAT=yes)");
                        return decide(d, LINK_STATE_IPV6_MOSTLY, "IPv6-only with CLAT running");
                case V6M_CLAT_STARTING:
                        return decide(d, LINK_STATE_CONFIGURING, "CLAT starting");
                case V6M_CLAT_FAILED:
                        return decide(d, LINK_STATE_DEGRADED, "CLAT failed: %s", f->clat_reason ?: "unknown error");
                case V6M_CLAT_STOPPED:
                default:
                        if (!f->clat_backend_available)
                                return decide(d, LINK_STATE_DEGRADED, LINK_REASON_NO_CLAT_BACKEND);
                        return decide(d, LINK_STATE_CONFIGURING, "CLAT starting");
                }
        }

        if (f->native_ipv4_address || f->dhcp4_state == V6M_DHCP4_BOUND) {
                const char *how = f->dhcp4_state == V6M_DHCP4_BOUND ? "DHCPv4 lease"
                                                                    : "IPv4 address configured by another tool";
                if (!f->ipv6_global_address || !f->ipv6_default_route)
                        return decide(d, LINK_STATE_DUAL_STACK, "native IPv4 (%s), no IPv6 default route or address", how);
                return decide(d, LINK_STATE_DUAL_STACK, "native IPv4 (%s)", how);
        }
        if (f->dhcp4_enabled && f->dhcp4_state == V6M_DHCP4_PENDING)
                return decide(d, LINK_STATE_CONFIGURING, "waiting for DHCPv4");
        if (!f->ipv6_global_address)
                return decide(d, LINK_STATE_CONFIGURING, "waiting for a global IPv6 address");
        if (!f->ipv6_default_route)
                return decide(d, LINK_STATE_CONFIGURING, "waiting for an IPv6 default router");

        /* IPv6 works and there is no native IPv4. */
        if (f->clat_setting == V6M_NO)
                return decide(d, LINK_STATE_IPV6_ONLY, "CLAT disabled (CLAT=no)");
        if (!f->nat64_prefix) {
                if (f->clat_setting == V6M_YES)
                        return decide(d, LINK_STATE_DEGRADED, "CLAT=yes but no NAT64 prefix known");
                if (f->dhcp4_state == V6M_DHCP4_V6ONLY)
                        return decide(d, LINK_STATE_IPV6_ONLY, "IPv6-only preferred (DHCPv4 option 108), no NAT64 prefix known");
                return decide(d, LINK_STATE_IPV6_ONLY, "no NAT64 prefix known");
        }
        /* Unreachable with consistent facts: want_clat() covers the rest. */
        return decide(d, LINK_STATE_IPV6_ONLY, "no CLAT wanted");
}
