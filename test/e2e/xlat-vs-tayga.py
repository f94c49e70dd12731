#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential test: the same packets through a running tayga and through the
translation library (xlat-pipe), outputs compared byte by byte.

Runs inside a network namespace where tayga serves the TUN device IFNAME with the same
prefix and the CLAT map as xlat-pipe. Each test packet is written into the TUN with an
AF_PACKET socket (tayga reads it), followed by a marker echo; tayga's answers are read
back from the same interface until the marker's translation arrives, so everything in
between belongs to the test packet.

Differences are classified ("4to6:udp:ipv6.hop_limit" ...) after one normalisation:
tayga is a router and decrements TTL/Hop Limit, the library is a host-side translator
and does not (documented), so tayga's outer TTL/Hop Limit is incremented back (and the
IPv4 header checksum recomputed) before comparing. Every class must be listed in the
allowlist file (docs/xlat-vs-tayga.md, lines "- `class`"), else the test fails.

usage: xlat-vs-tayga.py IFNAME XLAT-PIPE-COMMAND... -- ALLOWLIST CORPUS-DIR...
"""
import collections
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4

MARKER_ID = 0xBEEF


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_fix_header_checksum(p):
    p = bytearray(p)
    ihl = (p[0] & 0xF) * 4
    p[10:12] = b"\0\0"
    p[10:12] = struct.pack("!H", csum(bytes(p[:ihl])))
    return bytes(p)


def marker(seq):
    icmp = struct.pack("!BBHHH", 8, 0, 0, MARKER_ID, seq) + b"marker!!"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0x4000, 64, 1, 0,
                      socket.inet_pton(socket.AF_INET, "192.0.0.1"),
                      socket.inet_pton(socket.AF_INET, "198.51.100.99"))
    return ipv4_fix_header_checksum(hdr + icmp)


def is_marker_answer(p, seq):
    return (len(p) >= 48 and p[0] >> 4 == 6 and p[6] == 58 and p[40] == 128
            and struct.unpack("!HH", p[44:48]) == (MARKER_ID, seq))


class Tayga:
    def __init__(self, ifname):
        self.ifname = ifname
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
        self.rx.bind((ifname, 0))
        self.tx4 = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        self.tx6 = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IPV6))
        self.seq = 0

    def send(self, packet):
        if packet and packet[0] >> 4 == 6:
            self.tx6.sendto(packet, (self.ifname, ETH_P_IPV6))
        else:
            self.tx4.sendto(packet, (self.ifname, ETH_P_IP))

    def translate(self, packet):
        self.seq = (self.seq + 1) & 0xFFFF
        seq = self.seq
        self.send(packet)
        self.send(marker(seq))
        got = []
        deadline = time.monotonic() + 5
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("tayga did not answer the marker")
            r, _, _ = select.select([self.rx], [], [], left)
            if not r:
                continue
            data, addr = self.rx.recvfrom(70000)
            if addr[2] == PACKET_OUTGOING:
                continue
            if is_marker_answer(data, seq):
                return got
            got.append(data)


def normalise_tayga(inp, out):
    """Undo tayga's TTL/Hop Limit decrement on translated (other-family) packets."""
    if not out or not inp or (inp[0] >> 4) == (out[0] >> 4):
        return out
    p = bytearray(out)
    if p[0] >> 4 == 6:
        p[7] = (p[7] + 1) & 0xFF
        return bytes(p)
    p[8] = (p[8] + 1) & 0xFF
    return ipv4_fix_header_checksum(bytes(p))


IPV4_FIELDS = [(0, 1, "version_ihl"), (1, 2, "tos"), (2, 4, "total_length"), (4, 6, "id"),
               (6, 8, "flags_offset"), (8, 9, "ttl"), (9, 10, "protocol"), (10, 12, "checksum"),
               (12, 16, "src"), (16, 20, "dst")]
IPV6_FIELDS = [(0, 4, "version_tc_flow"), (4, 6, "payload_length"), (6, 7, "next_header"),
               (7, 8, "hop_limit"), (8, 24, "src"), (24, 40, "dst")]
PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6", 44: "frag"}


def l4_fields(proto):
    if proto in (1, 58):
        return [(0, 1, "type"), (1, 2, "code"), (2, 4, "checksum"), (4, 8, "rest"), (8, None, "body")]
    if proto == 6:
        return [(0, 16, "header"), (16, 18, "checksum"), (18, None, "rest")]
    if proto == 17:
        return [(0, 6, "header"), (6, 8, "checksum"), (8, None, "data")]
    return [(0, None, "payload")]


def field_diff(a, b):
    """Names of the fields in which packets a and b differ."""
    fam = a[0] >> 4 if a else 0
    names = []
    if fam == 4 and len(a) >= 20 and len(b) >= 20:
        hdr, pfx, proto, l4 = IPV4_FIELDS, "ipv4", a[9], (a[0] & 0xF) * 4
    elif fam == 6 and len(a) >= 40 and len(b) >= 40:
        hdr, pfx, proto, l4 = IPV6_FIELDS, "ipv6", a[6], 40
        if proto == 44 and len(a) >= 48 and len(b) >= 48:
            if a[40:48] != b[40:48]:
                names.append("ipv6.fragment_header")
            proto, l4 = a[40], 48
    else:
        return ["length" if len(a) != len(b) else "bytes"]
    for s, e, n in hdr:
        if a[s:e] != b[s:e]:
            names.append("%s.%s" % (pfx, n))
    pname = PROTO_NAMES.get(proto, "proto%d" % proto)
    for s, e, n in l4_fields(proto):
        sa, sb = a[l4 + s:(l4 + e) if e else None], b[l4 + s:(l4 + e) if e else None]
        if sa != sb:
            names.append("%s.%s" % (pname, n))
    if len(a) != len(b):
        names.append("length")
    return names


def describe(packet):
    if not packet:
        return "empty"
    if packet[0] >> 4 == 4 and len(packet) >= 20:
        proto = packet[9]
        extra = ""
        if proto == 1 and len(packet) > 20:
            extra = "-%d" % packet[20]
        return "%s%s" % (PROTO_NAMES.get(proto, "proto%d" % proto), extra)
    if packet[0] >> 4 == 6 and len(packet) >= 40:
        proto, off = packet[6], 40
        if proto == 44 and len(packet) >= 48:
            proto, off = packet[40], 48
        extra = ""
        if proto == 58 and len(packet) > off:
            extra = "-%d" % packet[off]
        return "%s%s" % (PROTO_NAMES.get(proto, "proto%d" % proto), extra)
    return "garbage"


def main():
    argv = sys.argv[1:]
    sep = argv.index("--")
    ifname, pipe_cmd = argv[0], argv[1:sep]
    allowlist_path, corpora = argv[sep + 1], argv[sep + 2:]

    allowed = set()
    with open(allowlist_path) as f:
        for line in f:
            m = re.match(r"^- `([^`]+)`", line)
            if m:
                allowed.add(m.group(1))

    packets = []
    for d in corpora:
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            # Option byte of test/fuzz/fuzz-xlat.h: only plain packets (no GSO, no
            # partial checksum) under the /96 prefix, which tayga also has.
            if len(data) < 2 or data[0] & 0x1F != 5:
                continue
            packets.append((name, data[1:]))

    pipe = subprocess.Popen(pipe_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    tayga = Tayga(ifname)
    classes = collections.OrderedDict()
    same = 0
    for name, p in packets:
        direction = "46" if p[0] >> 4 == 4 else "64"
        pipe.stdin.write("%s %s\n" % (direction, p.hex()))
        pipe.stdin.flush()
        fields = pipe.stdout.readline().split()
        verdict, reason, ours = fields[0], fields[1], [bytes.fromhex(h) for h in fields[2:]]
        theirs = [normalise_tayga(p, t) for t in tayga.translate(p)]
        dname = "4to6" if direction == "46" else "6to4"
        what = describe(p)
        if ours == theirs:
            same += 1
            continue
        if not theirs:
            key = "%s:%s:tayga-drops(ours:%s)" % (dname, what, verdict)
        elif not ours:
            key = "%s:%s:tayga-translates(ours:drop:%s)" % (dname, what, reason)
        elif len(ours) != len(theirs):
            key = "%s:%s:packet-count(%d/%d)" % (dname, what, len(ours), len(theirs))
        else:
            diffs = sorted({n for a, b in zip(ours, theirs) for n in field_diff(a, b)})
            key = "%s:%s:%s" % (dname, what, "+".join(diffs))
        classes.setdefault(key, []).append((name, p, ours, theirs))
    pipe.stdin.close()
    pipe.wait()

    unexplained = 0
    print("%d packets, %d identical, %d differing in %d classes" %
          (len(packets), same, sum(len(v) for v in classes.values()), len(classes)))
    for key, items in classes.items():
        ok = key in allowed
        unexplained += 0 if ok else 1
        print("%s %-90s %4d  e.g. %s" % ("listed  " if ok else "UNLISTED", key, len(items), items[0][0]))
        if not ok or os.environ.get("XLAT_VS_TAYGA_VERBOSE"):
            name, p, ours, theirs = items[0]
            print("    in:    %s" % p.hex())
            for o in ours:
                print("    ours:  %s" % o.hex())
            for t in theirs:
                print("    tayga: %s" % t.hex())
    if unexplained:
        print("%d difference class(es) not listed in %s" % (unexplained, allowlist_path))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
