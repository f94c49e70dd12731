#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Send one INIT-REBOOT DHCPREQUEST (RFC 2131 4.3.2: requested IP address option,
no ciaddr, no server identifier), broadcast on IFACE, and exit. Used by
test-dhcp4-servers.sh to learn how a server answers a rebooting client.

  dhcp4-init-reboot.py IFACE ADDRESS
"""
import sys

from scapy.all import BOOTP, DHCP, IP, UDP, Ether, conf, get_if_hwaddr, mac2str, sendp

conf.verb = 0
iface, addr = sys.argv[1], sys.argv[2]
mac = get_if_hwaddr(iface)
pkt = (Ether(dst="ff:ff:ff:ff:ff:ff", src=mac)
       / IP(src="0.0.0.0", dst="255.255.255.255")
       / UDP(sport=68, dport=67)
       / BOOTP(chaddr=mac2str(mac), xid=0x76366d31)
       / DHCP(options=[("message-type", "request"), ("requested_addr", addr),
                       ("client_id", b"\x01" + mac2str(mac)),
                       ("param_req_list", [1, 3, 6]), "end"]))
sendp(pkt, iface=iface)
