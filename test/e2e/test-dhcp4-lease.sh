#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A lease's whole life against a real server (argument: kea|dnsmasq|dhcpd) that
# does not offer option 108 (the link asks for it: IPv6OnlyPreferred=yes):
#  - bound: the address (with a finite lifetime), the default route via
#    option 3 with RouteMetric=, the MTU of option 26 on uplink0; dhcp4 in the
#    JSON; DNS server and domain in the JSON's "dns" object when it has one;
#  - renewal at T1: a unicast REQUEST from the address, ACKed, and
#    lease_remaining_s goes back up;
#  - the server killed: REBINDING broadcasts, then at expiry (not before) the
#    address, the route and the MTU go, dhcp4 leaves "bound", and what the
#    client did not add (the IPv6 default route) stays.
# Short leases (20 s; dnsmasq grants no less than 120 s).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

server=$(v6m_dhcp4_server_arg "$@") || exit 2
v6m_dhcp4_test_setup "$server"
L=$(v6m_dhcp4_lease_time "$server" 20)

v6m_dhcp4_start "$server" lease=20 mtu=1400
v6m_dhcp4_network_file IPv6OnlyPreferred=yes RouteMetric=1234
v6m_start_daemon
v6m_dhcp4_wait_dhcp4_state bound 30 || exit 1
t_bound=$EPOCHREALTIME

json=$(ctl --json status uplink0)
addr=$(jq -r .dhcp4.address <<<"$json")
v6m_check_json "bound: dhcp4 in the JSON" "$json" --schema \
        --expect dhcp4.state=bound --expect dhcp4.server=192.0.2.1 \
        --expect dhcp4.v6only_wait_remaining_s=null
check "the address $addr is from the pool" v6m_dhcp4_in_pool "$addr" 192.0.2.100-192.0.2.149
check_eq "the address has the subnet's prefix length" "${addr#*/}" 24
rem=$(jq -r .dhcp4.lease_remaining_s <<<"$json")
check "lease_remaining_s $rem is in [$((L - 10)), $L]" test "$rem" -ge $((L - 10)) -a "$rem" -le "$L"
check_eq "uplink0 has exactly the leased IPv4 address" "$(v6m_dhcp4_client_addr)" "$addr"
lft=$(ip -n "$V6M_NS_CLIENT" -4 -o addr show dev uplink0 scope global | grep -o 'valid_lft [^ ]*' | head -n1)
check "the address has a finite lifetime ($lft)" test -n "$lft" -a "$lft" != "valid_lft forever"
route=$(v6m_dhcp4_client_default_route)
check "default route via 192.0.2.1 metric 1234 ($route)" grep -Eq '^default via 192\.0\.2\.1 .*metric 1234( |$)' <<<"$route"
check_eq "uplink0's MTU is option 26's 1400" "$(ip -n "$V6M_NS_CLIENT" -o link show dev uplink0 | grep -o 'mtu [0-9]*')" "mtu 1400"
check "the DISCOVER asked for 108; the OFFER had none" \
        test -n "$(v6m_dhcp4_sniffed "in DISCOVER .*$(v6m_dhcp4_prl_has 108)")" -a \
        -n "$(v6m_dhcp4_sniffed "out OFFER .*v6only=- ")"
if jq -e 'has("dns")' <<<"$json" >/dev/null; then
        check "DNS server 192.0.2.53 (option 6) in the JSON" \
                jq -e '.dns.servers | tostring | contains("192.0.2.53")' <<<"$json"
        check "domain v6m.test (option 15) in the JSON" \
                jq -e '.dns.domains | index("v6m.test") != null' <<<"$json"
else
        note "no \"dns\" object in the JSON yet: DNS server and domain not checked"
fi
v6m_wait_state uplink0 dual-stack 30
ip6route=$(ip -n "$V6M_NS_CLIENT" -6 route show default dev uplink0)
check "an IPv6 default route (radvd's) is there too" test -n "$ip6route"

# ---- renewal at T1 (L/2)
check "a renewal REQUEST from ${addr%/*} within $L s" \
        v6m_dhcp4_wait_sniff "in REQUEST .*src=${addr%/*} .*ciaddr=${addr%/*} " "$L"
check "the renewal is unicast to the server" \
        test -n "$(v6m_dhcp4_sniffed "in REQUEST .*src=${addr%/*} dst=192\.0\.2\.1 .*ciaddr=${addr%/*} ")"
check "$server ACKs the renewal" v6m_dhcp4_wait_sniff "out ACK .*ciaddr=${addr%/*} " 10
t_ack=$(v6m_dhcp4_sniffed "out ACK .*ciaddr=${addr%/*} " | tail -n1 | cut -d' ' -f1)
v6m_dhcp4_sniff_mark
check "lease_remaining_s goes back up after the renewal" \
        v6m_dhcp4_wait_field lease_remaining_s "^($((L - 3))|$((L - 2))|$((L - 1))|$L)$" 5
check_eq "the address stays" "$(v6m_dhcp4_client_addr)" "$addr"
note "bound $(awk -v a="$t_bound" -v b="${t_ack:-0}" 'BEGIN { printf "%.1f", b - a }') s before the renewal ACK"

# ---- expiry: the server is gone
v6m_dhcp4_stop
v6m_poll_until $((L + 15)) v6m_not v6m_dhcp4_client_has_addr || true
t_gone=$EPOCHREALTIME
check_eq "the address is removed at expiry" "$(v6m_dhcp4_client_addr)" ""
if [[ -n "$t_ack" ]]; then
        held=$(awk -v a="$t_ack" -v b="$t_gone" 'BEGIN { printf "%.1f", b - a }')
        check "the address is kept until the lease ends ($held s after the last ACK, lease $L s)" \
                awk -v h="$held" -v l="$L" 'BEGIN { exit !(h >= l - 1) }'
fi
check "REBINDING: broadcast REQUESTs from ${addr%/*} before expiry" \
        test -n "$(v6m_dhcp4_sniffed "in REQUEST .*dst=255\.255\.255\.255 .*ciaddr=${addr%/*} ")"
check_eq "the default route is removed" "$(v6m_dhcp4_client_default_route)" ""
check_not "dhcp4 leaves bound" v6m_dhcp4_wait_field state '^bound$' 0
check "dhcp4.address is null" v6m_dhcp4_wait_field address '^null$' 5
check_eq "uplink0's MTU is back to 1500" "$(ip -n "$V6M_NS_CLIENT" -o link show dev uplink0 | grep -o 'mtu [0-9]*')" "mtu 1500"
check_eq "the IPv6 default route is untouched" "$(ip -n "$V6M_NS_CLIENT" -6 route show default dev uplink0 | cut -d' ' -f1-5)" \
        "$(cut -d' ' -f1-5 <<<"$ip6route")"
check_not "the link is no longer dual-stack" test "$(ctl --json status uplink0 | jq -r .state)" = dual-stack
check "the client looks for a server again (DISCOVER)" v6m_dhcp4_wait_sniff "in DISCOVER " 15
v6m_finish
