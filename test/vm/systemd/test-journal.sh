#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The journal under systemd: the daemon (log target auto, stdout a journal stream)
# writes each state transition of a link as a structured entry, found with
#   journalctl -u v6mostlyd MESSAGE_ID=fac66977f49148fa970d4de9d400342f INTERFACE=uplink0
# with LINK_STATE=, OLD_LINK_STATE=, IFINDEX= and the unit's _SYSTEMD_UNIT=. A carrier
# loss and its return add their transitions to the same query, in order.
# `v6mostlyctl status uplink0` ends with the link's last (up to 10) journal lines.
source "$V6MOSTLY_SOURCE_ROOT/test/vm/systemd/lib.sh"

v6m_sd_require
v6m_sd_init
v6m_sd_ra
cat >"$NETDIR/50-uplink0.network" <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no
CLAT=no

[NAT64]
Prefix=64:ff9b::/96
CONF
mid=fac66977f49148fa970d4de9d400342f
# Earlier tests of this boot had an uplink0 too (another ifindex): only what
# follows this cursor is ours.
cursor=$(journalctl -b -n0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
[[ -n $cursor ]] || die "journalctl gives no cursor"
check "systemctl start v6mostlyd" systemctl start "$UNIT"
v6m_wait_state uplink0 ipv6-only 60
ifindex=$(v6m_ifindex uplink0)

# transitions: "OLD>NEW" of every entry of the query, in order
transitions() {
        journalctl --no-pager --after-cursor="$cursor" -u v6mostlyd "MESSAGE_ID=$mid" INTERFACE=uplink0 -o json |
                jq -r --arg i "$ifindex" 'select(.IFINDEX == $i and ._SYSTEMD_UNIT == "v6mostlyd.service")
                        | "\(.OLD_LINK_STATE)>\(.LINK_STATE)"' | tr '\n' ' '
}
# journald writes what it received asynchronously: poll the query, bounded.
has_transition() { [[ " $(transitions)" == *">$1 "* ]]; }
v6m_sd_wait "journalctl -u v6mostlyd MESSAGE_ID=$mid INTERFACE=uplink0: the transition to ipv6-only" 30 \
        bash -c "$(declare -f transitions has_transition); mid=$mid ifindex=$ifindex cursor='$cursor'; has_transition ipv6-only"
note "transitions: $(transitions)"
journalctl --no-pager --after-cursor="$cursor" -u v6mostlyd "MESSAGE_ID=$mid" INTERFACE=uplink0 -o short-monotonic | sed 's/^/    | /'
check "each entry has the structured fields" bash -c '
        journalctl --no-pager --after-cursor="$2" -u v6mostlyd MESSAGE_ID=$1 INTERFACE=uplink0 -o json |
                jq -es "length > 0 and all(.LINK_STATE and .OLD_LINK_STATE and .IFINDEX and .PRIORITY and .MESSAGE)" >/dev/null' _ "$mid" "$cursor"
check_eq "every entry since the start names uplink0's ifindex $ifindex" \
        "$(journalctl --no-pager --after-cursor="$cursor" -u v6mostlyd "MESSAGE_ID=$mid" INTERFACE=uplink0 -o json | jq -r .IFINDEX | sort -u)" "$ifindex"
before=$(transitions | wc -w)

# ---- carrier lost and back: two more transitions, in order
ip -n "$V6M_NS_ROUTER" link set r0 down
v6m_wait_state uplink0 pending 30
ip -n "$V6M_NS_ROUTER" link set r0 up
v6m_wait_state uplink0 ipv6-only 60
v6m_sd_wait "the journal has the carrier loss and its return after the first transitions" 30 \
        bash -c "$(declare -f transitions); mid=$mid ifindex=$ifindex cursor='$cursor'
                t=(\$(transitions)); (( \${#t[@]} >= $before + 2 )) &&
                [[ \" \${t[*]:$before} \" == *'>pending '*'>ipv6-only '* ]]"
note "transitions: $(transitions)"

# ---- v6mostlyctl status LINK: the link's last log lines, as networkctl status
out=$(ctl status uplink0 2>&1) && rc=0 || rc=$?
check_eq "v6mostlyctl status uplink0: exit 0" "$rc" 0
sed 's/^/    | /' <<<"$out"
logl=$(grep -E '^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} v6mostlyd\[[0-9]+\]: ' <<<"$out" || true)
check "v6mostlyctl status uplink0 shows the link's last journal lines: the return of the carrier" \
        grep -q 'uplink0: State pending → ipv6-only' <<<"$logl"
check "at most 10 lines, all of them about uplink0" \
        bash -c 'n=$(grep -c . <<<"$1"); (( n >= 1 && n <= 10 )) && ! grep -v "]: uplink0: " <<<"$1"' _ "$logl"
check "v6mostlyctl status uplink0 as nobody (no journal access): exit 0" \
        runuser -u nobody -- "$V6MOSTLYCTL" status uplink0
check "systemctl stop v6mostlyd" systemctl stop "$UNIT"
v6m_sd_finish
