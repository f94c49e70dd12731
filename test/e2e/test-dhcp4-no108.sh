#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# IPv6OnlyPreferred=no (argument: kea|dnsmasq|dhcpd): the server offers option
# 108 to clients that ask, the client does not ask (no 108 in option 55 of any
# message), gets no 108 and takes a lease: address and default route on uplink0.
# Then IPv6OnlyPreferred=auto on a build without a CLAT plugin (no backend can
# be usable): the same.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

server=$(v6m_dhcp4_server_arg "$@") || exit 2
v6m_dhcp4_test_setup "$server"

# bound_without_108 WHAT
bound_without_108() {
        local addr
        v6m_dhcp4_wait_dhcp4_state bound 30 || return 1
        addr=$(v6m_dhcp4_json address)
        check "$1: a lease from the pool ($addr)" v6m_dhcp4_in_pool "$addr" 192.0.2.100-192.0.2.149
        check_eq "$1: the address is on uplink0" "$(v6m_dhcp4_client_addr)" "$addr"
        check "$1: an IPv4 default route via 192.0.2.1" \
                grep -q '^default via 192\.0\.2\.1 ' <<<"$(v6m_dhcp4_client_default_route)"
        check "$1: the client sent DISCOVER and REQUEST" \
                test -n "$(v6m_dhcp4_sniffed "in DISCOVER ")" -a -n "$(v6m_dhcp4_sniffed "in REQUEST ")"
        check_eq "$1: no client message lists 108 in option 55" \
                "$(v6m_dhcp4_sniffed "^[0-9.]+ in .*$(v6m_dhcp4_prl_has 108)")" ""
        check_eq "$1: no server message carries 108" "$(v6m_dhcp4_sniffed "^[0-9.]+ out .*v6only=[0-9]")" ""
        check_eq "$1: dhcp4.v6only_wait_remaining_s is null" "$(v6m_dhcp4_json v6only_wait_remaining_s)" null
}

v6m_dhcp4_start "$server" v6only=1800
v6m_dhcp4_network_file IPv6OnlyPreferred=no
v6m_dhcp4_sniff_mark
v6m_start_daemon
bound_without_108 "IPv6OnlyPreferred=no" || exit 1
v6m_stop_daemon

if compgen -G "$V6MOSTLY_PLUGIN_DIR/clat-*.so" >/dev/null; then
        note "a CLAT plugin is built: IPv6OnlyPreferred=auto depends on its probe here; not checked"
        v6m_finish
fi
ip -n "$V6M_NS_CLIENT" -4 addr flush dev uplink0
v6m_dhcp4_restart "$server" v6only=1800
v6m_dhcp4_network_file IPv6OnlyPreferred=auto
v6m_dhcp4_sniff_mark
v6m_start_daemon
bound_without_108 "IPv6OnlyPreferred=auto without a CLAT plugin"
v6m_finish
