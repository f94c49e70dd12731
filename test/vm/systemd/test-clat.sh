#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The CLAT under the installed, hardened unit: a seccomp filter, a capability or a
# namespace setting that denies the daemon something shows up here and nowhere else.
# The daemon, started by systemd in the guest's root namespace, manages uplink0; the
# router namespace announces SLAAC and PREF64 2001:db8:64::/96 (send-ra.py) and runs
# tayga as the NAT64 to an IPv4-only server (lib.sh's v6m_plat). The eBPF backend,
# then the TUN backend (a Backend=tun drop-in of the .network) each carry a ping and a
# TCP transfer to the server's IPv4 literal. The daemon runs as the unit's User=.
source "$V6MOSTLY_SOURCE_ROOT/test/vm/systemd/lib.sh"

v6m_sd_require
command -v curl >/dev/null || skip "curl not installed (run tools/deps)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
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

head -c 4M /dev/urandom >"$V6M_TMP/blob"
chmod 644 "$V6M_TMP/blob"
want=$(sha256sum <"$V6M_TMP/blob" | cut -d' ' -f1)
(cd "$V6M_TMP" && exec ip netns exec "$V6M_NS_SERVER" "$V6M_PYTHON" -m http.server -b "$V6M_SERVER4" 8080) \
        >"$V6M_TMP/http.log" 2>&1 &
v6m_pids+=("$!")
v6m_wait_listening "$V6M_NS_SERVER" 8080 60 || die "the web server did not start"

# The user the unit runs the daemon as: its User= (root when it has none).
unit_user=$(sd_prop User)
want_user=${unit_user:-root}
note "the unit's User=${unit_user:-(none)}"

# clat_round BACKEND: start, the CLAT up with BACKEND from the RA's PREF64, a ping and
# a TCP transfer to the IPv4 literal, the process's user; stop, nothing left.
clat_round() {
        local backend=$1 json got pid
        check "[$backend] systemctl start v6mostlyd" systemctl start "$UNIT"
        v6m_wait_state uplink0 ipv6-mostly 90 || { v6m_sd_journal 30; return 0; }
        json=$(ctl --json status uplink0) || true
        v6m_check_json "[$backend] the CLAT runs with backend $backend, prefix from the RA's PREF64" "$json" \
                --expect clat.backend="$backend" --expect clat.state=running --expect nat64.prefix="$V6M_PLAT_PREFIX"
        note "[$backend] NAT64 source: $(jq -r .nat64.source <<<"$json")"
        check "[$backend] ping $V6M_SERVER4 (IPv4 literal) through the CLAT" \
                ping -c3 -i0.3 -W3 "$V6M_SERVER4"
        got=$(curl -sf --max-time 120 "http://$V6M_SERVER4:8080/blob" | sha256sum | cut -d' ' -f1)
        check_eq "[$backend] 4 MB TCP download from http://$V6M_SERVER4:8080 has the right SHA-256" "$got" "$want"
        pid=$(sd_prop MainPID)
        check_eq "[$backend] the daemon (PID $pid) runs as $want_user (ps -o user=)" \
                "$(ps -o user= -p "$pid" | tr -d ' ')" "$want_user"
        check "[$backend] systemctl stop v6mostlyd" systemctl stop "$UNIT"
        check_eq "[$backend] stopped: it exited cleanly (Result)" "$(sd_prop Result)" success
        check_eq "[$backend] stopped: no CLAT device, address, route, tc filter or BPF program left" \
                "$(v6m_sd_leftovers uplink0)" ""
}

clat_round ebpf
mkdir -p "$NETDIR/50-uplink0.network.d"
printf '[CLAT]\nBackend=tun\n' >"$NETDIR/50-uplink0.network.d/tun.conf"
clat_round tun
check_eq "no restart in either round (no crash, no watchdog)" "$(sd_prop NRestarts)" 0
v6m_sd_finish
