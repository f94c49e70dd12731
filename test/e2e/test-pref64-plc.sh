#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PREF64 (RFC 8781) from real Router Advertisements, one for each Prefix Length Code:
# /96 /64 /56 /48 /40 /32 each becomes the link's NAT64 prefix with source "ra", the
# router as its origin and the option's lifetime. Each RA withdraws the previous
# prefix (lifetime 0) next to the new one, so there is always exactly one candidate.
source "$(dirname "$0")/lib.sh"

v6m_ra_setup
check "uplink0 has no NAT64 prefix before any PREF64" v6m_bus wait-prop "$ifindex" NAT64PrefixSource none 10

previous=""
for prefix in 2001:db8:64::/96 2001:db8:64:64::/64 2001:db8:64:5600::/56 2001:db8:48::/48 \
              2001:db8:4000::/40 2001:db8::/32; do
        args=(--pref64 "$prefix@600")
        [[ -n "$previous" ]] && args=(--pref64 "$previous@0" "${args[@]}")
        v6m_send_ra "${args[@]}"
        check "PREF64 $prefix becomes uplink0's NAT64Prefix" v6m_bus wait-prop "$ifindex" NAT64Prefix "$prefix" 10
        check "$prefix is the only candidate (the previous one was withdrawn)" \
                v6m_bus wait-candidates "$ifindex" 1 10
        json=$(ctl --json status uplink0) || true
        v6m_check_json "uplink0 JSON: $prefix from source ra" "$json" --schema \
                --expect nat64.prefix="$prefix" --expect nat64.source=ra \
                --expect nat64.candidates.0.prefix="$prefix" --expect nat64.candidates.0.source=ra
        remaining=$(jq '.nat64.lifetime_remaining_s' <<<"$json")
        check "lifetime_remaining_s of $prefix is within 590..600 (got $remaining)" \
                test "$remaining" -ge 590 -a "$remaining" -le 600
        previous=$prefix
done

# The text form names the source and the router it came from.
router=$(ip -n "$V6M_NS_ROUTER" -6 -o addr show dev r0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
status=$(ctl status uplink0) || true
check "v6mostlyctl status shows the prefix and source ra" grep -Eq "2001:db8::/32.*\bra\b" <<<"$status"
v6m_check_log "the journal line names the router ($router)" "NAT64 prefix 2001:db8::/32 \(source ra, from $router\)"
note "v6mostlyctl status uplink0:"
sed 's/^/    | /' <<<"$status"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
