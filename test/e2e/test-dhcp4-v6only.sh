#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RFC 8925 against a real server (argument: kea|dnsmasq|dhcpd). The server
# offers option 108 and the link asks for it (IPv6OnlyPreferred=yes):
#  1. V6ONLY_WAIT 1800: the client lists 108 in option 55, takes no lease (no
#     REQUEST, no IPv4 address or route on uplink0), dhcp4.state is "v6only"
#     with v6only_wait_remaining_s ≈ 1800 and the server's address.
#  2. V6ONLY_WAIT 60 (after a daemon restart): the wait is the 300 s floor
#     (MIN_V6ONLY_WAIT) — the real floor, no test knob set.
#  3. If the plugin has the test-only knob V6MOSTLY_DHCP4_MIN_V6ONLY_WAIT: with
#     V6ONLY_WAIT 3 and the floor lowered to 1 s, the client starts again from
#     INIT when the wait ends and goes v6only again; once the server no longer
#     offers 108, it binds a lease.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

server=$(v6m_dhcp4_server_arg "$@") || exit 2
v6m_dhcp4_test_setup "$server"
unset V6MOSTLY_DHCP4_MIN_V6ONLY_WAIT

# check_wait DESCRIPTION MIN MAX: v6only_wait_remaining_s in [MIN, MAX].
check_wait() {
        local w
        w=$(v6m_dhcp4_json v6only_wait_remaining_s)
        if [[ "$w" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v w="$w" -v a="$2" -v b="$3" 'BEGIN { exit !(w >= a && w <= b) }'; then
                pass "$1: v6only_wait_remaining_s $w in [$2, $3]"
        else
                fail "$1: v6only_wait_remaining_s is '$w', wanted [$2, $3]"
        fi
}

no_ipv4_on_link() {
        check_eq "$1: no IPv4 address on uplink0" "$(v6m_dhcp4_client_addr)" ""
        check_eq "$1: no IPv4 default route on uplink0" "$(v6m_dhcp4_client_default_route)" ""
}

# ---- 1. V6ONLY_WAIT 1800
v6m_dhcp4_start "$server" v6only=1800
v6m_dhcp4_network_file IPv6OnlyPreferred=yes
v6m_dhcp4_sniff_mark
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state v6only 30 || exit 1
check_wait "V6ONLY_WAIT 1800" 1780 1800
json=$(ctl --json status uplink0)
v6m_check_json "V6ONLY_WAIT 1800: dhcp4 v6only, no address, server 192.0.2.1" "$json" \
        --expect dhcp4.state=v6only --expect dhcp4.address=null \
        --expect dhcp4.server=192.0.2.1 --expect dhcp4.lease_remaining_s=null
check "the client's DISCOVER lists 108 in option 55" \
        test -n "$(v6m_dhcp4_sniffed "in DISCOVER .*$(v6m_dhcp4_prl_has 108)")"
check "$server's OFFER carries V6ONLY_WAIT 1800" test -n "$(v6m_dhcp4_sniffed "out OFFER .*v6only=1800 ")"
check_eq "the client sent no REQUEST (took no lease)" "$(v6m_dhcp4_sniffed "in REQUEST")" ""
no_ipv4_on_link "V6ONLY_WAIT 1800"
check_not "the link is not dual-stack" test "$(jq -r .state <<<"$json")" = dual-stack
v6m_stop_daemon

# ---- 2. V6ONLY_WAIT 60: the 300 s floor
v6m_dhcp4_restart "$server" v6only=60
v6m_dhcp4_sniff_mark
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state v6only 30 || exit 1
check "$server's OFFER carries V6ONLY_WAIT 60" test -n "$(v6m_dhcp4_sniffed "out OFFER .*v6only=60 ")"
check_wait "V6ONLY_WAIT 60 raised to MIN_V6ONLY_WAIT" 280 300
check_eq "V6ONLY_WAIT 60: the client sent no REQUEST" "$(v6m_dhcp4_sniffed "in REQUEST")" ""
no_ipv4_on_link "V6ONLY_WAIT 60"
v6m_stop_daemon

# ---- 3. the wait ends: INIT again (test knob for the floor)
if ! grep -q V6MOSTLY_DHCP4_MIN_V6ONLY_WAIT "$(v6m_dhcp4_plugin_path)"; then
        note "the plugin has no V6MOSTLY_DHCP4_MIN_V6ONLY_WAIT knob: not testing the end of the wait"
        v6m_finish
fi
v6m_dhcp4_restart "$server" v6only=3
v6m_dhcp4_sniff_mark
export V6MOSTLY_DHCP4_MIN_V6ONLY_WAIT=1
v6m_start_daemon
unset V6MOSTLY_DHCP4_MIN_V6ONLY_WAIT
v6m_dhcp4_wait_dhcp4_state v6only 30 || exit 1
check_wait "V6ONLY_WAIT 3 with the floor at 1 s" 0 3
check "when the wait ends the client discovers again and gets 108 again" \
        v6m_dhcp4_wait_sniff "out OFFER .*v6only=3 " 15 2
check "... and asks for 108 again" \
        test "$(v6m_dhcp4_sniffed_xids "in DISCOVER .*$(v6m_dhcp4_prl_has 108)")" -ge 2
v6m_dhcp4_wait_dhcp4_state v6only 10
check_eq "still no REQUEST" "$(v6m_dhcp4_sniffed "in REQUEST")" ""
no_ipv4_on_link "after the second OFFER with 108"

v6m_dhcp4_restart "$server"
v6m_dhcp4_wait_dhcp4_state bound 30
addr=$(v6m_dhcp4_json address)
check "without 108 from the server, the next INIT binds a lease from the pool ($addr)" \
        v6m_dhcp4_in_pool "$addr" 192.0.2.100-192.0.2.149
check_eq "the address is on uplink0" "$(v6m_dhcp4_client_addr)" "${addr}"
v6m_finish
