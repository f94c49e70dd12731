# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# DNS64 resolvers for the dns64 e2e tests, in the router namespace, on r0's address
# 2001:db8:1::1 port 53. Each runs in the foreground as our child with its config,
# pid and work files in $V6M_TMP (never through systemd), and is killed by lib.sh's
# clean-up like every PID in v6m_pids.
#
#  unbound: module-config "dns64 iterator"; ipv4only.arpa comes from an auth-zone
#           used for upstream answers, so the dns64 module synthesises from it
#           (local-data would be answered before the modules run).
#  BIND 9:  dns64 <prefix> { clients { any; }; }; ipv4only.arpa from our own zone
#           (ipv4only-enable no) so the test chooses the TTL.
# Both serve ipv4only.arpa A 192.0.0.170 and 192.0.0.171 (RFC 7050 §2).

# Set V6M_DNS_ADDRESS before starting a server to listen elsewhere (a link-local
# address carries its interface: fe80::1%r0).
: "${V6M_DNS_ADDRESS:=2001:db8:1::1}"
V6M_DNS_PID=""

v6m_require_dns_tools() {
        # $@: unbound and/or named
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || [[ -x /usr/sbin/$t ]] ||
                        skip "$t not installed (run tools/deps)"
        done
        command -v dig >/dev/null || skip "dig not installed (bind9-dnsutils; run tools/deps)"
        [[ -f "$V6MOSTLY_PLUGIN_DIR/dns64.so" ]] || die "dns64 plugin not built: $V6MOSTLY_PLUGIN_DIR/dns64.so"
}

v6m_dns_zone() { # TTL
        mkdir -p "$V6M_TMP/dns"
        cat >"$V6M_TMP/dns/ipv4only.zone" <<ZONE
\$TTL $1
@ IN SOA localhost. nobody.invalid. 1 3600 600 86400 $1
@ IN NS localhost.
@ IN A 192.0.0.170
@ IN A 192.0.0.171
ZONE
        chmod -R a+rX "$V6M_TMP/dns"
}

v6m_dns_answers() {
        ip netns exec "$V6M_NS_ROUTER" dig +time=1 +tries=1 +short @"$V6M_DNS_ADDRESS" \
                ipv4only.arpa AAAA 2>/dev/null | grep -q ':'
}

# Sets $exited (v6m_dns_wait_ready's) when the server is gone.
v6m_dns_answers_or_exited() {
        v6m_dns_answers && return 0
        v6m_pid_alive "$V6M_DNS_PID" && return 1
        exited=1
}

# v6m_dns_wait_ready: poll (bounded) until the server answers ipv4only.arpa AAAA.
v6m_dns_wait_ready() {
        local exited=""
        v6m_poll_until 15 v6m_dns_answers_or_exited ||
                die "the DNS server does not answer ipv4only.arpa AAAA"
        [[ -z "$exited" ]] || die "the DNS server exited: $(tail -n 5 "$V6M_TMP"/dns/*.log)"
        note "DNS64 at $V6M_DNS_ADDRESS answers: $(ip netns exec "$V6M_NS_ROUTER" dig +short \
                @"$V6M_DNS_ADDRESS" ipv4only.arpa AAAA | tr '\n' ' ')"
}

v6m_start_unbound() { # PREFIX TTL
        v6m_dns_zone "$2"
        cat >"$V6M_TMP/dns/unbound.conf" <<CONF
server:
  interface: $V6M_DNS_ADDRESS
  port: 53
  access-control: ::/0 allow
  username: ""
  chroot: ""
  directory: "$V6M_TMP/dns"
  pidfile: "$V6M_TMP/dns/unbound.pid"
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: 1
  module-config: "dns64 iterator"
  dns64-prefix: $1
  qname-minimisation: no
auth-zone:
  name: "ipv4only.arpa."
  zonefile: "$V6M_TMP/dns/ipv4only.zone"
  for-downstream: no
  for-upstream: yes
CONF
        ip netns exec "$V6M_NS_ROUTER" unbound -d -c "$V6M_TMP/dns/unbound.conf" \
                >>"$V6M_TMP/dns/unbound.log" 2>&1 &
        V6M_DNS_PID=$!
        v6m_pids+=("$V6M_DNS_PID")
        v6m_dns_wait_ready
}

v6m_start_bind() { # PREFIX TTL [MORE PREFIXES...]
        local dns64="" p
        v6m_dns_zone "$2"
        for p in "$1" "${@:3}"; do
                dns64+="  dns64 $p { clients { any; }; };"$'\n'
        done
        cat >"$V6M_TMP/dns/named.conf" <<CONF
options {
  directory "$V6M_TMP/dns";
  pid-file "$V6M_TMP/dns/named.pid";
  session-keyfile "$V6M_TMP/dns/session.key";
  listen-on { none; };
  listen-on-v6 port 53 { $V6M_DNS_ADDRESS; };
  recursion yes;
  allow-query { any; };
  allow-recursion { any; };
  dnssec-validation no;
  ipv4only-enable no;
$dns64};
controls { };
zone "ipv4only.arpa" { type primary; file "$V6M_TMP/dns/ipv4only.zone"; };
CONF
        ip netns exec "$V6M_NS_ROUTER" named -g -n 1 -c "$V6M_TMP/dns/named.conf" \
                >>"$V6M_TMP/dns/named.log" 2>&1 &
        V6M_DNS_PID=$!
        v6m_pids+=("$V6M_DNS_PID")
        v6m_dns_wait_ready
}

v6m_stop_dns() {
        [[ -n "$V6M_DNS_PID" ]] || return 0
        v6m_kill "$V6M_DNS_PID"
        V6M_DNS_PID=""
}

# v6m_dns64_network [EXTRA LINES]: uplink0 managed, DHCPv4 off, DNS64 from our resolver.
v6m_dns64_network() {
        v6m_network_file 50-uplink.network <<CONF
[Match]
Name=uplink0

[Network]
DHCPv4=no

[NAT64]
UseDNS64=yes
DNS=$V6M_DNS_ADDRESS
${1:-}
CONF
}

# v6m_count_log ERE: matching lines in the daemon log so far.
v6m_count_log() {
        grep -Ec -- "$1" "$V6M_DAEMON_LOG" || true
}

# v6m_wait_log_count ERE N SECONDS: bounded wait until the daemon logged N such lines.
v6m_wait_log_count() {
        v6m_poll_until "$3" v6m_log_count_or_exited "$1" "$2" || return 1
        (( $(v6m_count_log "$1") >= $2 ))
}

v6m_log_count_or_exited() {
        (( $(v6m_count_log "$1") >= $2 )) || ! v6m_daemon_alive
}
