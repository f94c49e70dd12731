# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Helpers of the resolver backend tests (test-resolver-*.sh).

# v6m_wait_file_lines FILE PATTERN WANT SECONDS: bounded wait until FILE's lines
# matching the ERE PATTERN are exactly WANT (one a line; "" for none). There is no
# event for "the daemon rewrote a file", so this polls, like v6m_wait_monitor_state.
# On timeout, prints what the file held.
v6m_wait_file_lines() {
        local file=$1 pattern=$2 want=$3 deadline=$((SECONDS + $4)) got
        while :; do
                got=$(grep -E -- "$pattern" "$file" 2>/dev/null || true)
                [[ "$got" == "$want" ]] && return 0
                (( SECONDS < deadline )) || break
                sleep 0.05
        done
        echo "wanted:"; sed 's/^/  /' <<<"$want"
        echo "got ($file):"; sed 's/^/  /' "$file" 2>/dev/null || echo "  (no file)"
        return 1
}

# v6m_resolve_with FILE COMMAND...: run COMMAND in the client namespace with FILE
# bind-mounted over /etc/resolv.conf in a mount namespace of its own (the host's
# /etc/resolv.conf is never touched).
v6m_resolve_with() {
        local file=$1
        shift
        ip netns exec "$V6M_NS_CLIENT" unshare -m --propagation private \
                sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$file" "$@"
}

# v6m_wait_router_link_local: bounded wait until the router's r0 has its link-local
# address again (after `link set r0 up`), which send-ra.py sends from.
v6m_wait_router_link_local() {
        local deadline=$((SECONDS + 10))
        until ip -n "$V6M_NS_ROUTER" -6 addr show dev r0 scope link 2>/dev/null | grep -q 'inet6 fe80'; do
                (( SECONDS < deadline )) || return 1
                sleep 0.05
        done
}
