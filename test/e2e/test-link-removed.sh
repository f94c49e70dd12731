#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Deleting the interface removes its bus object (GetLink → NoSuchLink,
# v6mostlyctl status exits 4) and the daemon lives on; re-creating the
# interface brings the link back (new ifindex, new object) to degraded.
source "$(dirname "$0")/lib.sh"

v6m_standard_setup
old_ifindex=$(v6m_ifindex uplink0)
check_eq "GetLink($old_ifindex) before deletion" "$(v6m_bus get-link "$old_ifindex" 2>&1)" \
        "/org/v6mostly1/link/$old_ifindex"

ip -n "$V6M_NS_CLIENT" link del uplink0
check "the link object vanishes (InterfacesRemoved / GetLink fails)" \
        v6m_bus wait-gone "$old_ifindex" 10
check_eq "GetLink($old_ifindex) fails with NoSuchLink" \
        "$(v6m_bus get-link "$old_ifindex" 2>&1 || true)" org.v6mostly1.Error.NoSuchLink
check_eq "GetLinkByName(uplink0) fails with NoSuchLink" \
        "$(v6m_bus get-link-by-name uplink0 2>&1 || true)" org.v6mostly1.Error.NoSuchLink
rc=0; ctl status uplink0 >/dev/null 2>&1 || rc=$?
check_eq "v6mostlyctl status uplink0 exits 4 (no such link)" "$rc" 4
check "v6mostlyctl list no longer shows uplink0" bash -c '! "$@" | grep -q uplink0' _ \
        ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" list
check "v6mostlyd is still running" v6m_daemon_alive

# Same name again, a new ifindex; radvd is restarted for the new router end.
v6m_add_uplink 0
v6m_restart_radvd
new_ifindex=$(v6m_ifindex uplink0)
note "uplink0 was ifindex $old_ifindex, is now $new_ifindex"
v6m_wait_state uplink0 degraded 30
check_eq "GetLink($new_ifindex) after re-creation" "$(v6m_bus get-link "$new_ifindex" 2>&1)" \
        "/org/v6mostly1/link/$new_ifindex"
json=$(ctl --json status uplink0) || true
v6m_check_json "status JSON: the new uplink0, degraded with the static prefix" "$json" \
        --expect "ifindex=$new_ifindex" --expect state=degraded \
        --expect nat64.prefix=64:ff9b::/96 --expect nat64.source=static
if [[ "$new_ifindex" != "$old_ifindex" ]]; then
        check_eq "the old object stays gone" \
                "$(v6m_bus get-link "$old_ifindex" 2>&1 || true)" org.v6mostly1.Error.NoSuchLink
fi

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
