#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# With --log-target=journal, every state transition is a journal entry with a
# MESSAGE_ID, INTERFACE= and IFINDEX=. Runs a real systemd-journald, private to
# this test: a mount namespace with tmpfs over /run/systemd, /run/log and
# /var/log/journal (there is no systemd as PID 1 here). Skips if it can't.
source "$(dirname "$0")/lib.sh"

v6m_require
journald=/lib/systemd/systemd-journald
[[ -x "$journald" ]] || skip "no $journald (package systemd)"
command -v journalctl >/dev/null || skip "no journalctl"
command -v unshare >/dev/null || skip "no unshare"
[[ -s /etc/machine-id ]] || skip "no /etc/machine-id: journald will not start"

if [[ -z "${V6M_JOURNAL_NS:-}" ]]; then
        unshare --mount --propagation private true 2>/dev/null || skip "unshare --mount does not work here"
        exec unshare --mount --propagation private env V6M_JOURNAL_NS=1 bash "$0" "$@"
fi

v6m_init
# In our own mount namespace: cover journald's directories with tmpfs. A
# directory that did not exist is created for the mount point and removed after.
for d in /run/systemd /run/log /var/log/journal; do
        if [[ ! -d "$d" ]]; then
                mkdir -p "$d"
                v6m_cleanup_hooks+=("rmdir '$d' 2>/dev/null")
        fi
        mount -t tmpfs -o mode=0755 "v6m-e2e-journal" "$d" || skip "cannot mount tmpfs on $d"
        v6m_cleanup_hooks+=("umount '$d' 2>/dev/null")
done

v6m_topology 1
v6m_network_file 50-uplink.network <<'CONF'
[Match]
Name=uplink0

[Network]
DHCPv4=no

[NAT64]
Prefix=64:ff9b::/96
CONF
v6m_start_bus

v6m_start_notify_listener
NOTIFY_SOCKET="$V6M_TMP/notify.sock" "$journald" >"$V6M_TMP/journald.log" 2>&1 &
journald_pid=$!
v6m_pids+=("$journald_pid")
v6m_wait_ready "$journald_pid" systemd-journald 20
[[ -S /run/systemd/journal/socket ]] || skip "journald runs but made no /run/systemd/journal/socket"

V6M_DAEMON_LOG_TARGET=journal
v6m_start_daemon
v6m_wait_state uplink0 degraded 30
ifindex=$(v6m_ifindex uplink0)

# The entry is in the journal file once journald has processed the datagram:
# no event reaches us for that, so poll journalctl, bounded.
find_entry() {
        journalctl --no-pager -o json INTERFACE=uplink0 2>/dev/null |
                "$V6M_PYTHON" -c '
import json, re, sys
ifindex = sys.argv[1]
for line in sys.stdin:
    e = json.loads(line)
    if (re.fullmatch(r"[0-9a-f]{32}", e.get("MESSAGE_ID", ""))
            and e.get("IFINDEX") == ifindex and "degraded" in str(e.get("MESSAGE", ""))):
        print(line.strip())
        sys.exit(0)
sys.exit(1)' "$ifindex"
}
entry=""
entry_found() { entry=$(find_entry); }
v6m_poll_until 15 entry_found || true
if [[ -n "$entry" ]]; then
        pass "journal has the transition to degraded with MESSAGE_ID, INTERFACE=uplink0, IFINDEX=$ifindex"
        sed 's/^/    | /' <<<"$entry"
        check "the entry comes from v6mostlyd's PID" \
                "$V6M_PYTHON" -c 'import json,sys; sys.exit(json.loads(sys.argv[1]).get("_PID") != sys.argv[2])' \
                "$entry" "$V6M_DAEMON_PID"
        check "the entry has a priority" \
                "$V6M_PYTHON" -c 'import json,sys; sys.exit(json.loads(sys.argv[1]).get("PRIORITY") is None)' "$entry"
else
        fail "journal has the transition to degraded with MESSAGE_ID, INTERFACE=uplink0, IFINDEX=$ifindex"
        echo "    journal entries for v6mostlyd:"
        journalctl --no-pager -o json "_PID=$V6M_DAEMON_PID" 2>&1 | tail -n 20 | sed 's/^/    | /'
fi
check_not "nothing went to stderr as well (the journal is the target)" \
        grep -q "degraded" "$V6M_DAEMON_LOG"

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
