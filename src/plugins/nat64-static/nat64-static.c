/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Source plugin: the NAT64 prefix from [NAT64] Prefix=. The value was validated against
 * RFC 6052 when the .network file was parsed; this plugin only reports it, and withdraws
 * it when a reload removes or changes it. Lowest precedence of all sources. */
#include "v6mostly/plugin.h"

#define ORIGIN "config"

static void nat64_static_apply(v6m_link *link) {
        const struct v6m_network_config *c = v6m_link_get_network_config(link);

        /* Withdraw first: a changed Prefix= replaces the old candidate. */
        v6m_link_withdraw_nat64_prefix(link, V6M_NAT64_SOURCE_STATIC, ORIGIN, NULL);
        if (c && c->has_static_prefix)
                (void) v6m_link_report_nat64_prefix(link, V6M_NAT64_SOURCE_STATIC, ORIGIN, &c->static_prefix,
                                                    V6M_USEC_INFINITY);
}

static int nat64_static_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        nat64_static_apply(link);
        return 0;
}

static void nat64_static_link_changed(void *plugin_data, v6m_link *link, void *link_data, unsigned what) {
        if (what & V6M_LINK_CHANGED_CONFIG)
                nat64_static_apply(link);
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "nat64-static",
        .kind = V6M_PLUGIN_SOURCE,
        .provides = V6M_PROVIDES_NAT64_PREFIX,
        .link_add = nat64_static_link_add,
        .link_changed = nat64_static_link_changed,
};
