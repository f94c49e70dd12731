#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A link that no .network file matches is known but unmanaged: no prefix, no
# network file, and the daemon leaves it alone.
source "$(dirname "$0")/lib.sh"

v6m_require
v6m_init
v6m_topology 1
v6m_network_file 50-other.network <<'CONF'
[Match]
Name=nomatch0

[Network]
DHCPv4=no

[NAT64]
Prefix=64:ff9b::/96
CONF
v6m_start_bus
v6m_start_daemon

v6m_wait_state uplink0 unmanaged 30
json=$(ctl --json status uplink0) || true
v6m_check_json "uplink0 is unmanaged, with no network file and no prefix" "$json" \
        --expect name=uplink0 --expect state=unmanaged \
        --expect nat64.prefix=null --expect nat64.source=none --expect clat.state=stopped
ifindex=$(v6m_ifindex uplink0)
check_eq "Link.State on the bus" "$(v6m_bus get-property "$ifindex" State 2>&1)" '"unmanaged"'
check_eq "Link.NetworkFile is empty" "$(v6m_bus get-property "$ifindex" NetworkFile 2>&1)" '""'
check "v6mostlyctl list shows uplink0 as unmanaged" \
        bash -c '"$@" | grep uplink0 | grep -q unmanaged' _ ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" list

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
