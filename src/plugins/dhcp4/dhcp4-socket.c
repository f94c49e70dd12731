/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client's sockets: a packet socket for the broadcast phases (no address yet, or
 * rebinding), a UDP socket bound to the lease address for renewals and RELEASE, and an
 * ARP packet socket for the RFC 5227 probe. The packet socket carries a classic BPF
 * filter so the daemon only wakes for DHCP replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp4-internal.h"

/* Accept IPv4 (the packet socket is bound to ETH_P_IP, SOCK_DGRAM: data starts at the IP
 * header), UDP, not a fragment, destination port 68, BOOTP op BOOTREPLY. */
static const struct sock_filter dhcp4_filter[] = {
        BPF_STMT(BPF_LD + BPF_B + BPF_ABS, 9),                 /* A = IP protocol */
        BPF_JUMP(BPF_JMP + BPF_JEQ + BPF_K, IPPROTO_UDP, 0, 8), /* UDP? */
        BPF_STMT(BPF_LD + BPF_H + BPF_ABS, 6),                 /* A = flags + fragment offset */
        BPF_JUMP(BPF_JMP + BPF_JSET + BPF_K, 0x3fff, 6, 0),    /* MF or offset: drop */
        BPF_STMT(BPF_LDX + BPF_B + BPF_MSH, 0),                /* X = IP header length */
        BPF_STMT(BPF_LD + BPF_H + BPF_IND, 2),                 /* A = UDP destination port */
        BPF_JUMP(BPF_JMP + BPF_JEQ + BPF_K, DHCP4_CLIENT_PORT, 0, 3),
        BPF_STMT(BPF_LD + BPF_B + BPF_IND, 8),                 /* A = BOOTP op */
        BPF_JUMP(BPF_JMP + BPF_JEQ + BPF_K, DHCP4_OP_BOOTREPLY, 0, 1),
        BPF_STMT(BPF_RET + BPF_K, UINT32_MAX),                 /* accept */
        BPF_STMT(BPF_RET + BPF_K, 0),                          /* drop */
};

/* The link-layer broadcast address of the interface, for sendto(). */
static struct sockaddr_ll broadcast_sll(int ifindex, uint16_t ethertype) {
        return (struct sockaddr_ll) {
                .sll_family = AF_PACKET,
                .sll_protocol = htons(ethertype),
                .sll_ifindex = ifindex,
                .sll_halen = ETH_ALEN,
                .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
        };
}

int dhcp4_socket_raw_open(int ifindex) {
        struct sock_fprog prog = { .len = ELEMENTSOF(dhcp4_filter), .filter = (struct sock_filter *) dhcp4_filter };
        struct sockaddr_ll sll = {
                .sll_family = AF_PACKET,
                .sll_protocol = htons(ETH_P_IP),
                .sll_ifindex = ifindex,
        };
        int one = 1;
        _cleanup_close_ int fd = -1;

        /* Bind to protocol 0 first so nothing is queued before the filter is attached. */
        fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
                return -errno;
        if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int dhcp4_socket_raw_send(int fd, int ifindex, struct in_addr source, const uint8_t *payload, size_t size) {
        uint8_t buf[DHCP4_IP_UDP_HEADER_SIZE + 1500];
        struct sockaddr_ll sll = broadcast_sll(ifindex, ETH_P_IP);
        size_t len;

        if (size > sizeof(buf) - DHCP4_IP_UDP_HEADER_SIZE)
                return -EMSGSIZE;
        memcpy(buf + DHCP4_IP_UDP_HEADER_SIZE, payload, size);
        len = dhcp4_packet_build_udp(buf, size, source, DHCP4_CLIENT_PORT, (struct in_addr) { INADDR_BROADCAST },
                                     DHCP4_SERVER_PORT);
        if (sendto(fd, buf, len, 0, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return -errno;
        return 0;
}

int dhcp4_socket_raw_receive(int fd, uint8_t *buf, size_t size, const uint8_t **ret_payload, size_t *ret_size,
                             const char **ret_reason) {
        union {
                struct cmsghdr hdr;
                uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = size };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        bool verify_checksum = true;
        ssize_t n;

        n = recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0)
                return errno == EINTR ? -EAGAIN : -errno;
        if (msg.msg_flags & MSG_TRUNC) {
                *ret_reason = "truncated";
                return -EBADMSG;
        }
        for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
                if (cmsg->cmsg_level == SOL_PACKET && cmsg->cmsg_type == PACKET_AUXDATA) {
                        struct tpacket_auxdata aux;

                        memcpy(&aux, CMSG_DATA(cmsg), sizeof(aux));
                        /* Sent on this host (veth) with checksum offload: not filled in yet. */
                        if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
                                verify_checksum = false;
                }
        return dhcp4_packet_parse_udp(buf, (size_t) n, DHCP4_CLIENT_PORT, verify_checksum, NULL, ret_payload, ret_size,
                                      ret_reason);
}

int dhcp4_socket_udp_open(const char *ifname, struct in_addr address) {
        struct sockaddr_in sin = {
                .sin_family = AF_INET,
                .sin_port = htons(DHCP4_CLIENT_PORT),
                .sin_addr = address,
        };
        int one = 1, tos = 0xc0;
        _cleanup_close_ int fd = -1;

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname)) < 0)
                return -errno;
        (void) setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
        if (bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int dhcp4_socket_udp_send(int fd, struct in_addr server, const uint8_t *payload, size_t size) {
        struct sockaddr_in sin = {
                .sin_family = AF_INET,
                .sin_port = htons(DHCP4_SERVER_PORT),
                .sin_addr = server,
        };

        if (sendto(fd, payload, size, 0, (struct sockaddr *) &sin, sizeof(sin)) < 0)
                return -errno;
        return 0;
}

void dhcp4_socket_drain(int fd, const int *current_fd, bool (*handler)(const uint8_t *data, size_t size, void *userdata),
                        void *userdata) {
        /* A bounded batch, so that one busy socket cannot starve the event loop. */
        for (unsigned i = 0; i < 16 && *current_fd == fd; i++) {
                uint8_t buf[2048];
                ssize_t n;

                n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0 || !handler(buf, (size_t) n, userdata))
                        break;
        }
}

int dhcp4_socket_arp_open(int ifindex) {
        struct sockaddr_ll sll = {
                .sll_family = AF_PACKET,
                .sll_protocol = htons(ETH_P_ARP),
                .sll_ifindex = ifindex,
        };
        _cleanup_close_ int fd = -1;

        fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int dhcp4_socket_arp_send(int fd, int ifindex, const uint8_t packet[ARP4_PACKET_SIZE]) {
        struct sockaddr_ll sll = broadcast_sll(ifindex, ETH_P_ARP);

        if (sendto(fd, packet, ARP4_PACKET_SIZE, 0, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return -errno;
        return 0;
}
