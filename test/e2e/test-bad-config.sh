#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad lines in a .network file warn with file:line and are ignored; the rest of
# the file still applies (the static prefix, DHCPv4=no). A binary, malformed
# .network file beside it never stops the daemon.
source "$(dirname "$0")/lib.sh"

v6m_require
v6m_init
v6m_topology 1
# Line numbers matter: the warnings must name them.
v6m_network_file 50-uplink.network <<'CONF'
# e2e test-bad-config: lines 7, 8, 9 and 12 are bad
[Match]
Name=uplink0

[Network]
DHCPv4=no
CLAT=maybe
NoSuchKey=1
this line is not an assignment

[NAT64]
UsePREF64=notabool
Prefix=64:ff9b::/96
CONF
# A binary file, sorted after the good one: NUL bytes, invalid UTF-8, stray
# brackets and equal signs, very long lines. Deterministic (seeded).
"$V6M_PYTHON" - "$V6M_TMP/network/60-garbage.network" <<'PY'
import random, sys
r = random.Random(3)
junk = bytearray(r.getrandbits(8) for _ in range(6000))
junk += b"\n[Match\nName\n=\n[]\n[NAT64]\nPrefix=::/0\nPrefix=" + b"A" * 70000 + b"\n\x00[Network]\x00DHCPv4=yes\n"
open(sys.argv[1], "wb").write(bytes(junk))
PY
# And one that is empty, and one that is a directory named like a file.
: >"$V6M_TMP/network/70-empty.network"
mkdir "$V6M_TMP/network/80-directory.network"

v6m_start_bus
v6m_start_daemon

v6m_wait_state uplink0 degraded 30
json=$(ctl --json status uplink0) || true
v6m_check_json "the valid lines still apply: degraded, DHCPv4 off, static prefix" "$json" \
        --expect state=degraded --expect "reason=no CLAT backend available" \
        --expect dhcp4.state=disabled \
        --expect nat64.prefix=64:ff9b::/96 --expect nat64.source=static

ifindex=$(v6m_ifindex uplink0)
check_eq "the matching file is 50-uplink.network (Link.NetworkFile)" \
        "$(v6m_bus get-property "$ifindex" NetworkFile 2>&1)" "\"$V6M_TMP/network/50-uplink.network\""

f="50-uplink.network"
v6m_check_log "warning for the bad value CLAT=maybe (line 7)" "$f:7:"
v6m_check_log "warning for the unknown key NoSuchKey= (line 8)" "$f:8:"
v6m_check_log "warning for the syntax error (line 9)" "$f:9:"
v6m_check_log "warning for the bad value UsePREF64=notabool (line 12)" "$f:12:"
v6m_check_log "the warnings are logged at warning level <4> or more severe" "^<[0-4]>.*$f:(7|8|9|12):"
check_not "no warning for the good lines 3, 6, 13" grep -Eq "$f:(3|6|13):" "$V6M_DAEMON_LOG"
v6m_check_log "the malformed file is reported" "60-garbage\\.network"

check "v6mostlyd is still running" v6m_daemon_alive

# Reloading the same bad files must not stop it either.
check "v6mostlyctl reload with the bad files" ctl reload
check "v6mostlyd is still running after reload" v6m_daemon_alive
v6m_wait_state uplink0 degraded 10

v6m_finish
