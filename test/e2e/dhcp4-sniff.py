#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Log the DHCPv4 messages seen on one interface, one line each (for the e2e tests).

  dhcp4-sniff.py IFACE LOGFILE

Run it inside the namespace that owns IFACE. It prints LISTENING on stdout once
its packet socket is bound (the caller reads that line as the event), then
appends to LOGFILE, flushed per message:

  TIME DIR TYPE xid=0x.. src=IP dst=IP ciaddr=IP yiaddr=IP chaddr=MAC
       reqip=IP|- sid=IP|- lease=N|- v6only=N|- prl=1,3,..|- opts=1,3,..

TIME is time.time(); DIR is "in" (received on IFACE) or "out" (sent from it);
TYPE is DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM or ?N.
Only the standard library: the sniffer must start fast.
"""

import errno
import ipaddress
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
MAGIC = b"\x63\x82\x53\x63"
TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
         7: "RELEASE", 8: "INFORM"}


def ip4(b):
    return str(ipaddress.IPv4Address(bytes(b))) if len(b) == 4 else "?"


def parse_options(data):
    opts = {}
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0:
            i += 1
            continue
        if code == 255 or i + 1 >= len(data):
            break
        n = data[i + 1]
        val = data[i + 2:i + 2 + n]
        if len(val) != n:
            break
        opts[code] = opts.get(code, b"") + val  # RFC 3396: concatenate repeats
        i += 2 + n
    return opts


def describe(pkt, outgoing):
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 17:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    udp = pkt[ihl:ihl + 8]
    if len(udp) < 8:
        return None
    sport, dport = struct.unpack("!HH", udp[:4])
    if {sport, dport} != {67, 68}:
        return None
    b = pkt[ihl + 8:]
    if len(b) < 240 or b[236:240] != MAGIC:
        return None
    opts = parse_options(b[240:])
    if 52 in opts:  # option overload: sname/file carry options too
        ov = opts[52][0] if opts[52] else 0
        if ov & 1:
            opts.update({k: v for k, v in parse_options(b[108:236]).items() if k not in opts})
        if ov & 2:
            opts.update({k: v for k, v in parse_options(b[44:108]).items() if k not in opts})
    mt = opts.get(53, b"\x00")[0] if opts.get(53) else 0
    u32 = lambda c: str(struct.unpack("!I", opts[c][:4])[0]) if len(opts.get(c, b"")) >= 4 else "-"
    fields = [
        "out" if outgoing else "in",
        TYPES.get(mt, f"?{mt}"),
        "xid=0x%08x" % struct.unpack("!I", b[4:8])[0],
        "src=" + ip4(pkt[12:16]),
        "dst=" + ip4(pkt[16:20]),
        "ciaddr=" + ip4(b[12:16]),
        "yiaddr=" + ip4(b[16:20]),
        "chaddr=" + ":".join("%02x" % x for x in b[28:28 + min(b[2], 16)]),
        "reqip=" + (ip4(opts[50]) if 50 in opts else "-"),
        "sid=" + (ip4(opts[54]) if 54 in opts else "-"),
        "lease=" + u32(51),
        "v6only=" + u32(108),
        "prl=" + (",".join(str(x) for x in opts[55]) if opts.get(55) else "-"),
        "opts=" + ",".join(str(k) for k in sorted(opts)),
    ]
    return " ".join(fields)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    iface, logfile = argv[1], argv[2]
    # ETH_P_ALL and SOCK_RAW: a server sending on its own packet socket may leave
    # the skb protocol unset, and an ETH_P_IP tap would not see its replies.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    log = open(logfile, "a", buffering=1)
    print("LISTENING", flush=True)
    while True:
        try:
            frame, addr = s.recvfrom(65535)
        except OSError as e:
            # The interface went down (a carrier test): the socket reports it
            # once and goes on receiving when it is up again.
            if e.errno == errno.ENETDOWN:
                continue
            raise
        if len(frame) < 14 or frame[12:14] != b"\x08\x00":
            continue
        line = describe(frame[14:], addr[2] == PACKET_OUTGOING)
        if line:
            log.write("%.6f %s\n" % (time.time(), line))


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
