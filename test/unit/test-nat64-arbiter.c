/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "nat64-arbiter.h"
#include "nat64-prefix.h"
#include "test-util.h"

static struct v6m_nat64_prefix P(const char *s) {
        struct v6m_nat64_prefix p;

        CHECK(nat64_prefix_from_string(s, &p, NULL) == 0);
        return p;
}

static const bool ALL[_V6M_NAT64_SOURCE_MAX] = { true, true, true };

static void test_precedence(void) {
        Nat64Arbiter a = {};
        struct v6m_nat64_prefix ra = P("2001:db8:1::/96"), dns = P("2001:db8:2::/64"), st = P("64:ff9b::/96");
        const Nat64Candidate *c;

        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_STATIC, "config", &st, V6M_USEC_INFINITY, 0) == 1);
        c = nat64_arbiter_choose(&a, ALL, NULL, 0);
        CHECK(c && c->source == V6M_NAT64_SOURCE_STATIC);

        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_DNS64, "2001:db8::53", &dns, 100, 0) == 1);
        c = nat64_arbiter_choose(&a, ALL, NULL, 0);
        CHECK(c && c->source == V6M_NAT64_SOURCE_DNS64);

        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 100, 0) == 1);
        c = nat64_arbiter_choose(&a, ALL, NULL, 0);
        CHECK(c && c->source == V6M_NAT64_SOURCE_RA && nat64_prefix_equal(&c->prefix, &ra));

        /* UsePREF64=no: RA candidates are ignored. */
        bool no_ra[_V6M_NAT64_SOURCE_MAX] = { false, true, true };
        c = nat64_arbiter_choose(&a, no_ra, NULL, 0);
        CHECK(c && c->source == V6M_NAT64_SOURCE_DNS64);

        nat64_arbiter_clear(&a);
        CHECK(a.n_candidates == 0);
}

static void test_lifetimes(void) {
        Nat64Arbiter a = {};
        struct v6m_nat64_prefix ra = P("2001:db8:1::/96");

        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 100, 0) == 1);
        /* Same lifetime again: no change. A refresh extends. */
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 100, 10) == 0);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 200, 20) == 1);
        CHECK(nat64_arbiter_next_expiry(&a) == 200);
        CHECK(nat64_arbiter_expire(&a, 199) == 0);
        CHECK(nat64_arbiter_expire(&a, 200) == 1);
        CHECK(a.n_candidates == 0);
        CHECK(nat64_arbiter_next_expiry(&a) == V6M_USEC_INFINITY);

        /* Lifetime 0 (expiry at or before now) withdraws at once. */
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 100, 0) == 1);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 50, 50) == 1);
        CHECK(a.n_candidates == 0);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 50, 50) == 0);
        nat64_arbiter_clear(&a);
}

static void test_several_routers(void) {
        Nat64Arbiter a = {};
        struct v6m_nat64_prefix p1 = P("2001:db8:1::/96"), p2 = P("2001:db8:2::/96");
        const Nat64Candidate *c;

        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &p1, 100, 0) == 1);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::2", &p2, 200, 0) == 1);
        CHECK(a.n_candidates == 2);
        /* No current choice: the latest expiry wins. */
        c = nat64_arbiter_choose(&a, ALL, NULL, 0);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p2));
        /* A current choice is kept while it is still a candidate: no flapping. */
        c = nat64_arbiter_choose(&a, ALL, &p1, V6M_NAT64_SOURCE_RA);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p1));

        CHECK(nat64_arbiter_withdraw(&a, V6M_NAT64_SOURCE_RA, "fe80::2", NULL) == 1);
        c = nat64_arbiter_choose(&a, ALL, &p2, V6M_NAT64_SOURCE_RA);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p1));
        CHECK(nat64_arbiter_withdraw(&a, V6M_NAT64_SOURCE_RA, NULL, NULL) == 1);
        CHECK(nat64_arbiter_choose(&a, ALL, NULL, 0) == NULL);
        nat64_arbiter_clear(&a);
}

/* The documented tie-breaks: latest expiry, then most recently reported, then the lowest
 * prefix, then the lowest origin. */
static void test_tie_breaks(void) {
        Nat64Arbiter a = {};
        struct v6m_nat64_prefix p1 = P("2001:db8:1::/96"), p2 = P("2001:db8:2::/96");
        const Nat64Candidate *c;

        /* Same expiry: the one reported later wins, whatever the insertion order. */
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &p2, 500, 10) == 1);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::2", &p1, 500, 20) == 1);
        c = nat64_arbiter_choose(&a, ALL, NULL, 0);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p1));
        /* Same expiry, same report time: the lower prefix. */
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &p2, 500, 20) == 0);
        c = nat64_arbiter_choose(&a, ALL, NULL, 0);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p1));
        /* Same prefix from two routers, everything else equal: the lower origin. */
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::0", &p1, 500, 20) == 1);
        c = nat64_arbiter_choose(&a, ALL, NULL, 0);
        CHECK(c && streq(c->origin, "fe80::0"));
        nat64_arbiter_clear(&a);
}

/* A kept prefix announced by two routers shows the longer-lived announcement, and stays
 * chosen when one of them withdraws it. */
static void test_same_prefix_two_routers(void) {
        Nat64Arbiter a = {};
        struct v6m_nat64_prefix p1 = P("2001:db8:1::/96"), p2 = P("2001:db8:2::/96");
        const Nat64Candidate *c;

        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &p1, 300, 0) == 1);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::2", &p1, 900, 0) == 1);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::3", &p2, 1200, 0) == 1);
        c = nat64_arbiter_choose(&a, ALL, &p1, V6M_NAT64_SOURCE_RA);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p1) && c->expiry_usec == 900 && streq(c->origin, "fe80::2"));
        CHECK(nat64_arbiter_withdraw(&a, V6M_NAT64_SOURCE_RA, "fe80::2", &p1) == 1);
        c = nat64_arbiter_choose(&a, ALL, &p1, V6M_NAT64_SOURCE_RA);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p1) && c->expiry_usec == 300);
        CHECK(nat64_arbiter_expire(&a, 300) == 1);
        c = nat64_arbiter_choose(&a, ALL, &p1, V6M_NAT64_SOURCE_RA);
        CHECK(c && nat64_prefix_equal(&c->prefix, &p2));
        nat64_arbiter_clear(&a);
}

/* The time between two reports of a candidate: for RAs, the router's interval. */
static void test_interval(void) {
        Nat64Arbiter a = {};
        struct v6m_nat64_prefix ra = P("2001:db8:1::/96");

        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 1000, 100) == 1);
        CHECK_EQ(a.candidates[0].interval_usec, 0); /* one report: not known */
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 1400, 400) == 1);
        CHECK_EQ(a.candidates[0].interval_usec, 300);
        CHECK(nat64_arbiter_report(&a, V6M_NAT64_SOURCE_RA, "fe80::1", &ra, 1400, 450) == 0);
        CHECK_EQ(a.candidates[0].interval_usec, 50);
        CHECK_EQ(a.candidates[0].updated_usec, 450);
        nat64_arbiter_clear(&a);
}

int main(void) {
        test_precedence();
        test_interval();
        test_lifetimes();
        test_several_routers();
        test_tie_breaks();
        test_same_prefix_two_routers();
        return EXIT_SUCCESS;
}
