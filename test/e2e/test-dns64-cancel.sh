#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Queries in flight are cancelled cleanly. The resolver 2001:db8:1::53 does not exist
# (on-link, no neighbour answers), so each query hangs until c-ares gives up. While one
# hangs: (1) UseDNS64=no by reload stops it; (2) UseDNS64=yes again starts a new one,
# and removing the link then takes it down with the link. The daemon (built with ASan
# by tools/test) keeps running and exits 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

V6M_DNS_ADDRESS=2001:db8:1::53
ASKING='dns64: asking 2001:db8:1::53 for ipv4only.arpa AAAA'

v6m_require
v6m_require_dns_tools
v6m_init
v6m_topology 1
v6m_dns64_network
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

# Until SLAAC is done a query fails at once (no route); once the link is ipv6-only the
# next retry (backoff at most 8 s by then) hangs.
v6m_wait_state uplink0 ipv6-only 30
asked=$(v6m_count_log "$ASKING")
check "a query to the silent resolver is sent" v6m_wait_log_count "$ASKING" $((asked + 1)) 15

# (1) UseDNS64=no while the query is in flight.
sed -i 's/^UseDNS64=yes/UseDNS64=no/' "$V6M_TMP/network/50-uplink.network"
asked=$(v6m_count_log "$ASKING")
failed=$(v6m_count_log 'dns64: asking 2001:db8:1::53 for ipv4only.arpa failed')
check "v6mostlyctl reload exits 0" ctl reload
check "UseDNS64=no cancels the query in flight" v6m_wait_log_count 'dns64: cancelling the query in flight' 1 10
check "v6mostlyd is still running after the cancel" v6m_daemon_alive

# (2) Back on: a new query; then the link goes away under it.
sed -i 's/^UseDNS64=no/UseDNS64=yes/' "$V6M_TMP/network/50-uplink.network"
check "v6mostlyctl reload exits 0" ctl reload
check "UseDNS64=yes asks again" v6m_wait_log_count "$ASKING" $((asked + 1)) 10
check_eq "the cancelled query reported no failure" \
        "$(v6m_count_log 'dns64: asking 2001:db8:1::53 for ipv4only.arpa failed')" "$failed"
ip -n "$V6M_NS_CLIENT" link del uplink0
check "uplink0's bus object goes away" v6m_bus wait-gone "$if0" 10
check "the link's removal cancelled its query" v6m_wait_log_count 'dns64: cancelling the query in flight' 2 10
check "v6mostlyd is still running after the link went away mid-query" v6m_daemon_alive
check_eq "no link, no bus objects for it" "$(ctl --json list | jq '[.[] | select(.name == "uplink0")] | length')" 0
v6m_finish
