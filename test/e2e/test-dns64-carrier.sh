#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Carrier and DNS64. While the carrier is down nothing is asked and the DNS64 prefix
# stays (it expires on its own; a short outage must not drop it); when the carrier comes
# back the plugin asks again at once, without waiting for the TTL (300 s here) - the
# network may be another one.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

ASKING='dns64: asking 2001:db8:1::1 for ipv4only.arpa AAAA'
ANSWERED='dns64: 2001:db8:1::1 answered ipv4only.arpa with NAT64 prefix 2001:db8:64::/96'

v6m_require
v6m_require_dns_tools unbound
v6m_init
v6m_topology 1
# The router keeps 2001:db8:1::1, where unbound listens, while r0 is down.
ip netns exec "$V6M_NS_ROUTER" sysctl -qw net.ipv6.conf.r0.keep_addr_on_down=1
v6m_start_unbound 2001:db8:64::/96 300
v6m_dns64_network
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

check "NAT64Prefix becomes 2001:db8:64::/96" v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/96 30
answered=$(v6m_count_log "$ANSWERED")

ip -n "$V6M_NS_ROUTER" link set r0 down
v6m_wait_state uplink0 pending 20
asked=$(v6m_count_log "$ASKING")
check_eq "the DNS64 prefix stays while the carrier is down" \
        "$(v6m_bus get-property "$if0" NAT64Prefix 2>&1)" '"2001:db8:64::/96"'

ip -n "$V6M_NS_ROUTER" link set r0 up
check "carrier back: the plugin asks again at once" v6m_wait_log_count "$ASKING" $((asked + 1)) 10
check "and gets the answer (well before the 300 s TTL)" v6m_wait_log_count "$ANSWERED" $((answered + 1)) 20
v6m_wait_state uplink0 degraded 30
check_eq "NAT64Prefix is 2001:db8:64::/96" "$(v6m_bus get-property "$if0" NAT64Prefix 2>&1)" '"2001:db8:64::/96"'
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
