#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Precedence RA PREF64 > static ([NAT64] Prefix=): an RA prefix replaces the static one
# while it lives, the static one comes back when it expires; with UsePREF64=no (reload)
# RA prefixes are withdrawn and ignored.
source "$(dirname "$0")/lib.sh"

v6m_require
v6m_require_scapy
v6m_init
v6m_topology 1
network() { # USEPREF64
        v6m_network_file 50-uplink.network <<CONF
[Match]
Name=uplink0

[Network]
DHCPv4=no

[NAT64]
Prefix=64:ff9b::/96
UsePREF64=$1
CONF
}
network yes
v6m_start_bus
v6m_start_daemon
ifindex=$(v6m_ifindex uplink0)
v6m_wait_state uplink0 degraded 30 || exit 1
check "the static prefix first" v6m_bus wait-prop "$ifindex" NAT64PrefixSource static 10
check_eq "its origin is config" "$(v6m_bus get-property "$ifindex" NAT64PrefixOrigin)" '"config"'

# 1. The RA prefix wins over the static one.
v6m_send_ra --pref64 2001:db8:64::/96@16
check "the RA prefix is chosen" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:64::/96 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON: source ra, both candidates" "$json" --schema \
        --expect nat64.prefix=2001:db8:64::/96 --expect nat64.source=ra
check_eq "candidates: the RA and the static prefix" \
        "$(jq -c '[.nat64.candidates[] | .source + " " + .prefix] | sort' <<<"$json")" \
        '["ra 2001:db8:64::/96","static 64:ff9b::/96"]'

# 2. When it expires, the static prefix is back.
check "the RA prefix expires and the static one is back" \
        v6m_bus wait-prop "$ifindex" NAT64PrefixSource static 30
check_eq "static prefix" "$(v6m_bus get-property "$ifindex" NAT64Prefix)" '"64:ff9b::/96"'
check "one candidate" v6m_bus wait-candidates "$ifindex" 1 10

# 3. UsePREF64=no: a reload withdraws the RA prefix; later PREF64 options are ignored.
v6m_send_ra --pref64 2001:db8:64::/96@600
check "the RA prefix is chosen again" v6m_bus wait-prop "$ifindex" NAT64PrefixSource ra 10
network no
check "v6mostlyctl reload" ctl reload
check "UsePREF64=no: back to the static prefix" v6m_bus wait-prop "$ifindex" NAT64PrefixSource static 10
check "UsePREF64=no: the RA candidate is withdrawn" v6m_bus wait-candidates "$ifindex" 1 10
# The RDNSS in the same RA is the barrier: once it shows, the PREF64 was handled too.
v6m_send_ra --pref64 2001:db8:64::/96@600 --rdnss 2001:db8:1::53@600
check "barrier: the RDNSS of the same RA is applied" v6m_bus wait-prop "$ifindex" DNSServers "['2001:db8:1::53']" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "UsePREF64=no: PREF64 ignored" "$json" \
        --expect nat64.prefix=64:ff9b::/96 --expect nat64.source=static
check_eq "UsePREF64=no: one candidate" "$(jq '.nat64.candidates | length' <<<"$json")" 1
v6m_check_log "the ignored PREF64 is logged at debug level" "Ignoring PREF64 2001:db8:64::/96 from .*: UsePREF64=no"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
