#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Routers repeat RAs only every few minutes, so the pref64-ra plugin sends a Router
# Solicitation when it starts managing a link that is already up, and when UsePREF64= is
# switched back on. Here the router answers solicitations with PREF64 and never sends
# it unsolicited: the daemon learns the prefix only if it asked.
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
UsePREF64=$1
CONF
}
network yes

# The kernel solicits when uplink0 comes up, until a router answers: let radvd's RA (a
# default route) end that first, so every solicitation the responder sees afterwards is
# the daemon's.
has_default_route() { ip -n "$V6M_NS_CLIENT" -6 route show default | grep -q via; }
v6m_poll_until 30 has_default_route || die "uplink0 got no default route from radvd within 30 s"

exec {responder}< <(exec ip netns exec "$V6M_NS_ROUTER" "$V6M_PYTHON" "$V6M_E2E_DIR/send-ra.py" --iface r0 \
                        --pref64 2001:db8:5::/96@600 --answer-rs 2>>"$V6M_TMP/responder.log")
v6m_pids+=("$!")
v6m_fds+=("$responder")
read -r -t 20 -u "$responder" line && [[ "$line" == LISTENING ]] || die "the RS responder did not start"

v6m_start_bus
v6m_start_daemon
ifindex=$(v6m_ifindex uplink0 2>/dev/null)
check "the daemon solicits and learns the prefix at start" \
        v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:5::/96 10
read -r -t 5 -u "$responder" answered from || true
check_eq "the responder answered a solicitation" "$answered" ANSWERED
client_ll=$(ip -n "$V6M_NS_CLIENT" -6 -o addr show dev uplink0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
check_eq "the solicitation came from uplink0 ($client_ll)" "$from" "$client_ll"
v6m_check_log "the solicitation is logged" "Sent a Router Solicitation \(started managing the link\)"

network no
check "reload with UsePREF64=no" ctl reload
check "UsePREF64=no withdraws the prefix" v6m_bus wait-prop "$ifindex" NAT64PrefixSource none 10
network yes
check "reload with UsePREF64=yes" ctl reload
check "UsePREF64 switched on: solicited again, the prefix is back" \
        v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:5::/96 10
v6m_check_log "the second solicitation is logged" "Sent a Router Solicitation \(UsePREF64= switched on\)"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
