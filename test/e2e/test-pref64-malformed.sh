#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Malformed RA options next to good ones: the good ones are applied, the malformed ones
# are dropped (and logged at debug level) and change nothing that was known before.
# The kernel passes these options on as they are (it only checks that each fits the RA).
source "$(dirname "$0")/lib.sh"

v6m_ra_setup
v6m_wait_state uplink0 ipv6-only 30 || exit 1

# Malformed: PREF64 with PLC 7 (for 64:ff9b::), PREF64 of length 3, a /96 with the u
# octet set, RDNSS of even length 2, DNSSL with a compression pointer.
# Options in hex: type, length (units of 8 octets), body.
zeros() { printf '%0*d' $(($1 * 2)) 0; }                       # N zero octets
bad_plc=26020127$(printf 0064ff9b)$(zeros 8)                    # PREF64 64:ff9b::, PLC 7
bad_len=26030128$(printf 0064ff9b)$(zeros 16)                   # PREF64 of length 3
bad_u=260201280064000000000000$(printf 01)$(zeros 3)            # /96 with the u octet set
bad_rdnss=190200000000025820010db800010000                      # RDNSS of length 2
bad_dnssl=1f02000000000258c00c$(zeros 6)                        # DNSSL with a pointer
bad_withdraw=26020007$(printf 20010db80064)$(zeros 6)           # 2001:db8:64::, lifetime 0, PLC 7
for o in "$bad_plc" "$bad_len" "$bad_u" "$bad_rdnss" "$bad_dnssl" "$bad_withdraw"; do
        (( ${#o} % 16 == 0 )) || die "test bug: option $o is not a multiple of 8 octets"
done

# 1. Next to a good PREF64 and a good RDNSS.
v6m_send_ra --pref64 2001:db8:64::/96@600 --rdnss 2001:db8:1::53@600 \
        --raw "$bad_plc" --raw "$bad_len" --raw "$bad_u" --raw "$bad_rdnss" --raw "$bad_dnssl"
check "the good PREF64 is applied" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:64::/96 10
check "the good RDNSS is applied" v6m_bus wait-prop "$ifindex" DNSServers "['2001:db8:1::53']" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "only the good prefix is a candidate, no search domain" "$json" --schema \
        --expect nat64.candidates.0.prefix=2001:db8:64::/96 \
        --expect dns.servers='["2001:db8:1::53"]' --expect dns.domains=[]
check_eq "exactly one candidate" "$(jq '.nat64.candidates | length' <<<"$json")" 1
for reason in pref64-plc pref64-length pref64-prefix rdnss-length dnssl-label; do
        v6m_check_log "dropped and logged: $reason" "Dropped a malformed RA option \(type [0-9]+\) from fe80::[0-9a-f:]+: $reason"
done

# 2. Malformed options alone never touch what is known: a bad PREF64 for the same
#    prefix with lifetime 0 (PLC 7) does not withdraw it, a bad RDNSS does not replace
#    the servers. The good DNSSL in the same RA is the barrier: once it shows, the RA
#    was handled.
v6m_send_ra --raw "$bad_withdraw" --raw "$bad_rdnss" --dnssl example.com@600
check "barrier: the good DNSSL in the same RA is applied" \
        v6m_bus wait-prop "$ifindex" SearchDomains "['example.com']" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "prefix and servers unchanged by the malformed options" "$json" \
        --expect nat64.prefix=2001:db8:64::/96 --expect nat64.source=ra \
        --expect dns.servers='["2001:db8:1::53"]'
remaining=$(jq '.nat64.lifetime_remaining_s' <<<"$json")
check "the prefix keeps its lifetime (${remaining} s left)" test "$remaining" -ge 500
count=$(grep -c "Dropped a malformed RA option (type 38) from .*: pref64-plc" "$V6M_DAEMON_LOG" || true)
check_eq "a kind of malformed option is logged once (then only counted)" "$count" 1

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
