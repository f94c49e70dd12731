#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel-module CLAT backend (Jool SIIT in a namespace of its own), on a kernel
# that has jool_siit (the 6.1 VM of test/vm/run-vm-tests.sh; skipped elsewhere):
# Backend=kmod tun runs kmod; ping, TCP and UDP through Jool + the PLAT; the Jool
# instance exists while it runs; stop removes it; kill -9 leaves nothing (the
# kernel destroys the namespace, and Jool its instance, with the daemon); faults
# under it fall through to tun with the reason on the link: the host-side device
# deleted, jool_siit unloaded; a daemon without CAP_SYS_ADMIN runs tun and says
# why.
source "$(dirname "$0")/lib.sh"

V6M_CLAT=1
export V6M_CLAT_BACKEND="kmod tun"
v6m_require
[[ -e "$V6MOSTLY_PLUGIN_DIR/clat-kmod.so" ]] || skip "clat-kmod not built"
command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
command -v jool_siit >/dev/null || skip "jool-tools not installed (run tools/deps)"
modprobe jool_siit 2>/dev/null || skip "jool_siit cannot be loaded on $(uname -r) (run test/vm/run-vm-tests.sh)"
v6m_init
v6m_topology 1
v6m_plat
v6m_clat_network uplink0
v6m_start_bus
v6m_start_daemon
v6m_wait_state uplink0 ipv6-mostly 30 || exit 1
ifindex=$(v6m_ifindex uplink0)
dev="v6mclat$ifindex"

instances() { jool_siit instance display --no-headers --csv 2>/dev/null | grep -c ',v6mostly,' || true; }
no_instance() { [[ $(instances) == 0 ]]; }

json=$(ctl --json status uplink0) || true
v6m_check_json "status: CLAT running with backend kmod" "$json" --expect state=ipv6-mostly \
        --expect clat.state=running --expect clat.backend=kmod --expect clat.ipv4_address=192.0.0.1
check_eq "one Jool instance named v6mostly" "$(instances)" 1
check "$dev carries 192.0.0.1/32" bash -c "ip -n $V6M_NS_CLIENT -4 addr show dev $dev | grep -q 'inet 192.0.0.1/32'"
check "IPv4 default route via inet6 fe80::2 dev $dev, proto 118" \
        bash -c "ip -n $V6M_NS_CLIENT -4 route show default | grep -q 'via inet6 fe80::2 dev $dev proto 118'"
check_not "IPv6 forwarding stays off on the host" \
        bash -c "[[ \$(ip netns exec $V6M_NS_CLIENT sysctl -n net.ipv6.conf.all.forwarding) == 1 ]]"
check "ping $V6M_SERVER4 through Jool + NAT64" ip netns exec "$V6M_NS_CLIENT" ping -c3 -i0.2 -W2 "$V6M_SERVER4"

ip netns exec "$V6M_NS_SERVER" iperf3 -s -B "$V6M_SERVER4" -p 5201 >"$V6M_TMP/iperf3.log" 2>&1 &
v6m_pids+=("$!")
v6m_wait_listening "$V6M_NS_SERVER" 5201 || die "iperf3 -s did not start"
check "TCP through Jool (iperf3, 1 s)" ip netns exec "$V6M_NS_CLIENT" iperf3 -c "$V6M_SERVER4" -t 1 -p 5201
check "UDP back through Jool (iperf3 -u -R)" bash -c "ip netns exec $V6M_NS_CLIENT iperf3 -c $V6M_SERVER4 -p 5201 \
        -u -R -b 1M -t 1 -l 1000 --json | jq -e '.end.sum.packets > 0 and .end.sum.lost_percent < 50'"
json=$(ctl --json status uplink0) || true
check "counters moved" jq -e '.clat.counters.packets_4to6 > 0 and .clat.counters.packets_6to4 > 0' <<<"$json"

# ---- kill -9: the kernel removes the namespace, its devices and the instance
v6m_kill9_daemon
check "after kill -9: no Jool instance left" v6m_poll_until 20 no_instance
check "after kill -9: $dev gone" v6m_poll_until 20 bash -c "! ip -n $V6M_NS_CLIENT link show $dev"
v6m_start_daemon
v6m_wait_state uplink0 ipv6-mostly 30
check "restarted: kmod again" v6m_poll_until 10 v6m_backend_is kmod
check_eq "restarted: one instance" "$(instances)" 1
check "ping after kill -9 and restart" ip netns exec "$V6M_NS_CLIENT" ping -c2 -i0.3 -W2 "$V6M_SERVER4"

# ---- fault: the host side of the veth deleted by someone → tun, with the reason
ip -n "$V6M_NS_CLIENT" link del "$dev"
check "device deleted: falls through to tun" v6m_poll_until 20 v6m_backend_is tun
json=$(ctl --json status uplink0) || true
check "the reason names kmod and the deleted device" \
        bash -c 'jq -r .clat.reason <<<"$1" | grep -q "kmod: v6mclat[0-9]* was deleted"' _ "$json"
check "and lists every backend tried" \
        bash -c 'jq -e "[.clat.tried[].backend] == [\"kmod\"]" <<<"$1"' _ "$json"
v6m_check_log "the fall-through is logged" "CLAT backend clat-kmod failed .*trying the next"
v6m_check_log "with the backend and why (MESSAGE_ID CLAT_BACKEND)" "CLAT backend kmod not used: v6mclat[0-9]+ was deleted"
check "no Jool instance left after the fall-through" v6m_poll_until 20 no_instance
check "ping through tun" ip netns exec "$V6M_NS_CLIENT" ping -c2 -i0.3 -W2 "$V6M_SERVER4"

# ---- back to kmod (reload with CLAT=no and yes), then jool_siit unloaded under it
v6m_clat_network uplink0
sed -i 's/^DHCPv4=no$/DHCPv4=no\nCLAT=no/' "$V6M_TMP/network/50-uplink0.network"
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-only 15
v6m_clat_network uplink0
ctl reload >/dev/null
v6m_wait_state uplink0 ipv6-mostly 30
check "CLAT=no and back: kmod again" v6m_poll_until 10 v6m_backend_is kmod
if rmmod jool_siit 2>"$V6M_TMP/rmmod.err"; then
        check "module unloaded: falls through to tun" v6m_poll_until 20 v6m_backend_is tun
        json=$(ctl --json status uplink0) || true
        check "the reason says the module went away" \
                bash -c 'jq -r .clat.reason <<<"$1" | grep -Eq "kmod: (module jool_siit was unloaded|the Jool instance is gone|Jool)"' _ "$json"
        check "ping through tun after the unload" ip netns exec "$V6M_NS_CLIENT" ping -c2 -i0.3 -W2 "$V6M_SERVER4"
else
        note "rmmod jool_siit refused while an instance exists: $(cat "$V6M_TMP/rmmod.err")"
fi

# ---- stop removes everything
v6m_stop_daemon
check "daemon stopped: no Jool instance" v6m_poll_until 10 no_instance
check "daemon stopped: $dev gone" v6m_poll_until 10 bash -c "! ip -n $V6M_NS_CLIENT link show $dev"

# ---- a daemon without CAP_SYS_ADMIN (as under the shipped unit) cannot make the
# translator's namespace: kmod's probe says so and tun runs
if command -v setpriv >/dev/null; then
        modprobe jool_siit 2>/dev/null || true
        v6m_start_daemon_without sys_admin
        v6m_wait_state uplink0 ipv6-mostly 30 || exit 1
        json=$(ctl --json status uplink0) || true
        v6m_check_json "no CAP_SYS_ADMIN: backend tun" "$json" --expect clat.backend=tun --expect clat.state=running
        check "no CAP_SYS_ADMIN: kmod's reason says why" \
                bash -c 'jq -r .clat.reason <<<"$1" | grep -q "kmod: no CAP_SYS_ADMIN"' _ "$json"
        check "no CAP_SYS_ADMIN: no Jool instance" no_instance
        v6m_stop_daemon
fi
v6m_finish
