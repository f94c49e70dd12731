#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DHCPv4 client latency against real servers (kea, dnsmasq, ISC dhcpd; a server
# whose package is missing is skipped): the time from carrier up on uplink0 (the
# router's end of the veth set up) to the link's DHCPv4State property becoming
#   bound         fresh start, no remembered lease (DISCOVER, OFFER, REQUEST, ACK,
#                 then the RFC 5227 ARP probe of the address)
#   bound-reboot  carrier lost and back with a lease held (INIT-REBOOT)
#   v6only        the server offers option 108 and the link asks for it
# as seen in the PropertiesChanged signal. Each of RUNS runs (default 10) starts
# the daemon on a carrier-less link with an empty state directory. Prints the
# median and range per server and appends a line per server to bench/results.txt.
#
#   bench/dhcp4.sh [RUNS] [SERVER...]     (as root; uses build/ unless
#                                          V6MOSTLY_BUILD_ROOT is set)
set -euo pipefail
runs=${1:-10}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../test/e2e/lib.sh"
source "$here/../test/e2e/lib-dhcp4.sh"
export V6M_DAEMON_LOG_LEVEL=info
servers=("$@")
(( ${#servers[@]} )) || servers=("${V6M_DHCP4_SERVERS[@]}")

v6m_require
v6m_dhcp4_require_plugin
v6m_init
v6m_topology 1
v6m_dhcp4_router_ipv4
v6m_start_bus
ifindex=""

carrier() { ip -n "$V6M_NS_ROUTER" link set r0 "$1"; }

# fresh_daemon: carrier off, daemon restarted with an empty state directory.
fresh_daemon() {
        carrier down
        [[ -z "$V6M_DAEMON_PID" ]] || v6m_stop_daemon >/dev/null
        rm -rf "$V6M_TMP/state"
        ip -n "$V6M_NS_CLIENT" -4 addr flush dev uplink0
        v6m_start_daemon >/dev/null
        ifindex=$(v6m_ifindex uplink0)
        ctl wait uplink0 pending --timeout=10 >/dev/null
}

# measure VALUE: carrier up, print the milliseconds until DHCPv4State = VALUE.
measure() {
        local fd line t0 t1
        exec {fd}< <(exec "$V6M_PYTHON" "$here/dhcp4-wait.py" "$ifindex" DHCPv4State "$1" 60)
        read -r -t 10 -u "$fd" line && [[ "$line" == READY ]] || die "dhcp4-wait.py did not start"
        t0=$EPOCHREALTIME
        carrier up
        read -r -t 65 -u "$fd" t1 || die "DHCPv4State did not become $1 within 60 s"
        exec {fd}<&-
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

stats() { # median min max of the arguments
        printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%s %s %s\n", m, v[1], v[NR] }'
}

for s in "${servers[@]}"; do
        if ! v6m_dhcp4_have_server "$s"; then
                echo "# $s: not installed ($(v6m_dhcp4_server_package "$s")), skipped"
                continue
        fi
        bound=() reboot=() v6only=()
        v6m_dhcp4_start "$s" lease=600
        v6m_dhcp4_network_file IPv6OnlyPreferred=yes
        for (( i = 0; i < runs; i++ )); do
                fresh_daemon
                bound+=("$(measure bound)")
                carrier down
                ctl wait uplink0 pending --timeout=10 >/dev/null
                reboot+=("$(measure bound)")
        done
        v6m_dhcp4_stop
        v6m_dhcp4_start "$s" v6only=1800
        for (( i = 0; i < runs; i++ )); do
                fresh_daemon
                v6only+=("$(measure v6only)")
        done
        v6m_dhcp4_stop
        v6m_stop_daemon >/dev/null
        read -r bmed bmin bmax < <(stats "${bound[@]}")
        read -r rmed rmin rmax < <(stats "${reboot[@]}")
        read -r vmed vmin vmax < <(stats "${v6only[@]}")
        line="$(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc)cpu dhcp4 server=$s runs=$runs carrier_to_bound_ms median=$bmed min=$bmin max=$bmax carrier_to_bound_reboot_ms median=$rmed min=$rmin max=$rmax carrier_to_v6only_ms median=$vmed min=$vmin max=$vmax build=$(basename "$V6MOSTLY_BUILD_ROOT")"
        echo "$line"
        echo "$line" >>"$here/results.txt"
done
v6m_finish
