/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resolver backend "resolved": systemd-resolved's per-link DNS settings over D-Bus, as
 * systemd-networkd and NetworkManager set them (resolvectl dns/domain LINK shows them):
 * SetLinkDNSEx (SetLinkDNS on a resolved older than systemd 246), SetLinkDomains,
 * SetLinkDefaultRoute, and RevertLink to remove them.
 *
 * Usable while org.freedesktop.resolve1 has an owner on the system bus. The plugin
 * watches NameOwnerChanged and tells the core when resolved appears, goes or is
 * replaced by a new instance (a restart forgets every link's settings): the core then
 * chooses the backends afresh and applies everything again. Calls are asynchronous; a
 * refused SetLink* (for example org.freedesktop.resolve1.LinkBusy: systemd-networkd
 * manages the link) is reported to the core, which goes on with the next backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "macro.h"
#include "resolved-message.h"
#include "v6mostly/plugin.h"

typedef struct RdLink RdLink;

typedef struct RdPlugin {
        v6m_core *core;
        sd_bus *bus;
        int bus_error; /* why there is no bus connection */
        char *owner;   /* unique name of resolve1's owner, NULL: none */
        bool no_dns_ex; /* resolved answered UnknownMethod to SetLinkDNSEx */
        sd_bus_slot *owner_match;
        RdLink *links;
} RdPlugin;

enum { CALL_DNS, CALL_DOMAINS, CALL_DEFAULT_ROUTE, _CALL_MAX };

struct RdLink {
        RdPlugin *plugin;
        v6m_link *link;
        sd_bus_slot *slots[_CALL_MAX]; /* pending replies; unref cancels the callback */
        struct v6m_dns_server *servers; /* of the last apply, to repeat it as SetLinkDNS */
        size_t n_servers;
        RdLink *next;
};

static const char *const call_names[_CALL_MAX] = {
        [CALL_DNS] = "SetLinkDNSEx",
        [CALL_DOMAINS] = "SetLinkDomains",
        [CALL_DEFAULT_ROUTE] = "SetLinkDefaultRoute",
};

static void rd_link_cancel(RdLink *l) {
        for (size_t i = 0; i < _CALL_MAX; i++)
                l->slots[i] = sd_bus_slot_unref(l->slots[i]);
}

static int send_dns(RdLink *l);

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error, size_t call) {
        RdLink *l = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        char why[300];

        l->slots[call] = sd_bus_slot_unref(l->slots[call]);
        if (!e)
                return 0;
        if (call == CALL_DNS && !l->plugin->no_dns_ex && sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_METHOD)) {
                v6m_log(LOG_INFO, 0, "resolver-resolved: resolved has no SetLinkDNSEx, using SetLinkDNS");
                l->plugin->no_dns_ex = true;
                (void) send_dns(l);
                return 0;
        }
        snprintf(why, sizeof(why), "%s failed: %s%s%s",
                 call == CALL_DNS && l->plugin->no_dns_ex ? "SetLinkDNS" : call_names[call], e->name,
                 e->message ? ": " : "", strempty(e->message));
        v6m_link_report_resolver(l->link, -sd_bus_message_get_errno(reply) ?: -EIO, why);
        return 0;
}

static int on_dns_reply(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        return on_reply(m, userdata, e, CALL_DNS);
}
static int on_domains_reply(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        return on_reply(m, userdata, e, CALL_DOMAINS);
}
static int on_default_route_reply(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        return on_reply(m, userdata, e, CALL_DEFAULT_ROUTE);
}

static const sd_bus_message_handler_t reply_handlers[_CALL_MAX] = {
        [CALL_DNS] = on_dns_reply,
        [CALL_DOMAINS] = on_domains_reply,
        [CALL_DEFAULT_ROUTE] = on_default_route_reply,
};

static int send_call(RdLink *l, size_t call, sd_bus_message *m) {
        int r;

        l->slots[call] = sd_bus_slot_unref(l->slots[call]);
        r = sd_bus_call_async(l->plugin->bus, &l->slots[call], m, reply_handlers[call], l, 0);
        sd_bus_message_unref(m);
        return r;
}

static int send_dns(RdLink *l) {
        sd_bus_message *m = NULL;
        int r;

        r = resolved_message_set_dns(l->plugin->bus, !l->plugin->no_dns_ex, v6m_link_get_ifindex(l->link), l->servers,
                                     l->n_servers, &m);
        return r < 0 ? r : send_call(l, CALL_DNS, m);
}

/* ---- Is resolved there -------------------------------------------------------------- */

static void set_owner(RdPlugin *p, const char *owner) {
        bool changed;

        if (owner && !owner[0])
                owner = NULL;
        changed = !streq_ptr(owner, p->owner);
        if (!changed)
                return;
        free(p->owner);
        p->owner = owner ? strdup(owner) : NULL;
        p->no_dns_ex = false; /* maybe another version now */
        if (owner)
                v6m_log(LOG_INFO, 0, "resolver-resolved: " RESOLVED_BUS_NAME " is on the bus (%s)", owner);
        else
                v6m_log(LOG_INFO, 0, "resolver-resolved: " RESOLVED_BUS_NAME " left the bus");
        /* A new resolved knows nothing of our links; without one the next backend
         * takes over. */
        v6m_core_report_resolver_changed(p->core);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        RdPlugin *p = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || !streq(name, RESOLVED_BUS_NAME))
                return 0;
        set_owner(p, new_owner);
        return 0;
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        RdPlugin *p = userdata;

        v6m_log(LOG_WARNING, 0, "resolver-resolved: lost the system bus; systemd-resolved is not used until restart");
        p->bus_error = -ECONNRESET;
        set_owner(p, NULL);
        return 0;
}

static int rd_connect(RdPlugin *p) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *owner = NULL;
        int r;

        r = sd_bus_open_system(&p->bus);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(p->bus, v6m_core_get_event(p->core), SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        /* sd-bus would close the connection when the event loop exits, before the core
         * reverts the links at stop: done() flushes and closes it. */
        r = sd_bus_set_close_on_exit(p->bus, false);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(p->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, p);
        if (r < 0)
                return r;
        /* Subscribe before asking, so an owner change in between is not lost. */
        r = sd_bus_add_match(p->bus, &p->owner_match,
                             "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" RESOLVED_BUS_NAME "'",
                             on_name_owner_changed, p);
        if (r < 0)
                return r;
        r = sd_bus_call_method(p->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetNameOwner", &error, &reply, "s", RESOLVED_BUS_NAME);
        if (r >= 0 && sd_bus_message_read(reply, "s", &owner) >= 0 && owner)
                p->owner = strdup(owner);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return 0;
}

/* ---- Plugin ---------------------------------------------------------------------------- */

static int rd_init(v6m_core *core, void **ret_plugin_data) {
        RdPlugin *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->core = core;
        r = rd_connect(p);
        if (r < 0) {
                v6m_log(LOG_INFO, r, "resolver-resolved: no system bus (%m), systemd-resolved cannot be used");
                p->bus_error = r;
                p->owner_match = sd_bus_slot_unref(p->owner_match);
                p->bus = sd_bus_flush_close_unref(p->bus);
        } else if (p->owner)
                v6m_log(LOG_DEBUG, 0, "resolver-resolved: " RESOLVED_BUS_NAME " is owned by %s", p->owner);
        *ret_plugin_data = p;
        return 0;
}

static void rd_done(void *plugin_data) {
        RdPlugin *p = plugin_data;

        /* The core reverted every link: let those RevertLink calls out before closing. */
        if (p->bus)
                (void) sd_bus_flush(p->bus);
        p->owner_match = sd_bus_slot_unref(p->owner_match);
        p->bus = sd_bus_flush_close_unref(p->bus);
        free(p->owner);
        free(p);
}

static int rd_probe(void *plugin_data, v6m_link *link, char *reason, size_t reason_size) {
        RdPlugin *p = plugin_data;

        if (!p->bus) {
                snprintf(reason, reason_size, "no system bus: %s", strerror(-p->bus_error));
                return p->bus_error ?: -ENOTCONN;
        }
        if (!p->owner) {
                snprintf(reason, reason_size, RESOLVED_BUS_NAME " is not on the system bus");
                return -EHOSTDOWN;
        }
        return 0;
}

static int rd_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        RdPlugin *p = plugin_data;
        RdLink *l;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        *l = (RdLink) { .plugin = p, .link = link, .next = p->links };
        p->links = l;
        *ret_link_data = l;
        return 0;
}

static void rd_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        RdPlugin *p = plugin_data;
        RdLink *l = link_data;

        for (RdLink **i = &p->links; *i; i = &(*i)->next)
                if (*i == l) {
                        *i = l->next;
                        break;
                }
        rd_link_cancel(l);
        free(l->servers);
        free(l);
}

static int rd_apply(void *plugin_data, v6m_link *link, void *link_data, const struct v6m_dns_server *servers,
                    size_t n_servers, const struct v6m_resolver_domain *domains, size_t n_domains,
                    bool default_route) {
        RdPlugin *p = plugin_data;
        RdLink *l = link_data;
        sd_bus_message *m = NULL;
        int ifindex = v6m_link_get_ifindex(link), r;

        if (!p->bus || !p->owner)
                return -EHOSTDOWN;
        if (!l)
                return -ENODEV;
        free(l->servers);
        l->servers = NULL;
        l->n_servers = 0;
        if (n_servers > 0) {
                l->servers = reallocarray(NULL, n_servers, sizeof(*servers));
                if (!l->servers)
                        return -ENOMEM;
                memcpy(l->servers, servers, n_servers * sizeof(*servers));
                l->n_servers = n_servers;
        }

        /* Queued in this order on one connection, so resolved handles them in order. */
        r = send_dns(l);
        if (r >= 0)
                r = resolved_message_set_domains(p->bus, ifindex, domains, n_domains, &m);
        if (r >= 0)
                r = send_call(l, CALL_DOMAINS, m);
        if (r >= 0)
                r = resolved_message_set_default_route(p->bus, ifindex, default_route, &m);
        if (r >= 0)
                r = send_call(l, CALL_DEFAULT_ROUTE, m);
        return r;
}

static int on_revert_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e)
                v6m_log(LOG_DEBUG, 0, "resolver-resolved: RevertLink failed: %s", e->name);
        return 0;
}

static int rd_revert(void *plugin_data, v6m_link *link, void *link_data) {
        RdPlugin *p = plugin_data;
        RdLink *l = link_data;
        sd_bus_message *m = NULL;
        int r;

        if (l)
                rd_link_cancel(l); /* no failure reports for settings on their way out */
        if (!p->bus || !p->owner)
                return 0; /* a new resolved starts without them */
        r = resolved_message_revert(p->bus, v6m_link_get_ifindex(link), &m);
        if (r < 0)
                return r;
        r = sd_bus_call_async(p->bus, NULL, m, on_revert_reply, NULL, 0);
        sd_bus_message_unref(m);
        return r;
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "resolver-resolved",
        .kind = V6M_PLUGIN_RESOLVER,
        .init = rd_init,
        .done = rd_done,
        .link_add = rd_link_add,
        .link_remove = rd_link_remove,
        .probe = rd_probe,
        .apply = rd_apply,
        .revert = rd_revert,
};
