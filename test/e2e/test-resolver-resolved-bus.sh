#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The resolver-resolved plugin's side of the protocol, against a stand-in for
# systemd-resolved on the test's private bus (fake-resolved.py): RevertLink when the
# link gets the backend, then SetLinkDNSEx, SetLinkDomains, SetLinkDefaultRoute with
# exactly the RA's servers and domains, in that order; RevertLink on link down and on
# daemon stop; when "resolved" leaves the bus the link falls back to the next backend,
# and when it comes back (NameOwnerChanged) everything is applied to it again; a
# refused call (LinkBusy) falls through to the next backend. Whether systemd-resolved
# itself accepts and uses these calls is tested in the systemd VM, not here.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/resolver-lib.sh"

[[ -f "$V6MOSTLY_PLUGIN_DIR/resolver-resolved.so" ]] || die "resolver-resolved plugin not built"
v6m_require
v6m_require_scapy
v6m_init
cat >"$V6M_TMP/resolve1.conf" <<'EOF2'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="root">
    <allow own="org.freedesktop.resolve1"/>
    <allow send_destination="org.freedesktop.resolve1"/>
  </policy>
</busconfig>
EOF2
export V6M_BUS_EXTRA_POLICY=$V6M_TMP/resolve1.conf
calls=$V6M_TMP/resolve1.calls
FAKE_PID=""

start_fake() {
        local fd line
        exec {fd}< <(exec "$V6M_PYTHON" "$V6M_E2E_DIR/fake-resolved.py" "$calls" "$@" 2>>"$V6M_TMP/fake-resolved.log")
        FAKE_PID=$!
        v6m_pids+=("$FAKE_PID")
        v6m_fds+=("$fd")
        read -r -t 10 -u "$fd" line && [[ "$line" == READY ]] || die "fake-resolved.py did not start"
}
stop_fake() {
        v6m_kill "$FAKE_PID"
        FAKE_PID=""
}
# wait_calls JQ-FILTER SECONDS: bounded wait until the calls so far, as one JSON array,
# satisfy the filter (the stand-in writes a line per call; no event to wait on).
wait_calls() {
        local deadline=$((SECONDS + $2))
        until jq -se "$1" "$calls" >/dev/null 2>&1; do
                if (( SECONDS >= deadline )); then
                        echo "calls:"; cat "$calls" 2>/dev/null
                        return 1
                fi
                sleep 0.05
        done
}

v6m_topology 1
v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no
CONF
export V6M_RESOLVE_BACKEND="resolved file"
v6m_start_bus
: >"$calls"
start_fake
v6m_start_daemon
ifindex=$(v6m_ifindex uplink0)
v6m_wait_state uplink0 ipv6-only 30 || exit 1
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns: backend resolved, no reason" "$json" --schema --expect dns.backend=resolved \
        --expect dns.reason=null
check "RevertLink($ifindex) when the link got the backend" \
        wait_calls "map(select(.ifindex == $ifindex)) | .[0].call == \"RevertLink\"" 10

# 1. The RA's settings, exactly and in order.
: >"$calls"
v6m_send_ra --rdnss 2001:db8:1::53,fe80::53@600 --dnssl Example.COM,corp.example@600
want='[{"call":"SetLinkDNSEx","ifindex":IF,"args":[[10,"2001:db8:1::53",0,""],[10,"fe80::53",0,""]]},
       {"call":"SetLinkDomains","ifindex":IF,"args":[["example.com",false],["corp.example",false]]},
       {"call":"SetLinkDefaultRoute","ifindex":IF,"args":[true]}]'
want=${want//IF/$ifindex}
check "SetLinkDNSEx, SetLinkDomains, SetLinkDefaultRoute with the RA's servers and domains" \
        wait_calls ". == $want" 10

# 2. "resolved" goes: the next backend takes over; it comes back: all applied again.
stop_fake
check "without resolved the link falls back to the file backend" \
        v6m_wait_file_lines "$V6M_TMP/run/resolv.conf" '^nameserver ' "nameserver 2001:db8:1::53
nameserver fe80::53%uplink0" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns: backend file" "$json" --expect dns.backend=file \
        --expect dns.reason="resolved: org.freedesktop.resolve1 is not on the system bus"
: >"$calls"
start_fake
check "back on the bus: RevertLink, then the same three calls again" \
        wait_calls "map(select(.ifindex == $ifindex)) | (.[0].call == \"RevertLink\") and (.[1:] == $want)" 10
check "... and the file backend let go of the link" \
        v6m_wait_file_lines "$V6M_TMP/run/resolv.conf" '^nameserver ' "" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns: backend resolved again" "$json" --expect dns.backend=resolved --expect dns.reason=null

# 3. Link down reverts.
: >"$calls"
ip -n "$V6M_NS_ROUTER" link set r0 down
check "link down: RevertLink($ifindex)" wait_calls "map(.call) == [\"RevertLink\"]" 10
ip -n "$V6M_NS_ROUTER" link set r0 up
v6m_wait_router_link_local || fail "r0 got no link-local address back"
v6m_wait_state uplink0 ipv6-only 30 || true
v6m_send_ra --rdnss 2001:db8:1::53@600
check "back up, the RA's server is set again" \
        wait_calls "map(select(.call == \"SetLinkDNSEx\")) | .[-1].args == [[10, \"2001:db8:1::53\", 0, \"\"]]" 10

# 4. Daemon stop reverts.
: >"$calls"
v6m_stop_daemon
check "daemon stop: RevertLink($ifindex)" wait_calls "map(select(.ifindex == $ifindex)) | map(.call) == [\"RevertLink\"]" 5

# 5. A refused call (the link is systemd-networkd's): the next backend takes it.
stop_fake
start_fake --busy
v6m_start_daemon
v6m_wait_state uplink0 ipv6-only 30 || true
v6m_send_ra --rdnss 2001:db8:1::53@600
check "LinkBusy: the file backend has the server" \
        v6m_wait_file_lines "$V6M_TMP/run/resolv.conf" '^nameserver ' "nameserver 2001:db8:1::53" 10
json=$(ctl --json status uplink0) || true
note "dns.reason: $(jq -r .dns.reason <<<"$json")"
check "dns.reason names the refusal" \
        jq -e '.dns.reason | test("^resolved: SetLinkDNSEx failed: org.freedesktop.resolve1.LinkBusy")' <<<"$json"
v6m_finish
