#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""RA-to-bus latency of PREF64: run in the router namespace with DBUS_SYSTEM_BUS_ADDRESS
set to the daemon's bus.

  pref64-latency.py IFACE IFINDEX RUNS

Subscribes to PropertiesChanged of /org/v6mostly1/link/IFINDEX first, then RUNS times:
sends one RA (send-ra.py's encoding) whose PREF64 options withdraw the current prefix
and announce the other of two, takes CLOCK_MONOTONIC just before the send, and the same
clock when a PropertiesChanged with the new NAT64Prefix arrives. Prints one latency in
milliseconds per line.
"""

import importlib.util
import os
import sys
import time

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("send_ra", os.path.join(here, "..", "test", "e2e", "send-ra.py"))
send_ra = importlib.util.module_from_spec(spec)
spec.loader.exec_module(send_ra)
from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptSrcLLAddr, Raw, conf, get_if_hwaddr  # noqa: E402

PREFIXES = ["2001:db8:6401::/96", "2001:db8:6402::/96"]


def frame(iface, src, mac, withdraw, announce):
    options = b""
    if withdraw:
        options += send_ra.pref64_option(withdraw + "@0")
    options += send_ra.pref64_option(announce + "@600")
    return bytes(Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src=src, dst="ff02::1", hlim=255) /
                 ICMPv6ND_RA(routerlifetime=600) / ICMPv6NDOptSrcLLAddr(lladdr=mac) / Raw(options))


def main():
    iface, ifindex, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    conf.verb = 0
    src, mac = send_ra.link_local(iface), get_if_hwaddr(iface)
    frames = {(w, a): frame(iface, src, mac, w, a) for w in [None] + PREFIXES for a in PREFIXES}
    sock = conf.L2socket(iface=iface)

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    loop = GLib.MainLoop()
    state = {"want": None, "t": None}

    def changed(interface, props, invalidated):
        if state["want"] is not None and str(props.get("NAT64Prefix", "")) == state["want"]:
            state["t"] = time.clock_gettime(time.CLOCK_MONOTONIC)
            loop.quit()

    bus.add_signal_receiver(changed, signal_name="PropertiesChanged", dbus_interface="org.freedesktop.DBus.Properties",
                            bus_name="org.v6mostly1", path=f"/org/v6mostly1/link/{ifindex}")
    bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus").GetId(
        dbus_interface="org.freedesktop.DBus")  # a round trip: AddMatch is in place

    current = None
    for i in range(runs):
        new = PREFIXES[i % 2]
        state["want"], state["t"] = new, None
        timeout = GLib.timeout_add(5000, loop.quit)
        t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
        sock.send(frames[(current, new)])
        loop.run()
        GLib.source_remove(timeout) if state["t"] is not None else None
        if state["t"] is None:
            print(f"run {i}: NAT64Prefix did not become {new} within 5 s", file=sys.stderr)
            return 1
        print(f"{(state['t'] - t0) * 1000:.3f}", flush=True)
        current = new
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
