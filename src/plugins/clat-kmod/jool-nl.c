/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "jool-nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(struct jool_nl_hdr) == 28, "Jool's joolnlhdr is 28 bytes");

static struct nl_msg *request(int family, uint32_t seq, uint8_t cmd, const char *iname) {
        struct jool_nl_hdr *h;
        struct nl_msg *msg;

        if (!iname || strlen(iname) >= JOOL_INAME_SIZE)
                return NULL;
        msg = nlmsg_alloc();
        if (!msg)
                return NULL;
        h = genlmsg_put(msg, NL_AUTO_PORT, seq, family, sizeof(*h), NLM_F_REQUEST | NLM_F_ACK, cmd,
                        JOOL_GENL_VERSION);
        if (!h) {
                nlmsg_free(msg);
                return NULL;
        }
        memset(h, 0, sizeof(*h));
        memcpy(h->magic, "jool", 4);
        h->version = htonl(JOOL_CLIENT_VERSION);
        h->xt = JOOL_XT_SIIT;
        memcpy(h->iname, iname, strlen(iname));
        return msg;
}

static int put_prefix(struct nl_msg *msg, int type, const void *addr, size_t addr_len, uint8_t len) {
        struct nlattr *p = nla_nest_start(msg, type);

        if (!p || nla_put(msg, JOOL_A_PREFIX_ADDR, (int) addr_len, addr) < 0 ||
            nla_put_u8(msg, JOOL_A_PREFIX_LEN, len) < 0)
                return -ENOMEM;
        return nla_nest_end(msg, p);
}

struct nl_msg *jool_nl_instance_add(int family, uint32_t seq, const char *iname, const struct in6_addr *pool6,
                                    uint8_t pool6_len) {
        struct nl_msg *msg = request(family, seq, JOOL_OP_INSTANCE_ADD, iname);
        struct nlattr *op;

        if (!msg)
                return NULL;
        op = nla_nest_start(msg, JOOL_A_OPERAND);
        if (!op || nla_put_u8(msg, JOOL_A_INSTANCE_ADD_XF, JOOL_XF_NETFILTER) < 0 ||
            put_prefix(msg, JOOL_A_INSTANCE_ADD_POOL6, pool6, sizeof(*pool6), pool6_len) < 0 ||
            nla_nest_end(msg, op) < 0) {
                nlmsg_free(msg);
                return NULL;
        }
        return msg;
}

struct nl_msg *jool_nl_instance_rm(int family, uint32_t seq, const char *iname) {
        return request(family, seq, JOOL_OP_INSTANCE_RM, iname);
}

struct nl_msg *jool_nl_instance_hello(int family, uint32_t seq, const char *iname) {
        return request(family, seq, JOOL_OP_INSTANCE_HELLO, iname);
}

struct nl_msg *jool_nl_eamt_add(int family, uint32_t seq, const char *iname, const struct in6_addr *addr6,
                                const struct in_addr *addr4) {
        struct nl_msg *msg = request(family, seq, JOOL_OP_EAMT_ADD, iname);
        struct nlattr *op;

        if (!msg)
                return NULL;
        op = nla_nest_start(msg, JOOL_A_OPERAND);
        if (!op || put_prefix(msg, JOOL_A_EAM_PREFIX6, addr6, sizeof(*addr6), 128) < 0 ||
            put_prefix(msg, JOOL_A_EAM_PREFIX4, addr4, sizeof(*addr4), 32) < 0 || nla_nest_end(msg, op) < 0) {
                nlmsg_free(msg);
                return NULL;
        }
        return msg;
}

int jool_nl_parse_reply(const void *payload, size_t len, int *ret_status, char *errmsg, size_t errmsg_size) {
        const size_t off = GENL_HDRLEN + NLMSG_ALIGN(sizeof(struct jool_nl_hdr));
        struct jool_nl_hdr h;
        int code = 0;

        *ret_status = JOOL_NL_STATUS_NONE;
        if (errmsg_size > 0)
                errmsg[0] = '\0';
        if (len < off)
                return -EBADMSG;
        memcpy(&h, (const uint8_t *) payload + GENL_HDRLEN, sizeof(h));
        if (memcmp(h.magic, "jool", 4) != 0)
                return -EBADMSG;

        /* Walk the attributes by hand: the buffer is not an nl_msg. */
        for (size_t p = off; p + NLA_HDRLEN <= len;) {
                struct nlattr a;
                const uint8_t *data = (const uint8_t *) payload + p + NLA_HDRLEN;
                size_t alen;

                memcpy(&a, (const uint8_t *) payload + p, sizeof(a));
                if (a.nla_len < NLA_HDRLEN || p + a.nla_len > len)
                        return -EBADMSG;
                alen = a.nla_len - NLA_HDRLEN;
                switch (a.nla_type & NLA_TYPE_MASK) {
                case JOOL_A_ERROR_CODE: /* == JOOL_A_INSTANCE_STATUS: tell them apart by the flag */
                        if (h.flags & JOOL_HDR_FLAG_ERROR) {
                                uint16_t c;

                                if (alen < 2)
                                        return -EBADMSG;
                                memcpy(&c, data, 2);
                                code = c;
                        } else if (alen >= 1)
                                *ret_status = data[0];
                        break;
                case JOOL_A_ERROR_MSG:
                        if ((h.flags & JOOL_HDR_FLAG_ERROR) && errmsg_size > 0)
                                snprintf(errmsg, errmsg_size, "%.*s", (int) strnlen((const char *) data, alen),
                                         (const char *) data);
                        break;
                }
                p += NLA_ALIGN(a.nla_len);
        }
        if (h.flags & JOOL_HDR_FLAG_ERROR) {
                /* Jool trims messages with trailing newlines; keep one line. */
                char *nl = errmsg_size > 0 ? strchr(errmsg, '\n') : NULL;

                if (nl)
                        *nl = '\0';
                return code > 0 ? -code : -EIO;
        }
        return 0;
}
