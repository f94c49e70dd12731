#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The server's pool moves (argument: kea|dnsmasq|dhcpd): bound on
# 192.0.2.0/24, the server restarts (keeping its lease database) serving only
# 198.51.100.0/24, and `v6mostlyctl renew uplink0` makes the client ask again.
# The server refuses the old address with a DHCPNAK — kea and dnsmasq in any
# state; ISC dhcpd only to INIT-REBOOT (it stays silent to a RENEWING client on
# the local wire, by design: the client then gets there at expiry) — and the
# client restarts from INIT: a new address from the new pool, the old address
# and its route gone, the new default route via 198.51.100.1.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

server=$(v6m_dhcp4_server_arg "$@") || exit 2
v6m_dhcp4_test_setup "$server"
L=$(v6m_dhcp4_lease_time "$server" 20)

v6m_dhcp4_start "$server" lease=20
v6m_dhcp4_network_file IPv6OnlyPreferred=yes
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state bound 30 || exit 1
old=$(v6m_dhcp4_json address)
check "bound to $old from the first pool" v6m_dhcp4_in_pool "$old" 192.0.2.100-192.0.2.149

v6m_dhcp4_router_ipv4 0 198.51.100.1
v6m_dhcp4_restart "$server" lease=20 subnet=198.51.100.0/24 leases=keep
v6m_dhcp4_sniff_mark
check "v6mostlyctl renew uplink0 exits 0" ctl renew uplink0
check "the client sends a REQUEST for ${old%/*}" \
        v6m_dhcp4_wait_sniff "in REQUEST .*(ciaddr|reqip)=${old%/*} " 10
first=$(v6m_dhcp4_sniffed "in REQUEST .*(ciaddr|reqip)=${old%/*} " | head -n1)
if [[ "$first" == *" ciaddr=0.0.0.0 "* ]]; then
        kind=INIT-REBOOT
        expect_nak=1
else
        kind=RENEWING
        [[ "$server" == dhcpd ]] && expect_nak=0 || expect_nak=1
fi
note "the client's REQUEST after renew is $kind-style: $first"

if (( expect_nak )); then
        check "$server answers the $kind REQUEST with a NAK" v6m_dhcp4_wait_sniff "out NAK " 10
        t_nak=$(v6m_dhcp4_sniffed "out NAK " | head -n1 | cut -d' ' -f1)
        v6m_dhcp4_wait_dhcp4_state bound 30 || true
else
        note "dhcpd does not NAK a RENEWING client on the local wire: waiting for expiry"
        v6m_dhcp4_wait_dhcp4_state bound $((L + 30)) || true
fi
new=$(v6m_dhcp4_wait_field address '^198\.51\.100\.' 15)
check "a new address from the new pool ($new)" v6m_dhcp4_in_pool "$new" 198.51.100.100-198.51.100.149
if [[ -n "${t_nak:-}" ]]; then
        t_disc=$(v6m_dhcp4_sniffed "in DISCOVER " | head -n1 | cut -d' ' -f1)
        check "after the NAK the client starts from INIT: DISCOVER within 10 s" \
                awk -v a="$t_nak" -v b="${t_disc:-0}" 'BEGIN { exit !(b >= a && b - a <= 10) }'
fi
check_eq "uplink0 has only the new address" "$(v6m_dhcp4_client_addr)" "$new"
route=$(v6m_dhcp4_client_default_route)
check "the default route is via 198.51.100.1 ($route)" grep -Eq '^default via 198\.51\.100\.1 ' <<<"$route"
check_eq "one IPv4 default route" "$(wc -l <<<"$route")" 1
sid=$(v6m_dhcp4_sniffed "out ACK .*yiaddr=${new%/*} " | tail -n1 | grep -o 'sid=[^ ]*')
check_eq "the JSON names the server of the ACK" "sid=$(v6m_dhcp4_json server)" "$sid"
v6m_finish
