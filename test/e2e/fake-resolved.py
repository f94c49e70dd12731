#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for systemd-resolved's bus API on the test's private bus, to test the
resolver-resolved plugin's side of the protocol (which calls, in which order, re-applying
when resolved comes back, a refused call). It is no substitute for systemd-resolved.

  fake-resolved.py LOG [--busy]

Owns org.freedesktop.resolve1, serves org.freedesktop.resolve1.Manager's SetLinkDNSEx,
SetLinkDNS, SetLinkDomains, SetLinkDefaultRoute and RevertLink on /org/freedesktop/resolve1,
and appends one JSON line per call to LOG: {"call": NAME, "ifindex": N, "args": [...]}
(addresses as text). With --busy every SetLink* fails with
org.freedesktop.resolve1.LinkBusy, as for a link systemd-networkd manages. Prints READY
once it owns the name.
"""

import ipaddress
import json
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

IFACE = "org.freedesktop.resolve1.Manager"


class LinkBusy(dbus.DBusException):
    _dbus_error_name = "org.freedesktop.resolve1.LinkBusy"


def address(family, raw):
    b = bytes(int(x) for x in raw)
    return str(ipaddress.IPv6Address(b) if family == 10 else ipaddress.IPv4Address(b))


class Manager(dbus.service.Object):
    def __init__(self, bus, log, busy):
        super().__init__(bus, "/org/freedesktop/resolve1")
        self.log, self.busy = log, busy

    def record(self, call, ifindex, args):
        with open(self.log, "a") as f:
            f.write(json.dumps({"call": call, "ifindex": int(ifindex), "args": args}) + "\n")

    def refuse(self):
        if self.busy:
            raise LinkBusy("Link busy")

    @dbus.service.method(IFACE, in_signature="ia(iayqs)", out_signature="")
    def SetLinkDNSEx(self, ifindex, addresses):
        self.refuse()
        self.record("SetLinkDNSEx", ifindex, [[int(f), address(f, a), int(p), str(n)] for f, a, p, n in addresses])

    @dbus.service.method(IFACE, in_signature="ia(iay)", out_signature="")
    def SetLinkDNS(self, ifindex, addresses):
        self.refuse()
        self.record("SetLinkDNS", ifindex, [[int(f), address(f, a)] for f, a in addresses])

    @dbus.service.method(IFACE, in_signature="ia(sb)", out_signature="")
    def SetLinkDomains(self, ifindex, domains):
        self.refuse()
        self.record("SetLinkDomains", ifindex, [[str(d), bool(r)] for d, r in domains])

    @dbus.service.method(IFACE, in_signature="ib", out_signature="")
    def SetLinkDefaultRoute(self, ifindex, enable):
        self.refuse()
        self.record("SetLinkDefaultRoute", ifindex, [bool(enable)])

    @dbus.service.method(IFACE, in_signature="i", out_signature="")
    def RevertLink(self, ifindex):
        self.record("RevertLink", ifindex, [])


def main():
    log, busy = sys.argv[1], "--busy" in sys.argv[2:]
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    name = dbus.service.BusName("org.freedesktop.resolve1", bus, do_not_queue=True)
    manager = Manager(bus, log, busy)  # noqa: F841 (exported while referenced)
    print("READY", flush=True)
    GLib.MainLoop().run()
    del name


if __name__ == "__main__":
    main()
