/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

/* No <net/if.h>: it clashes with <linux/if.h>, which netlink users include. */
#define CLAT_IFNAMSIZ 16

/* The name of the CLAT's own device for an uplink: deterministic per uplink, so a
 * restarted daemon finds (and removes) what a killed one left behind, and the core can
 * tell "our own address on our own device" from "in use elsewhere on the host". */
static inline void clat_tun_name(int uplink_ifindex, char buf[static CLAT_IFNAMSIZ]) {
        if (snprintf(buf, CLAT_IFNAMSIZ, "v6mclat%d", uplink_ifindex) >= CLAT_IFNAMSIZ)
                snprintf(buf, CLAT_IFNAMSIZ, "v6mc%d", uplink_ifindex);
}
