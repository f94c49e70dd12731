#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Play another host that already uses an address (RFC 5227 §2.1.1): on IFACE,
# answer the first ARP probe (sender IP 0.0.0.0) with an ARP reply from the
# probed address, print that address and exit. Prints "ready" once it listens;
# exits 1 after SECS seconds without a probe.
#   dhcp4-arp-claim.py IFACE SECS
import sys

from scapy.all import ARP, Ether, sendp, sniff

iface, secs = sys.argv[1], float(sys.argv[2])
claimer = "02:00:5e:00:53:99"


def is_probe(p):
    return ARP in p and p[ARP].op == 1 and p[ARP].psrc == "0.0.0.0" and p[ARP].hwsrc != claimer


probes = sniff(iface=iface, lfilter=is_probe, count=1, timeout=secs, store=True,
               started_callback=lambda: print("ready", flush=True))
if not probes:
    sys.exit(1)
probe = probes[0][ARP]
reply = Ether(dst=probe.hwsrc, src=claimer) / ARP(op=2, hwsrc=claimer, psrc=probe.pdst, hwdst=probe.hwsrc,
                                                   pdst="0.0.0.0")
sendp(reply, iface=iface, verbose=False)
print("claimed", probe.pdst, flush=True)
