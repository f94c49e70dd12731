#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RFC 7050 discovery against a real unbound with the dns64 module and a /64 prefix
# (RFC 6052 §2.2: the IPv4 address straddles the u octet). The prefix comes with source
# "dns64" and a lifetime of the answer's TTL (plus grace); the link state and the bus
# follow. Setting UseDNS64=no and reloading withdraws it at once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

TTL=45
GRACE=10 # DNS64_GRACE_USEC in src/plugins/dns64/dns64.c

v6m_require
v6m_require_dns_tools unbound
v6m_init
v6m_topology 1
v6m_start_unbound 2001:db8:64::/64 "$TTL"
v6m_dns64_network
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

check "NAT64Prefix becomes 2001:db8:64::/64 (DNS64 via unbound)" \
        v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/64 30
check_eq "NAT64PrefixSource is dns64" "$(v6m_bus get-property "$if0" NAT64PrefixSource 2>&1)" '"dns64"'
check_eq "NAT64PrefixOrigin is the resolver" "$(v6m_bus get-property "$if0" NAT64PrefixOrigin 2>&1)" '"2001:db8:1::1"'
json=$(ctl --json status uplink0) || true
v6m_check_json "status: dns64 prefix" "$json" --schema \
        --expect nat64.prefix=2001:db8:64::/64 --expect nat64.source=dns64
lifetime=$(jq -r .nat64.lifetime_remaining_s <<<"$json")
if (( lifetime > TTL - 5 && lifetime <= TTL + GRACE )); then
        pass "lifetime ${lifetime} s is the answer's TTL (${TTL} s) plus at most ${GRACE} s grace"
else
        fail "lifetime ${lifetime} s, wanted about ${TTL} s (+${GRACE} s grace)"
fi
v6m_wait_state uplink0 degraded 20 # a prefix but no CLAT backend in this build

# UseDNS64=no: the plugin withdraws its prefix and stops asking.
v6m_dns64_network
sed -i 's/^UseDNS64=yes/UseDNS64=no/' "$V6M_TMP/network/50-uplink.network"
check "v6mostlyctl reload exits 0" ctl reload
check "NAT64PrefixSource becomes none after UseDNS64=no" \
        v6m_bus wait-prop "$if0" NAT64PrefixSource none 10
v6m_check_log "the withdrawal is logged" 'dns64: withdrawing 2001:db8:64::/64 from 2001:db8:1::1'
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
