#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Send Router Advertisements with PREF64, RDNSS, DNSSL (and raw, possibly malformed)
options, on L2 so the hop limit stays 255. Run it inside the router's namespace:

  send-ra.py --iface r0 [--src fe80::1] [--router-lifetime S]
             [--pio 2001:db8:1::/64] [--pref64 PREFIX/LEN[@LIFETIME]]...
             [--rdnss ADDR[,ADDR...][@LIFETIME]]... [--dnssl NAME[,NAME...][@LIFETIME]]...
             [--raw HEX]... [--count N] [--interval S] [--print-time] [--answer-rs]

--src defaults to the interface's own link-local address (the router radvd runs as);
another link-local address makes a second router on the same link. --router-lifetime
defaults to 600 s, what lib.sh's radvd announces, so the RA does not change the client's
default route; use 0 for a router that is not a default router. PREF64 lifetimes are
rounded up to units of 8 s (RFC 8781 §4.1); "@0" withdraws. --raw adds an option given
in hex as is (type, length and body), to test malformed ones. --count 0 sends until
killed. --print-time prints CLOCK_MONOTONIC (seconds) taken just before each send.
--answer-rs sends nothing unsolicited: it prints LISTENING once it captures on the
interface, then answers every Router Solicitation it sees with the RA, and prints
"ANSWERED <source>" for each, until killed.
"""

import argparse
import ipaddress
import socket
import struct
import sys
import time

from scapy.all import (Ether, IPv6, ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, Raw, conf,
                       get_if_hwaddr, sniff)

PLC = {96: 0, 64: 1, 56: 2, 48: 3, 40: 4, 32: 5}


def split_lifetime(arg, default):
    if "@" in arg:
        value, lifetime = arg.rsplit("@", 1)
        return value, int(lifetime)
    return arg, default


def pref64_option(arg):
    prefix, lifetime = split_lifetime(arg, 1800)
    net = ipaddress.IPv6Network(prefix, strict=False)
    if net.prefixlen not in PLC:
        raise SystemExit(f"send-ra.py: PREF64 length must be one of {sorted(PLC)}: {prefix}")
    scaled = min((lifetime + 7) // 8, 0x1FFF)
    return bytes([38, 2]) + struct.pack(">H", scaled << 3 | PLC[net.prefixlen]) + net.network_address.packed[:12]


def rdnss_option(arg):
    addrs, lifetime = split_lifetime(arg, 600)
    packed = b"".join(ipaddress.IPv6Address(a).packed for a in addrs.split(","))
    return bytes([25, 1 + len(packed) // 8, 0, 0]) + struct.pack(">I", lifetime & 0xFFFFFFFF) + packed


def dnssl_option(arg):
    names, lifetime = split_lifetime(arg, 600)
    body = b""
    for name in names.split(","):
        for label in name.strip(".").split("."):
            body += bytes([len(label)]) + label.encode()
        body += b"\0"
    body += b"\0" * (-(8 + len(body)) % 8)
    return bytes([31, (8 + len(body)) // 8, 0, 0]) + struct.pack(">I", lifetime & 0xFFFFFFFF) + body


def link_local(iface):
    with open("/proc/net/if_inet6") as f:
        for line in f:
            addr, _, _, scope, _, name = line.split()
            if name == iface and scope == "20":
                return str(ipaddress.IPv6Address(bytes.fromhex(addr)))
    raise SystemExit(f"send-ra.py: {iface} has no link-local address")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src")
    ap.add_argument("--src-mac")
    ap.add_argument("--router-lifetime", type=int, default=600)
    ap.add_argument("--pio", action="append", default=[])
    ap.add_argument("--pref64", action="append", default=[])
    ap.add_argument("--rdnss", action="append", default=[])
    ap.add_argument("--dnssl", action="append", default=[])
    ap.add_argument("--raw", action="append", default=[])
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--print-time", action="store_true")
    ap.add_argument("--answer-rs", action="store_true")
    args = ap.parse_args()

    conf.verb = 0
    src = args.src or link_local(args.iface)
    mac = args.src_mac or get_if_hwaddr(args.iface)

    ra = Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src=src, dst="ff02::1", hlim=255) / \
        ICMPv6ND_RA(routerlifetime=args.router_lifetime)
    for p in args.pio:
        net = ipaddress.IPv6Network(p, strict=False)
        ra /= ICMPv6NDOptPrefixInfo(prefix=str(net.network_address), prefixlen=net.prefixlen, L=1, A=1,
                                    validlifetime=86400, preferredlifetime=14400)
    ra /= ICMPv6NDOptSrcLLAddr(lladdr=mac)
    options = b"".join([pref64_option(p) for p in args.pref64] +
                       [rdnss_option(r) for r in args.rdnss] +
                       [dnssl_option(d) for d in args.dnssl] +
                       [bytes.fromhex(r) for r in args.raw])
    if options:
        ra /= Raw(options)
    frame = bytes(ra)  # build (and checksum) once

    sock = conf.L2socket(iface=args.iface)
    if args.answer_rs:
        def answer(p):
            sock.send(frame)
            print(f"ANSWERED {p[IPv6].src}", flush=True)

        sniff(iface=args.iface, store=False, lfilter=lambda p: ICMPv6ND_RS in p, prn=answer,
              started_callback=lambda: print("LISTENING", flush=True))
        return
    try:
        n = 0
        while args.count == 0 or n < args.count:
            if n > 0:
                time.sleep(args.interval)  # the sender's own pacing, not a test's synchronisation
            if args.print_time:
                print(f"{time.clock_gettime(time.CLOCK_MONOTONIC):.6f}", flush=True)
            sock.send(frame)
            n += 1
    finally:
        sock.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
