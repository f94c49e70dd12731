#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package in a guest with systemd as PID 1 (test/vm/run-vm-systemd.sh deb
# built it from this source and put it in /root/v6m-deb): dpkg -i installs it, its
# postinst creates the user v6mostly and enables and starts the unit; the files are
# where systemd and dbus-daemon read them; the daemon runs as v6mostly and its CLAT
# (eBPF backend) carries a ping and a TCP transfer to an IPv4 literal; the bus policy
# lets a user read and refuses his reload; dpkg --purge stops it and removes
# /var/lib/v6mostly.
source "$V6MOSTLY_SOURCE_ROOT/test/vm/systemd/lib.sh"

[[ -d /run/systemd/system ]] || skip "systemd is not PID 1"
debs=(/root/v6m-deb/v6mostly_*.deb)
[[ -f ${debs[0]} ]] || die "no /root/v6m-deb/v6mostly_*.deb in the guest"
"$V6M_PYTHON" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy not installed (run tools/deps)"
command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
note "package: ${debs[*]##*/} ($(du -k "${debs[0]}" | cut -f1) KiB)"
check_not "before: no user v6mostly" getent passwd v6mostly
check_not "before: no v6mostlyd.service" systemctl cat "$UNIT"

# man-db's trigger would rebuild the index of every manual page of the host over
# 9p (minutes under TCG); without this file it skips that (the guest's overlay only).
rm -f /var/lib/man-db/auto-update
# A container image's /usr/sbin/policy-rc.d (exit 101: start no service) came along
# with the host's root; a Debian machine has none, and postinst is to start the unit.
if [[ -e /usr/sbin/policy-rc.d ]]; then
        note "removing the host's /usr/sbin/policy-rc.d in the guest (it forbids starting services)"
        rm -f /usr/sbin/policy-rc.d
fi
t0=$SECONDS
timeout 300 dpkg -i "${debs[0]}" 2>&1 | sed 's/^/    | /' && rc=${PIPESTATUS[0]} || rc=${PIPESTATUS[0]}
check_eq "dpkg -i ${debs[0]##*/} ($((SECONDS - t0)) s)" "$rc" 0
(( rc == 0 )) || exit 1
V6MOSTLYD=$(command -v v6mostlyd) V6MOSTLYCTL=$(command -v v6mostlyctl)
check "postinst created the system user v6mostly" getent passwd v6mostly
check_eq "postinst enabled the unit" "$(systemctl is-enabled "$UNIT" 2>&1)" enabled
check "postinst started it: active (running)" sd_running
check "dpkg -L: the unit in systemd's directory" bash -c 'dpkg -L v6mostly | grep -qx /lib/systemd/system/v6mostlyd.service'
check "dpkg -L: the bus policy in /usr/share/dbus-1/system.d" \
        bash -c 'dpkg -L v6mostly | grep -qx /usr/share/dbus-1/system.d/org.v6mostly1.conf'
check "dpkg -L: the activation file in /usr/share/dbus-1/system-services" \
        bash -c 'dpkg -L v6mostly | grep -qx /usr/share/dbus-1/system-services/org.v6mostly1.service'
check "dpkg -L: the sysusers.d snippet" bash -c 'dpkg -L v6mostly | grep -q "^/usr/lib/sysusers.d/"'
check "dpkg -L: the plugins" bash -c 'dpkg -L v6mostly | grep -q "/v6mostly/plugins/clat-ebpf.so$"'
pid=$(sd_prop MainPID)
check_eq "the daemon (PID $pid) runs as v6mostly (ps -o user=)" "$(ps -o user= -p "$pid" | tr -d ' ')" v6mostly
check_eq "/var/lib/v6mostly belongs to v6mostly" "$(stat -c %U /var/lib/v6mostly 2>&1)" v6mostly

# ---- the packaged daemon's CLAT
v6m_sd_init
v6m_plat
v6m_sd_ra --pref64 "$V6M_PLAT_PREFIX"
cat >"$NETDIR/50-uplink0.network" <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no

[CLAT]
Backend=ebpf
CONF
check "systemctl reload v6mostlyd (the new .network)" systemctl reload "$UNIT"
if v6m_wait_state uplink0 ipv6-mostly 90; then
        v6m_check_json "the CLAT runs with the eBPF backend" "$(ctl --json status uplink0)" \
                --expect clat.backend=ebpf --expect clat.state=running
        check "ping $V6M_SERVER4 through the CLAT" ping -c3 -i0.3 -W3 "$V6M_SERVER4"
        ip netns exec "$V6M_NS_SERVER" "$V6M_PYTHON" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$V6M_SERVER4"'", 8081)); s.listen(1)
c, _ = s.accept(); c.sendall(b"x" * 1000000); c.close()' >"$V6M_TMP/tcp.log" 2>&1 &
        v6m_pids+=("$!")
        v6m_wait_listening "$V6M_NS_SERVER" 8081 60 || fail "the TCP server did not start"
        check_eq "1 MB over TCP from $V6M_SERVER4:8081" \
                "$(timeout 60 "$V6M_PYTHON" -c '
import socket, sys
s = socket.create_connection(("'"$V6M_SERVER4"'", 8081), timeout=30); n = 0
while True:
    b = s.recv(65536)
    if not b: break
    n += len(b)
print(n)' 2>&1)" 1000000
fi
check "v6mostlyctl status as nobody" runuser -u nobody -- "$V6MOSTLYCTL" status
check_not "v6mostlyctl reload as nobody is refused" runuser -u nobody -- "$V6MOSTLYCTL" reload

# ---- purge
timeout 300 dpkg --purge v6mostly 2>&1 | sed 's/^/    | /' && rc=${PIPESTATUS[0]} || rc=${PIPESTATUS[0]}
check_eq "dpkg --purge v6mostly" "$rc" 0
check_not "purged: the daemon is not running" sd_running
check_not "purged: /var/lib/v6mostly is gone" test -e /var/lib/v6mostly
check_not "purged: /usr/sbin/v6mostlyd is gone" test -e /usr/sbin/v6mostlyd
check_eq "purged: no CLAT left on uplink0" "$(v6m_sd_leftovers uplink0)" ""
v6m_sd_finish
