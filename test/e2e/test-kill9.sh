#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# kill -9 of the daemon, then a restart with the same runtime directory: the
# link is reported again with the same state and prefix, and exactly one
# daemon owns org.v6mostly1. A second instance started beside it does not take
# the name over.
source "$(dirname "$0")/lib.sh"

v6m_standard_setup
before=$(ctl --json status uplink0) || true
first_pid=$V6M_DAEMON_PID
check_eq "org.v6mostly1 is owned by the daemon" "$(v6m_bus owner-pid org.v6mostly1 2>&1)" "$first_pid"

v6m_kill9_daemon
check "org.v6mostly1 is released after kill -9 (NameOwnerChanged)" \
        v6m_bus wait-no-owner org.v6mostly1 10

v6m_start_daemon
check_eq "org.v6mostly1 is owned by the restarted daemon" \
        "$(v6m_bus owner-pid org.v6mostly1 2>&1)" "$V6M_DAEMON_PID"
v6m_wait_state uplink0 degraded 30
after=$(ctl --json status uplink0) || true
check "the link is reported as before: same state, reason, prefix and source" \
        "$V6M_PYTHON" -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
keys = lambda d: (d["ifindex"], d["state"], d["reason"], d["nat64"]["prefix"], d["nat64"]["source"])
print(keys(a)); print(keys(b))
sys.exit(keys(a) != keys(b))' "$before" "$after"
check_eq "exactly one connection owns or waits for org.v6mostly1" \
        "$(v6m_bus queued-owners org.v6mostly1 2>&1)" 1

# A second instance beside the running one (its own runtime directory) must
# not take over the name; it should give up and exit.
mkdir "$V6M_TMP/run2"
ip netns exec "$V6M_NS_CLIENT" "$V6MOSTLYD" --network-dir="$V6M_TMP/network" \
        --runtime-dir="$V6M_TMP/run2" --log-target=stderr --log-level=debug \
        >"$V6M_TMP/daemon-second.log" 2>&1 &
second=$!
v6m_pids+=("$second")
if v6m_wait_exit "$second" 15; then
        check_not "a second instance exits non-zero (name already owned)" test "$V6M_EXIT_STATUS" = 0
else
        fail "a second instance is still running 15 s later"
        v6m_kill "$second"
fi
check_eq "the first daemon still owns org.v6mostly1" \
        "$(v6m_bus owner-pid org.v6mostly1 2>&1)" "$V6M_DAEMON_PID"
check_eq "still exactly one owner" "$(v6m_bus queued-owners org.v6mostly1 2>&1)" 1
v6m_wait_state uplink0 degraded 10

check "v6mostlyd is still running" v6m_daemon_alive
v6m_finish
