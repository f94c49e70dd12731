/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the core keeps of reported DNS servers and domains (resolver_dns_sanitize()): bad
 * entries dropped, long lists capped, both counted; and DNS name normalization. */
#include <arpa/inet.h>

#include "json-writer.h"
#include "link.h"
#include "resolver.h"
#include "strv.h"
#include "test-util.h"

static struct v6m_dns_server v6(const char *s) {
        struct v6m_dns_server a = { .family = AF_INET6 };

        CHECK_EQ(inet_pton(AF_INET6, s, &a.address.in6), 1);
        return a;
}

static struct v6m_dns_server v4(const char *s) {
        struct v6m_dns_server a = { .family = AF_INET };

        CHECK_EQ(inet_pton(AF_INET, s, &a.address.in), 1);
        return a;
}

static bool server_is(const struct v6m_dns_server *s, const char *address) {
        struct v6m_dns_server want = v6(address);

        return s->family == AF_INET6 && memcmp(&s->address.in6, &want.address.in6, 16) == 0;
}

static void test_normalize(void) {
        static const struct {
                const char *in, *out; /* out NULL: refused */
        } cases[] = {
                { "Example.COM", "example.com" },
                { "example.com.", "example.com" },
                { "_srv.corp-1.example", "_srv.corp-1.example" },
                { "a", "a" },
                { "", NULL },
                { ".", NULL },
                { "..", NULL },
                { "a..b", NULL },
                { ".a", NULL },
                { "a b", NULL },
                { "a\nnameserver 1.2.3.4", NULL },
                { "a\"b", NULL },
                { "b\xc3\xa4r.example", NULL },
                { "0123456789012345678901234567890123456789012345678901234567890123.example", NULL }, /* 64 */
                { "012345678901234567890123456789012345678901234567890123456789012.example",
                  "012345678901234567890123456789012345678901234567890123456789012.example" }, /* 63 */
        };
        char buf[256], longname[300];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int r = resolver_domain_normalize(cases[i].in, buf, sizeof(buf));

                if (!cases[i].out) {
                        if (r != -EINVAL)
                                check_fail("'%s' accepted as '%s'", cases[i].in, buf);
                } else {
                        CHECK_OK(r);
                        CHECK_STREQ(buf, cases[i].out);
                }
        }
        /* 253 characters is the most a name can have (RFC 1035 §3.1 in dotted form). */
        memset(longname, 'a', sizeof(longname));
        for (size_t i = 50; i < 260; i += 51)
                longname[i] = '.';
        longname[253] = '\0';
        CHECK_OK(resolver_domain_normalize(longname, buf, sizeof(buf)));
        longname[253] = 'a';
        longname[254] = '\0';
        CHECK_EQ(resolver_domain_normalize(longname, buf, sizeof(buf)), -EINVAL);
}

static char *dropped_json(const Link *link) {
        JsonWriter w = {};
        char *s = NULL;

        json_begin_object(&w);
        resolver_link_json_write(link, &w);
        json_end_object(&w);
        CHECK_OK(json_finish(&w, &s));
        return s;
}

static void test_sanitize(void) {
        Link link = { .ifindex = 7, .ifname = (char *) "uplink0" };
        struct v6m_dns_server in[120];
        char *domains[50];
        ResolverDnsSet set = {};
        char name[40], *json;
        size_t n = 0;

        /* Not resolvers: dropped and counted as invalid-server. */
        in[n++] = v6("::");
        in[n++] = v6("::1");
        in[n++] = v6("ff02::1");
        in[n++] = v6("::ffff:192.0.2.1");
        in[n++] = v4("0.0.0.0");
        in[n++] = v4("127.0.0.53");
        in[n++] = v4("224.0.0.251");
        in[n++] = v4("255.255.255.255");
        in[n] = v6("2001:db8::1");
        in[n++].family = AF_PACKET;
        /* Kept, in order; the link-local one gets the link's ifindex, duplicates go. */
        in[n++] = v6("2001:db8::53");
        in[n++] = v6("fe80::53");
        in[n++] = v4("192.0.2.53");
        in[n++] = v6("2001:db8::53");
        CHECK_OK(resolver_dns_sanitize(&link, V6M_DNS_SOURCE_RA, in, n, NULL, &set));
        CHECK_EQ(set.n_servers, 3);
        CHECK(server_is(&set.servers[0], "2001:db8::53"));
        CHECK_EQ(set.servers[0].ifindex, 0);
        CHECK_EQ(set.servers[1].ifindex, 7);
        CHECK_EQ(set.servers[2].family, AF_INET);
        CHECK(!set.domains);
        resolver_dns_set_done(&set);

        /* 100 servers: RESOLVER_SERVERS_MAX kept, the rest counted. */
        n = 0;
        for (unsigned i = 0; i < 100; i++) {
                snprintf(name, sizeof(name), "2001:db8::%x", i + 1);
                in[n++] = v6(name);
        }
        CHECK_OK(resolver_dns_sanitize(&link, V6M_DNS_SOURCE_RA, in, n, NULL, &set));
        CHECK_EQ(set.n_servers, RESOLVER_SERVERS_MAX);
        CHECK(server_is(&set.servers[15], "2001:db8::10"));
        resolver_dns_set_done(&set);

        /* Domains: normalized, bad ones dropped, 40 capped to RESOLVER_DOMAINS_MAX. */
        n = 0;
        domains[n++] = (char *) "Corp.Example.";
        domains[n++] = (char *) "bad domain";
        domains[n++] = (char *) "evil\nnameserver 192.0.2.66";
        domains[n++] = (char *) "corp.example";
        for (unsigned i = 0; i < 40; i++) {
                domains[n] = NULL;
                CHECK(asprintf(&domains[n], "d%u.example", i) > 0);
                n++;
        }
        domains[n] = NULL;
        CHECK_OK(resolver_dns_sanitize(&link, V6M_DNS_SOURCE_DHCP4, NULL, 0, domains, &set));
        CHECK_EQ(strv_length(set.domains), RESOLVER_DOMAINS_MAX);
        CHECK_STREQ(set.domains[0], "corp.example");
        CHECK_STREQ(set.domains[1], "d0.example");
        for (char **d = set.domains; *d; d++)
                CHECK(!strchr(*d, '\n') && !strchr(*d, ' '));
        resolver_dns_set_done(&set);
        for (size_t i = 4; i < n; i++)
                free(domains[i]);

        json = dropped_json(&link);
        CHECK_STREQ(json, "{\"backend\":null,\"reason\":null,\"dropped\":{\"invalid-server\":9,"
                          "\"servers-over-limit\":84,\"invalid-domain\":2,\"domains-over-limit\":9}}");
        free(json);
        resolver_link_detach(&link);
        CHECK(!link.resolver);
}

int main(void) {
        log_set_target(LOG_TARGET_STDERR);
        test_normalize();
        test_sanitize();
        return EXIT_SUCCESS;
}
