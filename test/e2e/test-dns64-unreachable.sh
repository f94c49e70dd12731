#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DNS64 resolver unreachable. (1) It was never started: the plugin retries with
# exponential backoff (2 s, 4 s, 8 s, ...), there is no prefix, the daemon keeps going.
# (2) It starts: the next retry finds the prefix. (3) It is killed: the refresh fails,
# retries back off again, and the prefix is dropped once its lifetime (TTL + grace)
# has passed without a confirmation.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

TTL=5
GRACE=10 # DNS64_GRACE_USEC in src/plugins/dns64/dns64.c

v6m_require
v6m_require_dns_tools unbound
v6m_init
v6m_topology 1
v6m_dns64_network
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

# (1) Nothing listens on 2001:db8:1::1 port 53.
check "retries back off: 2 s, 4 s, 8 s" v6m_wait_log_count 'dns64: no prefix from any resolver, asking again in 8 s' 1 40
backoff=$(grep -Eo 'asking again in [0-9]+ s' "$V6M_DAEMON_LOG" | grep -Eo '[0-9]+' | tr '\n' ' ')
check_eq "backoff sequence" "$backoff" "2 4 8 "
v6m_check_log "the failure is logged with its reason" 'dns64: asking 2001:db8:1::1 for ipv4only.arpa failed: '
check_eq "no NAT64 prefix" "$(v6m_bus get-property "$if0" NAT64PrefixSource 2>&1)" '"none"'
check "v6mostlyd is still running" v6m_daemon_alive

# (2) The resolver appears: the next retry (at most 8 s away) gets the prefix.
v6m_start_unbound 2001:db8:64::/96 "$TTL"
check "the next retry finds 2001:db8:64::/96" v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/96 20
answered_at=$SECONDS

# (3) The resolver dies: no confirmation, the prefix goes when TTL + grace has passed.
v6m_stop_dns
check "the prefix is dropped once it can no longer be confirmed" \
        v6m_bus wait-prop "$if0" NAT64PrefixSource none $((TTL + GRACE + 15))
elapsed=$((SECONDS - answered_at))
if (( elapsed >= TTL + GRACE - 2 )); then
        pass "dropped ${elapsed} s after the last answer (TTL ${TTL} s + grace ${GRACE} s), not before"
else
        fail "dropped after ${elapsed} s, before TTL ${TTL} s + grace ${GRACE} s"
fi
v6m_check_log "the core expired the DNS64 candidate" 'NAT64 prefix 2001:db8:64::/96 withdrawn'
check "failed refreshes are retried" v6m_wait_log_count 'dns64: no prefix from any resolver, asking again in' 5 20
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
