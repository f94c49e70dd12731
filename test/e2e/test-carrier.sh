#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Carrier follows the peer: the router end goes down → uplink0 loses carrier →
# pending; it comes back up → degraded again. v6mostlyctl monitor, running in
# the background, prints both transitions in order.
source "$(dirname "$0")/lib.sh"

v6m_standard_setup

v6m_start_monitor

ip -n "$V6M_NS_ROUTER" link set r0 down
check "uplink0 has lost carrier (kernel)" \
        bash -c "ip -n '$V6M_NS_CLIENT' link show uplink0 | grep -q NO-CARRIER"
v6m_wait_state uplink0 pending 20
json=$(ctl --json status uplink0) || true
v6m_check_json "status JSON says pending" "$json" --expect state=pending
check "monitor printed uplink0 going pending" v6m_wait_monitor_state uplink0 pending 10
seen=$(v6m_monitor_states uplink0 | wc -l)

ip -n "$V6M_NS_ROUTER" link set r0 up
v6m_wait_state uplink0 degraded 30
json=$(ctl --json status uplink0) || true
v6m_check_json "status JSON: degraded with the static prefix again" "$json" \
        --expect state=degraded --expect nat64.prefix=64:ff9b::/96 --expect nat64.source=static
check "monitor printed uplink0 going degraded after that" v6m_wait_monitor_state uplink0 degraded 10 "$seen"

v6m_stop_monitor
check_eq "monitor reported uplink0 pending, then (perhaps configuring, then) degraded" \
        "$(v6m_monitor_states uplink0 | grep -v configuring | tr '\n' ' ')" "pending degraded "
note "monitor output:"
sed 's/^/    | /' "$V6M_MONITOR_OUT"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
