#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RFC 5227 conflict detection (argument: kea|dnsmasq|dhcpd). Another host on the
# link answers the client's ARP probe for the address it was just given: the
# client must not use that address (never on uplink0), DECLINE it to the server
# (option 50 = the address), and after the RFC 2131 §3.1.5 wait of 10 s start
# again and bind another address from the pool.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

server=$(v6m_dhcp4_server_arg "$@") || exit 2
v6m_dhcp4_test_setup "$server"
"$V6M_PYTHON" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy is not installed"

v6m_dhcp4_start "$server" pool=192.0.2.100-192.0.2.103 lease=60
v6m_dhcp4_network_file IPv6OnlyPreferred=no
claim_out="$V6M_TMP/arp-claim.out"
ip netns exec "$V6M_NS_ROUTER" "$V6M_PYTHON" "$V6M_E2E_DIR/dhcp4-arp-claim.py" r0 60 >"$claim_out" 2>&1 &
v6m_pids+=($!)
claim_pid=$!
# scapy takes a moment to import: start the client once it listens.
v6m_poll_until 30 grep -q '^ready' "$claim_out" || die "the ARP claimer did not start: $(cat "$claim_out")"
v6m_dhcp4_sniff_mark
v6m_start_daemon

v6m_wait_exit "$claim_pid" 40 || die "no ARP probe from the client within 40 s"
claimed=$(sed -n 's/^claimed //p' "$claim_out")
check "the client probed an address of the pool before using it ($claimed)" \
        v6m_dhcp4_in_pool "$claimed/24" 192.0.2.100-192.0.2.103
check "the client sends DECLINE for $claimed" v6m_dhcp4_wait_sniff "in DECLINE .*reqip=$claimed " 10
v6m_check_log "the daemon says why" "is in use by another host"

v6m_dhcp4_wait_dhcp4_state bound 40 || exit 1
addr=$(v6m_dhcp4_json address)
check "then another address from the pool ($addr)" v6m_dhcp4_in_pool "$addr" 192.0.2.100-192.0.2.103
check_not "... not the declined one" test "${addr%/*}" = "$claimed"
check_eq "uplink0 has only the new address" "$(v6m_dhcp4_client_addr)" "$addr"
decline_t=$(v6m_dhcp4_sniffed "in DECLINE " | head -n1 | cut -d' ' -f1)
discover_t=$(v6m_dhcp4_sniffed "in DISCOVER " | tail -n1 | cut -d' ' -f1)
check "the next DISCOVER came at least 10 s after the DECLINE" \
        awk -v a="$decline_t" -v b="$discover_t" 'BEGIN { exit !(b - a >= 9.9) }'
v6m_finish
