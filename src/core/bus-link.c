/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-link.h"

#include <inttypes.h>
#include <stdio.h>

#include "bus-manager.h"
#include "nat64-prefix.h"
#include "strv.h"

int link_bus_path(const Link *link, char *buf, size_t size) {
        int n = snprintf(buf, size, BUS_LINK_PATH_PREFIX "/%d", link->ifindex);

        return n < 0 || (size_t) n >= size ? -ENOBUFS : 0;
}

int link_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error) {
        Manager *m = userdata;
        const char *p = path + strlen(BUS_LINK_PATH_PREFIX);
        char *end;
        long ifindex;
        Link *link;

        if (strncmp(path, BUS_LINK_PATH_PREFIX "/", strlen(BUS_LINK_PATH_PREFIX "/")) != 0)
                return 0;
        p++;
        errno = 0;
        ifindex = strtol(p, &end, 10);
        if (errno != 0 || *end != '\0' || end == p || ifindex <= 0 || ifindex > INT32_MAX)
                return 0;
        link = manager_get_link(m, (int) ifindex);
        if (!link)
                return 0;
        *found = link;
        return 1;
}

int link_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        _cleanup_(strv_freep) char **l = calloc(1, sizeof(char *));
        Manager *m = userdata;

        if (!l)
                return -ENOMEM;
        for (Link *link = m->links; link; link = link->next) {
                char p[64];
                int r;

                link_bus_path(link, p, sizeof(p));
                r = strv_extend(&l, p);
                if (r < 0)
                        return r;
        }
        *nodes = TAKE_PTR(l);
        return 1;
}

/* ---- properties ---- */

/* The properties are V6M_LINK_PROPERTIES (bus-api.h): each one a getter property_get_<field>
 * in the vtable, and each one that emits PropertiesChanged a render_<field> that the change
 * detection compares. A STRING property's getter returns its render, so what is signalled
 * is exactly what Get returns. */
typedef const char *(*link_render_t)(const Link *link, char buf[static LINK_STR_MAX]);

static const char *render_name(const Link *l, char buf[static LINK_STR_MAX]) {
        return l->ifname;
}
static const char *render_state(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_state_to_string(l->state);
}
static const char *render_reason(const Link *l, char buf[static LINK_STR_MAX]) {
        return l->reason;
}
static const char *render_network_file(const Link *l, char buf[static LINK_STR_MAX]) {
        return l->network ? l->network->filename : NULL;
}
static const char *render_dhcp4_state(const Link *l, char buf[static LINK_STR_MAX]) {
        return dhcp4_state_to_string(l->dhcp4.state);
}
static const char *render_dhcp4_address(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_dhcp4_address_str(l, buf);
}
static const char *render_dhcp4_server(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_dhcp4_server_str(l, buf);
}
static const char *render_nat64_prefix(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_nat64_prefix_str(l, buf);
}
static const char *render_nat64_prefix_source(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_nat64_source_str(l);
}
static const char *render_nat64_prefix_origin(const Link *l, char buf[static LINK_STR_MAX]) {
        return l->has_nat64 ? l->nat64_origin : NULL;
}
static const char *render_clat_state(const Link *l, char buf[static LINK_STR_MAX]) {
        return clat_state_to_string(l->clat_state);
}
static const char *render_clat_backend(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_clat_backend_str(l);
}
static const char *render_clat_ipv4_address(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_clat_ipv4_str(l, buf);
}
static const char *render_clat_ipv6_address(const Link *l, char buf[static LINK_STR_MAX]) {
        return link_clat_ipv6_str(l, buf);
}
static const char *render_clat_reason(const Link *l, char buf[static LINK_STR_MAX]) {
        return l->clat_reason;
}

static uint32_t clat_mtu_or_zero(const Link *l) {
        uint32_t mtu;

        return link_clat_mtu_shown(l, &mtu) ? mtu : 0;
}
static const char *render_clat_mtu(const Link *l, char buf[static LINK_STR_MAX]) {
        snprintf(buf, LINK_STR_MAX, "%" PRIu32, clat_mtu_or_zero(l));
        return buf;
}

/* For change detection only: the candidate set, with absolute expiry times. */
static const char *render_nat64_candidates(const Link *l, char buf[static LINK_STR_MAX]) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a over the candidates */

        for (size_t i = 0; i < l->nat64.n_candidates; i++) {
                const Nat64Candidate *c = l->nat64.candidates + i;
                const uint8_t *bytes[] = { (const uint8_t *) &c->prefix, (const uint8_t *) &c->source,
                                           (const uint8_t *) &c->expiry_usec };
                const size_t sizes[] = { sizeof(c->prefix), sizeof(c->source), sizeof(c->expiry_usec) };

                for (size_t k = 0; k < ELEMENTSOF(bytes); k++)
                        for (size_t j = 0; j < sizes[k]; j++)
                                h = (h ^ bytes[k][j]) * 1099511628211ULL;
        }
        snprintf(buf, LINK_STR_MAX, "%zu:%016" PRIx64, l->nat64.n_candidates, h);
        return buf;
}

/* For change detection only: the DNS servers and search domains the link shows. */
static const char *render_dns(const Link *l, char buf[static LINK_STR_MAX], bool domains) {
        uint64_t h = 1469598103934665603ULL;
        size_t n;

        if (domains) {
                char **d = link_get_dns_domains(l);

                n = 0;
                for (char **i = d; i && *i; i++, n++)
                        for (const char *c = *i; ; c++) {
                                h = (h ^ (uint8_t) *c) * 1099511628211ULL;
                                if (!*c)
                                        break;
                        }
                strv_free(d);
        } else {
                n = link_get_dns_servers(l, NULL, 0);
                _cleanup_free_ struct v6m_dns_server *servers = calloc(n > 0 ? n : 1, sizeof(*servers));

                if (servers)
                        n = link_get_dns_servers(l, servers, n);
                for (size_t i = 0; servers && i < n; i++)
                        for (size_t j = 0; j < sizeof(*servers); j++)
                                h = (h ^ ((const uint8_t *) (servers + i))[j]) * 1099511628211ULL;
        }
        snprintf(buf, LINK_STR_MAX, "%zu:%016" PRIx64, n, h);
        return buf;
}
static const char *render_dns_servers(const Link *l, char buf[static LINK_STR_MAX]) {
        return render_dns(l, buf, false);
}
static const char *render_search_domains(const Link *l, char buf[static LINK_STR_MAX]) {
        return render_dns(l, buf, true);
}

typedef struct LinkProperty {
        const char *name;
        link_render_t render;
} LinkProperty;

/* Every property that emits PropertiesChanged. */
#define LINK_PROPERTY_SIGNALLED_CONST(field, name)
#define LINK_PROPERTY_SIGNALLED_PLAIN(field, name)
#define LINK_PROPERTY_SIGNALLED_STRING(field, name) { name, render_##field },
#define LINK_PROPERTY_SIGNALLED_CHANGE(field, name) { name, render_##field },
#define LINK_PROPERTY_SIGNALLED(field, name, signature, kind) LINK_PROPERTY_SIGNALLED_##kind(field, name)
static const LinkProperty link_properties[] = {
        V6M_LINK_PROPERTIES(LINK_PROPERTY_SIGNALLED)
};

#define PROPERTY_GETTER(field)                                                                            \
        static int property_get_##field(sd_bus *bus, const char *path, const char *interface,               \
                                        const char *property, sd_bus_message *reply, void *userdata,       \
                                        sd_bus_error *error)

/* A STRING property's getter: its render, "" for none. */
#define LINK_PROPERTY_GETTER_CONST(field)
#define LINK_PROPERTY_GETTER_PLAIN(field)
#define LINK_PROPERTY_GETTER_CHANGE(field)
#define LINK_PROPERTY_GETTER_STRING(field)                                                                 \
        PROPERTY_GETTER(field) {                                                                           \
                char buf[LINK_STR_MAX];                                                                    \
                return sd_bus_message_append_basic(reply, 's', strempty(render_##field(userdata, buf)));   \
        }
#define LINK_PROPERTY_GETTER(field, name, signature, kind) LINK_PROPERTY_GETTER_##kind(field)
V6M_LINK_PROPERTIES(LINK_PROPERTY_GETTER)

PROPERTY_GETTER(ifindex) {
        Link *link = userdata;

        return sd_bus_message_append(reply, "i", (int32_t) link->ifindex);
}

PROPERTY_GETTER(clat_mtu) {
        return sd_bus_message_append(reply, "u", clat_mtu_or_zero(userdata));
}

PROPERTY_GETTER(dhcp4_lease_remaining) {
        Link *link = userdata;

        return sd_bus_message_append(reply, "t", link_remaining_s(link, link->dhcp4.state == V6M_DHCP4_BOUND
                                                                                ? link->dhcp4.lease_expiry_usec
                                                                                : 0));
}

PROPERTY_GETTER(v6only_wait_remaining) {
        Link *link = userdata;

        return sd_bus_message_append(reply, "t", link_remaining_s(link, link->dhcp4.state == V6M_DHCP4_V6ONLY
                                                                                ? link->dhcp4.v6only_until_usec
                                                                                : 0));
}

PROPERTY_GETTER(nat64_prefix_lifetime_remaining) {
        Link *link = userdata;

        return sd_bus_message_append(reply, "t", link_remaining_s(link, link->has_nat64 ? link->nat64_expiry_usec : 0));
}

PROPERTY_GETTER(nat64_candidates) {
        Link *link = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sst)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < link->nat64.n_candidates; i++) {
                const Nat64Candidate *c = link->nat64.candidates + i;
                char buf[NAT64_PREFIX_STRLEN];

                r = sd_bus_message_append(reply, "(sst)", nat64_prefix_to_string(&c->prefix, buf, sizeof(buf)),
                                          nat64_source_to_string(c->source), link_remaining_s(link, c->expiry_usec));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

PROPERTY_GETTER(dns_servers) {
        Link *link = userdata;
        size_t n = link_get_dns_servers(link, NULL, 0);
        _cleanup_free_ struct v6m_dns_server *servers = calloc(n > 0 ? n : 1, sizeof(*servers));
        int r;

        if (!servers)
                return -ENOMEM;
        n = link_get_dns_servers(link, servers, n);
        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char buf[LINK_STR_MAX];

                r = sd_bus_message_append_basic(reply, 's', strempty(link_dns_server_str(servers + i, buf)));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

PROPERTY_GETTER(search_domains) {
        char **domains = link_get_dns_domains(userdata);
        int r;

        if (!domains)
                return -ENOMEM;
        r = sd_bus_message_append_strv(reply, domains);
        strv_free(domains);
        return r;
}

PROPERTY_GETTER(clat_counters) {
        struct v6m_clat_stats stats;
        int r;

        link_clat_stats(userdata, &stats);
        r = sd_bus_message_open_container(reply, 'r', "tta{st}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "tt", stats.packets_4to6, stats.packets_6to4);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{st}");
        if (r < 0)
                return r;
        for (size_t i = 0; i < stats.n_dropped; i++)
                if (stats.dropped[i].reason) {
                        r = sd_bus_message_append(reply, "{st}", stats.dropped[i].reason, stats.dropped[i].count);
                        if (r < 0)
                                return r;
                }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* ---- methods ---- */

static int method_describe(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = link_describe_json(userdata, &text);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "s", text);
}

static int method_renew(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Link *link = userdata;
        int r;

        r = bus_check_privileged(message, error);
        if (r != 0)
                return r;
        if (!link->network)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_MANAGED, "Link %s is not managed.", link->ifname);
        link_renew(link);
        return sd_bus_reply_method_return(message, NULL);
}

static int method_reconfigure(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Link *link = userdata;
        int r;

        r = bus_check_privileged(message, error);
        if (r != 0)
                return r;
        r = link_apply_config(link, true);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to reconfigure %s: %m", link->ifname);
        return sd_bus_reply_method_return(message, NULL);
}

#define LINK_PROPERTY_FLAGS_CONST SD_BUS_VTABLE_PROPERTY_CONST
#define LINK_PROPERTY_FLAGS_STRING SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define LINK_PROPERTY_FLAGS_CHANGE SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define LINK_PROPERTY_FLAGS_PLAIN 0
#define LINK_PROPERTY_VTABLE(field, name, signature, kind) \
        SD_BUS_PROPERTY(name, signature, property_get_##field, 0, LINK_PROPERTY_FLAGS_##kind),

const sd_bus_vtable link_vtable[] = {
        SD_BUS_VTABLE_START(0),
        V6M_LINK_PROPERTIES(LINK_PROPERTY_VTABLE)
        SD_BUS_METHOD_WITH_ARGS("Describe", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json), method_describe,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Renew", NULL, NULL, method_renew, 0),
        SD_BUS_METHOD("Reconfigure", NULL, NULL, method_reconfigure, 0),
        SD_BUS_VTABLE_END,
};

/* ---- signals ---- */

/* Render every signalled property; fill `changed` with the names that differ from the
 * last snapshot (all of them if there is none) and make this the new snapshot. */
static size_t link_bus_take_snapshot(Link *link, const char **changed) {
        _cleanup_(strv_freep) char **now = calloc(ELEMENTSOF(link_properties) + 1, sizeof(char *));
        size_t n_changed = 0;

        if (!now) {
                log_oom();
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(link_properties); i++) {
                char buf[LINK_STR_MAX];

                now[i] = strdup(strempty(link_properties[i].render(link, buf)));
                if (!now[i]) {
                        log_oom();
                        return 0;
                }
                if (!link->bus_snapshot || !streq(link->bus_snapshot[i], now[i]))
                        changed[n_changed++] = link_properties[i].name;
        }
        changed[n_changed] = NULL;
        strv_free(link->bus_snapshot);
        link->bus_snapshot = TAKE_PTR(now);
        return n_changed;
}

void link_bus_send_changed(Link *link) {
        const char *changed[ELEMENTSOF(link_properties) + 1];
        char path[64];
        int r;

        if (!link->manager->bus || link_bus_take_snapshot(link, changed) == 0)
                return;

        link_bus_path(link, path, sizeof(path));
        r = sd_bus_emit_properties_changed_strv(link->manager->bus, path, BUS_LINK_INTERFACE, (char **) changed);
        if (r < 0)
                log_link_debug_errno(link, r, "Failed to emit PropertiesChanged: %m");
}

void link_bus_emit_added(Link *link) {
        const char *changed[ELEMENTSOF(link_properties) + 1];
        char path[64];
        int r;

        if (!link->manager->bus)
                return;
        /* InterfacesAdded carries every property: later signals only need the changes. */
        (void) link_bus_take_snapshot(link, changed);
        link_bus_path(link, path, sizeof(path));
        r = sd_bus_emit_interfaces_added(link->manager->bus, path, BUS_LINK_INTERFACE, NULL);
        if (r < 0)
                log_link_debug_errno(link, r, "Failed to emit InterfacesAdded: %m");
}

void link_bus_emit_removed(Link *link) {
        char path[64];
        int r;

        if (!link->manager->bus)
                return;
        link_bus_path(link, path, sizeof(path));
        r = sd_bus_emit_interfaces_removed(link->manager->bus, path, BUS_LINK_INTERFACE, NULL);
        if (r < 0)
                log_link_debug_errno(link, r, "Failed to emit InterfacesRemoved: %m");
}
