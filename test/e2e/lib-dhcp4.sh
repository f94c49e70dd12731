# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Real DHCPv4 servers for the e2e tests, tools/demo and bench/dhcp4.sh. Source
# it after lib.sh. Each server runs in the router namespace on rN (default r0)
# with its own config, lease and pid files under $V6M_TMP, in the foreground,
# its PID in lib.sh's v6m_pids (so v6m_finish / the EXIT trap kills it).
#
#   v6m_dhcp4_require_server SERVER      skip (77) unless SERVER (kea|dnsmasq|dhcpd) is installed
#   v6m_dhcp4_require_plugin             skip (77) unless the daemon's dhcp4 plugin is built
#   v6m_dhcp4_router_ipv4 [N [ADDR]]     192.0.2.1/24 (or ADDR/24) on rN in the router namespace
#   v6m_dhcp4_start SERVER [KEY=VALUE...]
#   v6m_dhcp4_stop / v6m_dhcp4_restart SERVER [KEY=VALUE...]
#
# Keys of v6m_dhcp4_start (all optional):
#   v6only=SECS       offer option 108 (V6ONLY_WAIT) to clients that request it;
#                     absent or empty: the server does not know option 108 at all
#   lease=SECS        lease time (default 20, so T1/T2/expiry fall inside a test;
#                     dnsmasq raises anything below 120 s to 120 s)
#   pool=FIRST-LAST   address range (default A.B.C.100-A.B.C.149)
#   subnet=A.B.C.0/24 the subnet served (default 192.0.2.0/24; the router needs an
#                     address in it: v6m_dhcp4_router_ipv4 N A.B.C.1)
#   router=IP         option 3 (default A.B.C.1; "none" leaves it out)
#   dns=IP[,IP...]    option 6 (default 192.0.2.53; "none" leaves it out)
#   domain=NAME       option 15 (default v6m.test; "none" leaves it out)
#   mtu=N             option 26 (default: not sent)
#   routes=DEST/LEN:GW[,DEST/LEN:GW...]   option 121 (default: not sent)
#   iface=rN          the router-side interface (default r0)
#   leases=new|keep   start from an empty lease file (default) or keep the last one
#
# The servers answer only on 192.0.2.0/24; all three send option 108 only to a
# client that lists 108 in its Parameter Request List (option 55).
#
#   v6m_dhcp4_start_sniffer [NS IFACE]   log every DHCPv4 message seen on IFACE
#                                        (default: router, r0) to $V6M_DHCP4_SNIFF_LOG
#   v6m_dhcp4_wait_sniff ERE SECS [N]    wait until matching lines of N (default 1)
#                                        distinct transactions (xid) were sniffed
#   v6m_dhcp4_sniffed ERE                print the sniffed lines matching ERE
#
# Helpers for the daemon's client on uplink0:
#   v6m_dhcp4_network_file [KEY=VALUE...]   50-uplink0.network with DHCPv4=yes and
#                                           [DHCPv4] KEY=VALUE lines
#   v6m_dhcp4_json FIELD [LINK]          .dhcp4.FIELD of `v6mostlyctl --json status`
#   v6m_dhcp4_wait_field FIELD ERE SECS [LINK]   poll the JSON until FIELD matches ERE
#   v6m_dhcp4_wait_dhcp4_state STATE SECS [LINK] DHCPv4State on the bus (event-driven)
#   v6m_dhcp4_client_addr [LINK]         the client's global IPv4 addresses (a/len), one a line
#   v6m_dhcp4_client_default_route [LINK]

V6M_DHCP4_SUBNET=192.0.2.0/24
V6M_DHCP4_ROUTER_ADDR=192.0.2.1
V6M_DHCP4_SERVER=""       # kea|dnsmasq|dhcpd of the running server
V6M_DHCP4_PID=""
V6M_DHCP4_LOG=""
V6M_DHCP4_LEASES=""
V6M_DHCP4_STARTS=0
V6M_DHCP4_SNIFF_PID=""
V6M_DHCP4_SNIFF_LOG=""
V6M_DHCP4_SERVERS=(kea dnsmasq dhcpd)

v6m_dhcp4_server_bin() {
        case "$1" in
        kea)     echo /usr/sbin/kea-dhcp4 ;;
        dnsmasq) echo /usr/sbin/dnsmasq ;;
        dhcpd)   echo /usr/sbin/dhcpd ;;
        *)       return 1 ;;
        esac
}

v6m_dhcp4_server_package() {
        case "$1" in
        kea)     echo kea-dhcp4-server ;;
        dnsmasq) echo dnsmasq-base ;;
        dhcpd)   echo isc-dhcp-server ;;
        esac
}

v6m_dhcp4_have_server() {
        local bin
        bin=$(v6m_dhcp4_server_bin "$1") || return 1
        [[ -x "$bin" ]]
}

v6m_dhcp4_require_server() {
        local bin
        bin=$(v6m_dhcp4_server_bin "$1") || die "unknown DHCPv4 server '$1' (kea|dnsmasq|dhcpd)"
        [[ -x "$bin" ]] || skip "$1 not installed ($bin; package $(v6m_dhcp4_server_package "$1"), run tools/deps)"
        command -v ss >/dev/null || skip "ss (iproute2) not installed"
}

v6m_dhcp4_plugin_path() {
        echo "$V6MOSTLY_PLUGIN_DIR/dhcp4.so"
}

v6m_dhcp4_require_plugin() {
        [[ -f "$(v6m_dhcp4_plugin_path)" ]] || skip "no dhcp4 plugin built"
}

# v6m_dhcp4_router_ipv4 [N [ADDR]]: the router's IPv4 address (default
# 192.0.2.1) on rN (a server answers on a subnet the interface has an address in).
v6m_dhcp4_router_ipv4() {
        ip -n "$V6M_NS_ROUTER" addr add "${2:-$V6M_DHCP4_ROUTER_ADDR}/24" dev "r${1:-0}"
}

# --------------------------------------------------------------- configs --

# Option 121 (RFC 3442) as hex: width, significant octets, gateway; per route.
v6m_dhcp4_routes_hex() {
        local r dest len gw hex="" o n i
        local -a oct
        for r in ${1//,/ }; do
                dest=${r%%/*}; len=${r#*/}; len=${len%%:*}; gw=${r##*:}
                IFS=. read -r -a oct <<<"$dest"
                hex+=$(printf '%02X' "$len")
                n=$(( (len + 7) / 8 ))
                for (( i = 0; i < n; i++ )); do hex+=$(printf '%02X' "${oct[$i]}"); done
                IFS=. read -r -a oct <<<"$gw"
                for o in "${oct[@]}"; do hex+=$(printf '%02X' "$o"); done
        done
        echo "$hex"
}

# dhcpd wants option 121 as a comma-separated list of bytes.
v6m_dhcp4_routes_bytes() {
        local hex i out=""
        hex=$(v6m_dhcp4_routes_hex "$1")
        for (( i = 0; i < ${#hex}; i += 2 )); do
                out+="${out:+, }$((16#${hex:$i:2}))"
        done
        echo "$out"
}

# kea: each subnet its own id (from its address), as an operator renumbering
# would have it; with the same id kea would look up the old lease in the new
# subnet and drop the client's requests instead of NAKing them.
v6m_dhcp4_kea_conf() {
        local opts=() o sep=""
        [[ "$router" != none ]] && opts+=("{\"name\": \"routers\", \"data\": \"$router\"}")
        [[ "$dns" != none ]] && opts+=("{\"name\": \"domain-name-servers\", \"data\": \"${dns//,/, }\"}")
        [[ "$domain" != none ]] && opts+=("{\"name\": \"domain-name\", \"data\": \"$domain\"}")
        [[ -n "$mtu" ]] && opts+=("{\"name\": \"interface-mtu\", \"data\": \"$mtu\"}")
        [[ -n "$routes" ]] && opts+=("{\"code\": 121, \"space\": \"dhcp4\", \"csv-format\": false, \"data\": \"$(v6m_dhcp4_routes_hex "$routes")\"}")
        [[ -n "$v6only" ]] && opts+=("{\"name\": \"v6-only-preferred\", \"data\": \"$v6only\"}")
        cat <<EOF
{
"Dhcp4": {
    "interfaces-config": { "interfaces": [ "$iface" ], "dhcp-socket-type": "raw" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$V6M_DHCP4_LEASES", "lfc-interval": 0 },
    "authoritative": true,
    "valid-lifetime": $lease,
    "min-valid-lifetime": $lease,
    "max-valid-lifetime": $lease,
    "subnet4": [ {
        "id": $(( $(v6m_dhcp4_ip2int "${subnet%/*}") >> 8 & 0xffff )),
        "subnet": "$subnet",
        "interface": "$iface",
        "pools": [ { "pool": "${pool%-*} - ${pool#*-}" } ],
        "option-data": [
EOF
        for o in "${opts[@]}"; do
                printf '%s            %s' "$sep" "$o"
                sep=$',\n'
        done
        cat <<EOF

        ]
    } ],
    "loggers": [ {
        "name": "kea-dhcp4",
        "output_options": [ { "output": "stdout" } ],
        "severity": "DEBUG",
        "debuglevel": 40
    } ]
}
}
EOF
}

v6m_dhcp4_dnsmasq_conf() {
        cat <<EOF
port=0
no-resolv
no-hosts
no-ping
user=root
group=root
interface=$iface
bind-interfaces
dhcp-authoritative
log-dhcp
log-facility=-
dhcp-leasefile=$V6M_DHCP4_LEASES
pid-file=$V6M_TMP/dnsmasq.pid
dhcp-range=${pool%-*},${pool#*-},255.255.255.0,${lease}s
EOF
        [[ "$router" != none ]] && echo "dhcp-option=option:router,$router"
        [[ "$dns" != none ]] && echo "dhcp-option=option:dns-server,$dns"
        [[ "$domain" != none ]] && echo "dhcp-option=option:domain-name,$domain"
        [[ -n "$mtu" ]] && echo "dhcp-option=option:mtu,$mtu"
        [[ -n "$routes" ]] && echo "dhcp-option=option:classless-static-route,$(sed 's/:/,/g' <<<"$routes")"
        [[ -n "$v6only" ]] && echo "dhcp-option=option:ipv6-only,$v6only"
        return 0
}

v6m_dhcp4_dhcpd_conf() {
        cat <<EOF
authoritative;
ping-check false;
default-lease-time $lease;
min-lease-time $lease;
max-lease-time $lease;
option v6-only-preferred code 108 = unsigned integer 32;
option rfc3442-classless-static-routes code 121 = array of integer 8;
subnet ${subnet%/*} netmask 255.255.255.0 {
        range ${pool%-*} ${pool#*-};
EOF
        [[ "$router" != none ]] && echo "        option routers $router;"
        [[ "$dns" != none ]] && echo "        option domain-name-servers ${dns//,/, };"
        [[ "$domain" != none ]] && echo "        option domain-name \"$domain\";"
        [[ -n "$mtu" ]] && echo "        option interface-mtu $mtu;"
        [[ -n "$routes" ]] && echo "        option rfc3442-classless-static-routes $(v6m_dhcp4_routes_bytes "$routes");"
        [[ -n "$v6only" ]] && echo "        option v6-only-preferred $v6only;"
        echo "}"
}

# ------------------------------------------------------------ start, stop --

# v6m_dhcp4_listening: the server's UDP port 67 is bound in the router namespace.
v6m_dhcp4_listening() {
        [[ -n "$(ip netns exec "$V6M_NS_ROUTER" ss -H -uln 'sport = :67' 2>/dev/null)" ]]
}

# v6m_dhcp4_start SERVER [KEY=VALUE...]: see the header. Returns once the server
# listens; dies if it exits or does not listen within 15 s.
v6m_dhcp4_start() {
        local server=$1 kv bin conf
        local v6only="" lease=20 pool="" router="" subnet=$V6M_DHCP4_SUBNET net
        local dns=192.0.2.53 domain=v6m.test mtu="" routes="" iface=r0 leases=new
        shift
        bin=$(v6m_dhcp4_server_bin "$server") || die "unknown DHCPv4 server '$server'"
        for kv in "$@"; do
                case "$kv" in
                v6only=*) v6only=${kv#*=} ;;
                lease=*)  lease=${kv#*=} ;;
                pool=*)   pool=${kv#*=} ;;
                router=*) router=${kv#*=} ;;
                dns=*)    dns=${kv#*=} ;;
                domain=*) domain=${kv#*=} ;;
                mtu=*)    mtu=${kv#*=} ;;
                routes=*) routes=${kv#*=} ;;
                iface=*)  iface=${kv#*=} ;;
                leases=*) leases=${kv#*=} ;;
                subnet=*) subnet=${kv#*=} ;;
                *) die "v6m_dhcp4_start: unknown parameter '$kv'" ;;
                esac
        done
        [[ "$subnet" == */24 ]] || die "v6m_dhcp4_start: subnet=$subnet: only /24 subnets"
        net=${subnet%.*}
        [[ -n "$pool" ]] || pool=$net.100-$net.149
        [[ -n "$router" ]] || router=$net.1
        [[ -z "$V6M_DHCP4_PID" ]] || die "v6m_dhcp4_start: a DHCPv4 server is already running"
        V6M_DHCP4_STARTS=$((V6M_DHCP4_STARTS + 1))
        V6M_DHCP4_SERVER=$server
        V6M_DHCP4_LOG="$V6M_TMP/$server-$V6M_DHCP4_STARTS.log"
        conf="$V6M_TMP/$server-$V6M_DHCP4_STARTS.conf"
        case "$server" in
        kea)     V6M_DHCP4_LEASES="$V6M_TMP/kea-leases4.csv" ;;
        dnsmasq) V6M_DHCP4_LEASES="$V6M_TMP/dnsmasq.leases" ;;
        dhcpd)   V6M_DHCP4_LEASES="$V6M_TMP/dhcpd.leases" ;;
        esac
        if [[ "$leases" == new ]]; then
                rm -f "$V6M_DHCP4_LEASES" "$V6M_DHCP4_LEASES"[~.]* 2>/dev/null || true
        fi
        touch "$V6M_DHCP4_LEASES"
        "v6m_dhcp4_${server}_conf" >"$conf"
        # kea opens no socket on an interface that is not RUNNING yet (right after
        # the link came up: operstate follows with a delay): wait for it, bounded.
        v6m_poll_until 5 v6m_dhcp4_iface_up "$iface" || true
        note "$server on $iface: subnet $subnet, pool $pool, lease ${lease}s, option 108: ${v6only:-not configured}"
        case "$server" in
        kea)
                ip netns exec "$V6M_NS_ROUTER" env KEA_PIDFILE_DIR="$V6M_TMP" \
                        KEA_LOCKFILE_DIR="$V6M_TMP" "$bin" -c "$conf" \
                        >"$V6M_DHCP4_LOG" 2>&1 </dev/null &
                ;;
        dnsmasq)
                ip netns exec "$V6M_NS_ROUTER" "$bin" --keep-in-foreground \
                        --conf-file="$conf" >"$V6M_DHCP4_LOG" 2>&1 </dev/null &
                ;;
        dhcpd)
                ip netns exec "$V6M_NS_ROUTER" "$bin" -f -d -4 -cf "$conf" -lf "$V6M_DHCP4_LEASES" \
                        -pf "$V6M_TMP/dhcpd.pid" "$iface" >"$V6M_DHCP4_LOG" 2>&1 </dev/null &
                ;;
        esac
        V6M_DHCP4_PID=$!
        v6m_pids+=("$V6M_DHCP4_PID")
        v6m_poll_until 15 v6m_dhcp4_listening_or_exited || true
        if ! v6m_dhcp4_listening; then
                echo "---- $conf ----"; cat "$conf"
                echo "---- ${V6M_DHCP4_LOG##*/} ----"; tail -n 30 "$V6M_DHCP4_LOG"
                die "$server did not start listening on UDP port 67"
        fi
}

v6m_dhcp4_iface_up() {
        ip -n "$V6M_NS_ROUTER" link show dev "$1" 2>/dev/null | grep -q 'state UP'
}

v6m_dhcp4_listening_or_exited() {
        v6m_dhcp4_listening || ! v6m_pid_alive "$V6M_DHCP4_PID"
}

# v6m_dhcp4_stop: SIGTERM the running server and wait until its port is closed.
v6m_dhcp4_stop() {
        [[ -n "$V6M_DHCP4_PID" ]] || return 0
        v6m_kill "$V6M_DHCP4_PID"
        V6M_DHCP4_PID=""
        v6m_poll_until 5 v6m_not v6m_dhcp4_listening || true
}

v6m_dhcp4_restart() {
        v6m_dhcp4_stop
        v6m_dhcp4_start "$@"
}

# --------------------------------------------------------------- sniffer --

v6m_dhcp4_start_sniffer() {
        local ns=${1:-$V6M_NS_ROUTER} iface=${2:-r0} fd line
        V6M_DHCP4_SNIFF_LOG="$V6M_TMP/dhcp4-sniff-$iface.log"
        : >"$V6M_DHCP4_SNIFF_LOG"
        exec {fd}< <(exec ip netns exec "$ns" "$V6M_PYTHON" "$V6M_E2E_DIR/dhcp4-sniff.py" \
                        "$iface" "$V6M_DHCP4_SNIFF_LOG" 2>>"$V6M_TMP/dhcp4-sniff.err")
        V6M_DHCP4_SNIFF_PID=$!
        v6m_pids+=("$V6M_DHCP4_SNIFF_PID")
        v6m_fds+=("$fd")
        if ! read -r -t 10 -u "$fd" line || [[ "$line" != LISTENING ]]; then
                cat "$V6M_TMP/dhcp4-sniff.err" >&2 || true
                die "dhcp4-sniff.py did not start"
        fi
}

# v6m_dhcp4_sniff_mark: later v6m_dhcp4_sniffed / v6m_dhcp4_wait_sniff only
# look at the messages logged after this call.
V6M_DHCP4_SNIFF_FROM=0
v6m_dhcp4_sniff_mark() {
        V6M_DHCP4_SNIFF_FROM=$(wc -l <"$V6M_DHCP4_SNIFF_LOG")
}

v6m_dhcp4_sniffed() {
        tail -n +$((V6M_DHCP4_SNIFF_FROM + 1)) "$V6M_DHCP4_SNIFF_LOG" | grep -E -- "$1" || true
}

# v6m_dhcp4_sniffed_xids ERE: how many distinct transactions (xid) have a
# matching line. (A server with two addresses on its interface, kea for one,
# answers each broadcast twice: count exchanges, not packets.)
v6m_dhcp4_sniffed_xids() {
        v6m_dhcp4_sniffed "$1" | grep -o 'xid=0x[0-9a-f]*' | sort -u | wc -l
}

v6m_dhcp4_wait_sniff() {
        v6m_poll_until "$2" v6m_dhcp4_sniffed_enough "$1" "${3:-1}"
}

v6m_dhcp4_sniffed_enough() {
        (( $(v6m_dhcp4_sniffed_xids "$1") >= $2 ))
}

# ------------------------------------------------- the daemon's client side --

# v6m_dhcp4_network_file [KEY=VALUE...]: uplink0 with DHCPv4=yes, the static
# NAT64 prefix of the other tests, and the given [DHCPv4] keys.
v6m_dhcp4_network_file() {
        local kv
        {
                printf '[Match]\nName=uplink0\n\n[Network]\nDHCPv4=yes\n\n[NAT64]\nPrefix=64:ff9b::/96\n\n[DHCPv4]\n'
                for kv in "$@"; do
                        printf '%s\n' "$kv"
                done
        } | v6m_network_file 50-uplink0.network
}

v6m_dhcp4_json() {
        ctl --json status "${2:-uplink0}" 2>/dev/null | jq -r ".dhcp4.$1"
}

# v6m_dhcp4_wait_field FIELD ERE SECS [LINK]: poll (there is no event for a
# remaining-time value) until .dhcp4.FIELD matches ERE; prints the last value.
v6m_dhcp4_wait_field() {
        local v rc=0
        v6m_poll_until "$3" v6m_dhcp4_field_matches "$1" "$2" "${4:-uplink0}" || rc=$?
        echo "$v"
        return "$rc"
}

# v6m_dhcp4_field_matches FIELD ERE LINK: sets $v (v6m_dhcp4_wait_field's).
v6m_dhcp4_field_matches() {
        v=$(v6m_dhcp4_json "$1" "$3")
        [[ "$v" =~ $2 ]]
}

# v6m_dhcp4_wait_dhcp4_state STATE SECS [LINK]: DHCPv4State on the bus equals
# STATE (PropertiesChanged); a check (PASS/FAIL), returns 1 on timeout.
v6m_dhcp4_wait_dhcp4_state() {
        local state=$1 secs=$2 link=${3:-uplink0} out rc=0
        out=$(v6m_bus wait-prop "$(v6m_ifindex "$link")" DHCPv4State "$state" "$secs" 2>&1) || rc=$?
        if (( rc == 0 )); then
                pass "$link: dhcp4 state $state"
                return 0
        fi
        fail "$link: dhcp4 state $state within $secs s"
        [[ -n "$out" ]] && sed 's/^/    | /' <<<"$out"
        ctl --json status "$link" 2>&1 | sed 's/^/    | /' || true
        return 1
}

v6m_dhcp4_client_addr() {
        ip -n "$V6M_NS_CLIENT" -4 -o addr show dev "${1:-uplink0}" scope global |
                awk '{ print $4 }'
}

v6m_dhcp4_client_has_addr() {
        [[ -n "$(v6m_dhcp4_client_addr "$@")" ]]
}

# v6m_dhcp4_client_addr_matches ERE: uplink0's IPv4 address/prefix matches ERE.
v6m_dhcp4_client_addr_matches() {
        grep -Eq -- "$1" <<<"$(v6m_dhcp4_client_addr)"
}

v6m_dhcp4_client_default_route() {
        ip -n "$V6M_NS_CLIENT" -4 route show default dev "${1:-uplink0}"
}

v6m_dhcp4_ip2int() {
        local IFS=. o
        read -r -a o <<<"$1"
        echo $(( (o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3] ))
}

# v6m_dhcp4_in_pool ADDR FIRST-LAST: ADDR (a.b.c.d or a.b.c.d/len) lies in the range.
v6m_dhcp4_in_pool() {
        local a=${1%/*} first=${2%-*} last=${2#*-}
        [[ "$a" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
        (( $(v6m_dhcp4_ip2int "$a") >= $(v6m_dhcp4_ip2int "$first") &&
           $(v6m_dhcp4_ip2int "$a") <= $(v6m_dhcp4_ip2int "$last") ))
}

# v6m_dhcp4_dump_server_log: the tail of the server's log (on failure).
v6m_dhcp4_dump() {
        if [[ -n "$V6M_DHCP4_LOG" && -s "$V6M_DHCP4_LOG" ]]; then
                echo "---- ${V6M_DHCP4_LOG##*/} (last 30 lines) ----"
                tail -n 30 "$V6M_DHCP4_LOG"
        fi
        if [[ -n "$V6M_DHCP4_SNIFF_LOG" && -s "$V6M_DHCP4_SNIFF_LOG" ]]; then
                echo "---- ${V6M_DHCP4_SNIFF_LOG##*/} (last 30 lines) ----"
                tail -n 30 "$V6M_DHCP4_SNIFF_LOG"
        fi
}

# On failure, show the server's log and the sniffed messages too.
v6m_cleanup_hooks+=('if (( v6m_failures > 0 )); then v6m_dhcp4_dump; fi')
# V6M_DHCP4_KEEP_LOGS=DIR: copy the temp dir's logs and configs there at exit
# (debugging a test by hand).
if [[ -n "${V6M_DHCP4_KEEP_LOGS:-}" ]]; then
        v6m_cleanup_hooks+=('mkdir -p "$V6M_DHCP4_KEEP_LOGS" && cp -a "$V6M_TMP"/. "$V6M_DHCP4_KEEP_LOGS"/ 2>/dev/null')
fi

# v6m_dhcp4_test_setup SERVER: the start of every daemon-client test: skip
# unless the dhcp4 plugin is built and SERVER is installed; namespaces with one
# uplink (radvd for IPv6), the router's IPv4 address 192.0.2.1/24 on r0
# (tests that renumber add 198.51.100.1/24 when they do), the sniffer on r0,
# the bus. The test then starts the server and the daemon itself.
v6m_dhcp4_test_setup() {
        v6m_require
        v6m_dhcp4_require_plugin
        v6m_dhcp4_require_server "$1"
        v6m_init
        v6m_topology 1
        v6m_dhcp4_router_ipv4 0
        v6m_dhcp4_start_sniffer
        v6m_start_bus
}

# v6m_dhcp4_server_arg "$@": the server a scenario script runs against: its
# first argument, else $V6M_DHCP4_SERVER_UNDER_TEST; dies on anything else.
v6m_dhcp4_server_arg() {
        local s=${1:-${V6M_DHCP4_SERVER_UNDER_TEST:-}}
        case "$s" in
        kea|dnsmasq|dhcpd) echo "$s" ;;
        *) echo "usage: ${0##*/} kea|dnsmasq|dhcpd (or V6M_DHCP4_SERVER_UNDER_TEST)" >&2; return 1 ;;
        esac
}

# v6m_dhcp4_lease_time SERVER SECS: the lease time SERVER really grants when
# configured with SECS (dnsmasq: at least 120 s).
v6m_dhcp4_lease_time() {
        if [[ "$1" == dnsmasq ]] && (( $2 < 120 )); then
                echo 120
        else
                echo "$2"
        fi
}

# v6m_dhcp4_prl_has CODE: ERE for a sniffed line whose option 55 lists CODE.
v6m_dhcp4_prl_has() {
        echo "prl=([0-9]+,)*$1(,[0-9]+)* "
}
