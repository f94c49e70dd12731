#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""RA-to-resolver latency of RDNSS with the "file" backend: run in the router namespace.

  resolver-latency.py IFACE RESOLV_CONF RUNS

Watches RESOLV_CONF's directory with inotify (the backend renames a new file over it),
then RUNS times: sends one RA (send-ra.py's encoding) whose RDNSS withdraws the current
server and announces the other of two, takes CLOCK_MONOTONIC just before the send, and
the same clock when a rename onto RESOLV_CONF leaves it naming the new server. Prints
one latency in milliseconds per line.
"""

import ctypes
import importlib.util
import os
import select
import struct
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("send_ra", os.path.join(here, "..", "test", "e2e", "send-ra.py"))
send_ra = importlib.util.module_from_spec(spec)
spec.loader.exec_module(send_ra)
from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptSrcLLAddr, Raw, conf, get_if_hwaddr  # noqa: E402

SERVERS = ["2001:db8:1::5301", "2001:db8:1::5302"]
IN_MOVED_TO = 0x80
IN_CLOSE_WRITE = 0x08


def frame(src, mac, withdraw, announce):
    options = b""
    if withdraw:
        options += send_ra.rdnss_option(withdraw + "@0")
    options += send_ra.rdnss_option(announce + "@600")
    return bytes(Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src=src, dst="ff02::1", hlim=255) /
                 ICMPv6ND_RA(routerlifetime=600) / ICMPv6NDOptSrcLLAddr(lladdr=mac) / Raw(options))


def names(path):
    try:
        with open(path) as f:
            return [line.split()[1] for line in f if line.startswith("nameserver ")]
    except FileNotFoundError:
        return []


def main():
    iface, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conf.verb = 0
    src, mac = send_ra.link_local(iface), get_if_hwaddr(iface)
    frames = {(w, a): frame(src, mac, w, a) for w in [None] + SERVERS for a in SERVERS}
    sock = conf.L2socket(iface=iface)

    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, os.path.dirname(path).encode(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0:
        print("inotify failed", file=sys.stderr)
        return 1
    base = os.path.basename(path).encode()

    current = None
    for i in range(runs):
        new = SERVERS[i % 2]
        t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
        sock.send(frames[(current, new)])
        t = None
        deadline = t0 + 5
        while t is None:
            left = deadline - time.clock_gettime(time.CLOCK_MONOTONIC)
            if left <= 0:
                print(f"run {i}: {path} did not name {new} within 5 s", file=sys.stderr)
                return 1
            if not select.select([fd], [], [], left)[0]:
                continue
            now = time.clock_gettime(time.CLOCK_MONOTONIC)
            data = os.read(fd, 65536)
            seen = False
            while data:
                wd, mask, cookie, length = struct.unpack("iIII", data[:16])
                name = data[16:16 + length].rstrip(b"\0")
                seen = seen or name == base
                data = data[16 + length:]
            if seen and names(path) == [new]:
                t = now
        print(f"{(t - t0) * 1000:.3f}", flush=True)
        current = new
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
