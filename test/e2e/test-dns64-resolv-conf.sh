#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Without link resolvers (no RDNSS, no DHCPv4 DNS, no [NAT64] DNS=), the plugin asks the
# system's: resolv.conf as c-ares reads it. `ip netns exec` gives the daemon's namespace
# its own /etc/resolv.conf from /etc/netns/NAME/, which names unbound with DNS64.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

v6m_require
v6m_require_dns_tools unbound
v6m_init
v6m_topology 1
mkdir -p "/etc/netns/$V6M_NS_CLIENT"
v6m_cleanup_hooks+=("rm -rf '/etc/netns/$V6M_NS_CLIENT'")
printf 'nameserver %s\n' "$V6M_DNS_ADDRESS" >"/etc/netns/$V6M_NS_CLIENT/resolv.conf"
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

check "NAT64Prefix becomes 2001:db8:64::/96 via the resolv.conf resolver" \
        v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/96 30
json=$(ctl --json status uplink0) || true
v6m_check_json "status: dns64 prefix, no link resolvers" "$json" \
        --expect nat64.source=dns64 --expect dns.servers=[]
v6m_check_log "the origin is the resolv.conf server" \
        'dns64: 2001:db8:1::1 answered ipv4only.arpa with NAT64 prefix 2001:db8:64::/96'
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
