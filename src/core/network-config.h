/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/ethernet.h>
#include <stdbool.h>

#include "macro.h"
#include "v6mostly/plugin.h"

/* One parsed .network file with its drop-ins. `pub` is what plugins see. */
typedef struct NetworkConfig {
        struct v6m_network_config pub;

        char *filename;  /* full path of the .network file (pub.filename points here) */
        char *name;      /* basename, e.g. "50-uplink.network" */
        char **dropins;  /* full paths of the drop-ins applied, in order (NULL-terminated) */

        /* [Match]: every non-empty list must match. Name= takes fnmatch() globs. */
        char **match_name;
        struct ether_addr *match_mac;
        size_t n_match_mac;
} NetworkConfig;

/* Default search path, earlier directories win for equal file names. */
#define NETWORK_DIRS_DEFAULT                                                   \
        ((const char *const[]) { "/etc/v6mostly/network", "/run/v6mostly/network", \
                                 "/usr/lib/v6mostly/network", NULL })

/* Fill *c with the defaults of every key. */
void network_config_init_defaults(NetworkConfig *c);

/* Load one .network file and its foo.network.d/ drop-ins (looked up in every dir of
 * `dirs`). Bad lines are logged with file:line and skipped; the rest applies. Fails
 * only for an unreadable main file or ENOMEM. */
int network_config_load_one(const char *path, const char *const *dirs, NetworkConfig **ret);

/* Load every *.network of the search path (same name: earlier dir wins), sorted by file
 * name. A file that cannot be read is logged and skipped. */
int network_config_load_all(const char *const *dirs, NetworkConfig ***ret, size_t *ret_n);

NetworkConfig *network_config_free(NetworkConfig *c);
static inline void network_config_freep(NetworkConfig **c) {
        network_config_free(*c);
}
void network_configs_free(NetworkConfig **configs, size_t n);

/* First config (in order) whose [Match] matches; NULL if none. mac may be NULL. A config
 * with an empty [Match] section matches every link. */
NetworkConfig *network_config_match(NetworkConfig *const *configs, size_t n, const char *ifname,
                                    const struct ether_addr *mac);

/* True if two configs would configure a link the same way (used by reload to keep
 * working links untouched). Ignores file names. */
bool network_config_equal(const NetworkConfig *a, const NetworkConfig *b);

/* An ordered list of distinct backend names ("Backend=tun kmod"), looked up with
 * `lookup` (an enum's from_string, negative for an unknown name): at most `max` values
 * into ret, their number into *ret_n. An empty list, an unknown or a repeated name is
 * logged as "Failed to parse ..., ignoring: ..." (`expected` lists the names) and gives
 * -EINVAL; -ENOMEM. Shared by [CLAT] Backend= and v6mostlyd.conf [Resolve] Backend=. */
int config_parse_backend_list(const char *filename, unsigned line, const char *lvalue, const char *rvalue,
                              int (*lookup)(const char *name), const char *expected, int *ret, size_t max,
                              size_t *ret_n);

/* String tables shared by config, logs, bus and JSON. */
DECLARE_STRING_TABLE_LOOKUP(tristate, enum v6m_tristate);
DECLARE_STRING_TABLE_LOOKUP(client_id, enum v6m_client_id);
DECLARE_STRING_TABLE_LOOKUP(use_domains, enum v6m_use_domains);
DECLARE_STRING_TABLE_LOOKUP(clat_backend, enum v6m_clat_backend);
