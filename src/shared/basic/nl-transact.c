/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "nl-transact.h"

#define NL_TRANSACT_BUF 16384

int nl_transact(int fd, struct nlmsghdr *req, nl_reply_handler_t on_reply, void *userdata) {
        /* One counter for every caller and thread, not a thread-local one: this file is
         * linked into plugins, and TLS in a dlopen()ed object is dynamic TLS, which
         * costs a __tls_get_addr() call per use and which GCC 12's LeakSanitizer can
         * misread at exit (it took a stray heap chunk for a glibc 2.19 TLS header in
         * 1 of 256 allocations and its tracer crashed scanning the range, so
         * v6mostlyd exited 1 under ASan). */
        static _Atomic uint32_t seq;
        uint8_t buf[NL_TRANSACT_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
        int r = 0;

        req->nlmsg_seq = atomic_fetch_add_explicit(&seq, 1, memory_order_relaxed) + 1;
        if (send(fd, req, req->nlmsg_len, 0) < 0)
                return -errno;
        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), 0);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_seq != req->nlmsg_seq)
                                continue;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);

                                return e->error ? e->error : r;
                        }
                        if (h->nlmsg_type == NLMSG_DONE)
                                return r;
                        if (on_reply) {
                                int k = on_reply(h, userdata);

                                if (k < 0)
                                        r = k;
                        }
                        if (!(h->nlmsg_flags & NLM_F_MULTI) && !(req->nlmsg_flags & NLM_F_ACK))
                                return r;
                }
        }
}

void *nl_request_init(NlRequest *r, uint16_t type, uint16_t flags, size_t hdr_len) {
        memset(r, 0, sizeof(*r));
        r->h = (struct nlmsghdr *) r->buf;
        r->h->nlmsg_type = type;
        r->h->nlmsg_flags = NLM_F_REQUEST | flags;
        r->h->nlmsg_len = NLMSG_LENGTH(hdr_len);
        return NLMSG_DATA(r->h);
}

void *nl_request_reserve(NlRequest *r, size_t len) {
        size_t at = NLMSG_ALIGN(r->h->nlmsg_len);

        if (r->overflow || len > sizeof(r->buf) || at > sizeof(r->buf) - NLMSG_ALIGN(len)) {
                r->overflow = true;
                return NULL;
        }
        r->h->nlmsg_len = (uint32_t) (at + NLMSG_ALIGN(len));
        return r->buf + at; /* zeroed by nl_request_init() */
}

struct rtattr *nl_request_put(NlRequest *r, uint16_t type, const void *data, size_t len) {
        struct rtattr *a;

        if (len > UINT16_MAX - RTA_LENGTH(0)) {
                r->overflow = true;
                return NULL;
        }
        a = nl_request_reserve(r, RTA_LENGTH(len));
        if (!a)
                return NULL;
        a->rta_type = type;
        a->rta_len = (unsigned short) RTA_LENGTH(len);
        if (len)
                memcpy(RTA_DATA(a), data, len);
        return a;
}

struct rtattr *nl_request_put_u32(NlRequest *r, uint16_t type, uint32_t v) {
        return nl_request_put(r, type, &v, sizeof(v));
}

struct rtattr *nl_request_put_string(NlRequest *r, uint16_t type, const char *s) {
        return nl_request_put(r, type, s, strlen(s) + 1);
}

struct rtattr *nl_request_nest_begin(NlRequest *r, uint16_t type) {
        return nl_request_put(r, type, NULL, 0);
}

void nl_request_nest_end(NlRequest *r, struct rtattr *nest) {
        if (!nest)
                return;
        nest->rta_len = (unsigned short) (r->buf + r->h->nlmsg_len - (uint8_t *) nest);
}

int nl_request_transact(int fd, NlRequest *r, nl_reply_handler_t on_reply, void *userdata) {
        if (r->overflow)
                return -ENOBUFS;
        return nl_transact(fd, r->h, on_reply, userdata);
}
