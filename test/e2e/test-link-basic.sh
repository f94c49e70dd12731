#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A link with SLAAC + a default route from radvd, DHCPv4=no and a static NAT64
# prefix, and no CLAT plugin: the daemon reports it as degraded ("no CLAT
# backend available") with the static prefix, the same way in v6mostlyctl's
# text and JSON output and directly on the bus; the JSON has exactly the keys
# of docs/dbus-api.md; the bus policy lets anyone read and only root call.
source "$(dirname "$0")/lib.sh"

v6m_standard_setup
ifindex=$(v6m_ifindex uplink0)

# What the kernel holds is what the state claims.
check "uplink0 has a SLAAC address in 2001:db8:1::/64" \
        bash -c "ip -n '$V6M_NS_CLIENT' -6 addr show dev uplink0 scope global | grep -q 'inet6 2001:db8:1:'"
check "uplink0 has a default route from the RA" \
        bash -c "ip -n '$V6M_NS_CLIENT' -6 route show default dev uplink0 | grep -q 'via fe80::'"

# v6mostlyctl --json status
json=$(ctl --json status uplink0) || fail "v6mostlyctl --json status uplink0 exits 0"
v6m_check_json "status JSON has exactly the documented keys and types" "$json" --schema
v6m_check_json "status JSON: degraded, no CLAT backend, static prefix 64:ff9b::/96" "$json" \
        --expect "ifindex=$ifindex" --expect name=uplink0 --expect state=degraded \
        --expect "reason=no CLAT backend available" \
        --expect dhcp4.state=disabled --expect dhcp4.address=null \
        --expect nat64.prefix=64:ff9b::/96 --expect nat64.source=static \
        --expect nat64.lifetime_remaining_s=null \
        --expect nat64.candidates.0.prefix=64:ff9b::/96 --expect nat64.candidates.0.source=static \
        --expect clat.state=stopped --expect clat.backend=null \
        --expect clat.counters.packets_4to6=0 --expect clat.counters.packets_6to4=0

# Text status, for people.
text=$(ctl status uplink0) || fail "v6mostlyctl status uplink0 exits 0"
check "text status names the link, its state and prefix" \
        bash -c 'grep -q uplink0 <<<"$1" && grep -q degraded <<<"$1" && grep -q "64:ff9b::/96" <<<"$1" && grep -qi static <<<"$1"' _ "$text"
check "text status gives the reason" grep -q "no CLAT backend available" <<<"$text"

# list, and --json list
list=$(ctl list) || fail "v6mostlyctl list exits 0"
check "v6mostlyctl list shows uplink0 as degraded" \
        bash -c 'grep -E "uplink0" <<<"$1" | grep -q degraded' _ "$list"
jlist=$(ctl --json list) || fail "v6mostlyctl --json list exits 0"
v6m_check_json "--json list: an array of documented objects, uplink0 degraded" "$jlist" \
        --array --schema --select uplink0 --expect state=degraded --expect nat64.source=static

# Directly on the bus.
path="/org/v6mostly1/link/$ifindex"
check_eq "Manager.GetLink($ifindex)" "$(v6m_bus get-link "$ifindex" 2>&1)" "$path"
check_eq "Manager.GetLinkByName(uplink0)" "$(v6m_bus get-link-by-name uplink0 2>&1)" "$path"
check_eq "Link.State" "$(v6m_bus get-property "$ifindex" State 2>&1)" '"degraded"'
check_eq "Link.Reason" "$(v6m_bus get-property "$ifindex" Reason 2>&1)" '"no CLAT backend available"'
check_eq "Link.Name" "$(v6m_bus get-property "$ifindex" Name 2>&1)" '"uplink0"'
check_eq "Link.Ifindex" "$(v6m_bus get-property "$ifindex" Ifindex 2>&1)" "$ifindex"
check_eq "Link.NAT64Prefix" "$(v6m_bus get-property "$ifindex" NAT64Prefix 2>&1)" '"64:ff9b::/96"'
check_eq "Link.NAT64PrefixSource" "$(v6m_bus get-property "$ifindex" NAT64PrefixSource 2>&1)" '"static"'
check_eq "Link.NAT64PrefixLifetimeRemaining is UINT64_MAX (infinite)" \
        "$(v6m_bus get-property "$ifindex" NAT64PrefixLifetimeRemaining 2>&1)" 18446744073709551615
check_eq "Link.DHCPv4State" "$(v6m_bus get-property "$ifindex" DHCPv4State 2>&1)" '"disabled"'
check_eq "Link.CLATState" "$(v6m_bus get-property "$ifindex" CLATState 2>&1)" '"stopped"'
check_eq "Link.CLATBackend" "$(v6m_bus get-property "$ifindex" CLATBackend 2>&1)" '""'
check_eq "Link.CLATMTU" "$(v6m_bus get-property "$ifindex" CLATMTU 2>&1)" 0
check_eq "Link.NetworkFile" "$(v6m_bus get-property "$ifindex" NetworkFile 2>&1)" \
        "\"$V6M_TMP/network/50-uplink.network\""
check_eq "Link.NAT64Candidates holds the static prefix" \
        "$(v6m_bus get-property "$ifindex" NAT64Candidates 2>&1)" \
        '[["64:ff9b::/96", "static", 18446744073709551615]]'
check_eq "Link.CLATCounters is (0, 0, {})" "$(v6m_bus get-property "$ifindex" CLATCounters 2>&1)" '[0, 0, {}]'
check_eq "Manager.Version is the project version" "$(v6m_bus manager-property Version 2>&1)" "\"${V6MOSTLY_VERSION:-0.1.0}\""
check "Manager.ListLinks has ($ifindex, uplink0, $path)" \
        grep -qF "[$ifindex, \"uplink0\", \"$path\"]" <<<"$(v6m_bus list-links 2>&1)"
djson=$(v6m_bus describe "$ifindex") || fail "Link.Describe() succeeds"
v6m_check_json "Link.Describe() is the documented JSON" "$djson" --schema \
        --expect state=degraded --expect nat64.prefix=64:ff9b::/96
check "Link.Describe() equals v6mostlyctl --json status" \
        "$V6M_PYTHON" -c 'import json,sys; a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2]); sys.exit(a!=b)' \
        "$djson" "$json"
mjson=$(v6m_bus manager-describe) || fail "Manager.Describe() succeeds"
v6m_check_json "Manager.Describe(): documented objects, uplink0 degraded" "$mjson" \
        --array --schema --select uplink0 --expect state=degraded
check_eq "GetLink(999999) fails with NoSuchLink" \
        "$(v6m_bus get-link 999999 2>&1 || true)" org.v6mostly1.Error.NoSuchLink
rc=0; ctl status no-such-link0 >/dev/null 2>&1 || rc=$?
check_eq "v6mostlyctl status of an unknown link exits 4" "$rc" 4

if command -v busctl >/dev/null; then
        check_eq "busctl get-property State" \
                "$(busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" get-property org.v6mostly1 "$path" org.v6mostly1.Link State 2>&1)" \
                's "degraded"'
else
        note "busctl not installed: skipping the busctl check"
fi

# The bus policy (units/org.v6mostly1.conf): reading is open, methods are root's.
if [[ -n "$V6M_BUS_POLICY" ]]; then
        nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        check "an unprivileged user may read Link.State" \
                "${nobody[@]}" "$V6M_PYTHON" "$V6M_E2E_DIR/v6m-bus.py" get-property "$ifindex" State
        check_eq "an unprivileged user may not call Manager.Reload" \
                "$("${nobody[@]}" "$V6M_PYTHON" "$V6M_E2E_DIR/v6m-bus.py" reload 2>&1 || true)" \
                org.freedesktop.DBus.Error.AccessDenied
        check "root may call Manager.Reload" v6m_bus reload
        v6m_wait_state uplink0 degraded 10 || true
else
        fail "units/org.v6mostly1.conf exists (bus policy)"
fi

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
