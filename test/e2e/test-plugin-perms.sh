#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The plugin loader refuses a plugin file that is world-writable or not owned
# by root, and says which file; the link then has no NAT64 prefix. A copy with
# sane permissions (the control) is loaded and works.
source "$(dirname "$0")/lib.sh"

v6m_require
v6m_init
shopt -s nullglob
plugins=("$V6MOSTLY_PLUGIN_DIR"/*.so)
(( ${#plugins[@]} )) || die "no plugins in $V6MOSTLY_PLUGIN_DIR"
[[ -f "$V6MOSTLY_PLUGIN_DIR/nat64-static.so" ]] || die "nat64-static.so not built"

v6m_topology 1
v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no

[NAT64]
Prefix=64:ff9b::/96
CONF
v6m_start_bus

# copy_plugins NAME: the built plugins in $V6M_TMP/NAME, root:root 0755/0644.
copy_plugins() {
        local dir="$V6M_TMP/$1"
        mkdir -m 755 "$dir"
        cp "${plugins[@]}" "$dir/"
        chown root:root "$dir" "$dir"/*.so
        chmod 644 "$dir"/*.so
        echo "$dir"
}

# 1. Control: the copied directory works.
dir=$(copy_plugins plugins-ok)
V6MOSTLY_PLUGIN_DIR=$dir v6m_start_daemon --plugin-dir="$dir"
v6m_wait_state uplink0 degraded 30
json=$(ctl --json status uplink0) || true
v6m_check_json "control: the copied nat64-static.so gives the static prefix" "$json" \
        --expect state=degraded --expect nat64.prefix=64:ff9b::/96 --expect nat64.source=static
check_not "control: no plugin refused" grep -Eqi "refus" "$V6M_DAEMON_LOG"
v6m_stop_daemon

# expect_refused LABEL WHY DIR: the daemon refuses DIR/nat64-static.so, saying
# WHY (an ERE) and naming the file; uplink0 ends up without a prefix.
expect_refused() {
        local label=$1 why=$2 dir=$3 file="$3/nat64-static.so"
        V6MOSTLY_PLUGIN_DIR=$dir v6m_start_daemon --plugin-dir="$dir"
        v6m_wait_state uplink0 ipv6-only 30
        v6m_check_log "$label: the refusal names $file and says why" "${file//./\\.}.*($why)|($why).*${file//./\\.}"
        json=$(ctl --json status uplink0) || true
        v6m_check_json "$label: uplink0 ipv6-only with no NAT64 prefix" "$json" \
                --expect state=ipv6-only --expect nat64.prefix=null --expect nat64.source=none \
                --expect 'nat64.candidates=[]'
        check "$label: the reason mentions the missing NAT64 prefix" \
                bash -c '"$@" | jq -e ".reason | test(\"NAT64|prefix\"; \"i\")"' _ \
                ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYCTL" --json status uplink0
        check "v6mostlyd is still running" v6m_daemon_alive
        v6m_stop_daemon
}

# 2. World-writable.
dir=$(copy_plugins plugins-world-writable)
chmod 666 "$dir/nat64-static.so"
expect_refused "world-writable plugin" "world-writable" "$dir"

# 3. Owned by another user (nobody), mode 0644.
dir=$(copy_plugins plugins-not-root)
chown 65534:65534 "$dir/nat64-static.so"
expect_refused "plugin owned by nobody" "owned|owner|not root" "$dir"

v6m_finish
