#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The installed unit under systemd as PID 1 (guest of test/vm/v6m-vm.sh, systemd mode):
# `systemctl start` returns once the daemon sent READY=1 (Type=notify) and the unit is
# active (running); `systemctl reload` re-reads the .network files (a changed [NAT64]
# Prefix= shows on the bus and in v6mostlyctl status, same PID); kill -9 and
# Restart=on-failure bring it back with one CLAT, not two; a daemon that stops pinging
# (SIGSTOP) is killed and restarted by systemd (WatchdogSec=); `systemctl stop` leaves no
# CLAT device, address, route, tc filter or BPF program behind.
source "$V6MOSTLY_SOURCE_ROOT/test/vm/systemd/lib.sh"

v6m_sd_require
v6m_sd_init
v6m_sd_ra

uplink_network() { # PREFIX
        cat >"$NETDIR/50-uplink0.network" <<CONF
[Match]
Name=uplink0

[Network]
DHCPv4=no

[NAT64]
Prefix=$1

[CLAT]
Backend=ebpf tun
CONF
}
uplink_network 2001:db8:64::/96

# ---- start: Type=notify, active (running)
check_eq "the unit is Type=notify" "$(sd_prop Type)" notify
check "systemctl start v6mostlyd" systemctl start "$UNIT"
check "active (running) once systemctl start returned" sd_running
check "systemctl status says active (running)" \
        bash -c 'systemctl status --no-pager v6mostlyd | grep -q "Active: active (running)"'
pid=$(sd_prop MainPID)
check "MainPID ($pid) is v6mostlyd" bash -c '[[ $(cat /proc/$1/comm) == v6mostlyd ]]' _ "$pid"
note "status text: $(sd_prop StatusText)"
v6m_wait_state uplink0 ipv6-mostly 60 || { v6m_sd_finish; }
ifindex=$(v6m_ifindex uplink0)
check_eq "one CLAT device for uplink0" "$(v6m_sd_clat_devices uplink0)" 1
backend=$(ctl --json status uplink0 | jq -r .clat.backend)
note "CLAT backend: $backend"

# ---- reload: a changed prefix, the same process
uplink_network 2001:db8:6464::/96
check "systemctl reload v6mostlyd" systemctl reload "$UNIT"
check "after systemctl reload: NAT64Prefix on the bus is 2001:db8:6464::/96" \
        v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:6464::/96 20
v6m_check_json "v6mostlyctl status shows the reloaded static prefix" "$(ctl --json status uplink0)" \
        --expect nat64.prefix=2001:db8:6464::/96 --expect nat64.source=static
check_eq "reload kept the process" "$(sd_prop MainPID)" "$pid"
# Back to the prefix the PLAT would translate; the CLAT follows.
uplink_network 2001:db8:64::/96
systemctl reload "$UNIT"
check "reloaded back to 2001:db8:64::/96" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:64::/96 20
v6m_wait_state uplink0 ipv6-mostly 60

# ---- kill -9: Restart=on-failure, one CLAT after the restart
restarts=$(sd_prop NRestarts)
kill -KILL "$pid"
v6m_sd_wait "after kill -9: systemd restarted it (NRestarts $restarts → $((restarts + 1)))" 60 \
        bash -c '[[ $(systemctl show -p NRestarts --value v6mostlyd) == "$1" ]]' _ "$((restarts + 1))"
v6m_sd_wait "after kill -9: active (running) again" 60 sd_running
newpid=$(sd_prop MainPID)
check "after kill -9: a new process" test "$newpid" != "$pid"
v6m_wait_state uplink0 ipv6-mostly 60
check_eq "after kill -9 and restart: one CLAT device, not two" "$(v6m_sd_clat_devices uplink0)" 1
check_eq "after kill -9 and restart: one 192.0.0.0/29 address" \
        "$(ip -4 -o addr show | grep -c ' 192\.0\.0\.[0-7]/')" 1
if [[ $backend == ebpf ]]; then
        check_eq "after kill -9 and restart: one tc filter of ours on uplink0" \
                "$(tc filter show dev uplink0 ingress | grep -c 'v6m_clat_')" 1
fi
v6m_check_json "after kill -9 and restart: the CLAT runs" "$(ctl --json status uplink0)" --expect clat.state=running
pid=$newpid

# ---- WatchdogSec=: the daemon pings; stopped, it is killed and restarted
wd=$(sd_prop WatchdogUSec)
note "WatchdogUSec=$wd"
check "the unit has a watchdog" test -n "$wd" -a "$wd" != 0 -a "$wd" != infinity
wd0=$(sd_prop WatchdogTimestampMonotonic)
# The daemon pings at half the period: wait for one ping (the event), bounded.
v6m_sd_wait "the daemon pings the watchdog (WatchdogTimestamp moves)" 60 \
        bash -c '[[ $(systemctl show -p WatchdogTimestampMonotonic --value v6mostlyd) != "$1" ]]' _ "$wd0"
restarts=$(sd_prop NRestarts)
cursor=$(journalctl -b -n0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p')
kill -STOP "$pid"
v6m_sd_wait "SIGSTOPped daemon: systemd restarted it (NRestarts $restarts → $((restarts + 1)))" 180 \
        bash -c '[[ $(systemctl show -p NRestarts --value v6mostlyd) == "$1" ]]' _ "$((restarts + 1))"
check "the journal says why: watchdog timeout" \
        bash -c 'journalctl --no-pager -u v6mostlyd ${1:+--after-cursor="$1"} | grep -q "Watchdog timeout"' _ "$cursor"
v6m_sd_wait "after the watchdog: active (running) again" 60 sd_running
check "after the watchdog: a new process" test "$(sd_prop MainPID)" != "$pid"
v6m_wait_state uplink0 ipv6-mostly 60
check_eq "after the watchdog restart: one CLAT device" "$(v6m_sd_clat_devices uplink0)" 1

# ---- stop: nothing left behind
check "systemctl stop v6mostlyd" systemctl stop "$UNIT"
check_eq "stopped: inactive" "$(sd_prop ActiveState)" inactive
check_eq "stopped: it exited cleanly (Result)" "$(sd_prop Result)" success
left=$(v6m_sd_leftovers uplink0)
check_eq "stopped: no CLAT device, address, route, tc filter or BPF program left" "$left" ""
v6m_sd_finish
