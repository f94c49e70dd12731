#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The resolver backend "resolvconf" against the host's openresolv, confined: the daemon
# runs under `ip netns exec`, whose mount namespace binds /etc/netns/<ns>/resolvconf.conf
# over /etc/resolvconf.conf, so openresolv keeps its state and writes its resolv.conf in
# this test's directory (and runs no dnsmasq/unbound subscriber). The RA's RDNSS/DNSSL
# become the record "uplink0.v6mostly" (`resolvconf -a`), exactly; lifetime 0, link down
# and daemon stop remove it (`resolvconf -d`); a kill -9 leaves it and the next start
# removes it. The host's /etc/resolv.conf stays byte for byte what it was.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/resolver-lib.sh"

v6m_require
v6m_require_scapy
resolvconf=""
for f in /usr/sbin/resolvconf /sbin/resolvconf; do
        [[ -x $f ]] && { resolvconf=$f; break; }
done
[[ -n "$resolvconf" ]] || skip "openresolv not installed (run tools/deps)"
"$resolvconf" --version 2>/dev/null | grep -q '^openresolv' ||
        skip "$resolvconf is not openresolv (Debian's resolvconf cannot be confined to a test)"
[[ -f /etc/resolvconf.conf ]] || skip "no /etc/resolvconf.conf to bind our configuration over"
[[ -f "$V6MOSTLY_PLUGIN_DIR/resolver-resolvconf.so" ]] || die "resolver-resolvconf plugin not built"
v6m_init
host_copy=$V6M_TMP/host-resolv.conf
cp -a /etc/resolv.conf "$host_copy" 2>/dev/null || : >"$host_copy"
had_run_resolvconf=$([[ -e /run/resolvconf ]] && echo yes || echo no)

v6m_topology 1
state=$V6M_TMP/resolvconf
mkdir -p "$state"
: >"$state/resolv.conf"
cat >"/etc/netns/$V6M_NS_CLIENT/resolvconf.conf" <<CONF
# v6mostly e2e test: openresolv confined to $state
resolv_conf=$state/resolv.conf
state_dir=$state/run
CONF
record=$state/run/interfaces/uplink0.v6mostly

v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no
CONF
# resolved first: it is not on the test's private bus, so the reason says so.
export V6M_RESOLVE_BACKEND="resolved resolvconf file"
v6m_start_bus
v6m_start_daemon
ifindex=$(v6m_ifindex uplink0)
v6m_wait_state uplink0 ipv6-only 30 || exit 1
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns: backend resolvconf" "$json" --schema --expect dns.backend=resolvconf
check "dns.reason says why resolved was not used" \
        jq -e '.dns.reason == "resolved: org.freedesktop.resolve1 is not on the system bus"' <<<"$json"
status=$(ctl status uplink0) || true
check "v6mostlyctl status says why resolved was passed over" \
        grep -q "DNS Backend: others not used: resolved: org.freedesktop.resolve1 is not on the system bus" <<<"$status"
check "the DNSBackendReason property says it too" v6m_bus wait-prop "$ifindex" DNSBackendReason \
        "resolved: org.freedesktop.resolve1 is not on the system bus" 5

# 1. The RA's servers and domains become the record, exactly.
v6m_send_ra --rdnss 2001:db8:1::53,fe80::53@600 --dnssl Example.COM,corp.example@600
check "resolvconf -a: the record holds the RA's servers and domains" \
        v6m_wait_file_lines "$record" '^(nameserver|search) ' "nameserver 2001:db8:1::53
nameserver fe80::53%uplink0
search example.com corp.example" 10
check "openresolv wrote them into its resolv.conf" \
        v6m_wait_file_lines "$state/resolv.conf" '^nameserver ' "nameserver 2001:db8:1::53
nameserver fe80::53%uplink0" 10
check "resolvconf -l lists the record" \
        bash -c 'ip netns exec "$1" "$2" -l uplink0.v6mostly | grep -q "nameserver 2001:db8:1::53"' _ \
        "$V6M_NS_CLIENT" "$resolvconf"

# 2. Lifetime 0 changes the record.
v6m_send_ra --rdnss fe80::53@0 --dnssl corp.example@0
check "lifetime 0: the record loses fe80::53 and corp.example" \
        v6m_wait_file_lines "$record" '^(nameserver|search) ' "nameserver 2001:db8:1::53
search example.com" 10

# 3. Link down removes the record.
ip -n "$V6M_NS_ROUTER" link set r0 down
check "link down: resolvconf -d removed the record" bash -c '
        for i in $(seq 200); do [[ -e "$1" ]] || exit 0; sleep 0.05; done; exit 1' _ "$record"
check "openresolv's resolv.conf has no server left" v6m_wait_file_lines "$state/resolv.conf" '^nameserver ' "" 5
ip -n "$V6M_NS_ROUTER" link set r0 up
v6m_wait_router_link_local || fail "r0 got no link-local address back"
v6m_wait_state uplink0 ipv6-only 30 || true
v6m_send_ra --rdnss 2001:db8:1::53@600
check "back up, the next RA adds the record again" \
        v6m_wait_file_lines "$record" '^nameserver ' "nameserver 2001:db8:1::53" 10

# 4. kill -9 leaves it, the next start removes it.
v6m_kill9_daemon
check "after kill -9 the record is still there" test -f "$record"
v6m_start_daemon
check "the next start removes it" bash -c '
        for i in $(seq 200); do [[ -e "$1" ]] || exit 0; sleep 0.05; done; exit 1' _ "$record"
v6m_send_ra --rdnss 2001:db8:1::53@600
check "and the next RA adds it" v6m_wait_file_lines "$record" '^nameserver ' "nameserver 2001:db8:1::53" 10

# 5. Daemon stop removes it.
v6m_stop_daemon
check "daemon stop: the record is gone" test ! -e "$record"
check "openresolv's resolv.conf has no server left after stop" \
        v6m_wait_file_lines "$state/resolv.conf" '^nameserver ' "" 1

# 6. A resolvconf that fails (its state directory cannot be created): the link falls
#    through to the next backend, which has the servers, and the reason says why.
cat >"/etc/netns/$V6M_NS_CLIENT/resolvconf.conf" <<CONF
# v6mostly e2e test: openresolv that cannot work
resolv_conf=$state/resolv.conf
state_dir=/proc/v6m-e2e-no-such-dir
CONF
v6m_start_daemon
v6m_wait_state uplink0 ipv6-only 30 || true
v6m_send_ra --rdnss 2001:db8:1::53@600
check "after resolvconf -a failed, the file backend has the server" \
        v6m_wait_file_lines "$V6M_TMP/run/resolv.conf" '^nameserver ' "nameserver 2001:db8:1::53" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns: backend file" "$json" --schema --expect dns.backend=file
check "dns.reason says resolvconf -a failed" \
        jq -e '.dns.reason | test("resolvconf: resolvconf -a uplink0.v6mostly exited with status [0-9]+")' <<<"$json"
v6m_check_log "the fall-through is logged" "Resolver backend resolvconf failed \\(resolvconf -a uplink0.v6mostly exited"
v6m_stop_daemon

check "the host's /etc/resolv.conf is byte for byte what it was" cmp /etc/resolv.conf "$host_copy"
check_eq "the host's /run/resolvconf is as it was" \
        "$([[ -e /run/resolvconf ]] && echo yes || echo no)" "$had_run_resolvconf"
v6m_finish
