// SPDX-License-Identifier: LGPL-2.1-or-later
/* Somebody else's tc program on the uplink, for test-clat-ebpf.sh: it counts every
 * packet it sees in the map SEEN (a name given at build time, -DSEEN=..., so that two
 * copies can be told apart) and lets the next filter decide (TC_ACT_UNSPEC in
 * direct-action mode). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __type(key, __u32);
        __type(value, __u64);
        __uint(max_entries, 1);
} SEEN SEC(".maps");

SEC("tc")
int foreign_pass(struct __sk_buff *skb) {
        __u32 key = 0;
        __u64 *n = bpf_map_lookup_elem(&SEEN, &key);

        if (n)
                __sync_fetch_and_add(n, 1);
        return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
