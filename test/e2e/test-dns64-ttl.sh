#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The TTL of the ipv4only.arpa answer drives re-queries: with a 4 s TTL the plugin asks
# unbound again after each TTL, every answer extends the candidate, and the prefix never
# lapses in between (no withdrawal, the state never leaves `degraded`) over several
# TTLs, although each single answer would have expired.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

TTL=4
GRACE=10 # DNS64_GRACE_USEC in src/plugins/dns64/dns64.c
ANSWERED='dns64: 2001:db8:1::1 answered ipv4only.arpa with NAT64 prefix 2001:db8:64::/96'

v6m_require
v6m_require_dns_tools unbound
v6m_init
v6m_topology 1
v6m_start_unbound 2001:db8:64::/96 "$TTL"
v6m_dns64_network
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

check "NAT64Prefix becomes 2001:db8:64::/96" v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/96 30
v6m_wait_state uplink0 degraded 20
v6m_start_monitor
first=$SECONDS

# Four answers: the last comes about three refresh periods (TTL + 1 s, at least 5 s)
# after the first, well past the first answer's TTL + grace.
check "the plugin asked again after each TTL (4 answers)" v6m_wait_log_count "$ANSWERED" 4 40
note "4 answers in $((SECONDS - first)) s after the first"
check_eq "NAT64Prefix is still 2001:db8:64::/96" "$(v6m_bus get-property "$if0" NAT64Prefix 2>&1)" \
        '"2001:db8:64::/96"'
json=$(ctl --json status uplink0) || true
lifetime=$(jq -r .nat64.lifetime_remaining_s <<<"$json")
if (( lifetime > 0 && lifetime <= TTL + GRACE )); then
        pass "lifetime ${lifetime} s comes from the latest answer (TTL ${TTL} s + ${GRACE} s grace)"
else
        fail "lifetime ${lifetime} s, wanted at most $((TTL + GRACE)) s"
fi
check_not "the core never withdrew the prefix in between" grep -Eq 'NAT64 prefix .* withdrawn|candidate\(s\) expired' \
        "$V6M_DAEMON_LOG"
v6m_stop_monitor
check_eq "the monitor saw no transition of uplink0" "$(v6m_monitor_states uplink0 | tr '\n' ' ')" ""
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
