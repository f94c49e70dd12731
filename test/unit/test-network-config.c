/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "nat64-prefix.h"
#include "network-config.h"
#include "strv.h"
#include "test-util.h"

/* ---- Fixtures ---- */

static char **logged; /* warnings and errors seen since the last log_reset() */

static void log_capture(int level, const char *message, void *userdata) {
        if (level <= LOG_WARNING && strv_extend(&logged, message) < 0)
                check_fail("out of memory");
}

static void log_reset(void) {
        logged = strv_free(logged);
}

static bool log_has(const char *needle) {
        for (char **m = logged; m && *m; m++)
                if (strstr(*m, needle))
                        return true;
        return false;
}

#define CHECK_LOGGED(needle)                                                        \
        do {                                                                        \
                if (!log_has(needle))                                               \
                        check_fail("nothing logged containing \"%s\"", needle);     \
        } while (0)
#define CHECK_LOGGED_COUNT(n) CHECK_EQ(strv_length(logged), n)

static char tmpdir[] = "/tmp/test-network-config-XXXXXX";

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void tmpdir_cleanup(void) {
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write `content` (size bytes, or strlen if size is 0) to tmpdir/relpath, making the
 * directories on the way. Returns the full path (static buffer, valid until the next call). */
static const char *write_file_n(const char *relpath, const char *content, size_t size) {
        static char path[4096];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", tmpdir, relpath);
        for (char *p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                if (mkdir(path, 0755) < 0 && errno != EEXIST)
                        check_fail("mkdir %s: %m", path);
                *p = '/';
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                check_fail("open %s: %m", path);
        if (size == 0)
                size = strlen(content);
        if (write(fd, content, size) != (ssize_t) size)
                check_fail("write %s: %m", path);
        close(fd);
        return path;
}

static const char *write_file(const char *relpath, const char *content) {
        return write_file_n(relpath, content, 0);
}

static const char *dir_path(const char *rel) {
        static char paths[4][4096];
        static unsigned next;
        char *p = paths[next++ % 4];

        snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, rel);
        return p;
}

/* Load one file that is not part of any search path (no drop-ins). */
static NetworkConfig *load(const char *relpath, const char *content) {
        const char *path = write_file(relpath, content);
        NetworkConfig *c = NULL;

        log_reset();
        CHECK_OK(network_config_load_one(path, (const char *const[]) { NULL }, &c));
        CHECK(c);
        return c;
}

static struct in6_addr in6(const char *s) {
        struct in6_addr a;

        CHECK_EQ(inet_pton(AF_INET6, s, &a), 1);
        return a;
}

static bool in6_eq(const struct in6_addr *a, const char *s) {
        struct in6_addr b = in6(s);

        return IN6_ARE_ADDR_EQUAL(a, &b);
}

/* ---- Tests ---- */

static void test_defaults(void) {
        NetworkConfig d, *c;

        network_config_init_defaults(&d);
        CHECK(d.pub.dhcp4);
        CHECK_EQ(d.pub.clat, V6M_AUTO);
        CHECK_EQ(d.pub.ipv6_only_preferred, V6M_AUTO);
        CHECK_EQ(d.pub.client_id, V6M_CLIENT_ID_DUID);
        CHECK(d.pub.send_release);
        CHECK_EQ(d.pub.route_metric, 1024);
        CHECK(!d.pub.has_static_prefix);
        CHECK(d.pub.use_pref64);
        CHECK(d.pub.use_dns);
        CHECK_EQ(d.pub.use_domains, V6M_USE_DOMAINS_YES);
        CHECK(d.pub.use_dns64);
        CHECK_EQ(d.pub.n_dns_servers, 0);
        CHECK_EQ(d.pub.n_backends, 3);
        CHECK_EQ(d.pub.backends[0], V6M_CLAT_BACKEND_EBPF);
        CHECK_EQ(d.pub.backends[1], V6M_CLAT_BACKEND_TUN);
        CHECK_EQ(d.pub.backends[2], V6M_CLAT_BACKEND_KMOD);
        CHECK(!d.pub.has_ipv4_address);
        CHECK(!d.pub.has_ipv6_address);
        CHECK_EQ(d.pub.mtu, 0);
        CHECK(!d.match_name);
        CHECK_EQ(d.n_match_mac, 0);

        /* An empty file is the defaults. */
        c = load("defaults/empty.network", "");
        CHECK(network_config_equal(c, &d));
        CHECK_LOGGED_COUNT(0);
        CHECK_STREQ(c->name, "empty.network");
        CHECK_STREQ(c->pub.filename, c->filename);
        CHECK(strstr(c->filename, "/defaults/empty.network"));
        network_config_free(c);

        CHECK_STREQ(tristate_to_string(V6M_AUTO), "auto");
        CHECK_EQ(tristate_from_string("no"), V6M_NO);
        CHECK_EQ((int) tristate_from_string("maybe"), -EINVAL);
        CHECK_STREQ(client_id_to_string(V6M_CLIENT_ID_MAC), "mac");
        CHECK_EQ(client_id_from_string("duid"), V6M_CLIENT_ID_DUID);
        CHECK_STREQ(clat_backend_to_string(V6M_CLAT_BACKEND_KMOD), "kmod");
        CHECK_EQ(clat_backend_from_string("tun"), V6M_CLAT_BACKEND_TUN);
        CHECK(!clat_backend_to_string(_V6M_CLAT_BACKEND_MAX));
}

static void test_valid_file(void) {
        NetworkConfig *c;
        char buf[NAT64_PREFIX_STRLEN];

        c = load("valid/50-uplink.network",
                 "# A full file\n"
                 "; with both comment styles\n"
                 "[Match]\n"
                 "Name=eth* wl?0\n"
                 "MACAddress=00:11:22:33:44:55 AA-bb-CC-dd-EE-ff\n"
                 "\n"
                 "[Network]\n"
                 "DHCPv4=no\n"
                 "CLAT=yes\n"
                 "UseDNS=no\n"
                 "UseDomains=route\n"
                 "[DHCPv4]\n"
                 "IPv6OnlyPreferred = off\n"
                 "ClientIdentifier=mac\n"
                 "SendRelease=false\n"
                 "RouteMetric=4294967295\n"
                 "[NAT64]\n"
                 "Prefix=2001:db8:64::/96\n"
                 "UsePREF64=0\n"
                 "UseDNS64=NO\n"
                 "DNS=2001:db8::53\n"
                 "DNS=2001:db8::54 2001:db8::55\n"
                 "[CLAT]\n"
                 "Backend=tun kmod\n"
                 "IPv4Address=192.0.0.2\n"
                 "IPv6Address=2001:db8:1::c1a7\n"
                 "MTU=1260\n");
        CHECK_LOGGED_COUNT(0);

        CHECK_EQ(strv_length(c->match_name), 2);
        CHECK_STREQ(c->match_name[0], "eth*");
        CHECK_STREQ(c->match_name[1], "wl?0");
        CHECK_EQ(c->n_match_mac, 2);
        CHECK_EQ(c->match_mac[0].ether_addr_octet[5], 0x55);
        CHECK_EQ(c->match_mac[1].ether_addr_octet[0], 0xaa);
        CHECK(!c->pub.dhcp4);
        CHECK_EQ(c->pub.clat, V6M_YES);
        CHECK(!c->pub.use_dns);
        CHECK_EQ(c->pub.use_domains, V6M_USE_DOMAINS_ROUTE);
        CHECK_EQ(c->pub.ipv6_only_preferred, V6M_NO);
        CHECK_EQ(c->pub.client_id, V6M_CLIENT_ID_MAC);
        CHECK(!c->pub.send_release);
        CHECK_EQ(c->pub.route_metric, 4294967295u);
        CHECK(c->pub.has_static_prefix);
        CHECK_STREQ(nat64_prefix_to_string(&c->pub.static_prefix, buf, sizeof(buf)), "2001:db8:64::/96");
        CHECK(!c->pub.use_pref64);
        CHECK(!c->pub.use_dns64);
        CHECK_EQ(c->pub.n_dns_servers, 3);
        CHECK(in6_eq(&c->pub.dns_servers[0], "2001:db8::53"));
        CHECK(in6_eq(&c->pub.dns_servers[2], "2001:db8::55"));
        CHECK_EQ(c->pub.n_backends, 2);
        CHECK_EQ(c->pub.backends[0], V6M_CLAT_BACKEND_TUN);
        CHECK_EQ(c->pub.backends[1], V6M_CLAT_BACKEND_KMOD);
        CHECK(c->pub.has_ipv4_address);
        CHECK_EQ(ntohl(c->pub.ipv4_address.s_addr), 0xc0000002u);
        CHECK(c->pub.has_ipv6_address);
        CHECK(in6_eq(&c->pub.ipv6_address, "2001:db8:1::c1a7"));
        CHECK_EQ(c->pub.mtu, 1260);
        network_config_free(c);
}

static void test_unknown(void) {
        NetworkConfig *c;
        char expected[4200];
        const char *path;

        c = load("unknown/a.network",
                 "[Network]\n"
                 "DHCPv4=no\n"
                 "Frobnicate=yes\n"   /* line 3 */
                 "dhcpv4=yes\n"       /* line 4: names are case-sensitive */
                 "[Bogus]\n"          /* line 5: warned once... */
                 "Anything=1\n"       /* ...its keys are not */
                 "[CLAT]\n"
                 "MTU=1280\n");
        path = c->filename;

        snprintf(expected, sizeof(expected), "%s:3: Unknown key 'Frobnicate' in section [Network], ignoring.", path);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:4: Unknown key 'dhcpv4'", path);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:5: Unknown section [Bogus], ignoring.", path);
        CHECK_LOGGED(expected);
        CHECK_LOGGED_COUNT(3);
        CHECK(!c->pub.dhcp4);
        CHECK_EQ(c->pub.mtu, 1280);
        network_config_free(c);
}

static void test_invalid_values(void) {
        NetworkConfig *c;
        char expected[4200];

        c = load("invalid/a.network",
                 "[DHCPv4]\n"
                 "RouteMetric=abc\n"             /* 2: keeps the default */
                 "SendRelease=maybe\n"           /* 3 */
                 "ClientIdentifier=uuid\n"       /* 4 */
                 "[NAT64]\n"
                 "Prefix=2001:db8:64::/96\n"
                 "Prefix=2001:db8:64::1/96\n"    /* 7: keeps the previous value */
                 "Prefix=2001:db8::/72\n"        /* 8 */
                 "DNS=2001:db8::53 192.0.2.53\n" /* 9: one bad entry refuses the list */
                 "DNS=ff02::1\n"                 /* 10 */
                 "[CLAT]\n"
                 "Backend=ebpf ebpf\n"           /* 12 */
                 "Backend=tun xdp\n"             /* 13 */
                 "IPv4Address=224.0.0.1\n"       /* 14 */
                 "IPv4Address=192.0.0\n"         /* 15 */
                 "IPv6Address=::\n"              /* 16 */
                 "MTU=67\n"                      /* 17 */
                 "MTU=65536\n"                   /* 18 */
                 "MTU=-1\n"                      /* 19 */
                 "[Network]\n"
                 "CLAT=sometimes\n"              /* 21 */
                 "DHCPv4=1 2\n"                  /* 22 */
                 "[Match]\n"
                 "MACAddress=00:11:22:33:44\n"  /* 24 */
                 "[Network]\n"
                 "UseDomains=search\n"          /* 26 */
                 "UseDNS=perhaps\n");           /* 27 */

#define CHECK_AT(line, text)                                                                        \
        do {                                                                                        \
                snprintf(expected, sizeof(expected), "%s:%d: %s", c->filename, line, text);          \
                CHECK_LOGGED(expected);                                                             \
        } while (0)

        CHECK_AT(2, "Failed to parse RouteMetric=abc, ignoring: ");
        CHECK_AT(3, "Failed to parse SendRelease=maybe, ignoring: ");
        CHECK_AT(4, "Failed to parse ClientIdentifier=uuid, ignoring: ");
        CHECK_AT(7, "Failed to parse Prefix=2001:db8:64::1/96, ignoring: has bits set beyond /96");
        CHECK_AT(8, "Failed to parse Prefix=2001:db8::/72, ignoring: has an invalid prefix length");
        CHECK_AT(9, "Failed to parse DNS=2001:db8::53 192.0.2.53, ignoring: '192.0.2.53' is not an IPv6 address");
        CHECK_AT(10, "Failed to parse DNS=ff02::1, ignoring: ");
        CHECK_AT(12, "Failed to parse Backend=ebpf ebpf, ignoring: backend 'ebpf' listed twice");
        CHECK_AT(13, "Failed to parse Backend=tun xdp, ignoring: unknown backend 'xdp'");
        CHECK_AT(14, "Failed to parse IPv4Address=224.0.0.1, ignoring: ");
        CHECK_AT(15, "Failed to parse IPv4Address=192.0.0, ignoring: ");
        CHECK_AT(16, "Failed to parse IPv6Address=::, ignoring: ");
        CHECK_AT(17, "Failed to parse MTU=67, ignoring: ");
        CHECK_AT(18, "Failed to parse MTU=65536, ignoring: ");
        CHECK_AT(19, "Failed to parse MTU=-1, ignoring: ");
        CHECK_AT(21, "Failed to parse CLAT=sometimes, ignoring: ");
        CHECK_AT(22, "Failed to parse DHCPv4=1 2, ignoring: ");
        CHECK_AT(24, "Failed to parse MACAddress=00:11:22:33:44, ignoring: ");
        CHECK_AT(26, "Failed to parse UseDomains=search, ignoring: expected yes, no or route");
        CHECK_AT(27, "Failed to parse UseDNS=perhaps, ignoring: ");
        CHECK_LOGGED_COUNT(20);
#undef CHECK_AT
        CHECK(c->pub.use_dns);
        CHECK_EQ(c->pub.use_domains, V6M_USE_DOMAINS_YES);

        CHECK_EQ(c->pub.route_metric, 1024);
        CHECK(c->pub.send_release);
        CHECK_EQ(c->pub.client_id, V6M_CLIENT_ID_DUID);
        CHECK(c->pub.has_static_prefix);
        CHECK(nat64_prefix_equal(&c->pub.static_prefix,
                                 &(struct v6m_nat64_prefix) { .prefix = in6("2001:db8:64::"), .len = 96 }));
        CHECK_EQ(c->pub.n_dns_servers, 0);
        CHECK_EQ(c->pub.n_backends, 3);
        CHECK(!c->pub.has_ipv4_address);
        CHECK(!c->pub.has_ipv6_address);
        CHECK_EQ(c->pub.mtu, 0);
        CHECK_EQ(c->pub.clat, V6M_AUTO);
        CHECK(c->pub.dhcp4);
        CHECK_EQ(c->n_match_mac, 0);
        network_config_free(c);
}

static void test_syntax_errors(void) {
        char long_line[1100 + 64], expected[4200];
        NetworkConfig *c;
        const char *path;
        int k;

        /* A line that is too long by one character, and one that just fits. */
        k = snprintf(long_line, sizeof(long_line), "Name=");
        memset(long_line + k, 'x', 1023 - k);
        long_line[1023] = '\0';

        {
                char content[8192];
                const char *head = "[Match]\n"
                                   "Name=a\n"             /* 1..2 */
                                   "this is not an assignment\n" /* 3 */
                                   "=novalue\n"           /* 4 */
                                   "[Network\n"           /* 5: broken header... */
                                   "DHCPv4=no\n"          /* 6: ...its keys are skipped */
                                   "[Network]\n"          /* 7 */
                                   "CLAT=no\n";           /* 8 */
                /* line 9: too long */
                const char *tail = "[]\n"                 /* 10 */
                                   "[CLAT]\n"             /* 11 */
                                   "MTU=1280\n"           /* 12 */
                                   "Backend=\\\n"         /* 13..15: continuation */
                                   "  # comment inside a continuation\n"
                                   "  tun \\\n"
                                   "  ebpf\n"
                                   "IPv4Address=\"192.0.0.4\"  # quoted, with a comment\n" /* 17 */
                                   "IPv6Address=2001:db8::c1a7 ; comment\n"                /* 18 */
                                   "MTU=1300\\\n";        /* 19: continuation at EOF */
                snprintf(content, sizeof(content), "%s%s\n%s", head, long_line, tail);
                c = load("syntax/a.network", content);
        }
        path = c->filename;

        snprintf(expected, sizeof(expected), "%s:3: Missing '=', ignoring line.", path);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:4: Missing key name before '=', ignoring line.", path);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:5: Invalid section header", path);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:9: Line too long (more than 1022 characters), ignoring.", path);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:10: Invalid section header", path);
        CHECK_LOGGED(expected);
        CHECK_LOGGED_COUNT(5);

        CHECK_EQ(strv_length(c->match_name), 1);
        CHECK(c->pub.dhcp4);                  /* line 6 was in the broken section */
        CHECK_EQ(c->pub.clat, V6M_NO);        /* the rest applies */
        CHECK_EQ(c->pub.n_backends, 2);
        CHECK_EQ(c->pub.backends[0], V6M_CLAT_BACKEND_TUN);
        CHECK_EQ(c->pub.backends[1], V6M_CLAT_BACKEND_EBPF);
        CHECK(c->pub.has_ipv4_address);
        CHECK_EQ(ntohl(c->pub.ipv4_address.s_addr), 0xc0000004u);
        CHECK(c->pub.has_ipv6_address);
        CHECK_EQ(c->pub.mtu, 1300);
        network_config_free(c);

        /* 1022 characters is the longest accepted line. */
        long_line[1022] = '\0';
        {
                char content[2048];

                snprintf(content, sizeof(content), "[Match]\n%s\n", long_line);
                c = load("syntax/b.network", content);
        }
        CHECK_LOGGED_COUNT(0);
        CHECK_EQ(strv_length(c->match_name), 1);
        CHECK_EQ(strlen(c->match_name[0]), 1022 - 5);
        network_config_free(c);

        /* Continuations count towards the limit. */
        {
                char content[4096];

                snprintf(content, sizeof(content), "[Match]\nName=%.600s\\\n%.600s\n[CLAT]\nMTU=1400\n",
                         long_line + 5, long_line + 5);
                c = load("syntax/c.network", content);
        }
        snprintf(expected, sizeof(expected), "%s:2: Line too long", c->filename);
        CHECK_LOGGED(expected);
        CHECK_LOGGED_COUNT(1);
        CHECK(!c->match_name);
        CHECK_EQ(c->pub.mtu, 1400);
        network_config_free(c);

        /* NUL bytes, assignments before any section, CRLF line ends. */
        {
                static const char content[] = "MTU=1\r\n[CLAT]\r\nMTU=1\0\r\nMTU=1500\r\n";
                const char *p = write_file_n("syntax/d.network", content, sizeof(content) - 1);

                log_reset();
                CHECK_OK(network_config_load_one(p, (const char *const[]) { NULL }, &c));
        }
        snprintf(expected, sizeof(expected), "%s:1: Assignment outside of a section, ignoring line.", c->filename);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:3: Line contains a NUL byte, ignoring.", c->filename);
        CHECK_LOGGED(expected);
        CHECK_LOGGED_COUNT(2);
        CHECK_EQ(c->pub.mtu, 1500);
        network_config_free(c);

        /* A backslash left at the end once the continuation is resolved would make iniparser
         * join the value with the next one: refused, and the next value is intact. */
        c = load("syntax/e.network", "[Match]\nName=a\\\\\n\nName=b\nName=c\\\\");
        snprintf(expected, sizeof(expected), "%s:2: Line ends in a backslash that continues nothing, ignoring.",
                 c->filename);
        CHECK_LOGGED(expected);
        snprintf(expected, sizeof(expected), "%s:5: Line ends in a backslash", c->filename);
        CHECK_LOGGED(expected);
        CHECK_LOGGED_COUNT(2);
        CHECK_EQ(strv_length(c->match_name), 1);
        CHECK_STREQ(c->match_name[0], "b");
        network_config_free(c);
}

static void test_empty_resets(void) {
        NetworkConfig *c;

        c = load("reset/a.network",
                 "[Match]\n"
                 "Name=a b\n"
                 "Name=\n"
                 "Name=c\n"
                 "MACAddress=00:11:22:33:44:55\n"
                 "MACAddress=\n"
                 "[DHCPv4]\n"
                 "RouteMetric=5\n"
                 "RouteMetric=\n"
                 "ClientIdentifier=mac\n"
                 "ClientIdentifier=\"\"\n"
                 "[Network]\n"
                 "DHCPv4=no\n"
                 "DHCPv4=   \n"
                 "[NAT64]\n"
                 "Prefix=64:ff9b::/96\n"
                 "Prefix=\n"
                 "DNS=2001:db8::53\n"
                 "DNS=\n"
                 "[CLAT]\n"
                 "Backend=kmod\n"
                 "Backend=\n"
                 "IPv4Address=192.0.0.1\n"
                 "IPv4Address=\n"
                 "MTU=1280\n"
                 "MTU=\n");
        CHECK_LOGGED_COUNT(0);
        CHECK_EQ(strv_length(c->match_name), 1);
        CHECK_STREQ(c->match_name[0], "c");
        CHECK_EQ(c->n_match_mac, 0);
        CHECK_EQ(c->pub.route_metric, 1024);
        CHECK_EQ(c->pub.client_id, V6M_CLIENT_ID_DUID);
        CHECK(c->pub.dhcp4);
        CHECK(!c->pub.has_static_prefix);
        CHECK_EQ(c->pub.n_dns_servers, 0);
        CHECK_EQ(c->pub.n_backends, 3);
        CHECK(!c->pub.has_ipv4_address);
        CHECK_EQ(c->pub.mtu, 0);
        network_config_free(c);
}

static void test_dropins_and_search_path(void) {
        const char *etc = dir_path("sp/etc"), *run = dir_path("sp/run"), *lib = dir_path("sp/lib");
        const char *const dirs[] = { etc, run, lib, NULL };
        NetworkConfig **configs = NULL, *c;
        size_t n = 0;

        /* The same name in etc and lib: etc wins. */
        write_file("sp/lib/50-uplink.network", "[Match]\nName=lib0\n[CLAT]\nMTU=1000\n");
        write_file("sp/etc/50-uplink.network", "[Match]\nName=eth0\n[CLAT]\nMTU=1280\n");
        /* Drop-ins from every directory, applied by name; same name: earlier dir wins. */
        write_file("sp/lib/50-uplink.network.d/10-metric.conf", "[DHCPv4]\nRouteMetric=10\n");
        write_file("sp/etc/50-uplink.network.d/20-mtu.conf", "[CLAT]\nMTU=1300\n");
        write_file("sp/lib/50-uplink.network.d/20-mtu.conf", "[CLAT]\nMTU=1400\n");
        write_file("sp/run/50-uplink.network.d/30-dns.conf", "[NAT64]\nDNS=2001:db8::53\n");
        write_file("sp/etc/50-uplink.network.d/40-dns.conf", "[NAT64]\nDNS=2001:db8::54\nBogus=1\n");
        write_file("sp/etc/50-uplink.network.d/not-a-dropin.txt", "[CLAT]\nMTU=9000\n");
        /* Sorted by file name across directories. */
        write_file("sp/run/10-first.network", "[Match]\nMACAddress=02:00:00:00:00:01\n[Network]\nCLAT=no\n");
        write_file("sp/lib/90-catchall.network", "[Network]\nDHCPv4=no\n");
        write_file("sp/lib/70-wifi.network", "[Match]\nName=wl*\n");
        /* Masked: a symlink to /dev/null in an earlier directory hides the file. */
        write_file("sp/lib/60-masked.network", "[Match]\nName=eth0\n");
        CHECK_OK(symlink("/dev/null", dir_path("sp/etc/60-masked.network")));
        write_file("sp/lib/80-other.conf", "[Network]\nDHCPv4=no\n");

        log_reset();
        CHECK_OK(network_config_load_all(dirs, &configs, &n));
        CHECK_EQ(n, 4);
        CHECK_STREQ(configs[0]->name, "10-first.network");
        CHECK_STREQ(configs[1]->name, "50-uplink.network");
        CHECK_STREQ(configs[2]->name, "70-wifi.network");
        CHECK_STREQ(configs[3]->name, "90-catchall.network");

        c = configs[1];
        CHECK(strstr(c->filename, "/sp/etc/50-uplink.network"));
        CHECK_STREQ(c->match_name[0], "eth0");
        CHECK_EQ(c->pub.route_metric, 10);
        CHECK_EQ(c->pub.mtu, 1300);
        CHECK_EQ(c->pub.n_dns_servers, 2); /* lists append across drop-ins */
        CHECK(in6_eq(&c->pub.dns_servers[1], "2001:db8::54"));
        CHECK_EQ(strv_length(c->dropins), 4);
        CHECK(strstr(c->dropins[0], "/sp/lib/50-uplink.network.d/10-metric.conf"));
        CHECK(strstr(c->dropins[1], "/sp/etc/50-uplink.network.d/20-mtu.conf"));
        CHECK(strstr(c->dropins[2], "/sp/run/50-uplink.network.d/30-dns.conf"));
        CHECK(strstr(c->dropins[3], "/sp/etc/50-uplink.network.d/40-dns.conf"));
        CHECK_LOGGED("/sp/etc/50-uplink.network.d/40-dns.conf:3: Unknown key 'Bogus' in section [NAT64]");

        /* First match wins; MACAddress; empty [Match] matches everything. */
        {
                struct ether_addr first = { { 2, 0, 0, 0, 0, 1 } }, other = { { 2, 0, 0, 0, 0, 2 } };

                CHECK(network_config_match(configs, n, "eth0", &first) == configs[0]);
                CHECK(network_config_match(configs, n, "eth0", &other) == configs[1]);
                CHECK(network_config_match(configs, n, "eth0", NULL) == configs[1]);
                CHECK(network_config_match(configs, n, "wlan0", &other) == configs[2]);
                CHECK(network_config_match(configs, n, "eth1", &other) == configs[3]);
                CHECK(network_config_match(configs, n, NULL, NULL) == configs[3]);
                CHECK(network_config_match(configs, 3, "eth1", &other) == NULL);
                CHECK(network_config_match(configs, 0, "eth0", &first) == NULL);
        }

        /* load_one finds the drop-ins of a file through the search path too. */
        c = NULL;
        CHECK_OK(network_config_load_one(configs[1]->filename, dirs, &c));
        CHECK(network_config_equal(c, configs[1]));
        network_config_free(c);

        network_configs_free(configs, n);

        /* Empty or missing directories are no error. */
        CHECK_OK(network_config_load_all((const char *const[]) { dir_path("sp/none"), NULL }, &configs, &n));
        CHECK_EQ(n, 0);
        network_configs_free(configs, n);

        /* An unreadable main file fails load_one. */
        CHECK_EQ(network_config_load_one(dir_path("sp/none/x.network"), dirs, &c), -ENOENT);
}

static void test_match_both(void) {
        struct ether_addr mac = { { 0, 0x11, 0x22, 0x33, 0x44, 0x55 } }, other = { { 0 } };
        NetworkConfig *c;

        c = load("match/a.network", "[Match]\nName=en*\nMACAddress=00:11:22:33:44:55\n");
        /* Every non-empty list must match. */
        CHECK(network_config_match(&c, 1, "enp1s0", &mac) == c);
        CHECK(network_config_match(&c, 1, "enp1s0", &other) == NULL);
        CHECK(network_config_match(&c, 1, "wlan0", &mac) == NULL);
        CHECK(network_config_match(&c, 1, "enp1s0", NULL) == NULL);
        network_config_free(c);
}

static void test_equal(void) {
        NetworkConfig *a, *b;

        a = load("equal/a.network", "[Match]\nName=eth0\n[NAT64]\nDNS=2001:db8::1 2001:db8::2\n[CLAT]\nBackend=tun\n");
        b = load("equal/b.network", "[Match]\nName=eth1\n[NAT64]\nDNS=2001:db8::1\nDNS=2001:db8::2\n[CLAT]\nBackend=tun\n");
        /* File names and [Match] do not configure a link. */
        CHECK(network_config_equal(a, b));
        CHECK(network_config_equal(a, a));
        CHECK(!network_config_equal(a, NULL));
        CHECK(network_config_equal(NULL, NULL));

        b->pub.dns_servers[1].s6_addr[15] ^= 1;
        CHECK(!network_config_equal(a, b));
        b->pub.dns_servers[1].s6_addr[15] ^= 1;
        b->pub.n_dns_servers = 1;
        CHECK(!network_config_equal(a, b));
        b->pub.n_dns_servers = 2;

        b->pub.backends[0] = V6M_CLAT_BACKEND_KMOD;
        CHECK(!network_config_equal(a, b));
        b->pub.backends[0] = V6M_CLAT_BACKEND_TUN;
        /* Past n_backends nothing counts. */
        b->pub.backends[2] = V6M_CLAT_BACKEND_TUN;
        a->pub.backends[2] = V6M_CLAT_BACKEND_EBPF;
        CHECK(network_config_equal(a, b));

        b->pub.has_ipv4_address = true;
        CHECK(!network_config_equal(a, b));
        b->pub.has_ipv4_address = false;
        b->pub.ipv4_address.s_addr = 1; /* unset values do not count */
        CHECK(network_config_equal(a, b));

        b->pub.has_static_prefix = a->pub.has_static_prefix = true;
        a->pub.static_prefix = (struct v6m_nat64_prefix) { .prefix = in6("64:ff9b::"), .len = 96 };
        b->pub.static_prefix = (struct v6m_nat64_prefix) { .prefix = in6("64:ff9b::"), .len = 64 };
        CHECK(!network_config_equal(a, b));
        b->pub.static_prefix.len = 96;
        CHECK(network_config_equal(a, b));

        b->pub.mtu = 1280;
        CHECK(!network_config_equal(a, b));
        b->pub.mtu = 0;
        b->pub.clat = V6M_NO;
        CHECK(!network_config_equal(a, b));

        network_config_free(a);
        network_config_free(b);
}

static void test_many_lines(void) {
        /* More assignments than one iniparser batch; the last one wins. */
        char *content = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&content, &size);
        NetworkConfig *c;

        CHECK(f);
        fputs("[CLAT]\n", f);
        for (unsigned i = 0; i < 2000; i++)
                fprintf(f, "MTU=%u\n%s", 1000 + i, i % 7 == 0 ? "Nope=1\n" : "");
        fputs("[Match]\nName=last\n", f);
        fclose(f);

        c = load("many/a.network", content);
        CHECK_EQ(c->pub.mtu, 2999);
        CHECK_STREQ(c->match_name[0], "last");
        CHECK_EQ(strv_length(logged), 286);
        free(content);
        network_config_free(c);
}

int main(void) {
        log_set_target(LOG_TARGET_STDERR);
        log_set_hook(log_capture, NULL);

        if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "mkdtemp: %m\n");
                return EXIT_TEST_SKIP;
        }
        atexit(tmpdir_cleanup);

        test_defaults();
        test_valid_file();
        test_unknown();
        test_invalid_values();
        test_syntax_errors();
        test_empty_resets();
        test_dropins_and_search_path();
        test_match_both();
        test_equal();
        test_many_lines();

        log_reset();
        return EXIT_SUCCESS;
}
