#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The CLAT's translation at its devices, byte for byte (test-clat-slow-path.sh).

    clat-slow-path.py ROUTER-NS CLIENT-NS ROUTER-IF ROUTER-MAC UPLINK-MAC CLAT-DEV PREFIX \\
                      CLAT6 XLAT-PIPE IPV6-MTU OUT.json

IPv4 packets are injected at the CLAT device (an AF_PACKET socket on it: its tc egress,
where the eBPF fast path runs, then the TUN and the slow path), IPv6 packets at the
router's end of the uplink (to the uplink's MAC: tc ingress, fast path, or the slow
path's packet socket). What the CLAT sends is captured where it leaves: IPv6 from the
CLAT address at the router, IPv4 to the CLAT address arriving on the CLAT device. Each
case is compared with what the translation library (xlat-pipe, the TUN backend's code)
makes of it: the same packets, in order, or nothing for a drop. After each case a
marker per direction that the eBPF fast path leaves to the slow path (UDP without
checksum 4→6, a Destination Options header 6→4) comes out of the same worker after the
case's packets, which closes the case.

The cases are every class of packet the fast path leaves to the slow path, and a few
it takes; they run twice, on a fresh CLAT and after a storm of ICMP errors through it
(Packet Too Big down to MTU 0, from the remote and from a router off the prefix, which
the CLAT turns into Fragmentation Needed: the IPv4 stack learns path MTUs from them;
ICMPv4 errors the other way). Then a few IPv4 packets through the IPv4 stack itself (a
raw socket: the kernel fragments packets without DF by the path MTU it learned, so the
CLAT gets fragments); those have no library oracle and are written out for the two
backends to be compared with each other.

Exit 0 when every case matched the library; the results go to OUT.json."""
import ctypes
import json
import os
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
CLONE_NEWNET = 0x40000000

CLAT4 = "192.0.0.1"
REMOTE4 = "100.64.100.10"
DUMMY4 = "192.0.0.8"
UDP_PORT = 7000      # the client binds it, so that translated UDP gets no Port Unreachable
MARK4_PORT = 7001    # markers
MARK6_PORT = 7002
OTHER_PROTOS = (59, 47, 50, 132, 136)  # the client holds raw sockets: no Protocol Unreachable

libc = ctypes.CDLL(None, use_errno=True)


def setns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
    finally:
        os.close(fd)


# ---------------------------------------------------------------- packets --

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def a4(s):
    return socket.inet_pton(socket.AF_INET, s)


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


class Packets:
    def __init__(self, prefix, clat6):
        self.prefix = a6(prefix.split("/")[0])[:12]
        self.clat6 = a6(clat6)
        self.remote6 = self.prefix + a4(REMOTE4)
        self.router6 = a6("2001:db8:1::1")

    # -- IPv4
    @staticmethod
    def ip4(proto, payload, src=CLAT4, dst=REMOTE4, ident=0x1234, flags=0x4000, ttl=64, tos=0, opts=b""):
        ihl = 5 + len(opts) // 4
        h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, ihl * 4 + len(payload), ident, flags, ttl, proto, 0,
                        a4(src), a4(dst)) + opts
        return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

    @staticmethod
    def l4_4(proto, seg, src=CLAT4, dst=REMOTE4, fill=True):
        """Set the TCP/UDP checksum (offset by protocol) over an IPv4 pseudo-header."""
        off = {6: 16, 17: 6}[proto]
        seg = bytearray(seg)
        if fill:
            pseudo = a4(src) + a4(dst) + struct.pack("!BBH", 0, proto, len(seg))
            c = csum(pseudo + bytes(seg))
            struct.pack_into("!H", seg, off, c or 0xFFFF)
        return bytes(seg)

    @staticmethod
    def udp(sport, dport, n, seed=1):
        data = bytes((seed + 7 * i) & 0xFF for i in range(n))
        return struct.pack("!HHHH", sport, dport, 8 + n, 0) + data

    @staticmethod
    def tcp(sport, dport, n, flags=0x18, seed=3):
        data = bytes((seed + 13 * i) & 0xFF for i in range(n))
        return struct.pack("!HHIIBBHHH", sport, dport, 0x12345678, 0x9A000001, 0x50, flags, 0xFAF0, 0, 0) + data

    @staticmethod
    def icmp4(t, code, rest, body):
        m = bytearray(struct.pack("!BBHI", t, code, 0, rest) + body)
        struct.pack_into("!H", m, 2, csum(bytes(m)))
        return bytes(m)

    # -- IPv6
    def ip6(self, nh, payload, src=None, dst=None, hlim=64):
        return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim, src or self.remote6,
                           dst or self.clat6) + payload

    def l4_6(self, proto, seg, src=None, dst=None):
        off = {6: 16, 17: 6, 58: 2}[proto]
        seg = bytearray(seg)
        pseudo = (src or self.remote6) + (dst or self.clat6) + struct.pack("!IxxxB", len(seg), proto)
        c = csum(pseudo + bytes(seg))
        struct.pack_into("!H", seg, off, c or (0xFFFF if proto == 17 else 0))
        return bytes(seg)

    def icmp6(self, t, code, rest, body, src=None, dst=None):
        m = struct.pack("!BBHI", t, code, 0, rest) + body
        return self.l4_6(58, m, src, dst)

    @staticmethod
    def frag_hdr(nh, offset, more, ident):
        return struct.pack("!BBHI", nh, 0, (offset << 3) | more, ident)

    @staticmethod
    def dst_opts(nh):
        return struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"  # PadN

    @staticmethod
    def mpls_ext(n):
        e = bytearray(b"\x20\0\0\0" + struct.pack("!HBB", n - 4, 1, 1) + bytes(n - 8))
        struct.pack_into("!H", e, 2, csum(bytes(e)))
        return bytes(e)

    # -- what we "sent" (quoted by errors)
    def sent6(self, n=40, proto=17):
        """An IPv6 packet CLAT6 → REMOTE6 as the CLAT would have sent it."""
        seg = self.l4_6(17, self.udp(UDP_PORT, 53, n), self.clat6, self.remote6) if proto == 17 else b""
        return self.ip6(proto, seg, self.clat6, self.remote6)

    def sent4(self, n=40):
        """An IPv4 packet REMOTE4 → CLAT4 as the IPv4 stack received it."""
        return self.ip4(17, self.l4_4(17, self.udp(53, UDP_PORT, n), REMOTE4, CLAT4), REMOTE4, CLAT4, 0x4321, 0)


def cases_46(p):
    """IPv4 at the CLAT device: (name, packet)."""
    c = []
    ip4, udp, tcp, l4 = p.ip4, p.udp, p.tcp, p.l4_4
    c.append(("udp, fast path", ip4(17, l4(17, udp(UDP_PORT, 53, 100)))))
    # The case: 1261 bytes, DF clear; translated it exceeds 1280: IPv6 fragments.
    c.append(("tcp 1261 bytes DF clear (fragments)", ip4(6, l4(6, tcp(40000, 443, 1261 - 40)), flags=0)))
    c.append(("tcp 1300 bytes DF clear (fragments)", ip4(6, l4(6, tcp(40000, 443, 1260)), flags=0)))
    c.append(("udp 1400 bytes DF clear (fragments)", ip4(17, l4(17, udp(UDP_PORT, 53, 1372)), flags=0)))
    c.append(("icmp echo 1300 bytes DF clear (fragments)", ip4(1, p.icmp4(8, 0, 0x77 << 16 | 1, bytes(1272)), flags=0)))
    # The CLAT MTU is the IPv6 MTU - 28: a DF packet that fits the device fits the uplink.
    c.append(("tcp 1472 bytes DF set", ip4(6, l4(6, tcp(40000, 443, 1432)))))
    c.append(("udp, IPv4 options (Record Route)",
              ip4(17, l4(17, udp(UDP_PORT, 53, 60)), opts=b"\x01\x07\x07\x04" + bytes(4))))
    c.append(("udp, unexpired source route (Source Route Failed)",
              ip4(17, l4(17, udp(UDP_PORT, 53, 60)), opts=b"\x01\x83\x07\x04" + bytes(4))))
    whole = l4(17, udp(UDP_PORT, 53, 200))
    c.append(("udp, first fragment", ip4(17, whole[:104], ident=0x2001, flags=0x2000)))
    c.append(("udp, last fragment", ip4(17, whole[104:], ident=0x2001, flags=104 // 8)))
    c.append(("udp, checksum 0", ip4(17, udp(UDP_PORT, 53, 30))))
    c.append(("icmp timestamp (untranslatable)", ip4(1, p.icmp4(13, 0, 0x77 << 16 | 1, bytes(12)))))
    c.append(("udp, source not the CLAT address", ip4(17, l4(17, udp(UDP_PORT, 53, 20), "192.0.0.2"), src="192.0.0.2")))
    quoted = p.sent4(60)
    for t, code, rest in ((3, 3, 0), (3, 1, 0), (3, 4, 1400), (11, 0, 0), (12, 0, 8 << 24), (3, 2, 0)):
        c.append((f"icmp error {t}/{code}", ip4(1, p.icmp4(t, code, rest, quoted))))
    field = quoted + bytes(128 - len(quoted))
    c.append(("icmp time exceeded with an RFC 4884 extension",
              ip4(1, p.icmp4(11, 0, (128 // 4) << 16, field + p.mpls_ext(12)))))
    long_quote = p.sent4(1200)[:548]
    c.append(("icmp error quoting 548 bytes", ip4(1, p.icmp4(3, 3, 0, long_quote), flags=0)))
    for proto in OTHER_PROTOS:
        c.append((f"protocol {proto}", ip4(proto, b"" if proto == 59 else bytes(range(64)))))
        c.append((f"protocol {proto}, 1300 bytes DF clear", ip4(proto, bytes(1280), flags=0)))
    return c


def cases_64(p):
    """IPv6 from the router to the CLAT address: (name, packet, oracle input or None)."""
    c = []
    ip6, udp, l4 = p.ip6, p.udp, p.l4_6
    c.append(("udp, fast path", ip6(17, l4(17, udp(53, UDP_PORT, 100))), None))
    c.append(("udp 1300 bytes, fast path (DF set)", ip6(17, l4(17, udp(53, UDP_PORT, 1252))), None))
    c.append(("tcp rst 1400 bytes", ip6(6, l4(6, p.tcp(443, 40000, 1340, flags=0x04))), None))
    # The largest the uplink carries: 1480 bytes of IPv4, more than the CLAT MTU (1472).
    c.append(("udp 1500 bytes (over the CLAT MTU once translated)", ip6(17, l4(17, udp(53, UDP_PORT, 1452))), None))
    c.append(("tcp rst 1500 bytes", ip6(6, l4(6, p.tcp(443, 40000, 1440, flags=0x04))), None))
    c.append(("udp checksum 0", ip6(17, udp(53, UDP_PORT, 20)), None))
    seg = l4(17, udp(53, UDP_PORT, 40))
    c.append(("udp behind Hop-by-Hop and Destination Options",
              ip6(0, struct.pack("!BB", 60, 0) + b"\x01\x04\0\0\0\0" + p.dst_opts(17) + seg), None))
    c.append(("udp, atomic fragment", ip6(44, p.frag_hdr(17, 0, 0, 0xDEADBEEF) + seg), None))
    whole = l4(17, udp(53, UDP_PORT, 200))
    c.append(("udp, first fragment", ip6(44, p.frag_hdr(17, 0, 1, 0x5001) + whole[:104]), None))
    c.append(("udp, last fragment", ip6(44, p.frag_hdr(17, 13, 0, 0x5001) + whole[104:]), None))
    c.append(("udp, routing header with segments left (Parameter Problem back)",
              ip6(43, struct.pack("!BBBB", 17, 2, 0, 1) + bytes(4) + p.router6 + p.router6 + seg), None))
    c.append(("udp, source outside the prefix", ip6(17, l4(17, udp(53, UDP_PORT, 20), p.router6), p.router6), None))
    c.append(("icmpv6 echo reply", ip6(58, p.icmp6(129, 0, 0x99 << 16 | 1, bytes(56))), None))
    c.append(("icmpv6 neighbor-less type 130 (untranslatable)", ip6(58, p.icmp6(130, 0, 0, bytes(16))), None))
    # A fragmented echo reply: the slow path reassembles it first.
    echo = p.icmp6(129, 0, 0x99 << 16 | 2, bytes(range(256)) * 8)
    c.append(("icmpv6 echo reply in two fragments (reassembled)",
              [ip6(44, p.frag_hdr(58, 0, 1, 0x6001) + echo[:1232]), ip6(44, p.frag_hdr(58, 154, 0, 0x6001) + echo[1232:])],
              ip6(58, echo)))
    quoted = p.sent6(60)
    for src, t, code, rest in ((None, 1, 4, 0), (None, 1, 0, 0), (p.router6, 3, 0, 0), (None, 2, 0, 1400),
                               (None, 4, 0, 24), (None, 4, 1, 6)):
        name = f"icmpv6 error {t}/{code}" + (" from a router" if src else "")
        c.append((name, ip6(58, p.icmp6(t, code, rest, quoted, src), src), None))
    big = p.sent6(1184)
    c.append(("icmpv6 error quoting 1232 bytes (cut to 576)", ip6(58, p.icmp6(1, 4, 0, big)), None))
    field = quoted + bytes(128 - len(quoted))
    c.append(("icmpv6 time exceeded with an RFC 4884 extension",
              ip6(58, p.icmp6(3, 0, (128 // 8) << 24, field + p.mpls_ext(12), p.router6), p.router6), None))
    for proto in OTHER_PROTOS:
        c.append((f"next header {proto}", ip6(proto, b"" if proto == 59 else bytes(range(64))), None))
    return c


def storm(p):
    """ICMP errors through the CLAT: (direction, packet). Packet Too Big with small MTUs
    (the IPv4 stack learns 1380..552 for the remote), also from a router off the prefix,
    quoting packets with and without a Fragment header; other errors both ways."""
    s = []
    for mtu in (1400, 1280, 1000, 600, 0):
        for frag in (False, True):
            q = p.sent6(1000)
            if frag:
                q = p.ip6(44, p.frag_hdr(17, 0, 1, 0x7001) + q[40:], p.clat6, p.remote6)
            s.append(("64", p.ip6(58, p.icmp6(2, 0, mtu, q[:1232 - 8]))))
            s.append(("64", p.ip6(58, p.icmp6(2, 0, mtu, q[:1232 - 8], p.router6), p.router6)))
    for t, code in ((3, 3), (3, 4), (11, 0)):
        s.append(("46", p.ip4(1, p.icmp4(t, code, 1000 if code == 4 else 0, p.sent4(100)))))
    for t in (1, 3, 4):
        s.append(("64", p.ip6(58, p.icmp6(t, 0, 0, p.sent6(200)))))
    return s


# ---------------------------------------------------------------- the run --

class Clat:
    def __init__(self, router_ns, client_ns, router_if, router_mac, uplink_mac, clat_dev):
        self.router_if, self.clat_dev = router_if, clat_dev
        setns(router_ns)
        self.r_rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.r_rx.bind((router_if, 0))
        self.r_tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.r_tx.bind((router_if, 0))
        self.eth = bytes.fromhex(uplink_mac.replace(":", "")) + bytes.fromhex(router_mac.replace(":", "")) + b"\x86\xdd"
        setns(client_ns)
        self.c_rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
        self.c_rx.bind((clat_dev, 0))
        self.c_tx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        # What the translated packets reach: listeners, so that the IPv4 stack does not
        # answer them (a Port or Protocol Unreachable would be more CLAT output).
        self.keep = []
        for port in (UDP_PORT, MARK6_PORT):
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("0.0.0.0", port))
            self.keep.append(u)
        for proto in OTHER_PROTOS + (1,):
            self.keep.append(socket.socket(socket.AF_INET, socket.SOCK_RAW, proto))
        self.raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        for s in (self.r_rx, self.c_rx):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.seq = 0
        self.send_errors = []

    # A packet the CLAT device's tc egress drops (TC_ACT_SHOT) fails the send with
    # ENOBUFS: that is the CLAT losing it, not the harness failing; it is recorded and
    # the case shows what (nothing) came out.
    def send46(self, pkt):
        try:
            self.c_tx.sendto(pkt, (self.clat_dev, ETH_P_IP))
        except OSError as e:
            self.send_errors.append(f"4to6: {e.strerror}")

    def send64(self, pkt):
        try:
            self.r_tx.send(self.eth + pkt)
        except OSError as e:
            self.send_errors.append(f"6to4: {e.strerror}")

    def drain(self):
        for s in (self.r_rx, self.c_rx):
            while select.select([s], [], [], 0)[0]:
                s.recv(70000)


class Run:
    def __init__(self, clat, packets, pipe):
        self.clat, self.p, self.pipe = clat, packets, pipe
        self.seq = 0

    def marker46(self, seq):
        return self.p.ip4(17, self.p.udp(MARK4_PORT, 9, 4, seed=seq) + struct.pack("!H", seq))

    def marker64(self, seq):
        seg = self.p.l4_6(17, self.p.udp(9, MARK6_PORT, 4, seed=seq) + struct.pack("!H", seq))
        return self.p.ip6(60, self.p.dst_opts(17) + seg)

    def is_out6(self, data, addr):
        """An IPv6 packet the CLAT sent (from its address), at the router."""
        return (addr[2] != PACKET_OUTGOING and len(data) >= 54 and data[12:14] == b"\x86\xdd"
                and data[22:38] == self.p.clat6)

    def is_out4(self, data, addr):
        return addr[2] != PACKET_OUTGOING and len(data) >= 20 and data[0] >> 4 == 4 and data[16:20] == a4(CLAT4)

    @staticmethod
    def udp_tail(pkt, l4):
        return struct.unpack("!H", pkt[l4 + 2:l4 + 4])[0], struct.unpack("!H", pkt[-2:])[0]

    def close(self, seq):
        """Send both markers, collect until each came back: (ipv6 out, ipv4 out)."""
        got6, got4 = [], []
        for side in ("46", "64"):
            if side == "46":
                self.clat.send46(self.marker46(seq))
            else:
                self.clat.send64(self.marker64(seq))
            deadline = time.monotonic() + 5
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"marker {side} {seq} did not come back")
                ready = select.select([self.clat.r_rx, self.clat.c_rx], [], [], left)[0]
                done = False
                for s in ready:
                    data, addr = s.recvfrom(70000)
                    if s is self.clat.r_rx:
                        if not self.is_out6(data, addr):
                            continue
                        pkt = data[14:]
                        if pkt[6] == 17 and self.udp_tail(pkt, 40) == (9, seq) and side == "46":
                            done = True
                            continue
                        got6.append(pkt.hex())
                    else:
                        if not self.is_out4(data, addr):
                            continue
                        ihl = (data[0] & 15) * 4
                        if data[9] == 17 and self.udp_tail(data, ihl) == (MARK6_PORT, seq) and side == "64":
                            done = True
                            continue
                        got4.append(data.hex())
                if done:
                    break
        return got6, got4

    def oracle(self, direction, pkt):
        self.pipe.stdin.write(f"{direction} {pkt.hex()}\n")
        self.pipe.stdin.flush()
        f = self.pipe.stdout.readline().split()
        verdict, reason, out = f[0], f[1], f[2:]
        six = (direction == "46") == (verdict == "translated")
        return {"verdict": verdict, "reason": reason, "out6": out if six else [], "out4": [] if six else out}

    def case(self, direction, name, pkts, oracle_in=None):
        self.seq += 1
        want = self.oracle(direction, oracle_in or pkts[-1]) if oracle_in or len(pkts) == 1 else None
        self.clat.send_errors.clear()
        for pkt in pkts:
            (self.clat.send46 if direction == "46" else self.clat.send64)(pkt)
        errors = list(self.clat.send_errors)
        got6, got4 = self.close(self.seq)
        r = {"direction": direction, "name": name, "out6": got6, "out4": got4}
        if errors:
            r["send_errors"] = errors
        if want is not None:
            r["want"] = want
            r["ok"] = got6 == want["out6"] and got4 == want["out4"]
        return r


def describe_miss(r):
    w = r["want"]
    return (f"{r['direction']} {r['name']} ({r['round']}): library {w['verdict']}/{w['reason']} "
            f"{len(w['out6'])}+{len(w['out4'])} packets, CLAT {len(r['out6'])}+{len(r['out4'])}"
            + (f", sending: {', '.join(r['send_errors'])}" if r.get("send_errors") else ""))


def main():
    (router_ns, client_ns, router_if, router_mac, uplink_mac, clat_dev, prefix, clat6, xlat_pipe, mtu,
     out_path) = sys.argv[1:12]
    clat = Clat(router_ns, client_ns, router_if, router_mac, uplink_mac, clat_dev)
    p = Packets(prefix, clat6)
    pipe = subprocess.Popen([xlat_pipe, prefix, CLAT4, clat6, mtu], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    run = Run(clat, p, pipe)
    clat.drain()
    results = []
    for rnd in ("fresh CLAT", "after ICMP errors"):
        if rnd != "fresh CLAT":
            for direction, pkt in storm(p):
                (clat.send46 if direction == "46" else clat.send64)(pkt)
            run.close(0xFFFF)
        for name, pkt in cases_46(p):
            r = run.case("46", name, [pkt])
            r["round"] = rnd
            results.append(r)
        for name, pkt, oracle_in in cases_64(p):
            r = run.case("64", name, pkt if isinstance(pkt, list) else [pkt], oracle_in)
            r["round"] = rnd
            results.append(r)
        # Through the IPv4 stack (raw socket, IP_HDRINCL): the kernel fragments packets
        # without DF by the path MTU it learned, so these are compared between the
        # backends only.
        for name, pkt in cases_46(p)[:5]:
            run.seq += 1
            try:
                clat.raw4.sendto(pkt, (REMOTE4, 0))
                error = None
            except OSError as e:
                error = e.strerror
            got6, got4 = run.close(run.seq)
            results.append({"direction": "46", "name": name + " (through the IPv4 stack)",
                            "round": "stack, " + rnd, "out6": got6, "out4": got4, "send_error": error})
            print(f"through the IPv4 stack, {rnd}: {name}: IPv6 out {[len(x) // 2 for x in got6]}")
    pipe.stdin.close()
    pipe.wait()
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)
    bad = [r for r in results if r.get("ok") is False]
    checked = [r for r in results if "ok" in r]
    for r in bad:
        print("MISMATCH " + describe_miss(r))
    print(f"{len(checked)} cases compared with the library, {len(bad)} differ;"
          f" {len(results) - len(checked)} for the backends to compare")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
