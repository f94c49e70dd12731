#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Reload picks up a changed prefix: first by SIGHUP, then by v6mostlyctl reload
# (Manager.Reload). A second link whose .network did not change is left alone:
# the monitor prints nothing for it and its state and prefix stay as they were.
source "$(dirname "$0")/lib.sh"

v6m_require
v6m_init
v6m_topology 2

uplink_network() { # NAME LINK PREFIX
        v6m_network_file "$1" <<CONF
[Match]
Name=$2

[Network]
DHCPv4=no

[NAT64]
Prefix=$3
CONF
}
uplink_network 50-uplink0.network uplink0 64:ff9b::/96
uplink_network 51-uplink1.network uplink1 2001:db8:64::/96

v6m_start_bus
v6m_start_daemon
v6m_wait_state uplink0 degraded 30 || exit 1
v6m_wait_state uplink1 degraded 30 || exit 1
if0=$(v6m_ifindex uplink0)
if1=$(v6m_ifindex uplink1)
check_eq "uplink0 starts with 64:ff9b::/96" "$(v6m_bus get-property "$if0" NAT64Prefix 2>&1)" '"64:ff9b::/96"'
check_eq "uplink1 starts with 2001:db8:64::/96" "$(v6m_bus get-property "$if1" NAT64Prefix 2>&1)" '"2001:db8:64::/96"'

v6m_start_monitor

# 1. SIGHUP
uplink_network 50-uplink0.network uplink0 2001:db8:6464::/96
kill -HUP "$V6M_DAEMON_PID"
check "after SIGHUP uplink0's NAT64Prefix is 2001:db8:6464::/96 (PropertiesChanged)" \
        v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:6464::/96 10
check "v6mostlyd is still running after SIGHUP" v6m_daemon_alive

# 2. v6mostlyctl reload
uplink_network 50-uplink0.network uplink0 64:ff9b:1::/96
check "v6mostlyctl reload exits 0" ctl reload
check "after v6mostlyctl reload uplink0's NAT64Prefix is 64:ff9b:1::/96" \
        v6m_bus wait-prop "$if0" NAT64Prefix 64:ff9b:1::/96 10
json=$(ctl --json status uplink0) || true
v6m_check_json "uplink0: degraded with the reloaded static prefix" "$json" \
        --expect state=degraded --expect nat64.prefix=64:ff9b:1::/96 --expect nat64.source=static \
        --expect nat64.candidates.0.prefix=64:ff9b:1::/96

# Barrier: a transition on uplink0 after the reloads. Once the monitor printed
# it, it has printed everything the daemon emitted before (one connection,
# signals in order), including anything about uplink1.
ip -n "$V6M_NS_ROUTER" link set r0 down
v6m_wait_state uplink0 pending 20
check "monitor printed uplink0 going pending (barrier)" v6m_wait_monitor_state uplink0 pending 10
v6m_stop_monitor

check_eq "uplink1 stays degraded" "$(v6m_bus get-property "$if1" State 2>&1)" '"degraded"'
check_eq "uplink1 keeps 2001:db8:64::/96" "$(v6m_bus get-property "$if1" NAT64Prefix 2>&1)" '"2001:db8:64::/96"'
check_eq "the monitor printed no transition for uplink1" "$(v6m_monitor_states uplink1 | tr '\n' ' ')" ""
check_not "the monitor printed nothing at all about uplink1" grep -q '^uplink1: ' "$V6M_MONITOR_OUT"
note "monitor output:"
sed 's/^/    | /' "$V6M_MONITOR_OUT"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
