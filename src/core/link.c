/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "link.h"

#include <linux/if.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "bus-link.h"
#include "clat.h"
#include "nat64-prefix.h"
#include "strv.h"

#define MESSAGE_ID_LINK_STATE "fac66977f49148fa970d4de9d400342f"
#define MESSAGE_ID_NAT64_PREFIX "5c70344ab4514b278e8250b1583022fd"

static void link_dns_clear(LinkDns *dns);
static void link_warnings_clear(Link *link);

int link_new(Manager *m, int ifindex, const char *ifname, Link **ret) {
        _cleanup_free_ Link *link = NULL;

        link = calloc(1, sizeof(Link));
        if (!link)
                return -ENOMEM;
        *link = (Link) {
                .manager = m,
                .ifindex = ifindex,
                .ifname = strdup(ifname),
                .clat_plugin = -1,
                .state = LINK_STATE_UNMANAGED,
                .nat64_source = _V6M_NAT64_SOURCE_MAX,
        };
        if (!link->ifname)
                return -ENOMEM;
        *ret = TAKE_PTR(link);
        return 0;
}

Link *link_free(Link *link) {
        if (!link)
                return NULL;
        link_detach(link);
        nat64_arbiter_clear(&link->nat64);
        sd_event_source_disable_unref(link->nat64_timer);
        strv_free(link->bus_snapshot);
        for (size_t s = 0; s < _V6M_DNS_SOURCE_MAX; s++)
                link_dns_clear(link->dns + s);
        link_warnings_clear(link);
        free(link->dhcp4_reason);
        free(link->clat_reason);
        free(link->clat_backend_failure);
        free(link->reason);
        free(link->ifname);
        return mfree(link);
}

/* Our own CLAT devices (clat_tun_name()) are never managed, whatever [Match] says. */
bool link_is_clat_device(const Link *link) {
        const char *p = NULL;

        if (strncmp(link->ifname, "v6mclat", 7) == 0)
                p = link->ifname + 7;
        else if (strncmp(link->ifname, "v6mc", 4) == 0)
                p = link->ifname + 4;
        if (!p || !*p)
                return false;
        for (; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

void link_mark_dirty(Link *link) {
        link->dirty = true;
        manager_schedule_dispatch(link->manager);
}

void link_notify_plugins(Link *link, unsigned what) {
        PluginSet *set = &link->manager->plugins;

        if (!link->plugins_attached)
                return;
        for (size_t i = 0; i < set->n_plugins; i++) {
                Plugin *p = set->plugins + i;

                if (link->plugin_attached[i] && p->ops->link_changed)
                        p->ops->link_changed(p->data, (v6m_link *) link, link->plugin_data[i], what);
        }
}

void link_update_from_netlink(Link *link, const char *ifname, unsigned flags, uint32_t mtu,
                              const struct ether_addr *mac, bool loopback) {
        bool carrier = (flags & IFF_UP) && (flags & IFF_LOWER_UP);
        unsigned what = 0;

        if (ifname && !streq(ifname, link->ifname)) {
                log_link_info(link, "Renamed to %s", ifname);
                if (free_and_strdup(&link->ifname, ifname) < 0)
                        log_oom();
                what |= V6M_LINK_CHANGED_NAME;
                /* The [Match] Name= may now match another file, or none. */
                (void) link_apply_config(link, false);
        }
        if (carrier != link->carrier) {
                log_link_debug(link, "Carrier %s", carrier ? "gained" : "lost");
                link->carrier = carrier;
                what |= V6M_LINK_CHANGED_CARRIER;
        }
        if (mtu != link->mtu) {
                /* The CLAT's MTU follows the uplink's (clat_needs_restart()). */
                link->mtu = mtu;
                link_mark_dirty(link);
        }
        link->loopback = loopback;
        if (mac) {
                link->mac = *mac;
                link->has_mac = true;
        }
        if (what) {
                link_notify_plugins(link, what);
                link_mark_dirty(link);
        }
}

void link_set_netlink_facts(Link *link, bool ipv6_global_address, bool ipv6_default_route, bool native_ipv4_address,
                            const struct in6_addr *prefixes64, size_t n_prefixes64) {
        unsigned what = 0;

        n_prefixes64 = MIN(n_prefixes64, (size_t) LINK_PREFIXES64_MAX);
        if (link->ipv6_global_address != ipv6_global_address || link->native_ipv4_address != native_ipv4_address ||
            link->n_prefixes64 != n_prefixes64 ||
            memcmp(link->prefixes64, prefixes64, n_prefixes64 * sizeof(struct in6_addr)) != 0)
                what |= V6M_LINK_CHANGED_ADDRESSES;
        memcpy(link->prefixes64, prefixes64, n_prefixes64 * sizeof(struct in6_addr));
        link->n_prefixes64 = n_prefixes64;
        if (link->ipv6_default_route != ipv6_default_route)
                what |= V6M_LINK_CHANGED_ROUTES;
        if (!what)
                return;
        log_link_debug(link, "Global IPv6 address: %s, IPv6 default route: %s, native IPv4 address: %s",
                       ipv6_global_address ? "yes" : "no", ipv6_default_route ? "yes" : "no",
                       native_ipv4_address ? "yes" : "no");
        link->ipv6_global_address = ipv6_global_address;
        link->ipv6_default_route = ipv6_default_route;
        link->native_ipv4_address = native_ipv4_address;
        link_notify_plugins(link, what);
        link_mark_dirty(link);
}

static void link_dns_clear(LinkDns *dns) {
        dns->servers = mfree(dns->servers);
        dns->n_servers = 0;
        dns->domains = strv_free(dns->domains);
}

static void link_warnings_clear(Link *link) {
        for (size_t i = 0; i < link->n_warnings; i++) {
                free(link->warnings[i].key);
                free(link->warnings[i].message);
        }
        link->warnings = mfree(link->warnings);
        link->n_warnings = 0;
}

int link_set_dns(Link *link, enum v6m_dns_source source, const struct v6m_dns_server *servers, size_t n_servers,
                 char *const *domains) {
        LinkDns *dns = link->dns + source;
        _cleanup_free_ struct v6m_dns_server *copy = NULL;
        char **d = NULL;
        bool same;

        for (size_t i = 0; i < n_servers; i++)
                if (servers[i].family != AF_INET && servers[i].family != AF_INET6)
                        return -EAFNOSUPPORT;

        same = n_servers == dns->n_servers && strv_equal(domains, dns->domains);
        for (size_t i = 0; same && i < n_servers; i++)
                same = dns_server_equal(servers + i, dns->servers + i);
        if (same)
                return 0;

        if (n_servers > 0) {
                copy = reallocarray(NULL, n_servers, sizeof(*servers));
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, servers, n_servers * sizeof(*servers));
        }
        if (domains && domains[0]) {
                d = strv_copy(domains);
                if (!d)
                        return -ENOMEM;
        }
        link_dns_clear(dns);
        dns->servers = TAKE_PTR(copy);
        dns->n_servers = n_servers;
        dns->domains = d;
        link_notify_plugins(link, V6M_LINK_CHANGED_DNS);
        link_mark_dirty(link);
        return 1;
}

size_t link_get_dns_servers(const Link *link, struct v6m_dns_server *ret, size_t max) {
        size_t n = 0;

#define ADD_SERVER(server)                                                      \
        do {                                                                    \
                bool dup = false;                                               \
                for (size_t k = 0; k < n && k < max; k++)                        \
                        dup = dup || dns_server_equal(ret + k, &(server));      \
                if (dup)                                                        \
                        break;                                                  \
                if (n < max)                                                    \
                        ret[n] = (server);                                      \
                n++;                                                            \
        } while (0)

        for (size_t s = 0; s < _V6M_DNS_SOURCE_MAX; s++)
                for (size_t i = 0; i < link->dns[s].n_servers; i++)
                        ADD_SERVER(link->dns[s].servers[i]);
        if (link->network)
                for (size_t i = 0; i < link->network->pub.n_dns_servers; i++) {
                        struct v6m_dns_server server = {
                                .family = AF_INET6,
                                .address.in6 = link->network->pub.dns_servers[i],
                        };
                        ADD_SERVER(server);
                }
#undef ADD_SERVER
        return n;
}

char **link_get_dns_domains(const Link *link) {
        char **l = NULL;

        for (size_t s = 0; s < _V6M_DNS_SOURCE_MAX; s++)
                for (char **d = link->dns[s].domains; d && *d; d++)
                        if (!strv_contains((const char *const *) l, *d) && strv_extend(&l, *d) < 0)
                                return strv_free(l);
        if (!l)
                l = calloc(1, sizeof(char *));
        return l;
}

int link_set_warning(Link *link, const char *key, const char *message) {
        size_t i;

        for (i = 0; i < link->n_warnings; i++)
                if (streq(link->warnings[i].key, key))
                        break;

        if (!message) {
                if (i == link->n_warnings)
                        return 0;
                log_link_info(link, "No longer: %s", link->warnings[i].message);
                free(link->warnings[i].key);
                free(link->warnings[i].message);
                memmove(link->warnings + i, link->warnings + i + 1, (link->n_warnings - i - 1) * sizeof(LinkWarning));
                link->n_warnings--;
                link_mark_dirty(link);
                return 1;
        }

        if (i < link->n_warnings) {
                if (streq(link->warnings[i].message, message))
                        return 0;
                if (free_and_strdup(&link->warnings[i].message, message) < 0)
                        return -ENOMEM;
        } else {
                LinkWarning *w = reallocarray(link->warnings, link->n_warnings + 1, sizeof(LinkWarning));
                if (!w)
                        return -ENOMEM;
                link->warnings = w;
                w[i] = (LinkWarning) { .key = strdup(key), .message = strdup(message) };
                if (!w[i].key || !w[i].message) {
                        free(w[i].key);
                        free(w[i].message);
                        return -ENOMEM;
                }
                link->n_warnings++;
        }
        log_link_warning(link, "%s", message);
        link_mark_dirty(link);
        return 1;
}

static void link_reset_plugin_facts(Link *link) {
        for (size_t s = 0; s < _V6M_DNS_SOURCE_MAX; s++)
                link_dns_clear(link->dns + s);
        link_warnings_clear(link);
        nat64_arbiter_clear(&link->nat64);
        link->has_nat64 = false;
        link->nat64_source = _V6M_NAT64_SOURCE_MAX;
        link->nat64_expiry_usec = 0;
        link->nat64_origin[0] = '\0';
        link->nat64_timer = sd_event_source_disable_unref(link->nat64_timer);
        link->dhcp4 = (struct v6m_dhcp4_status) {};
        link->dhcp4_reason = mfree(link->dhcp4_reason);
}

static void link_initial_dhcp4(Link *link) {
        bool enabled = link->network && link->network->pub.dhcp4 &&
                       plugin_set_provides(&link->manager->plugins, V6M_PROVIDES_DHCP4);

        link->dhcp4 = (struct v6m_dhcp4_status) { .state = enabled ? V6M_DHCP4_PENDING : V6M_DHCP4_DISABLED };
}

static int link_attach(Link *link) {
        PluginSet *set = &link->manager->plugins;

        assert(!link->plugins_attached);
        link->plugin_data = calloc(set->n_plugins ?: 1, sizeof(void *));
        link->plugin_attached = calloc(set->n_plugins ?: 1, sizeof(bool));
        if (!link->plugin_data || !link->plugin_attached) {
                link->plugin_data = mfree(link->plugin_data);
                link->plugin_attached = mfree(link->plugin_attached);
                return log_oom();
        }
        link->plugins_attached = true;
        link_initial_dhcp4(link);

        for (size_t i = 0; i < set->n_plugins; i++) {
                Plugin *p = set->plugins + i;
                int r;

                if (!p->ops->link_add) {
                        link->plugin_attached[i] = true;
                        continue;
                }
                r = p->ops->link_add(p->data, (v6m_link *) link, &link->plugin_data[i]);
                if (r < 0) {
                        log_link_warning_errno(link, r, "Plugin %s failed to take the link, ignoring it for this link: %m",
                                               p->ops->name);
                        continue;
                }
                link->plugin_attached[i] = true;
        }
        return 0;
}

void link_detach(Link *link) {
        PluginSet *set = &link->manager->plugins;

        resolver_link_detach(link); /* before the resolver plugins let go of the link */
        if (!link->plugins_attached)
                return;
        clat_stop(link);
        for (size_t i = set->n_plugins; i > 0; i--) {
                Plugin *p = set->plugins + i - 1;

                if (link->plugin_attached[i - 1] && p->ops->link_remove)
                        p->ops->link_remove(p->data, (v6m_link *) link, link->plugin_data[i - 1]);
        }
        link->plugin_data = mfree(link->plugin_data);
        link->plugin_attached = mfree(link->plugin_attached);
        link->plugins_attached = false;
        link_reset_plugin_facts(link);
}

int link_apply_config(Link *link, bool force) {
        Manager *m = link->manager;
        NetworkConfig *n = NULL;

        if (!link->loopback && !link_is_clat_device(link))
                n = network_config_match(m->networks, m->n_networks, link->ifname, link->has_mac ? &link->mac : NULL);

        if (!n) {
                if (!link->network)
                        return 0;
                log_link_info(link, "No longer matched by any .network file, unmanaging");
                link->network = NULL;
                link_detach(link);
                link_mark_dirty(link);
                return 0;
        }

        if (!link->network) {
                log_link_info(link, "Managed by %s", n->filename);
                link->network = n;
                link_mark_dirty(link);
                return link_attach(link);
        }

        if (!force && network_config_equal(link->network, n)) {
                /* Same settings (maybe from a new copy of the same file): keep everything running. */
                link->network = n;
                return 0;
        }

        log_link_info(link, "Configuration changed (%s), re-applying", n->filename);
        link->network = n;
        if (force) {
                link_detach(link);
                link_mark_dirty(link);
                return link_attach(link);
        }
        /* Settings changed: let the CLAT decision be made afresh, tell the plugins. */
        clat_stop(link);
        if (!link->network->pub.dhcp4 || !plugin_set_provides(&m->plugins, V6M_PROVIDES_DHCP4))
                link_initial_dhcp4(link);
        else if (link->dhcp4.state == V6M_DHCP4_DISABLED)
                link_initial_dhcp4(link);
        link_notify_plugins(link, V6M_LINK_CHANGED_CONFIG);
        link_mark_dirty(link);
        return 0;
}

void link_renew(Link *link) {
        log_link_info(link, "Renew requested");
        link_notify_plugins(link, V6M_LINK_CHANGED_RENEW);
}

uint64_t link_remaining_s(Link *link, uint64_t deadline_usec) {
        uint64_t now;

        if (deadline_usec == V6M_USEC_INFINITY || deadline_usec == 0)
                return UINT64_MAX;
        now = manager_now(link->manager);
        if (deadline_usec <= now)
                return 0;
        return (deadline_usec - now + USEC_PER_SEC - 1) / USEC_PER_SEC;
}

static int link_nat64_timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Link *link = userdata;

        link_mark_dirty(link);
        return 0;
}

/* Expire candidates, choose among the rest, arm the timer for the next expiry. */
static void link_update_nat64(Link *link) {
        bool enabled[_V6M_NAT64_SOURCE_MAX] = {};
        const Nat64Candidate *c;
        uint64_t now = manager_now(link->manager), next;
        size_t expired;
        int r;

        expired = nat64_arbiter_expire(&link->nat64, now);
        if (expired > 0)
                log_link_info(link, "%zu NAT64 prefix candidate(s) expired", expired);

        if (link->network) {
                enabled[V6M_NAT64_SOURCE_RA] = link->network->pub.use_pref64;
                enabled[V6M_NAT64_SOURCE_DNS64] = link->network->pub.use_dns64;
                enabled[V6M_NAT64_SOURCE_STATIC] = true;
        }
        c = nat64_arbiter_choose(&link->nat64, enabled, link->has_nat64 ? &link->nat64_prefix : NULL, link->nat64_source);

        if (!c && link->has_nat64) {
                char buf[NAT64_PREFIX_STRLEN];

                log_link_full_errno(link, LOG_INFO, 0, "NAT64 prefix %s withdrawn",
                                    nat64_prefix_to_string(&link->nat64_prefix, buf, sizeof(buf)));
                link->has_nat64 = false;
                link->nat64_source = _V6M_NAT64_SOURCE_MAX;
                link->nat64_expiry_usec = 0;
                link->nat64_origin[0] = '\0';
                link_notify_plugins(link, V6M_LINK_CHANGED_NAT64);
        } else if (c && (!link->has_nat64 || c->source != link->nat64_source ||
                         !nat64_prefix_equal(&c->prefix, &link->nat64_prefix))) {
                char buf[NAT64_PREFIX_STRLEN];

                nat64_prefix_to_string(&c->prefix, buf, sizeof(buf));
                log_link_struct(link, LOG_INFO, MESSAGE_ID_NAT64_PREFIX,
                                ((const LogField[]) { { "NAT64_PREFIX", buf },
                                                      { "NAT64_SOURCE", nat64_source_to_string(c->source) },
                                                      {} }),
                                "NAT64 prefix %s (source %s, from %s)", buf, nat64_source_to_string(c->source),
                                c->origin);
                link->has_nat64 = true;
                link->nat64_prefix = c->prefix;
                link->nat64_source = c->source;
                link->nat64_expiry_usec = c->expiry_usec;
                snprintf(link->nat64_origin, sizeof(link->nat64_origin), "%s", c->origin);
                link_notify_plugins(link, V6M_LINK_CHANGED_NAT64);
        } else if (c) {
                /* Same prefix; maybe now carried by another router's announcement. */
                link->nat64_expiry_usec = c->expiry_usec;
                snprintf(link->nat64_origin, sizeof(link->nat64_origin), "%s", c->origin);
        }

        next = nat64_arbiter_next_expiry(&link->nat64);
        if (next == V6M_USEC_INFINITY) {
                if (link->nat64_timer)
                        (void) sd_event_source_set_enabled(link->nat64_timer, SD_EVENT_OFF);
                return;
        }
        if (link->nat64_timer) {
                r = sd_event_source_set_time(link->nat64_timer, next);
                if (r >= 0)
                        r = sd_event_source_set_enabled(link->nat64_timer, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(link->manager->event, &link->nat64_timer, CLOCK_BOOTTIME, next, 0,
                                      link_nat64_timer_handler, link);
        if (r < 0)
                log_link_warning_errno(link, r, "Failed to arm the NAT64 prefix expiry timer: %m");
}

static void link_collect_facts(Link *link, LinkFacts *f) {
        *f = (LinkFacts) {
                .managed = link->network != NULL,
                .unmanaged_reason = link->loopback               ? "loopback"
                                    : link_is_clat_device(link) ? "a CLAT device of v6mostlyd"
                                                                : "no matching .network file",
                .carrier = link->carrier,
                .ipv6_global_address = link->ipv6_global_address,
                .ipv6_default_route = link->ipv6_default_route,
                .native_ipv4_address = link->native_ipv4_address,
                .dhcp4_enabled = link->dhcp4.state != V6M_DHCP4_DISABLED,
                .dhcp4_state = link->dhcp4.state,
                .nat64_prefix = link->has_nat64,
                .clat_setting = link->network ? link->network->pub.clat : V6M_NO,
                .clat_backend_available = link->clat_backend_available,
                .clat_state = link->clat_state,
                .clat_reason = link->clat_reason,
                .clat_attempted = link->clat_attempted,
                .clat_address_ready = link->clat_address_ready,
                .clat_backend_failed = link->clat_backend_failed,
        };
}

static void link_set_state(Link *link, LinkState state, const char *reason) {
        LinkState old = link->state;

        if (state == old && streq_ptr(reason, link->reason))
                return;
        if (free_and_strdup(&link->reason, reason) < 0)
                log_oom();
        link->state = state;

        if (state == old) {
                log_link_debug(link, "Still %s, now because: %s", link_state_to_string(state), reason);
                return;
        }

        char prefix[NAT64_PREFIX_STRLEN] = "";

        if (link->has_nat64)
                nat64_prefix_to_string(&link->nat64_prefix, prefix, sizeof(prefix));
        log_link_struct(link, state == LINK_STATE_FAILED ? LOG_WARNING : LOG_INFO, MESSAGE_ID_LINK_STATE,
                        ((const LogField[]) { { "LINK_STATE", link_state_to_string(state) },
                                              { "OLD_LINK_STATE", link_state_to_string(old) },
                                              { "REASON", reason },
                                              { "NAT64_PREFIX", prefix },
                                              {} }),
                        "State %s → %s (%s)", link_state_to_string(old), link_state_to_string(state), reason);
        link_notify_plugins(link, V6M_LINK_CHANGED_STATE);
        manager_update_status(link->manager);
}

void link_check_state(Link *link) {
        LinkFacts facts;
        LinkDecision d;

        link->dirty = false;
        link_update_nat64(link);

        const char *why = clat_needs_restart(link);
        if (why) {
                log_link_info(link, "Restarting the CLAT: %s", why);
                clat_stop(link);
        }

        link_collect_facts(link, &facts);
        link_derive_state(&facts, &d);

        switch (d.clat_action) {
        case CLAT_ACTION_START:
                clat_start(link);
                break;
        case CLAT_ACTION_STOP:
                clat_stop(link);
                break;
        case CLAT_ACTION_START_BACKEND:
                clat_start_backend(link);
                break;
        case CLAT_ACTION_NEXT_BACKEND:
                clat_next_backend(link);
                break;
        case CLAT_ACTION_NONE:
                break;
        }
        if (d.clat_action != CLAT_ACTION_NONE) {
                link_collect_facts(link, &facts);
                link_derive_state(&facts, &d);
        }

        /* Warnings do not change the state; they are part of the reason users see. */
        for (size_t i = 0; i < link->n_warnings && link->network; i++) {
                size_t len = strlen(d.reason);
                snprintf(d.reason + len, sizeof(d.reason) - len, "; %s", link->warnings[i].message);
        }

        log_link_debug(link, "Derived state %s: %s", link_state_to_string(d.state), d.reason);
        link_set_state(link, d.state, d.reason);
        resolver_link_update(link);
        link_bus_send_changed(link);
}
