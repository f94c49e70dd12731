#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The lease survives a daemon restart (argument: kea|dnsmasq|dhcpd):
#  1. SendRelease=no: bound, the daemon stops without a DHCPRELEASE; started
#     again, it does INIT-REBOOT (a REQUEST for the remembered address, no
#     ciaddr, no server identifier, no DISCOVER first) and keeps the address.
#  1b. Carrier lost and back: the address and the lease are kept, then
#     confirmed with INIT-REBOOT, and the link never calls its own address
#     another tool's.
#  2. Stopped again; the server now serves another subnet: the INIT-REBOOT
#     REQUEST gets a NAK (all three servers NAK an INIT-REBOOT client on the
#     wrong network), and the client starts from INIT and binds a new address.
#  3. SendRelease=yes: stopping the daemon releases that lease (DHCPRELEASE
#     with ciaddr = the address, to the server).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

server=$(v6m_dhcp4_server_arg "$@") || exit 2
v6m_dhcp4_test_setup "$server"

# ---- 1.
v6m_dhcp4_start "$server" lease=60
v6m_dhcp4_network_file IPv6OnlyPreferred=yes SendRelease=no
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state bound 30 || exit 1
addr=$(v6m_dhcp4_json address)
check "bound to $addr" v6m_dhcp4_in_pool "$addr" 192.0.2.100-192.0.2.149
v6m_dhcp4_sniff_mark
v6m_stop_daemon
check_eq "SendRelease=no: no DHCPRELEASE on stop" "$(v6m_dhcp4_sniffed "in RELEASE")" ""
note "after the stop uplink0 has: '$(v6m_dhcp4_client_addr)'"

v6m_dhcp4_sniff_mark
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state bound 30 || exit 1
check_eq "after the restart the same address" "$(v6m_dhcp4_json address)" "$addr"
check_eq "uplink0 has it" "$(v6m_dhcp4_client_addr)" "$addr"
req=$(v6m_dhcp4_sniffed "in REQUEST " | head -n1)
check "INIT-REBOOT: a REQUEST for ${addr%/*} without ciaddr and server identifier ($req)" \
        grep -Eq " ciaddr=0\.0\.0\.0 .* reqip=${addr%/*} sid=- " <<<"$req"
check_eq "no DISCOVER after the restart" "$(v6m_dhcp4_sniffed "in DISCOVER ")" ""
check "$server ACKs it" test -n "$(v6m_dhcp4_sniffed "out ACK .*yiaddr=${addr%/*} ")"
check "a default route via 192.0.2.1" grep -q '^default via 192\.0\.2\.1 ' <<<"$(v6m_dhcp4_client_default_route)"

# ---- 1b. Carrier lost and back: the lease and its address are kept (still
# bound), then asked for again with INIT-REBOOT; at no point does the link take
# its own DHCPv4 address for one configured by another tool.
log_from=$(( $(wc -l <"$V6M_DAEMON_LOG") + 1 ))
ip -n "$V6M_NS_ROUTER" link set r0 down
v6m_wait_state uplink0 pending 10 || exit 1
check_eq "no carrier: uplink0 keeps $addr" "$(v6m_dhcp4_client_addr)" "$addr"
check_eq "no carrier: DHCPv4 is still bound" "$(v6m_dhcp4_json state)" bound
v6m_dhcp4_sniff_mark
ip -n "$V6M_NS_ROUTER" link set r0 up
check "carrier back: an INIT-REBOOT REQUEST for ${addr%/*}" \
        v6m_dhcp4_wait_sniff "in REQUEST .* ciaddr=0\.0\.0\.0 .* reqip=${addr%/*} " 15
check "$server ACKs it" v6m_dhcp4_wait_sniff "out ACK .*yiaddr=${addr%/*} " 10
v6m_wait_state uplink0 dual-stack 10 || exit 1
check_eq "the same address" "$(v6m_dhcp4_json address)" "$addr"
check "never \"configured by another tool\" on the way" \
        bash -c "! tail -n +$log_from '$V6M_DAEMON_LOG' | grep 'another tool'"

# ---- 2.
v6m_stop_daemon
v6m_dhcp4_router_ipv4 0 198.51.100.1
v6m_dhcp4_restart "$server" lease=60 subnet=198.51.100.0/24 leases=keep
v6m_dhcp4_network_file IPv6OnlyPreferred=yes SendRelease=yes
v6m_dhcp4_sniff_mark
v6m_start_daemon
check "INIT-REBOOT REQUEST for ${addr%/*} after the restart" \
        v6m_dhcp4_wait_sniff "in REQUEST .* ciaddr=0\.0\.0\.0 .* reqip=${addr%/*} " 15
check "$server NAKs it (wrong network)" v6m_dhcp4_wait_sniff "out NAK " 10
v6m_dhcp4_wait_field address '^198\.51\.100\.' 30 >/dev/null || true
v6m_dhcp4_wait_dhcp4_state bound 10
new=$(v6m_dhcp4_json address)
check "then a new address from the new subnet ($new)" v6m_dhcp4_in_pool "$new" 198.51.100.100-198.51.100.149
check "through a DISCOVER after the NAK" test -n "$(v6m_dhcp4_sniffed "in DISCOVER ")"
check_eq "uplink0 has only the new address" "$(v6m_dhcp4_client_addr)" "$new"

# ---- 3.
v6m_dhcp4_sniff_mark
v6m_stop_daemon
check "SendRelease=yes: a DHCPRELEASE for ${new%/*} on stop" \
        v6m_dhcp4_wait_sniff "in RELEASE .* ciaddr=${new%/*} .* sid=[0-9]" 5
v6m_finish
