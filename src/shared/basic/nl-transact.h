/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/netlink.h>

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
