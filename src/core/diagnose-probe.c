/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The active checks of `v6mostlyctl diagnose` (root only): a translated ICMP echo and a TCP
 * SYN through the CLAT (or, without one, to the synthesized address), the path MTU through
 * the NAT64 with DF probes, and with --probe one DHCPDISCOVER that asks for option 108.
 * Runs in the probe process that diagnose.c forks, so it may block in poll(). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dhcp4-message.h"
#include "dns64-prefix.h"
#include "dns64-query.h"
#include "diagnose.h"
#include "nat64-prefix.h"

#define ECHO_TRIES 2
#define ECHO_TIMEOUT_USEC (1000 * USEC_PER_MSEC)
#define PMTU_TIMEOUT_USEC (400 * USEC_PER_MSEC)
#define PMTU_PROBES_MAX 14
#define TCP_TIMEOUT_USEC (1500 * USEC_PER_MSEC)
#define DHCP4_PROBE_TIMEOUT_USEC (3 * USEC_PER_SEC)
#define DNS_QUERY_TIMEOUT_USEC (1500 * USEC_PER_MSEC)
#define DNS_ANSWERS_MAX 32
#define ECHO_SMALL_PAYLOAD 56 /* what ping(8) sends */
/* RFC 8925 §3.4: MIN_V6ONLY_WAIT. */
#define V6ONLY_WAIT_MIN_S 300u
/* The largest IPv4 packet the CLAT turns into an IPv6 packet of at most 1280 bytes with a
 * fragment header: the MTU every IPv6 path has (RFC 8200 §5), so the least a NAT64 path
 * must carry. */
#define IPV4_PATH_MTU_FLOOR (1280u - 28u)

typedef enum EchoResult {
        ECHO_REPLY,
        ECHO_TIMEOUT,
        ECHO_TOO_BIG,     /* ICMP "fragmentation needed" / Packet Too Big, or EMSGSIZE locally */
        ECHO_UNREACHABLE, /* another ICMP error, or a send error */
} EchoResult;

typedef struct Pinger {
        int family;
        int fd;
        uint16_t id, seq;
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } dst;
        socklen_t dst_len;
        char why[128]; /* of the last ECHO_UNREACHABLE */
        uint32_t mtu_hint; /* of the last ECHO_TOO_BIG, 0 if none */
} Pinger;

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static uint16_t inet_checksum(const uint8_t *data, size_t len) {
        uint32_t sum = 0;

        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t) data[i] << 8 | data[i + 1];
        if (len & 1)
                sum += (uint32_t) data[len - 1] << 8;
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return htons((uint16_t) ~sum);
}

/* Wait for `fd` to be readable until `deadline` (CLOCK_MONOTONIC usec): 1 readable, 0 time out. */
static int wait_readable(int fd, uint64_t deadline, short events) {
        for (;;) {
                uint64_t now = now_usec();
                struct pollfd p = { .fd = fd, .events = events };
                int r;

                if (now >= deadline)
                        return 0;
                r = poll(&p, 1, (int) ((deadline - now + 999) / 1000));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r > 0)
                        return 1;
        }
}

static void pinger_close(Pinger *p) {
        if (p->fd >= 0)
                close(p->fd);
        p->fd = -1;
}

static int pinger_open(Pinger *p, const DiagProbeInput *in, int family, const void *destination) {
        uint16_t random_id;
        int pmtu, one = 1;

        *p = (Pinger) { .family = family, .fd = -1 };
        if (getrandom(&random_id, sizeof(random_id), GRND_NONBLOCK) != sizeof(random_id))
                random_id = (uint16_t) getpid();
        p->id = random_id;

        if (family == AF_INET) {
                p->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
                if (p->fd < 0)
                        return -errno;
                p->dst.in = (struct sockaddr_in) { .sin_family = AF_INET, .sin_addr = *(const struct in_addr *) destination };
                p->dst_len = sizeof(p->dst.in);
                /* From the CLAT's address, so the echo and its answer cross the translator. */
                struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = in->clat_ipv4 };
                if (bind(p->fd, (struct sockaddr *) &src, sizeof(src)) < 0)
                        return -errno;
                pmtu = IP_PMTUDISC_PROBE; /* DF set, the cached path MTU ignored */
                if (setsockopt(p->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0)
                        return -errno;
        } else {
                p->fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
                if (p->fd < 0)
                        return -errno;
                p->dst.in6 = (struct sockaddr_in6) { .sin6_family = AF_INET6,
                                                     .sin6_addr = *(const struct in6_addr *) destination };
                p->dst_len = sizeof(p->dst.in6);
                if (setsockopt(p->fd, SOL_SOCKET, SO_BINDTODEVICE, in->ifname, strlen(in->ifname)) < 0)
                        return -errno;
                pmtu = IPV6_PMTUDISC_PROBE;
                if (setsockopt(p->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0 ||
                    setsockopt(p->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one)) < 0)
                        return -errno;
        }
        return 0;
}

/* Does the ICMP error's quoted packet come from our echo? `inner` is the quoted IP header. */
static bool quoted_echo_is_ours(const Pinger *p, const uint8_t *inner, size_t len) {
        if (p->family == AF_INET) {
                size_t ihl;

                if (len < 20)
                        return false;
                ihl = (size_t) (inner[0] & 0x0f) * 4;
                if (inner[9] != IPPROTO_ICMP || memcmp(inner + 16, &p->dst.in.sin_addr, 4) != 0 || len < ihl + 8)
                        return false;
                return inner[ihl] == ICMP_ECHO && memcmp(inner + ihl + 4, &(uint16_t) { htons(p->id) }, 2) == 0;
        }
        if (len < 48 || inner[6] != IPPROTO_ICMPV6 || memcmp(inner + 24, &p->dst.in6.sin6_addr, 16) != 0)
                return false;
        return inner[40] == ICMP6_ECHO_REQUEST && memcmp(inner + 44, &(uint16_t) { htons(p->id) }, 2) == 0;
}

/* One echo of `size` bytes (the whole IP packet), DF set. */
static EchoResult pinger_echo(Pinger *p, size_t size, uint64_t timeout_usec) {
        size_t header = p->family == AF_INET ? 20 : 40;
        uint8_t packet[65536], buf[65536];
        uint64_t deadline;
        size_t len;

        if (size < header + 8)
                size = header + 8;
        len = size - header; /* the ICMP message: the kernel adds the IP header */
        memset(packet, 0, len);
        packet[0] = p->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
        p->seq++;
        memcpy(packet + 4, &(uint16_t) { htons(p->id) }, 2);
        memcpy(packet + 6, &(uint16_t) { htons(p->seq) }, 2);
        for (size_t i = 8; i < len; i++)
                packet[i] = (uint8_t) i;
        if (p->family == AF_INET) {
                uint16_t sum = inet_checksum(packet, len);
                memcpy(packet + 2, &sum, 2);
        } /* ICMPv6: the kernel fills in the checksum of a raw ICMPv6 socket. */

        p->mtu_hint = 0;
        if (sendto(p->fd, packet, len, 0, &p->dst.sa, p->dst_len) < 0) {
                if (errno == EMSGSIZE)
                        return ECHO_TOO_BIG;
                snprintf(p->why, sizeof(p->why), "cannot send: %s", strerror(errno));
                return ECHO_UNREACHABLE;
        }

        deadline = now_usec() + timeout_usec;
        for (;;) {
                union {
                        struct sockaddr_in in;
                        struct sockaddr_in6 in6;
                } from;
                socklen_t from_len = sizeof(from);
                const uint8_t *icmp;
                size_t icmp_len;
                ssize_t n;
                int r;

                r = wait_readable(p->fd, deadline, POLLIN);
                if (r <= 0)
                        return ECHO_TIMEOUT;
                n = recvfrom(p->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *) &from, &from_len);
                if (n < 0)
                        continue;
                if (p->family == AF_INET) {
                        size_t ihl = (size_t) (buf[0] & 0x0f) * 4;

                        if ((size_t) n < ihl + 8)
                                continue;
                        icmp = buf + ihl;
                        icmp_len = (size_t) n - ihl;
                } else {
                        if (n < 8)
                                continue;
                        icmp = buf;
                        icmp_len = (size_t) n;
                }

                uint16_t id, seq;
                memcpy(&id, icmp + 4, 2);
                memcpy(&seq, icmp + 6, 2);
                if (p->family == AF_INET) {
                        if (icmp[0] == ICMP_ECHOREPLY && ntohs(id) == p->id && ntohs(seq) == p->seq &&
                            from.in.sin_addr.s_addr == p->dst.in.sin_addr.s_addr)
                                return ECHO_REPLY;
                        if ((icmp[0] == ICMP_DEST_UNREACH || icmp[0] == ICMP_TIME_EXCEEDED) &&
                            quoted_echo_is_ours(p, icmp + 8, icmp_len - 8)) {
                                char a[INET_ADDRSTRLEN];

                                inet_ntop(AF_INET, &from.in.sin_addr, a, sizeof(a));
                                if (icmp[0] == ICMP_DEST_UNREACH && icmp[1] == ICMP_FRAG_NEEDED) {
                                        p->mtu_hint = ntohs(seq); /* next-hop MTU, RFC 1191 */
                                        return ECHO_TOO_BIG;
                                }
                                snprintf(p->why, sizeof(p->why), "ICMP type %u code %u from %s", icmp[0], icmp[1], a);
                                return ECHO_UNREACHABLE;
                        }
                } else {
                        if (icmp[0] == ICMP6_ECHO_REPLY && ntohs(id) == p->id && ntohs(seq) == p->seq &&
                            memcmp(&from.in6.sin6_addr, &p->dst.in6.sin6_addr, 16) == 0)
                                return ECHO_REPLY;
                        if ((icmp[0] == ICMP6_DST_UNREACH || icmp[0] == ICMP6_PACKET_TOO_BIG ||
                             icmp[0] == ICMP6_TIME_EXCEEDED) &&
                            quoted_echo_is_ours(p, icmp + 8, icmp_len - 8)) {
                                char a[INET6_ADDRSTRLEN];

                                inet_ntop(AF_INET6, &from.in6.sin6_addr, a, sizeof(a));
                                if (icmp[0] == ICMP6_PACKET_TOO_BIG) {
                                        uint32_t mtu;

                                        memcpy(&mtu, icmp + 4, 4);
                                        p->mtu_hint = ntohl(mtu);
                                        return ECHO_TOO_BIG;
                                }
                                snprintf(p->why, sizeof(p->why), "ICMPv6 type %u code %u from %s", icmp[0], icmp[1], a);
                                return ECHO_UNREACHABLE;
                        }
                }
        }
}

/* 0: SYN-ACK, 1: RST, negative errno: no answer (-ETIMEDOUT) or an error. */
static int tcp_syn(const DiagProbeInput *in, int family, const void *destination) {
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } dst = {};
        socklen_t len;
        int fd, r, error = 0;
        socklen_t error_len = sizeof(error);

        fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
        if (fd < 0)
                return -errno;
        if (family == AF_INET) {
                struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = in->clat_ipv4 };

                if (bind(fd, (struct sockaddr *) &src, sizeof(src)) < 0) {
                        r = -errno;
                        close(fd);
                        return r;
                }
                dst.in = (struct sockaddr_in) { .sin_family = AF_INET, .sin_port = htons(in->tcp_port),
                                                .sin_addr = *(const struct in_addr *) destination };
                len = sizeof(dst.in);
        } else {
                (void) setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, in->ifname, strlen(in->ifname));
                dst.in6 = (struct sockaddr_in6) { .sin6_family = AF_INET6, .sin6_port = htons(in->tcp_port),
                                                  .sin6_addr = *(const struct in6_addr *) destination };
                len = sizeof(dst.in6);
        }
        if (connect(fd, &dst.sa, len) < 0 && errno != EINPROGRESS) {
                r = errno == ECONNREFUSED ? 1 : -errno;
                close(fd);
                return r;
        }
        r = wait_readable(fd, now_usec() + TCP_TIMEOUT_USEC, POLLOUT);
        if (r == 0)
                r = -ETIMEDOUT;
        else if (r > 0) {
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) < 0)
                        error = errno;
                r = error == 0 ? 0 : error == ECONNREFUSED ? 1 : -error;
        }
        close(fd);
        return r;
}

static void probe_nat64(const DiagProbeInput *in, DiagReport *report) {
        char target[INET_ADDRSTRLEN], path[160], prefix[64] = "?";
        struct in6_addr synthesized;
        const void *destination;
        Pinger p = { .fd = -1 };
        int family, r;
        EchoResult e = ECHO_TIMEOUT;
        uint64_t start, rtt_ms = 0;
        DiagCheck *c;

        if (!in->has_target) {
                const char *why = "no target: give --target=IPV4 (no DHCPv4 server was seen on the link)";
                diag_add(report, "nat64-ping", DIAG_SKIP, DIAG_WHERE_NONE, "%s", why);
                diag_add(report, "nat64-tcp", DIAG_SKIP, DIAG_WHERE_NONE, "%s", why);
                diag_add(report, "nat64-pmtu", DIAG_SKIP, DIAG_WHERE_NONE, "%s", why);
                return;
        }
        inet_ntop(AF_INET, &in->target, target, sizeof(target));
        if (in->has_nat64)
                nat64_prefix_to_string(&in->nat64, prefix, sizeof(prefix));
        if (in->clat_running) {
                family = AF_INET;
                destination = &in->target;
                snprintf(path, sizeof(path), "%s (%s) through the CLAT and the NAT64 at %s", target, in->target_origin, prefix);
        } else if (in->has_nat64) {
                char a[INET6_ADDRSTRLEN];

                family = AF_INET6;
                nat64_prefix_embed_ipv4(&in->nat64, &in->target, &synthesized);
                destination = &synthesized;
                snprintf(path, sizeof(path), "%s (%s) at %s (no CLAT)", target, in->target_origin,
                         inet_ntop(AF_INET6, &synthesized, a, sizeof(a)));
        } else {
                const char *why = "no CLAT and no NAT64 prefix on the link";
                diag_add(report, "nat64-ping", DIAG_SKIP, DIAG_WHERE_NONE, "%s", why);
                diag_add(report, "nat64-tcp", DIAG_SKIP, DIAG_WHERE_NONE, "%s", why);
                diag_add(report, "nat64-pmtu", DIAG_SKIP, DIAG_WHERE_NONE, "%s", why);
                return;
        }

        /* A translated ICMP echo. */
        r = pinger_open(&p, in, family, destination);
        if (r < 0) {
                diag_add(report, "nat64-ping", DIAG_SKIP, DIAG_WHERE_NONE, "cannot open an ICMP socket: %s", strerror(-r));
                pinger_close(&p);
                p.fd = -1;
        } else {
                size_t small = (family == AF_INET ? 28 : 48) + ECHO_SMALL_PAYLOAD;

                for (unsigned i = 0; i < ECHO_TRIES && e != ECHO_REPLY && e != ECHO_UNREACHABLE; i++) {
                        start = now_usec();
                        e = pinger_echo(&p, small, ECHO_TIMEOUT_USEC);
                        rtt_ms = (now_usec() - start + 500) / 1000;
                }
                if (e == ECHO_REPLY) {
                        c = diag_add(report, "nat64-ping", DIAG_PASS, DIAG_WHERE_NONE, "echo reply from %s in %" PRIu64 " ms",
                                     path, rtt_ms);
                        if (c)
                                c->value = (int64_t) rtt_ms;
                } else if (in->route_shadowed)
                        diag_set_fix(diag_add(report, "nat64-ping", DIAG_FAIL, DIAG_WHERE_HOST, "no echo reply from %s: %s",
                                              path, e == ECHO_UNREACHABLE ? p.why : "no answer"),
                                     "the IPv4 route to %s does not go through the CLAT (see clat-route)", target);
                else
                        diag_set_fix(diag_add(report, "nat64-ping", DIAG_FAIL, DIAG_WHERE_NAT64, "no echo reply from %s: %s",
                                              path, e == ECHO_UNREACHABLE ? p.why : "no answer"),
                                     "check that the NAT64 gateway for %s runs and routes to %s (the clat check "
                                     "says whether this host's side works)",
                                     prefix, target);
        }

        /* A TCP SYN: a SYN-ACK or a RST both prove the path. */
        r = tcp_syn(in, family, destination);
        if (r >= 0)
                diag_add(report, "nat64-tcp", DIAG_PASS, DIAG_WHERE_NONE, "TCP SYN to port %u of %s answered with %s",
                         in->tcp_port, path, r == 0 ? "SYN-ACK" : "RST");
        else if (in->route_shadowed)
                diag_set_fix(diag_add(report, "nat64-tcp", DIAG_FAIL, DIAG_WHERE_HOST, "TCP SYN to port %u of %s: %s",
                                      in->tcp_port, path, r == -ETIMEDOUT ? "no answer" : strerror(-r)),
                             "the IPv4 route to %s does not go through the CLAT (see clat-route)", target);
        else
                diag_set_fix(diag_add(report, "nat64-tcp", DIAG_FAIL, DIAG_WHERE_NAT64, "TCP SYN to port %u of %s: %s",
                                      in->tcp_port, path, r == -ETIMEDOUT ? "no answer" : strerror(-r)),
                             "check that it translates TCP to %s (and that no firewall drops it)", target);

        /* Path MTU with DF probes: the largest packet up to the CLAT's (or the link's) MTU. */
        if (p.fd < 0 || e != ECHO_REPLY) {
                diag_add(report, "nat64-pmtu", DIAG_SKIP, DIAG_WHERE_NONE, "no echo came back, so no path MTU probe");
                pinger_close(&p);
                return;
        }
        uint32_t top = family == AF_INET ? in->clat_mtu : in->mtu;
        uint32_t good = (family == AF_INET ? 28 : 48) + ECHO_SMALL_PAYLOAD, bad, floor = family == AF_INET ? IPV4_PATH_MTU_FLOOR : 1280;
        bool hinted = false;
        const char *unit = family == AF_INET ? "IPv4" : "IPv6";

        e = pinger_echo(&p, top, PMTU_TIMEOUT_USEC);
        if (e == ECHO_REPLY) {
                c = diag_add(report, "nat64-pmtu", DIAG_PASS, DIAG_WHERE_NONE,
                             "%s packets of %" PRIu32 " bytes (the %s MTU) cross with DF set", unit, top,
                             family == AF_INET ? "CLAT's" : "link's");
                if (c)
                        c->value = top;
                pinger_close(&p);
                return;
        }
        bad = top;
        for (unsigned i = 0; i < PMTU_PROBES_MAX && bad - good > 1; i++) {
                uint32_t size = good + (bad - good) / 2;

                if (p.mtu_hint > good && p.mtu_hint < bad) {
                        size = p.mtu_hint;
                        hinted = true;
                }
                e = pinger_echo(&p, size, PMTU_TIMEOUT_USEC);
                if (e == ECHO_REPLY)
                        good = size;
                else
                        bad = size;
        }
        c = diag_add(report, "nat64-pmtu", good >= floor ? DIAG_WARN : DIAG_FAIL, DIAG_WHERE_NAT64,
                     "largest %s packet with DF through the NAT64: %" PRIu32 " bytes, below the %s MTU %" PRIu32 "%s",
                     unit, good, family == AF_INET ? "CLAT's" : "link's", top,
                     hinted ? " (\"fragmentation needed\" errors come back)" : " (no \"fragmentation needed\" error came back)");
        diag_set_fix(c, "raise the MTU of the NAT64's IPv4 side (router, NAT64) to %" PRIu32 ", or set [CLAT] MTU=%" PRIu32 " on this host",
                     top, good);
        if (c)
                c->value = good;
        pinger_close(&p);
}

/* ---- DNS64: ipv4only.arpa AAAA asked of each of the link's resolvers ---- */

/* One AAAA query over UDP; the AAAA records of the answer section into `answers`.
 * Returns how many, or a negative errno (-ETIMEDOUT: no answer). */
static int dns_query_aaaa(const struct v6m_dns_server *server, struct in6_addr *answers, size_t max, int *ret_rcode) {
        uint8_t query[DNS64_QUERY_SIZE], reply[1500];
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } dst = {};
        socklen_t dst_len;
        uint16_t id;
        size_t qlen;
        uint64_t deadline;
        int fd, r;

        if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
                id = (uint16_t) now_usec();
        qlen = dns64_query_build(query, id);

        if (server->family == AF_INET6) {
                dst.in6 = (struct sockaddr_in6) { .sin6_family = AF_INET6, .sin6_port = htons(53),
                                                  .sin6_addr = server->address.in6,
                                                  .sin6_scope_id = (uint32_t) server->ifindex };
                dst_len = sizeof(dst.in6);
        } else {
                dst.in = (struct sockaddr_in) { .sin_family = AF_INET, .sin_port = htons(53),
                                                .sin_addr = server->address.in };
                dst_len = sizeof(dst.in);
        }
        fd = socket(server->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, &dst.sa, dst_len) < 0 || send(fd, query, qlen, 0) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        deadline = now_usec() + DNS_QUERY_TIMEOUT_USEC;
        for (;;) {
                ssize_t n;

                if (wait_readable(fd, deadline, POLLIN) <= 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                n = recv(fd, reply, sizeof(reply), MSG_DONTWAIT);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                r = dns64_answer_parse(reply, (size_t) n, id, answers, max, ret_rcode);
                if (r >= 0)
                        break; /* else not our answer (or garbage): keep waiting for it */
        }
        close(fd);
        return r;
}

static bool prefix_announced(const DiagProbeInput *in, const struct v6m_nat64_prefix *p) {
        for (size_t i = 0; i < in->n_ra_prefixes; i++)
                if (nat64_prefix_equal(in->ra_prefixes + i, p))
                        return true;
        return false;
}

/* Each resolver once, afresh (the passive dns64 check shows what the daemon last learned,
 * which is the first prefix of one resolver only). */
static void probe_dns64(const DiagProbeInput *in, DiagReport *report) {
        char evidence[DIAG_TEXT_MAX] = "", buf[64], server[INET6_ADDRSTRLEN + 16];
        DiagVerdict verdict = DIAG_PASS;
        DiagWhere where = DIAG_WHERE_NONE;
        char fix[DIAG_TEXT_MAX] = "";
        size_t n_answered = 0;
        DiagCheck *c;

        if (in->n_dns_servers == 0) {
                diag_add(report, "dns64-query", DIAG_SKIP, DIAG_WHERE_NONE,
                         "the link has no resolvers (no RDNSS, DHCPv4 DNS or [NAT64] DNS=)");
                return;
        }
        for (size_t i = 0; i < in->n_dns_servers; i++) {
                const struct v6m_dns_server *d = in->dns_servers + i;
                struct in6_addr answers[DNS_ANSWERS_MAX];
                Dns64Result result;
                int rcode = 0, n, len;
                size_t used = strlen(evidence);

                inet_ntop(d->family, &d->address, server, sizeof(server));
                len = (int) strlen(server);
                if (d->family == AF_INET6 && d->ifindex > 0)
                        snprintf(server + len, sizeof(server) - (size_t) len, "%%%d", d->ifindex);
                if (used + 1 < sizeof(evidence))
                        snprintf(evidence + used, sizeof(evidence) - used, "%s%s: ", used ? "; " : "", server);
                used = strlen(evidence);

                n = dns_query_aaaa(d, answers, ELEMENTSOF(answers), &rcode);
                if (n < 0) {
                        snprintf(evidence + used, sizeof(evidence) - used, "%s",
                                 n == -ETIMEDOUT ? "no answer" : strerror(-n));
                        continue;
                }
                if (n == 0 || dns64_prefix_derive(answers, (size_t) n, &result) <= 0) {
                        snprintf(evidence + used, sizeof(evidence) - used, "no synthesized AAAA (rcode %d): no DNS64",
                                 rcode);
                        continue;
                }
                n_answered++;
                bool all_announced = true;
                for (size_t k = 0; k < result.n_prefixes; k++) {
                        bool ok = in->n_ra_prefixes == 0 || prefix_announced(in, result.prefixes + k);

                        all_announced = all_announced && ok;
                        used = strlen(evidence);
                        snprintf(evidence + used, sizeof(evidence) - used, "%s%s%s", k ? ", " : "",
                                 nat64_prefix_to_string(result.prefixes + k, buf, sizeof(buf)), ok ? "" : " (not PREF64)");
                }
                /* An address synthesized from a prefix no router announces leads to no NAT64
                 * this host knows of: some connections fail, whichever the resolver lists first. */
                if (!all_announced) {
                        verdict = DIAG_FAIL;
                        where = DIAG_WHERE_DNS64;
                        snprintf(fix, sizeof(fix),
                                 "synthesize only from the routers' PREF64 prefix on %s, or announce every prefix it "
                                 "synthesizes from in PREF64",
                                 server);
                } else if (result.n_prefixes > 1 && verdict == DIAG_PASS) {
                        verdict = DIAG_WARN;
                        where = DIAG_WHERE_DNS64;
                        snprintf(fix, sizeof(fix),
                                 "synthesize from one prefix only on %s: hosts may use any of them (RFC 7050 §3)",
                                 server);
                }
        }
        if (n_answered == 0) {
                verdict = DIAG_WARN;
                where = DIAG_WHERE_DNS64;
                snprintf(fix, sizeof(fix), "enable DNS64 (RFC 6147) on the resolvers the network announces");
        }
        c = diag_add(report, "dns64-query", verdict, where, "ipv4only.arpa AAAA asked now: %s", evidence);
        if (c && fix[0])
                diag_set_fix(c, "%s", fix);
        if (c)
                c->value = (int64_t) n_answered;
}

/* What applications get: the system resolver (NSS, resolv.conf), not the link's servers. */
static void probe_host_resolver(const DiagProbeInput *in, DiagReport *report) {
        struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM }, *result = NULL;
        char evidence[DIAG_TEXT_MAX] = "", a[INET6_ADDRSTRLEN], prefix[64] = "";
        bool synthesized = false, ours = false;
        uint64_t start = now_usec();
        DiagCheck *c;
        int r;

        r = getaddrinfo(DNS64_QUERY_NAME, NULL, &hints, &result);
        if (r != 0) {
                c = diag_add(report, "host-resolver", DIAG_WARN, DIAG_WHERE_HOST,
                             "the system resolver has no AAAA for %s (%s, %" PRIu64 " ms): IPv6-only applications "
                             "cannot reach IPv4-only names",
                             DNS64_QUERY_NAME, gai_strerror(r), (now_usec() - start) / 1000);
                diag_set_fix(c, "point the system resolver (resolv.conf, systemd-resolved) at the link's DNS64 resolvers");
                return;
        }
        for (struct addrinfo *i = result; i; i = i->ai_next) {
                const struct in6_addr *addr = &((const struct sockaddr_in6 *) i->ai_addr)->sin6_addr;
                size_t used = strlen(evidence);

                if (i->ai_family != AF_INET6 || dns64_wka_positions(addr, NULL) == 0)
                        continue;
                synthesized = true;
                if (in->has_nat64) {
                        struct in6_addr expect;
                        struct in_addr v4;

                        nat64_prefix_extract_ipv4(&in->nat64, addr, &v4);
                        nat64_prefix_embed_ipv4(&in->nat64, &v4, &expect);
                        ours = ours || memcmp(&expect, addr, sizeof(expect)) == 0;
                }
                if (used + 1 < sizeof(evidence))
                        snprintf(evidence + used, sizeof(evidence) - used, "%s%s", used ? ", " : "",
                                 inet_ntop(AF_INET6, addr, a, sizeof(a)));
        }
        freeaddrinfo(result);
        if (in->has_nat64)
                nat64_prefix_to_string(&in->nat64, prefix, sizeof(prefix));

        if (!synthesized) {
                c = diag_add(report, "host-resolver", DIAG_WARN, DIAG_WHERE_HOST,
                             "the system resolver's AAAA for %s are not synthesized: no DNS64 behind it",
                             DNS64_QUERY_NAME);
                diag_set_fix(c, "point the system resolver at the link's DNS64 resolvers");
        } else if (in->has_nat64 && !ours) {
                c = diag_add(report, "host-resolver", DIAG_FAIL, DIAG_WHERE_HOST,
                             "the system resolver synthesizes %s for %s, not under the NAT64 prefix %s in use",
                             evidence, DNS64_QUERY_NAME, prefix);
                diag_set_fix(c, "the system resolver uses another network's DNS64 (a VPN's?): point it at this link's");
        } else
                diag_add(report, "host-resolver", DIAG_PASS, DIAG_WHERE_NONE,
                         "the system resolver answers %s with %s%s%s (%" PRIu64 " ms)", DNS64_QUERY_NAME, evidence,
                         in->has_nat64 ? ", under " : "", prefix, (now_usec() - start) / 1000);
}

static void probe_dhcp4(const DiagProbeInput *in, DiagReport *report) {
        static const uint8_t prl[] = { DHCP4_OPTION_SUBNET_MASK, DHCP4_OPTION_ROUTER, DHCP4_OPTION_DNS_SERVER,
                                       DHCP4_OPTION_DOMAIN_NAME, DHCP4_OPTION_IPV6_ONLY_PREFERRED };
        uint8_t buf[DHCP4_IP_UDP_HEADER_SIZE + 1500], rbuf[4096];
        struct sockaddr_ll sll = {
                .sll_family = AF_PACKET,
                .sll_protocol = htons(ETH_P_IP),
                .sll_ifindex = in->ifindex,
        };
        Dhcp4Message m = {
                .op = DHCP4_OP_BOOTREQUEST,
                .flags = DHCP4_FLAG_BROADCAST,
                .type = DHCP4_DISCOVER,
                .n_prl = sizeof(prl),
        };
        uint64_t deadline;
        int fd, n;
        size_t len;
        DiagCheck *c;

        if (!in->has_mac) {
                diag_add(report, "dhcp4-probe", DIAG_SKIP, DIAG_WHERE_NONE, "%s has no Ethernet address", in->ifname);
                return;
        }
        if (getrandom(&m.xid, sizeof(m.xid), GRND_NONBLOCK) != sizeof(m.xid))
                m.xid = (uint32_t) now_usec();
        memcpy(m.chaddr, in->mac, 6);
        memcpy(m.prl, prl, sizeof(prl));

        fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
        if (fd < 0 || bind(fd, (struct sockaddr *) &sll, sizeof(sll)) < 0) {
                diag_add(report, "dhcp4-probe", DIAG_SKIP, DIAG_WHERE_NONE, "cannot open a packet socket: %s", strerror(errno));
                if (fd >= 0)
                        close(fd);
                return;
        }
        n = dhcp4_message_build(&m, buf + DHCP4_IP_UDP_HEADER_SIZE, sizeof(buf) - DHCP4_IP_UDP_HEADER_SIZE);
        if (n < 0) {
                close(fd);
                diag_add(report, "dhcp4-probe", DIAG_SKIP, DIAG_WHERE_NONE, "cannot build the DISCOVER: %s", strerror(-n));
                return;
        }
        len = dhcp4_packet_build_udp(buf, (size_t) n, (struct in_addr) {}, DHCP4_CLIENT_PORT,
                                     (struct in_addr) { INADDR_BROADCAST }, DHCP4_SERVER_PORT);
        sll.sll_halen = ETH_ALEN;
        memset(sll.sll_addr, 0xff, ETH_ALEN);
        if (sendto(fd, buf, len, 0, (struct sockaddr *) &sll, sizeof(sll)) < 0) {
                diag_add(report, "dhcp4-probe", DIAG_SKIP, DIAG_WHERE_NONE, "cannot send the DISCOVER: %s", strerror(errno));
                close(fd);
                return;
        }

        deadline = now_usec() + DHCP4_PROBE_TIMEOUT_USEC;
        while (wait_readable(fd, deadline, POLLIN) > 0) {
                const uint8_t *payload;
                size_t payload_size;
                const char *reason;
                struct in_addr source;
                Dhcp4Message offer;
                char server[INET_ADDRSTRLEN], address[INET_ADDRSTRLEN];
                ssize_t got = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);

                if (got <= 0)
                        continue;
                /* The checksum is not verified: a veth peer on this host may not have filled it in. */
                if (dhcp4_packet_parse_udp(rbuf, (size_t) got, DHCP4_CLIENT_PORT, false, &source, &payload, &payload_size,
                                           &reason) < 0 ||
                    dhcp4_message_parse(payload, payload_size, &offer, &reason) < 0 ||
                    dhcp4_message_check_reply(&offer, m.xid, m.chaddr, &reason) < 0 || offer.type != DHCP4_OFFER)
                        continue;

                inet_ntop(AF_INET, offer.has_server_id ? &offer.server_id : &source, server, sizeof(server));
                inet_ntop(AF_INET, &offer.yiaddr, address, sizeof(address));
                close(fd);
                if (!offer.has_v6only_wait) {
                        c = diag_add(report, "dhcp4-probe", DIAG_WARN, DIAG_WHERE_DHCP_SERVER,
                                     "server %s offered %s without option 108, though the DISCOVER asked for it: "
                                     "IPv6-only capable clients would take an IPv4 lease",
                                     server, address);
                        diag_set_fix(c, "send option 108 (RFC 8925) to clients that request it (kea: "
                                        "v6-only-preferred; dnsmasq: dhcp-option=option:ipv6-only,1800)");
                } else if (offer.v6only_wait < V6ONLY_WAIT_MIN_S) {
                        c = diag_add(report, "dhcp4-probe", DIAG_WARN, DIAG_WHERE_DHCP_SERVER,
                                     "server %s offered option 108 with V6ONLY_WAIT %" PRIu32 " s, below the %u s minimum: "
                                     "clients wait %u s (RFC 8925 §3.4)",
                                     server, offer.v6only_wait, V6ONLY_WAIT_MIN_S, V6ONLY_WAIT_MIN_S);
                        diag_set_fix(c, "set option 108 to %u s or more (1800 is usual)", V6ONLY_WAIT_MIN_S);
                } else
                        c = diag_add(report, "dhcp4-probe", DIAG_PASS, DIAG_WHERE_NONE,
                                     "server %s offered option 108 with V6ONLY_WAIT %" PRIu32
                                     " s: IPv6-only capable clients leave IPv4 (no lease taken)",
                                     server, offer.v6only_wait);
                if (c)
                        c->value = offer.has_v6only_wait ? (int64_t) offer.v6only_wait : -1;
                return;
        }
        close(fd);
        diag_set_fix(diag_add(report, "dhcp4-probe", DIAG_WARN, DIAG_WHERE_DHCP_SERVER,
                              "no DHCPOFFER within %" PRIu64 " s", DHCP4_PROBE_TIMEOUT_USEC / USEC_PER_SEC),
                     "none answers on this link (fine on an IPv6-only network; else check the server or relay)");
}

void diag_run_probes(const DiagProbeInput *in, DiagReport *report) {
        if (in->flags & DIAG_FLAG_ACTIVE) {
                probe_dns64(in, report);
                probe_host_resolver(in, report);
                probe_nat64(in, report);
        }
        if (in->flags & DIAG_FLAG_PROBE_DHCP4)
                probe_dhcp4(in, report);
}
