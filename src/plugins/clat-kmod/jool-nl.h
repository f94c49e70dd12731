/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The requests the kmod backend sends to Jool's SIIT module (4.1.x) over its generic
 * netlink family "Jool", built with libnl, and the parsing of its replies.
 *
 * Wire format (Jool 4.1, src/common/config.h of jool-dkms, written down here so we do
 * not build against Jool's headers): after the genetlink header comes a fixed user
 * header (the family's hdrsize)
 *     char magic[4] = "jool"; __be32 version; __u8 xt; __u8 flags; __u8 r1, r2;
 *     char iname[16];
 * then attributes. The module accepts any client of the same major.minor version.
 * Replies are a genetlink message of the same family: the same user header, with
 * JOOLNLHDR_FLAGS_ERROR set and JNLAERR_CODE (u16, positive errno) / JNLAERR_MSG
 * (string) when the request failed. */

#include <netinet/in.h>
#include <netlink/msg.h>
#include <stdbool.h>
#include <stdint.h>

#define JOOL_GENL_FAMILY "Jool"
#define JOOL_GENL_VERSION 2
/* The client version we announce: the protocol of 4.1.x (checked on major.minor). */
#define JOOL_CLIENT_VERSION ((4u << 24) | (1u << 16) | (9u << 8) | 0u)
#define JOOL_INAME_SIZE 16

enum {
        JOOL_OP_INSTANCE_FOREACH = 0,
        JOOL_OP_INSTANCE_ADD = 1,
        JOOL_OP_INSTANCE_HELLO = 2,
        JOOL_OP_INSTANCE_RM = 3,
        JOOL_OP_INSTANCE_FLUSH = 4,
        JOOL_OP_EAMT_ADD = 11,
};

/* Root attributes. */
#define JOOL_A_OPERAND 10
/* Inside JOOL_A_OPERAND of INSTANCE_ADD. */
#define JOOL_A_INSTANCE_ADD_XF 1
#define JOOL_A_INSTANCE_ADD_POOL6 2
/* Inside JOOL_A_OPERAND of EAMT_ADD. */
#define JOOL_A_EAM_PREFIX6 1
#define JOOL_A_EAM_PREFIX4 2
/* A prefix: address (4 or 16 bytes) and length (u8). */
#define JOOL_A_PREFIX_ADDR 1
#define JOOL_A_PREFIX_LEN 2
/* Replies. */
#define JOOL_A_INSTANCE_STATUS 1 /* u8, HELLO: 0 alive, 1 dead */
#define JOOL_A_ERROR_CODE 1      /* u16 */
#define JOOL_A_ERROR_MSG 2       /* string */

#define JOOL_XT_SIIT (1u << 0)
#define JOOL_XF_NETFILTER (1u << 2)
#define JOOL_HDR_FLAG_ERROR (1u << 0)

struct jool_nl_hdr {
        char magic[4];
        uint32_t version; /* big endian */
        uint8_t xt;
        uint8_t flags;
        uint8_t reserved1;
        uint8_t reserved2;
        char iname[JOOL_INAME_SIZE];
};

/* Each builds a complete request into a new message (NULL on ENOMEM or a name that is
 * too long); seq 0 and port 0 let nl_send_auto() fill them. */
struct nl_msg *jool_nl_instance_add(int family, uint32_t seq, const char *iname, const struct in6_addr *pool6,
                                    uint8_t pool6_len);
struct nl_msg *jool_nl_instance_rm(int family, uint32_t seq, const char *iname);
struct nl_msg *jool_nl_instance_hello(int family, uint32_t seq, const char *iname);
struct nl_msg *jool_nl_eamt_add(int family, uint32_t seq, const char *iname, const struct in6_addr *addr6,
                                const struct in_addr *addr4);

enum jool_nl_status {
        JOOL_NL_STATUS_NONE = -1, /* the reply had no status attribute */
        JOOL_NL_STATUS_ALIVE = 0,
        JOOL_NL_STATUS_DEAD = 1,
};

/* Parse a reply (the bytes after the nlmsghdr: genlmsghdr, user header, attributes).
 * Returns 0 for success, the negative errno the module reported (message copied into
 * errmsg), or -EBADMSG for something that is not a Jool reply. *ret_status gets the
 * HELLO status when there is one. */
int jool_nl_parse_reply(const void *payload, size_t len, int *ret_status, char *errmsg, size_t errmsg_size);
