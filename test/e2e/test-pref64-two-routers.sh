#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two routers on one link announce different PREF64 prefixes (RFC 8781 §5.1 allows it).
# Every (router, prefix) is its own candidate; the choice follows the documented rule
# (v6mostly.network(5), "[NAT64]"): the chosen prefix stays while it is still announced;
# when it goes, the candidate with the longest remaining lifetime wins.
#
# Router A is r0's own link-local address (radvd's), router B fe80::b with its own MAC
# and router lifetime 0, so it is not a default router and the default route stays.
source "$(dirname "$0")/lib.sh"

v6m_ra_setup
v6m_wait_state uplink0 ipv6-only 30 || exit 1
router_a=$(ip -n "$V6M_NS_ROUTER" -6 -o addr show dev r0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
router_b=fe80::b
send_b() { v6m_send_ra --src "$router_b" --src-mac 02:00:00:00:00:0b --router-lifetime 0 "$@"; }

candidates() { ctl --json status uplink0 | jq -c '[.nat64.candidates[] | .prefix] | sort'; }

v6m_send_ra --pref64 2001:db8:a::/96@600
check "router A's 2001:db8:a::/96 is chosen" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:a::/96 10
check "NAT64PrefixOrigin is router A ($router_a)" v6m_bus wait-prop "$ifindex" NAT64PrefixOrigin "$router_a" 10

# Router B: two prefixes in one RA, one with a longer lifetime than A's.
send_b --pref64 2001:db8:b1::/96@1200 --pref64 2001:db8:b2::/96@300
check "three candidates" v6m_bus wait-candidates "$ifindex" 3 10
check_eq "the candidates are A's and B's prefixes" "$(candidates)" \
        '["2001:db8:a::/96","2001:db8:b1::/96","2001:db8:b2::/96"]'
check_eq "A's prefix stays chosen (a newer candidate does not replace it)" \
        "$(v6m_bus get-property "$ifindex" NAT64Prefix)" '"2001:db8:a::/96"'
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON: chosen prefix from ra, all candidates from ra" "$json" --schema \
        --expect nat64.prefix=2001:db8:a::/96 --expect nat64.source=ra \
        --expect nat64.candidates.0.source=ra --expect nat64.candidates.1.source=ra \
        --expect nat64.candidates.2.source=ra
status=$(ctl status uplink0) || true
note "v6mostlyctl status uplink0 with two routers:"
sed 's/^/    | /' <<<"$status"
check "the text status names the router of the chosen prefix" grep -q "2001:db8:a::/96 (ra from $router_a," <<<"$status"
check "the text status lists every candidate" \
        bash -c 'grep -q "2001:db8:b1::/96" <<<"$1" && grep -q "2001:db8:b2::/96" <<<"$1"' _ "$status"

# A withdraws: of B's two, the one with the longest remaining lifetime wins.
v6m_send_ra --pref64 2001:db8:a::/96@0
check "A withdrawn: B's 2001:db8:b1::/96 (1200 s) is chosen over 2001:db8:b2::/96 (300 s)" \
        v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:b1::/96 10
check "two candidates left" v6m_bus wait-candidates "$ifindex" 2 10
check "NAT64PrefixOrigin is router B" v6m_bus wait-prop "$ifindex" NAT64PrefixOrigin "$router_b" 10
v6m_check_log "the journal names router B" "NAT64 prefix 2001:db8:b1::/96 \(source ra, from $router_b\)"

# A comes back with a prefix of its own: B's stays chosen.
v6m_send_ra --pref64 2001:db8:a::/96@3600
check "three candidates again" v6m_bus wait-candidates "$ifindex" 3 10
check_eq "B's prefix stays chosen" "$(v6m_bus get-property "$ifindex" NAT64Prefix)" '"2001:db8:b1::/96"'

# B withdraws both: A's (3600 s) beats nothing else.
send_b --pref64 2001:db8:b1::/96@0 --pref64 2001:db8:b2::/96@0
check "B withdrawn: A's prefix is chosen" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:a::/96 10
check "one candidate left" v6m_bus wait-candidates "$ifindex" 1 10
check "NAT64PrefixOrigin is router A again" v6m_bus wait-prop "$ifindex" NAT64PrefixOrigin "$router_a" 10
v6m_check_log "the journal names router A" "NAT64 prefix 2001:db8:a::/96 \(source ra, from $router_a\)"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
