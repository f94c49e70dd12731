#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real system bus (dbus-daemon started by systemd, dbus.socket) with the installed
# policy (/usr/share/dbus-1/system.d/org.v6mostly1.conf): an unprivileged user reads
# (v6mostlyctl status), is refused reload and renew with a clear message (Access
# denied); root may do both. D-Bus activation through the installed
# /usr/share/dbus-1/system-services/org.v6mostly1.service: with the daemon stopped, a
# call to org.v6mostly1 (busctl introspect as root, v6mostlyctl status as the user)
# makes systemd start v6mostlyd.service.
source "$V6MOSTLY_SOURCE_ROOT/test/vm/systemd/lib.sh"

v6m_sd_require
user=nobody
id "$user" >/dev/null 2>&1 || skip "no user $user"
v6m_sd_init
v6m_sd_ra
cat >"$NETDIR/50-uplink0.network" <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no
CLAT=no

[NAT64]
Prefix=64:ff9b::/96
CONF
as_user() { runuser -u "$user" -- "$@"; }

check "the policy is installed where dbus-daemon reads it" test -f /usr/share/dbus-1/system.d/org.v6mostly1.conf
check "the activation file is installed where dbus-daemon reads it" \
        test -f /usr/share/dbus-1/system-services/org.v6mostly1.service
check "systemctl start v6mostlyd" systemctl start "$UNIT"
check "it owns org.v6mostly1 on the system bus" \
        bash -c 'busctl --system status org.v6mostly1 | grep -q "^PID=$1$"' _ "$(sd_prop MainPID)"
v6m_wait_state uplink0 ipv6-only 60
ifindex=$(v6m_ifindex uplink0)

# ---- an unprivileged user: reads, is refused changes
out=$(as_user "$V6MOSTLYCTL" status 2>&1) && rc=0 || rc=$?
check_eq "v6mostlyctl status as $user: exit 0" "$rc" 0
check "v6mostlyctl status as $user lists uplink0" grep -q uplink0 <<<"$out"
check "v6mostlyctl status uplink0 as $user" as_user "$V6MOSTLYCTL" status uplink0
check "v6mostlyctl --json status uplink0 as $user: the prefix" \
        bash -c '[[ $(runuser -u "$1" -- "$2" --json status uplink0 | jq -r .nat64.prefix) == 64:ff9b::/96 ]]' \
        _ "$user" "$V6MOSTLYCTL"
for cmd in reload "renew uplink0"; do
        # shellcheck disable=SC2086
        out=$(as_user "$V6MOSTLYCTL" $cmd 2>&1) && rc=0 || rc=$?
        check_eq "v6mostlyctl $cmd as $user is refused (exit 1)" "$rc" 1
        check "v6mostlyctl $cmd as $user says why: Access denied" grep -qi 'access denied\|AccessDenied' <<<"$out"
        note "v6mostlyctl $cmd as $user: $out"
done
check_eq "the refused calls did not restart anything" "$(sd_prop NRestarts)" 0

# ---- root
check "v6mostlyctl reload as root" ctl reload
check "v6mostlyctl renew uplink0 as root" ctl renew uplink0
check "still active (running)" sd_running

# ---- D-Bus activation
check "systemctl stop v6mostlyd" systemctl stop "$UNIT"
check_eq "stopped" "$(sd_prop ActiveState)" inactive
out=$(timeout 60 busctl --system introspect org.v6mostly1 /org/v6mostly1 2>&1) && rc=0 || rc=$?
check_eq "busctl introspect org.v6mostly1 /org/v6mostly1 with the daemon stopped: exit 0" "$rc" 0
check "the introspection has org.v6mostly1.Manager" grep -q 'org\.v6mostly1\.Manager' <<<"$out"
check "the call started v6mostlyd.service (active)" sd_running
check "the bus asked systemd for it (dbus-daemon's journal)" \
        bash -c 'journalctl --no-pager -b -u dbus.service | grep -q "Activating via systemd: service name=.org\.v6mostly1."'
v6m_wait_state uplink0 ipv6-only 60
check "systemctl stop v6mostlyd" systemctl stop "$UNIT"
check "v6mostlyctl status as $user with the daemon stopped activates it" as_user "$V6MOSTLYCTL" status
check "activated by the user's call: active (running)" sd_running
v6m_sd_finish
