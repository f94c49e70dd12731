/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clat.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "nat64-prefix.h"

/* RFC 7335: the CLAT takes an address from 192.0.0.0/29; .1 is the first usable one. */
#define CLAT_IPV4_DEFAULT 0xc0000001u

static void reason_append(char *buf, size_t size, const char *backend, const char *why) {
        size_t l = strlen(buf);

        snprintf(buf + l, size - l, "%s%s: %s", l > 0 ? "; " : "", backend, why);
}

static int clat_prepare_config(Link *link, struct v6m_clat_config *c, const char **ret_reason) {
        const struct v6m_network_config *n = &link->network->pub;

        *c = (struct v6m_clat_config) {
                .uplink_ifindex = link->ifindex,
                .nat64 = link->nat64_prefix,
                .mtu = n->mtu ? n->mtu : (link->mtu > 28 ? link->mtu - 28 : 0),
                .route_metric = n->route_metric,
        };
        c->ipv4_address.s_addr = n->has_ipv4_address ? n->ipv4_address.s_addr : htonl(CLAT_IPV4_DEFAULT);
        if (!n->has_ipv6_address) {
                /* A dedicated, DAD-checked CLAT IPv6 address (RFC 6877 §6.3) is derived by
                 * the CLAT control plane once the TUN backend lands; until then only an
                 * explicit IPv6Address= can be used. */
                *ret_reason = "no CLAT IPv6 address (set [CLAT] IPv6Address=)";
                return -EADDRNOTAVAIL;
        }
        c->ipv6_address = n->ipv6_address;
        return 0;
}

static void clat_try_from(Link *link, size_t first, char *reasons, size_t size) {
        Manager *m = link->manager;
        const struct v6m_network_config *n = &link->network->pub;

        for (size_t i = first; i < n->n_backends; i++) {
                enum v6m_clat_backend b = n->backends[i];
                const char *name = clat_backend_to_string(b);
                char why[256] = "";
                int idx, r;

                idx = plugin_set_find_clat(&m->plugins, b);
                if (idx < 0) {
                        reason_append(reasons, size, name, "plugin not installed");
                        continue;
                }
                Plugin *p = m->plugins.plugins + idx;
                if (!link->plugin_data || !p->ops->start) {
                        reason_append(reasons, size, name, "plugin cannot start");
                        continue;
                }
                if (p->ops->probe) {
                        r = p->ops->probe(p->data, (v6m_link *) link, why, sizeof(why));
                        if (r < 0) {
                                reason_append(reasons, size, name, why[0] ? why : strerror(-r));
                                continue;
                        }
                }

                const char *prep_reason = NULL;
                r = clat_prepare_config(link, &link->clat_config, &prep_reason);
                if (r < 0) {
                        link->clat_backend_available = true;
                        link->clat_state = V6M_CLAT_FAILED;
                        free_and_strdup(&link->clat_reason, prep_reason);
                        log_link_warning(link, "Cannot start CLAT: %s", prep_reason);
                        return;
                }

                link->clat_backend_available = true;
                link->clat_plugin = idx;
                link->clat_backend_index = i;
                link->clat_state = V6M_CLAT_STARTING;
                r = p->ops->start(p->data, (v6m_link *) link, link->plugin_data[idx], &link->clat_config);
                if (r < 0) {
                        snprintf(why, sizeof(why), "failed to start: %s", strerror(-r));
                        reason_append(reasons, size, name, why);
                        log_link_warning_errno(link, r, "CLAT backend %s failed to start, trying the next: %m", name);
                        link->clat_plugin = -1;
                        link->clat_state = V6M_CLAT_STOPPED;
                        continue;
                }
                log_link_info(link, "CLAT starting with backend %s", name);
                free_and_strdup(&link->clat_reason, reasons[0] ? reasons : NULL);
                return;
        }

        link->clat_backend_available = false;
        link->clat_state = V6M_CLAT_STOPPED;
        free_and_strdup(&link->clat_reason, reasons[0] ? reasons : LINK_REASON_NO_CLAT_BACKEND);
        log_link_debug(link, "No CLAT backend usable: %s", link->clat_reason);
}

bool clat_backend_usable(Link *link) {
        Manager *m = link->manager;
        const struct v6m_network_config *n;

        if (!link->network || !link->plugins_attached)
                return false;
        n = &link->network->pub;
        if (n->clat == V6M_NO)
                return false;
        if (link->clat_state == V6M_CLAT_STARTING || link->clat_state == V6M_CLAT_RUNNING)
                return true;
        for (size_t i = 0; i < n->n_backends; i++) {
                char why[256] = "";
                int idx;

                idx = plugin_set_find_clat(&m->plugins, n->backends[i]);
                if (idx < 0 || !link->plugin_attached[idx])
                        continue;
                Plugin *p = m->plugins.plugins + idx;
                if (!p->ops->start)
                        continue;
                if (p->ops->probe && p->ops->probe(p->data, (v6m_link *) link, why, sizeof(why)) < 0) {
                        log_link_debug(link, "CLAT backend %s not usable: %s", clat_backend_to_string(n->backends[i]),
                                       why[0] ? why : "probe failed");
                        continue;
                }
                return true;
        }
        return false;
}

void clat_start(Link *link) {
        char reasons[1024] = "";

        link->clat_attempted = true;
        clat_try_from(link, 0, reasons, sizeof(reasons));
}

void clat_fall_through(Link *link, const char *why) {
        char reasons[1024] = "";
        size_t next = link->clat_backend_index + 1;

        reason_append(reasons, sizeof(reasons), clat_backend_to_string(link->network->pub.backends[link->clat_backend_index]),
                      why ?: "failed");
        link->clat_plugin = -1;
        clat_try_from(link, next, reasons, sizeof(reasons));
}

void clat_stop(Link *link) {
        Manager *m = link->manager;

        if (link->clat_plugin >= 0) {
                Plugin *p = m->plugins.plugins + link->clat_plugin;

                log_link_info(link, "Stopping CLAT (backend %s)", p->ops->name);
                if (p->ops->stop && link->plugin_data)
                        p->ops->stop(p->data, (v6m_link *) link, link->plugin_data[link->clat_plugin]);
        }
        link->clat_plugin = -1;
        link->clat_state = V6M_CLAT_STOPPED;
        link->clat_attempted = false;
        link->clat_backend_available = false;
        link->clat_reason = mfree(link->clat_reason);
        link->clat_config = (struct v6m_clat_config) {};
}

bool clat_needs_restart(const Link *link) {
        if (link->clat_state != V6M_CLAT_STARTING && link->clat_state != V6M_CLAT_RUNNING)
                return false;
        return !link->has_nat64 || !nat64_prefix_equal(&link->clat_config.nat64, &link->nat64_prefix);
}
