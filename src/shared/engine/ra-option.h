/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Router Advertisement options that the kernel leaves to userspace, as it delivers them:
 * one RTM_NEWNDUSEROPT netlink message per option, carrying a struct nduseroptmsg, the
 * option bytes, and an NDUSEROPT_SRCADDR attribute with the router's address.
 *
 *   PREF64 (type 38, RFC 8781)  the NAT64 prefix
 *   RDNSS  (type 25, RFC 8106)  recursive DNS servers
 *   DNSSL  (type 31, RFC 8106)  DNS search list
 *
 * Pure parsing: no allocation, no state. Every malformed input is rejected with a named
 * reason (ra_option_error_to_string()), so a caller can count and log what it dropped.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "v6mostly/types.h"

enum {
        RA_OPTION_RDNSS = 25,
        RA_OPTION_DNSSL = 31,
        RA_OPTION_PREF64 = 38,
};

#define RA_OPTION_LIFETIME_INFINITY UINT32_MAX /* RFC 8106 §5.1: all one bits */

/* An option is at most 255 units of 8 octets; its header takes 8 octets. */
#define RA_OPTION_MAX_SIZE (255u * 8u)
#define RA_RDNSS_MAX_ADDRESSES ((RA_OPTION_MAX_SIZE - 8u) / 16u)
/* DNSSL names in dotted form, each NUL-terminated: never longer than their wire form. */
#define RA_DNSSL_MAX_NAMES_SIZE (RA_OPTION_MAX_SIZE - 8u)

typedef enum RaOptionError {
        RA_OPTION_ERROR_MESSAGE_TRUNCATED,  /* shorter than struct nduseroptmsg + its options */
        RA_OPTION_ERROR_MESSAGE_FAMILY,     /* nduseropt_family is not AF_INET6 */
        RA_OPTION_ERROR_MESSAGE_ICMP_TYPE,  /* not from a Router Advertisement (ICMPv6 134/0) */
        RA_OPTION_ERROR_MESSAGE_ATTRIBUTE,  /* a netlink attribute runs past the message */
        RA_OPTION_ERROR_NO_SOURCE,          /* no NDUSEROPT_SRCADDR of 16 bytes */
        RA_OPTION_ERROR_TRUNCATED,          /* fewer bytes than the option's length field says */
        RA_OPTION_ERROR_ZERO_LENGTH,        /* RFC 4861 §4.6: length 0 */
        RA_OPTION_ERROR_UNKNOWN_TYPE,       /* not PREF64, RDNSS or DNSSL */
        RA_OPTION_ERROR_PREF64_LENGTH,      /* RFC 8781 §4: length is not 2 */
        RA_OPTION_ERROR_PREF64_PLC,         /* RFC 8781 §4: Prefix Length Code 6 or 7 */
        RA_OPTION_ERROR_PREF64_PREFIX,      /* RFC 6052 §2.2: a /96 with the "u" octet set */
        RA_OPTION_ERROR_RDNSS_LENGTH,       /* RFC 8106 §5.1: length not odd or < 3 */
        RA_OPTION_ERROR_DNSSL_LENGTH,       /* RFC 8106 §5.2: length < 2 */
        RA_OPTION_ERROR_DNSSL_LABEL,        /* a label longer than 63 octets, or a compression pointer */
        RA_OPTION_ERROR_DNSSL_NAME_LENGTH,  /* a name longer than 255 octets */
        RA_OPTION_ERROR_DNSSL_NAME_TRUNCATED, /* a name runs past the end of the option */
        RA_OPTION_ERROR_DNSSL_PADDING,      /* non-zero octets after the padding began */
        RA_OPTION_ERROR_DNSSL_EMPTY,        /* no domain name at all */
        _RA_OPTION_ERROR_MAX,
} RaOptionError;

const char *ra_option_error_to_string(RaOptionError e);

typedef struct RaPref64 {
        struct v6m_nat64_prefix prefix; /* bits past prefix.len are zero */
        uint32_t lifetime_s;            /* scaled lifetime × 8, 0 = withdraw */
} RaPref64;

typedef struct RaRdnss {
        uint32_t lifetime_s; /* RA_OPTION_LIFETIME_INFINITY, 0 = withdraw */
        size_t n_addresses;
        struct in6_addr addresses[RA_RDNSS_MAX_ADDRESSES];
} RaRdnss;

typedef struct RaDnssl {
        uint32_t lifetime_s;
        size_t n_domains;
        /* n_domains names, each in lowercase dotted form without the trailing dot,
         * NUL-terminated, back to back in names_size bytes: walk them with
         * RA_DNSSL_FOREACH(). */
        size_t names_size;
        char names[RA_DNSSL_MAX_NAMES_SIZE];
} RaDnssl;

typedef struct RaOption {
        uint8_t type; /* RA_OPTION_* */
        union {
                RaPref64 pref64;
                RaRdnss rdnss;
                RaDnssl dnssl;
        };
} RaOption;

/* One ND option (type, length, body), exactly `size` bytes or more (bytes past the
 * option's own length are not looked at). Returns the option's length in bytes (> 0),
 * or -EBADMSG with *ret_error set. */
int ra_option_parse(const uint8_t *data, size_t size, RaOption *ret, RaOptionError *ret_error);

/* The nduseroptmsg part of an RTM_NEWNDUSEROPT message (the payload after struct
 * nlmsghdr): checks the header and finds the router's address. The options themselves
 * are at *ret_options (*ret_options_size bytes), to be walked with ra_option_parse().
 * Returns 0 or -EBADMSG with *ret_error set. */
typedef struct RaUserOptMessage {
        int ifindex;
        struct in6_addr router; /* NDUSEROPT_SRCADDR */
        const uint8_t *options;
        size_t options_size;
} RaUserOptMessage;

int ra_useropt_message_parse(const uint8_t *data, size_t size, RaUserOptMessage *ret, RaOptionError *ret_error);

#define RA_DNSSL_FOREACH(d, dnssl) \
        for (const char *d = (dnssl)->names; d < (dnssl)->names + (dnssl)->names_size; d += strlen(d) + 1)
