/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounds-checked rtattr builder of nl-transact.h: layout byte for byte, nesting, and
 * a request that does not fit is refused instead of written past its buffer. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nl-transact.h"
#include "test-util.h"

static void test_layout(void) {
        NlRequest r;
        struct ifinfomsg *ifi = nl_request_init(&r, RTM_NEWLINK, NLM_F_ACK, sizeof(*ifi));
        struct rtattr *a, *info;

        CHECK(ifi == NLMSG_DATA(r.h));
        CHECK_EQ(r.h->nlmsg_type, RTM_NEWLINK);
        CHECK_EQ(r.h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
        CHECK_EQ(r.h->nlmsg_len, NLMSG_LENGTH(sizeof(*ifi)));

        a = nl_request_put_string(&r, IFLA_IFNAME, "v6mclat2"); /* 9 bytes: padded to 12 */
        CHECK(a && (uint8_t *) a == r.buf + NLMSG_LENGTH(sizeof(*ifi)));
        CHECK_EQ(a->rta_type, IFLA_IFNAME);
        CHECK_EQ(a->rta_len, RTA_LENGTH(9));
        CHECK_STREQ((const char *) RTA_DATA(a), "v6mclat2");
        CHECK_EQ(r.h->nlmsg_len, NLMSG_LENGTH(sizeof(*ifi)) + RTA_SPACE(9));

        info = nl_request_nest_begin(&r, IFLA_LINKINFO);
        CHECK(nl_request_put_string(&r, IFLA_INFO_KIND, "veth"));
        CHECK(nl_request_reserve(&r, sizeof(struct ifinfomsg)));
        nl_request_nest_end(&r, info);
        CHECK_EQ(info->rta_len, RTA_LENGTH(0) + RTA_SPACE(5) + sizeof(struct ifinfomsg));
        CHECK_EQ((uint8_t *) info + info->rta_len, r.buf + r.h->nlmsg_len);
        CHECK(!r.overflow);

        a = nl_request_put_u32(&r, IFLA_MTU, 1472);
        CHECK(a && *(uint32_t *) RTA_DATA(a) == 1472);
}

static void test_overflow(void) {
        NlRequest r;
        uint8_t big[NL_REQUEST_SIZE] = {};
        uint32_t len;

        nl_request_init(&r, RTM_NEWADDR, 0, sizeof(struct ifaddrmsg));
        len = r.h->nlmsg_len;
        CHECK(!nl_request_put(&r, IFA_LOCAL, big, sizeof(big)));
        CHECK(r.overflow);
        CHECK_EQ(r.h->nlmsg_len, len); /* nothing written */
        /* Once cut short, always refused: a later small attribute does not make it whole. */
        CHECK(!nl_request_put_u32(&r, IFA_FLAGS, 0));
        CHECK_EQ(nl_request_transact(-1, &r, NULL, NULL), -ENOBUFS);

        /* Exactly full is fine, one byte more is not. */
        nl_request_init(&r, RTM_NEWADDR, 0, 0);
        CHECK(nl_request_put(&r, IFA_LOCAL, big, NL_REQUEST_SIZE - NLMSG_HDRLEN - RTA_LENGTH(0)));
        CHECK_EQ(r.h->nlmsg_len, NL_REQUEST_SIZE);
        CHECK(!r.overflow);
        CHECK(!nl_request_put(&r, IFA_FLAGS, NULL, 0));
        CHECK(r.overflow);
}

int main(void) {
        test_layout();
        test_overflow();
        return EXIT_SUCCESS;
}
