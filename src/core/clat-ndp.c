/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clat-ndp.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/socket.h>

#include "log.h"
#include "macro.h"
#include "ndp.h"

#define RETRANS_TIMER_DEFAULT_MS 1000u /* RFC 4861 §10 RETRANS_TIMER */

struct ClatNdp {
        sd_event *event;
        int ifindex;
        char ifname[IF_NAMESIZE];
        uint8_t mac[6];
        int fd;
        int mld_fd; /* holds the IPv6 group membership, so MLD reports go out */
        sd_event_source *io, *timer;

        struct in6_addr address;
        bool probing, answering, conflict;
        uint8_t group_mac[6];
        bool joined;
        clat_ndp_dad_handler_t handler;
        void *userdata;
        uint64_t answered;
};

static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
static const struct in6_addr all_nodes = { .s6_addr = { 0xff, 0x02, [15] = 1 } };

/* The node's RetransTimer: what the kernel learned from RAs, else the default. */
static uint64_t retrans_timer_usec(const char *ifname) {
        char path[128], buf[32];
        unsigned long ms = RETRANS_TIMER_DEFAULT_MS;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/neigh/%s/retrans_time_ms", ifname);
        f = fopen(path, "re");
        if (f) {
                if (fgets(buf, sizeof(buf), f))
                        ms = strtoul(buf, NULL, 10);
                fclose(f);
        }
        if (ms == 0 || ms > 60000)
                ms = RETRANS_TIMER_DEFAULT_MS;
        return (uint64_t) ms * 1000u;
}

/* Pass only ICMPv6 NS/NA without extension headers whose target is `address`. */
static int attach_filter(int fd, const struct in6_addr *address) {
        uint32_t w[4];

        memcpy(w, address, 16);
        struct sock_filter code[] = {
                BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),                      /* next header */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 12),
                BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 40),                     /* ICMPv6 type */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NDP_TYPE_NS, 1, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NDP_TYPE_NA, 0, 9),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 48),                     /* target */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[0]), 0, 7),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 52),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[1]), 0, 5),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 56),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[2]), 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 60),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w[3]), 0, 1),
                BPF_STMT(BPF_RET | BPF_K, 0xffff),
                BPF_STMT(BPF_RET | BPF_K, 0),
        };
        struct sock_fprog prog = { .len = ELEMENTSOF(code), .filter = code };

        if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
                return -errno;
        return 0;
}

/* The Ethernet group on the packet socket, so the NIC passes it up; and the IPv6 group
 * on a datagram socket, so the kernel sends MLD reports for it: an MLD-snooping switch
 * forwards solicitations for our address only to ports that reported the group. */
static int set_membership(ClatNdp *ndp, const struct in6_addr *group, bool add) {
        struct packet_mreq mr = {
                .mr_ifindex = ndp->ifindex,
                .mr_type = PACKET_MR_MULTICAST,
                .mr_alen = 6,
        };
        struct ipv6_mreq m6 = { .ipv6mr_interface = (unsigned) ndp->ifindex };

        memcpy(mr.mr_address, ndp->group_mac, 6);
        if (setsockopt(ndp->fd, SOL_PACKET, add ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr)) < 0)
                return -errno;
        if (ndp->mld_fd >= 0) {
                m6.ipv6mr_multiaddr = *group;
                if (setsockopt(ndp->mld_fd, IPPROTO_IPV6, add ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m6, sizeof(m6)) < 0 &&
                    add)
                        log_debug_errno(errno, "CLAT NDP on %s: cannot join the solicited-node group for MLD: %m",
                                        ndp->ifname);
        }
        return 0;
}

static int send_packet(ClatNdp *ndp, const uint8_t *packet, size_t size, const uint8_t dst_mac[static 6]) {
        struct sockaddr_ll sll = {
                .sll_family = AF_PACKET,
                .sll_protocol = htons(ETH_P_IPV6),
                .sll_ifindex = ndp->ifindex,
                .sll_halen = 6,
        };

        memcpy(sll.sll_addr, dst_mac, 6);
        if (sendto(ndp->fd, packet, size, 0, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return -errno;
        return 0;
}

static void dad_finish(ClatNdp *ndp, int result) {
        ndp->probing = false;
        ndp->timer = sd_event_source_disable_unref(ndp->timer);
        ndp->answering = result == 0;
        if (ndp->handler)
                ndp->handler(ndp, result, ndp->userdata);
}

static void handle_message(ClatNdp *ndp, const NdpMessage *msg, const uint8_t *l2_source) {
        char buf[INET6_ADDRSTRLEN];
        uint8_t na[NDP_NA_SIZE];
        int r;

        if (memcmp(&msg->target, &ndp->address, 16) != 0)
                return;
        inet_ntop(AF_INET6, &msg->source, buf, sizeof(buf));

        if (ndp->probing) {
                /* RFC 4862 §5.4.3/§5.4.4: an NA for the tentative address, or another
                 * node's DAD probe for it, means it is not ours to take. An NS from a
                 * unicast source is for an address we do not answer yet: ignored. */
                if (msg->type == NDP_TYPE_NA || IN6_IS_ADDR_UNSPECIFIED(&msg->source)) {
                        log_debug("CLAT DAD on %s: %s from %s for the tentative address", ndp->ifname,
                                  msg->type == NDP_TYPE_NA ? "NA" : "DAD probe", buf);
                        dad_finish(ndp, -EADDRINUSE);
                }
                return;
        }
        if (!ndp->answering || msg->type != NDP_TYPE_NS)
                return;

        if (IN6_IS_ADDR_UNSPECIFIED(&msg->source)) {
                /* Another node probes our address: defend it (RFC 4862 §5.4.3). */
                ndp_build_na(&ndp->address, &all_nodes, ndp->mac, false, na);
                r = send_packet(ndp, na, sizeof(na), all_nodes_mac);
        } else {
                ndp_build_na(&ndp->address, &msg->source, ndp->mac, true, na);
                r = send_packet(ndp, na, sizeof(na), msg->has_link_address ? msg->link_address : l2_source);
        }
        if (r < 0)
                log_debug_errno(r, "CLAT NDP on %s: failed to answer %s: %m", ndp->ifname, buf);
        else
                ndp->answered++;
}

static int io_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ClatNdp *ndp = userdata;

        for (unsigned i = 0; i < 64; i++) {
                uint8_t packet[1500];
                struct sockaddr_ll sll = {};
                socklen_t sll_len = sizeof(sll);
                NdpMessage msg;
                ssize_t n;

                n = recvfrom(fd, packet, sizeof(packet), MSG_DONTWAIT, (struct sockaddr *) &sll, &sll_len);
                if (n < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                log_debug_errno(errno, "CLAT NDP on %s: recv failed: %m", ndp->ifname);
                        break;
                }
                if (sll.sll_pkttype == PACKET_OUTGOING || sll.sll_halen != 6)
                        continue;
                if (ndp_parse(packet, (size_t) n, &msg) < 0)
                        continue;
                handle_message(ndp, &msg, sll.sll_addr);
                if (!ndp->probing && !ndp->answering)
                        break; /* DAD failed: the handler may have freed us, touch nothing */
        }
        return 0;
}

static int timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        ClatNdp *ndp = userdata;

        dad_finish(ndp, 0);
        return 0;
}

int clat_ndp_new(sd_event *event, int ifindex, const char *ifname, const uint8_t mac[static 6], ClatNdp **ret) {
        ClatNdp *ndp;
        int r;

        ndp = calloc(1, sizeof(ClatNdp));
        if (!ndp)
                return -ENOMEM;
        ndp->event = sd_event_ref(event);
        ndp->ifindex = ifindex;
        snprintf(ndp->ifname, sizeof(ndp->ifname), "%s", ifname);
        memcpy(ndp->mac, mac, 6);

        ndp->mld_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ndp->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (ndp->fd < 0) {
                r = -errno;
                goto fail;
        }
        /* Nothing reaches the socket until the filter and the binding are in place. */
        struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
        struct sock_fprog prog = { .len = 1, .filter = none };
        if (setsockopt(ndp->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
                r = -errno;
                goto fail;
        }
        struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6), .sll_ifindex = ifindex };
        if (bind(ndp->fd, (struct sockaddr *) &sll, sizeof(sll)) < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(event, &ndp->io, ndp->fd, EPOLLIN, io_handler, ndp);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(ndp->io, "clat-ndp");
        *ret = ndp;
        return 0;
fail:
        clat_ndp_free(ndp);
        return r;
}

ClatNdp *clat_ndp_free(ClatNdp *ndp) {
        if (!ndp)
                return NULL;
        ndp->io = sd_event_source_disable_unref(ndp->io);
        ndp->timer = sd_event_source_disable_unref(ndp->timer);
        if (ndp->fd >= 0) {
                if (ndp->joined) {
                        struct in6_addr group;

                        ndp_solicited_node(&ndp->address, &group);
                        (void) set_membership(ndp, &group, false);
                }
                close(ndp->fd);
        }
        if (ndp->mld_fd >= 0)
                close(ndp->mld_fd);
        sd_event_unref(ndp->event);
        return mfree(ndp);
}

int clat_ndp_start(ClatNdp *ndp, const struct in6_addr *address, clat_ndp_dad_handler_t handler, void *userdata) {
        uint8_t ns[NDP_DAD_NS_SIZE];
        struct in6_addr group;
        uint8_t discard[64];
        int r;

        if (ndp->joined) {
                ndp_solicited_node(&ndp->address, &group);
                (void) set_membership(ndp, &group, false);
                ndp->joined = false;
        }
        ndp->address = *address;
        ndp->handler = handler;
        ndp->userdata = userdata;
        ndp->answering = false;
        ndp->probing = true;

        r = attach_filter(ndp->fd, address);
        if (r < 0)
                return r;
        /* What the socket queued under the previous filter is for another address. */
        while (recv(ndp->fd, discard, sizeof(discard), MSG_DONTWAIT) >= 0)
                ;
        ndp_solicited_node(address, &group);
        ndp_multicast_mac(&group, ndp->group_mac);
        r = set_membership(ndp, &group, true);
        if (r < 0)
                return r;
        ndp->joined = true;

        ndp_build_dad_ns(address, ns);
        r = send_packet(ndp, ns, sizeof(ns), ndp->group_mac);
        if (r < 0)
                return r;

        ndp->timer = sd_event_source_disable_unref(ndp->timer);
        r = sd_event_add_time_relative(ndp->event, &ndp->timer, CLOCK_BOOTTIME, retrans_timer_usec(ndp->ifname), 0,
                                       timer_handler, ndp);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(ndp->timer, "clat-dad");
        return 0;
}

uint64_t clat_ndp_get_answered(const ClatNdp *ndp) {
        return ndp ? ndp->answered : 0;
}
