#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The CLAT end to end, for one backend (argument: tun, the default, or ebpf): an
# IPv6-only link (SLAAC + default route from radvd), a real tayga NAT64 in the
# router, an IPv4-only server behind it. The link reaches ipv6-mostly with that
# backend; IPv4-only clients work: ping (also big ones, whose replies the NAT64
# fragments and the CLAT reassembles), a 100 MB TCP download with checksum,
# UDP both ways, traceroute (ICMP Time Exceeded translated back), PMTU discovery
# through a smaller MTU on the IPv4 side. Both backends keep the TUN device (the
# eBPF one as the IPv4 route target and slow path), so the checks are the same.
source "$(dirname "$0")/lib.sh"

V6M_CLAT=1
backend=${1:-tun}
export V6M_CLAT_BACKEND=$backend
v6m_require
if [[ $backend == ebpf ]]; then
        [[ -e "$V6MOSTLY_PLUGIN_DIR/clat-ebpf.so" ]] || skip "clat-ebpf not built (no clang/bpftool/libbpf)"
        command -v bpftool >/dev/null || skip "bpftool not installed (run tools/deps)"
fi
command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
command -v curl >/dev/null || skip "curl not installed (run tools/deps)"
command -v iperf3 >/dev/null || skip "iperf3 not installed (run tools/deps)"
command -v traceroute >/dev/null || skip "traceroute not installed (run tools/deps)"
command -v ethtool >/dev/null || skip "ethtool not installed (run tools/deps)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
v6m_init
v6m_topology 1
v6m_plat
v6m_clat_network uplink0
v6m_start_bus
v6m_start_daemon
v6m_wait_state uplink0 ipv6-mostly 30 || exit 1
ifindex=$(v6m_ifindex uplink0)

json=$(ctl --json status uplink0) || true
v6m_check_json "status: ipv6-mostly, CLAT running with backend $backend, 192.0.0.1, MTU 1472" "$json" \
        --expect state=ipv6-mostly --expect clat.state=running --expect clat.backend="$backend" \
        --expect clat.ipv4_address=192.0.0.1 --expect clat.mtu=1472
clat6=$(jq -r .clat.ipv6_address <<<"$json")
check "the CLAT IPv6 address is in the SLAAC /64, not the host's own" \
        bash -c '[[ "$1" == 2001:db8:1:* ]] && ! ip -n "$2" -6 addr show | grep -q "$1/"' _ "$clat6" "$V6M_NS_CLIENT"
check_eq "bus CLATIPv6Address" "$(v6m_bus get-property "$ifindex" CLATIPv6Address 2>&1)" "\"$clat6\""
check_eq "bus CLATBackend" "$(v6m_bus get-property "$ifindex" CLATBackend 2>&1)" "\"$backend\""
tun="v6mclat$ifindex"
check "TUN $tun carries 192.0.0.1/32" bash -c "ip -n $V6M_NS_CLIENT -4 addr show dev $tun | grep -q 'inet 192.0.0.1/32'"
check "IPv4 default route via $tun, proto 118, highest metric" \
        bash -c "ip -n $V6M_NS_CLIENT -4 route show default | grep -q 'dev $tun proto 118 .*metric 4294967295'"
check "TSO is on on the TUN (the next hop is resolved)" \
        bash -c "ip netns exec $V6M_NS_CLIENT ethtool -k $tun | grep -q 'tcp-segmentation-offload: on'"
check_not "IPv6 forwarding stays off" bash -c "[[ \$(ip netns exec $V6M_NS_CLIENT sysctl -n net.ipv6.conf.all.forwarding) == 1 ]]"
# The echo itself is not answered (its source is not under the NAT64 prefix):
# it only makes the router solicit the address.
ip netns exec "$V6M_NS_ROUTER" ping -6 -c1 -W1 "$clat6" >/dev/null 2>&1 || true
check "the router resolved the CLAT IPv6 address (our NS responder answered)" \
        bash -c "ip -n $V6M_NS_ROUTER -6 neigh show $clat6 dev r0 | grep -q lladdr"

# ---- ICMP echo
check "ping $V6M_SERVER4 through CLAT + NAT64" ip netns exec "$V6M_NS_CLIENT" ping -c3 -i0.2 -W2 "$V6M_SERVER4"

# ---- big ICMP echo. The server's replies over 1260 bytes have no DF, so the NAT64
# fragments their IPv6 translation (RFC 7915 §4); a fragment of an ICMP message cannot
# be translated alone (its checksum covers the whole), so the CLAT reassembles the
# ICMPv6 messages addressed to it first. With -s 3000 the client's own stack fragments
# the request at the CLAT MTU: the CLAT reassembles that too and the translator cuts
# IPv6 fragments. tayga itself drops fragmented ICMPv6 ("Fragmented ICMP" in its
# parse_ip6()), so that one goes to an IPv6 host under the NAT64 prefix: the router's
# own address for 100.64.100.11, which reassembles the request and fragments its reply
# like any IPv6 node (and like a NAT64 that reassembles, as Jool does).
icmp_fragmented() { ctl --json status uplink0 | jq '.clat.counters.dropped["icmp-fragmented"] // 0'; }
before=$(icmp_fragmented)
check "ping -s 1400 $V6M_SERVER4 through CLAT + NAT64 (fragmented replies reassembled)" \
        ip netns exec "$V6M_NS_CLIENT" ping -c3 -i0.2 -W2 -s 1400 "$V6M_SERVER4"
ip -n "$V6M_NS_ROUTER" addr add 2001:db8:64::6440:640b/128 dev r0 nodad
check "ping -s 1400 100.64.100.11 (an IPv6 host under the NAT64 prefix) through the CLAT" \
        ip netns exec "$V6M_NS_CLIENT" ping -c3 -i0.2 -W2 -s 1400 100.64.100.11
check "ping -s 3000 100.64.100.11 through the CLAT (fragmented both ways, both reassembled)" \
        ip netns exec "$V6M_NS_CLIENT" ping -c3 -i0.2 -W2 -s 3000 100.64.100.11
ip -n "$V6M_NS_ROUTER" addr del 2001:db8:64::6440:640b/128 dev r0
check_eq "no fragmented ICMP dropped by the translator (icmp-fragmented)" "$(icmp_fragmented)" "$before"
json=$(ctl --json status uplink0) || true
check "no reassembly drops" \
        jq -e '[.clat.counters.dropped | keys[] | select(startswith("fragment-"))] | length == 0' <<<"$json"

# ---- 100 MB TCP download, checksum compared
head -c 100M /dev/urandom >"$V6M_TMP/blob"
want=$(sha256sum <"$V6M_TMP/blob" | cut -d' ' -f1)
(cd "$V6M_TMP" && exec ip netns exec "$V6M_NS_SERVER" "$V6M_PYTHON" -m http.server -b "$V6M_SERVER4" 8080) \
        >"$V6M_TMP/http.log" 2>&1 &
v6m_pids+=("$!")
v6m_wait_listening "$V6M_NS_SERVER" 8080 || die "the web server did not start"
t0=$EPOCHREALTIME
got=$(ip netns exec "$V6M_NS_CLIENT" curl -sf --max-time 60 "http://$V6M_SERVER4:8080/blob" | sha256sum | cut -d' ' -f1)
note "100 MB download took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s"
check_eq "100 MB TCP download through the CLAT has the right SHA-256" "$got" "$want"
rm -f "$V6M_TMP/blob"

# ---- UDP both ways (iperf3 -u sends client->server, -R server->client)
ip netns exec "$V6M_NS_SERVER" iperf3 -s -B "$V6M_SERVER4" -p 5201 >"$V6M_TMP/iperf3.log" 2>&1 &
v6m_pids+=("$!")
v6m_wait_listening "$V6M_NS_SERVER" 5201 || die "iperf3 -s did not start"
udp_ok() { # ARGS: iperf3 -u, the receiver must have got packets and lost few
        local out
        out=$(ip netns exec "$V6M_NS_CLIENT" iperf3 -c "$V6M_SERVER4" -u -b 2M -t 1 -l 1000 --json "$@") || true
        if ! jq -e '.end.sum.packets > 0 and .end.sum.lost_percent < 50' <<<"$out" >/dev/null 2>&1; then
                jq -c '.error // .end.sum' <<<"$out" 2>/dev/null || echo "$out"
                return 1
        fi
}
check "UDP client → server" udp_ok
check "UDP server → client" udp_ok -R

# ---- TTL expiry: traceroute sees translated ICMP Time Exceeded, then the server
trace=$(ip netns exec "$V6M_NS_CLIENT" traceroute -n -q1 -w2 -m6 "$V6M_SERVER4" 2>&1) || true
note "traceroute:"; sed 's/^/    | /' <<<"$trace"
check "traceroute: the first hop answers with Time Exceeded (translated, from 192.0.0.8)" \
        bash -c 'awk "\$1 == 1 { print \$2 }" <<<"$1" | grep -q "^192\.0\.0\.8$"' _ "$trace"
check "traceroute reaches $V6M_SERVER4" bash -c 'tail -n1 <<<"$1" | grep -q "$2"' _ "$trace" "$V6M_SERVER4"

# ---- PMTU: a 1400-byte link on the IPv4 side. Uploads need Fragmentation
# Needed from the router, translated by tayga to Packet Too Big, translated by
# the CLAT back to Fragmentation Needed for the client's TCP.
ip -n "$V6M_NS_ROUTER" link set rs0 mtu 1400
ip -n "$V6M_NS_SERVER" link set s0 mtu 1400
check "TCP upload with a 1400-byte IPv4 link on the path (PMTU via translated ICMP)" \
        ip netns exec "$V6M_NS_CLIENT" timeout 30 iperf3 -c "$V6M_SERVER4" -n 5M
# The same on the IPv6 side of the PLAT: the router's own Packet Too Big.
ip -n "$V6M_NS_ROUTER" link set rs0 mtu 1500
ip -n "$V6M_NS_SERVER" link set s0 mtu 1500
ip -n "$V6M_NS_ROUTER" link set nat64 mtu 1400
check "TCP upload with a 1400-byte NAT64 link (ICMPv6 Packet Too Big translated)" \
        ip netns exec "$V6M_NS_CLIENT" timeout 30 iperf3 -c "$V6M_SERVER4" -n 5M
check "the client learned a smaller path MTU" \
        bash -c "ip -n $V6M_NS_CLIENT route get $V6M_SERVER4 | grep -q 'mtu 1[34]'"

# ---- an on-link NAT64 prefix: no router MAC to put in front of the packets, so
# the backend sends through the kernel's IPv6 stack (raw socket) and turns TSO
# off on its TUN (a raw socket cannot carry GSO super-packets)
ip -n "$V6M_NS_ROUTER" link set nat64 mtu 1500
ip -n "$V6M_NS_ROUTER" addr add 2001:db8:64::6440:640b/128 dev r0 nodad
head -c 20M /dev/urandom >"$V6M_TMP/blob2"
want=$(sha256sum <"$V6M_TMP/blob2" | cut -d' ' -f1)
(cd "$V6M_TMP" && exec ip netns exec "$V6M_NS_ROUTER" "$V6M_PYTHON" -m http.server -b 2001:db8:64::6440:640b 8081) \
        >"$V6M_TMP/http2.log" 2>&1 &
v6m_pids+=("$!")
v6m_wait_listening "$V6M_NS_ROUTER" 8081 || die "the second web server did not start"
ip -n "$V6M_NS_CLIENT" -6 route add "$V6M_PLAT_PREFIX" dev uplink0
v6m_poll_until 10 grep -q "IPv6 next hop not resolved, using the kernel" "$V6M_DAEMON_LOG" || true
v6m_check_log "on-link prefix: the backend falls back to the kernel's IPv6 stack" "IPv6 next hop not resolved, using the kernel"
check "on-link prefix: TSO is off on the TUN" \
        bash -c "ip netns exec $V6M_NS_CLIENT ethtool -k $tun | grep -q 'tcp-segmentation-offload: off'"
got=$(ip netns exec "$V6M_NS_CLIENT" curl -sf --max-time 60 "http://100.64.100.11:8081/blob2" | sha256sum | cut -d' ' -f1)
check_eq "on-link prefix: 20 MB download through the fallback has the right SHA-256" "$got" "$want"
ip -n "$V6M_NS_CLIENT" -6 route del "$V6M_PLAT_PREFIX" dev uplink0
rm -f "$V6M_TMP/blob2"

json=$(ctl --json status uplink0) || true
check "counters: packets translated both ways" \
        jq -e '.clat.counters.packets_4to6 > 1000 and .clat.counters.packets_6to4 > 1000' <<<"$json"
note "counters: $(jq -c .clat.counters <<<"$json")"
if [[ $backend == ebpf ]]; then
        note "eBPF counters: $(v6m_ebpf_counters | tr '\n' ' ')"
        check "eBPF: packets took the fast path both ways" \
                test "$(v6m_ebpf_counter fast_4to6)" -gt 1000 -a "$(v6m_ebpf_counter fast_6to4)" -gt 1000
        check "eBPF: the ICMP errors (traceroute, PMTU) took the slow path" \
                test "$(v6m_ebpf_counter slow_6to4)" -gt 0
fi
v6m_finish
