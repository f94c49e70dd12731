#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RA PREF64 and DNS64 together. A real RA (send-ra.py, scapy) announces PREF64
# 2001:db8:ff::/96 and, as RDNSS, the resolver 2001:db8:1::1: an unbound whose DNS64
# synthesises under 2001:db8:64::/96. The daemon learns the resolver from the RA alone
# (no DNS=), cross-checks the RA prefix with DNS64, keeps the RA prefix (RA > DNS64) and
# reports the disagreement in the link's reason and the log. When the RA announces the
# DNS64's prefix the warning goes away; when the RA withdraws its PREF64, the DNS64
# prefix takes over.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"

MISMATCH='DNS64 prefix 2001:db8:64::/96 disagrees with RA PREF64 2001:db8:ff::/96'

# wait_reason DESCRIPTION yes|no SECONDS: bounded wait until the link's reason does
# (yes) or does not (no) contain $MISMATCH.
wait_reason() {
        local reason
        if v6m_poll_until "$3" reason_is "$2"; then
                pass "$1"
                note "Reason: $reason"
                return 0
        fi
        fail "$1 (Reason: $reason)"
}

# reason_is yes|no: sets $reason (wait_reason's).
reason_is() {
        reason=$(v6m_bus get-property "$if0" Reason 2>&1) || true
        [[ "$1" == yes && "$reason" == *"$MISMATCH"* ]] || [[ "$1" == no && "$reason" != *"$MISMATCH"* ]]
}

v6m_require
v6m_require_scapy
v6m_require_dns_tools unbound
[[ -f "$V6MOSTLY_PLUGIN_DIR/pref64-ra.so" ]] || die "pref64-ra plugin not built"
[[ -f "$V6M_E2E_DIR/send-ra.py" ]] || die "test/e2e/send-ra.py missing"
v6m_init
v6m_topology 1
v6m_start_unbound 2001:db8:64::/96 300
v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no

[NAT64]
UsePREF64=yes
UseDNS64=yes
CONF
v6m_start_bus
v6m_start_daemon
if0=$(v6m_ifindex uplink0)

# 1. PREF64 and RDNSS in one RA.
v6m_send_ra --pref64 2001:db8:ff::/96@600 --rdnss 2001:db8:1::1@600
check "NAT64Prefix is the RA's 2001:db8:ff::/96" v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:ff::/96 10
check "the resolver from RDNSS is asked and answers" \
        v6m_wait_log_count 'dns64: 2001:db8:1::1 answered ipv4only.arpa with NAT64 prefix 2001:db8:64::/96' 1 20
wait_reason "the link's reason reports the mismatch" yes 10
check_eq "the RA prefix stays in use" "$(v6m_bus get-property "$if0" NAT64PrefixSource 2>&1)" '"ra"'
json=$(ctl --json status uplink0) || true
v6m_check_json "status: RA prefix chosen, both candidates listed, resolver from RDNSS" "$json" --schema \
        --expect nat64.prefix=2001:db8:ff::/96 --expect nat64.source=ra \
        --expect dns.servers.0=2001:db8:1::1
check_eq "candidates: ra and dns64" \
        "$(jq -r '[.nat64.candidates[] | .source + " " + .prefix] | sort | join(", ")' <<<"$json")" \
        "dns64 2001:db8:64::/96, ra 2001:db8:ff::/96"
v6m_check_log "the mismatch is logged as a warning" "<4>uplink0: $MISMATCH"

# 2. The RA now announces the DNS64's prefix: they agree, the warning clears.
v6m_send_ra --pref64 2001:db8:ff::/96@0 --pref64 2001:db8:64::/96@600 --rdnss 2001:db8:1::1@600
check "NAT64Prefix is the RA's 2001:db8:64::/96" v6m_bus wait-prop "$if0" NAT64Prefix 2001:db8:64::/96 10
check_eq "from source ra" "$(v6m_bus get-property "$if0" NAT64PrefixSource 2>&1)" '"ra"'
wait_reason "the warning is gone once RA and DNS64 agree" no 10
v6m_check_log "the end of the mismatch is logged" "No longer: $MISMATCH"

# 3. The RA withdraws its PREF64: DNS64's prefix takes over.
v6m_send_ra --pref64 2001:db8:64::/96@0 --rdnss 2001:db8:1::1@600
check "NAT64PrefixSource becomes dns64 when the RA withdraws PREF64" \
        v6m_bus wait-prop "$if0" NAT64PrefixSource dns64 10
check_eq "with the DNS64 prefix" "$(v6m_bus get-property "$if0" NAT64Prefix 2>&1)" '"2001:db8:64::/96"'
wait_reason "no mismatch without an RA prefix" no 5
check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
