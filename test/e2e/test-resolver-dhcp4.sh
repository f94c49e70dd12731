#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DHCPv4 lease servers and domain (options 6, 15) in the resolver (backend "file"): on
# a dual-stack link the lease's come first, the RA's RDNSS after them; losing the lease
# (the server stops, the lease expires) removes the lease's and keeps the RA's. Then
# the .network keys: UseDomains=route keeps the domains out of resolv.conf (it cannot
# say routing-only), UseDNS=no the servers.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"
source "$(dirname "$0")/resolver-lib.sh"

server=kea
v6m_dhcp4_have_server kea || server=dhcpd
v6m_require_scapy
v6m_dhcp4_test_setup "$server"
export V6M_RESOLVE_BACKEND=file
conf=$V6M_TMP/run/resolv.conf
ENTRIES='^(nameserver|search|domain|options) '

v6m_dhcp4_start "$server" lease=20 dns=192.0.2.53,192.0.2.54 domain=corp.example
network() {
        v6m_network_file 50-uplink0.network <<CONF
[Match]
Name=uplink0

[Network]
DHCPv4=yes
$1

[NAT64]
Prefix=64:ff9b::/96

[DHCPv4]
IPv6OnlyPreferred=no
CONF
}
network ""
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state bound 30 || exit 1
check "the lease's servers and domain are in the file" v6m_wait_file_lines "$conf" "$ENTRIES" \
        "nameserver 192.0.2.53
nameserver 192.0.2.54
search corp.example" 10
v6m_send_ra --rdnss 2001:db8:1::53@600 --dnssl v6m.example@600
check "dual-stack: the lease's first, the RA's after" v6m_wait_file_lines "$conf" "$ENTRIES" \
        "nameserver 192.0.2.53
nameserver 192.0.2.54
nameserver 2001:db8:1::53
search corp.example v6m.example" 10

# UseDomains=route: no search line; UseDNS=no: no nameserver lines.
network "UseDomains=route"
check "v6mostlyctl reload exits 0" ctl reload
check "UseDomains=route: the domains leave resolv.conf" v6m_wait_file_lines "$conf" "$ENTRIES" \
        "nameserver 192.0.2.53
nameserver 192.0.2.54
nameserver 2001:db8:1::53" 15
network "UseDNS=no"
check "v6mostlyctl reload exits 0" ctl reload
check "UseDNS=no: the servers leave resolv.conf" v6m_wait_file_lines "$conf" "$ENTRIES" \
        "search corp.example v6m.example" 15
network ""
check "v6mostlyctl reload exits 0" ctl reload
v6m_dhcp4_wait_dhcp4_state bound 30 || true
v6m_send_ra --rdnss 2001:db8:1::53@600 --dnssl v6m.example@600
check "both back" v6m_wait_file_lines "$conf" '^nameserver ' "nameserver 192.0.2.53
nameserver 192.0.2.54
nameserver 2001:db8:1::53" 15

# Lease loss: the server goes, the 20 s lease runs out.
v6m_dhcp4_stop
check "lease loss removes the lease's servers and domain, the RA's stay" \
        v6m_wait_file_lines "$conf" "$ENTRIES" "nameserver 2001:db8:1::53
search v6m.example" 40
check_not "the link no longer holds the lease" test "$(v6m_dhcp4_json state)" = bound

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
