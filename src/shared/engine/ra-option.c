/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ra-option.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "macro.h"
#include "nat64-prefix.h"

#define ND_ROUTER_ADVERT_TYPE 134

static const char *const ra_option_error_table[_RA_OPTION_ERROR_MAX] = {
        [RA_OPTION_ERROR_MESSAGE_TRUNCATED] = "message-truncated",
        [RA_OPTION_ERROR_MESSAGE_FAMILY] = "message-family",
        [RA_OPTION_ERROR_MESSAGE_ICMP_TYPE] = "message-icmp-type",
        [RA_OPTION_ERROR_MESSAGE_ATTRIBUTE] = "message-attribute",
        [RA_OPTION_ERROR_NO_SOURCE] = "no-source-address",
        [RA_OPTION_ERROR_TRUNCATED] = "truncated",
        [RA_OPTION_ERROR_ZERO_LENGTH] = "zero-length",
        [RA_OPTION_ERROR_UNKNOWN_TYPE] = "unknown-type",
        [RA_OPTION_ERROR_PREF64_LENGTH] = "pref64-length",
        [RA_OPTION_ERROR_PREF64_PLC] = "pref64-plc",
        [RA_OPTION_ERROR_PREF64_PREFIX] = "pref64-prefix",
        [RA_OPTION_ERROR_RDNSS_LENGTH] = "rdnss-length",
        [RA_OPTION_ERROR_DNSSL_LENGTH] = "dnssl-length",
        [RA_OPTION_ERROR_DNSSL_LABEL] = "dnssl-label",
        [RA_OPTION_ERROR_DNSSL_NAME_LENGTH] = "dnssl-name-length",
        [RA_OPTION_ERROR_DNSSL_NAME_TRUNCATED] = "dnssl-name-truncated",
        [RA_OPTION_ERROR_DNSSL_PADDING] = "dnssl-padding",
        [RA_OPTION_ERROR_DNSSL_EMPTY] = "dnssl-empty",
};

const char *ra_option_error_to_string(RaOptionError e) {
        if ((int) e < 0 || e >= _RA_OPTION_ERROR_MAX)
                return NULL;
        return ra_option_error_table[e];
}

static int fail(RaOptionError e, RaOptionError *ret_error) {
        if (ret_error)
                *ret_error = e;
        return -EBADMSG;
}

static uint16_t be16_at(const uint8_t *p) {
        return (uint16_t) ((p[0] << 8) | p[1]);
}

static uint32_t be32_at(const uint8_t *p) {
        return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

/* RFC 8781 §4: PLC 0..5 → /96 /64 /56 /48 /40 /32. */
static const uint8_t pref64_plc_to_length[] = { 96, 64, 56, 48, 40, 32 };

/* RFC 8781 §4:
 *   0: type 38, 1: length 2, 2-3: scaled lifetime (13 bits) | PLC (3 bits),
 *   4-15: the highest 96 bits of the prefix. */
static int parse_pref64(const uint8_t *o, size_t len, RaPref64 *ret, RaOptionError *ret_error) {
        uint16_t lifetime_plc;
        unsigned plc, bytes;

        if (len != 16)
                return fail(RA_OPTION_ERROR_PREF64_LENGTH, ret_error);
        lifetime_plc = be16_at(o + 2);
        plc = lifetime_plc & 0x7u;
        if (plc >= ELEMENTSOF(pref64_plc_to_length))
                return fail(RA_OPTION_ERROR_PREF64_PLC, ret_error);

        *ret = (RaPref64) {
                .prefix.len = pref64_plc_to_length[plc],
                /* §4.1: the lifetime is in units of 8 seconds. */
                .lifetime_s = (uint32_t) (lifetime_plc >> 3) * 8u,
        };
        /* §4: bits past the prefix length are ignored: copy only the prefix's own bytes
         * (every length is a multiple of 8), the rest stays zero. */
        bytes = ret->prefix.len / 8u;
        memcpy(ret->prefix.prefix.s6_addr, o + 4, bytes);
        /* What is left to check is RFC 6052's: the u octet of a /96. */
        if (nat64_prefix_validate(&ret->prefix, NULL) < 0)
                return fail(RA_OPTION_ERROR_PREF64_PREFIX, ret_error);
        return 0;
}

/* RFC 8106 §5.1: 0: type 25, 1: length (3 + 2 × addresses), 2-3: reserved,
 * 4-7: lifetime, 8-: addresses. */
static int parse_rdnss(const uint8_t *o, size_t len, RaRdnss *ret, RaOptionError *ret_error) {
        size_t units = len / 8u;

        if (units < 3 || units % 2 == 0)
                return fail(RA_OPTION_ERROR_RDNSS_LENGTH, ret_error);
        ret->lifetime_s = be32_at(o + 4);
        ret->n_addresses = (len - 8u) / 16u;
        for (size_t i = 0; i < ret->n_addresses; i++)
                memcpy(ret->addresses + i, o + 8 + 16 * i, 16);
        return 0;
}

static bool dns_label_char_ok(uint8_t c) {
        /* Search domains end up in resolver configuration and on the bus: only host-name
         * characters (RFC 952/1123) plus '_', nothing that would need escaping. */
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* RFC 8106 §5.2: 0: type 31, 1: length (≥ 2), 2-3: reserved, 4-7: lifetime, 8-: domain
 * names in RFC 1035 §3.1 encoding (no compression), the last one padded with zeros to
 * the end of the option. */
static int parse_dnssl(const uint8_t *o, size_t len, RaDnssl *ret, RaOptionError *ret_error) {
        size_t i = 8, out = 0;

        if (len < 16)
                return fail(RA_OPTION_ERROR_DNSSL_LENGTH, ret_error);
        ret->lifetime_s = be32_at(o + 4);
        ret->n_domains = 0;
        ret->names_size = 0;

        while (i < len) {
                size_t name_start = i, name_out = out;

                if (o[i] == 0) {
                        /* A zero octet where a name would start: the padding. Everything
                         * from here to the end of the option must be zero. */
                        for (; i < len; i++)
                                if (o[i] != 0)
                                        return fail(RA_OPTION_ERROR_DNSSL_PADDING, ret_error);
                        break;
                }
                for (;;) {
                        uint8_t label;

                        if (i >= len)
                                return fail(RA_OPTION_ERROR_DNSSL_NAME_TRUNCATED, ret_error);
                        label = o[i++];
                        if (label == 0)
                                break;
                        if (label > 63) /* 64..255: compression pointers and reserved forms */
                                return fail(RA_OPTION_ERROR_DNSSL_LABEL, ret_error);
                        if (i + label > len)
                                return fail(RA_OPTION_ERROR_DNSSL_NAME_TRUNCATED, ret_error);
                        /* RFC 1035 §2.3.4: 255 octets for the whole name, the root's zero
                         * octet included. */
                        if (i + label + 1 - name_start > 255)
                                return fail(RA_OPTION_ERROR_DNSSL_NAME_LENGTH, ret_error);
                        if (out > name_out)
                                ret->names[out++] = '.';
                        for (size_t k = 0; k < label; k++) {
                                uint8_t c = o[i + k];

                                if (!dns_label_char_ok(c))
                                        return fail(RA_OPTION_ERROR_DNSSL_LABEL, ret_error);
                                ret->names[out++] = (char) ((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
                        }
                        i += label;
                }
                /* Dotted form: labels + dots + NUL ≤ wire form (length octets + root). */
                ret->names[out++] = '\0';
                ret->n_domains++;
                ret->names_size = out;
        }
        if (ret->n_domains == 0)
                return fail(RA_OPTION_ERROR_DNSSL_EMPTY, ret_error);
        return 0;
}

int ra_option_parse(const uint8_t *data, size_t size, RaOption *ret, RaOptionError *ret_error) {
        size_t len;
        int r;

        assert(ret);

        if (!data || size < 2)
                return fail(RA_OPTION_ERROR_TRUNCATED, ret_error);
        /* RFC 4861 §4.6: the length counts units of 8 octets, header included; 0 is
         * invalid (and would make a walk over options loop forever). */
        if (data[1] == 0)
                return fail(RA_OPTION_ERROR_ZERO_LENGTH, ret_error);
        len = (size_t) data[1] * 8u;
        if (len > size)
                return fail(RA_OPTION_ERROR_TRUNCATED, ret_error);

        ret->type = data[0];
        switch (data[0]) {
        case RA_OPTION_PREF64:
                r = parse_pref64(data, len, &ret->pref64, ret_error);
                break;
        case RA_OPTION_RDNSS:
                r = parse_rdnss(data, len, &ret->rdnss, ret_error);
                break;
        case RA_OPTION_DNSSL:
                r = parse_dnssl(data, len, &ret->dnssl, ret_error);
                break;
        default:
                return fail(RA_OPTION_ERROR_UNKNOWN_TYPE, ret_error);
        }
        if (r < 0)
                return r;
        return (int) len;
}

int ra_useropt_message_parse(const uint8_t *data, size_t size, RaUserOptMessage *ret, RaOptionError *ret_error) {
        struct nduseroptmsg h;
        size_t attrs;
        bool have_source = false;

        assert(ret);

        if (!data || size < sizeof(h))
                return fail(RA_OPTION_ERROR_MESSAGE_TRUNCATED, ret_error);
        memcpy(&h, data, sizeof(h));
        if (h.nduseropt_family != AF_INET6)
                return fail(RA_OPTION_ERROR_MESSAGE_FAMILY, ret_error);
        if (h.nduseropt_icmp_type != ND_ROUTER_ADVERT_TYPE || h.nduseropt_icmp_code != 0)
                return fail(RA_OPTION_ERROR_MESSAGE_ICMP_TYPE, ret_error);
        if (size - sizeof(h) < h.nduseropt_opts_len)
                return fail(RA_OPTION_ERROR_MESSAGE_TRUNCATED, ret_error);

        *ret = (RaUserOptMessage) {
                .ifindex = h.nduseropt_ifindex,
                .options = data + sizeof(h),
                .options_size = h.nduseropt_opts_len,
        };

        /* The attributes follow the options, netlink-aligned (as nlmsg_attrdata() finds them). */
        attrs = NLMSG_ALIGN(sizeof(h) + h.nduseropt_opts_len);
        while (attrs < size) {
                struct rtattr a;

                if (size - attrs < sizeof(a))
                        return fail(RA_OPTION_ERROR_MESSAGE_ATTRIBUTE, ret_error);
                memcpy(&a, data + attrs, sizeof(a));
                if (a.rta_len < sizeof(a) || a.rta_len > size - attrs)
                        return fail(RA_OPTION_ERROR_MESSAGE_ATTRIBUTE, ret_error);
                if (a.rta_type == NDUSEROPT_SRCADDR) {
                        if (a.rta_len != RTA_LENGTH(sizeof(struct in6_addr)))
                                return fail(RA_OPTION_ERROR_NO_SOURCE, ret_error);
                        memcpy(&ret->router, data + attrs + RTA_LENGTH(0), sizeof(struct in6_addr));
                        have_source = true;
                }
                attrs += RTA_ALIGN(a.rta_len);
        }
        if (!have_source)
                return fail(RA_OPTION_ERROR_NO_SOURCE, ret_error);
        return 0;
}
