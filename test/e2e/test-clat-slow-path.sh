#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every class of packet the eBPF fast path leaves to the slow path (and a few it
# takes), injected at the CLAT's devices (IPv4 at the CLAT device's tc egress, IPv6 at
# the uplink from the router), on a fresh CLAT and again after a storm of ICMP errors
# through it: what comes out must be, byte for byte, what the translation library
# makes of it, with the TUN backend and with the eBPF backend alike; the same packets
# sent through the IPv4 stack (which fragments by the path MTUs it learned from those
# errors) must come out of both backends the same. clat-slow-path.py has the cases.
source "$(dirname "$0")/lib.sh"

V6M_CLAT=1
v6m_require
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
[[ -e "$V6MOSTLY_PLUGIN_DIR/clat-ebpf.so" ]] || skip "clat-ebpf not built (no clang/bpftool/libbpf)"
command -v bpftool >/dev/null || skip "bpftool not installed (run tools/deps)"
XLAT_PIPE="$V6MOSTLY_BUILD_ROOT/test/e2e/xlat-pipe"
[[ -x "$XLAT_PIPE" ]] || die "not built: $XLAT_PIPE"
v6m_init
v6m_topology 1
# The router drops what the CLAT sends to the NAT64 prefix, without an ICMPv6 error
# (which would be more CLAT output): the packets are captured on its end of the uplink.
ip -n "$V6M_NS_ROUTER" -6 route add blackhole "$V6M_PLAT_PREFIX"
v6m_start_bus
ifindex=$(v6m_ifindex uplink0)
mac() { ip -n "$1" -o link show dev "$2" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2; }
uplink_mac=$(mac "$V6M_NS_CLIENT" uplink0)
router_mac=$(mac "$V6M_NS_ROUTER" r0)

for backend in tun ebpf; do
        export V6M_CLAT_BACKEND=$backend
        v6m_clat_network uplink0
        v6m_start_daemon
        v6m_wait_state uplink0 ipv6-mostly 30 || exit 1
        json=$(ctl --json status uplink0) || true
        v6m_check_json "$backend: CLAT running" "$json" --expect clat.backend="$backend" --expect clat.state=running
        clat6=$(jq -r .clat.ipv6_address <<<"$json")
        mtu=$(( $(jq -r .clat.mtu <<<"$json") + 28 ))
        [[ $backend == ebpf ]] && slow4=$(v6m_ebpf_counter slow_4to6) slow6=$(v6m_ebpf_counter slow_6to4)
        rc=0
        "$V6M_PYTHON" "$V6M_E2E_DIR/clat-slow-path.py" "$V6M_NS_ROUTER" "$V6M_NS_CLIENT" r0 "$router_mac" "$uplink_mac" \
                "v6mclat$ifindex" "$V6M_PLAT_PREFIX" "$clat6" "$XLAT_PIPE" "$mtu" "$V6M_TMP/$backend.json" \
                >"$V6M_TMP/$backend.out" 2>&1 || rc=$?
        sed "s/^/# $backend: /" "$V6M_TMP/$backend.out"
        check_eq "$backend: every case came out as the library translates it" "$rc" 0
        if [[ $backend == ebpf ]]; then
                note "eBPF counters: $(v6m_ebpf_counters | tr '\n' ' ')"
                check "ebpf: the slow path was used 4→6" test "$(v6m_ebpf_counter slow_4to6)" -gt "$slow4"
                check "ebpf: the slow path was used 6→4" test "$(v6m_ebpf_counter slow_6to4)" -gt "$slow6"
                check "ebpf: the fast path was used" test "$(v6m_ebpf_counter fast_4to6)" -gt 0
        fi
        v6m_stop_daemon
done

same() {
        "$V6M_PYTHON" - "$V6M_TMP/tun.json" "$V6M_TMP/ebpf.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
bad = [(x["round"], x["direction"], x["name"]) for x, y in zip(a, b)
       if (x["name"], x["out6"], x["out4"]) != (y["name"], y["out6"], y["out4"])]
for r in bad:
    print("differs: %s %s %s" % r)
print(f"{len(a)} cases, {len(bad)} differ between the backends")
sys.exit(1 if bad or len(a) != len(b) else 0)
PY
}
check "the eBPF backend's output is the TUN backend's, byte for byte, in every case" same
v6m_finish
