/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The link state machine as a pure function: facts in, state and reason out. */
#include "link-state.h"
#include "test-util.h"

/* An IPv6-only link with a static prefix and no DHCPv4: the common IPv6-mostly case. */
static LinkFacts base(void) {
        return (LinkFacts) {
                .managed = true,
                .carrier = true,
                .ipv6_global_address = true,
                .ipv6_default_route = true,
                .dhcp4_enabled = false,
                .dhcp4_state = V6M_DHCP4_DISABLED,
                .nat64_prefix = true,
                .clat_setting = V6M_AUTO,
                .clat_backend_available = false,
                .clat_state = V6M_CLAT_STOPPED,
        };
}

static void expect(const LinkFacts *f, LinkState state, bool want_clat, const char *reason_part, const char *what) {
        LinkDecision d;

        link_derive_state(f, &d);
        if (d.state != state || d.want_clat != want_clat || !strstr(d.reason, reason_part))
                check_fail("%s: got %s (want_clat=%d, \"%s\"), expected %s (want_clat=%d, \"...%s...\")", what,
                           link_state_to_string(d.state), d.want_clat, d.reason, link_state_to_string(state),
                           want_clat, reason_part);
}

static void test_unmanaged_and_pending(void) {
        LinkFacts f = base();

        f.managed = false;
        expect(&f, LINK_STATE_UNMANAGED, false, "no matching .network", "unmanaged");
        f.unmanaged_reason = "loopback";
        expect(&f, LINK_STATE_UNMANAGED, false, "loopback", "loopback");

        f = base();
        f.carrier = false;
        expect(&f, LINK_STATE_PENDING, false, "no carrier", "no carrier");

        f = base();
        f.failure = "plugin failed";
        expect(&f, LINK_STATE_FAILED, false, "plugin failed", "failure");
}

static void test_configuring(void) {
        LinkFacts f = base();

        f.ipv6_global_address = false;
        expect(&f, LINK_STATE_CONFIGURING, false, "global IPv6 address", "no address");
        f = base();
        f.ipv6_default_route = false;
        expect(&f, LINK_STATE_CONFIGURING, false, "IPv6 default router", "no router");
        f = base();
        f.dhcp4_enabled = true;
        f.dhcp4_state = V6M_DHCP4_PENDING;
        expect(&f, LINK_STATE_CONFIGURING, false, "DHCPv4", "DHCPv4 pending waits before deciding on a CLAT");
}

static void test_no_clat_backend(void) {
        LinkFacts f = base();

        expect(&f, LINK_STATE_DEGRADED, true, LINK_REASON_NO_CLAT_BACKEND, "no backend");
        f.dhcp4_enabled = true;
        f.dhcp4_state = V6M_DHCP4_V6ONLY;
        expect(&f, LINK_STATE_DEGRADED, true, LINK_REASON_NO_CLAT_BACKEND, "option 108, no backend");
        f.dhcp4_state = V6M_DHCP4_FAILED;
        expect(&f, LINK_STATE_DEGRADED, true, LINK_REASON_NO_CLAT_BACKEND, "no DHCPv4 server, no backend");
}

static void test_clat_states(void) {
        LinkFacts f = base();

        f.clat_backend_available = true;
        expect(&f, LINK_STATE_CONFIGURING, true, "CLAT starting", "backend available, not started");
        f.clat_state = V6M_CLAT_STARTING;
        expect(&f, LINK_STATE_CONFIGURING, true, "CLAT starting", "starting");
        f.clat_state = V6M_CLAT_RUNNING;
        expect(&f, LINK_STATE_IPV6_MOSTLY, true, "CLAT running", "running");
        f.clat_state = V6M_CLAT_FAILED;
        f.clat_reason = "tun: boom";
        expect(&f, LINK_STATE_DEGRADED, true, "tun: boom", "failed");
}

/* What the dispatch does with the CLAT, from the facts alone. */
static void test_clat_actions(void) {
        LinkFacts f = base();
        LinkDecision d;

        link_derive_state(&f, &d);
        CHECK_EQ(d.clat_action, CLAT_ACTION_START);
        f.clat_attempted = true;
        f.clat_backend_available = true;
        f.clat_state = V6M_CLAT_RUNNING;
        link_derive_state(&f, &d);
        CHECK_EQ(d.clat_action, CLAT_ACTION_NONE);

        /* DAD passed: the dispatch chooses the backend. */
        f.clat_state = V6M_CLAT_STARTING;
        f.clat_address_ready = true;
        link_derive_state(&f, &d);
        CHECK_EQ(d.clat_action, CLAT_ACTION_START_BACKEND);
        f.clat_address_ready = false;
        f.clat_state = V6M_CLAT_RUNNING;

        /* The backend reported a failure: the report only recorded it; deciding to fall
         * through is the dispatch's. */
        f.clat_state = V6M_CLAT_FAILED;
        f.clat_backend_failed = true;
        link_derive_state(&f, &d);
        CHECK_EQ(d.clat_action, CLAT_ACTION_NEXT_BACKEND);

        /* ...unless no CLAT is wanted any more: then it is only stopped. */
        f.native_ipv4_address = true;
        link_derive_state(&f, &d);
        CHECK_EQ(d.clat_action, CLAT_ACTION_STOP);
        f = base();
        f.clat_attempted = true;
        f.clat_state = V6M_CLAT_RUNNING;
        f.carrier = false;
        link_derive_state(&f, &d);
        CHECK_EQ(d.clat_action, CLAT_ACTION_STOP);
        f.clat_state = V6M_CLAT_STOPPED;
        f.clat_attempted = false;
        link_derive_state(&f, &d);
        CHECK_EQ(d.clat_action, CLAT_ACTION_NONE);
}

/* Backend= ebpf tun kmod; no plugin runs: the facts are what plugins and probes said. */
static void test_clat_fall_through(void) {
        ClatBackendFacts b[3] = {
                { .installed = true, .startable = true },
                { .installed = true, .startable = true },
                { .installed = false },
        };
        ClatChoice c;

        /* First the probe of ebpf is asked for, then ebpf started. */
        c = clat_choose_backend(b, 3, 0);
        CHECK_EQ(c.action, CLAT_CHOICE_PROBE);
        CHECK_EQ(c.index, 0);
        b[0].probe = CLAT_PROBE_OK;
        c = clat_choose_backend(b, 3, 0);
        CHECK_EQ(c.action, CLAT_CHOICE_START);
        CHECK_EQ(c.index, 0);

        /* ebpf failed (CLAT_ACTION_NEXT_BACKEND): the choice goes on after it. */
        c = clat_choose_backend(b, 3, c.index + 1);
        CHECK_EQ(c.action, CLAT_CHOICE_PROBE);
        CHECK_EQ(c.index, 1);
        b[1].probe = CLAT_PROBE_OK;
        c = clat_choose_backend(b, 3, 1);
        CHECK_EQ(c.action, CLAT_CHOICE_START);
        CHECK_EQ(c.index, 1);

        /* tun failed too: kmod is not installed, nothing is left. */
        c = clat_choose_backend(b, 3, c.index + 1);
        CHECK_EQ(c.action, CLAT_CHOICE_NONE);
        CHECK_EQ(c.index, 3);
        CHECK_EQ(clat_backend_cause(&b[2]), CLAT_CAUSE_NOT_INSTALLED);

        /* A refused probe and a backend that cannot start are passed over with their cause. */
        b[0].probe = CLAT_PROBE_FAILED;
        b[1].startable = false;
        CHECK_EQ(clat_backend_cause(&b[0]), CLAT_CAUSE_PROBE_FAILED);
        CHECK_EQ(clat_backend_cause(&b[1]), CLAT_CAUSE_CANNOT_START);
        c = clat_choose_backend(b, 3, 0);
        CHECK_EQ(c.action, CLAT_CHOICE_NONE);
        CHECK_STREQ(clat_cause_to_string(CLAT_CAUSE_NOT_INSTALLED), "plugin not installed");
        CHECK_EQ(clat_cause_from_string("plugin cannot start"), CLAT_CAUSE_CANNOT_START);
}

static void test_native_ipv4(void) {
        LinkFacts f = base();

        /* An address another tool configured counts as native IPv4 (DHCPv4=no beside a
         * foreign DHCP client). */
        f.native_ipv4_address = true;
        expect(&f, LINK_STATE_DUAL_STACK, false, "another tool", "foreign IPv4");
        f = base();
        f.dhcp4_enabled = true;
        f.dhcp4_state = V6M_DHCP4_BOUND;
        expect(&f, LINK_STATE_DUAL_STACK, false, "DHCPv4 lease", "lease");
        f.ipv6_default_route = false;
        expect(&f, LINK_STATE_DUAL_STACK, false, "no IPv6", "IPv4 only");

        /* CLAT=yes runs a CLAT even beside native IPv4. */
        f = base();
        f.native_ipv4_address = true;
        f.clat_setting = V6M_YES;
        f.clat_backend_available = true;
        f.clat_state = V6M_CLAT_RUNNING;
        expect(&f, LINK_STATE_DUAL_STACK, true, "CLAT=yes", "CLAT=yes with native IPv4");
}

static void test_ipv6_only(void) {
        LinkFacts f = base();

        f.nat64_prefix = false;
        expect(&f, LINK_STATE_IPV6_ONLY, false, "no NAT64 prefix", "no prefix");
        f.dhcp4_enabled = true;
        f.dhcp4_state = V6M_DHCP4_V6ONLY;
        expect(&f, LINK_STATE_IPV6_ONLY, false, "option 108", "option 108 without prefix");

        f = base();
        f.clat_setting = V6M_NO;
        expect(&f, LINK_STATE_IPV6_ONLY, false, "CLAT=no", "CLAT=no");

        f = base();
        f.nat64_prefix = false;
        f.clat_setting = V6M_YES;
        expect(&f, LINK_STATE_DEGRADED, false, "CLAT=yes but no NAT64 prefix", "CLAT=yes without prefix");
}

static void test_string_tables(void) {
        for (LinkState s = 0; s < _LINK_STATE_MAX; s++)
                CHECK(link_state_from_string(link_state_to_string(s)) == s);
        CHECK(link_state_from_string("ipv6-mostly") == LINK_STATE_IPV6_MOSTLY);
        CHECK(link_state_from_string("bogus") == _LINK_STATE_INVALID);
        CHECK(link_state_to_string(_LINK_STATE_MAX) == NULL);
        CHECK(streq(dhcp4_state_to_string(V6M_DHCP4_V6ONLY), "v6only"));
        CHECK(streq(nat64_source_to_string(V6M_NAT64_SOURCE_DNS64), "dns64"));
        CHECK(streq(clat_state_to_string(V6M_CLAT_RUNNING), "running"));
}

int main(void) {
        test_unmanaged_and_pending();
        test_configuring();
        test_no_clat_backend();
        test_clat_states();
        test_clat_actions();
        test_clat_fall_through();
        test_native_ipv4();
        test_ipv6_only();
        test_string_tables();
        return EXIT_SUCCESS;
}
