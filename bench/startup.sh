#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Start-up cost of v6mostlyd: time from exec to sd_notify READY=1 (which is sent after
# the first netlink enumeration and state derivation, with the bus name owned), and the
# resident set size right after READY, from /proc/PID/status. N runs (default 10) on the
# e2e topology (one veth uplink, radvd, private dbus-daemon); prints the median and the
# range, and appends a line to bench/results.txt.
#
#   bench/startup.sh [RUNS]        (as root; uses build/ unless V6MOSTLY_BUILD_ROOT is set)
set -euo pipefail
runs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../test/e2e/lib.sh"
export V6M_DAEMON_LOG_LEVEL=info

v6m_require
v6m_init
v6m_topology 1
v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0
[Network]
DHCPv4=no
[NAT64]
Prefix=64:ff9b::/96
CONF
v6m_start_bus

ready=() rss=()
for (( i = 0; i < runs; i++ )); do
        v6m_start_daemon >/dev/null
        ready+=("$V6M_READY_MS")
        rss+=("$(awk '/^VmRSS:/ { print $2 }' "/proc/$V6M_DAEMON_PID/status")")
        v6m_stop_daemon >/dev/null
done

stats() { # median min max of the arguments
        printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%s %s %s\n", m, v[1], v[NR] }'
}
read -r rmed rmin rmax < <(stats "${ready[@]}")
read -r smed smin smax < <(stats "${rss[@]}")
line="$(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc)cpu startup runs=$runs ready_ms median=$rmed min=$rmin max=$rmax rss_kib median=$smed min=$smin max=$smax build=$(basename "$V6MOSTLY_BUILD_ROOT")"
echo "$line"
echo "$line" >>"$here/results.txt"
v6m_finish
