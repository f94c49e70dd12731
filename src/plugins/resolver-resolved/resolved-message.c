/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "resolved-message.h"

#include <sys/socket.h>

static int new_call(sd_bus *bus, const char *member, int ifindex, sd_bus_message **ret) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, RESOLVED_BUS_NAME, RESOLVED_BUS_PATH, RESOLVED_BUS_INTERFACE,
                                           member);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "i", (int32_t) ifindex);
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        *ret = m;
        return 0;
}

int resolved_message_set_dns(sd_bus *bus, bool ex, int ifindex, const struct v6m_dns_server *servers,
                             size_t n_servers, sd_bus_message **ret) {
        sd_bus_message *m = NULL;
        int r;

        r = new_call(bus, ex ? "SetLinkDNSEx" : "SetLinkDNS", ifindex, &m);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', ex ? "(iayqs)" : "(iay)");
        for (size_t i = 0; r >= 0 && i < n_servers; i++) {
                const struct v6m_dns_server *s = servers + i;
                size_t size = s->family == AF_INET6 ? 16 : 4;

                if (s->family != AF_INET && s->family != AF_INET6)
                        continue;
                r = sd_bus_message_open_container(m, 'r', ex ? "iayqs" : "iay");
                if (r >= 0)
                        r = sd_bus_message_append(m, "i", (int32_t) s->family);
                if (r >= 0)
                        r = sd_bus_message_append_array(m, 'y', &s->address, size);
                if (r >= 0 && ex)
                        r = sd_bus_message_append(m, "qs", (uint16_t) 0, "");
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        *ret = m;
        return 0;
}

int resolved_message_set_domains(sd_bus *bus, int ifindex, const struct v6m_resolver_domain *domains,
                                 size_t n_domains, sd_bus_message **ret) {
        sd_bus_message *m = NULL;
        int r;

        r = new_call(bus, "SetLinkDomains", ifindex, &m);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sb)");
        for (size_t i = 0; r >= 0 && i < n_domains; i++)
                r = sd_bus_message_append(m, "(sb)", domains[i].name, (int) domains[i].route_only);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        *ret = m;
        return 0;
}

int resolved_message_set_default_route(sd_bus *bus, int ifindex, bool enable, sd_bus_message **ret) {
        sd_bus_message *m = NULL;
        int r;

        r = new_call(bus, "SetLinkDefaultRoute", ifindex, &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", (int) enable);
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        *ret = m;
        return 0;
}

int resolved_message_revert(sd_bus *bus, int ifindex, sd_bus_message **ret) {
        return new_call(bus, "RevertLink", ifindex, ret);
}
