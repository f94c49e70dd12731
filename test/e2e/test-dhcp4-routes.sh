#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Classless static routes (option 121, RFC 3442) against a real server
# (argument: kea|dnsmasq|dhcpd): with 121 present the client ignores option 3
# (here 192.0.2.253) and installs 121's routes, the default route among them,
# with RouteMetric=; at expiry they are removed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

server=$(v6m_dhcp4_server_arg "$@") || exit 2
v6m_dhcp4_test_setup "$server"
L=$(v6m_dhcp4_lease_time "$server" 20)

v6m_dhcp4_start "$server" lease=20 router=192.0.2.253 \
        routes=203.0.113.0/24:192.0.2.254,0.0.0.0/0:192.0.2.1
v6m_dhcp4_network_file IPv6OnlyPreferred=no RouteMetric=777
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state bound 30 || exit 1
check "the client asks for option 121" \
        test -n "$(v6m_dhcp4_sniffed "in DISCOVER .*$(v6m_dhcp4_prl_has 121)")"
routes=$(ip -n "$V6M_NS_CLIENT" -4 route show dev uplink0)
check "203.0.113.0/24 via 192.0.2.254 metric 777" \
        grep -Eq '^203\.0\.113\.0/24 via 192\.0\.2\.254 .*metric 777( |$)' <<<"$routes"
check "default via 192.0.2.1 (from 121) metric 777" \
        grep -Eq '^default via 192\.0\.2\.1 .*metric 777( |$)' <<<"$routes"
check_not "no route via 192.0.2.253 (option 3 is ignored when 121 is present)" \
        grep -q 'via 192\.0\.2\.253' <<<"$routes"
[[ -n "$(v6m_dhcp4_client_addr)" ]] || fail "no IPv4 address on uplink0"
echo "    routes: $(tr '\n' ';' <<<"$routes")"

v6m_dhcp4_stop
v6m_poll_until $((L + 15)) v6m_not v6m_dhcp4_client_has_addr || true
check_eq "at expiry the address is removed" "$(v6m_dhcp4_client_addr)" ""
check_eq "and 121's routes with it" \
        "$(ip -n "$V6M_NS_CLIENT" -4 route show dev uplink0 | grep -E '^(default|203\.0\.113\.)')" ""
v6m_finish
