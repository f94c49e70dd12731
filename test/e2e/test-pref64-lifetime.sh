#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PREF64 lifetimes (RFC 8781 §4.1) from real RAs, on a link with no other prefix source:
# a prefix makes the link re-derive its state (ipv6-only → degraded: a prefix but no CLAT
# backend); a refresh extends the lifetime; a short lifetime runs out without a refresh
# and the link goes back to ipv6-only; lifetime 0 withdraws the prefix at once.
source "$(dirname "$0")/lib.sh"

v6m_ra_setup
v6m_wait_state uplink0 ipv6-only 30 || exit 1

# 1. A prefix re-derives the state.
v6m_send_ra --pref64 2001:db8:64::/96@16
check "PREF64 2001:db8:64::/96 is chosen" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:64::/96 10
v6m_wait_state uplink0 degraded 10

# 2. A refresh extends the lifetime, a later shorter one shortens it again.
v6m_send_ra --pref64 2001:db8:64::/96@600
check "a refresh extends the lifetime to 600 s" v6m_bus wait-prop-range "$ifindex" NAT64PrefixLifetimeRemaining 590 600 10
sent=$EPOCHREALTIME # before the send: the prefix cannot expire less than 16 s later
v6m_send_ra --pref64 2001:db8:64::/96@16
check "a refresh with 16 s shortens it" v6m_bus wait-prop-range "$ifindex" NAT64PrefixLifetimeRemaining 1 16 10
check_eq "one candidate throughout" "$(ctl --json status uplink0 | jq '.nat64.candidates | length')" 1

# 3. Expiry: no refresh, the prefix goes when its 16 s run out (not before).
check "the prefix expires: NAT64PrefixSource none within 30 s" \
        v6m_bus wait-prop "$ifindex" NAT64PrefixSource none 30
elapsed=$(awk -v a="$sent" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a }')
check "it expired after its lifetime, 15..25 s after the RA (took ${elapsed} s, whole seconds)" \
        test "$elapsed" -ge 15 -a "$elapsed" -le 25
v6m_wait_state uplink0 ipv6-only 10
v6m_check_log "the expiry is logged" "NAT64 prefix candidate\(s\) expired"
json=$(ctl --json status uplink0) || true
v6m_check_json "uplink0 JSON: no prefix, no candidates" "$json" --schema \
        --expect nat64.prefix=null --expect nat64.source=none --expect nat64.candidates=[]

# 4. Lifetime 0 withdraws at once.
v6m_send_ra --pref64 2001:db8:64::/96@600
check "the prefix is back" v6m_bus wait-prop "$ifindex" NAT64Prefix 2001:db8:64::/96 10
v6m_wait_state uplink0 degraded 10
sent=$EPOCHREALTIME
v6m_send_ra --pref64 2001:db8:64::/96@0
check "lifetime 0 withdraws it" v6m_bus wait-prop "$ifindex" NAT64PrefixSource none 10
elapsed=$(awk -v a="$sent" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a }')
check "at once (within 5 s, took ${elapsed} s)" test "$elapsed" -le 5
v6m_wait_state uplink0 ipv6-only 10

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
