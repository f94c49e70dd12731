#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon as the shipped unit runs it: system user v6mostly (from the shipped
# sysusers.d snippet), exactly the unit's capabilities as ambient capabilities, no new
# privileges, state and runtime directories owned by that user, the shipped D-Bus policy.
# It must own its bus name, accept a root caller's Reload (it checks the caller's uid,
# not its own), refuse nobody's, and carry a ping to the IPv4 literal with the eBPF
# backend and then with the TUN backend (per-interface sysctls, tc, BPF and the TUN
# device as non-root), replace its own leftover tc filter after kill -9, and clean up
# after itself on SIGTERM. With dnsmasq and the dhcp4 plugin, the DHCPv4 client too
# (packet socket, port 68): the eBPF run gets option 108 and stays IPv6-only, and a
# last run takes a lease from a server without option 108.
#
# The host is not modified: the test runs in a mount namespace of its own, where
# systemd-sysusers applies units/v6mostly.sysusers to copies of /etc/passwd and
# /etc/group (an unused system uid, or the existing user where a package made it) that
# are bind-mounted over the real ones. dbus-daemon and setpriv started inside see it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dhcp4.sh"

V6M_CLAT=1
v6m_require
command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
command -v bpftool >/dev/null || skip "bpftool not installed (run tools/deps)"
command -v setpriv >/dev/null || skip "setpriv not installed"
command -v unshare >/dev/null || skip "unshare not installed"
command -v systemd-sysusers >/dev/null || skip "systemd-sysusers not installed"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
[[ -e "$V6MOSTLY_PLUGIN_DIR/clat-ebpf.so" ]] || skip "clat-ebpf not built (no clang/bpftool/libbpf)"

if [[ "${V6M_OWN_MOUNTS:-}" != 1 ]]; then
        V6M_OWN_MOUNTS=1 exec unshare --mount --propagation private -- bash "$0" "$@"
fi

v6m_init

# ---- the user, as the package's postinst makes it, in this mount namespace only
mkdir -p "$V6M_TMP/root/etc"
for f in passwd group shadow gshadow; do
        [[ -e /etc/$f ]] && cp -p "/etc/$f" "$V6M_TMP/root/etc/$f"
done
systemd-sysusers --root="$V6M_TMP/root" "$V6MOSTLY_SOURCE_ROOT/units/v6mostly.sysusers" >"$V6M_TMP/sysusers.log" 2>&1 ||
        { cat "$V6M_TMP/sysusers.log"; die "systemd-sysusers failed on units/v6mostly.sysusers"; }
mount --bind "$V6M_TMP/root/etc/passwd" /etc/passwd
mount --bind "$V6M_TMP/root/etc/group" /etc/group
pw=$(getent passwd v6mostly) || die "no user v6mostly after systemd-sysusers"
uid=$(cut -d: -f3 <<<"$pw")
gid=$(cut -d: -f4 <<<"$pw")
note "user v6mostly: uid $uid gid $gid ($(head -n1 "$V6M_TMP/sysusers.log" 2>/dev/null || true))"
check "units/v6mostly.sysusers makes a system user (uid < 1000) with no login shell" \
        bash -c '(( $1 > 0 && $1 < 1000 )) && [[ "$2" == */nologin ]]' _ "$uid" "$(cut -d: -f7 <<<"$pw")"

# The unit's CapabilityBoundingSet=, in setpriv's spelling and as /proc's mask; its
# UMask=0077 is the wrapper's umask.
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$V6MOSTLY_SOURCE_ROOT/units/v6mostlyd.service.in")
check_eq "the unit's AmbientCapabilities= are its bounding set" \
        "$(sed -n 's/^AmbientCapabilities=//p' "$V6MOSTLY_SOURCE_ROOT/units/v6mostlyd.service.in")" "$unit_caps"
caps=$(tr ' ' '\n' <<<"$unit_caps" | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,)
mask=0
for c in $(tr ',' ' ' <<<"${caps//+/}"); do
        case $c in
                net_bind_service) n=10 ;; net_admin) n=12 ;; net_raw) n=13 ;; perfmon) n=38 ;; bpf) n=39 ;;
                *) die "the unit grants $c: this test does not know its number" ;;
        esac
        mask=$(( mask | (1 << n) ))
done
mask=$(printf '%016x' "$mask")

# What systemd does for StateDirectory= and RuntimeDirectory= with User=.
mkdir -p "$V6M_TMP/state"
chown v6mostly:v6mostly "$V6M_TMP/state" "$V6M_TMP/run"

v6m_topology 1
v6m_plat
dhcp4=0
if [[ -f "$(v6m_dhcp4_plugin_path)" ]] && v6m_dhcp4_have_server dnsmasq; then
        dhcp4=1
        v6m_dhcp4_router_ipv4 0
else
        note "no dhcp4 plugin or no dnsmasq: the DHCPv4 checks are left out"
fi
v6m_start_bus
# The daemon (not root) must be able to send READY=1, as to systemd's socket.
v6m_start_notify_listener
chmod 777 "$V6M_TMP/notify.sock"

wrapper="$V6M_TMP/v6mostlyd-as-v6mostly"
printf '#!/bin/sh\numask 077\nexec setpriv --reuid=v6mostly --regid=v6mostly --init-groups --no-new-privs --inh-caps=-all,%s --ambient-caps=-all,%s --bounding-set=-all,%s -- "%s" "$@"\n' \
        "$caps" "$caps" "$caps" "$V6MOSTLYD" >"$wrapper"
chmod 755 "$wrapper"
real=$V6MOSTLYD
V6MOSTLYD=$wrapper

# run_backend BACKEND: start the daemon as v6mostly with that backend, check it and its
# CLAT, ping the IPv4 literal, stop it, and check nothing of the CLAT is left.
run_backend() {
        local backend=$1 json status before after
        if [[ $backend == ebpf ]] && (( dhcp4 )); then
                # RFC 8925 as the service does it: the server offers option 108, the
                # client (which can run a CLAT) asks for it and takes no lease.
                v6m_dhcp4_start dnsmasq v6only=1800
                V6M_CLAT_BACKEND=$backend v6m_clat_network uplink0
                sed -i 's/^DHCPv4=no$/DHCPv4=yes/' "$V6M_TMP/network/50-uplink0.network"
        else
                V6M_CLAT_BACKEND=$backend v6m_clat_network uplink0
        fi
        v6m_start_daemon
        status=$(cat "/proc/$V6M_DAEMON_PID/status")
        check_eq "[$backend] v6mostlyd runs as user v6mostly (ps -o user=)" \
                "$(ps -o user= -p "$V6M_DAEMON_PID" | tr -d ' ')" v6mostly
        check_eq "[$backend] real, effective, saved and fs uid are v6mostly's" \
                "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' <<<"$status")" "$uid $uid $uid $uid"
        for f in CapEff CapPrm CapAmb CapBnd; do
                check_eq "[$backend] $f is exactly the unit's capabilities" \
                        "$(awk -v f="$f:" '$1 == f { print $2 }' <<<"$status")" "$mask"
        done
        check_eq "[$backend] no new privileges" "$(awk '/^NoNewPrivs:/ { print $2 }' <<<"$status")" 1

        if [[ $backend == ebpf ]] && (( dhcp4 )); then
                v6m_dhcp4_wait_dhcp4_state v6only 30 || true
                check_eq "[$backend] no IPv4 lease on uplink0 (option 108 honoured)" "$(v6m_dhcp4_client_addr)" ""
        fi
        v6m_wait_state uplink0 ipv6-mostly 30 || return 0
        json=$(ctl --json status uplink0) || true
        v6m_check_json "[$backend] CLAT running with backend $backend" "$json" \
                --expect state=ipv6-mostly --expect clat.state=running --expect clat.backend="$backend"
        if [[ $backend == ebpf ]]; then
                note "the daemon's counters map: $(v6m_ebpf_map)"
                before=$(v6m_ebpf_counter fast_4to6)
        fi
        check "[$backend] ping $V6M_SERVER4 through the CLAT and the NAT64" \
                ip netns exec "$V6M_NS_CLIENT" ping -c3 -i0.2 -W2 "$V6M_SERVER4"
        if [[ $backend == ebpf ]]; then
                after=$(v6m_ebpf_counter fast_4to6)
                check "[$backend] the echo requests went through the eBPF fast path ($before -> $after)" \
                        test "$after" -ge $(( before + 3 ))
        fi
        check_eq "[$backend] the state directory's files are v6mostly's (secret 0600, DHCPv4 leases 0700)" \
                "$(cd "$V6M_TMP/state" && stat -c '%n %U %a' clat-secret dhcp4 | paste -sd' ')" \
                "clat-secret v6mostly 600 dhcp4 v6mostly 700"

        # Bus: the shipped policy let v6mostly own org.v6mostly1 (ctl above worked);
        # the daemon's own check decides on the caller's uid.
        check "[$backend] root may call Manager.Reload of a daemon that is not root" v6m_bus reload
        check_eq "[$backend] nobody may not (AccessDenied)" \
                "$(setpriv --reuid=65534 --regid=65534 --clear-groups \
                        "$V6M_PYTHON" "$V6M_E2E_DIR/v6m-bus.py" reload 2>&1 || true)" \
                org.freedesktop.DBus.Error.AccessDenied
        check "[$backend] v6mostlyctl reload as root" ctl reload
        v6m_wait_state uplink0 ipv6-mostly 30 || true

        if [[ $backend == ebpf ]]; then
                # Restart=on-failure after kill -9: the new daemon, as v6mostly too, must
                # know the leftover filter for its own and replace it.
                v6m_kill9_daemon
                v6m_start_daemon
                v6m_wait_state uplink0 ipv6-mostly 30 || true
                v6m_check_json "[$backend] after kill -9 and restart: backend $backend" \
                        "$(ctl --json status uplink0 || true)" --expect clat.backend="$backend"
                v6m_check_log "[$backend] the leftover filter was recognised as ours and removed" \
                        "removed a leftover tc filter"
                check_eq "[$backend] exactly one filter of ours on the uplink" \
                        "$(tc -n "$V6M_NS_CLIENT" filter show dev uplink0 ingress | grep -c v6m_clat_ || true)" 1
                check "[$backend] ping $V6M_SERVER4 after kill -9 and restart" \
                        ip netns exec "$V6M_NS_CLIENT" ping -c3 -i0.2 -W2 "$V6M_SERVER4"
        fi

        v6m_stop_daemon
        v6m_dhcp4_stop
        check_eq "[$backend] SIGTERM as v6mostly leaves no CLAT device, address or route" \
                "$(v6m_clat_leftovers uplink0)" ""
        check_eq "[$backend] ... and no tc filter of ours on the uplink" \
                "$(tc -n "$V6M_NS_CLIENT" filter show dev uplink0 ingress 2>/dev/null | grep -c v6m_clat_ || true)" 0
}

run_backend ebpf
run_backend tun

if (( dhcp4 )); then
        # A network without option 108: a normal lease, taken as v6mostly.
        v6m_dhcp4_start dnsmasq
        v6m_dhcp4_network_file
        v6m_start_daemon
        v6m_dhcp4_wait_dhcp4_state bound 30 || true
        addr=$(v6m_dhcp4_client_addr)
        check "[dhcp4] the leased address is on uplink0 ($addr)" \
                bash -c '[[ "$1" == 192.0.2.1[0-4][0-9]/24 ]]' _ "$addr"
        check_eq "[dhcp4] the lease is stored in the state directory, v6mostly's" \
                "$(stat -c %U "$V6M_TMP"/state/dhcp4/* | sort -u)" v6mostly
        v6m_stop_daemon
        v6m_dhcp4_stop
fi
V6MOSTLYD=$real
v6m_finish
