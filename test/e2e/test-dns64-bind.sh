#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RFC 7050 discovery against a real BIND 9 with dns64 in the router namespace, learned
# through [NAT64] DNS=: the prefix shows up with source "dns64", the resolver as its
# origin and a lifetime of the answer's TTL (plus the plugin's grace). Then BIND is
# restarted with a /56 (a shorter RFC 6052 length), `v6mostlyctl renew` asks again and
# the new prefix replaces the old one. Last, BIND with two dns64 prefixes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

TTL=60
GRACE=10 # DNS64_GRACE_USEC in src/plugins/dns64/dns64.c

v6m_require
v6m_require_dns_tools named
v6m_init
v6m_topology 1
v6m_start_bind 2001:db8:64::/96 "$TTL"
v6m_dns64_network
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

check "NAT64Prefix becomes 2001:db8:64::/96 (DNS64 via BIND)" \
        v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/96 30
check_eq "NAT64PrefixSource is dns64" "$(v6m_bus get-property "$if0" NAT64PrefixSource 2>&1)" '"dns64"'
json=$(ctl --json status uplink0) || true
v6m_check_json "status: dns64 prefix and candidate" "$json" --schema \
        --expect nat64.prefix=2001:db8:64::/96 --expect nat64.source=dns64 \
        --expect nat64.candidates.0.source=dns64
lifetime=$(jq -r .nat64.lifetime_remaining_s <<<"$json")
if (( lifetime > TTL - 5 && lifetime <= TTL + GRACE )); then
        pass "lifetime ${lifetime} s is the answer's TTL (${TTL} s) plus at most ${GRACE} s grace"
else
        fail "lifetime ${lifetime} s, wanted about ${TTL} s (+${GRACE} s grace)"
fi
v6m_check_log "the origin is the resolver that answered" \
        'dns64: 2001:db8:1::1 answered ipv4only.arpa with NAT64 prefix 2001:db8:64::/96 \(TTL [0-9]+ s\)'

# A shorter prefix: BIND synthesises under 2001:db8:122:300::/56 (RFC 6052 §2.2, the u
# octet skipped). Renew makes the daemon ask at once instead of at the TTL.
v6m_stop_dns
v6m_start_bind 2001:db8:122:300::/56 "$TTL"
check "v6mostlyctl renew uplink0 exits 0" ctl renew uplink0
check "NAT64Prefix becomes 2001:db8:122:300::/56 after renew" \
        v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:122:300::/56 20
json=$(ctl --json status uplink0) || true
v6m_check_json "status: the /56 replaced the /96 (one candidate)" "$json" \
        --expect nat64.prefix=2001:db8:122:300::/56 --expect nat64.source=dns64 \
        --expect "nat64.candidates.0.prefix=2001:db8:122:300::/56"
check_eq "only one candidate left" "$(jq '.nat64.candidates | length' <<<"$json")" 1

# A DNS64 with two prefixes (RFC 7050 §3: the node uses the first it finds): one of
# them is used, as the only DNS64 candidate, and the other one is logged.
v6m_stop_dns
v6m_start_bind 2001:db8:64::/96 "$TTL" 2001:db8:6464::/96
check "v6mostlyctl renew uplink0 exits 0" ctl renew uplink0
check "the plugin notes the second prefix" \
        v6m_wait_log_count 'dns64: 2001:db8:1::1 also synthesises with 2001:db8:(64|6464)::/96 \(not used\)' 1 20
# The /56 goes once the core has taken the new answer (sets $json).
prefix_replaced() {
        json=$(ctl --json status uplink0) || return 0
        [[ "$(jq -r .nat64.prefix <<<"$json")" != 2001:db8:122:300::/56 ]]
}
v6m_poll_until 10 prefix_replaced || true
used=$(jq -r .nat64.prefix <<<"$json")
other=$(grep -Eo 'also synthesises with [^ ]+' "$V6M_DAEMON_LOG" | tail -n 1 | awk '{ print $4 }')
check "the prefix in use is one of BIND's two ($used)" grep -Eqx '2001:db8:(64|6464)::/96' <<<"$used"
check_not "the other one ($other) is not the one in use" test "$used" = "$other"
check_eq "one DNS64 candidate" "$(jq '.nat64.candidates | length' <<<"$json")" 1
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
