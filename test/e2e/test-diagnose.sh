#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# v6mostlyctl diagnose on an IPv6-mostly network with one fault each (argument):
#
#   healthy    SLAAC + default route (radvd), PREF64 + RDNSS every 2 s (send-ra.py),
#              dnsmasq with option 108, unbound DNS64 with the same prefix, tayga
#              NAT64: every check PASS (or SKIP with a reason), exit 0
#   mismatch   unbound synthesizes from 64:ff9b::/96, PREF64 is 2001:db8:64::/96:
#              dns64 FAIL naming both, exit 1
#   nat64-down tayga killed: nat64-ping and nat64-tcp FAIL, the CLAT still PASS, exit 1
#   lifetime   PREF64 lifetime 8 s (< 3 x the 4 s minimum MaxRtrAdvInterval):
#              pref64-lifetime WARN, exit 0
#   no108      dnsmasq without option 108: --probe WARNs and says why
#   short-wait dnsmasq offers option 108 with V6ONLY_WAIT 60 s: --probe WARNs that
#              clients use 300 s (RFC 8925 §3.4)
#   pmtu       the router's IPv4 side at MTU 1400: nat64-pmtu WARN with 1400
#   two-prefixes BIND as the DNS64, synthesizing from the PREF64 prefix and a
#              second one no router announces: dns64-query FAIL naming it, exit 1
#   two-announced the same, and the router announces both prefixes: dns64-query and
#              pref64 WARN (several prefixes), exit 0
#   bad-plc    the RAs also carry a PREF64 with Prefix Length Code 7: pref64-valid
#              WARN naming the router, exit 0
#   shadow     a "VPN" device with a route to the target's /24: clat-route FAIL
#              naming it, exit 1
#
# Each asserts the verdicts of the --json output and the exit status.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"
source "$(dirname "$0")/dns64-lib.sh"

scenario=${1:-healthy}
V6M_CLAT=1
v6m_require
v6m_require_scapy
if [[ $scenario == two-* ]]; then v6m_require_dns_tools named; else v6m_require_dns_tools unbound; fi
v6m_dhcp4_have_server dnsmasq || skip "dnsmasq not installed (run tools/deps)"
v6m_dhcp4_require_plugin
command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
v6m_init

prefix=$V6M_PLAT_PREFIX
dns64_prefix=$V6M_PLAT_PREFIX
pref64_lifetime=1800
v6only=1800
case "$scenario" in
healthy | nat64-down | pmtu | shadow | two-prefixes | two-announced | bad-plc) ;;
mismatch) dns64_prefix=64:ff9b::/96 ;;
lifetime) pref64_lifetime=8 ;;
no108) v6only="" ;;
short-wait) v6only=60 ;;
*) die "unknown scenario '$scenario'" ;;
esac

v6m_topology 1
v6m_plat
v6m_dhcp4_router_ipv4
v6m_dhcp4_start dnsmasq ${v6only:+v6only=$v6only} lease=600
second_prefix=2001:db8:65::/96
if [[ $scenario == two-* ]]; then
        v6m_start_bind "$dns64_prefix" 300 "$second_prefix"
else
        v6m_start_unbound "$dns64_prefix" 300
fi
v6m_network_file 50-uplink0.network <<CONF
[Match]
Name=uplink0

[Network]
DHCPv4=yes

[CLAT]
Backend=tun
CONF
# The system resolver of the client namespace (what `ip netns exec` bind-mounts over
# /etc/resolv.conf) is the network's DNS64, as a resolver backend would set it.
printf 'nameserver %s\n' "$V6M_DNS_ADDRESS" >"/etc/netns/$V6M_NS_CLIENT/resolv.conf"
v6m_start_bus
v6m_start_daemon
ifindex=$(v6m_ifindex uplink0)
more_pref64=()
[[ $scenario == two-announced ]] && more_pref64=(--pref64 "$second_prefix@$pref64_lifetime")
# PREF64 64:ff9b:: with PLC 7 (test-pref64-malformed's): 38, length 2, lifetime|PLC, 12 octets
[[ $scenario == bad-plc ]] && more_pref64=(--raw 260201270064ff9b0000000000000000)
v6m_send_ra --pref64 "$prefix@$pref64_lifetime" "${more_pref64[@]}" --rdnss "$V6M_DNS_ADDRESS@1800" --count 0 --interval 2 \
        >>"$V6M_TMP/send-ra.log" 2>&1 &
v6m_pids+=("$!")

if [[ $scenario == no108 ]]; then
        v6m_wait_state uplink0 dual-stack 30 || exit 1
else
        v6m_wait_state uplink0 ipv6-mostly 30 || exit 1
        v6m_bus wait-prop "$ifindex" DHCPv4State v6only 20 >/dev/null || die "DHCPv4 did not go v6only"
fi
v6m_bus wait-prop "$ifindex" NAT64PrefixSource ra 20 >/dev/null || die "no PREF64 from the RAs"
# The DNS64 answer and a second RA (the interval) are facts the checks read.
has_dns64() { ctl --json status uplink0 | jq -e '[.nat64.candidates[] | select(.source == "dns64")] | length > 0' >/dev/null; }
v6m_poll_until 20 has_dns64 || die "the DNS64 plugin did not learn a prefix"
two_ras() { (( $(grep -c "PREF64 .* from fe80.*lifetime" "$V6M_DAEMON_LOG" || true) >= 2 )); }
v6m_poll_until 10 two_ras || die "fewer than two PREF64 RAs seen"

case "$scenario" in
nat64-down)
        v6m_kill "$V6M_TAYGA_PID"
        ;;
pmtu)
        ip -n "$V6M_NS_ROUTER" link set rs0 mtu 1400
        ip -n "$V6M_NS_SERVER" link set s0 mtu 1400
        ;;
shadow)
        # A veth pair stands in for the VPN's device (no dummy module here).
        ip -n "$V6M_NS_CLIENT" link add vpn0 type veth peer name vpn0peer
        ip -n "$V6M_NS_CLIENT" link set vpn0peer up
        ip -n "$V6M_NS_CLIENT" link set vpn0 up
        ip -n "$V6M_NS_CLIENT" route add 100.64.100.0/24 dev vpn0
        ;;
esac

probe=()
[[ $scenario == no108 || $scenario == short-wait ]] && probe=(--probe)
rc=0
t0=$EPOCHREALTIME
json=$(ctl --json=short diagnose "${probe[@]}" --target="$V6M_SERVER4" uplink0) || rc=$?
note "diagnose took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s, exit $rc"
ctl diagnose "${probe[@]}" --target="$V6M_SERVER4" uplink0 | sed 's/^/    | /' || true

verdict() { jq -r --arg id "$1" '.[0].checks[] | select(.id == $id) | .verdict' <<<"$json"; }
field() { jq -r --arg id "$1" --arg f "$2" '.[0].checks[] | select(.id == $id) | .[$f] // empty' <<<"$json"; }
check "the JSON is one link, uplink0, with checks" \
        jq -e 'length == 1 and .[0].name == "uplink0" and (.[0].checks | length) > 5' <<<"$json"
for id in ipv6-address ipv6-router ipv6-mtu pref64 dhcp4; do
        [[ $scenario == no108 && $id == dhcp4 ]] && continue
        [[ $scenario == two-announced && $id == pref64 ]] && continue
        check_eq "$id PASS" "$(verdict "$id")" PASS
done

case "$scenario" in
healthy)
        check_eq "exit status 0" "$rc" 0
        check "every check PASS or SKIP" jq -e '[.[0].checks[] | select(.verdict != "PASS" and .verdict != "SKIP")] | length == 0' <<<"$json"
        check "every SKIP says why" jq -e '[.[0].checks[] | select(.verdict == "SKIP" and (.evidence | length) < 5)] | length == 0' <<<"$json"
        for id in pref64-lifetime dns64 dns64-query host-resolver clat clat-drops clat-route nat64-ping nat64-tcp nat64-pmtu; do
                check_eq "$id PASS" "$(verdict "$id")" PASS
        done
        check_eq "nat64-pmtu: the CLAT MTU (1472) gets through" "$(field nat64-pmtu value)" 1472
        check "the dns64 evidence names the resolver" grep -q "$V6M_DNS_ADDRESS" <<<"$(field dns64 evidence)"
        rc=0
        all=$(ctl --json=short diagnose) || rc=$?
        check_eq "without arguments: the managed links only (uplink0), exit 0" \
                "$(jq -r 'map(.name) | join(" ")' <<<"$all") $rc" "uplink0 0"
        rc=0; ctl diagnose nosuchlink >/dev/null 2>&1 || rc=$?
        check_eq "an unknown link: exit status 4" "$rc" 4
        rc=0; ctl diagnose --target=2001:db8::1 uplink0 >/dev/null 2>&1 || rc=$?
        check_eq "an IPv6 --target: usage error, exit status 2" "$rc" 2
        # Reading is open to everyone (bus policy); the probes are root's.
        nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        rc=0
        json=$(ip netns exec "$V6M_NS_CLIENT" "${nobody[@]}" "$V6MOSTLYCTL" --json=short diagnose uplink0) || rc=$?
        check_eq "unprivileged: exit status 0" "$rc" 0
        check_eq "unprivileged: the passive checks run (clat PASS)" "$(verdict clat)" PASS
        check_eq "unprivileged: the probes SKIP" "$(verdict nat64-probes)" SKIP
        check "unprivileged: no probe ran" jq -e '[.[0].checks[] | select(.id == "nat64-ping")] | length == 0' <<<"$json"
        ;;
mismatch)
        check_eq "exit status 1" "$rc" 1
        check_eq "dns64 FAIL" "$(verdict dns64)" FAIL
        check "dns64 names both prefixes" bash -c '[[ $1 == *64:ff9b::/96* && $1 == *2001:db8:64::/96* ]]' _ "$(field dns64 evidence)"
        check_eq "dns64: DNS64 is where to fix it" "$(field dns64 where)" dns64
        check_eq "dns64-query FAIL too (asked afresh)" "$(verdict dns64-query)" FAIL
        check_eq "host-resolver FAIL: the system resolver's AAAA are not under the prefix in use" \
                "$(verdict host-resolver)" FAIL
        ;;
two-prefixes)
        check_eq "exit status 1" "$rc" 1
        check_eq "dns64-query FAIL" "$(verdict dns64-query)" FAIL
        check "dns64-query names both prefixes, the second not in PREF64" \
                bash -c '[[ $1 == *2001:db8:64::/96* && $1 == *"2001:db8:65::/96 (not PREF64)"* ]]' _ "$(field dns64-query evidence)"
        check_eq "dns64-query: DNS64 is where to fix it" "$(field dns64-query where)" dns64
        ;;
bad-plc)
        check_eq "exit status 0 (a good PREF64 is in use)" "$rc" 0
        check_eq "pref64-valid WARN" "$(verdict pref64-valid)" WARN
        check "pref64-valid names the router and the reason" \
                bash -c '[[ $1 == *"router fe80::"* && $1 == *pref64-plc* ]]' _ "$(field pref64-valid evidence)"
        check_eq "pref64-valid: the router is where to fix it" "$(field pref64-valid where)" router
        check "the link's reason carries the warning too" \
                bash -c 'ip netns exec "$1" "$2" --json status uplink0 | jq -e ".reason | contains(\"no valid NAT64 prefix\")"' \
                _ "$V6M_NS_CLIENT" "$V6MOSTLYCTL"
        ;;
two-announced)
        check_eq "exit status 0 (warnings are no failure)" "$rc" 0
        check_eq "pref64 WARN (two prefixes announced)" "$(verdict pref64)" WARN
        check_eq "pref64: 2 prefixes" "$(field pref64 value)" 2
        check_eq "dns64-query WARN (synthesized from two prefixes)" "$(verdict dns64-query)" WARN
        check "dns64-query names both prefixes" \
                bash -c '[[ $1 == *2001:db8:64::/96* && $1 == *2001:db8:65::/96* && $1 != *"not PREF64"* ]]' _ "$(field dns64-query evidence)"
        check_eq "the CLAT uses one of them and reaches the NAT64" "$(verdict nat64-ping)" PASS
        ;;
nat64-down)
        check_eq "exit status 1" "$rc" 1
        check_eq "nat64-ping FAIL" "$(verdict nat64-ping)" FAIL
        check_eq "nat64-tcp FAIL" "$(verdict nat64-tcp)" FAIL
        check_eq "nat64-ping: the NAT64 is where to fix it" "$(field nat64-ping where)" nat64
        check_eq "the CLAT itself PASS" "$(verdict clat)" PASS
        check_eq "clat-route PASS" "$(verdict clat-route)" PASS
        ;;
lifetime)
        check_eq "exit status 0 (a warning is no failure)" "$rc" 0
        check_eq "pref64-lifetime WARN" "$(verdict pref64-lifetime)" WARN
        check_eq "pref64-lifetime: the lifetime shown is 8 s" "$(field pref64-lifetime value)" 8
        check_eq "pref64-lifetime: the router is where to fix it" "$(field pref64-lifetime where)" router
        ;;
no108)
        check_eq "dhcp4 WARN (asked for 108, got a lease)" "$(verdict dhcp4)" WARN
        check_eq "dhcp4-probe WARN" "$(verdict dhcp4-probe)" WARN
        check "dhcp4-probe says option 108 was missing" grep -q "without option 108" <<<"$(field dhcp4-probe evidence)"
        check_eq "dhcp4-probe: the DHCP server is where to fix it" "$(field dhcp4-probe where)" dhcp-server
        check_eq "exit status 0 (nothing failed)" "$rc" 0
        check "the probe took no lease: one lease in dnsmasq's file (the daemon's own)" \
                bash -c '(( $(wc -l <"$1") <= 1 ))' _ "$V6M_DHCP4_LEASES"
        ;;
short-wait)
        check_eq "exit status 0" "$rc" 0
        check_eq "dhcp4-probe WARN" "$(verdict dhcp4-probe)" WARN
        check_eq "dhcp4-probe: the V6ONLY_WAIT offered, 60 s" "$(field dhcp4-probe value)" 60
        check "dhcp4-probe says clients use 300 s" grep -q "clients wait 300 s" <<<"$(field dhcp4-probe evidence)"
        ;;
pmtu)
        check_eq "exit status 0" "$rc" 0
        check_eq "nat64-pmtu WARN" "$(verdict nat64-pmtu)" WARN
        check_eq "nat64-pmtu: 1400 bytes get through" "$(field nat64-pmtu value)" 1400
        check "nat64-pmtu: the evidence shows 1400 and the CLAT MTU 1472" \
                bash -c '[[ $1 == *1400* && $1 == *1472* ]]' _ "$(field nat64-pmtu evidence)"
        ;;
shadow)
        check_eq "exit status 1" "$rc" 1
        check_eq "clat-route FAIL" "$(verdict clat-route)" FAIL
        check "clat-route names vpn0" grep -q "dev vpn0" <<<"$(field clat-route evidence)"
        check_eq "clat-route: this host is where to fix it" "$(field clat-route where)" host
        check_eq "the CLAT itself PASS" "$(verdict clat)" PASS
        check_eq "nat64-ping FAIL, and this host, not the NAT64, is to blame" \
                "$(verdict nat64-ping) $(field nat64-ping where)" "FAIL host"
        ;;
esac

if (( v6m_failures > 0 )); then
        echo "---- JSON ----"; jq . <<<"$json" || echo "$json"
fi
v6m_finish
