#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Resolver latency: the time from a Router Advertisement with an RDNSS option leaving the
# router (CLOCK_MONOTONIC just before the send) to the resolver backend "file" having
# renamed a resolv.conf naming the new server into place. That covers the kernel's RA
# processing, RTM_NEWNDUSEROPT, the pref64-ra plugin, the core's input checks, state
# derivation and backend call, and the atomic write. N runs (default 20), each switching
# between two servers (bench/resolver-latency.py); prints the median and range and
# appends a line to bench/results.txt.
#
#   bench/resolver-latency.sh [RUNS]   (as root; uses build/ unless V6MOSTLY_BUILD_ROOT is set)
set -euo pipefail
runs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../test/e2e/lib.sh"
export V6M_DAEMON_LOG_LEVEL=info V6M_RESOLVE_BACKEND=file

v6m_ra_setup
v6m_wait_state uplink0 ipv6-only 30 >/dev/null || exit 1

mapfile -t ms < <(ip netns exec "$V6M_NS_ROUTER" "$V6M_PYTHON" "$here/resolver-latency.py" r0 \
        "$V6M_TMP/run/resolv.conf" "$runs")
(( ${#ms[@]} == runs )) || die "only ${#ms[@]} of $runs runs completed"

read -r med min max < <(printf '%s\n' "${ms[@]}" | sort -g | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }')
line="$(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc)cpu resolver-latency backend=file runs=$runs ra_to_file_ms median=$med min=$min max=$max build=$(basename "$V6MOSTLY_BUILD_ROOT")"
echo "$line"
echo "$line" >>"$here/results.txt"
v6m_finish
