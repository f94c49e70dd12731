/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TUN translator (tun-translator.h): a userspace RFC 7915 translator (src/shared/xlat)
 * between a TUN device that carries the CLAT's IPv4 address and default route, and the
 * IPv6 uplink.
 *
 * The data path never touches the event loop. Per link, two worker threads:
 *   4→6  read()s GSO super-packets from the TUN (IFF_VNET_HDR + TUNSETOFFLOAD TSO4/CSUM,
 *        so a 64 KiB TCP burst is one read and one translation), translates them in
 *        place and sends them, many per sendmmsg(), on an AF_PACKET socket on the uplink
 *        with PACKET_VNET_HDR: the GSO metadata travels with them and the uplink (or its
 *        peer) segments. The Ethernet header is the uplink's MAC and the IPv6 next hop's,
 *        from the kernel's neighbour table (refreshed by the event loop). While the next
 *        hop is unresolved, packets go out through a raw IPv6 socket and the kernel
 *        resolves it.
 *   6→4  recvmmsg()s from an AF_PACKET socket on the uplink (PACKET_VNET_HDR, so GRO'd
 *        packets come up whole) whose classic BPF filter passes only IPv6 to the CLAT
 *        address (minus Neighbor Discovery, which the core answers), translates in place
 *        and writev()s them into the TUN with their vnet header.
 * Fragmented ICMP messages are reassembled before translation (src/shared/frag-reasm):
 * a stateless translator cannot fix an ICMP(v6) checksum one fragment at a time. 6→4:
 * ICMPv6 to the CLAT address (the replies to big pings, which a NAT64 fragments); 4→6:
 * ICMP the local stack fragmented at the TUN MTU (the library fragments the translation
 * again). Each direction has exactly one worker reading one file descriptor (no
 * fanout), so every fragment of a datagram meets that worker's table, which needs no
 * lock. (Were the socket ever fanned out over threads, it would have to be
 * PACKET_FANOUT_HASH, whose hash of a fragment covers only what all fragments share,
 * or one table under a lock.)
 * The kernel's own IPv6 stack does not own the CLAT address: what it sees addressed to it
 * is dropped quietly (no forwarding), so it neither answers nor resets connections. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/neighbour.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "capability.h"
#include "clat-tun-name.h"
#include "frag-reasm.h"
#include "nat64-prefix.h"
#include "tun-netlink.h"
#include "tun-translator.h"
#include "xlat.h"

#define BATCH 32                                   /* packets per read/send round */
#define OUT_MSGS_MAX (BATCH + XLAT_PACKETS_MAX)    /* a batch plus one fragmented input */
#define IP_MAX 65535u
#define SLOT_SIZE (XLAT_HEADROOM + IP_MAX + XLAT_PACKETS_MAX * XLAT_FRAGMENT_OVERHEAD)
#define VNET_HDR_LEN sizeof(struct virtio_net_hdr)
#define RCVBUF_SIZE (8 * 1024 * 1024)
#define NEXTHOP_REFRESH_USEC (1000 * 1000)
/* TSO on the TUN only while packets can leave through the AF_PACKET socket (which keeps
 * the GSO metadata); the first next-hop lookup switches it on. */
#define TUN_OFFLOADS_GSO ((unsigned long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN))
#define TUN_OFFLOADS_NO_GSO ((unsigned long) TUN_F_CSUM)
#define NEXTHOP_RETRY_USEC (100 * 1000)

/* Drops the translator library does not know about: they happen around it. */
enum {
        TUN_DROP_NEXTHOP_UNRESOLVED, /* GSO packet while the next hop's MAC is unknown */
        TUN_DROP_SEND_FAILED,
        TUN_DROP_TUN_WRITE_FAILED,
        _TUN_DROP_MAX,
};
static const char *const tun_drop_table[_TUN_DROP_MAX] = {
        [TUN_DROP_NEXTHOP_UNRESOLVED] = "nexthop-unresolved",
        [TUN_DROP_SEND_FAILED] = "send-failed",
        [TUN_DROP_TUN_WRITE_FAILED] = "tun-write-failed",
};

typedef struct Worker {
        struct xlat_counters counters;
        uint64_t drops[_TUN_DROP_MAX];
        uint8_t *slots; /* BATCH × SLOT_SIZE */
        /* The reassembly table of the CLAT's fragmented ICMP messages (4→6: ICMP from
         * the CLAT IPv4 address; 6→4: ICMPv6 to the CLAT IPv6 address) and a slot for
         * the reassembled datagram. */
        FragReasm *reasm;
        uint8_t *reasm_slot; /* SLOT_SIZE */
} Worker;

struct TunTranslator {
        v6m_link *link;
        sd_event *event;
        bool running;

        struct v6m_clat_config config;
        struct xlat xlat;
        char uplink_name[IFNAMSIZ];
        uint8_t uplink_mac[6];
        char tun_name[CLAT_IFNAMSIZ];
        int tun_ifindex;

        int tun_fd, tx_fd, rx_fd, raw6_fd, stop_fd, nl_fd;
        int dead_fd; /* a worker hit an error it cannot recover from: the event loop reports it */
        sd_event_source *dead_source;
        _Atomic int dead_error;
        atomic_bool stop;
        /* The next hop's MAC in the low 48 bits, bit 63 set when valid: one atomic word,
         * written by the event loop, read by the 4→6 worker per batch. */
        _Atomic uint64_t nexthop;
        sd_event_source *nexthop_timer;
        struct in6_addr nexthop_probe; /* a destination under the NAT64 prefix */

        pthread_t thread_out, thread_in;
        bool thread_out_started, thread_in_started;
        Worker out, in;

        tun_translator_dead_t on_dead;
        void *userdata;
};

/* ---- helpers ---- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len) {
        for (; len > 1; p += 2, len -= 2)
                sum += (uint32_t) p[0] << 8 | p[1];
        if (len)
                sum += (uint32_t) p[0] << 8;
        return sum;
}

/* Turn a CHECKSUM_PARTIAL packet (checksum field = pseudo-header sum) into one with a
 * complete checksum, for paths that cannot carry the offload (the raw socket). */
static void checksum_complete(uint8_t *pkt, size_t len, size_t start, size_t offset, uint8_t protocol) {
        uint32_t sum;
        uint16_t c;

        if (start + offset + 2 > len)
                return;
        sum = csum_add(0, pkt + start, len - start);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        c = (uint16_t) ~sum;
        if (c == 0 && protocol == IPPROTO_UDP)
                c = 0xffff;
        pkt[start + offset] = (uint8_t) (c >> 8);
        pkt[start + offset + 1] = (uint8_t) c;
}

static unsigned vnet_to_xlat_flags(const struct virtio_net_hdr *h) {
        unsigned f = 0;

        if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
                f |= XLAT_F_GSO;
        if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
                f |= XLAT_F_CSUM_PARTIAL;
        return f;
}

/* The vnet header of a translated packet: same offloads, other family, new offsets. */
static void vnet_translate(const struct virtio_net_hdr *in, const struct xlat_packet *p, size_t l2_len,
                           bool to_ipv6, struct virtio_net_hdr *out) {
        uint8_t gso = in->gso_type & ~VIRTIO_NET_HDR_GSO_ECN, ecn = in->gso_type & VIRTIO_NET_HDR_GSO_ECN;

        *out = (struct virtio_net_hdr) { .flags = in->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_size = in->gso_size };
        if (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6)
                out->gso_type = (uint8_t) ((to_ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4) | ecn);
        else
                out->gso_type = in->gso_type;
        if (out->gso_type == VIRTIO_NET_HDR_GSO_NONE)
                out->gso_size = 0;
        /* The library says per packet whether the sum is still partial: fragments it
         * cut and ICMP errors it rewrote leave complete. */
        if ((in->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && p->csum_partial) {
                out->flags |= VIRTIO_NET_HDR_F_NEEDS_CSUM;
                out->csum_start = (uint16_t) (l2_len + p->l4_offset);
                out->csum_offset = p->csum_offset;
        }
        if (out->gso_type != VIRTIO_NET_HDR_GSO_NONE)
                out->hdr_len = (uint16_t) (l2_len + p->hdr_len);
}

/* From a worker: stop both workers and have the event loop report the failure. */
static void worker_die(TunTranslator *t, int error) {
        uint64_t one = 1;
        int expected = 0;

        atomic_store(&t->stop, true);
        if (atomic_compare_exchange_strong(&t->dead_error, &expected, error ?: EIO))
                (void) !write(t->dead_fd, &one, sizeof(one));
        (void) !write(t->stop_fd, &one, sizeof(one));
}

static bool wait_readable(TunTranslator *t, int fd) {
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = t->stop_fd, .events = POLLIN } };

        while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
                int r = poll(p, 2, -1);

                if (r < 0 && errno != EINTR) {
                        worker_die(t, errno);
                        return false;
                }
                if (p[1].revents)
                        return false;
                if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                        worker_die(t, EIO);
                        return false;
                }
                if (p[0].revents & POLLIN)
                        return true;
        }
        return false;
}

/* ---- reassembly (both directions) ---- */

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

/* Feed a fragment (the packet at *slot + XLAT_HEADROOM, *len bytes) to the worker's
 * reassembly table. Returns true when there is a packet to translate: the fragment
 * itself (not one of ours to reassemble: unchanged), or the whole datagram, now in the
 * worker's reassembly slot (*slot, *len and *whole set; the caller's offload header no
 * longer applies). Returns false when the fragment was held, or dropped and counted. */
static bool worker_reassemble(Worker *w, uint8_t **slot, size_t *len, bool *whole) {
        size_t whole_len;

        *whole = false;
        switch (frag_reasm_input(w->reasm, *slot + XLAT_HEADROOM, *len, now_usec(),
                                 w->reasm_slot + XLAT_HEADROOM, SLOT_SIZE - XLAT_HEADROOM,
                                 &whole_len, &w->counters)) {
        case FRAG_COMPLETE:
                *slot = w->reasm_slot;
                *len = whole_len;
                *whole = true;
                return true;
        case FRAG_PASS:
                return true;
        default:
                return false;
        }
}

/* Cheap tests before the reassembly table looks. IPv4: an unsegmented ICMP fragment. */
static bool ipv4_may_be_fragment(const uint8_t *pkt, size_t len, const struct virtio_net_hdr *vh) {
        return vh->gso_type == VIRTIO_NET_HDR_GSO_NONE && len >= 20 && pkt[9] == IPPROTO_ICMP &&
               ((pkt[6] << 8 | pkt[7]) & 0x3fff) != 0;
}

/* IPv6: unsegmented, and the first header after IPv6 is a Fragment header or one that
 * may precede it (RFC 8200 §4.1). */
static bool ipv6_may_be_fragment(const uint8_t *pkt, size_t len, const struct virtio_net_hdr *vh) {
        if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE || len < 48)
                return false;
        return pkt[6] == IPPROTO_FRAGMENT || pkt[6] == IPPROTO_HOPOPTS || pkt[6] == IPPROTO_DSTOPTS ||
               pkt[6] == IPPROTO_ROUTING;
}

/* Free the stale datagrams while idle (arrivals expire them too; no timer). */
static void reasm_expire_idle(Worker *w) {
        if (frag_reasm_datagrams(w->reasm) > 0)
                frag_reasm_expire(w->reasm, now_usec(), &w->counters);
}

/* ---- 4→6 ---- */

typedef struct OutBatch {
        struct mmsghdr msgs[OUT_MSGS_MAX];
        struct iovec iov[OUT_MSGS_MAX][3];
        struct virtio_net_hdr vnet[OUT_MSGS_MAX];
        struct sockaddr_ll addr;
        uint8_t eth[14];
        unsigned n;
} OutBatch;

static void out_flush(TunTranslator *t, OutBatch *b) {
        unsigned done = 0;

        while (done < b->n) {
                int r = sendmmsg(t->tx_fd, b->msgs + done, b->n - done, 0);

                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        /* Skip the packet the kernel refused, keep the rest. */
                        t->out.drops[TUN_DROP_SEND_FAILED]++;
                        done++;
                        continue;
                }
                done += (unsigned) r;
        }
        b->n = 0;
}

static void out_send_raw(TunTranslator *t, uint8_t *pkt, size_t len, const struct virtio_net_hdr *in,
                         const struct xlat_packet *p) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

        if (in->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
                t->out.drops[TUN_DROP_NEXTHOP_UNRESOLVED]++;
                return;
        }
        if ((in->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && p->csum_partial)
                checksum_complete(pkt, len, p->l4_offset, p->csum_offset, p->l4_protocol);
        memcpy(&sa.sin6_addr, pkt + 24, 16);
        if (sendto(t->raw6_fd, pkt, len, 0, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                t->out.drops[TUN_DROP_SEND_FAILED]++;
}

static void tun_write(TunTranslator *t, Worker *w, const struct virtio_net_hdr *h, const void *pkt, size_t len) {
        struct iovec iov[2] = { { (void *) h, VNET_HDR_LEN }, { (void *) pkt, len } };

        if (writev(t->tun_fd, iov, 2) < 0)
                w->drops[TUN_DROP_TUN_WRITE_FAILED]++;
}

static void *worker_out(void *userdata) {
        TunTranslator *t = userdata;
        Worker *w = &t->out;
        OutBatch *b = calloc(1, sizeof(OutBatch));
        struct virtio_net_hdr vin;
        struct xlat_result res;

        if (!b)
                return NULL;
        b->addr = (struct sockaddr_ll) { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
                                         .sll_ifindex = t->config.uplink_ifindex };
        memcpy(b->eth + 6, t->uplink_mac, 6);
        b->eth[12] = 0x86;
        b->eth[13] = 0xdd;

        while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
                uint64_t nh = atomic_load_explicit(&t->nexthop, memory_order_relaxed);
                bool resolved = nh >> 63, idle = false;

                for (int i = 0; i < 6; i++)
                        b->eth[i] = (uint8_t) (nh >> (40 - 8 * i));

                for (unsigned k = 0; k < BATCH; k++) {
                        uint8_t *slot = w->slots + (size_t) k * SLOT_SIZE;
                        struct iovec iov[2] = { { &vin, VNET_HDR_LEN }, { slot + XLAT_HEADROOM, IP_MAX } };
                        ssize_t n = readv(t->tun_fd, iov, 2);

                        if (n < 0) {
                                if (errno == EAGAIN || errno == EINTR)
                                        idle = true;
                                else
                                        worker_die(t, errno);
                                break;
                        }
                        size_t len;
                        bool whole;

                        if ((size_t) n <= VNET_HDR_LEN)
                                continue;
                        len = (size_t) n - VNET_HDR_LEN;
                        if (ipv4_may_be_fragment(slot + XLAT_HEADROOM, len, &vin)) {
                                /* The reassembly slot is reused: send what refers to it first. */
                                if (b->n > 0)
                                        out_flush(t, b);
                                if (!worker_reassemble(w, &slot, &len, &whole))
                                        continue;
                                if (whole)
                                        vin = (struct virtio_net_hdr) {};
                        }
                        xlat_4to6_inplace(&t->xlat, slot, XLAT_HEADROOM, len, SLOT_SIZE, vnet_to_xlat_flags(&vin), &res);
                        xlat_counters_account(&w->counters, XLAT_4TO6, &res);
                        if (res.verdict == XLAT_VERDICT_REPLY) {
                                struct virtio_net_hdr none = {};
                                tun_write(t, w, &none, slot + res.packets[0].offset, res.packets[0].len);
                                continue;
                        }
                        if (res.verdict != XLAT_VERDICT_TRANSLATED)
                                continue;
                        if (!resolved) {
                                for (unsigned i = 0; i < res.n_packets; i++)
                                        out_send_raw(t, slot + res.packets[i].offset, res.packets[i].len, &vin,
                                                     &res.packets[i]);
                                continue;
                        }
                        if (b->n + res.n_packets > OUT_MSGS_MAX)
                                out_flush(t, b);
                        for (unsigned i = 0; i < res.n_packets; i++) {
                                unsigned m = b->n++;

                                vnet_translate(&vin, &res.packets[i], 14, true, &b->vnet[m]);
                                b->iov[m][0] = (struct iovec) { &b->vnet[m], VNET_HDR_LEN };
                                b->iov[m][1] = (struct iovec) { b->eth, 14 };
                                b->iov[m][2] = (struct iovec) { slot + res.packets[i].offset, res.packets[i].len };
                                b->msgs[m] = (struct mmsghdr) { .msg_hdr = {
                                        .msg_name = &b->addr, .msg_namelen = sizeof(b->addr),
                                        .msg_iov = b->iov[m], .msg_iovlen = 3 } };
                        }
                }
                if (b->n > 0)
                        out_flush(t, b);
                if (idle)
                        reasm_expire_idle(w);
                if (idle && !wait_readable(t, t->tun_fd))
                        break;
        }
        free(b);
        return NULL;
}

/* ---- 6→4 ---- */

static const struct virtio_net_hdr vnet_none = {};

_Static_assert(SLOT_SIZE - XLAT_HEADROOM >= FRAG_PACKET_MAX, "a reassembled datagram fits a slot");

static void *worker_in(void *userdata) {
        TunTranslator *t = userdata;
        Worker *w = &t->in;
        struct mmsghdr msgs[BATCH];
        struct iovec iov[BATCH][3];
        struct virtio_net_hdr vin[BATCH];
        uint8_t eth[BATCH][14];
        struct sockaddr_ll from[BATCH];
        struct xlat_result res;

        while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
                int n;

                for (unsigned k = 0; k < BATCH; k++) {
                        iov[k][0] = (struct iovec) { &vin[k], VNET_HDR_LEN };
                        iov[k][1] = (struct iovec) { eth[k], 14 };
                        iov[k][2] = (struct iovec) { w->slots + (size_t) k * SLOT_SIZE + XLAT_HEADROOM, IP_MAX };
                        msgs[k] = (struct mmsghdr) { .msg_hdr = { .msg_name = &from[k], .msg_namelen = sizeof(from[k]),
                                                                  .msg_iov = iov[k], .msg_iovlen = 3 } };
                }
                n = recvmmsg(t->rx_fd, msgs, BATCH, MSG_DONTWAIT, NULL);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR) {
                                reasm_expire_idle(w);
                                if (!wait_readable(t, t->rx_fd))
                                        break;
                                continue;
                        }
                        worker_die(t, errno);
                        break;
                }
                for (int k = 0; k < n; k++) {
                        uint8_t *slot = w->slots + (size_t) k * SLOT_SIZE;
                        size_t len = msgs[k].msg_len;
                        const struct virtio_net_hdr *vh = &vin[k];

                        if (from[k].sll_pkttype == PACKET_OUTGOING || len <= VNET_HDR_LEN + 14)
                                continue;
                        len -= VNET_HDR_LEN + 14;
                        if (ipv6_may_be_fragment(slot + XLAT_HEADROOM, len, vh)) {
                                bool whole;

                                if (!worker_reassemble(w, &slot, &len, &whole))
                                        continue;
                                if (whole)
                                        vh = &vnet_none;
                        }
                        xlat_6to4_inplace(&t->xlat, slot, XLAT_HEADROOM, len, SLOT_SIZE, vnet_to_xlat_flags(vh), &res);
                        xlat_counters_account(&w->counters, XLAT_6TO4, &res);
                        if (res.verdict == XLAT_VERDICT_TRANSLATED) {
                                for (unsigned i = 0; i < res.n_packets; i++) {
                                        struct virtio_net_hdr vout;

                                        vnet_translate(vh, &res.packets[i], 0, false, &vout);
                                        tun_write(t, w, &vout, slot + res.packets[i].offset, res.packets[i].len);
                                }
                        } else if (res.verdict == XLAT_VERDICT_REPLY && from[k].sll_halen == 6) {
                                /* An ICMPv6 error for the sender, straight back to its MAC. */
                                uint8_t reply_eth[14];
                                struct virtio_net_hdr none = {};
                                struct iovec o[3] = { { &none, VNET_HDR_LEN }, { reply_eth, 14 },
                                                      { slot + res.packets[0].offset, res.packets[0].len } };
                                struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
                                                          .sll_ifindex = t->config.uplink_ifindex };
                                struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = o,
                                                     .msg_iovlen = 3 };

                                memcpy(reply_eth, from[k].sll_addr, 6);
                                memcpy(reply_eth + 6, t->uplink_mac, 6);
                                reply_eth[12] = 0x86;
                                reply_eth[13] = 0xdd;
                                if (sendmsg(t->tx_fd, &mh, 0) < 0)
                                        w->drops[TUN_DROP_SEND_FAILED]++;
                        }
                }
        }
        return NULL;
}

/* ---- next hop (event loop) ---- */

static void nexthop_refresh(TunTranslator *t) {
        struct in6_addr gw, target;
        uint8_t mac[6];
        uint16_t state;
        uint64_t v = 0;
        int oif = 0;

        if (tun_nl_route6_get(t->nl_fd, &t->nexthop_probe, &gw, &oif) < 0)
                goto out;
        target = IN6_IS_ADDR_UNSPECIFIED(&gw) ? t->nexthop_probe : gw;
        if (oif != t->config.uplink_ifindex)
                goto out;
        if (tun_nl_neigh6_get(t->nl_fd, t->config.uplink_ifindex, &target, mac, &state) < 0)
                goto out;
        if (!(state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)))
                goto out;
        /* On-link NAT64 prefix: every destination has its own neighbour; the probe's is
         * only right for itself. Leave those to the raw socket. */
        if (IN6_IS_ADDR_UNSPECIFIED(&gw))
                goto out;
        v = 1ULL << 63;
        for (int i = 0; i < 6; i++)
                v |= (uint64_t) mac[i] << (40 - 8 * i);
out:
        uint64_t old = atomic_exchange(&t->nexthop, v);
        if (old == v)
                return;
        v6m_link_log(t->link, LOG_DEBUG, 0, "IPv6 next hop %s",
                     v ? "resolved" : "not resolved, using the kernel's IPv6 stack");
        /* The raw socket cannot carry GSO super-packets: while it is in use, have the
         * kernel segment before the TUN (checksum offload stays: it is completed here). */
        if ((old >> 63) != (v >> 63) && t->tun_fd >= 0 &&
            ioctl(t->tun_fd, TUNSETOFFLOAD, v >> 63 ? TUN_OFFLOADS_GSO : TUN_OFFLOADS_NO_GSO) < 0)
                v6m_link_log(t->link, LOG_WARNING, errno, "cannot change the offloads of %s: %m", t->tun_name);
}

static int nexthop_timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        TunTranslator *t = userdata;
        bool resolved;

        nexthop_refresh(t);
        resolved = atomic_load(&t->nexthop) >> 63;
        (void) sd_event_source_set_time_relative(s, resolved ? NEXTHOP_REFRESH_USEC : NEXTHOP_RETRY_USEC);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ON);
        return 0;
}

static int dead_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        TunTranslator *t = userdata;
        int error = atomic_load(&t->dead_error);

        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        v6m_link_log(t->link, LOG_WARNING, error, "the translator stopped (%s gone?): %m", t->tun_name);
        if (t->on_dead)
                t->on_dead(t, -abs(error ?: EIO), t->userdata);
        return 0;
}

/* ---- set-up and tear-down ---- */

/* On a SOCK_RAW packet socket the filter sees the Ethernet header first (14 bytes). */
static int attach_rx_filter(int fd, const struct in6_addr *dst) {
        uint32_t w[4];

        memcpy(w, dst, 16);
        struct sock_filter code[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 24),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[0]), 0, 12),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 28),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[1]), 0, 10),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 32),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[2]), 0, 8),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 36),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[3]), 0, 6),
                BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6), /* next header */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 3),
                BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 40), /* ICMPv6 type: 133-137 is NDP */
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 133, 0, 1),
                BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 137, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, 0x7fffffff),
                BPF_STMT(BPF_RET | BPF_K, 0),
        };
        struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

        if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
                return -errno;
        return 0;
}

static int open_tun(TunTranslator *t) {
        struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR };
        int fd, hdrsz = (int) VNET_HDR_LEN;

        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->tun_name);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0 ||
            ioctl(fd, TUNSETOFFLOAD, TUN_OFFLOADS_NO_GSO) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        t->tun_fd = fd;
        return 0;
}

static int open_packet_sockets(TunTranslator *t) {
        struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = t->config.uplink_ifindex };
        int one = 1, rcvbuf = RCVBUF_SIZE, ifindex = t->config.uplink_ifindex;

        /* Send: protocol 0, so it receives nothing. */
        t->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (t->tx_fd < 0)
                return -errno;
        if (setsockopt(t->tx_fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
            bind(t->tx_fd, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return -errno;

        /* Receive: IPv6 to the CLAT address only; bound after the filter is in place.
         * SOCK_RAW: PACKET_VNET_HDR is refused on SOCK_DGRAM. */
        t->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (t->rx_fd < 0)
                return -errno;
        if (setsockopt(t->rx_fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0)
                return -errno;
        (void) setsockopt(t->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
        if (setsockopt(t->rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
                (void) setsockopt(t->rx_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        int r = attach_rx_filter(t->rx_fd, &t->config.ipv6_address);
        if (r < 0)
                return r;
        sll.sll_protocol = htons(ETH_P_IPV6);
        if (bind(t->rx_fd, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return -errno;

        /* Fallback for an unresolved next hop: the kernel routes and resolves. */
        t->raw6_fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
        if (t->raw6_fd < 0)
                return -errno;
        if (setsockopt(t->raw6_fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, sizeof(ifindex)) < 0)
                return -errno;
        return 0;
}

static void tun_link_teardown(TunTranslator *t) {
        atomic_store(&t->stop, true);
        if (t->stop_fd >= 0) {
                uint64_t one = 1;
                (void) !write(t->stop_fd, &one, sizeof(one));
        }
        if (t->thread_out_started)
                pthread_join(t->thread_out, NULL);
        if (t->thread_in_started)
                pthread_join(t->thread_in, NULL);
        t->thread_out_started = t->thread_in_started = false;
        t->nexthop_timer = sd_event_source_disable_unref(t->nexthop_timer);

        t->dead_source = sd_event_source_disable_unref(t->dead_source);
        int *fds[] = { &t->tx_fd, &t->rx_fd, &t->raw6_fd, &t->stop_fd, &t->dead_fd };
        for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
                if (*fds[i] >= 0) {
                        close(*fds[i]);
                        *fds[i] = -1;
                }
        /* Closing the (non-persistent) TUN removes the device with its address and route. */
        if (t->tun_fd >= 0) {
                close(t->tun_fd);
                t->tun_fd = -1;
        }
        if (t->nl_fd >= 0 && t->tun_name[0])
                (void) tun_nl_link_delete_by_name(t->nl_fd, t->tun_name);
        if (t->nl_fd >= 0) {
                close(t->nl_fd);
                t->nl_fd = -1;
        }
        free(t->out.slots);
        free(t->in.slots);
        t->out.slots = t->in.slots = NULL;
        for (Worker *w = &t->out; w; w = w == &t->out ? &t->in : NULL) {
                w->reasm = frag_reasm_free(w->reasm);
                free(w->reasm_slot);
                w->reasm_slot = NULL;
        }
        t->running = false;
}

static int tun_link_setup(TunTranslator *t) {
        const char *reason = NULL;
        int r;

        struct xlat_config xc = {
                .nat64_prefix = t->config.nat64,
                .clat_ipv4 = t->config.ipv4_address,
                .clat_ipv6 = t->config.ipv6_address,
                .ipv6_mtu = t->config.mtu + 28,
        };
        r = xlat_init(&t->xlat, &xc, &reason);
        if (r < 0)
                return v6m_link_log(t->link, LOG_WARNING, r, "invalid translator settings: %s", reason);

        snprintf(t->uplink_name, sizeof(t->uplink_name), "%s", v6m_link_get_name(t->link));
        if (!v6m_link_get_hw_addr(t->link, t->uplink_mac))
                return v6m_link_log(t->link, LOG_WARNING, EOPNOTSUPP, "the uplink has no Ethernet address");
        clat_tun_name(t->config.uplink_ifindex, t->tun_name);

        t->nl_fd = tun_nl_open();
        if (t->nl_fd < 0)
                return v6m_link_log(t->link, LOG_WARNING, t->nl_fd, "cannot open rtnetlink: %m");
        /* A daemon killed with SIGKILL leaves nothing (the TUN dies with its file
         * descriptor), but a device of that name might have been made persistent by
         * hand or by another build: ours is the only one with this name. */
        r = tun_nl_link_delete_by_name(t->nl_fd, t->tun_name);
        if (r >= 0)
                v6m_link_log(t->link, LOG_NOTICE, 0, "removed a leftover %s", t->tun_name);

        r = open_tun(t);
        if (r < 0)
                return v6m_link_log(t->link, LOG_WARNING, r, "cannot create TUN device %s: %m", t->tun_name);
        /* An IPv4-only device: no link-local address, no RS or MLD for the translator
         * to drop. */
        char path[128];
        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", t->tun_name);
        int sfd = open(path, O_WRONLY | O_CLOEXEC);
        if (sfd >= 0) {
                (void) !write(sfd, "1", 1);
                close(sfd);
        }
        t->tun_ifindex = (int) if_nametoindex(t->tun_name);
        if (t->tun_ifindex <= 0)
                return v6m_link_log(t->link, LOG_WARNING, ENODEV, "%s vanished", t->tun_name);
        r = tun_nl_link_set(t->nl_fd, t->tun_ifindex, t->config.mtu, true);
        if (r >= 0)
                r = tun_nl_addr4_add(t->nl_fd, t->tun_ifindex, &t->config.ipv4_address);
        if (r >= 0)
                r = tun_nl_route4_default_add(t->nl_fd, t->tun_ifindex, t->config.route_metric, &t->config.ipv4_address);
        if (r < 0)
                return v6m_link_log(t->link, LOG_WARNING, r, "cannot configure %s: %m", t->tun_name);

        r = open_packet_sockets(t);
        if (r < 0)
                return v6m_link_log(t->link, LOG_WARNING, r, "cannot open packet sockets on %s: %m",
                                    t->uplink_name);
        t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        t->dead_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (t->stop_fd < 0 || t->dead_fd < 0)
                return -errno;
        atomic_store(&t->dead_error, 0);
        r = sd_event_add_io(t->event, &t->dead_source, t->dead_fd, EPOLLIN, dead_handler, t);
        if (r < 0)
                return r;

        struct in_addr probe4 = { .s_addr = htonl(0xc0000201u) }; /* 192.0.2.1 */
        nat64_prefix_embed_ipv4(&t->config.nat64, &probe4, &t->nexthop_probe);
        atomic_store(&t->nexthop, 0); /* matches the TUN's offloads: no GSO yet */
        nexthop_refresh(t);
        r = sd_event_add_time_relative(t->event, &t->nexthop_timer, CLOCK_MONOTONIC,
                                       atomic_load(&t->nexthop) >> 63 ? NEXTHOP_REFRESH_USEC : NEXTHOP_RETRY_USEC, 0,
                                       nexthop_timer_handler, t);
        if (r < 0)
                return r;

        t->out.slots = malloc((size_t) BATCH * SLOT_SIZE);
        t->in.slots = malloc((size_t) BATCH * SLOT_SIZE);
        t->out.reasm_slot = malloc(SLOT_SIZE);
        t->in.reasm_slot = malloc(SLOT_SIZE);
        if (!t->out.slots || !t->in.slots || !t->out.reasm_slot || !t->in.reasm_slot)
                return -ENOMEM;
        /* One table per worker: each sees one family (see the top of the file). */
        r = frag_reasm_new(&(struct frag_reasm_config) { .ipv4_source = t->config.ipv4_address,
                                                         .ipv4_protocol = IPPROTO_ICMP },
                           &t->out.reasm);
        if (r < 0)
                return r;
        r = frag_reasm_new(&(struct frag_reasm_config) { .ipv6_destination = t->config.ipv6_address,
                                                         .ipv6_next_header = IPPROTO_ICMPV6 },
                           &t->in.reasm);
        if (r < 0)
                return r;
        atomic_store(&t->stop, false);
        r = -pthread_create(&t->thread_out, NULL, worker_out, t);
        if (r < 0)
                return r;
        t->thread_out_started = true;
        (void) pthread_setname_np(t->thread_out, "clat-tun-4to6");
        r = -pthread_create(&t->thread_in, NULL, worker_in, t);
        if (r < 0)
                return r;
        t->thread_in_started = true;
        (void) pthread_setname_np(t->thread_in, "clat-tun-6to4");
        t->running = true;
        return 0;
}

/* ---- API ---- */

int tun_translator_probe(v6m_link *link, char *reason, size_t reason_size) {
        int fd;

        if (!have_effective_capability(CAP_NET_ADMIN)) {
                snprintf(reason, reason_size, "no CAP_NET_ADMIN");
                return -EPERM;
        }
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                snprintf(reason, reason_size, "/dev/net/tun not usable: %s", strerror(errno));
                return r;
        }
        close(fd);
        if (!v6m_link_get_hw_addr(link, (uint8_t[6]) {})) {
                snprintf(reason, reason_size, "the uplink is not Ethernet");
                return -EOPNOTSUPP;
        }
        return 0;
}

int tun_translator_new(v6m_link *link, sd_event *event, tun_translator_dead_t on_dead, void *userdata,
                       TunTranslator **ret) {
        TunTranslator *t = calloc(1, sizeof(TunTranslator));

        if (!t)
                return -ENOMEM;
        t->link = link;
        t->event = event;
        t->on_dead = on_dead;
        t->userdata = userdata;
        t->tun_fd = t->tx_fd = t->rx_fd = t->raw6_fd = t->stop_fd = t->nl_fd = t->dead_fd = -1;
        *ret = t;
        return 0;
}

void tun_translator_stop(TunTranslator *t) {
        if (!t)
                return;
        tun_link_teardown(t);
        t->out = (Worker) {};
        t->in = (Worker) {};
}

TunTranslator *tun_translator_free(TunTranslator *t) {
        if (!t)
                return NULL;
        tun_translator_stop(t);
        free(t);
        return NULL;
}

int tun_translator_start(TunTranslator *t, const struct v6m_clat_config *config) {
        char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
        int r;

        if (!t || !config)
                return -EINVAL;
        if (t->running)
                tun_translator_stop(t);
        t->config = *config;
        r = tun_link_setup(t);
        if (r < 0) {
                tun_translator_stop(t);
                return r;
        }
        v6m_link_log(t->link, LOG_INFO, 0, "%s up, %s/32 ↔ %s, MTU %u", t->tun_name,
                     inet_ntop(AF_INET, &config->ipv4_address, a4, sizeof(a4)),
                     inet_ntop(AF_INET6, &config->ipv6_address, a6, sizeof(a6)), config->mtu);
        return 0;
}

bool tun_translator_is_running(const TunTranslator *t) {
        return t && t->running;
}

const char *tun_translator_get_device(const TunTranslator *t) {
        return t && t->running ? t->tun_name : NULL;
}

int tun_translator_get_ifindex(const TunTranslator *t) {
        return t && t->running ? t->tun_ifindex : 0;
}

void tun_translator_stats(const TunTranslator *t, struct v6m_clat_stats *ret) {
        struct xlat_counters sum = {};

        *ret = (struct v6m_clat_stats) {};
        if (!t)
                return;
        xlat_counters_add(&sum, &t->out.counters);
        xlat_counters_add(&sum, &t->in.counters);
        ret->packets_4to6 = sum.packets[XLAT_4TO6];
        ret->packets_6to4 = sum.packets[XLAT_6TO4];
        for (int r = 0; r < _XLAT_DROP_MAX && ret->n_dropped < V6M_CLAT_DROP_REASONS_MAX; r++) {
                uint64_t c = sum.dropped[XLAT_4TO6][r] + sum.dropped[XLAT_6TO4][r];

                if (r == XLAT_DROP_NONE || c == 0)
                        continue;
                ret->dropped[ret->n_dropped].reason = xlat_drop_reason_to_string(r);
                ret->dropped[ret->n_dropped++].count = c;
        }
        for (int r = 0; r < _TUN_DROP_MAX && ret->n_dropped < V6M_CLAT_DROP_REASONS_MAX; r++) {
                uint64_t c = t->out.drops[r] + t->in.drops[r];

                if (c == 0)
                        continue;
                ret->dropped[ret->n_dropped].reason = tun_drop_table[r];
                ret->dropped[ret->n_dropped++].count = c;
        }
}
