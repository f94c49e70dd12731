#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RDNSS and DNSSL (RFC 8106) from real RAs: the servers and search domains show in
# `v6mostlyctl --json status` ("dns") and in the DNSServers/SearchDomains bus properties;
# each entry lives by its own lifetime (per router), lifetime 0 removes it at once, and
# losing carrier forgets them all.
source "$(dirname "$0")/lib.sh"

v6m_ra_setup
v6m_wait_state uplink0 ipv6-only 30 || exit 1
check "no DNS servers before any RDNSS" v6m_bus wait-prop "$ifindex" DNSServers "[]" 10

# 1. Router A: two servers (one link-local, scoped to the link) and two domains.
v6m_send_ra --rdnss 2001:db8:1::53,fe80::53@600 --dnssl Example.COM,corp.example@600
check "DNSServers shows both servers" \
        v6m_bus wait-prop "$ifindex" DNSServers "['2001:db8:1::53', 'fe80::53%$ifindex']" 10
check "SearchDomains shows both domains (lowercased)" \
        v6m_bus wait-prop "$ifindex" SearchDomains "['example.com', 'corp.example']" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns" "$json" --schema \
        --expect dns.servers="[\"2001:db8:1::53\", \"fe80::53%$ifindex\"]" \
        --expect dns.domains='["example.com", "corp.example"]'
status=$(ctl status uplink0) || true
check "the text status shows the servers and domains" \
        bash -c 'grep -q "2001:db8:1::53" <<<"$1" && grep -q "corp.example" <<<"$1"' _ "$status"

# 2. Router B adds a server with a short lifetime: it shows, then expires on its own
#    (timer), and A's entries stay.
sent=$EPOCHREALTIME
v6m_send_ra --src fe80::b --src-mac 02:00:00:00:00:0b --router-lifetime 0 --rdnss 2001:db8:2::53@10
check "router B's server is added after A's" \
        v6m_bus wait-prop "$ifindex" DNSServers "['2001:db8:1::53', 'fe80::53%$ifindex', '2001:db8:2::53']" 10
check "router B's server expires after 10 s" \
        v6m_bus wait-prop "$ifindex" DNSServers "['2001:db8:1::53', 'fe80::53%$ifindex']" 30
elapsed=$(awk -v a="$sent" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a }')
check "not before its lifetime: 9..20 s after the RA (took ${elapsed} s)" test "$elapsed" -ge 9 -a "$elapsed" -le 20
v6m_check_log "the expiry is logged" "RA DNS server\(s\)/search domain\(s\) expired"

# 3. Lifetime 0 removes one server and one domain at once; the others stay.
v6m_send_ra --rdnss 2001:db8:1::53@0 --dnssl corp.example@0
check "lifetime 0 removes 2001:db8:1::53" v6m_bus wait-prop "$ifindex" DNSServers "['fe80::53%$ifindex']" 10
check "lifetime 0 removes corp.example" v6m_bus wait-prop "$ifindex" SearchDomains "['example.com']" 10

# 4. Carrier loss forgets them.
ip -n "$V6M_NS_ROUTER" link set r0 down
v6m_wait_state uplink0 pending 20
check "no DNS servers after carrier loss" v6m_bus wait-prop "$ifindex" DNSServers "[]" 10
check "no search domains after carrier loss" v6m_bus wait-prop "$ifindex" SearchDomains "[]" 10

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
