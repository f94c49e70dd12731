// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* The eBPF CLAT fast path (RFC 7915 for the common packets, host-side rules of
 * src/shared/xlat.h, byte for byte the same output as the library: the unit test
 * test-clat-ebpf-vs-xlat compares them with BPF_PROG_TEST_RUN).
 *
 *   v6m_clat_4to6  tc egress of the CLAT device (the TUN that carries the CLAT IPv4
 *                  address and the IPv4 default route): IPv4 → IPv6 in place, an Ethernet
 *                  header in front, bpf_redirect_neigh() to the uplink (FIB lookup and
 *                  neighbour resolution by the kernel).
 *   v6m_clat_6to4  tc ingress of the uplink: IPv6 to the CLAT IPv6 address → IPv4,
 *                  bpf_redirect(BPF_F_INGRESS) into the CLAT device, so the host's IPv4
 *                  stack receives it there.
 *
 * Fast path: TCP, UDP (non-zero checksum) and ICMP echo, no IPv4 options, no fragments,
 * no IPv6 extension headers, a /96 NAT64 prefix, within the MTU rules of the library.
 * Everything else is left unchanged with TC_ACT_UNSPEC ("not mine: the next filter
 * decides"), so tc filters of other software after ours still see every packet we do not
 * take (TC_ACT_OK would end the filter chain there). On the CLAT device the packet reaches
 * the TUN and the userspace translator; on the uplink the translator's AF_PACKET socket
 * (a protocol handler, which runs after tc ingress) gets it. The fast path never drops
 * what the slow path could translate.
 *
 * Only UAPI structures are read (__sk_buff and packet bytes), so there is nothing to
 * relocate: plain linux/ UAPI headers instead of vmlinux.h, no CO-RE needed. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "clat-ebpf.h"

/* Configuration, fixed at load time. Addresses in network byte order. */
const volatile __u32 clat_ipv4 = 0;
const volatile __u32 clat_ipv6[4] = {};
const volatile __u32 nat64_prefix96[3] = {};
const volatile __u32 uplink_ifindex = 0;
const volatile __u32 clat_ifindex = 0;
const volatile __u32 ipv6_mtu = 1280;        /* the library's effective ipv6_mtu */
const volatile __u32 lowest_ipv6_mtu = 1280; /* and lowest_ipv6_mtu */
/* Tests (BPF_PROG_TEST_RUN always hands an Ethernet frame): the 4→6 program's input
 * starts with an Ethernet header, and nothing is redirected. */
const volatile __u8 egress_has_eth = 0;
const volatile __u8 redirect = 1;

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, _CLAT_EBPF_COUNTER_MAX);
        __type(key, __u32);
        __type(value, __u64);
} v6m_counters SEC(".maps");

#define IPV4_DF 0x4000
#define IPV4_MF_OFFSET 0x3fff
#define DF_THRESHOLD 1260 /* the library's TTP64_DF_THRESHOLD */

static __always_inline void count(__u32 what) {
        __u64 *v = bpf_map_lookup_elem(&v6m_counters, &what);

        if (v)
                *v += 1;
}

static __always_inline __u16 csum_fold32(__u32 sum) {
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        return (__u16) sum;
}

static __always_inline int ipv4_unicast(__u32 a /* network order */) {
        __u32 h = bpf_ntohl(a);

        return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 0xe && a != clat_ipv4;
}

static __always_inline int is_gso(struct __sk_buff *skb) {
        return skb->gso_size != 0;
}

struct pseudo6 {
        __u32 addrs[8];
        __u32 len;
        __u32 next_header;
};

/* ---- IPv4 → IPv6 ---- */

static __always_inline int slow_4to6(void) {
        count(CLAT_EBPF_SLOW_4TO6);
        return TC_ACT_UNSPEC;
}

SEC("tc")
int v6m_clat_4to6(struct __sk_buff *skb) {
        const __u32 l2 = egress_has_eth ? ETH_HLEN : 0;
        struct iphdr ip4;
        struct ipv6hdr ip6 = {};
        __u32 old_addrs[2], new_addrs[8];
        __u16 tot_len, payload_len, frag;
        __u8 out_protocol;
        __s64 diff;

        if (skb->protocol != bpf_htons(ETH_P_IP))
                return TC_ACT_UNSPEC;
        if (bpf_skb_load_bytes(skb, l2, &ip4, sizeof(ip4)) < 0)
                return slow_4to6();
        if (ip4.version != 4 || ip4.ihl != 5)
                return slow_4to6();
        if (csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *) &ip4, sizeof(ip4), 0)) != 0xffff)
                return slow_4to6();
        tot_len = bpf_ntohs(ip4.tot_len);
        if (tot_len < sizeof(ip4) || l2 + tot_len != skb->len)
                return slow_4to6();
        frag = bpf_ntohs(ip4.frag_off);
        if (frag & IPV4_MF_OFFSET)
                return slow_4to6();
        if (ip4.saddr != clat_ipv4 || !ipv4_unicast(ip4.daddr))
                return slow_4to6();
        payload_len = tot_len - sizeof(ip4);

        switch (ip4.protocol) {
        case IPPROTO_TCP:
                if (payload_len < 20)
                        return slow_4to6();
                out_protocol = IPPROTO_TCP;
                break;
        case IPPROTO_UDP: {
                __u16 c;

                if (payload_len < 8 || bpf_skb_load_bytes(skb, l2 + sizeof(ip4) + 6, &c, 2) < 0 || c == 0)
                        return slow_4to6();
                out_protocol = IPPROTO_UDP;
                break;
        }
        case IPPROTO_ICMP: {
                __u8 type;

                if (payload_len < 8 || bpf_skb_load_bytes(skb, l2 + sizeof(ip4), &type, 1) < 0 ||
                    (type != 8 && type != 0))
                        return slow_4to6();
                out_protocol = IPPROTO_ICMPV6;
                break;
        }
        default:
                return slow_4to6();
        }
        /* MTU (library: DF → next-hop MTU, else Fragmentation Needed; no DF →
         * lowest-ipv6-mtu, else fragments); GSO packets are segmented later. */
        if (!is_gso(skb) && (__u32) tot_len + 20 > ((frag & IPV4_DF) ? ipv6_mtu : lowest_ipv6_mtu))
                return slow_4to6();

        old_addrs[0] = ip4.saddr;
        old_addrs[1] = ip4.daddr;
        new_addrs[0] = clat_ipv6[0];
        new_addrs[1] = clat_ipv6[1];
        new_addrs[2] = clat_ipv6[2];
        new_addrs[3] = clat_ipv6[3];
        new_addrs[4] = nat64_prefix96[0];
        new_addrs[5] = nat64_prefix96[1];
        new_addrs[6] = nat64_prefix96[2];
        new_addrs[7] = ip4.daddr;

        ip6.version = 6;
        ip6.priority = ip4.tos >> 4;
        ip6.flow_lbl[0] = (__u8) (ip4.tos << 4);
        ip6.payload_len = bpf_htons(payload_len);
        ip6.nexthdr = out_protocol;
        ip6.hop_limit = ip4.ttl; /* host-side: not decremented */
        __builtin_memcpy(&ip6.saddr, new_addrs, 16);
        __builtin_memcpy(&ip6.daddr, new_addrs + 4, 16);

        if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) < 0)
                return slow_4to6();
        /* From here on the packet is IPv6: it leaves translated or not at all. */
        if (bpf_skb_store_bytes(skb, l2, &ip6, sizeof(ip6), 0) < 0)
                goto drop;
        if (l2) {
                __be16 p = bpf_htons(ETH_P_IPV6);
                if (bpf_skb_store_bytes(skb, 12, &p, 2, 0) < 0)
                        goto drop;
        }

        const __u32 l4 = l2 + sizeof(ip6);
        switch (out_protocol) {
        case IPPROTO_TCP:
                diff = bpf_csum_diff(old_addrs, sizeof(old_addrs), new_addrs, sizeof(new_addrs), 0);
                if (diff < 0 || bpf_l4_csum_replace(skb, l4 + 16, 0, (__u32) diff, BPF_F_PSEUDO_HDR) < 0)
                        goto drop;
                break;
        case IPPROTO_UDP:
                diff = bpf_csum_diff(old_addrs, sizeof(old_addrs), new_addrs, sizeof(new_addrs), 0);
                if (diff < 0 ||
                    bpf_l4_csum_replace(skb, l4 + 6, 0, (__u32) diff, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0) < 0)
                        goto drop;
                break;
        default: { /* ICMPv4 echo → ICMPv6 echo: new type, and a pseudo-header now */
                struct pseudo6 ph = { .len = bpf_htonl(payload_len), .next_header = bpf_htonl(IPPROTO_ICMPV6) };
                __u8 type;
                __u16 old_word = 0, new_word = 0;

                __builtin_memcpy(ph.addrs, new_addrs, sizeof(new_addrs));
                if (bpf_skb_load_bytes(skb, l4, &old_word, 2) < 0)
                        goto drop;
                type = ((__u8 *) &old_word)[0] == 8 ? 128 : 129;
                new_word = old_word;
                ((__u8 *) &new_word)[0] = type;
                if (bpf_skb_store_bytes(skb, l4, &type, 1, 0) < 0 ||
                    bpf_l4_csum_replace(skb, l4 + 2, old_word, new_word, 2) < 0)
                        goto drop;
                diff = bpf_csum_diff(NULL, 0, (__be32 *) &ph, sizeof(ph), 0);
                if (diff < 0 || bpf_l4_csum_replace(skb, l4 + 2, 0, (__u32) diff, BPF_F_PSEUDO_HDR) < 0)
                        goto drop;
                break;
        }
        }
        count(CLAT_EBPF_FAST_4TO6);
        if (!redirect)
                return TC_ACT_OK;
        if (!l2) {
                /* From an L3 device to an Ethernet one: room for the MAC header, which
                 * bpf_redirect_neigh() fills in. */
                __be16 p = bpf_htons(ETH_P_IPV6);
                if (bpf_skb_change_head(skb, ETH_HLEN, 0) < 0 || bpf_skb_store_bytes(skb, 12, &p, 2, 0) < 0)
                        goto drop;
        }
        return bpf_redirect_neigh(uplink_ifindex, NULL, 0, 0);
drop:
        count(CLAT_EBPF_DROP_BASE + XLAT_DROP_OUTPUT_TOO_SMALL);
        return TC_ACT_SHOT;
}

/* ---- IPv6 → IPv4 ---- */

static __always_inline int slow_6to4(void) {
        count(CLAT_EBPF_SLOW_6TO4);
        return TC_ACT_UNSPEC;
}

/* The library's ttp64_ipv4_id(): the Identification of a small packet without DF. */
static __always_inline __u16 ipv4_id(const __u32 *addrs, __u32 flow, const __u32 *l4, __u32 tot_len) {
        __u32 h = tot_len;

#pragma unroll
        for (int i = 0; i < 8; i++)
                h = (h ^ addrs[i]) * 0x9e3779b1U;
        h = (h ^ flow) * 0x9e3779b1U;
        h = (h ^ l4[0]) * 0x9e3779b1U;
        h = (h ^ l4[1]) * 0x9e3779b1U;
        h = (h ^ 0) * 0x9e3779b1U;
        h ^= h >> 15;
        h *= 0x85ebca6bU;
        return (__u16) (h ^ (h >> 16));
}

SEC("tc")
int v6m_clat_6to4(struct __sk_buff *skb) {
        const __u32 l2 = ETH_HLEN;
        struct ipv6hdr ip6;
        struct iphdr ip4 = {};
        __u32 addrs[8], new_addrs[2], l4w[2], flow, tot_len;
        __u16 payload_len;
        __u8 out_protocol;
        __s64 diff;

        if (skb->protocol != bpf_htons(ETH_P_IPV6))
                return TC_ACT_UNSPEC;
        if (bpf_skb_load_bytes(skb, l2, &ip6, sizeof(ip6)) < 0)
                return TC_ACT_UNSPEC;
        __builtin_memcpy(addrs, &ip6.saddr, 32);
        if (addrs[4] != clat_ipv6[0] || addrs[5] != clat_ipv6[1] || addrs[6] != clat_ipv6[2] ||
            addrs[7] != clat_ipv6[3])
                return TC_ACT_UNSPEC; /* not for the CLAT: not counted */

        if (ip6.version != 6)
                return slow_6to4();
        payload_len = bpf_ntohs(ip6.payload_len);
        if (payload_len == 0 || l2 + sizeof(ip6) + payload_len != skb->len)
                return slow_6to4();
        if (addrs[0] != nat64_prefix96[0] || addrs[1] != nat64_prefix96[1] || addrs[2] != nat64_prefix96[2] ||
            ((__u8 *) addrs)[8] != 0 || !ipv4_unicast(addrs[3]))
                return slow_6to4();
        tot_len = (__u32) payload_len + 20;
        if (tot_len > 0xffff)
                return slow_6to4();
        if (bpf_skb_load_bytes(skb, l2 + sizeof(ip6), l4w, 8) < 0)
                return slow_6to4();

        switch (ip6.nexthdr) {
        case IPPROTO_TCP:
                if (payload_len < 20)
                        return slow_6to4();
                out_protocol = IPPROTO_TCP;
                break;
        case IPPROTO_UDP:
                out_protocol = IPPROTO_UDP; /* a zero checksum stays zero ("none" in IPv4) */
                break;
        case IPPROTO_ICMPV6: {
                __u8 type = ((__u8 *) l4w)[0];
                if (type != 128 && type != 129)
                        return slow_6to4();
                out_protocol = IPPROTO_ICMP;
                break;
        }
        default:
                return slow_6to4();
        }

        ip4.version = 4;
        ip4.ihl = 5;
        ip4.tos = (__u8) ((ip6.priority << 4) | (ip6.flow_lbl[0] >> 4));
        ip4.tot_len = bpf_htons((__u16) tot_len);
        if (is_gso(skb) || tot_len > DF_THRESHOLD)
                ip4.frag_off = bpf_htons(IPV4_DF); /* atomic datagram, Identification 0 */
        else {
                flow = ((__u32) (ip6.flow_lbl[0] & 0xf) << 16) | ((__u32) ip6.flow_lbl[1] << 8) | ip6.flow_lbl[2];
                ip4.id = bpf_htons(ipv4_id(addrs, flow, l4w, tot_len));
        }
        ip4.ttl = ip6.hop_limit;
        ip4.protocol = out_protocol;
        ip4.saddr = addrs[3];
        ip4.daddr = clat_ipv4;
        ip4.check = ~csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *) &ip4, sizeof(ip4), 0));
        new_addrs[0] = ip4.saddr;
        new_addrs[1] = ip4.daddr;

        if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0) < 0)
                return slow_6to4();
        __be16 p = bpf_htons(ETH_P_IP);
        if (bpf_skb_store_bytes(skb, l2, &ip4, sizeof(ip4), BPF_F_RECOMPUTE_CSUM) < 0 ||
            bpf_skb_store_bytes(skb, 12, &p, 2, BPF_F_RECOMPUTE_CSUM) < 0)
                goto drop;

        const __u32 l4 = l2 + sizeof(ip4);
        switch (out_protocol) {
        case IPPROTO_TCP:
                diff = bpf_csum_diff(addrs, sizeof(addrs), new_addrs, sizeof(new_addrs), 0);
                if (diff < 0 || bpf_l4_csum_replace(skb, l4 + 16, 0, (__u32) diff, BPF_F_PSEUDO_HDR) < 0)
                        goto drop;
                break;
        case IPPROTO_UDP:
                diff = bpf_csum_diff(addrs, sizeof(addrs), new_addrs, sizeof(new_addrs), 0);
                if (diff < 0 ||
                    bpf_l4_csum_replace(skb, l4 + 6, 0, (__u32) diff, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0) < 0)
                        goto drop;
                break;
        default: {
                struct pseudo6 ph = { .len = bpf_htonl(payload_len), .next_header = bpf_htonl(IPPROTO_ICMPV6) };
                __u16 old_word = (__u16) l4w[0], new_word = old_word;
                __u8 type = ((__u8 *) l4w)[0] == 128 ? 8 : 0;

                __builtin_memcpy(ph.addrs, addrs, sizeof(addrs));
                ((__u8 *) &new_word)[0] = type;
                if (bpf_skb_store_bytes(skb, l4, &type, 1, BPF_F_RECOMPUTE_CSUM) < 0 ||
                    bpf_l4_csum_replace(skb, l4 + 2, old_word, new_word, 2) < 0)
                        goto drop;
                diff = bpf_csum_diff((__be32 *) &ph, sizeof(ph), NULL, 0, 0);
                if (diff < 0 || bpf_l4_csum_replace(skb, l4 + 2, 0, (__u32) diff, BPF_F_PSEUDO_HDR) < 0)
                        goto drop;
                break;
        }
        }
        count(CLAT_EBPF_FAST_6TO4);
        if (!redirect)
                return TC_ACT_OK;
        return bpf_redirect(clat_ifindex, BPF_F_INGRESS);
drop:
        count(CLAT_EBPF_DROP_BASE + XLAT_DROP_OUTPUT_TOO_SMALL);
        return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
