// SPDX-License-Identifier: LGPL-2.1-or-later
/* Somebody else's tc program on the uplink, for test-clat-ebpf.sh: it looks at every
 * packet and lets the next filter decide (TC_ACT_UNSPEC in direct-action mode). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

__attribute__((section("tc"), used)) int foreign_pass(struct __sk_buff *skb) {
        return TC_ACT_UNSPEC;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
