#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Self-test of lib-dhcp4.sh: each DHCPv4 server it can start (kea, dnsmasq,
# isc-dhcp-server; or only those named as arguments) really answers a reference
# client (busybox udhcpc) in the client namespace, with the configured options:
# option 108 in the OFFER and ACK only when the client asks for it and the
# server is configured with it, the lease time, the pool, options 3/6/15/26/121,
# a renewal ACKed; after the server restarted with another pool or subnet, how
# it answers a renewal (NAK or silence) and that it NAKs INIT-REBOOT on the old
# network: the facts test-dhcp4-nak.sh and test-dhcp4-reboot.sh rely on.
# Does not need the daemon. Servers that are not installed are skipped.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

servers=("$@")
(( ${#servers[@]} )) || servers=("${V6M_DHCP4_SERVERS[@]}")

v6m_require
command -v busybox >/dev/null && busybox udhcpc --help >/dev/null 2>&1 ||
        skip "busybox (udhcpc) not installed (run tools/deps)"
available=()
for s in "${servers[@]}"; do
        if v6m_dhcp4_have_server "$s"; then
                available+=("$s")
        else
                note "skipping $s: $(v6m_dhcp4_server_bin "$s") not installed"
        fi
done
(( ${#available[@]} )) || skip "no DHCPv4 server installed (kea-dhcp4-server, dnsmasq-base, isc-dhcp-server)"
command -v ss >/dev/null || skip "ss (iproute2) not installed"

v6m_init
v6m_topology 1
v6m_dhcp4_router_ipv4
v6m_dhcp4_router_ipv4 0 198.51.100.1
v6m_dhcp4_start_sniffer

# The reference client's script records each event's environment and keeps the
# address on the link (udhcpc renews from it, by unicast).
mkdir -p "$V6M_TMP/udhcpc"
cat >"$V6M_TMP/udhcpc.script" <<EOF
#!/bin/sh
n=\$(ls "$V6M_TMP/udhcpc" | wc -l)
env | sort >"$V6M_TMP/udhcpc/\$(printf %03d "\$n")-\$1.env"
case "\$1" in
deconfig|nak|leasefail) ip -4 addr flush dev "\$interface" ;;
bound|renew) ip addr replace "\$ip/\$subnet" dev "\$interface" ;;
esac
exit 0
EOF
chmod 755 "$V6M_TMP/udhcpc.script"

# udhcpc_once ARGS...: one exchange (DISCOVER..ACK) and exit; 20 s at most.
udhcpc_once() {
        rm -f "$V6M_TMP"/udhcpc/*
        ip netns exec "$V6M_NS_CLIENT" timeout 20 busybox udhcpc -f -q -n -t 5 -T 1 \
                -i uplink0 -s "$V6M_TMP/udhcpc.script" "$@" >>"$V6M_TMP/udhcpc.log" 2>&1 || return
        ip -n "$V6M_NS_CLIENT" -4 addr flush dev uplink0
}

# bound_env VAR: VAR from the last "bound" event.
bound_env() {
        local f
        f=$(ls "$V6M_TMP"/udhcpc/*-bound.env 2>/dev/null | tail -n 1)
        [[ -n "$f" ]] && sed -n "s/^$1=//p" "$f"
}

mac=$(ip -n "$V6M_NS_CLIENT" -o link show dev uplink0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
routes=198.51.100.0/24:192.0.2.254,0.0.0.0/0:192.0.2.1

for s in "${available[@]}"; do
        note "==== $s ===="
        case $s in dnsmasq) lease=120 ;; *) lease=20 ;; esac

        # 1. Configured with 108, asked for it: OFFER and ACK carry it.
        v6m_dhcp4_start "$s" v6only=1800 lease=20 mtu=1400 routes=$routes
        v6m_dhcp4_sniff_mark
        check "$s: udhcpc -O 108 gets a lease" udhcpc_once -O 108 -O mtu -O staticroutes
        check "$s: the DISCOVER lists 108 in option 55" \
                test -n "$(v6m_dhcp4_sniffed "in DISCOVER .*chaddr=$mac .*prl=([0-9,]*,)?108(,|$| )")"
        check "$s: the OFFER carries option 108 = 1800" \
                test -n "$(v6m_dhcp4_sniffed "out OFFER .*v6only=1800 ")"
        check "$s: the ACK carries option 108 = 1800 and lease $lease" \
                test -n "$(v6m_dhcp4_sniffed "out ACK .*lease=$lease v6only=1800 ")"
        ip=$(bound_env ip)
        check "$s: the address $ip is in the pool" v6m_dhcp4_in_pool "$ip" 192.0.2.100-192.0.2.149
        check_eq "$s: subnet (option 1)" "$(bound_env subnet)" 255.255.255.0
        check_eq "$s: router (option 3)" "$(bound_env router)" 192.0.2.1
        check_eq "$s: DNS server (option 6)" "$(bound_env dns)" 192.0.2.53
        check_eq "$s: domain (option 15)" "$(bound_env domain)" v6m.test
        check_eq "$s: MTU (option 26)" "$(bound_env mtu)" 1400
        check_eq "$s: classless routes (option 121)" "$(bound_env staticroutes)" \
                "198.51.100.0/24 192.0.2.254 0.0.0.0/0 192.0.2.1"
        check_eq "$s: lease time (option 51)" "$(bound_env lease)" "$lease"

        # 2. Configured with 108, not asked: no 108.
        v6m_dhcp4_sniff_mark
        check "$s: udhcpc without -O 108 gets a lease" udhcpc_once
        check "$s: that DISCOVER does not list 108" \
                test -z "$(v6m_dhcp4_sniffed "in DISCOVER .*prl=([0-9,]*,)?108(,|$| )")"
        check "$s: an OFFER without option 108" test -n "$(v6m_dhcp4_sniffed "out OFFER .*v6only=- ")"
        check_not "$s: no message with option 108" grep -q "v6only=[0-9]" \
                <(v6m_dhcp4_sniffed .)
        check "$s: an ACK" test -n "$(v6m_dhcp4_sniffed "out ACK ")"

        # 3. Not configured with 108, asked for it: no 108.
        v6m_dhcp4_restart "$s" lease=20
        v6m_dhcp4_sniff_mark
        check "$s without 108: udhcpc -O 108 gets a lease" udhcpc_once -O 108
        check "$s without 108: the DISCOVER lists 108" \
                test -n "$(v6m_dhcp4_sniffed "in DISCOVER .*prl=([0-9,]*,)?108(,|$| )")"
        check "$s without 108: an OFFER without option 108" \
                test -n "$(v6m_dhcp4_sniffed "out OFFER .*v6only=- ")"
        check "$s without 108: an ACK without option 108" \
                test -n "$(v6m_dhcp4_sniffed "out ACK .*v6only=- ")"

        # 4. Renewal, then a NAK once the pool changed.
        rm -f "$V6M_TMP"/udhcpc/*
        v6m_dhcp4_sniff_mark
        ip netns exec "$V6M_NS_CLIENT" busybox udhcpc -f -t 5 -T 1 -i uplink0 \
                -s "$V6M_TMP/udhcpc.script" >>"$V6M_TMP/udhcpc.log" 2>&1 </dev/null &
        upid=$!
        v6m_pids+=("$upid")
        check "$s: udhcpc (staying) bound" v6m_dhcp4_wait_sniff "out ACK " 15
        v6m_poll_until 10 v6m_dhcp4_client_has_addr || true
        ip=$(v6m_dhcp4_client_addr)
        v6m_dhcp4_sniff_mark
        kill -USR1 "$upid"
        check "$s: a unicast renewal REQUEST from ${ip%/*} is ACKed" \
                v6m_dhcp4_wait_sniff "out ACK .*dst=${ip%/*} .*yiaddr=${ip%/*} " 10
        check "$s: the renewal REQUEST has ciaddr=${ip%/*}" \
                test -n "$(v6m_dhcp4_sniffed "in REQUEST .*ciaddr=${ip%/*} ")"
        # udhcpc must be back in BOUND before the next SIGUSR1 (in RENEWING, a
        # SIGUSR1 sends it to INIT): wait for its script's "renew" event.
        v6m_poll_until 10 compgen -G "$V6M_TMP/udhcpc/*-renew.env" || true
        # A server NAKs a RENEWING client's REQUEST for an address it no longer
        # serves: dnsmasq always; kea only when the address is on no subnet it
        # serves; ISC dhcpd never on the local wire (by design). Either way
        # udhcpc ends up with an address from the new pool.
        v6m_dhcp4_restart "$s" lease=20 pool=192.0.2.150-192.0.2.199 leases=keep
        v6m_dhcp4_sniff_mark
        kill -USR1 "$upid"
        check "$s: after the pool changed, udhcpc gets an address from the new pool" \
                v6m_dhcp4_wait_sniff "out ACK .*yiaddr=192\.0\.2\.1(5[0-9]|[6-9][0-9]) " 25
        if [[ $s == dnsmasq ]]; then
                check "$s: ... after a NAK to the renewal" test -n "$(v6m_dhcp4_sniffed "out NAK ")"
        else
                check_eq "$s: ... without a NAK to the renewal (the REQUEST is dropped)" \
                        "$(v6m_dhcp4_sniffed "out NAK ")" ""
        fi

        # Renumbered: the client's subnet is no longer served.
        v6m_poll_until 5 v6m_dhcp4_client_addr_matches "^192\.0\.2\.1[5-9][0-9]/" || true
        ip=$(v6m_dhcp4_client_addr)
        v6m_dhcp4_restart "$s" lease=20 subnet=198.51.100.0/24 leases=keep
        v6m_dhcp4_sniff_mark
        kill -USR1 "$upid"
        check "$s: after renumbering, udhcpc gets an address in 198.51.100.0/24" \
                v6m_dhcp4_wait_sniff "out ACK .*yiaddr=198\.51\.100\.1[0-4][0-9] " 25
        if [[ $s == dhcpd ]]; then
                check_eq "$s: ... without a NAK to the renewal from ${ip%/*}" "$(v6m_dhcp4_sniffed "out NAK ")" ""
        else
                check "$s: ... after a NAK to the renewal from ${ip%/*}" test -n "$(v6m_dhcp4_sniffed "out NAK ")"
        fi
        v6m_kill "$upid"
        ip -n "$V6M_NS_CLIENT" -4 addr flush dev uplink0

        # 5. INIT-REBOOT for an address on the old network: all three NAK it.
        v6m_dhcp4_sniff_mark
        ip netns exec "$V6M_NS_CLIENT" "$V6M_PYTHON" "$V6M_E2E_DIR/dhcp4-init-reboot.py" uplink0 192.0.2.120
        check "$s: an INIT-REBOOT REQUEST for 192.0.2.120 on the renumbered link gets a NAK" \
                v6m_dhcp4_wait_sniff "out NAK xid=0x76366d31 " 10
        ip -n "$V6M_NS_CLIENT" -4 addr flush dev uplink0
        v6m_dhcp4_stop
done
v6m_finish
