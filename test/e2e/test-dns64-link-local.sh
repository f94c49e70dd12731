#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A link-local resolver: the RA's RDNSS names the router's own link-local address, where
# unbound with DNS64 listens. Such an address is only reachable through the link, so the
# plugin binds its query to the interface; the prefix's origin carries it (addr%uplink0).
source "$(dirname "$0")/lib.sh"

v6m_require
v6m_require_scapy
v6m_init
v6m_topology 1
router_ll=$(ip -n "$V6M_NS_ROUTER" -6 -o addr show dev r0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
[[ -n "$router_ll" ]] || die "r0 has no link-local address"
V6M_DNS_ADDRESS="$router_ll%r0"
source "$(dirname "$0")/dns64-lib.sh"
v6m_require_dns_tools unbound
v6m_start_unbound 2001:db8:64::/96 300
v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no
CONF
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

v6m_send_ra --rdnss "$router_ll@600"
check "NAT64Prefix becomes 2001:db8:64::/96 from the link-local resolver" \
        v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/96 20
check_eq "NAT64PrefixSource is dns64" "$(v6m_bus get-property "$if0" NAT64PrefixSource 2>&1)" '"dns64"'
check_eq "NAT64PrefixOrigin names the resolver and the link" \
        "$(v6m_bus get-property "$if0" NAT64PrefixOrigin 2>&1)" "\"$router_ll%uplink0\""
v6m_check_log "the origin names the resolver and its interface" \
        "dns64: $router_ll%uplink0 answered ipv4only.arpa with NAT64 prefix 2001:db8:64::/96"
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
