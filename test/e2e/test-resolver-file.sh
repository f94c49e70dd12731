#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The resolver backend "file": the RA's RDNSS/DNSSL (RFC 8106) end up in
# $RUNTIME_DIRECTORY/resolv.conf exactly as announced (link-local servers with their
# interface), and leave it again on RDNSS lifetime expiry, lifetime 0, link down and
# daemon stop; a kill -9 leaves entries that the next start replaces. Then, by name:
# with that file as the client's /etc/resolv.conf, the test network's DNS64 (unbound)
# synthesizes the AAAA of an IPv4-only name and `curl` fetches it over native IPv6
# through the NAT64 (tayga), and an IPv4 literal through the CLAT.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns64-lib.sh"
source "$(dirname "$0")/resolver-lib.sh"

DOMAIN=v6m.example
V4ONLY_NAME=v4only.$DOMAIN

v6m_require
v6m_require_scapy
v6m_require_dns_tools unbound
command -v curl >/dev/null || skip "curl not installed (run tools/deps)"
command -v unshare >/dev/null || skip "unshare not installed"
[[ -f "$V6MOSTLY_PLUGIN_DIR/resolver-file.so" ]] || die "resolver-file plugin not built"
[[ -f "$V6MOSTLY_PLUGIN_DIR/clat-tun.so" ]] || die "clat-tun plugin not built"
v6m_init
v6m_topology 1
v6m_plat

# The DNS64: the PLAT's prefix, and a zone with an IPv4-only name (an A, no AAAA).
mkdir -p "$V6M_TMP/dns"
cat >"$V6M_TMP/dns/$DOMAIN.zone" <<ZONE
\$TTL 60
@ IN SOA localhost. nobody.invalid. 1 3600 600 86400 60
@ IN NS localhost.
v4only IN A $V6M_SERVER4
ZONE
V6M_UNBOUND_EXTRA="auth-zone:
  name: \"$DOMAIN.\"
  zonefile: \"$V6M_TMP/dns/$DOMAIN.zone\"
  for-downstream: no
  for-upstream: yes"
v6m_start_unbound "$V6M_PLAT_PREFIX" 300
synth=$(ip netns exec "$V6M_NS_ROUTER" dig +short @"$V6M_DNS_ADDRESS" "$V4ONLY_NAME" AAAA)
check_eq "the DNS64 synthesizes the AAAA of $V4ONLY_NAME" "$synth" "2001:db8:64::6440:640a"

# An IPv4-only web server behind the NAT64.
echo "hello from the IPv4-only server" >"$V6M_TMP/index.html"
(cd "$V6M_TMP" && exec ip netns exec "$V6M_NS_SERVER" "$V6M_PYTHON" -m http.server -b "$V6M_SERVER4" 80) \
        >"$V6M_TMP/http.log" 2>&1 &
v6m_pids+=("$!")
v6m_wait_listening "$V6M_NS_SERVER" 80 || die "the web server did not start"

export V6M_CLAT=1 V6M_RESOLVE_BACKEND=file
V6M_CLAT_BACKEND=tun v6m_clat_network uplink0
v6m_start_bus
v6m_start_daemon
ifindex=$(v6m_ifindex uplink0)
conf=$V6M_TMP/run/resolv.conf
ENTRIES='^(nameserver|search|domain|options) '

check "the file exists from the start, without entries" v6m_wait_file_lines "$conf" "$ENTRIES" "" 5
check_eq "its mode is 0644" "$(stat -c %a "$conf")" 644
v6m_wait_state uplink0 ipv6-mostly 30 || exit 1
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns: backend file, no reason, nothing dropped" "$json" --schema \
        --expect dns.backend=file --expect dns.reason=null --expect dns.servers='[]'

# 1. The RA's servers and domains, exactly.
v6m_send_ra --rdnss "$V6M_DNS_ADDRESS,fe80::53@600" --dnssl "$DOMAIN,Corp.Example@600"
check "the file shows the RA's servers and domains" v6m_wait_file_lines "$conf" "$ENTRIES" \
        "nameserver $V6M_DNS_ADDRESS
nameserver fe80::53%uplink0
search $DOMAIN corp.example" 10
json=$(ctl --json status uplink0) || true
v6m_check_json "JSON dns" "$json" --schema --expect dns.backend=file \
        --expect dns.servers="[\"$V6M_DNS_ADDRESS\", \"fe80::53%$ifindex\"]" \
        --expect dns.domains="[\"$DOMAIN\", \"corp.example\"]"
v6m_check_log "the choice is logged" "Resolver backend file"
status=$(ctl status uplink0) || true
check "v6mostlyctl status: DNS: $V6M_DNS_ADDRESS (via file)" grep -q "DNS: $V6M_DNS_ADDRESS (via file)" <<<"$status"
check "the DNSBackend property is file" v6m_bus wait-prop "$ifindex" DNSBackend file 5

# 2. By name, with that file as the client's resolv.conf.
got=$(v6m_resolve_with "$conf" getent ahostsv6 "$V4ONLY_NAME" | awk 'NR == 1 { print $1 }') || true
check_eq "$V4ONLY_NAME resolves through the file's servers to the synthesized AAAA" "$got" 2001:db8:64::6440:640a
out=$(v6m_resolve_with "$conf" curl -6 -sS --max-time 20 -w '\n%{remote_ip}' "http://$V4ONLY_NAME/" 2>&1) || true
check_eq "curl http://$V4ONLY_NAME/ by name gets the page" "$(head -n 1 <<<"$out")" "hello from the IPv4-only server"
check_eq "... over native IPv6 to the NAT64 address" "$(tail -n 1 <<<"$out")" 2001:db8:64::6440:640a
before=$(ctl --json status uplink0 | jq .clat.counters.packets_4to6) || before=0
out=$(ip netns exec "$V6M_NS_CLIENT" curl -4 -sS --max-time 20 -w '\n%{remote_ip}' "http://$V6M_SERVER4/" 2>&1) || true
check_eq "curl http://$V6M_SERVER4/ (IPv4 literal) gets the page" "$(head -n 1 <<<"$out")" \
        "hello from the IPv4-only server"
after=$(ctl --json status uplink0 | jq .clat.counters.packets_4to6) || after=0
check "... through the CLAT (packets_4to6 $before -> $after)" test "$after" -gt "$before"

# 3. A second router's server with a 10 s lifetime comes and goes by itself.
v6m_send_ra --src fe80::b --src-mac 02:00:00:00:00:0b --router-lifetime 0 --rdnss 2001:db8:2::53@10
check "router B's server is added" v6m_wait_file_lines "$conf" '^nameserver ' \
        "nameserver $V6M_DNS_ADDRESS
nameserver fe80::53%uplink0
nameserver 2001:db8:2::53" 10
check "router B's server leaves the file when its RDNSS lifetime expires" \
        v6m_wait_file_lines "$conf" '^nameserver ' "nameserver $V6M_DNS_ADDRESS
nameserver fe80::53%uplink0" 30

# 4. Lifetime 0 withdraws at once.
v6m_send_ra --rdnss fe80::53@0 --dnssl corp.example@0
check "lifetime 0 removes fe80::53 and corp.example" v6m_wait_file_lines "$conf" "$ENTRIES" \
        "nameserver $V6M_DNS_ADDRESS
search $DOMAIN" 10

# 5. Link down removes the link's entries; back up, the next RA brings them back.
ip -n "$V6M_NS_ROUTER" link set r0 down
check "link down removes every entry" v6m_wait_file_lines "$conf" "$ENTRIES" "" 10
ip -n "$V6M_NS_ROUTER" link set r0 up
v6m_wait_router_link_local || fail "r0 got no link-local address back"
v6m_wait_state uplink0 ipv6-mostly 30 || true
v6m_send_ra --rdnss "$V6M_DNS_ADDRESS@600" --dnssl "$DOMAIN@600"
check "after the link is back, the RA's entries are in again" v6m_wait_file_lines "$conf" "$ENTRIES" \
        "nameserver $V6M_DNS_ADDRESS
search $DOMAIN" 10

# 6. kill -9 leaves them; the next start replaces the file at once.
v6m_kill9_daemon
check "after kill -9 the entries are still there" v6m_wait_file_lines "$conf" '^nameserver ' \
        "nameserver $V6M_DNS_ADDRESS" 1
v6m_start_daemon
check "the next start replaces them" v6m_wait_file_lines "$conf" "$ENTRIES" "" 5
v6m_send_ra --rdnss "$V6M_DNS_ADDRESS@600"
check "and the next RA applies again" v6m_wait_file_lines "$conf" '^nameserver ' "nameserver $V6M_DNS_ADDRESS" 10

# 7. Daemon stop removes them.
v6m_stop_daemon
check "daemon stop removes every entry" v6m_wait_file_lines "$conf" "$ENTRIES" "" 1
check "v6mostlyd left the file, with only comments" test -f "$conf"
v6m_finish
