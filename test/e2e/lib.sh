# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared code of the e2e tests (test-*.sh) and of tools/demo.
#
# A test sources this, calls v6m_require and v6m_init, builds what it needs
# (v6m_topology, v6m_start_bus, v6m_start_daemon), asserts with check/check_not
# (each prints PASS:/FAIL:), and ends with v6m_finish. Everything started here is
# remembered (PIDs, namespaces, the temp dir) and removed by the EXIT trap, also
# on failure or on a signal. Processes are only ever killed by their PID.
#
# Topology (N uplinks, default 1):
#
#   netns ${V6M_NS_PREFIX}-router              netns ${V6M_NS_PREFIX}-client
#   r0 2001:db8:1::1/64, radvd  <-- veth -->  uplink0 (SLAAC 2001:db8:1::/64)
#   r1 2001:db8:2::1/64         <-- veth -->  uplink1 ...
#
# Environment (meson sets it, tools/demo too): V6MOSTLYD, V6MOSTLYCTL,
# V6MOSTLY_PLUGIN_DIR, V6MOSTLY_SOURCE_ROOT, V6MOSTLY_BUILD_ROOT.

set -euo pipefail

V6M_PYTHON=/usr/bin/python3
V6M_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${V6MOSTLY_SOURCE_ROOT:=$(cd "$V6M_E2E_DIR/../.." && pwd)}"
: "${V6MOSTLY_BUILD_ROOT:=$V6MOSTLY_SOURCE_ROOT/build}"
: "${V6MOSTLYD:=$V6MOSTLY_BUILD_ROOT/src/core/v6mostlyd}"
: "${V6MOSTLYCTL:=$V6MOSTLY_BUILD_ROOT/src/ctl/v6mostlyctl}"
: "${V6MOSTLY_PLUGIN_DIR:=$V6MOSTLY_BUILD_ROOT/src/plugins}"
export V6MOSTLY_PLUGIN_DIR
: "${V6M_NS_PREFIX:=v6m-$$}"
: "${V6M_DAEMON_LOG_LEVEL:=debug}"
: "${V6M_DAEMON_LOG_TARGET:=stderr}"
# The daemon keeps its stderr lines; colours would only get in the way of grep.
export SYSTEMD_COLORS=0 NO_COLOR=1

V6M_NS_ROUTER="${V6M_NS_PREFIX}-router"
V6M_NS_CLIENT="${V6M_NS_PREFIX}-client"

v6m_failures=0
v6m_pids=()        # processes we started and have not reaped yet
v6m_netns=()       # namespaces we created
v6m_fds=()         # pipes from helper processes
v6m_cleanup_hooks=()  # commands run by the EXIT trap after the processes are gone
v6m_uplinks=0      # number of uplinkN/rN pairs in the topology
V6M_TMP=""
V6M_DAEMON_PID=""
V6M_DAEMON_LOG=""
V6M_DAEMON_RUNS=0
V6M_RADVD_PID=""
V6M_NOTIFY_FD=""
V6M_NOTIFY_PID=""
V6M_MONITOR_PID=""
V6M_MONITOR_OUT=""
V6M_BUS_PID=""

# ---------------------------------------------------------------- reporting --

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; v6m_failures=$((v6m_failures + 1)); }
die()  { fail "$*"; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
note() { echo "# $*"; }

# check DESCRIPTION COMMAND...: PASS if the command succeeds; on failure, its
# output is shown.
check() {
        local desc=$1 out rc=0
        shift
        out=$("$@" 2>&1) || rc=$?
        if (( rc == 0 )); then
                pass "$desc"
        else
                fail "$desc (exit $rc)"
                [[ -n "$out" ]] && sed 's/^/    | /' <<<"$out"
        fi
        return 0
}

# check_not DESCRIPTION COMMAND...: PASS if the command fails.
check_not() {
        local desc=$1 out rc=0
        shift
        out=$("$@" 2>&1) || rc=$?
        if (( rc != 0 )); then
                pass "$desc"
        else
                fail "$desc (command succeeded)"
                [[ -n "$out" ]] && sed 's/^/    | /' <<<"$out"
        fi
        return 0
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
        if [[ "$2" == "$3" ]]; then
                pass "$1"
        else
                fail "$1: got '$2', wanted '$3'"
        fi
}

# ------------------------------------------------------------ preconditions --

v6m_require() {
        [[ $(id -u) == 0 ]] || skip "not root (needs network namespaces)"
        command -v ip >/dev/null || skip "iproute2 (ip) not installed"
        local probe="v6m-$$-probe"
        ip netns add "$probe" 2>/dev/null || skip "ip netns add does not work here"
        ip netns del "$probe"
        command -v dbus-daemon >/dev/null || skip "dbus-daemon not installed (run tools/deps)"
        command -v radvd >/dev/null || skip "radvd not installed (run tools/deps)"
        "$V6M_PYTHON" -c 'import dbus, gi' 2>/dev/null ||
                skip "python3-dbus/python3-gi not installed (run tools/deps)"
        command -v jq >/dev/null || skip "jq not installed (run tools/deps)"
        # A missing binary is a build failure, not a reason to skip.
        [[ -x "$V6MOSTLYD" ]] || die "daemon not built: $V6MOSTLYD"
        [[ -x "$V6MOSTLYCTL" ]] || die "v6mostlyctl not built: $V6MOSTLYCTL"
        [[ -d "$V6MOSTLY_PLUGIN_DIR" ]] || die "plugin directory missing: $V6MOSTLY_PLUGIN_DIR"
}

# ------------------------------------------------------------ set-up, clean-up --

v6m_init() {
        V6M_TMP=$(mktemp -d "/tmp/${V6M_TMP_PREFIX:-v6m-e2e}.XXXXXX")
        # Others may traverse it: the unprivileged bus client in test-link-basic.
        chmod 755 "$V6M_TMP"
        mkdir -p "$V6M_TMP/network" "$V6M_TMP/run"
        trap v6m_cleanup EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        trap 'exit 129' HUP
}

v6m_pid_alive() {
        local state
        [[ -r /proc/$1/stat ]] || return 1
        state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
        [[ -n "$state" && "$state" != Z ]]
}

v6m_forget_pid() {
        local p keep=()
        for p in "${v6m_pids[@]}"; do
                [[ "$p" == "$1" ]] || keep+=("$p")
        done
        v6m_pids=("${keep[@]}")
}

# v6m_poll_until SECONDS COMMAND...: run COMMAND (in this shell, so what it
# assigns stays; its output discarded) until it succeeds; returns 1 when it has
# not within SECONDS. Only for conditions with no event to wait on: the short
# pause between tries is a poll interval, not a guess at how long something takes.
v6m_poll_until() {
        local end=$((SECONDS + $1))
        shift
        until "$@" >/dev/null 2>&1; do
                (( SECONDS < end )) || return 1
                sleep 0.1
        done
}

# v6m_not COMMAND...: succeeds when COMMAND fails (for v6m_poll_until).
v6m_not() { ! "$@"; }

# v6m_wait_exit PID SECONDS: wait (bounded) until PID is gone; if it is our
# child, reap it and set V6M_EXIT_STATUS. Returns 1 on timeout.
V6M_EXIT_STATUS=""
v6m_wait_exit() {
        local pid=$1 rc=0
        v6m_poll_until "$2" v6m_not v6m_pid_alive "$pid" || return 1
        wait "$pid" 2>/dev/null || rc=$?
        V6M_EXIT_STATUS=$rc
        v6m_forget_pid "$pid"
        return 0
}

# v6m_kill PID: SIGTERM, up to 5 s to exit, then SIGKILL. Only our own PIDs.
v6m_kill() {
        local pid=$1
        kill -TERM "$pid" 2>/dev/null || true
        if ! v6m_wait_exit "$pid" 5; then
                kill -KILL "$pid" 2>/dev/null || true
                v6m_wait_exit "$pid" 5 || true
        fi
        v6m_forget_pid "$pid"
}

v6m_cleanup() {
        local rc=$? i f
        set +e
        trap - INT TERM HUP
        if (( rc != 0 && rc != 77 )) || (( v6m_failures > 0 )); then
                for f in "$V6M_TMP"/daemon-*.log; do
                        [[ -f "$f" ]] || continue
                        echo "---- ${f##*/} (last 60 lines) ----"
                        tail -n 60 "$f"
                done
                for f in "$V6M_TMP"/radvd.log "$V6M_TMP"/bus.log "$V6M_TMP"/monitor.out "$V6M_TMP"/tayga.log; do
                        [[ -s "$f" ]] || continue
                        echo "---- ${f##*/} (last 20 lines) ----"
                        tail -n 20 "$f"
                done
        fi
        for (( i = ${#v6m_pids[@]} - 1; i >= 0; i-- )); do
                v6m_kill "${v6m_pids[$i]}"
        done
        for f in "${v6m_fds[@]}"; do
                exec {f}<&- 2>/dev/null
        done
        for (( i = ${#v6m_cleanup_hooks[@]} - 1; i >= 0; i-- )); do
                eval "${v6m_cleanup_hooks[$i]}"
        done
        for (( i = ${#v6m_netns[@]} - 1; i >= 0; i-- )); do
                ip netns del "${v6m_netns[$i]}" 2>/dev/null
                rm -rf "/etc/netns/${v6m_netns[$i]}"
        done
        [[ -n "$V6M_TMP" && -d "$V6M_TMP" ]] && rm -rf "$V6M_TMP"
        if (( rc == 0 && v6m_failures > 0 )); then
                rc=1
        fi
        exit "$rc"
}

# v6m_finish: stop the daemon (a clean exit is part of every test), then exit
# 1 if any check failed.
v6m_finish() {
        if [[ -n "$V6M_DAEMON_PID" ]]; then
                v6m_stop_daemon
        fi
        v6m_stop_monitor
        if (( v6m_failures > 0 )); then
                echo "$v6m_failures check(s) failed"
                exit 1
        fi
        exit 0
}

# ---------------------------------------------------------------- topology --

v6m_netns_add() {
        ip netns add "$1"
        v6m_netns+=("$1")
        ip -n "$1" link set lo up
        # `ip netns exec` bind-mounts /etc/netns/NAME/resolv.conf over the host's: a
        # daemon with no link resolvers asks the system resolver (DNS64 discovery), and
        # that must stay inside the namespace, so it is the namespace's own loopback.
        mkdir -p "/etc/netns/$1"
        printf 'nameserver ::1\n' >"/etc/netns/$1/resolv.conf"
}

# v6m_add_uplink N: veth pair uplinkN (client) <-> rN (router), router address
# 2001:db8:(N+1)::1/64. DAD is off on both ends: documentation addresses on a
# point-to-point link cannot collide, and it saves a second per address.
v6m_add_uplink() {
        local n=$1
        ip link add "uplink$n" netns "$V6M_NS_CLIENT" type veth peer name "r$n" netns "$V6M_NS_ROUTER"
        ip netns exec "$V6M_NS_ROUTER" sysctl -qw "net.ipv6.conf.r$n.accept_dad=0"
        ip netns exec "$V6M_NS_CLIENT" sysctl -qw "net.ipv6.conf.uplink$n.accept_dad=0"
        ip -n "$V6M_NS_ROUTER" addr add "2001:db8:$((n + 1))::1/64" dev "r$n"
        ip -n "$V6M_NS_ROUTER" link set "r$n" up
        ip -n "$V6M_NS_CLIENT" link set "uplink$n" up
}

# v6m_topology [N]: router and client namespaces, N uplinks, radvd announcing a
# /64 for SLAAC and a default route on each.
v6m_topology() {
        local n count=${1:-1}
        v6m_netns_add "$V6M_NS_ROUTER"
        v6m_netns_add "$V6M_NS_CLIENT"
        ip netns exec "$V6M_NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1
        ip netns exec "$V6M_NS_ROUTER" sysctl -qw net.ipv6.conf.default.accept_dad=0
        ip netns exec "$V6M_NS_CLIENT" sysctl -qw net.ipv6.conf.default.accept_dad=0
        for (( n = 0; n < count; n++ )); do
                v6m_add_uplink "$n"
        done
        v6m_uplinks=$count
        v6m_start_radvd
}

v6m_write_radvd_conf() {
        local n
        : >"$V6M_TMP/radvd.conf"
        for (( n = 0; n < v6m_uplinks; n++ )); do
                cat >>"$V6M_TMP/radvd.conf" <<EOF
interface r$n {
        AdvSendAdvert on;
        MinRtrAdvInterval 3;
        MaxRtrAdvInterval 10;
        AdvDefaultLifetime 600;
        prefix 2001:db8:$((n + 1))::/64 {
                AdvOnLink on;
                AdvAutonomous on;
        };
};
EOF
        done
        chmod 644 "$V6M_TMP/radvd.conf"
}

v6m_start_radvd() {
        v6m_write_radvd_conf
        ip netns exec "$V6M_NS_ROUTER" radvd --nodaemon --logmethod stderr \
                --config "$V6M_TMP/radvd.conf" --pidfile "$V6M_TMP/radvd.pid" \
                >>"$V6M_TMP/radvd.log" 2>&1 &
        V6M_RADVD_PID=$!
        v6m_pids+=("$V6M_RADVD_PID")
}

v6m_restart_radvd() {
        if [[ -n "$V6M_RADVD_PID" ]]; then
                v6m_kill "$V6M_RADVD_PID"
        fi
        v6m_start_radvd
}

v6m_ifindex() {
        ip -n "${2:-$V6M_NS_CLIENT}" -o link show dev "$1" | cut -d: -f1
}

# ------------------------------------------------ Router Advertisements --

# v6m_require_scapy: the RA tests send their own RAs (radvd 2.19 knows no PREF64).
v6m_require_scapy() {
        "$V6M_PYTHON" -c 'import scapy.all' 2>/dev/null ||
                skip "python3-scapy not installed (run tools/deps)"
}

# v6m_ra_setup: the set-up of the RA tests (PREF64, RDNSS/DNSSL): scapy, one uplink
# whose .network sets only DHCPv4=no (so the RAs are the only prefix source), the
# private bus and the daemon. Sets `ifindex` to uplink0's.
v6m_ra_setup() {
        v6m_require
        v6m_require_scapy
        v6m_init
        v6m_topology 1
        v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no
CONF
        v6m_start_bus
        v6m_start_daemon
        ifindex=$(v6m_ifindex uplink0)
}

# v6m_send_ra [send-ra.py ARGS...]: Router Advertisements from the router
# namespace's r0 (default: one RA from r0's own link-local address, the router
# radvd runs as). See test/e2e/send-ra.py for the options.
v6m_send_ra() {
        ip netns exec "$V6M_NS_ROUTER" "$V6M_PYTHON" "$V6M_E2E_DIR/send-ra.py" --iface r0 "$@"
}

# ----------------------------------------------------------------- the bus --

# A private bus with the system bus's default policy (deny ownership and method
# calls unless a policy file opens them) plus the project's own policy file, so
# the tests exercise units/org.v6mostly1.conf as installed.
v6m_find_policy() {
        local f
        for f in "$V6MOSTLY_SOURCE_ROOT/units/org.v6mostly1.conf" \
                 "$V6MOSTLY_SOURCE_ROOT"/units/*/org.v6mostly1.conf; do
                [[ -f "$f" ]] && { echo "$f"; return 0; }
        done
        return 1
}

v6m_write_bus_conf() {
        local conf=$1 sock=$2 policy
        if policy=$(v6m_find_policy); then
                V6M_BUS_POLICY=$policy
                cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>
  <include>$policy</include>
</busconfig>
EOF
        else
                V6M_BUS_POLICY=""
                note "no units/org.v6mostly1.conf: the private bus allows everything"
                cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
EOF
        fi
}

v6m_start_bus() {
        local fd address
        v6m_write_bus_conf "$V6M_TMP/bus.conf" "$V6M_TMP/bus.sock"
        # dbus-daemon prints its address once it listens: read it as the event.
        exec {fd}< <(exec dbus-daemon --config-file="$V6M_TMP/bus.conf" --nofork \
                        --nopidfile --print-address=1 2>>"$V6M_TMP/bus.log")
        V6M_BUS_PID=$!
        v6m_pids+=("$V6M_BUS_PID")
        v6m_fds+=("$fd")
        if ! read -r -t 10 -u "$fd" address || [[ -z "$address" ]]; then
                cat "$V6M_TMP/bus.log" >&2 || true
                die "private dbus-daemon did not start"
        fi
        export DBUS_SYSTEM_BUS_ADDRESS=$address
}

v6m_bus() {
        "$V6M_PYTHON" "$V6M_E2E_DIR/v6m-bus.py" "$@"
}

# -------------------------------------------------------------- the daemon --

# v6m_network_file NAME < content: a .network file in the daemon's directory.
v6m_network_file() {
        cat >"$V6M_TMP/network/$1"
}

v6m_start_notify_listener() {
        local fd line
        exec {fd}< <(exec "$V6M_PYTHON" "$V6M_E2E_DIR/notify-wait.py" "$V6M_TMP/notify.sock" \
                        --log "$V6M_TMP/notify.log")
        V6M_NOTIFY_PID=$!
        v6m_pids+=("$V6M_NOTIFY_PID")
        v6m_fds+=("$fd")
        V6M_NOTIFY_FD=$fd
        if ! read -r -t 10 -u "$fd" line || [[ "$line" != LISTENING ]]; then
                die "notify-wait.py did not start"
        fi
}

# v6m_wait_ready PID WHAT [SECONDS]: wait for READY=1 from PID on our NOTIFY_SOCKET
# (the event); look at PID in between only to fail fast if it died instead. A
# READY=1 from another PID is skipped: an earlier daemon sends one after each
# reload, and those may still be unread. Sets V6M_READY_TIME (unix time of READY=1).
V6M_READY_TIME=""
v6m_wait_ready() {
        local pid=$1 what=$2 tries=$(( ${3:-30} * 2 )) line part="" word ts sender i rc
        for (( i = 0; i < tries; i++ )); do
                # A read that times out keeps what it got of a line in $line and
                # consumes it: keep that part for the next read, or a line arriving
                # across the timeout is lost.
                rc=0
                IFS= read -r -t 0.5 -u "$V6M_NOTIFY_FD" line || rc=$?
                if (( rc == 0 )); then
                        read -r word ts sender <<<"$part$line"
                        part=""
                        if [[ "$word" == READY && "$sender" == "$pid" ]]; then
                                V6M_READY_TIME=$ts
                                return 0
                        fi
                elif (( rc > 128 )); then
                        part+=$line
                else
                        break # EOF: the listener is gone
                fi
                v6m_pid_alive "$pid" || break
        done
        V6M_EXIT_STATUS="still running"
        v6m_pid_alive "$pid" || v6m_wait_exit "$pid" 1 || true
        die "$what did not send READY=1 within ${3:-30} s (exit status: $V6M_EXIT_STATUS)"
}

# The daemon's v6mostlyd.conf. Tests about something else than the CLAT run
# without CLAT backends (so their links settle in `degraded`, "no CLAT backend
# available", whatever backends this build has); V6M_CLAT=1 keeps them.
v6m_write_daemon_conf() {
        if [[ "${V6M_CLAT:-0}" == 1 ]]; then
                printf '[Daemon]\n' >"$V6M_TMP/v6mostlyd.conf"
        else
                printf '[Daemon]\nDisablePlugins=clat-tun clat-ebpf clat-kmod\n' >"$V6M_TMP/v6mostlyd.conf"
        fi
}

# v6m_start_daemon [ARGS...]: start v6mostlyd in the client namespace with its
# .network directory, runtime directory and our NOTIFY_SOCKET; return once it
# sent READY=1 (sets V6M_DAEMON_PID, V6M_DAEMON_LOG, V6M_READY_MS).
V6M_READY_MS=""
v6m_start_daemon() {
        local t0
        [[ -n "$V6M_NOTIFY_FD" ]] || v6m_start_notify_listener
        V6M_DAEMON_RUNS=$((V6M_DAEMON_RUNS + 1))
        V6M_DAEMON_LOG="$V6M_TMP/daemon-$V6M_DAEMON_RUNS.log"
        t0=$EPOCHREALTIME
        v6m_write_daemon_conf
        ip netns exec "$V6M_NS_CLIENT" env NOTIFY_SOCKET="$V6M_TMP/notify.sock" \
                "$V6MOSTLYD" --network-dir="$V6M_TMP/network" --runtime-dir="$V6M_TMP/run" \
                --state-dir="$V6M_TMP/state" --config="$V6M_TMP/v6mostlyd.conf" \
                --log-target="$V6M_DAEMON_LOG_TARGET" --log-level="$V6M_DAEMON_LOG_LEVEL" "$@" \
                >"$V6M_DAEMON_LOG" 2>&1 &
        V6M_DAEMON_PID=$!
        v6m_pids+=("$V6M_DAEMON_PID")
        v6m_wait_ready "$V6M_DAEMON_PID" v6mostlyd 30
        V6M_READY_MS=$(awk -v a="$t0" -v b="$V6M_READY_TIME" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
        note "v6mostlyd (PID $V6M_DAEMON_PID) start-to-READY: $V6M_READY_MS ms," \
                "$(grep -h VmRSS "/proc/$V6M_DAEMON_PID/status" 2>/dev/null | tr -s '\t ' ' ')"
}

# v6m_start_daemon_without CAPS [ARGS...]: v6m_start_daemon, the daemon's bounding set
# lacking CAPS (setpriv's list, e.g. "bpf,sys_admin"), so that root's exec does not
# get them back: a daemon as a unit without those capabilities runs it. The wrapper
# execs, so the daemon keeps the PID that v6m_start_daemon waits on.
v6m_start_daemon_without() {
        local caps=$1 wrapper real=$V6MOSTLYD
        shift
        command -v setpriv >/dev/null || die "setpriv not installed"
        wrapper="$V6M_TMP/v6mostlyd-without-${caps//,/-}"
        printf '#!/bin/sh\nexec setpriv --bounding-set=-%s -- "%s" "$@"\n' "${caps//,/,-}" "$real" >"$wrapper"
        chmod 755 "$wrapper"
        V6MOSTLYD=$wrapper
        v6m_start_daemon "$@"
        V6MOSTLYD=$real
}

# v6m_stop_daemon: SIGTERM; the daemon must exit 0 within 20 s.
v6m_stop_daemon() {
        local pid=$V6M_DAEMON_PID
        [[ -n "$pid" ]] || return 0
        V6M_DAEMON_PID=""
        kill -TERM "$pid" 2>/dev/null || true
        if v6m_wait_exit "$pid" 20; then
                check_eq "v6mostlyd exits 0 on SIGTERM" "$V6M_EXIT_STATUS" 0
        else
                fail "v6mostlyd still running 20 s after SIGTERM"
                v6m_kill "$pid"
        fi
}

# v6m_kill9_daemon: SIGKILL and reap.
v6m_kill9_daemon() {
        local pid=$V6M_DAEMON_PID
        V6M_DAEMON_PID=""
        kill -KILL "$pid"
        v6m_wait_exit "$pid" 10 || die "v6mostlyd survived SIGKILL"
}

v6m_daemon_alive() {
        [[ -n "$V6M_DAEMON_PID" ]] && v6m_pid_alive "$V6M_DAEMON_PID"
}

# ------------------------------------------------------------- v6mostlyctl --

ctl() {
        ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" "$@"
}

# v6m_backend_is BACKEND [LINK]: the CLAT backend v6mostlyctl shows for LINK
# (uplink0) is BACKEND.
v6m_backend_is() {
        [[ $(ctl --json status "${2:-uplink0}" | jq -r .clat.backend) == "$1" ]]
}

# v6m_wait_state LINK STATES [SECONDS]: v6mostlyctl wait (event-driven) as a check.
v6m_wait_state() {
        local link=$1 states=$2 timeout=${3:-30} rc=0 out
        out=$(ctl wait "$link" "$states" --timeout="$timeout" 2>&1) || rc=$?
        if (( rc == 0 )); then
                pass "$link reaches $states"
                return 0
        fi
        fail "$link reaches $states (v6mostlyctl wait exit $rc)"
        [[ -n "$out" ]] && sed 's/^/    | /' <<<"$out"
        echo "    current status:"
        ctl --json status "$link" 2>&1 | sed 's/^/    | /' || true
        return 1
}

# v6m_check_json DESCRIPTION JSON [check-link-json.py ARGS...]
v6m_check_json() {
        local desc=$1 json=$2 out rc=0
        shift 2
        out=$("$V6M_PYTHON" "$V6M_E2E_DIR/check-link-json.py" "$@" <<<"$json" 2>&1) || rc=$?
        if (( rc == 0 )); then
                pass "$desc"
        else
                fail "$desc"
                sed 's/^/    | /' <<<"$out"
                echo "    JSON was:"
                sed 's/^/    | /' <<<"$json"
        fi
}

# v6m_check_log DESCRIPTION ERE [LOGFILE]: the daemon log has a matching line.
v6m_check_log() {
        local file=${3:-$V6M_DAEMON_LOG}
        if grep -Eq -- "$2" "$file"; then
                pass "$1"
                grep -E -m1 -- "$2" "$file" | sed 's/^/    | /'
        else
                fail "$1 (no line matching /$2/ in ${file##*/})"
        fi
}

# v6m_start_monitor: v6mostlyctl monitor in the background, writing to
# $V6M_MONITOR_OUT; returns once it has subscribed to PropertiesChanged.
v6m_start_monitor() {
        V6M_MONITOR_OUT="$V6M_TMP/monitor.out"
        : >"$V6M_MONITOR_OUT"
        # Not through ctl(): a backgrounded function is a subshell, and $! must
        # be v6mostlyctl itself (ip netns exec execs it).
        ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" monitor >>"$V6M_MONITOR_OUT" 2>&1 </dev/null &
        V6M_MONITOR_PID=$!
        v6m_pids+=("$V6M_MONITOR_PID")
        if v6m_bus wait-match "$V6M_MONITOR_PID" 10; then
                pass "v6mostlyctl monitor subscribed to PropertiesChanged"
        else
                fail "v6mostlyctl monitor subscribed to PropertiesChanged"
        fi
}

# v6m_monitor_states LINK: the states LINK went to, one a line, in order, from
# the monitor's transition lines "LINK: OLD → NEW" or "LINK: OLD → NEW (reason)".
v6m_monitor_states() {
        LC_ALL=C.UTF-8 awk -v link="$1" '
                index($0, link ": ") == 1 {
                        rest = substr($0, length(link) + 3)
                        if (match(rest, /^[a-z0-9-]+ (→|->) [a-z0-9-]+/)) {
                                n = split(substr(rest, RSTART, RLENGTH), w, " ")
                                print w[n]
                        }
                }' "$V6M_MONITOR_OUT"
}

# v6m_wait_monitor_state LINK STATE [SECONDS] [SKIP]: bounded wait until the
# monitor reported LINK in STATE, ignoring the first SKIP reports (there is no
# event for "the monitor wrote a line", so this polls its output file).
v6m_wait_monitor_state() {
        v6m_poll_until "${3:-10}" v6m_monitor_reported "$1" "$2" "${4:-0}"
}

v6m_monitor_reported() {
        v6m_monitor_states "$1" | tail -n +$(($3 + 1)) | grep -qx -- "$2"
}

v6m_stop_monitor() {
        local pid=$V6M_MONITOR_PID
        [[ -n "$pid" ]] || return 0
        V6M_MONITOR_PID=""
        kill -INT "$pid" 2>/dev/null || true
        if ! v6m_wait_exit "$pid" 5; then
                v6m_kill "$pid"
        fi
}

# -------------------------------------------------- NAT64 (PLAT) and IPv4 --

V6M_PLAT_PREFIX=2001:db8:64::/96
V6M_SERVER4=100.64.100.10
V6M_NS_SERVER=""
V6M_TAYGA_PID=""

# v6m_plat: an IPv4-only server namespace behind the router, and a real tayga
# NAT64 in the router namespace translating $V6M_PLAT_PREFIX (a network-specific
# prefix: tayga refuses private IPv4 under 64:ff9b::/96) with the dynamic pool
# 203.0.113.0/24.
#
#   router: rs0 100.64.100.1/24 <-- veth --> server: s0 100.64.100.10/24
#           nat64 (tayga): 2001:db8:64::/96 <-> 203.0.113.0/24
v6m_plat() {
        command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
        V6M_NS_SERVER="${V6M_NS_PREFIX}-server"
        v6m_netns_add "$V6M_NS_SERVER"
        ip link add rs0 netns "$V6M_NS_ROUTER" type veth peer name s0 netns "$V6M_NS_SERVER"
        ip -n "$V6M_NS_ROUTER" addr add 100.64.100.1/24 dev rs0
        ip -n "$V6M_NS_ROUTER" link set rs0 up
        ip -n "$V6M_NS_SERVER" addr add "$V6M_SERVER4/24" dev s0
        ip -n "$V6M_NS_SERVER" link set s0 up
        ip -n "$V6M_NS_SERVER" route add default via 100.64.100.1
        ip netns exec "$V6M_NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1

        mkdir -p "$V6M_TMP/tayga"
        cat >"$V6M_TMP/tayga.conf" <<EOF
tun-device nat64
ipv4-addr 192.168.255.1
ipv6-addr 2001:db8:1::64
prefix $V6M_PLAT_PREFIX
dynamic-pool 203.0.113.0/24
data-dir $V6M_TMP/tayga
EOF
        ip netns exec "$V6M_NS_ROUTER" tayga --config "$V6M_TMP/tayga.conf" --mktun >>"$V6M_TMP/tayga.log" 2>&1
        ip -n "$V6M_NS_ROUTER" link set nat64 up
        ip -n "$V6M_NS_ROUTER" route add "$V6M_PLAT_PREFIX" dev nat64
        ip -n "$V6M_NS_ROUTER" route add 203.0.113.0/24 dev nat64
        ip -n "$V6M_NS_ROUTER" route add 192.168.255.1/32 dev nat64
        ip netns exec "$V6M_NS_ROUTER" tayga --config "$V6M_TMP/tayga.conf" --nodetach >>"$V6M_TMP/tayga.log" 2>&1 &
        V6M_TAYGA_PID=$!
        v6m_pids+=("$V6M_TAYGA_PID")
}

# v6m_wait_listening NETNS PORT [SECONDS]: until a TCP socket listens on PORT
# there. Without connecting: a probe connection would count as a client (iperf3
# then resets the next real one).
v6m_wait_listening() {
        v6m_poll_until "${3:-10}" v6m_listening "$1" "$2"
}

v6m_listening() {
        [[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]]
}

# v6m_clat_network LINK [PREFIX] [EXTRA-LINES]: a .network for a CLAT link with
# the static NAT64 prefix (the PLAT's by default) and the backend list
# $V6M_CLAT_BACKEND (default: tun; the CLAT tests that run for every backend
# set it from their argument).
v6m_clat_network() {
        v6m_network_file "50-$1.network" <<CONF
[Match]
Name=$1

[Network]
DHCPv4=no

[NAT64]
Prefix=${2:-$V6M_PLAT_PREFIX}

[CLAT]
Backend=${V6M_CLAT_BACKEND:-tun}
${3:-}
CONF
}

# v6m_ebpf_counters: the eBPF CLAT's per-CPU counters, summed, one "name value"
# line each (fast_4to6 fast_6to4 slow_4to6 slow_6to4); v6m_ebpf_counter NAME: one.
# The map is the daemon's v6m_counters (by its descriptors: other tests on the host may
# run a CLAT of their own), else found by name: one CLAT link at a time.
v6m_ebpf_map() {
        local f id
        if [[ -n "$V6M_DAEMON_PID" ]]; then
                for f in /proc/"$V6M_DAEMON_PID"/fdinfo/*; do
                        id=$(awk '$1 == "map_id:" { print $2 }' "$f" 2>/dev/null) || continue
                        [[ -n "$id" ]] || continue
                        if [[ $(bpftool -j map show id "$id" 2>/dev/null | jq -r .name) == v6m_counters ]]; then
                                echo "id $id"
                                return 0
                        fi
                done
        fi
        echo "name v6m_counters"
}
v6m_ebpf_counters() {
        # shellcheck disable=SC2046 # "id N" or "name NAME": two words for bpftool
        bpftool -j map dump $(v6m_ebpf_map) 2>/dev/null | jq -r '
                [.[] | (.formatted // .) | {key: (.key | if type == "array" then (map(ltrimstr("0x") | explode |
                 map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1]) | .[0] + .[1] * 256) else . end),
                 sum: ([.values[] | .value | if type == "array" then (reverse | map(ltrimstr("0x") | explode |
                 map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1]) | reduce .[] as $b (0; . * 256 + $b))
                 else . end] | add)}] | .[] | select(.key < 4) |
                "\(["fast_4to6", "fast_6to4", "slow_4to6", "slow_6to4"][.key]) \(.sum)"'
}
v6m_ebpf_counter() {
        v6m_ebpf_counters | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# v6m_clat_leftovers LINK: what a CLAT of LINK has on the host: devices,
# IPv4 addresses of 192.0.0.0/29, routes of protocol 118 (v6mostly's).
v6m_clat_leftovers() {
        local ifindex
        ifindex=$(v6m_ifindex "$1")
        ip -n "$V6M_NS_CLIENT" -o link show | grep -oE "v6mc(lat)?$ifindex\b" || true
        ip -n "$V6M_NS_CLIENT" -o -4 addr show | grep -oE ' 192\.0\.0\.[0-7]/' || true
        ip -n "$V6M_NS_CLIENT" -4 route show proto 118 || true
}

# v6m_standard_setup: the set-up most tests share: one uplink with SLAAC and a
# default route from radvd, uplink0 matched with DHCPv4=no and the static prefix
# 64:ff9b::/96, the private bus, the daemon, and uplink0 settled in `degraded`
# (no CLAT backend in this build). Exits the test if it does not get there.
v6m_standard_setup() {
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
        v6m_start_daemon
        v6m_wait_state uplink0 degraded 30 || exit 1
}
