/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A reply message of the request, handed over by nl_transact(); a negative return is
 * remembered and becomes nl_transact()'s result unless the kernel reports an error. */
typedef int (*nl_reply_handler_t)(struct nlmsghdr *h, void *userdata);

/* Send one request (complete with nlmsg_type, nlmsg_flags and nlmsg_len; the sequence
 * number is set here) on the netlink socket `fd` and read until it is answered: the
 * kernel's error or ACK (NLMSG_ERROR), the end of a dump (NLMSG_DONE), or — for a
 * request without NLM_F_ACK — its single reply. Each reply message goes to `on_reply`
 * (may be NULL). Returns the kernel's error (negative errno), else the last negative
 * result of on_reply, else 0. Blocking; for the short configuration requests of the
 * CLAT backends, not for the event loop's notifications. */
int nl_transact(int fd, struct nlmsghdr *req, nl_reply_handler_t on_reply, void *userdata);

/* A request built in place, with bounds-checked attributes (rtnetlink's struct rtattr):
 * an attribute that does not fit is not written and marks the request, which
 * nl_request_transact() then refuses with -ENOBUFS instead of sending it cut short. */
#define NL_REQUEST_SIZE 1024

typedef struct NlRequest {
        uint8_t buf[NL_REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
        struct nlmsghdr *h; /* the start of buf, set by nl_request_init() */
        bool overflow;
} NlRequest;

/* Start a request: type, NLM_F_REQUEST | flags, a zeroed family header of hdr_len bytes
 * (returned). */
void *nl_request_init(NlRequest *r, uint16_t type, uint16_t flags, size_t hdr_len);
/* Append len zeroed bytes (aligned), for a nested header such as veth's peer ifinfomsg;
 * NULL if they do not fit. */
void *nl_request_reserve(NlRequest *r, size_t len);
/* Append one attribute; NULL if it does not fit. */
struct rtattr *nl_request_put(NlRequest *r, uint16_t type, const void *data, size_t len);
struct rtattr *nl_request_put_u32(NlRequest *r, uint16_t type, uint32_t v);
struct rtattr *nl_request_put_string(NlRequest *r, uint16_t type, const char *s);
/* A nested attribute: begin, put its members, end (which sets its length). */
struct rtattr *nl_request_nest_begin(NlRequest *r, uint16_t type);
void nl_request_nest_end(NlRequest *r, struct rtattr *nest);
/* nl_transact() on the built request; -ENOBUFS if anything did not fit. */
int nl_request_transact(int fd, NlRequest *r, nl_reply_handler_t on_reply, void *userdata);
