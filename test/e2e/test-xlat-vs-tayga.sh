#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Differential test of the RFC 7915 library against tayga: every packet of the
# translator's seed corpora (test/fuzz/fuzz-xlat-*) goes through a real tayga (in a
# namespace, on its TUN device, configured with the same NAT64 prefix and the CLAT
# IPv4 <-> IPv6 map) and through the library (xlat-pipe); outputs are compared byte by
# byte. Every class of difference must be listed, with the RFC text that justifies
# it, in docs/xlat-vs-tayga.md.
source "$(dirname "$0")/lib.sh"

[[ $(id -u) == 0 ]] || skip "not root (needs a network namespace and a TUN device)"
command -v tayga >/dev/null || skip "tayga not installed (run tools/deps)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
probe="v6m-$$-probe"
ip netns add "$probe" 2>/dev/null || skip "ip netns add does not work here"
ip netns del "$probe"
XLAT_PIPE="$V6MOSTLY_BUILD_ROOT/test/e2e/xlat-pipe"
[[ -x "$XLAT_PIPE" ]] || die "not built: $XLAT_PIPE"

PREFIX=2001:db8:64::/96
CLAT4=192.0.0.1
CLAT6=2001:db8:1::c1a7
MTU=1500

v6m_init
NS="${V6M_NS_PREFIX}-xlat"
v6m_netns_add "$NS"

mkdir -p "$V6M_TMP/tayga"
cat >"$V6M_TMP/tayga.conf" <<CONF
tun-device xlat0
ipv4-addr 192.0.2.1
prefix $PREFIX
map $CLAT4 $CLAT6
data-dir $V6M_TMP/tayga
CONF
ip netns exec "$NS" tayga --config "$V6M_TMP/tayga.conf" --mktun >"$V6M_TMP/tayga.log" 2>&1 ||
        die "tayga --mktun failed: $(cat "$V6M_TMP/tayga.log")"
ip -n "$NS" link set xlat0 mtu "$MTU" up
ip netns exec "$NS" tayga --config "$V6M_TMP/tayga.conf" --nodetach >>"$V6M_TMP/tayga.log" 2>&1 &
v6m_pids+=("$!")
# tayga reads the MTU once, when it opens the device; afterwards the device may take
# bigger test packets (up to 64 KiB) without changing what tayga does with them.
tayga_opened_tun() {
        grep -q "TAYGA .* starting\|Opened tun device\|tun" "$V6M_TMP/tayga.log" 2>/dev/null &&
                [[ -n "$(ip netns exec "$NS" ls -l /proc/"${v6m_pids[-1]}"/fd 2>/dev/null | grep tun)" ]]
}
v6m_poll_until 10 tayga_opened_tun || die "tayga did not open its TUN device: $(cat "$V6M_TMP/tayga.log")"
ip -n "$NS" link set xlat0 mtu 65535

rc=0
ip netns exec "$NS" "$V6M_PYTHON" "$V6M_E2E_DIR/xlat-vs-tayga.py" xlat0 \
        "$XLAT_PIPE" "$PREFIX" "$CLAT4" "$CLAT6" "$MTU" -- \
        "$V6MOSTLY_SOURCE_ROOT/docs/xlat-vs-tayga.md" \
        "$V6MOSTLY_SOURCE_ROOT/test/fuzz/fuzz-xlat-4to6" "$V6MOSTLY_SOURCE_ROOT/test/fuzz/fuzz-xlat-6to4" \
        >"$V6M_TMP/compare.out" 2>&1 || rc=$?
sed 's/^/# /' "$V6M_TMP/compare.out"
check_eq "tayga and the library agree, or differ only as docs/xlat-vs-tayga.md lists" "$rc" 0
v6m_finish
