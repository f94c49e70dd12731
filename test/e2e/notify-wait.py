#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for the service manager's side of sd_notify(3).

Binds a unix datagram socket at SOCKET (point the daemon's NOTIFY_SOCKET at it),
prints "LISTENING" once bound, then "READY <unix time>" each time a datagram
carrying READY=1 arrives (a restarted daemon sends it again), so a shell can
wait for readiness as an event instead of sleeping:

    exec {fd}< <(exec notify-wait.py "$sock" --log "$log")
    read -r -u "$fd" line        # LISTENING: safe to start the daemon now
    read -r -t 30 -u "$fd" line  # READY <time>, or a timeout

Every datagram is appended to --log. Without --once the listener keeps reading
(and so keeps later STATUS=/WATCHDOG=1 messages from failing) until killed; with
--once it exits 0 on the first READY=1, or 1 after --timeout seconds.
"""

import argparse
import os
import select
import socket
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("socket", help="path of the notification socket to bind")
    ap.add_argument("--once", action="store_true", help="exit on the first READY=1")
    ap.add_argument("--timeout", type=float, default=0,
                    help="with --once: give up after this many seconds (0: never)")
    ap.add_argument("--log", help="append every datagram received to this file")
    args = ap.parse_args()

    try:
        os.unlink(args.socket)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    sock.bind(args.socket)
    # Credentials let the log say which PID sent what (sd_notify sends them anyway).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    print("LISTENING", flush=True)

    log = open(args.log, "a", buffering=1) if args.log else None
    deadline = time.monotonic() + args.timeout if args.once and args.timeout > 0 else None
    while True:
        wait = None
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                print("TIMEOUT", flush=True)
                return 1
        readable, _, _ = select.select([sock], [], [], wait)
        if not readable:
            continue
        now = time.time()
        data, ancdata, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(12))
        pid = None
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = int.from_bytes(payload[0:4], sys.byteorder)
        text = data.decode("utf-8", "replace")
        if log:
            log.write(f"{now:.6f} pid={pid} {text!r}\n")
        if "READY=1" in text.split("\n"):
            print(f"READY {now:.6f} {pid}", flush=True)
            if args.once:
                return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(0)
