#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes the seed corpus of fuzz-frag-reasm: fragment sequences of an ICMPv6 echo reply
# from the NAT64 (2001:db8:64::c633:640a) to the CLAT (2001:db8:1::c1a7) and of an ICMP
# echo request from the CLAT (192.0.0.1) to 198.51.100.10, as the unit test makes them.
# Record: [length, 2 bytes BE][time step in 1/10 s][packet].
import ipaddress
import os
import struct
import sys

SRC = ipaddress.IPv6Address("2001:db8:64::c633:640a").packed
DST = ipaddress.IPv6Address("2001:db8:1::c1a7").packed


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def echo_reply(n):
    body = bytes(i & 0xFF for i in range(n))
    icmp = struct.pack("!BBHHH", 129, 0, 0, 0x1234, 7) + body
    pseudo = SRC + DST + struct.pack("!IxxxB", len(icmp), 58)
    c = csum(pseudo + icmp)
    return icmp[:2] + struct.pack("!H", c) + icmp[4:]


def frag(payload, ident, off, n, more, dstopts=False):
    data = payload[off:off + n]
    fh = struct.pack("!BBHI", 58, 0, off | (1 if more else 0), ident)
    if dstopts:
        ext = bytes([44, 0, 1, 4, 0, 0, 0, 0])
        nh = 60
    else:
        ext = b""
        nh = 44
    plen = len(ext) + len(fh) + len(data)
    return struct.pack("!IHBB", 0x60000000, plen, nh, 60) + SRC + DST + ext + fh + data


def echo_request4(n):
    body = bytes(i & 0xFF for i in range(n))
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 7) + body
    return icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]


def frag4(payload, ident, off, n, more, src="192.0.0.1"):
    data = payload[off:off + n]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident, (0x2000 if more else 0) | off // 8, 64, 1, 0,
                    ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address("198.51.100.10").packed)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + data


def rec(pkt, step=0):
    return struct.pack("!HB", len(pkt), step) + pkt


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    p1400, p3000 = echo_reply(1400), echo_reply(3000)
    seeds = {
        "in-order": [rec(frag(p1400, 1, 0, 1232, True)), rec(frag(p1400, 1, 1232, 176, False))],
        "out-of-order": [rec(frag(p3000, 9, 2464, 544, False)), rec(frag(p3000, 9, 1232, 1232, True)),
                         rec(frag(p3000, 9, 0, 1232, True))],
        "dstopts": [rec(frag(p1400, 3, 1232, 176, False, True)), rec(frag(p1400, 3, 0, 1232, True, True))],
        "interleaved": [rec(frag(p1400, 1, 0, 1232, True)), rec(frag(p1400, 2, 0, 1232, True)),
                        rec(frag(p1400, 2, 1232, 176, False)), rec(frag(p1400, 1, 1232, 176, False))],
        "overlap": [rec(frag(p3000, 4, 0, 1232, True)), rec(frag(p3000, 4, 1224, 1232, True)),
                    rec(frag(p3000, 4, 2464, 544, False)), rec(frag(p3000, 4, 0, 1232, True), 60),
                    rec(frag(p3000, 4, 1232, 1232, True)), rec(frag(p3000, 4, 2464, 544, False))],
        "duplicate": [rec(frag(p1400, 1, 0, 1232, True)), rec(frag(p1400, 1, 0, 1232, True)),
                      rec(frag(p1400, 1, 1232, 176, False))],
        "timeout": [rec(frag(p3000, 1, 0, 1232, True)), rec(frag(p3000, 1, 1232, 1232, True), 40),
                    rec(frag(p3000, 1, 2464, 544, False), 10)],
        "atomic": [rec(frag(p1400, 1, 0, 1408, False))],
        "table-full": [rec(frag(p3000, i, 0, 1232, True)) for i in range(6)] +
                      [rec(frag(p3000, i, 1232, 1232, True)) for i in range(6)],
        "invalid": [rec(frag(p3000, 2, 0, 1232, True)), rec(frag(p3000, 2, 2464, 100, False)),
                    rec(frag(p3000, 2, 1232, 80, False)), rec(frag(p3000, 3, 0, 1231, True))],
    }
    q3000 = echo_request4(3000)
    seeds.update({
        "ipv4-in-order": [rec(frag4(q3000, 0x4242, 0, 1448, True)), rec(frag4(q3000, 0x4242, 1448, 1448, True)),
                          rec(frag4(q3000, 0x4242, 2896, 112, False))],
        "ipv4-out-of-order": [rec(frag4(q3000, 7, 2896, 112, False)), rec(frag4(q3000, 7, 0, 1448, True)),
                              rec(frag4(q3000, 7, 1448, 1448, True))],
        "ipv4-overlap": [rec(frag4(q3000, 7, 0, 1448, True)), rec(frag4(q3000, 7, 1440, 1448, True)),
                         rec(frag4(q3000, 7, 2896, 112, False))],
        "ipv4-other-source": [rec(frag4(q3000, 7, 0, 1448, True, "192.0.0.2"))],
        "mixed": [rec(frag4(q3000, 1, 0, 1448, True)), rec(frag(p1400, 1, 0, 1232, True)),
                  rec(frag(p1400, 1, 1232, 176, False)), rec(frag4(q3000, 1, 1448, 1448, True)),
                  rec(frag4(q3000, 1, 2896, 112, False))],
    })
    for name, records in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(b"".join(records))


main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "fuzz-frag-reasm"))
