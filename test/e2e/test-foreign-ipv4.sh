#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Native IPv4 configured by another tool (DHCPv4=no, e.g. beside a DHCP client the
# daemon does not own) counts as native IPv4: the link goes dual-stack, and back to
# the IPv6-only decision when the address goes. Addresses from 192.0.0.0/29 (RFC 7335,
# reserved for CLATs) and link-local 169.254/16 are not native IPv4.
source "$(dirname "$0")/lib.sh"

v6m_standard_setup

ip -n "$V6M_NS_CLIENT" addr add 192.0.0.2/29 dev uplink0
ip -n "$V6M_NS_CLIENT" addr add 169.254.7.7/16 dev uplink0
ip -n "$V6M_NS_CLIENT" addr add 198.51.100.20/24 dev uplink0
v6m_wait_state uplink0 dual-stack 20
json=$(ctl --json status uplink0) || true
v6m_check_json "a foreign IPv4 address makes the link dual-stack" "$json" \
        --expect state=dual-stack --expect "reason=native IPv4 (IPv4 address configured by another tool)" \
        --expect dhcp4.state=disabled --expect clat.state=stopped

ip -n "$V6M_NS_CLIENT" addr del 198.51.100.20/24 dev uplink0
v6m_wait_state uplink0 degraded 20
json=$(ctl --json status uplink0) || true
v6m_check_json "CLAT-range and link-local IPv4 addresses are not native IPv4" "$json" \
        --expect state=degraded --expect "reason=no CLAT backend available"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
