#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""D-Bus helper for the e2e tests: talks to v6mostlyd directly, not via v6mostlyctl.

The bus is $DBUS_SYSTEM_BUS_ADDRESS. Waits are event-driven: the signal match is
in place (AddMatch is a synchronous call) before the current value is read, so
no change can slip between the read and the wait.

  get-property IFINDEX PROP          print the Link property as JSON
  manager-property PROP              print the Manager property as JSON
  get-link IFINDEX                   print GetLink()'s object path
  get-link-by-name NAME              print GetLinkByName()'s object path
  describe IFINDEX                   print Link.Describe()
  manager-describe                   print Manager.Describe()
  list-links                         print ListLinks() as JSON
  reload                             call Manager.Reload()
  wait-prop IFINDEX PROP VALUE SECS  wait until the property equals VALUE (a string)
  wait-prop-range IFINDEX PROP MIN MAX SECS
                                     wait until the (integer) property is within MIN..MAX
  wait-candidates IFINDEX N SECS     wait until NAT64Candidates has N entries
  wait-gone IFINDEX SECS             wait until GetLink(IFINDEX) fails (InterfacesRemoved)
  wait-no-owner NAME SECS            wait until NAME has no owner (NameOwnerChanged)
  wait-match PID SECS                wait until a connection of PID has subscribed to
                                     PropertiesChanged (bus Debug.Stats; polled, bounded)
  owner-pid NAME                     print the PID owning NAME (exit 1 if none)
  queued-owners NAME                 print the number of connections queued for NAME

A D-Bus error prints its name on stderr and exits 3.
"""

import json
import os
import sys
import time

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

BUS_NAME = "org.v6mostly1"
MANAGER_PATH = "/org/v6mostly1"
MANAGER_IFACE = "org.v6mostly1.Manager"
LINK_IFACE = "org.v6mostly1.Link"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
OM_IFACE = "org.freedesktop.DBus.ObjectManager"


def link_path(ifindex):
    return f"{MANAGER_PATH}/link/{int(ifindex)}"


def plain(v):
    """dbus-python values to JSON-able ones."""
    if isinstance(v, (dbus.Boolean,)):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.UInt16, dbus.Int32, dbus.UInt32,
                      dbus.Int64, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(v)
    if isinstance(v, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (dbus.Dictionary, dict)):
        return {str(k): plain(x) for k, x in v.items()}
    return v


class Bus:
    def __init__(self):
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
        self.conn = dbus.bus.BusConnection(address) if address else dbus.SystemBus()
        self.loop = GLib.MainLoop()
        self.timed_out = False

    def obj(self, path):
        return self.conn.get_object(BUS_NAME, path, introspect=False)

    def manager(self):
        return dbus.Interface(self.obj(MANAGER_PATH), MANAGER_IFACE)

    def get(self, path, iface, prop):
        return self.obj(path).Get(iface, prop, dbus_interface=PROPS_IFACE)

    def driver(self, iface="org.freedesktop.DBus"):
        o = self.conn.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 introspect=False)
        return dbus.Interface(o, iface)

    def run(self, seconds, check):
        """Run the main loop until check() is true or the time is up."""
        if check():
            return True

        def on_timeout():
            self.timed_out = True
            self.loop.quit()
            return False

        GLib.timeout_add(int(float(seconds) * 1000), on_timeout)
        self._check = check
        self.loop.run()
        return not self.timed_out

    def recheck(self, *args, **kwargs):
        if self._check():
            self.loop.quit()


def cmd_wait_prop(bus, ifindex, prop, value, seconds):
    path = link_path(ifindex)
    bus.conn.add_signal_receiver(bus.recheck, signal_name="PropertiesChanged",
                                 dbus_interface=PROPS_IFACE, bus_name=BUS_NAME, path=path)
    last = [None]

    def check():
        try:
            last[0] = plain(bus.get(path, LINK_IFACE, prop))
        except dbus.DBusException as e:
            last[0] = e.get_dbus_name()
            return False
        return str(last[0]) == value

    ok = bus.run(seconds, check)
    if not ok:
        print(f"timeout: {prop} is {json.dumps(last[0])}, wanted {value!r}", file=sys.stderr)
    return 0 if ok else 1


def cmd_wait_prop_range(bus, ifindex, prop, low, high, seconds):
    path = link_path(ifindex)
    bus.conn.add_signal_receiver(bus.recheck, signal_name="PropertiesChanged",
                                 dbus_interface=PROPS_IFACE, bus_name=BUS_NAME, path=path)
    last = [None]

    def check():
        last[0] = plain(bus.get(path, LINK_IFACE, prop))
        return int(low) <= int(last[0]) <= int(high)

    ok = bus.run(seconds, check)
    if not ok:
        print(f"timeout: {prop} is {json.dumps(last[0])}, wanted {low}..{high}", file=sys.stderr)
    return 0 if ok else 1


def cmd_wait_candidates(bus, ifindex, count, seconds):
    path = link_path(ifindex)
    bus.conn.add_signal_receiver(bus.recheck, signal_name="PropertiesChanged",
                                 dbus_interface=PROPS_IFACE, bus_name=BUS_NAME, path=path)
    last = [None]

    def check():
        last[0] = plain(bus.get(path, LINK_IFACE, "NAT64Candidates"))
        return len(last[0]) == int(count)

    ok = bus.run(seconds, check)
    if not ok:
        print(f"timeout: NAT64Candidates is {json.dumps(last[0])}, wanted {count} entries", file=sys.stderr)
    return 0 if ok else 1


def cmd_wait_gone(bus, ifindex, seconds):
    bus.conn.add_signal_receiver(bus.recheck, signal_name="InterfacesRemoved",
                                 dbus_interface=OM_IFACE, bus_name=BUS_NAME)

    def check():
        try:
            bus.manager().GetLink(dbus.Int32(int(ifindex)))
            return False
        except dbus.DBusException as e:
            return e.get_dbus_name() == "org.v6mostly1.Error.NoSuchLink"

    return 0 if bus.run(seconds, check) else 1


def cmd_wait_no_owner(bus, name, seconds):
    bus.conn.add_signal_receiver(bus.recheck, signal_name="NameOwnerChanged",
                                 dbus_interface="org.freedesktop.DBus",
                                 bus_name="org.freedesktop.DBus", arg0=name)
    return 0 if bus.run(seconds, lambda: not bus.driver().NameHasOwner(name)) else 1


def cmd_wait_match(bus, pid, seconds):
    # No signal tells that another connection has added a match rule: poll the
    # bus's debug statistics, bounded.
    pid = int(pid)
    deadline = time.monotonic() + float(seconds)
    stats = bus.driver("org.freedesktop.DBus.Debug.Stats")
    drv = bus.driver()
    while time.monotonic() < deadline:
        for name, rules in stats.GetAllMatchRules().items():
            try:
                if int(drv.GetConnectionUnixProcessID(name)) != pid:
                    continue
            except dbus.DBusException:
                continue
            for rule in rules:
                if "PropertiesChanged" in rule or PROPS_IFACE in rule or (
                        "v6mostly1" in rule and "member=" not in rule):
                    return 0
        time.sleep(0.05)
    print(f"timeout: no PropertiesChanged match from PID {pid}", file=sys.stderr)
    return 1


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    bus = Bus()
    if cmd == "get-property":
        print(json.dumps(plain(bus.get(link_path(args[0]), LINK_IFACE, args[1]))))
    elif cmd == "manager-property":
        print(json.dumps(plain(bus.get(MANAGER_PATH, MANAGER_IFACE, args[0]))))
    elif cmd == "get-link":
        print(bus.manager().GetLink(dbus.Int32(int(args[0]))))
    elif cmd == "get-link-by-name":
        print(bus.manager().GetLinkByName(args[0]))
    elif cmd == "describe":
        print(dbus.Interface(bus.obj(link_path(args[0])), LINK_IFACE).Describe())
    elif cmd == "manager-describe":
        print(bus.manager().Describe())
    elif cmd == "list-links":
        print(json.dumps(plain(bus.manager().ListLinks())))
    elif cmd == "reload":
        bus.manager().Reload()
    elif cmd == "wait-prop":
        return cmd_wait_prop(bus, *args)
    elif cmd == "wait-prop-range":
        return cmd_wait_prop_range(bus, *args)
    elif cmd == "wait-candidates":
        return cmd_wait_candidates(bus, *args)
    elif cmd == "wait-gone":
        return cmd_wait_gone(bus, *args)
    elif cmd == "wait-no-owner":
        return cmd_wait_no_owner(bus, *args)
    elif cmd == "wait-match":
        return cmd_wait_match(bus, *args)
    elif cmd == "owner-pid":
        try:
            print(int(bus.driver().GetConnectionUnixProcessID(args[0])))
        except dbus.DBusException as e:
            print(e.get_dbus_name(), file=sys.stderr)
            return 1
    elif cmd == "queued-owners":
        try:
            print(len(bus.driver().ListQueuedOwners(args[0])))
        except dbus.DBusException:
            print(0)
    else:
        print(f"unknown command {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except dbus.DBusException as e:
        print(e.get_dbus_name() or str(e), file=sys.stderr)
        sys.exit(3)
