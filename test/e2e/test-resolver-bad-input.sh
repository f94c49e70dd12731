#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad DNS input never reaches the resolver (backend "file"): an RDNSS option without
# servers and a DNSSL option with a malformed label are dropped (the RA's other options
# still count), and 100 RDNSS servers are capped at the core's 16 per source, the rest
# counted in dns.dropped.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/resolver-lib.sh"

export V6M_RESOLVE_BACKEND=file
v6m_ra_setup
v6m_wait_state uplink0 ipv6-only 30 || exit 1
conf=$V6M_TMP/run/resolv.conf
ENTRIES='^(nameserver|search|domain|options) '

# 1. RDNSS of length 1 (RFC 8106 §5.1: no address), with a good DNSSL.
v6m_send_ra --raw 1901000000000258 --dnssl good.example@600
check "an RDNSS without servers adds no nameserver; the RA's DNSSL still counts" \
        v6m_wait_file_lines "$conf" "$ENTRIES" "search good.example" 10

# 2. A DNSSL whose label holds a space ("a b"), with a good RDNSS.
v6m_send_ra --raw 1f020000000002580361206200000000 --rdnss 2001:db8:1::53@600
check "a DNSSL with a malformed label adds no domain; the RA's RDNSS still counts" \
        v6m_wait_file_lines "$conf" "$ENTRIES" "nameserver 2001:db8:1::53
search good.example" 10
v6m_send_ra --rdnss 2001:db8:1::53@0 --dnssl good.example@0
check "lifetime 0 empties the file" v6m_wait_file_lines "$conf" "$ENTRIES" "" 10

# 3. 100 servers (two RAs of 50: one would not fit in the link's MTU).
list() { local i out=""; for (( i = 1; i <= 50; i++ )); do out+="$1$(printf %x "$i"),"; done; echo "${out%,}"; }
v6m_send_ra --rdnss "$(list 2001:db8:100::)@600"
v6m_send_ra --rdnss "$(list 2001:db8:101::)@600"
want=$(for (( i = 1; i <= 16; i++ )); do printf 'nameserver 2001:db8:100::%x\n' "$i"; done)
check "100 servers: the file lists the first 16" v6m_wait_file_lines "$conf" '^nameserver ' "$want" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON: 16 servers, the cut ones counted" "$json" --schema
check_eq "dns.servers has 16 entries" "$(jq '.dns.servers | length' <<<"$json")" 16
over=$(jq '.dns.dropped["servers-over-limit"]' <<<"$json")
check "dns.dropped.servers-over-limit counts the cut servers ($over)" test "$over" -ge 16
v6m_check_log "the cut is logged" "Dropped DNS server 2001:db8:100::11 from RA \(servers-over-limit\)"

# 4. [Resolve] Backend= on reload: none lets go of everything, file takes it back.
sed -i 's/^Backend=.*/Backend=none/' "$V6M_TMP/v6mostlyd.conf"
check "v6mostlyctl reload exits 0" ctl reload
check "Backend=none: the file loses the link's entries" v6m_wait_file_lines "$conf" "$ENTRIES" "" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns: no backend, reason Backend=none" "$json" --expect dns.backend=null \
        --expect 'dns.reason=[Resolve] Backend=none'
sed -i 's/^Backend=.*/Backend=file/' "$V6M_TMP/v6mostlyd.conf"
check "v6mostlyctl reload exits 0" ctl reload
check "Backend=file again: the entries are back" v6m_wait_file_lines "$conf" '^nameserver ' "$want" 10

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
