/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The functions plugin.h promises: the only way plugins reach the core. Plugins report
 * facts; the link re-derives its state on the next event-loop iteration, so a report made
 * from inside a callback never re-enters the state machine. */
#include <arpa/inet.h>

#include "clat.h"
#include "link.h"
#include "manager.h"
#include "nat64-prefix.h"
#include "plugin-loader.h"

#define LINK(l) ((Link *) (l))
#define CLINK(l) ((const Link *) (l))
#define MANAGER(c) ((Manager *) (c))

sd_event *v6m_core_get_event(v6m_core *core) {
        return MANAGER(core)->event;
}

const char *v6m_core_get_runtime_dir(v6m_core *core) {
        return MANAGER(core)->runtime_dir;
}

const char *v6m_core_get_state_dir(v6m_core *core) {
        return MANAGER(core)->state_dir;
}

int v6m_link_get_ifindex(const v6m_link *link) {
        return CLINK(link)->ifindex;
}

const char *v6m_link_get_name(const v6m_link *link) {
        return CLINK(link)->ifname;
}

bool v6m_link_get_hw_addr(const v6m_link *link, uint8_t ret[6]) {
        if (!CLINK(link)->has_mac)
                return false;
        memcpy(ret, &CLINK(link)->mac, 6);
        return true;
}

bool v6m_link_has_carrier(const v6m_link *link) {
        return CLINK(link)->carrier;
}

uint32_t v6m_link_get_mtu(const v6m_link *link) {
        return CLINK(link)->mtu;
}

const struct v6m_network_config *v6m_link_get_network_config(const v6m_link *link) {
        return CLINK(link)->network ? &CLINK(link)->network->pub : NULL;
}

bool v6m_link_clat_backend_usable(const v6m_link *link) {
        return clat_backend_usable(LINK(link));
}

bool v6m_link_get_nat64_prefix(const v6m_link *link, struct v6m_nat64_prefix *ret) {
        if (!CLINK(link)->has_nat64)
                return false;
        if (ret)
                *ret = CLINK(link)->nat64_prefix;
        return true;
}

size_t v6m_link_get_nat64_candidates(const v6m_link *l, enum v6m_nat64_source source, struct v6m_nat64_prefix *ret,
                                     size_t max) {
        const Link *link = CLINK(l);
        uint64_t now = manager_now(link->manager);
        size_t n = 0;

        for (size_t i = 0; i < link->nat64.n_candidates; i++) {
                const Nat64Candidate *c = link->nat64.candidates + i;

                if (c->source != source || (c->expiry_usec != V6M_USEC_INFINITY && c->expiry_usec <= now))
                        continue;
                if (ret && n < max)
                        ret[n] = c->prefix;
                n++;
        }
        return n;
}

int v6m_link_report_nat64_prefix(v6m_link *l, enum v6m_nat64_source source, const char *origin,
                                 const struct v6m_nat64_prefix *prefix, uint64_t expiry_usec) {
        Link *link = LINK(l);
        const char *reason = NULL;
        int r;

        if (!prefix || !origin || (int) source < 0 || source >= _V6M_NAT64_SOURCE_MAX)
                return -EINVAL;
        if (nat64_prefix_validate(prefix, &reason) < 0)
                return log_link_warning_errno(link, EINVAL, "Ignoring invalid NAT64 prefix from %s (%s): %s", origin,
                                              nat64_source_to_string(source), reason);
        r = nat64_arbiter_report(&link->nat64, source, origin, prefix, expiry_usec, manager_now(link->manager));
        if (r < 0)
                return log_link_warning_errno(link, r, "Failed to record NAT64 prefix: %m");
        if (r > 0)
                link_mark_dirty(link);
        return 0;
}

void v6m_link_withdraw_nat64_prefix(v6m_link *l, enum v6m_nat64_source source, const char *origin,
                                    const struct v6m_nat64_prefix *prefix) {
        Link *link = LINK(l);

        if (nat64_arbiter_withdraw(&link->nat64, source, origin, prefix) > 0)
                link_mark_dirty(link);
}

int v6m_link_report_dhcp4(v6m_link *l, const struct v6m_dhcp4_status *status) {
        Link *link = LINK(l);
        int r;

        if (!status || (int) status->state < 0 || status->state >= _V6M_DHCP4_STATE_MAX)
                return -EINVAL;
        r = free_and_strdup(&link->dhcp4_reason, status->reason);
        if (r < 0)
                return r;
        link->dhcp4 = *status;
        link->dhcp4.reason = link->dhcp4_reason;
        link_mark_dirty(link);
        return 0;
}

int v6m_link_report_dns(v6m_link *l, enum v6m_dns_source source, const struct v6m_dns_server *servers,
                        size_t n_servers, char *const *domains) {
        Link *link = LINK(l);
        int r;

        if ((int) source < 0 || source >= _V6M_DNS_SOURCE_MAX || (n_servers > 0 && !servers))
                return -EINVAL;
        r = link_set_dns(link, source, servers, n_servers, domains);
        if (r < 0)
                return log_link_warning_errno(link, r, "Failed to record DNS servers: %m");
        return 0;
}

size_t v6m_link_get_dns_servers(const v6m_link *link, struct v6m_dns_server *ret, size_t max) {
        return link_get_dns_servers(CLINK(link), ret, ret ? max : 0);
}

void v6m_link_report_warning(v6m_link *l, const char *key, const char *message) {
        Link *link = LINK(l);
        int r;

        if (!key)
                return;
        r = link_set_warning(link, key, message);
        if (r < 0)
                log_link_warning_errno(link, r, "Failed to record a warning: %m");
}

void v6m_link_report_clat(v6m_link *l, enum v6m_clat_state state, int error, const char *reason) {
        if ((int) state < 0 || state >= _V6M_CLAT_STATE_MAX)
                return;
        clat_report(LINK(l), state, error, reason);
}

/* Every plugin message gets the plugin's name: "<name>: " in front of the text and
 * V6M_PLUGIN=<name> in the journal. Which plugin called is told by the return address. */
static int plugin_log(const void *caller, const v6m_link *link, int priority, int error, const char *format,
                      va_list ap) {
        const char *name = plugin_name_by_address(caller);
        char message[4000], field[80];
        int saved_errno = errno;

        if (!name)
                return log_internalv(priority, error, "plugin", 0, "plugin", link ? CLINK(link)->ifname : NULL,
                                     link ? CLINK(link)->ifindex : 0, NULL, format, ap);
        errno = abs(error); /* %m prints the error given, as in log_internalv() */
        vsnprintf(message, sizeof(message), format, ap);
        errno = saved_errno;
        snprintf(field, sizeof(field), "V6M_PLUGIN=%s", name);
        /* A plugin that still writes its own "<name>: " gets it once. */
        size_t l = strlen(name);
        bool prefixed = strncmp(message, name, l) == 0 && message[l] == ':' && message[l + 1] == ' ';
        return log_internal(priority, error, "plugin", 0, "plugin", link ? CLINK(link)->ifname : NULL,
                            link ? CLINK(link)->ifindex : 0, (const char *const[]) { field, NULL }, "%s%s%s",
                            prefixed ? "" : name, prefixed ? "" : ": ", message);
}

int v6m_link_log(const v6m_link *link, int priority, int error, const char *format, ...) {
        va_list ap;
        int r;

        if (log_get_max_level() < priority)
                return -abs(error);
        va_start(ap, format);
        r = plugin_log(__builtin_return_address(0), link, priority, error, format, ap);
        va_end(ap);
        return r;
}

int v6m_log(int priority, int error, const char *format, ...) {
        va_list ap;
        int r;

        if (log_get_max_level() < priority)
                return -abs(error);
        va_start(ap, format);
        r = plugin_log(__builtin_return_address(0), NULL, priority, error, format, ap);
        va_end(ap);
        return r;
}
