#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# CLAT throughput, all in one run on the same path (client netns --veth-- peer
# netns): iperf3, one TCP stream and UDP with 64-byte payloads (packets/s at the
# receiver), for
#   native   IPv6 from the client to the peer's own address;
#   ebpf     IPv4 to 100.64.100.10 through v6mostlyd's eBPF CLAT (if built);
#   tun      IPv4 to 100.64.100.10 through v6mostlyd's TUN CLAT;
#   tayga    IPv4 to 100.64.100.10 through tayga used as the CLAT.
# There is no NAT64 on the path: the peer owns the synthesized address
# 2001:db8:64::6440:640a (100.64.100.10 under the NAT64 prefix), so what is
# measured is the CLAT. For UDP also the CPU time of the whole machine (all
# CPUs, /proc/stat, iperf3 included) per packet received: this VM exposes no
# cycle counter to perf, so CPU time stands in for cycles. Appends one line to bench/results.txt with the ratios
# to native and to tayga (targets, one TCP stream: ebpf >= 0.9 x native and
# >= 8 x tayga; tun >= 0.5 x native and >= 4 x tayga).
#
#   bench/clat-throughput.sh [SECONDS]   (as root; build/ unless V6MOSTLY_BUILD_ROOT is set)
set -euo pipefail
secs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../test/e2e/lib.sh"
export V6M_DAEMON_LOG_LEVEL=info
V6M_CLAT=1

v6m_require
for c in iperf3 tayga; do
        command -v "$c" >/dev/null || skip "$c not installed (run tools/deps)"
done
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

# Two servers, each bound to its address: a UDP reply from a wildcard socket
# would leave from the router's own address, which no CLAT may translate.
ip netns exec "$V6M_NS_ROUTER" iperf3 -s -B "$peer6" -p 5201 >"$V6M_TMP/iperf3-native.log" 2>&1 &
v6m_pids+=("$!")
ip netns exec "$V6M_NS_ROUTER" iperf3 -s -B "$synth6" -p 5202 >"$V6M_TMP/iperf3-clat.log" 2>&1 &
v6m_pids+=("$!")
for port in 5201 5202; do
        v6m_wait_listening "$V6M_NS_ROUTER" "$port" || die "iperf3 server on port $port did not start"
done

iperf() { # JQ-FILTER DEST IPERF3-ARGS...: one run, its JSON through the filter
        local filter=$1 dest=$2 port=5201 out
        shift 2
        [[ "$dest" == "$server4" ]] && port=5202
        out=$(ip netns exec "$V6M_NS_CLIENT" iperf3 -c "$dest" -p "$port" -t "$secs" -J "$@") || true
        if jq -e .error <<<"$out" >/dev/null 2>&1 || ! jq -e "$filter" <<<"$out" >/dev/null 2>&1; then
                echo "iperf3 $* failed: $(jq -r '.error // "no result"' <<<"$out" 2>/dev/null)" >&2
                echo 0
                return
        fi
        jq -r "$filter" <<<"$out"
}
tcp() { # DEST -> bits/s at the receiver
        iperf '.end.sum_received.bits_per_second' "$1"
}
busy_jiffies() { # CPU time of all CPUs outside idle/iowait, in clock ticks
        awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}
udp() { # DEST -> "packets/s at the receiver" "CPU ns per received packet (whole machine)"
        local b0 b1 out pps n
        b0=$(busy_jiffies)
        out=$(iperf '.end.sum | "\((.packets - .lost_packets) / .seconds) \(.packets - .lost_packets)"' "$1" -u -l 64 -b 0)
        b1=$(busy_jiffies)
        read -r pps n <<<"$out"
        awk -v p="$pps" -v n="${n:-0}" -v d="$((b1 - b0))" -v hz="$(getconf CLK_TCK)" \
                'BEGIN { printf "%s %.0f\n", p, (n > 0) ? d / hz * 1e9 / n : 0 }'
}

# native, then the daemon's CLAT with each backend in turn
run_backend() { # BACKEND: sets <backend>_tcp, <backend>_udp, <backend>_counters
        export V6M_CLAT_BACKEND=$1
        v6m_clat_network uplink0 "$prefix"
        v6m_start_daemon
        v6m_wait_state uplink0 ipv6-mostly 30 || die "no CLAT with backend $1"
        [[ $(ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" --json status uplink0 | jq -r .clat.backend) == "$1" ]] ||
                die "the CLAT runs another backend than $1"
        if [[ -z "${native_tcp:-}" ]]; then # with the first backend: SLAAC and the route are there
                native_tcp=$(tcp "$peer6"); read -r native_udp native_ns <<<"$(udp "$peer6")"
        fi
        printf -v "${1}_tcp" '%s' "$(tcp "$server4")"
        read -r "${1}_udp" "${1}_ns" <<<"$(udp "$server4")"
        printf -v "${1}_counters" '%s' "$(ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" --json status uplink0 | jq -c .clat.counters)"
        v6m_stop_daemon
}
native_tcp=""
ebpf_tcp=0; ebpf_udp=0; ebpf_ns=0; ebpf_counters=null
(( have_ebpf )) && run_backend ebpf
run_backend tun

# tayga as the CLAT: 192.0.0.1 on its TUN, its IPv6 side 2001:db8:ca7::1 routed by
# the peer to the client, which forwards it into tayga's TUN (forwarding on,
# accept_ra=2 so the client keeps its default route).
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
deadline=$((SECONDS + 10))
until ip netns exec "$V6M_NS_CLIENT" ping -c1 -W1 "$server4" >/dev/null 2>&1; do
        (( SECONDS < deadline )) || die "tayga CLAT does not pass traffic"
done
tayga_tcp=$(tcp "$server4"); read -r tayga_udp tayga_ns <<<"$(udp "$server4")"

gbit() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e9 }'; }
kpps() { awk -v p="$1" 'BEGIN { printf "%.1f", p / 1e3 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
line="$(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc)cpu clat-throughput t=${secs}s"
line+=" tcp_gbit native=$(gbit "$native_tcp") ebpf=$(gbit "$ebpf_tcp") tun=$(gbit "$tun_tcp") tayga=$(gbit "$tayga_tcp")"
line+=" ebpf/native=$(ratio "$ebpf_tcp" "$native_tcp") ebpf/tayga=$(ratio "$ebpf_tcp" "$tayga_tcp")"
line+=" tun/native=$(ratio "$tun_tcp" "$native_tcp") tun/tayga=$(ratio "$tun_tcp" "$tayga_tcp")"
line+=" udp64_kpps native=$(kpps "$native_udp") ebpf=$(kpps "$ebpf_udp") tun=$(kpps "$tun_udp") tayga=$(kpps "$tayga_udp")"
line+=" ebpf/native=$(ratio "$ebpf_udp" "$native_udp") ebpf/tayga=$(ratio "$ebpf_udp" "$tayga_udp")"
line+=" tun/native=$(ratio "$tun_udp" "$native_udp") tun/tayga=$(ratio "$tun_udp" "$tayga_udp")"
line+=" udp64_cpu_ns_per_pkt native=$native_ns ebpf=$ebpf_ns tun=$tun_ns tayga=$tayga_ns"
line+=" build=$(basename "$V6MOSTLY_BUILD_ROOT")"
echo "$line"
echo "# eBPF CLAT counters during the run: $ebpf_counters"
echo "# TUN CLAT counters during the run: $tun_counters"
met() { awk -v r="$(ratio "$1" "$2")" -v t="$3" 'BEGIN { print (r >= t) ? "met" : "NOT met" }'; }
if (( have_ebpf )); then
        echo "# targets (1 TCP stream): ebpf >= 0.9 x native: $(met "$ebpf_tcp" "$native_tcp" 0.9);" \
                "ebpf >= 8 x tayga: $(met "$ebpf_tcp" "$tayga_tcp" 8)"
fi
echo "# targets (1 TCP stream): tun >= 0.5 x native: $(met "$tun_tcp" "$native_tcp" 0.5);" \
        "tun >= 4 x tayga: $(met "$tun_tcp" "$tayga_tcp" 4)"
echo "$line" >>"$here/results.txt"
v6m_finish
