/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "network-config.h"

#include <arpa/inet.h>
#include <assert.h>
#include <fnmatch.h>
#include <stdio.h>

#include "conf-parser.h"
#include "log.h"
#include "nat64-prefix.h"
#include "strv.h"

static const char *const tristate_table[] = {
        [V6M_AUTO] = "auto",
        [V6M_YES] = "yes",
        [V6M_NO] = "no",
};

DEFINE_STRING_TABLE_LOOKUP(tristate, enum v6m_tristate, ELEMENTSOF(tristate_table));

static const char *const client_id_table[] = {
        [V6M_CLIENT_ID_DUID] = "duid",
        [V6M_CLIENT_ID_MAC] = "mac",
};

DEFINE_STRING_TABLE_LOOKUP(client_id, enum v6m_client_id, ELEMENTSOF(client_id_table));

static const char *const clat_backend_table[_V6M_CLAT_BACKEND_MAX] = {
        [V6M_CLAT_BACKEND_EBPF] = "ebpf",
        [V6M_CLAT_BACKEND_TUN] = "tun",
        [V6M_CLAT_BACKEND_KMOD] = "kmod",
};

DEFINE_STRING_TABLE_LOOKUP(clat_backend, enum v6m_clat_backend, _V6M_CLAT_BACKEND_MAX);

#define log_invalid_value(filename, line, lvalue, rvalue, reason)                                  \
        log_syntax(filename, line, LOG_WARNING, 0, "Failed to parse %s=%s, ignoring: %s", lvalue, rvalue, \
                   reason)

/* auto|yes|no, and the other boolean spellings for yes and no. */
static CONFIG_PARSER_PROTOTYPE(config_parse_tristate) {
        enum v6m_tristate *t = data;
        int r;

        if (tristate_from_string(rvalue) == V6M_AUTO) {
                *t = V6M_AUTO;
                return 0;
        }
        r = parse_boolean(rvalue);
        if (r < 0) {
                log_invalid_value(filename, line, lvalue, rvalue, "expected auto, yes or no");
                return 0;
        }
        *t = r ? V6M_YES : V6M_NO;
        return 0;
}

static DEFINE_CONFIG_PARSE_ENUM(config_parse_client_id, client_id, enum v6m_client_id, "expected duid or mac");

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* "00:11:22:33:44:55" or "00-11-22-33-44-55": ether_aton() would also take single-digit
 * groups, which are more likely typos than intent. */
static int parse_ether_addr(const char *s, struct ether_addr *ret) {
        struct ether_addr a;
        char separator;

        if (strlen(s) != 17)
                return -EINVAL;
        separator = s[2];
        if (separator != ':' && separator != '-')
                return -EINVAL;

        for (size_t i = 0; i < 6; i++) {
                const char *g = s + i * 3;
                int hi = hex_digit(g[0]), lo = hex_digit(g[1]);

                if (hi < 0 || lo < 0)
                        return -EINVAL;
                if (i < 5 && g[2] != separator)
                        return -EINVAL;
                a.ether_addr_octet[i] = (uint8_t) (hi << 4 | lo);
        }

        *ret = a;
        return 0;
}

typedef int (*parse_element_t)(const char *word, void *ret, const char **ret_reason);

/* Lists append, as in systemd: a drop-in adds entries; "Key=" first clears. A list with a
 * bad entry is refused whole, so a typo does not silently narrow a match or drop a server. */
static int parse_append_list(const char *filename, unsigned line, const char *lvalue, const char *rvalue,
                             void **array, size_t *n_array, size_t element_size, parse_element_t parse) {
        _cleanup_(strv_freep) char **words = NULL;
        _cleanup_free_ uint8_t *items = NULL;
        size_t n;

        words = strv_split_whitespace(rvalue);
        if (!words)
                return log_oom();
        n = strv_length(words);
        if (n == 0) {
                *array = mfree(*array);
                *n_array = 0;
                return 0;
        }

        items = reallocarray(NULL, *n_array + n, element_size);
        if (!items)
                return log_oom();
        if (*n_array > 0)
                memcpy(items, *array, *n_array * element_size);
        for (size_t i = 0; i < n; i++) {
                const char *reason = "invalid";

                if (parse(words[i], items + (*n_array + i) * element_size, &reason) < 0) {
                        log_syntax(filename, line, LOG_WARNING, 0, "Failed to parse %s=%s, ignoring: '%s' is %s",
                                   lvalue, rvalue, words[i], reason);
                        return 0;
                }
        }

        free(*array);
        *array = TAKE_PTR(items);
        *n_array += n;
        return 0;
}

static int parse_mac_element(const char *word, void *ret, const char **ret_reason) {
        *ret_reason = "not a MAC address";
        return parse_ether_addr(word, ret);
}

static CONFIG_PARSER_PROTOTYPE(config_parse_match_mac) {
        NetworkConfig *c = userdata;

        return parse_append_list(filename, line, lvalue, rvalue, (void **) &c->match_mac, &c->n_match_mac,
                                 sizeof(struct ether_addr), parse_mac_element);
}

static CONFIG_PARSER_PROTOTYPE(config_parse_nat64_prefix) {
        NetworkConfig *c = userdata;
        struct v6m_nat64_prefix p;
        const char *reason;

        if (isempty(rvalue)) {
                c->pub.has_static_prefix = false;
                c->pub.static_prefix = (struct v6m_nat64_prefix) {};
                return 0;
        }

        if (nat64_prefix_from_string(rvalue, &p, &reason) < 0) {
                log_invalid_value(filename, line, lvalue, rvalue, reason);
                return 0;
        }
        c->pub.static_prefix = p;
        c->pub.has_static_prefix = true;
        return 0;
}

static bool in6_addr_is_unicast(const struct in6_addr *a) {
        return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_MULTICAST(a);
}

static int parse_ipv6_unicast(const char *s, struct in6_addr *ret, const char **ret_reason) {
        struct in6_addr a;

        if (inet_pton(AF_INET6, s, &a) != 1) {
                *ret_reason = "not an IPv6 address";
                return -EINVAL;
        }
        if (!in6_addr_is_unicast(&a)) {
                *ret_reason = "not a unicast IPv6 address";
                return -EINVAL;
        }
        *ret = a;
        return 0;
}

static int parse_ipv6_unicast_element(const char *word, void *ret, const char **ret_reason) {
        return parse_ipv6_unicast(word, ret, ret_reason);
}

/* DNS64 resolvers to ask for ipv4only.arpa. IPv6 only: on an IPv6-mostly link the
 * resolvers that synthesize AAAA records are reached over IPv6. */
static CONFIG_PARSER_PROTOTYPE(config_parse_dns_servers) {
        NetworkConfig *c = userdata;

        return parse_append_list(filename, line, lvalue, rvalue, (void **) &c->pub.dns_servers,
                                 &c->pub.n_dns_servers, sizeof(struct in6_addr), parse_ipv6_unicast_element);
}

/* An ordered preference list, so an assignment replaces the list instead of appending:
 * "Backend=tun" in a drop-in means "only tun". */
static CONFIG_PARSER_PROTOTYPE(config_parse_clat_backends) {
        _cleanup_(strv_freep) char **words = NULL;
        enum v6m_clat_backend backends[_V6M_CLAT_BACKEND_MAX];
        NetworkConfig *c = userdata;
        size_t n = 0;

        words = strv_split_whitespace(rvalue);
        if (!words)
                return log_oom();
        if (!words[0]) {
                log_invalid_value(filename, line, lvalue, rvalue, "no backend given");
                return 0;
        }

        for (char **w = words; *w; w++) {
                enum v6m_clat_backend b = clat_backend_from_string(*w);

                if ((int) b < 0) {
                        log_syntax(filename, line, LOG_WARNING, 0,
                                   "Failed to parse %s=%s, ignoring: unknown backend '%s' (expected ebpf, tun or kmod)",
                                   lvalue, rvalue, *w);
                        return 0;
                }
                for (size_t i = 0; i < n; i++)
                        if (backends[i] == b) {
                                log_syntax(filename, line, LOG_WARNING, 0,
                                           "Failed to parse %s=%s, ignoring: backend '%s' listed twice", lvalue,
                                           rvalue, *w);
                                return 0;
                        }
                /* With no duplicates among _MAX kinds, n cannot overflow the array. */
                backends[n++] = b;
        }

        memcpy(c->pub.backends, backends, n * sizeof(backends[0]));
        c->pub.n_backends = n;
        return 0;
}

/* Any unicast IPv4 address is accepted, without a warning outside 192.0.0.0/29: RFC 7335
 * reserves that block for CLATs and the daemon picks from it by default, but an operator
 * who sets another address has chosen it. Refused are only addresses that can never be an
 * interface address: 0/8, 127/8, multicast, and 240/4 (which holds 255.255.255.255). */
static CONFIG_PARSER_PROTOTYPE(config_parse_clat_ipv4_address) {
        NetworkConfig *c = userdata;
        struct in_addr a;
        uint32_t h;

        if (isempty(rvalue)) {
                c->pub.has_ipv4_address = false;
                c->pub.ipv4_address = (struct in_addr) {};
                return 0;
        }

        if (inet_pton(AF_INET, rvalue, &a) != 1) {
                log_invalid_value(filename, line, lvalue, rvalue, "not an IPv4 address");
                return 0;
        }
        h = ntohl(a.s_addr);
        if ((h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 0xe) {
                log_invalid_value(filename, line, lvalue, rvalue, "not a unicast IPv4 address");
                return 0;
        }

        c->pub.ipv4_address = a;
        c->pub.has_ipv4_address = true;
        return 0;
}

static CONFIG_PARSER_PROTOTYPE(config_parse_clat_ipv6_address) {
        NetworkConfig *c = userdata;
        const char *reason;
        struct in6_addr a;

        if (isempty(rvalue)) {
                c->pub.has_ipv6_address = false;
                c->pub.ipv6_address = (struct in6_addr) {};
                return 0;
        }

        if (parse_ipv6_unicast(rvalue, &a, &reason) < 0) {
                log_invalid_value(filename, line, lvalue, rvalue, reason);
                return 0;
        }
        c->pub.ipv6_address = a;
        c->pub.has_ipv6_address = true;
        return 0;
}

/* 0 leaves the MTU to the uplink; otherwise IPv4's minimum (RFC 791: 68) up to 65535. */
static CONFIG_PARSER_PROTOTYPE(config_parse_clat_mtu) {
        uint32_t *mtu = data, v;

        if (safe_atou32(rvalue, &v) < 0 || (v != 0 && (v < 68 || v > 65535))) {
                log_invalid_value(filename, line, lvalue, rvalue, "expected 0 or 68...65535");
                return 0;
        }
        *mtu = v;
        return 0;
}

#define NC(field) offsetof(NetworkConfig, field)

/* Every .network key, with the default that "Key=" resets to. */
static const ConfigTableItem network_config_table[] = {
        { "Match",   "Name",              config_parse_strv,               0, NC(match_name),              NULL },
        { "Match",   "MACAddress",        config_parse_match_mac,          0, NC(match_mac),               NULL },
        { "Network", "DHCPv4",            config_parse_bool,               0, NC(pub.dhcp4),               "yes" },
        { "Network", "CLAT",              config_parse_tristate,           0, NC(pub.clat),                "auto" },
        { "DHCPv4",  "IPv6OnlyPreferred", config_parse_tristate,           0, NC(pub.ipv6_only_preferred), "auto" },
        { "DHCPv4",  "ClientIdentifier",  config_parse_client_id,          0, NC(pub.client_id),           "duid" },
        { "DHCPv4",  "SendRelease",       config_parse_bool,               0, NC(pub.send_release),        "yes" },
        { "DHCPv4",  "RouteMetric",       config_parse_uint32,             0, NC(pub.route_metric),        "1024" },
        { "NAT64",   "Prefix",            config_parse_nat64_prefix,       0, NC(pub.static_prefix),       NULL },
        { "NAT64",   "UsePREF64",         config_parse_bool,               0, NC(pub.use_pref64),          "yes" },
        { "NAT64",   "UseDNS64",          config_parse_bool,               0, NC(pub.use_dns64),           "yes" },
        { "NAT64",   "DNS",               config_parse_dns_servers,        0, NC(pub.dns_servers),         NULL },
        { "CLAT",    "Backend",           config_parse_clat_backends,      0, NC(pub.backends),            "ebpf tun kmod" },
        { "CLAT",    "IPv4Address",       config_parse_clat_ipv4_address,  0, NC(pub.ipv4_address),        NULL },
        { "CLAT",    "IPv6Address",       config_parse_clat_ipv6_address,  0, NC(pub.ipv6_address),        NULL },
        { "CLAT",    "MTU",               config_parse_clat_mtu,           0, NC(pub.mtu),                 "0" },
};

void network_config_init_defaults(NetworkConfig *c) {
        int r;

        *c = (NetworkConfig) {};
        /* The defaults allocate nothing, so this cannot fail unless the table is wrong. */
        r = config_table_apply_defaults(network_config_table, ELEMENTSOF(network_config_table), c);
        assert(r >= 0);
        (void) r;
}

NetworkConfig *network_config_free(NetworkConfig *c) {
        if (!c)
                return NULL;

        free(c->filename);
        free(c->name);
        strv_free(c->dropins);
        strv_free(c->match_name);
        free(c->match_mac);
        free(c->pub.dns_servers);
        return mfree(c);
}

void network_configs_free(NetworkConfig **configs, size_t n) {
        for (size_t i = 0; i < n; i++)
                network_config_free(configs[i]);
        free(configs);
}

/* At file scope the compound literal has static storage: in the `if (!dirs)` below it
 * would live only as long as the if statement, and the search that follows read a
 * dead stack slot (v6mostlyd without --network-dir crashed in conf_files_list). */
static const char *const *const network_dirs_default = NETWORK_DIRS_DEFAULT;

int network_config_load_one(const char *path, const char *const *dirs, NetworkConfig **ret) {
        _cleanup_(network_config_freep) NetworkConfig *c = NULL;
        _cleanup_(strv_freep) char **dropins = NULL;
        const char *name;
        int r;

        if (!path || !ret)
                return -EINVAL;
        if (!dirs)
                dirs = network_dirs_default;

        c = malloc(sizeof(NetworkConfig));
        if (!c)
                return log_oom();
        network_config_init_defaults(c);

        name = strrchr(path, '/');
        name = name ? name + 1 : path;
        c->filename = strdup(path);
        c->name = strdup(name);
        c->dropins = calloc(1, sizeof(char *));
        if (!c->filename || !c->name || !c->dropins)
                return log_oom();
        c->pub.filename = c->filename;

        r = config_parse_file(path, network_config_table, ELEMENTSOF(network_config_table), c, 0);
        if (r < 0)
                return r;

        r = conf_files_list_dropins(dirs, c->name, &dropins);
        if (r < 0)
                return log_error_errno(r, "Failed to list drop-ins of %s: %m", c->name);

        for (char **d = dropins; *d; d++) {
                r = config_parse_file(*d, network_config_table, ELEMENTSOF(network_config_table), c, 0);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue; /* logged; a broken drop-in does not take the file down */
                if (strv_extend(&c->dropins, *d) < 0)
                        return log_oom();
        }

        *ret = TAKE_PTR(c);
        return 0;
}

int network_config_load_all(const char *const *dirs, NetworkConfig ***ret, size_t *ret_n) {
        _cleanup_(strv_freep) char **files = NULL;
        NetworkConfig **configs;
        size_t n = 0;
        int r;

        if (!ret || !ret_n)
                return -EINVAL;
        if (!dirs)
                dirs = network_dirs_default;

        r = conf_files_list(dirs, ".network", &files);
        if (r < 0)
                return log_error_errno(r, "Failed to list .network files: %m");

        configs = calloc(strv_length(files) + 1, sizeof(NetworkConfig *));
        if (!configs)
                return log_oom();

        for (char **f = files; *f; f++) {
                NetworkConfig *c;

                r = network_config_load_one(*f, dirs, &c);
                if (r == -ENOMEM) {
                        network_configs_free(configs, n);
                        return r;
                }
                if (r < 0)
                        continue; /* logged by the parser; other files still apply */
                configs[n++] = c;
        }

        *ret = configs;
        *ret_n = n;
        return 0;
}

static bool network_config_matches(const NetworkConfig *c, const char *ifname, const struct ether_addr *mac) {
        if (c->match_name && c->match_name[0]) {
                bool found = false;

                if (!ifname)
                        return false;
                for (char **glob = c->match_name; *glob && !found; glob++)
                        found = fnmatch(*glob, ifname, 0) == 0;
                if (!found)
                        return false;
        }

        if (c->n_match_mac > 0) {
                bool found = false;

                if (!mac)
                        return false;
                for (size_t i = 0; i < c->n_match_mac && !found; i++)
                        found = memcmp(&c->match_mac[i], mac, sizeof(*mac)) == 0;
                if (!found)
                        return false;
        }

        return true;
}

NetworkConfig *network_config_match(NetworkConfig *const *configs, size_t n, const char *ifname,
                                    const struct ether_addr *mac) {
        for (size_t i = 0; i < n; i++)
                if (configs[i] && network_config_matches(configs[i], ifname, mac))
                        return configs[i];
        return NULL;
}

/* The [Match] section is left out on purpose: it decides which link a config applies to,
 * not how that link is configured, and reload matches links afresh anyway. */
bool network_config_equal(const NetworkConfig *a, const NetworkConfig *b) {
        const struct v6m_network_config *x, *y;

        if (!a || !b)
                return a == b;
        x = &a->pub;
        y = &b->pub;

        if (x->dhcp4 != y->dhcp4 || x->clat != y->clat)
                return false;

        if (x->ipv6_only_preferred != y->ipv6_only_preferred || x->client_id != y->client_id ||
            x->send_release != y->send_release || x->route_metric != y->route_metric)
                return false;

        if (x->has_static_prefix != y->has_static_prefix ||
            (x->has_static_prefix && !nat64_prefix_equal(&x->static_prefix, &y->static_prefix)))
                return false;
        if (x->use_pref64 != y->use_pref64 || x->use_dns64 != y->use_dns64)
                return false;
        if (x->n_dns_servers != y->n_dns_servers ||
            (x->n_dns_servers > 0 &&
             memcmp(x->dns_servers, y->dns_servers, x->n_dns_servers * sizeof(struct in6_addr)) != 0))
                return false;

        if (x->n_backends != y->n_backends ||
            memcmp(x->backends, y->backends, x->n_backends * sizeof(x->backends[0])) != 0)
                return false;
        if (x->has_ipv4_address != y->has_ipv4_address ||
            (x->has_ipv4_address && x->ipv4_address.s_addr != y->ipv4_address.s_addr))
                return false;
        if (x->has_ipv6_address != y->has_ipv6_address ||
            (x->has_ipv6_address && !IN6_ARE_ADDR_EQUAL(&x->ipv6_address, &y->ipv6_address)))
                return false;

        return x->mtu == y->mtu;
}
