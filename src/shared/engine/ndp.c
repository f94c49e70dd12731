/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ndp.h"

#include <errno.h>
#include <string.h>

#include "macro.h"

void ndp_solicited_node(const struct in6_addr *address, struct in6_addr *ret) {
        *ret = (struct in6_addr) { .s6_addr = { 0xff, 0x02, [11] = 0x01, [12] = 0xff } };
        memcpy(ret->s6_addr + 13, address->s6_addr + 13, 3);
}

void ndp_multicast_mac(const struct in6_addr *group, uint8_t ret[static 6]) {
        ret[0] = 0x33;
        ret[1] = 0x33;
        memcpy(ret + 2, group->s6_addr + 12, 4);
}

static uint32_t sum16(const uint8_t *p, size_t size, uint32_t sum) {
        for (; size > 1; p += 2, size -= 2)
                sum += (uint32_t) p[0] << 8 | p[1];
        if (size)
                sum += (uint32_t) p[0] << 8;
        return sum;
}

uint16_t ndp_icmp6_checksum(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *payload,
                            size_t size) {
        uint32_t sum = 0;

        sum = sum16(src->s6_addr, 16, sum);
        sum = sum16(dst->s6_addr, 16, sum);
        sum += (uint32_t) (size >> 16) + (uint32_t) (size & 0xffff);
        sum += IPPROTO_ICMPV6;
        sum = sum16(payload, size, sum);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t) ~sum;
}

static void ip6_header(uint8_t *buf, size_t payload_size, const struct in6_addr *src, const struct in6_addr *dst) {
        memset(buf, 0, 40);
        buf[0] = 0x60;
        buf[4] = (uint8_t) (payload_size >> 8);
        buf[5] = (uint8_t) payload_size;
        buf[6] = IPPROTO_ICMPV6;
        buf[7] = NDP_HOP_LIMIT;
        memcpy(buf + 8, src, 16);
        memcpy(buf + 24, dst, 16);
}

static void icmp6_finish(uint8_t *buf, size_t payload_size) {
        struct in6_addr src, dst;
        uint16_t c;

        memcpy(&src, buf + 8, 16);
        memcpy(&dst, buf + 24, 16);
        c = ndp_icmp6_checksum(&src, &dst, buf + 40, payload_size);
        buf[42] = (uint8_t) (c >> 8);
        buf[43] = (uint8_t) c;
}

size_t ndp_build_dad_ns(const struct in6_addr *target, uint8_t buf[static NDP_DAD_NS_SIZE]) {
        struct in6_addr group;

        ndp_solicited_node(target, &group);
        ip6_header(buf, 24, &in6addr_any, &group);
        memset(buf + 40, 0, 24);
        buf[40] = NDP_TYPE_NS;
        memcpy(buf + 48, target, 16);
        icmp6_finish(buf, 24);
        return NDP_DAD_NS_SIZE;
}

size_t ndp_build_na(const struct in6_addr *target, const struct in6_addr *destination, const uint8_t mac[static 6],
                    bool solicited, uint8_t buf[static NDP_NA_SIZE]) {
        ip6_header(buf, 32, target, destination);
        memset(buf + 40, 0, 32);
        buf[40] = NDP_TYPE_NA;
        buf[44] = (uint8_t) ((solicited ? 0x40 : 0) | 0x20); /* S, O */
        memcpy(buf + 48, target, 16);
        buf[64] = 2; /* Target Link-Layer Address */
        buf[65] = 1;
        memcpy(buf + 66, mac, 6);
        icmp6_finish(buf, 32);
        return NDP_NA_SIZE;
}

int ndp_parse(const uint8_t *packet, size_t size, NdpMessage *ret) {
        size_t payload_size, off;
        struct in6_addr src, dst;
        uint8_t type;

        if (size < 40 + 24 || (packet[0] >> 4) != 6 || packet[6] != IPPROTO_ICMPV6 || packet[7] != NDP_HOP_LIMIT)
                return -EBADMSG;
        payload_size = (size_t) packet[4] << 8 | packet[5];
        if (payload_size < 24 || payload_size > size - 40)
                return -EBADMSG;
        type = packet[40];
        if ((type != NDP_TYPE_NS && type != NDP_TYPE_NA) || packet[41] != 0)
                return -EBADMSG;
        memcpy(&src, packet + 8, 16);
        memcpy(&dst, packet + 24, 16);
        if (ndp_icmp6_checksum(&src, &dst, packet + 40, payload_size) != 0)
                return -EBADMSG;

        *ret = (NdpMessage) { .type = type, .source = src, .destination = dst };
        memcpy(&ret->target, packet + 48, 16);
        if (IN6_IS_ADDR_MULTICAST(&ret->target))
                return -EBADMSG;
        if (type == NDP_TYPE_NA) {
                ret->solicited = packet[44] & 0x40;
                ret->override = packet[44] & 0x20;
                if (ret->solicited && IN6_IS_ADDR_MULTICAST(&dst))
                        return -EBADMSG;
        }
        for (off = 40 + 24; off + 2 <= 40 + payload_size;) {
                size_t len = (size_t) packet[off + 1] * 8;

                if (len == 0 || off + len > 40 + payload_size)
                        return -EBADMSG;
                if (((type == NDP_TYPE_NS && packet[off] == 1) || (type == NDP_TYPE_NA && packet[off] == 2)) &&
                    len == 8) {
                        ret->has_link_address = true;
                        memcpy(ret->link_address, packet + off + 2, 6);
                }
                off += len;
        }
        /* RFC 4861 §7.1.1: an NS from :: goes to a solicited-node group and has no
         * source link-layer address. */
        if (type == NDP_TYPE_NS && IN6_IS_ADDR_UNSPECIFIED(&src) &&
            (ret->has_link_address || !(dst.s6_addr[0] == 0xff && dst.s6_addr[11] == 0x01 && dst.s6_addr[12] == 0xff)))
                return -EBADMSG;
        return 0;
}
