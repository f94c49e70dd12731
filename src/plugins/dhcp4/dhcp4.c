/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Source plugin "dhcp4": one RFC 2131 client per link with [Network] DHCPv4=yes. The
 * protocol engine is src/shared/engine/dhcp4-message.c, dhcp4-client.c (RFC 2131) and
 * dhcp4-acd.c (RFC 5227); dhcp4-link.c applies a lease to the link and stores it. This
 * file maps it onto the plugin ABI: links coming and going, carrier, reloads, renew
 * requests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "dhcp4-internal.h"

static uint32_t min_v6only_wait_from_env(void) {
        const char *e = getenv(DHCP4_MIN_V6ONLY_WAIT_ENV);
        char *end = NULL;
        unsigned long v;

        if (!e || !*e)
                return DHCP4_MIN_V6ONLY_WAIT_S;
        errno = 0;
        v = strtoul(e, &end, 10);
        if (errno != 0 || !end || *end || v > UINT32_MAX) {
                log_dhcp4(LOG_WARNING, 0, "ignoring invalid %s=%s", DHCP4_MIN_V6ONLY_WAIT_ENV, e);
                return DHCP4_MIN_V6ONLY_WAIT_S;
        }
        log_dhcp4(LOG_WARNING, 0, "%s=%lu: MIN_V6ONLY_WAIT lowered from %u s (testing only, RFC 8925 §4.2)",
                  DHCP4_MIN_V6ONLY_WAIT_ENV, v, DHCP4_MIN_V6ONLY_WAIT_S);
        return (uint32_t) v;
}

static int dhcp4_init(v6m_core *core, void **ret_plugin_data) {
        Dhcp4Plugin *p = calloc(1, sizeof(Dhcp4Plugin));
        int r;

        if (!p)
                return -ENOMEM;
        p->core = core;
        p->event = v6m_core_get_event(core);
        p->min_v6only_wait_s = min_v6only_wait_from_env();
        r = dhcp4_netlink_open(&p->nl);
        if (r < 0) {
                free(p);
                return log_dhcp4(LOG_ERR, r, "cannot open rtnetlink: %m");
        }
        r = dhcp4_store_duid(v6m_core_get_state_dir(core), p->duid, sizeof(p->duid), &p->duid_len);
        if (r < 0) {
                /* Still a valid DUID-UUID, only not stable across restarts. */
                log_dhcp4(LOG_WARNING, r, "cannot store the DUID under %s, using a temporary one: %m",
                          v6m_core_get_state_dir(core));
                p->duid[0] = 0;
                p->duid[1] = 4;
                if (getrandom(p->duid + 2, 16, 0) != 16)
                        memset(p->duid + 2, 0x5a, 16);
                p->duid_len = 18;
        }
        *ret_plugin_data = p;
        return 0;
}

static void dhcp4_done(void *plugin_data) {
        Dhcp4Plugin *p = plugin_data;

        if (!p)
                return;
        dhcp4_netlink_close(p->nl);
        free(p);
}

static bool dhcp4_wanted(v6m_link *link) {
        const struct v6m_network_config *n = v6m_link_get_network_config(link);

        return n && n->dhcp4 && v6m_link_has_carrier(link);
}

/* A reload that leaves the [DHCPv4] settings alone keeps the lease as it is. */
static bool dhcp4_settings_changed(Dhcp4Client *c, const struct v6m_network_config *n) {
        if (c->ipv6_only_preferred != n->ipv6_only_preferred || c->client_id_kind != n->client_id ||
            c->route_metric != n->route_metric)
                return true;
        c->send_release = n->send_release;
        return false;
}

static int dhcp4_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        Dhcp4Link *l;
        int r;

        r = dhcp4_link_new(plugin_data, link, &l);
        if (r < 0)
                return r;
        if (dhcp4_wanted(link))
                (void) dhcp4_client_start(l->client);
        *ret_link_data = l;
        return 0;
}

static void dhcp4_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        dhcp4_link_free(link_data);
}

static void dhcp4_link_changed(void *plugin_data, v6m_link *link, void *link_data, unsigned what) {
        Dhcp4Link *l = link_data;
        Dhcp4Client *c = l ? l->client : NULL;

        if (!c)
                return;
        if (what & V6M_LINK_CHANGED_NAME) /* SO_BINDTODEVICE and the lease file use it */
                snprintf(c->ifname, sizeof(c->ifname), "%s", v6m_link_get_name(link) ?: "");
        if (what & (V6M_LINK_CHANGED_CONFIG | V6M_LINK_CHANGED_CARRIER)) {
                if (!dhcp4_wanted(link)) {
                        const struct v6m_network_config *n = v6m_link_get_network_config(link);
                        bool running = c->state != DHCP4_STATE_STOPPED;

                        /* DHCPv4=no now: we stop managing IPv4 here, so release
                         * (SendRelease=); loss of carrier keeps the lease for later. */
                        if (!n || !n->dhcp4)
                                dhcp4_client_stop(c, true);
                        else
                                dhcp4_client_suspend(c);
                        /* Carrier lost: DHCPv4 is pending again, unless the lease is
                         * kept (its address stays until expiry, and carrier back asks for
                         * it again): then it is still bound, and saying "pending" would make
                         * the core take our own address for another tool's. DHCPv4=no: the
                         * core already shows "disabled". */
                        if (running && n && n->dhcp4 && !dhcp4_link_has_lease(l)) {
                                struct v6m_dhcp4_status s = { .state = V6M_DHCP4_PENDING };

                                (void) v6m_link_report_dhcp4(link, &s);
                        }
                } else if (c->state == DHCP4_STATE_STOPPED)
                        (void) dhcp4_client_renew(c); /* carrier back: INIT-REBOOT with the lease we hold */
                else if ((what & V6M_LINK_CHANGED_CONFIG) && dhcp4_settings_changed(c, v6m_link_get_network_config(link)))
                        (void) dhcp4_client_start(c);
                return;
        }
        if ((what & V6M_LINK_CHANGED_RENEW) && dhcp4_wanted(link))
                (void) dhcp4_client_renew(c);
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "dhcp4",
        .kind = V6M_PLUGIN_SOURCE,
        .provides = V6M_PROVIDES_DHCP4,
        .init = dhcp4_init,
        .done = dhcp4_done,
        .link_add = dhcp4_link_add,
        .link_remove = dhcp4_link_remove,
        .link_changed = dhcp4_link_changed,
};
