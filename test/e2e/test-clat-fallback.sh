#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Backend selection with fault injection, on the host's kernel: Backend=ebpf kmod tun.
# ebpf runs; its uplink filter removed by someone else → it falls through; kmod's
# probe refuses (no jool_siit for this kernel here; a reason either way) → tun runs,
# and status/JSON say why each earlier backend is not used; the TUN device deleted →
# no backend left: degraded, every backend with its reason. Where jool_siit can be
# loaded (the VM), kmod is what runs after ebpf, and the test says so and stops there.
source "$(dirname "$0")/lib.sh"

V6M_CLAT=1
export V6M_CLAT_BACKEND="ebpf kmod tun"
v6m_require
[[ -e "$V6MOSTLY_PLUGIN_DIR/clat-ebpf.so" ]] || skip "clat-ebpf not built (no clang/bpftool/libbpf)"
[[ -e "$V6MOSTLY_PLUGIN_DIR/clat-kmod.so" ]] || skip "clat-kmod not built"
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

ping4() { ip netns exec "$V6M_NS_CLIENT" ping -c2 -i0.3 -W2 "$V6M_SERVER4"; }

json=$(ctl --json status uplink0) || true
backend=$(jq -r .clat.backend <<<"$json")
if [[ $backend != ebpf ]]; then
        skip "ebpf is not the running backend here ($backend: $(jq -r .clat.reason <<<"$json"))"
fi
check_eq "ebpf runs, nothing tried before it" "$(jq -c .clat.tried <<<"$json")" "[]"

# ---- someone removes our uplink filter
tc -n "$V6M_NS_CLIENT" filter del dev uplink0 ingress pref 30262
check "filter removed: the link leaves ebpf" v6m_poll_until 15 v6m_not v6m_backend_is ebpf
v6m_wait_state uplink0 ipv6-mostly 15
json=$(ctl --json status uplink0) || true
now=$(jq -r .clat.backend <<<"$json")
check "ebpf's reason: the filter was removed by someone else" \
        bash -c 'jq -e ".clat.tried[0] == {\"backend\": \"ebpf\", \"reason\": \"the tc filter on the uplink was removed by someone else\"}" <<<"$1"' _ "$json"
v6m_check_log "the fall-through is in the journal with its MESSAGE_ID" "CLAT backend ebpf not used: the tc filter"
if [[ $now == kmod ]]; then
        note "jool_siit is loadable here: kmod took over (the kmod e2e test covers it)"
        check "ping through kmod" ping4
        v6m_finish
fi
check_eq "then tun runs (kmod refused)" "$now" tun
check "kmod's reason says why" \
        bash -c 'jq -e ".clat.tried[1].backend == \"kmod\" and (.clat.tried[1].reason | test(\"jool_siit|CAP_|disabled\"))" <<<"$1"' _ "$json"
note "kmod: $(jq -r '.clat.tried[1].reason' <<<"$json")"
status=$(ctl status uplink0 2>&1) || true
check "v6mostlyctl status shows the active backend and why ebpf and kmod are not used" \
        bash -c 'grep -E "CLAT: running \(tun\): ebpf: the tc filter .*; kmod: " <<<"$1"' _ "$status"
check "ping through tun" ping4

# ---- then the TUN device deleted: no backend left
ip -n "$V6M_NS_CLIENT" link del "$tun"
v6m_wait_state uplink0 degraded 15
json=$(ctl --json status uplink0) || true
check_eq "every backend tried, in order" "$(jq -c '[.clat.tried[].backend]' <<<"$json")" '["ebpf","kmod","tun"]'
check "tun's reason: the translator stopped" \
        bash -c 'jq -e ".clat.tried[2].reason | test(\"TUN translator stopped\")" <<<"$1"' _ "$json"
check "the link's reason lists all three" \
        bash -c 'jq -r .clat.reason <<<"$1" | grep -E "ebpf: .*; kmod: .*; tun: "' _ "$json"
v6m_stop_daemon
v6m_finish
