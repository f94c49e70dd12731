/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calls of the resolver-resolved plugin to systemd-resolved, read back field by field
 * and against their signatures: what resolved would receive. (That resolved accepts them
 * is for the guest test in the systemd VM.) */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "resolved-message.h"
#include "test-util.h"

static sd_bus *bus;

/* A bus object that is "open" (authenticating on one end of a socketpair): enough to
 * build and seal messages without a dbus-daemon. */
static void bus_setup(void) {
        int s[2];

        CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) < 0 ? -errno : 0);
        CHECK_OK(sd_bus_new(&bus));
        CHECK_OK(sd_bus_set_fd(bus, s[0], s[0]));
        CHECK_OK(sd_bus_start(bus));
}

static void check_header(sd_bus_message *m, const char *member, const char *signature, int ifindex) {
        int32_t i;

        CHECK_OK(sd_bus_message_seal(m, 1, 0));
        CHECK_STREQ(sd_bus_message_get_destination(m), "org.freedesktop.resolve1");
        CHECK_STREQ(sd_bus_message_get_path(m), "/org/freedesktop/resolve1");
        CHECK_STREQ(sd_bus_message_get_interface(m), "org.freedesktop.resolve1.Manager");
        CHECK_STREQ(sd_bus_message_get_member(m), member);
        CHECK_STREQ(sd_bus_message_get_signature(m, true), signature);
        CHECK_OK(sd_bus_message_rewind(m, true));
        CHECK_OK(sd_bus_message_read(m, "i", &i));
        CHECK_EQ(i, ifindex);
}

static void read_server(sd_bus_message *m, bool ex, int family, const char *address) {
        uint8_t want[16];
        const void *p;
        size_t size;
        int32_t f;

        CHECK_EQ(inet_pton(family, address, want), 1);
        CHECK_OK(sd_bus_message_enter_container(m, 'r', ex ? "iayqs" : "iay"));
        CHECK_OK(sd_bus_message_read(m, "i", &f));
        CHECK_EQ(f, family);
        CHECK_OK(sd_bus_message_read_array(m, 'y', &p, &size));
        CHECK_EQ(size, family == AF_INET6 ? 16 : 4);
        CHECK(memcmp(p, want, size) == 0);
        if (ex) {
                uint16_t port;
                const char *name;

                CHECK_OK(sd_bus_message_read(m, "qs", &port, &name));
                CHECK_EQ(port, 0);
                CHECK_STREQ(name, "");
        }
        CHECK_OK(sd_bus_message_exit_container(m));
}

static void test_dns(bool ex) {
        struct v6m_dns_server s[3] = {
                { .family = AF_INET6 },
                { .family = AF_INET6, .ifindex = 3 },
                { .family = AF_INET },
        };
        sd_bus_message *m = NULL;

        inet_pton(AF_INET6, "2001:db8::53", &s[0].address.in6);
        inet_pton(AF_INET6, "fe80::53", &s[1].address.in6);
        inet_pton(AF_INET, "192.0.2.53", &s[2].address.in);
        CHECK_OK(resolved_message_set_dns(bus, ex, 3, s, 3, &m));
        check_header(m, ex ? "SetLinkDNSEx" : "SetLinkDNS", ex ? "ia(iayqs)" : "ia(iay)", 3);
        CHECK_OK(sd_bus_message_enter_container(m, 'a', ex ? "(iayqs)" : "(iay)"));
        read_server(m, ex, AF_INET6, "2001:db8::53");
        read_server(m, ex, AF_INET6, "fe80::53");
        read_server(m, ex, AF_INET, "192.0.2.53");
        CHECK_EQ(sd_bus_message_at_end(m, false), 1);
        CHECK_OK(sd_bus_message_exit_container(m));
        sd_bus_message_unref(m);

        /* No servers: an empty array, which clears the link's servers. */
        CHECK_OK(resolved_message_set_dns(bus, ex, 3, NULL, 0, &m));
        check_header(m, ex ? "SetLinkDNSEx" : "SetLinkDNS", ex ? "ia(iayqs)" : "ia(iay)", 3);
        CHECK_OK(sd_bus_message_enter_container(m, 'a', ex ? "(iayqs)" : "(iay)"));
        CHECK_EQ(sd_bus_message_at_end(m, false), 1);
        sd_bus_message_unref(m);
}

static void test_domains(void) {
        const struct v6m_resolver_domain d[2] = {
                { .name = "example.com" },
                { .name = "corp.example", .route_only = true },
        };
        sd_bus_message *m = NULL;
        const char *name;
        int route_only;

        CHECK_OK(resolved_message_set_domains(bus, 5, d, 2, &m));
        check_header(m, "SetLinkDomains", "ia(sb)", 5);
        CHECK_OK(sd_bus_message_enter_container(m, 'a', "(sb)"));
        CHECK_OK(sd_bus_message_read(m, "(sb)", &name, &route_only));
        CHECK_STREQ(name, "example.com");
        CHECK_EQ(route_only, 0);
        CHECK_OK(sd_bus_message_read(m, "(sb)", &name, &route_only));
        CHECK_STREQ(name, "corp.example");
        CHECK_EQ(route_only, 1);
        CHECK_EQ(sd_bus_message_at_end(m, false), 1);
        sd_bus_message_unref(m);
}

static void test_default_route_and_revert(void) {
        sd_bus_message *m = NULL;
        int b;

        CHECK_OK(resolved_message_set_default_route(bus, 9, true, &m));
        check_header(m, "SetLinkDefaultRoute", "ib", 9);
        CHECK_OK(sd_bus_message_read(m, "b", &b));
        CHECK_EQ(b, 1);
        sd_bus_message_unref(m);

        CHECK_OK(resolved_message_revert(bus, 9, &m));
        check_header(m, "RevertLink", "i", 9);
        CHECK_EQ(sd_bus_message_at_end(m, true), 1);
        sd_bus_message_unref(m);
}

int main(void) {
        bus_setup();
        test_dns(true);
        test_dns(false);
        test_domains();
        test_default_route_and_revert();
        sd_bus_close(bus); /* no flush: nobody reads the other end */
        sd_bus_unref(bus);
        return EXIT_SUCCESS;
}
