#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""For bench/dhcp4.sh: wait for a Link property to take a value, from its
PropertiesChanged signal, and print the time (time.time()) the signal arrived.

  dhcp4-wait.py IFINDEX PROP VALUE SECS

Prints READY once subscribed (the caller makes the change only after that),
then the arrival time; exits 1 if VALUE was not seen within SECS.
"""
import os
import sys
import time

import dbus
import dbus.mainloop.glib
from gi.repository import GLib


def main(argv):
    ifindex, prop, value, secs = argv[1], argv[2], argv[3], float(argv[4])
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
    conn = dbus.bus.BusConnection(address) if address else dbus.SystemBus()
    loop = GLib.MainLoop()
    seen = []

    def changed(iface, props, invalidated):
        if prop in props and str(props[prop]) == value:
            seen.append(time.time())
            loop.quit()

    conn.add_signal_receiver(changed, signal_name="PropertiesChanged",
                             dbus_interface="org.freedesktop.DBus.Properties",
                             bus_name="org.v6mostly1",
                             path=f"/org/v6mostly1/link/{int(ifindex)}")
    print("READY", flush=True)
    GLib.timeout_add(int(secs * 1000), loop.quit)
    loop.run()
    if not seen:
        return 1
    print("%.6f" % seen[0], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
