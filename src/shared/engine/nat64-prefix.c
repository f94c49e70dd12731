/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nat64-prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

/* RFC 6052 §2.2: bits 64..71 of an IPv4-embedded address are the "u" octet, which must be
 * zero and never carries IPv4 bits, so the embedded address skips over it. */
#define NAT64_U_OCTET 8

/* Reasons are static strings (callers keep the pointer), hence one per valid length. */
static const struct {
        unsigned len;
        const char *bits_beyond;
} nat64_prefix_lengths[] = {
        { 32, "has bits set beyond /32" }, { 40, "has bits set beyond /40" },
        { 48, "has bits set beyond /48" }, { 56, "has bits set beyond /56" },
        { 64, "has bits set beyond /64" }, { 96, "has bits set beyond /96" },
};

bool nat64_prefix_length_valid(unsigned len) {
        for (size_t i = 0; i < ELEMENTSOF(nat64_prefix_lengths); i++)
                if (nat64_prefix_lengths[i].len == len)
                        return true;
        return false;
}

int nat64_prefix_validate(const struct v6m_nat64_prefix *p, const char **ret_reason) {
        const char *reason = NULL;

        if (!p)
                return -EINVAL;

        for (size_t i = 0; i < ELEMENTSOF(nat64_prefix_lengths); i++) {
                if (nat64_prefix_lengths[i].len != p->len)
                        continue;

                /* Every valid length is a multiple of 8, so "beyond the length" is whole bytes. */
                for (size_t b = p->len / 8; b < sizeof(p->prefix.s6_addr); b++)
                        if (p->prefix.s6_addr[b] != 0) {
                                reason = nat64_prefix_lengths[i].bits_beyond;
                                goto fail;
                        }

                /* Only a /96 covers the u octet; shorter prefixes were checked above. */
                if (p->prefix.s6_addr[NAT64_U_OCTET] != 0) {
                        reason = "has bits 64..71 (the \"u\" octet) set, which RFC 6052 requires to be zero";
                        goto fail;
                }

                if (ret_reason)
                        *ret_reason = NULL;
                return 0;
        }

        reason = "has an invalid prefix length (RFC 6052 allows 32, 40, 48, 56, 64 or 96)";
fail:
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

static int nat64_prefix_parse_length(const char *s, unsigned *ret) {
        unsigned v = 0;

        /* Strict decimal: strtoul() would accept signs, spaces and "0x". */
        if (!s || s[0] == '\0' || strlen(s) > 3)
                return -EINVAL;
        for (const char *c = s; *c; c++) {
                if (*c < '0' || *c > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (*c - '0');
        }
        *ret = v;
        return 0;
}

int nat64_prefix_from_string(const char *s, struct v6m_nat64_prefix *ret, const char **ret_reason) {
        char address[INET6_ADDRSTRLEN];
        struct v6m_nat64_prefix p = {};
        const char *slash;
        unsigned len;
        size_t n;
        int r;

        if (!s || !ret) {
                if (ret_reason)
                        *ret_reason = "no prefix given";
                return -EINVAL;
        }

        slash = strchr(s, '/');
        if (!slash) {
                if (ret_reason)
                        *ret_reason = "lacks a prefix length, e.g. \"/96\"";
                return -EINVAL;
        }

        n = (size_t) (slash - s);
        if (n == 0 || n >= sizeof(address)) {
                if (ret_reason)
                        *ret_reason = "is not a valid IPv6 address";
                return -EINVAL;
        }
        memcpy(address, s, n);
        address[n] = '\0';
        if (inet_pton(AF_INET6, address, &p.prefix) != 1) {
                if (ret_reason)
                        *ret_reason = "is not a valid IPv6 address";
                return -EINVAL;
        }

        if (nat64_prefix_parse_length(slash + 1, &len) < 0 || !nat64_prefix_length_valid(len)) {
                if (ret_reason)
                        *ret_reason = "has an invalid prefix length (RFC 6052 allows 32, 40, 48, 56, 64 or 96)";
                return -EINVAL;
        }
        p.len = (uint8_t) len;

        r = nat64_prefix_validate(&p, ret_reason);
        if (r < 0)
                return r;

        *ret = p;
        return 0;
}

char *nat64_prefix_to_string(const struct v6m_nat64_prefix *p, char *buf, size_t size) {
        char address[INET6_ADDRSTRLEN];

        if (!buf || size == 0)
                return buf;
        if (!p || !inet_ntop(AF_INET6, &p->prefix, address, sizeof(address))) {
                buf[0] = '\0';
                return buf;
        }
        snprintf(buf, size, "%s/%u", address, (unsigned) p->len);
        return buf;
}

bool nat64_prefix_equal(const struct v6m_nat64_prefix *a, const struct v6m_nat64_prefix *b) {
        if (!a || !b)
                return a == b;
        return a->len == b->len && memcmp(&a->prefix, &b->prefix, sizeof(a->prefix)) == 0;
}

/* Byte positions of the four IPv4 octets for a prefix length (RFC 6052 §2.2 figure 1). */
static void nat64_ipv4_positions(unsigned len, size_t ret[4]) {
        size_t pos = len / 8;

        for (size_t i = 0; i < 4; i++) {
                if (pos == NAT64_U_OCTET)
                        pos++;
                ret[i] = pos++;
        }
}

void nat64_prefix_embed_ipv4(const struct v6m_nat64_prefix *p, const struct in_addr *v4, struct in6_addr *ret) {
        const uint8_t *octets = (const uint8_t *) &v4->s_addr;
        struct in6_addr a = {};
        size_t pos[4];

        /* An unchecked length would place octets outside the address. */
        if (!nat64_prefix_length_valid(p->len)) {
                *ret = a;
                return;
        }

        /* Copy only the prefix bytes: the u octet and the suffix must come out zero even if
         * the caller hands in a prefix that was never validated. */
        memcpy(a.s6_addr, p->prefix.s6_addr, p->len / 8);
        a.s6_addr[NAT64_U_OCTET] = 0;

        nat64_ipv4_positions(p->len, pos);
        for (size_t i = 0; i < 4; i++)
                a.s6_addr[pos[i]] = octets[i];

        *ret = a;
}

void nat64_prefix_extract_ipv4(const struct v6m_nat64_prefix *p, const struct in6_addr *v6, struct in_addr *ret) {
        uint8_t octets[4];
        size_t pos[4];

        if (!nat64_prefix_length_valid(p->len)) {
                ret->s_addr = 0;
                return;
        }

        nat64_ipv4_positions(p->len, pos);
        for (size_t i = 0; i < 4; i++)
                octets[i] = v6->s6_addr[pos[i]];

        memcpy(&ret->s_addr, octets, sizeof(octets));
}
