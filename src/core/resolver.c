/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "resolver.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "link.h"
#include "strv.h"

#define MESSAGE_ID_RESOLVER_BACKEND "MESSAGE_ID=8d1f4a0e6b2c4f7a9e35c0d2b1a67e94"

typedef enum ResolverDrop {
        RESOLVER_DROP_INVALID_SERVER,
        RESOLVER_DROP_SERVERS_OVER_LIMIT,
        RESOLVER_DROP_INVALID_DOMAIN,
        RESOLVER_DROP_DOMAINS_OVER_LIMIT,
        _RESOLVER_DROP_MAX,
} ResolverDrop;

static const char *const resolver_drop_table[_RESOLVER_DROP_MAX] = {
        [RESOLVER_DROP_INVALID_SERVER] = "invalid-server",
        [RESOLVER_DROP_SERVERS_OVER_LIMIT] = "servers-over-limit",
        [RESOLVER_DROP_INVALID_DOMAIN] = "invalid-domain",
        [RESOLVER_DROP_DOMAINS_OVER_LIMIT] = "domains-over-limit",
};

static const char *const dns_source_table[_V6M_DNS_SOURCE_MAX] = {
        [V6M_DNS_SOURCE_RA] = "RA",
        [V6M_DNS_SOURCE_DHCP4] = "DHCPv4",
};

struct ResolverLink {
        int plugin;      /* index into manager->plugins of the backend in use, -1: none */
        size_t position; /* its place in the Backend= list the choice was made from */
        bool chosen;     /* a choice was made (maybe "none usable") */
        bool rechoose;   /* choose again from the first backend */
        ResolveBackend backends[_RESOLVE_BACKEND_MAX]; /* the Backend= list of the choice */
        size_t n_backends;
        char *reason; /* why the backends before the one in use (or all) were not used */

        bool failed; /* the backend reported that an apply failed */
        char *failure;

        /* What the backend holds for the link. */
        bool applied;
        struct v6m_dns_server *servers;
        size_t n_servers;
        char **domains;
        bool route_only;
        bool default_route;
        char *ifname; /* the name at apply time: resolvconf records and files name the link */

        uint64_t dropped[_RESOLVER_DROP_MAX];
};

/* The set the link wants applied now. */
typedef struct ResolverWanted {
        struct v6m_dns_server servers[2 * RESOLVER_SERVERS_MAX];
        size_t n_servers;
        char *domains[2 * RESOLVER_DOMAINS_MAX + 1];
        size_t n_domains;
        bool route_only;
        bool default_route;
} ResolverWanted;

static ResolverLink *resolver_link_get(Link *link) {
        if (!link->resolver) {
                link->resolver = calloc(1, sizeof(ResolverLink));
                if (!link->resolver)
                        return NULL;
                link->resolver->plugin = -1;
        }
        return link->resolver;
}

static void resolver_link_forget_applied(ResolverLink *rl) {
        rl->applied = false;
        rl->servers = mfree(rl->servers);
        rl->n_servers = 0;
        rl->domains = strv_free(rl->domains);
        rl->route_only = false;
        rl->default_route = false;
        rl->ifname = mfree(rl->ifname);
}

/* ---- Input checks ---------------------------------------------------------------- */

void resolver_dns_set_done(ResolverDnsSet *set) {
        set->servers = mfree(set->servers);
        set->n_servers = 0;
        set->domains = strv_free(set->domains);
}

int resolver_domain_normalize(const char *name, char *ret, size_t size) {
        size_t len, label = 0;

        if (!name)
                return -EINVAL;
        len = strlen(name);
        if (len > 0 && name[len - 1] == '.')
                len--; /* the root's dot: "example.com." is "example.com" */
        if (len == 0 || len > 253 || len + 1 > size)
                return -EINVAL;

        for (size_t i = 0; i < len; i++) {
                char c = name[i];

                if (c == '.') {
                        if (label == 0)
                                return -EINVAL; /* empty label */
                        label = 0;
                        ret[i] = c;
                        continue;
                }
                if (c >= 'A' && c <= 'Z')
                        c = (char) (c - 'A' + 'a');
                /* Host names and the underscore labels of service names; anything else
                 * (a space, a newline, a quote) would end up inside a resolv.conf line. */
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
                        return -EINVAL;
                if (++label > 63)
                        return -EINVAL;
                ret[i] = c;
        }
        if (label == 0)
                return -EINVAL;
        ret[len] = '\0';
        return 0;
}

static bool dns_server_usable(const struct v6m_dns_server *s) {
        if (s->family == AF_INET6) {
                const struct in6_addr *a = &s->address.in6;

                return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_MULTICAST(a) &&
                       !IN6_IS_ADDR_V4MAPPED(a);
        }
        if (s->family == AF_INET) {
                uint32_t h = ntohl(s->address.in.s_addr);

                /* 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4 with the
                 * broadcast address. */
                return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 0xe;
        }
        return false;
}

bool dns_server_equal(const struct v6m_dns_server *a, const struct v6m_dns_server *b) {
        if (a->family != b->family || a->ifindex != b->ifindex)
                return false;
        if (a->family == AF_INET)
                return a->address.in.s_addr == b->address.in.s_addr;
        return memcmp(&a->address.in6, &b->address.in6, sizeof(struct in6_addr)) == 0;
}

static void resolver_count_drop(Link *link, ResolverLink *rl, ResolverDrop reason, enum v6m_dns_source source,
                                const char *what) {
        if (rl && rl->dropped[reason]++ > 0)
                return;
        log_link_notice(link, "Dropped %s from %s (%s); further ones are only counted", what,
                        dns_source_table[source], resolver_drop_table[reason]);
}

int resolver_dns_sanitize(Link *link, enum v6m_dns_source source, const struct v6m_dns_server *servers,
                          size_t n_servers, char *const *domains, ResolverDnsSet *ret) {
        _cleanup_(resolver_dns_set_done) ResolverDnsSet set = {};
        ResolverLink *rl = resolver_link_get(link);
        size_t n_domains = 0;

        if (n_servers > 0) {
                set.servers = calloc(MIN(n_servers, (size_t) RESOLVER_SERVERS_MAX), sizeof(*servers));
                if (!set.servers)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n_servers; i++) {
                struct v6m_dns_server s = servers[i];
                char buf[LINK_STR_MAX], what[LINK_STR_MAX + 16];
                bool dup = false;

                if (!dns_server_usable(&s)) {
                        snprintf(what, sizeof(what), "DNS server %s",
                                 link_dns_server_str(&s, buf) ?: "of an unknown address family");
                        resolver_count_drop(link, rl, RESOLVER_DROP_INVALID_SERVER, source, what);
                        continue;
                }
                /* A link-local resolver is only reachable through the link it was learned on. */
                s.ifindex = s.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&s.address.in6) ? link->ifindex : 0;
                for (size_t k = 0; k < set.n_servers && !dup; k++)
                        dup = dns_server_equal(&set.servers[k], &s);
                if (dup)
                        continue;
                if (set.n_servers >= RESOLVER_SERVERS_MAX) {
                        snprintf(what, sizeof(what), "DNS server %s", link_dns_server_str(&s, buf) ?: "?");
                        resolver_count_drop(link, rl, RESOLVER_DROP_SERVERS_OVER_LIMIT, source, what);
                        continue;
                }
                set.servers[set.n_servers++] = s;
        }

        for (char *const *d = domains; d && *d; d++) {
                char name[256], what[300];

                if (resolver_domain_normalize(*d, name, sizeof(name)) < 0) {
                        /* Not echoed: it may hold anything, control characters included. */
                        snprintf(what, sizeof(what), "a search domain that is not a DNS name (%zu octets)",
                                 strlen(*d));
                        resolver_count_drop(link, rl, RESOLVER_DROP_INVALID_DOMAIN, source, what);
                        continue;
                }
                if (strv_contains((const char *const *) set.domains, name))
                        continue;
                if (n_domains >= RESOLVER_DOMAINS_MAX) {
                        snprintf(what, sizeof(what), "search domain %s", name);
                        resolver_count_drop(link, rl, RESOLVER_DROP_DOMAINS_OVER_LIMIT, source, what);
                        continue;
                }
                if (strv_extend(&set.domains, name) < 0)
                        return -ENOMEM;
                n_domains++;
        }

        *ret = set;
        set = (ResolverDnsSet) {};
        return 0;
}

/* ---- What the link wants ---------------------------------------------------------- */

static void wanted_add_source(const Link *link, enum v6m_dns_source source, ResolverWanted *w, bool servers,
                              bool domains) {
        const LinkDns *dns = link->dns + source;

        for (size_t i = 0; servers && i < dns->n_servers && w->n_servers < ELEMENTSOF(w->servers); i++) {
                bool dup = false;

                for (size_t k = 0; k < w->n_servers && !dup; k++)
                        dup = dns_server_equal(&w->servers[k], &dns->servers[i]);
                if (!dup)
                        w->servers[w->n_servers++] = dns->servers[i];
        }
        for (char **d = dns->domains; domains && d && *d && w->n_domains < ELEMENTSOF(w->domains) - 1; d++)
                if (!strv_contains((const char *const *) w->domains, *d)) {
                        w->domains[w->n_domains++] = *d;
                        w->domains[w->n_domains] = NULL;
                }
}

/* RDNSS first on an IPv6-only link (there is nothing else); with a DHCPv4 lease the
 * link is dual-stack and the lease's servers come first: the RA's may be DNS64
 * resolvers, which would send traffic for IPv4 destinations through the NAT64. */
static void resolver_wanted(const Link *link, ResolverWanted *w) {
        const struct v6m_network_config *c = &link->network->pub;
        bool bound = link->dhcp4.state == V6M_DHCP4_BOUND;
        bool servers = c->use_dns, domains = c->use_domains != V6M_USE_DOMAINS_NO;

        *w = (ResolverWanted) { .route_only = c->use_domains == V6M_USE_DOMAINS_ROUTE };
        if (!link->carrier)
                return; /* what the last network said does not hold for the next one */
        if (bound)
                wanted_add_source(link, V6M_DNS_SOURCE_DHCP4, w, servers, domains);
        wanted_add_source(link, V6M_DNS_SOURCE_RA, w, servers, domains);
        w->default_route = w->n_servers > 0;
}

static bool resolver_wanted_is_applied(const Link *link, const ResolverLink *rl, const ResolverWanted *w) {
        if (!rl->applied)
                return w->n_servers == 0 && w->n_domains == 0;
        if (!streq_ptr(rl->ifname, link->ifname))
                return false;
        if (rl->n_servers != w->n_servers || rl->route_only != w->route_only || rl->default_route != w->default_route ||
            !strv_equal(rl->domains, w->n_domains > 0 ? (char *const *) w->domains : NULL))
                return false;
        for (size_t i = 0; i < w->n_servers; i++)
                if (!dns_server_equal(&rl->servers[i], &w->servers[i]))
                        return false;
        return true;
}

static int resolver_remember_applied(const Link *link, ResolverLink *rl, const ResolverWanted *w) {
        _cleanup_free_ struct v6m_dns_server *servers = NULL;
        _cleanup_free_ char *ifname = strdup(link->ifname);
        char **domains = NULL;

        if (!ifname)
                return -ENOMEM;

        if (w->n_servers > 0) {
                servers = reallocarray(NULL, w->n_servers, sizeof(*servers));
                if (!servers)
                        return -ENOMEM;
                memcpy(servers, w->servers, w->n_servers * sizeof(*servers));
        }
        if (w->n_domains > 0) {
                domains = strv_copy((char *const *) w->domains);
                if (!domains)
                        return -ENOMEM;
        }
        resolver_link_forget_applied(rl);
        rl->applied = true;
        rl->servers = TAKE_PTR(servers);
        rl->n_servers = w->n_servers;
        rl->domains = domains;
        rl->route_only = w->route_only;
        rl->default_route = w->default_route;
        rl->ifname = TAKE_PTR(ifname);
        return 0;
}

/* ---- Backends ---------------------------------------------------------------------- */

static int resolver_find_plugin(const Manager *m, ResolveBackend backend) {
        char name[32];

        snprintf(name, sizeof(name), "resolver-%s", resolve_backend_to_string(backend));
        for (size_t i = 0; i < m->plugins.n_plugins; i++)
                if (m->plugins.plugins[i].ops->kind == V6M_PLUGIN_RESOLVER && streq(m->plugins.plugins[i].ops->name, name))
                        return (int) i;
        return -1;
}

static Plugin *resolver_plugin(const Link *link) {
        if (!link->resolver || link->resolver->plugin < 0)
                return NULL;
        return link->manager->plugins.plugins + link->resolver->plugin;
}

static void resolver_revert(Link *link) {
        ResolverLink *rl = link->resolver;
        Plugin *p = resolver_plugin(link);
        int r;

        if (p && link->plugin_data && p->ops->revert) {
                r = p->ops->revert(p->data, (v6m_link *) link, link->plugin_data[rl->plugin]);
                if (r < 0)
                        log_link_warning_errno(link, r, "Resolver backend %s failed to remove the link's DNS settings: %m",
                                               p->ops->name);
                else if (rl->applied)
                        log_link_info(link, "DNS settings removed from %s", p->ops->name);
        }
        resolver_link_forget_applied(rl);
}

static void reason_append(ResolverLink *rl, ResolveBackend backend, const char *why, bool log, Link *link) {
        _cleanup_free_ char *n = NULL;

        if (asprintf(&n, "%s%s%s: %s", rl->reason ?: "", rl->reason ? "; " : "", resolve_backend_to_string(backend),
                     why) < 0) {
                log_oom();
                return;
        }
        free(rl->reason);
        rl->reason = TAKE_PTR(n);
        if (log) {
                char f_backend[64], f_reason[300];
                const char *fields[] = { MESSAGE_ID_RESOLVER_BACKEND, f_backend, f_reason, NULL };

                snprintf(f_backend, sizeof(f_backend), "RESOLVER_BACKEND=%s", resolve_backend_to_string(backend));
                snprintf(f_reason, sizeof(f_reason), "RESOLVER_REASON=%s", why);
                log_internal(LOG_NOTICE, 0, __FILE__, __LINE__, __func__, link->ifname, link->ifindex, fields,
                             "Resolver backend %s not used: %s", resolve_backend_to_string(backend), why);
        }
}

/* The first backend from `from` on in the link's list that is installed, took the link
 * and whose probe succeeds. Reverts it once: what a daemon killed with SIGKILL left for
 * the link goes before anything new is applied. */
static void resolver_choose(Link *link, ResolverLink *rl, size_t from) {
        Manager *m = link->manager;

        rl->chosen = true;
        rl->plugin = -1;
        for (size_t i = from; i < rl->n_backends; i++) {
                ResolveBackend b = rl->backends[i];
                char why[256] = "";
                int idx = resolver_find_plugin(m, b), r;

                if (idx < 0) {
                        reason_append(rl, b, "plugin not installed", false, link);
                        continue;
                }
                Plugin *p = m->plugins.plugins + idx;
                if (!link->plugin_data || !link->plugin_attached[idx]) {
                        reason_append(rl, b, "plugin did not take the link", true, link);
                        continue;
                }
                if (p->ops->probe) {
                        r = p->ops->probe(p->data, (v6m_link *) link, why, sizeof(why));
                        if (r < 0) {
                                reason_append(rl, b, why[0] ? why : strerror(-r), true, link);
                                continue;
                        }
                }
                rl->plugin = idx;
                rl->position = i;
                {
                        char f_backend[64];
                        const char *fields[] = { MESSAGE_ID_RESOLVER_BACKEND, f_backend, NULL };

                        snprintf(f_backend, sizeof(f_backend), "RESOLVER_BACKEND=%s", resolve_backend_to_string(b));
                        log_internal(LOG_INFO, 0, __FILE__, __LINE__, __func__, link->ifname, link->ifindex, fields,
                                     "Resolver backend %s%s%s", resolve_backend_to_string(b),
                                     rl->reason ? "; not used: " : "", strempty(rl->reason));
                }
                resolver_revert(link);
                return;
        }
        if (rl->n_backends == 0)
                (void) free_and_strdup(&rl->reason, "[Resolve] Backend=none");
        else if (!rl->reason)
                (void) free_and_strdup(&rl->reason, "no resolver backend usable");
        log_link_debug(link, "No resolver backend: %s", rl->reason);
}

static void resolver_choose_afresh(Link *link, ResolverLink *rl) {
        const DaemonConfig *dc = &link->manager->daemon_config;

        if (rl->chosen)
                resolver_revert(link);
        rl->reason = mfree(rl->reason);
        rl->failed = false;
        rl->failure = mfree(rl->failure);
        rl->rechoose = false;
        memcpy(rl->backends, dc->resolve_backends, dc->n_resolve_backends * sizeof(dc->resolve_backends[0]));
        rl->n_backends = dc->n_resolve_backends;
        resolver_choose(link, rl, 0);
}

/* The backend in use failed: undo what it may still hold, go on with the next one. */
static void resolver_fall_through(Link *link, ResolverLink *rl, const char *why) {
        ResolveBackend b = rl->backends[rl->position];

        log_link_warning(link, "Resolver backend %s failed (%s), trying the next backend", resolve_backend_to_string(b),
                         why);
        resolver_revert(link);
        reason_append(rl, b, why, true, link);
        resolver_choose(link, rl, rl->position + 1);
}

static bool resolver_backends_changed(const Link *link, const ResolverLink *rl) {
        const DaemonConfig *dc = &link->manager->daemon_config;

        return rl->n_backends != dc->n_resolve_backends ||
               memcmp(rl->backends, dc->resolve_backends, rl->n_backends * sizeof(rl->backends[0])) != 0;
}

void resolver_link_update(Link *link) {
        ResolverWanted w;
        ResolverLink *rl;
        int r;

        if (!link->network || !link->plugins_attached) {
                resolver_link_detach(link);
                return;
        }
        rl = resolver_link_get(link);
        if (!rl) {
                log_oom();
                return;
        }
        if (!rl->chosen || rl->rechoose || resolver_backends_changed(link, rl))
                resolver_choose_afresh(link, rl);
        if (rl->failed) {
                _cleanup_free_ char *why = TAKE_PTR(rl->failure);

                rl->failed = false;
                if (rl->plugin >= 0)
                        resolver_fall_through(link, rl, why ?: "failed");
        }

        resolver_wanted(link, &w);
        while (rl->plugin >= 0 && !resolver_wanted_is_applied(link, rl, &w)) {
                struct v6m_resolver_domain domains[ELEMENTSOF(w.domains)];
                Plugin *p = resolver_plugin(link);
                char why[300];

                if (w.n_servers == 0 && w.n_domains == 0) {
                        resolver_revert(link);
                        break;
                }
                for (size_t i = 0; i < w.n_domains; i++)
                        domains[i] = (struct v6m_resolver_domain) { .name = w.domains[i], .route_only = w.route_only };
                r = p->ops->apply(p->data, (v6m_link *) link, link->plugin_data[rl->plugin], w.servers, w.n_servers,
                                  domains, w.n_domains, w.default_route);
                if (r >= 0) {
                        char buf[LINK_STR_MAX];

                        if (resolver_remember_applied(link, rl, &w) < 0) {
                                log_oom();
                                resolver_link_forget_applied(rl); /* applied again on the next change */
                        }
                        log_link_info(link, "DNS: %s%s (%zu server(s), %zu domain(s)) via %s",
                                      w.n_servers > 0 ? link_dns_server_str(&w.servers[0], buf) ?: "?" : "no servers",
                                      w.n_servers > 1 ? " ..." : "", w.n_servers, w.n_domains, p->ops->name);
                        break;
                }
                snprintf(why, sizeof(why), "failed to apply: %s", strerror(-r));
                resolver_fall_through(link, rl, why);
        }
}

void resolver_link_detach(Link *link) {
        ResolverLink *rl = link->resolver;

        if (!rl)
                return;
        if (link->plugins_attached)
                resolver_revert(link);
        resolver_link_forget_applied(rl);
        free(rl->reason);
        free(rl->failure);
        link->resolver = mfree(rl);
}

void resolver_link_report_failed(Link *link, int error, const char *reason) {
        ResolverLink *rl = link->resolver;
        _cleanup_free_ char *why = NULL;

        if (!rl || rl->plugin < 0)
                return; /* late news from a backend no longer in use */
        if (rl->failed)
                return; /* the first failure is the one that says why */
        /* The backend's reason says it all when there is one (it names the error). */
        if (reason)
                why = strdup(reason);
        else if (asprintf(&why, "failed to apply: %s", strerror(abs(error ?: EIO))) < 0)
                why = NULL;
        free(rl->failure);
        rl->failure = TAKE_PTR(why);
        rl->failed = true;
        link_mark_dirty(link);
}

void resolver_manager_changed(Manager *m) {
        for (Link *l = m->links; l; l = l->next)
                if (l->resolver) {
                        l->resolver->rechoose = true;
                        link_mark_dirty(l);
                }
}

void resolver_manager_reloaded(Manager *m) {
        for (Link *l = m->links; l; l = l->next)
                if (l->resolver && l->resolver->chosen && resolver_backends_changed(l, l->resolver))
                        link_mark_dirty(l);
}

/* ---- Output ---------------------------------------------------------------------------- */

const char *resolver_link_backend_str(const Link *link) {
        if (!link->resolver || link->resolver->plugin < 0)
                return NULL;
        return resolve_backend_to_string(link->resolver->backends[link->resolver->position]);
}

const char *resolver_link_reason(const Link *link) {
        return link->resolver ? link->resolver->reason : NULL;
}

void resolver_link_json_write(const Link *link, JsonWriter *w) {
        json_key(w, "backend");
        json_string(w, resolver_link_backend_str(link));
        json_key(w, "reason");
        json_string(w, resolver_link_reason(link));
        json_key(w, "dropped");
        json_begin_object(w);
        for (size_t i = 0; i < _RESOLVER_DROP_MAX; i++) {
                json_key(w, resolver_drop_table[i]);
                json_uint(w, link->resolver ? link->resolver->dropped[i] : 0);
        }
        json_end_object(w);
}
