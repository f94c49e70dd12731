#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The CLAT control plane over a link's life: the CLAT runs while the decision
# holds and everything it added (TUN device, IPv4 address, route of protocol
# 118, NS answers) goes away when it does not: NAT64 prefix change (restart with
# the new one), CLAT=no, native IPv4, IPv6 default route lost, link down, kill -9
# and restart (no duplicates), the uplink's MTU changing (restart with the new
# one), daemon stop. DAD: an address already on the link
# makes the daemon pick the next one. Argument: the backend (tun, the default, or
# ebpf; for ebpf "everything" includes its tc filter on the uplink).
source "$(dirname "$0")/lib.sh"

V6M_CLAT=1
backend=${1:-tun}
export V6M_CLAT_BACKEND=$backend
v6m_require
if [[ $backend == ebpf ]]; then
        [[ -e "$V6MOSTLY_PLUGIN_DIR/clat-ebpf.so" ]] || skip "clat-ebpf not built (no clang/bpftool/libbpf)"
fi
command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
v6m_init
v6m_topology 1
v6m_plat
v6m_clat_network uplink0
v6m_start_bus
v6m_start_daemon
v6m_wait_state uplink0 ipv6-mostly 30 || exit 1
ifindex=$(v6m_ifindex uplink0)
tun="v6mclat$ifindex"
clat6=$(ctl --json status uplink0 | jq -r .clat.ipv6_address)
ping4() {
        ip netns exec "$V6M_NS_CLIENT" ping -c2 -i0.5 -W2 "$V6M_SERVER4" >/dev/null && return 0
        echo "counters: $(ctl --json status uplink0 | jq -c .clat.counters)"
        echo "client neighbours:"; ip -n "$V6M_NS_CLIENT" -6 neigh
        echo "router neighbours:"; ip -n "$V6M_NS_ROUTER" -6 neigh
        return 1
}
clat_no() { # the same .network with CLAT=no
        v6m_clat_network uplink0
        sed -i 's/^DHCPv4=no$/DHCPv4=no\nCLAT=no/' "$V6M_TMP/network/50-uplink0.network"
}
clat6_now() { ctl --json status uplink0 | jq -r .clat.ipv6_address; }
# tc filters of ours on the uplink (eBPF backend): the program names start v6m_clat_
our_filters() {
        tc -n "$V6M_NS_CLIENT" filter show dev uplink0 ingress 2>/dev/null | grep -c 'v6m_clat_' || true
}
one_each() { # exactly one TUN, one CLAT IPv4 address, one route of ours (and one filter)
        local got want_filters=0
        got=$(v6m_clat_leftovers uplink0)
        [[ $backend == ebpf ]] && want_filters=1
        [[ $(grep -c "^$tun\$" <<<"$got") == 1 && $(grep -c '192\.0\.0\.1/' <<<"$got") == 1 &&
           $(grep -c "^default dev $tun " <<<"$got") == 1 && $(our_filters) == "$want_filters" ]] ||
                { echo "$got"; echo "tc filters of ours: $(our_filters)"; return 1; }
}
nothing_left() {
        local got
        got=$(v6m_clat_leftovers uplink0)
        [[ -z "$got" && $(our_filters) == 0 ]] || { echo "$got"; echo "tc filters of ours: $(our_filters)"; return 1; }
}
check "running: one TUN, one address, one route" one_each
check "ping works" ping4

# ---- NAT64 prefix change → restart with the new prefix, then back
v6m_clat_network uplink0 2001:db8:6464::/96
ctl reload >/dev/null
check "reload: NAT64Prefix is the new one" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:6464::/96 10
v6m_wait_state uplink0 ipv6-mostly 15
v6m_check_log "the CLAT was restarted for the new prefix" "Restarting the CLAT: NAT64 prefix changed|Stopping CLAT"
check "after the prefix change: still one TUN, one address, one route" one_each
check_eq "the CLAT IPv6 address is stable (same link, same /64, same secret)" "$(clat6_now)" "$clat6"
v6m_clat_network uplink0
ctl reload >/dev/null
check "reload back: NAT64Prefix is the PLAT's" v6m_bus wait-prop "$ifindex" NAT64Prefix "$V6M_PLAT_PREFIX" 10
v6m_wait_state uplink0 ipv6-mostly 15
check "ping works with the PLAT's prefix again" ping4

# ---- CLAT=no removes everything; auto brings it back
clat_no
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-only 15
check "CLAT=no: nothing left" nothing_left
check "CLAT=no: the CLAT IPv6 address is no longer answered" \
        bash -c "ip netns exec $V6M_NS_ROUTER ip -6 neigh flush dev r0; ip netns exec $V6M_NS_ROUTER ping -6 -c1 -W1 $clat6 >/dev/null 2>&1; ! ip -n $V6M_NS_ROUTER -6 neigh show $clat6 dev r0 | grep -q lladdr"
v6m_clat_network uplink0
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-mostly 15

# ---- native IPv4 appears → dual-stack, CLAT gone; goes away → CLAT back
ip -n "$V6M_NS_CLIENT" addr add 10.99.0.2/24 dev uplink0
v6m_wait_state uplink0 dual-stack 15
check "native IPv4: nothing left" nothing_left
ip -n "$V6M_NS_CLIENT" addr del 10.99.0.2/24 dev uplink0
v6m_wait_state uplink0 ipv6-mostly 15
check "native IPv4 gone: one TUN, one address, one route" one_each

# ---- IPv6 default route lost → CLAT gone
v6m_kill "$V6M_RADVD_PID"
ip -n "$V6M_NS_CLIENT" -6 route del default dev uplink0 2>/dev/null || true
v6m_wait_state uplink0 configuring 15
check "no IPv6 default route: nothing left" nothing_left
v6m_restart_radvd
v6m_wait_state uplink0 ipv6-mostly 30

# ---- link down → everything removed; up → back (the router keeps its
# address across the bounce, or it would lose the route back to the /64)
ip netns exec "$V6M_NS_ROUTER" sysctl -qw net.ipv6.conf.r0.keep_addr_on_down=1
ip -n "$V6M_NS_ROUTER" link set r0 down
v6m_wait_state uplink0 pending 15
check "link down: nothing left" nothing_left
ip -n "$V6M_NS_ROUTER" link set r0 up
v6m_wait_state uplink0 ipv6-mostly 30
check "link up again: one TUN, one address, one route" one_each
check "ping works after the link came back" ping4

# ---- the uplink's MTU changes → the CLAT restarts with MTU - 28, and back
mtu_of() { ip -n "$V6M_NS_CLIENT" -o link show dev "$1" | grep -oE ' mtu [0-9]+' | awk '{ print $2 }'; }
ip -n "$V6M_NS_ROUTER" link set r0 mtu 1400
ip -n "$V6M_NS_CLIENT" link set uplink0 mtu 1400
check "uplink MTU 1400: the CLAT's MTU becomes 1372 (bus)" \
        v6m_bus wait-prop "$ifindex" CLATMTU 1372 15
v6m_wait_state uplink0 ipv6-mostly 30
check_eq "the CLAT device has MTU 1372" "$(mtu_of "$tun")" 1372
check "one TUN, one address, one route after the restart" one_each
check "ping works at the new MTU" ping4
too_big() {
        local out
        out=$(ip netns exec "$V6M_NS_CLIENT" ping -c1 -W2 -M do -s 1345 "$V6M_SERVER4" 2>&1) || true
        grep -q 'mtu=1372' <<<"$out" || { echo "$out"; return 1; }
}
check "a 1373-byte IPv4 packet with DF is refused locally (local error: message too long, mtu=1372)" too_big
ip -n "$V6M_NS_CLIENT" link set uplink0 mtu 1500
ip -n "$V6M_NS_ROUTER" link set r0 mtu 1500
check "uplink MTU 1500 again: the CLAT's MTU is 1472 again" \
        v6m_bus wait-prop "$ifindex" CLATMTU 1472 15
v6m_wait_state uplink0 ipv6-mostly 30

# ---- kill -9, restart: no duplicates, same addresses
v6m_kill9_daemon
v6m_start_daemon
v6m_wait_state uplink0 ipv6-mostly 30
check "after kill -9 and restart: one TUN, one address, one route" one_each
check_eq "after kill -9 and restart: the same CLAT IPv6 address" "$(clat6_now)" "$clat6"
check "ping works after kill -9 and restart" ping4

# ---- DAD: another node holds the address → the next one (RFC 7217 DAD_Counter)
ip -n "$V6M_NS_ROUTER" addr add "$clat6/64" dev r0 nodad
clat_no
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-only 15
v6m_clat_network uplink0
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-mostly 30
new6=$(ctl --json status uplink0 | jq -r .clat.ipv6_address)
check "DAD collision: another CLAT IPv6 address in the same /64" \
        bash -c '[[ "$1" != "$2" && "$1" == 2001:db8:1:* ]]' _ "$new6" "$clat6"
v6m_check_log "the collision was logged" "is in use by another node, trying the next one"
check "ping works with the second address" ping4
ip -n "$V6M_NS_ROUTER" addr del "$clat6/64" dev r0

# ---- the TUN device deleted under the translator: reported, not silent
ip -n "$V6M_NS_CLIENT" link del "$tun"
v6m_wait_state uplink0 degraded 15
json=$(ctl --json status uplink0) || true
check "TUN deleted: the reason says the translator stopped" \
        bash -c 'jq -r .clat.reason <<<"$1" | grep -q "TUN translator stopped"' _ "$json"
check "TUN deleted: nothing left" nothing_left
clat_no
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-only 15
v6m_clat_network uplink0
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-mostly 30
check "after CLAT=no and back: one TUN, one address, one route" one_each

# ---- no /64 on the link → degraded with that reason; a /64 appears → running
ip netns exec "$V6M_NS_CLIENT" sysctl -qw net.ipv6.conf.uplink0.autoconf=0
ip -n "$V6M_NS_CLIENT" addr add 2001:db8:1::99/128 dev uplink0 nodad
for a in $(ip -n "$V6M_NS_CLIENT" -6 -o addr show dev uplink0 scope global | awk '$4 ~ /\/64$/ { print $4 }'); do
        ip -n "$V6M_NS_CLIENT" addr del "$a" dev uplink0
done
v6m_wait_state uplink0 degraded 15
json=$(ctl --json status uplink0) || true
v6m_check_json "no /64: degraded, and the reason says why" "$json" --expect state=degraded \
        --expect "reason=CLAT failed: no SLAAC /64 on the link for the CLAT IPv6 address (set [CLAT] IPv6Address=)"
check "no /64: nothing left" nothing_left
ip -n "$V6M_NS_CLIENT" addr add 2001:db8:1::5/64 dev uplink0 nodad
v6m_wait_state uplink0 ipv6-mostly 15
check "a /64 again: one TUN, one address, one route" one_each
check "ping works with the CLAT address in the new /64" ping4

# ---- daemon stop removes everything
v6m_stop_daemon
check "daemon stopped: nothing left" nothing_left
v6m_finish
