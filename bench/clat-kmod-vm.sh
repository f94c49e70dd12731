#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# CLAT throughput with the kernel-module backend beside the others, all in one boot of
# Debian's 6.1 kernel in qemu (test/vm/v6m-vm.sh; jool_siit exists only there) and on
# the same path (client netns --veth-- peer netns): iperf3, one TCP stream, for
#   native   IPv6 from the client to the peer's own address;
#   kmod     IPv4 to 100.64.100.10 through v6mostlyd's kmod CLAT (Jool SIIT);
#   ebpf     the same through the eBPF CLAT;
#   tun      the same through the TUN CLAT;
#   tayga    the same through tayga used as the CLAT.
# There is no NAT64 on the path: the peer owns 2001:db8:64::6440:640a (100.64.100.10
# under the NAT64 prefix), so what is measured is the CLAT. Without KVM the guest is
# emulated (TCG): absolute numbers mean nothing, the ratios measured in the one run are
# the result. Appends one line to bench/results.txt.
#
#   bench/clat-kmod-vm.sh [SECONDS]   (as root, on the host; build/ unless
#                                      V6MOSTLY_BUILD_ROOT etc. are set; default 3 s)
# In the guest, test/vm/guest-tests.sh runs it with --guest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [[ ${1:-} != --guest ]]; then
        # ---- host: one VM boot, the guest prints its line, we append it
        export V6M_BENCH_SECS=${1:-3}
        : "${V6MOSTLY_SOURCE_ROOT:=$(cd "$here/.." && pwd)}"
        : "${V6MOSTLY_BUILD_ROOT:=$V6MOSTLY_SOURCE_ROOT/build}"
        export V6MOSTLY_SOURCE_ROOT V6MOSTLY_BUILD_ROOT
        out=$(mktemp /tmp/v6m-bench-vm.XXXXXX)
        trap 'rm -f "$out"' EXIT
        rc=0
        "$V6MOSTLY_SOURCE_ROOT/test/vm/v6m-vm.sh" "${V6M_VM_TIMEOUT:-400}" \
                "$V6MOSTLY_SOURCE_ROOT/test/vm/guest-tests.sh" bench | tee "$out" || rc=$?
        (( rc == 77 )) && exit 77
        line=$(grep -a '^V6M-BENCH: ' "$out" | tail -n1 | cut -d' ' -f2- | tr -d '\r') || true
        [[ -n $line ]] || { echo "no result from the VM (exit $rc)" >&2; exit 1; }
        kvm=tcg
        [[ -w /dev/kvm ]] && kvm=kvm
        line+=" vm=$kvm host=$(uname -r)/$(nproc)cpu build=$(basename "$V6MOSTLY_BUILD_ROOT")"
        echo "$line"
        echo "$line" >>"$here/results.txt"
        exit "$rc"
fi

# ---- guest
secs=${V6M_BENCH_SECS:-3}
source "$here/../test/e2e/lib.sh"
export V6M_DAEMON_LOG_LEVEL=info
V6M_CLAT=1

v6m_require
for c in iperf3 tayga; do
        command -v "$c" >/dev/null || skip "$c not installed (run tools/deps)"
done
[[ -e "$V6MOSTLY_PLUGIN_DIR/clat-kmod.so" ]] || skip "clat-kmod not built"
modprobe jool_siit 2>/dev/null || skip "jool_siit cannot be loaded on $(uname -r)"
v6m_init
v6m_topology 1
peer6=2001:db8:1::1
server4=100.64.100.10
synth6=2001:db8:64::6440:640a
prefix=2001:db8:64::/96
ip -n "$V6M_NS_ROUTER" addr add "$synth6/128" dev lo
have_ebpf=0
[[ -e "$V6MOSTLY_PLUGIN_DIR/clat-ebpf.so" ]] && have_ebpf=1
v6m_start_bus

ip netns exec "$V6M_NS_ROUTER" iperf3 -s -B "$peer6" -p 5201 >"$V6M_TMP/iperf3-native.log" 2>&1 &
v6m_pids+=("$!")
ip netns exec "$V6M_NS_ROUTER" iperf3 -s -B "$synth6" -p 5202 >"$V6M_TMP/iperf3-clat.log" 2>&1 &
v6m_pids+=("$!")
for port in 5201 5202; do
        v6m_wait_listening "$V6M_NS_ROUTER" "$port" || die "iperf3 server on port $port did not start"
done

tcp() { # DEST -> bits/s at the receiver, one TCP stream
        local dest=$1 port=5201 out
        [[ "$dest" == "$server4" ]] && port=5202
        out=$(ip netns exec "$V6M_NS_CLIENT" iperf3 -c "$dest" -p "$port" -t "$secs" -J) || true
        if jq -e .error <<<"$out" >/dev/null 2>&1 || ! jq -e .end.sum_received.bits_per_second <<<"$out" >/dev/null 2>&1; then
                echo "iperf3 to $dest failed: $(jq -r '.error // "no result"' <<<"$out" 2>/dev/null)" >&2
                echo 0
                return
        fi
        jq -r .end.sum_received.bits_per_second <<<"$out"
}

run_backend() { # BACKEND: sets <backend>_tcp
        export V6M_CLAT_BACKEND=$1
        v6m_clat_network uplink0 "$prefix"
        v6m_start_daemon
        v6m_wait_state uplink0 ipv6-mostly 30 || die "no CLAT with backend $1"
        [[ $(ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" --json status uplink0 | jq -r .clat.backend) == "$1" ]] ||
                die "the CLAT runs another backend than $1: $(ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" --json status uplink0 | jq -c .clat)"
        if [[ -z "${native_tcp:-}" ]]; then # with the first backend: SLAAC and the route are there
                native_tcp=$(tcp "$peer6")
        fi
        printf -v "${1}_tcp" '%s' "$(tcp "$server4")"
        v6m_stop_daemon
}
native_tcp=""
ebpf_tcp=0
run_backend kmod
(( have_ebpf )) && run_backend ebpf
run_backend tun

# tayga as the CLAT (as in bench/clat-throughput.sh)
slaac=$(ip -n "$V6M_NS_CLIENT" -6 -o addr show dev uplink0 scope global | awk '{ print $4 }' | cut -d/ -f1 | head -n1)
cat >"$V6M_TMP/tayga-clat.conf" <<CONF
tun-device clat0
ipv4-addr 192.0.0.2
prefix $prefix
map 192.0.0.1 2001:db8:ca7::1
data-dir $V6M_TMP
CONF
ip netns exec "$V6M_NS_CLIENT" sysctl -qw net.ipv6.conf.uplink0.accept_ra=2 net.ipv6.conf.all.forwarding=1
ip netns exec "$V6M_NS_CLIENT" tayga --config "$V6M_TMP/tayga-clat.conf" --mktun >/dev/null
ip -n "$V6M_NS_CLIENT" link set clat0 up mtu 1472
ip -n "$V6M_NS_CLIENT" addr add 192.0.0.1/32 dev clat0
ip -n "$V6M_NS_CLIENT" route add default dev clat0
ip -n "$V6M_NS_CLIENT" -6 route add 2001:db8:ca7::/64 dev clat0
ip -n "$V6M_NS_ROUTER" -6 route add 2001:db8:ca7::/64 via "$slaac"
ip netns exec "$V6M_NS_CLIENT" tayga --config "$V6M_TMP/tayga-clat.conf" --nodetach >"$V6M_TMP/tayga-clat.log" 2>&1 &
v6m_pids+=("$!")
deadline=$((SECONDS + 20))
until ip netns exec "$V6M_NS_CLIENT" ping -c1 -W1 "$server4" >/dev/null 2>&1; do
        (( SECONDS < deadline )) || die "tayga CLAT does not pass traffic"
done
tayga_tcp=$(tcp "$server4")

mbit() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
line="$(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc)cpu clat-kmod-vm t=${secs}s"
line+=" tcp_mbit native=$(mbit "$native_tcp") kmod=$(mbit "$kmod_tcp") ebpf=$(mbit "$ebpf_tcp") tun=$(mbit "$tun_tcp") tayga=$(mbit "$tayga_tcp")"
line+=" kmod/native=$(ratio "$kmod_tcp" "$native_tcp") kmod/tayga=$(ratio "$kmod_tcp" "$tayga_tcp")"
line+=" kmod/ebpf=$(ratio "$kmod_tcp" "$ebpf_tcp") kmod/tun=$(ratio "$kmod_tcp" "$tun_tcp")"
line+=" ebpf/native=$(ratio "$ebpf_tcp" "$native_tcp") ebpf/tayga=$(ratio "$ebpf_tcp" "$tayga_tcp")"
line+=" tun/native=$(ratio "$tun_tcp" "$native_tcp") tun/tayga=$(ratio "$tun_tcp" "$tayga_tcp")"
echo "V6M-BENCH: $line"
v6m_finish
