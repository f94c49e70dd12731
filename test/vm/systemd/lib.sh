# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared code of the systemd VM tests (test/vm/systemd/test-*.sh). They run in the
# guest that test/vm/v6m-vm.sh booted with systemd as PID 1 (V6M_VM_INIT=systemd),
# this build installed into it (`meson install` or the .deb), and drive the daemon
# the way a user does: systemctl, the real system bus, journalctl. On top of
# test/e2e/lib.sh (check, PASS/FAIL, namespaces and their clean-up):
#
#   guest root namespace (systemd, dbus-daemon, v6mostlyd)   netns ${V6M_NS_PREFIX}-router
#   uplink0 (SLAAC from send-ra.py, PREF64)      <-- veth -->  r0 2001:db8:1::1/64, tayga
#
# The daemon runs where systemd starts it, in the guest's root namespace: lib.sh's
# "client" namespace is that one (`ip netns attach` of PID 1's), so lib.sh's
# helpers (v6m_add_uplink, v6m_plat, v6m_clat_leftovers, ctl) work unchanged.

V6MOSTLYD=$(command -v v6mostlyd || echo /usr/sbin/v6mostlyd)
V6MOSTLYCTL=$(command -v v6mostlyctl || echo /usr/bin/v6mostlyctl)
V6MOSTLY_PLUGIN_DIR=/nonexistent
# shellcheck source=../../e2e/lib.sh
source "$V6MOSTLY_SOURCE_ROOT/test/e2e/lib.sh"
# The installed daemon finds its installed plugins; nothing of the build tree.
unset V6MOSTLY_PLUGIN_DIR DBUS_SYSTEM_BUS_ADDRESS
export SYSTEMD_PAGER="" SYSTEMD_COLORS=0
NETDIR=/etc/v6mostly/network
UNIT=v6mostlyd.service

v6m_sd_require() {
        [[ $(id -u) == 0 ]] || skip "not root"
        [[ -d /run/systemd/system ]] || skip "systemd is not PID 1 (run in test/vm/v6m-vm.sh, V6M_VM_INIT=systemd)"
        systemctl cat "$UNIT" >/dev/null 2>&1 || die "$UNIT is not installed in the guest"
        [[ -x $V6MOSTLYD ]] || die "v6mostlyd is not installed in the guest"
        [[ -x $V6MOSTLYCTL ]] || die "v6mostlyctl is not installed in the guest"
        "$V6M_PYTHON" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy not installed (run tools/deps)"
        command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
}

# v6m_sd_init: lib.sh's v6m_init, the clean-up of what these tests leave in the
# guest's /etc and in systemd, and the guest's root namespace as the client.
v6m_sd_init() {
        v6m_init
        mkdir -p "$NETDIR"
        v6m_cleanup_hooks+=("v6m_sd_cleanup")
        ip netns attach "$V6M_NS_CLIENT" 1
        v6m_netns+=("$V6M_NS_CLIENT")
        v6m_netns_add "$V6M_NS_ROUTER"
        ip netns exec "$V6M_NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1
        ip netns exec "$V6M_NS_ROUTER" sysctl -qw net.ipv6.conf.default.accept_dad=0
        sysctl -qw net.ipv6.conf.default.accept_dad=0
        v6m_add_uplink 0
        v6m_uplinks=1
}

v6m_sd_cleanup() {
        # Also when a failed wait ended the script early (set -e).
        if (( v6m_failures > 0 )); then
                echo "---- journal of $UNIT (last 40 lines) ----"
                v6m_sd_journal 40
        fi
        systemctl stop "$UNIT" 2>/dev/null
        systemctl reset-failed "$UNIT" 2>/dev/null
        rm -rf "$NETDIR" /run/systemd/system/"$UNIT".d /etc/systemd/system/"$UNIT".d
        systemctl daemon-reload
}

# v6m_sd_ra [send-ra.py ARGS...]: the router's RAs, every 3 s until the test ends:
# SLAAC prefix 2001:db8:1::/64, a default route and the given options (--pref64 ...).
v6m_sd_ra() {
        ip netns exec "$V6M_NS_ROUTER" "$V6M_PYTHON" "$V6M_E2E_DIR/send-ra.py" --iface r0 \
                --pio 2001:db8:1::/64 --count 0 --interval 3 "$@" >>"$V6M_TMP/send-ra.log" 2>&1 &
        v6m_pids+=("$!")
}

# sd_prop PROPERTY [UNIT]: one property of the unit, as systemctl show says it.
sd_prop() {
        systemctl show -p "$1" --value "${2:-$UNIT}"
}

# v6m_sd_wait DESCRIPTION SECONDS COMMAND...: a check that COMMAND comes true within
# SECONDS (systemd's unit state has no event a shell can wait on but the bus; it is
# polled, bounded).
v6m_sd_wait() {
        local desc=$1 secs=$2 deadline=$((SECONDS + $2)) out rc
        shift 2
        while :; do
                rc=0
                out=$("$@" 2>&1) || rc=$?
                (( rc == 0 )) && { pass "$desc"; return 0; }
                (( SECONDS < deadline )) || break
                sleep 0.2
        done
        fail "$desc (not within ${secs} s: exit $rc)"
        [[ -n $out ]] && sed 's/^/    | /' <<<"$out"
        return 1
}

# sd_running: the unit is active (running), READY=1 seen (Type=notify).
sd_running() {
        [[ $(sd_prop ActiveState) == active && $(sd_prop SubState) == running ]]
}

# v6m_sd_journal: what the daemon logged in this boot (for a failure's context).
v6m_sd_journal() {
        journalctl --no-pager -b -u "$UNIT" -n "${1:-40}" -o short-monotonic 2>&1 | sed 's/^/    | /'
}

# v6m_sd_clat_count LINK: number of CLAT devices of LINK (one CLAT, not two).
v6m_sd_clat_devices() {
        local ifindex
        ifindex=$(v6m_ifindex "$1")
        ip -o link show | grep -cE "v6mc(lat)?$ifindex[:@]" || true
}

# v6m_sd_leftovers LINK: every trace of a CLAT: lib.sh's (devices, 192.0.0.0/29
# addresses, protocol-118 routes), our tc filters on LINK, our BPF programs.
v6m_sd_leftovers() {
        v6m_clat_leftovers "$1"
        tc filter show dev "$1" ingress 2>/dev/null | grep 'v6m_clat_' || true
        tc filter show dev "$1" egress 2>/dev/null | grep 'v6m_clat_' || true
        bpftool prog show 2>/dev/null | grep -E 'name v6m_clat_' || true
}

# v6m_sd_finish: lib.sh's finish (the clean-up shows the journal on failure).
v6m_sd_finish() {
        v6m_finish
}
