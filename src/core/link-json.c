/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Describe(): the JSON object of DESIGN.md, and the formatting it shares with the bus. */
#include <arpa/inet.h>
#include <stdio.h>

#include "bus-link.h"
#include "json-writer.h"
#include "link.h"
#include "nat64-prefix.h"
#include "strv.h"

/* The CLAT's addresses and MTU are shown while it is starting or running. */
static bool clat_active(const Link *link) {
        return link->clat_state == V6M_CLAT_STARTING || link->clat_state == V6M_CLAT_RUNNING;
}

bool link_clat_mtu_shown(const Link *link, uint32_t *ret_mtu) {
        if (!clat_active(link))
                return false;
        *ret_mtu = link->clat_config.mtu;
        return true;
}

const char *link_dhcp4_address_str(const Link *link, char buf[static LINK_STR_MAX]) {
        char a[INET_ADDRSTRLEN];

        if (link->dhcp4.state != V6M_DHCP4_BOUND)
                return NULL;
        inet_ntop(AF_INET, &link->dhcp4.address, a, sizeof(a));
        snprintf(buf, LINK_STR_MAX, "%s/%u", a, link->dhcp4.prefixlen);
        return buf;
}

const char *link_dhcp4_server_str(const Link *link, char buf[static LINK_STR_MAX]) {
        if ((link->dhcp4.state != V6M_DHCP4_BOUND && link->dhcp4.state != V6M_DHCP4_V6ONLY) || link->dhcp4.server.s_addr == 0)
                return NULL;
        return inet_ntop(AF_INET, &link->dhcp4.server, buf, LINK_STR_MAX);
}

const char *link_dns_server_str(const struct v6m_dns_server *server, char buf[static LINK_STR_MAX]) {
        char a[INET6_ADDRSTRLEN];

        if (!inet_ntop(server->family, &server->address, a, sizeof(a)))
                return NULL;
        if (server->family == AF_INET6 && server->ifindex > 0)
                snprintf(buf, LINK_STR_MAX, "%s%%%d", a, server->ifindex);
        else
                snprintf(buf, LINK_STR_MAX, "%s", a);
        return buf;
}

const char *link_nat64_prefix_str(const Link *link, char buf[static LINK_STR_MAX]) {
        if (!link->has_nat64)
                return NULL;
        return nat64_prefix_to_string(&link->nat64_prefix, buf, LINK_STR_MAX);
}

const char *link_nat64_source_str(const Link *link) {
        return link->has_nat64 ? nat64_source_to_string(link->nat64_source) : "none";
}

const char *link_clat_backend_str(const Link *link) {
        if (link->clat_plugin < 0 || !link->network)
                return NULL;
        return clat_backend_to_string(link->network->pub.backends[link->clat_backend_index]);
}

const char *link_clat_ipv4_str(const Link *link, char buf[static LINK_STR_MAX]) {
        if (!clat_active(link))
                return NULL;
        return inet_ntop(AF_INET, &link->clat_config.ipv4_address, buf, LINK_STR_MAX);
}

const char *link_clat_ipv6_str(const Link *link, char buf[static LINK_STR_MAX]) {
        if (!clat_active(link))
                return NULL;
        return inet_ntop(AF_INET6, &link->clat_config.ipv6_address, buf, LINK_STR_MAX);
}

void link_clat_stats(Link *link, struct v6m_clat_stats *ret) {
        *ret = (struct v6m_clat_stats) {};
        if (link->clat_plugin < 0 || !link->plugin_data)
                return;
        Plugin *p = link->manager->plugins.plugins + link->clat_plugin;
        if (p->ops->stats && p->ops->stats(p->data, (v6m_link *) link, link->plugin_data[link->clat_plugin], ret) < 0)
                *ret = (struct v6m_clat_stats) {};
        if (ret->n_dropped > V6M_CLAT_DROP_REASONS_MAX)
                ret->n_dropped = V6M_CLAT_DROP_REASONS_MAX;
}

static void json_remaining(JsonWriter *w, Link *link, uint64_t deadline_usec) {
        uint64_t s = link_remaining_s(link, deadline_usec);

        if (s == UINT64_MAX)
                json_null(w);
        else
                json_uint(w, s);
}

int link_describe_json_write(Link *link, JsonWriter *w) {
        char buf[LINK_STR_MAX];
        uint32_t mtu;
        struct v6m_clat_stats stats;

        json_begin_object(w);
        json_key(w, "ifindex");
        json_int(w, link->ifindex);
        json_key(w, "name");
        json_string(w, link->ifname);
        json_key(w, "state");
        json_string(w, link_state_to_string(link->state));
        json_key(w, "reason");
        json_string(w, link->reason);

        json_key(w, "dhcp4");
        json_begin_object(w);
        json_key(w, "state");
        json_string(w, dhcp4_state_to_string(link->dhcp4.state));
        json_key(w, "address");
        json_string(w, link_dhcp4_address_str(link, buf));
        json_key(w, "server");
        json_string(w, link_dhcp4_server_str(link, buf));
        json_key(w, "lease_remaining_s");
        json_remaining(w, link, link->dhcp4.state == V6M_DHCP4_BOUND ? link->dhcp4.lease_expiry_usec : 0);
        json_key(w, "v6only_wait_remaining_s");
        json_remaining(w, link, link->dhcp4.state == V6M_DHCP4_V6ONLY ? link->dhcp4.v6only_until_usec : 0);
        json_end_object(w);

        json_key(w, "nat64");
        json_begin_object(w);
        json_key(w, "prefix");
        json_string(w, link_nat64_prefix_str(link, buf));
        json_key(w, "source");
        json_string(w, link_nat64_source_str(link));
        json_key(w, "lifetime_remaining_s");
        json_remaining(w, link, link->has_nat64 ? link->nat64_expiry_usec : 0);
        json_key(w, "candidates");
        json_begin_array(w);
        for (size_t i = 0; i < link->nat64.n_candidates; i++) {
                const Nat64Candidate *c = link->nat64.candidates + i;

                json_begin_object(w);
                json_key(w, "prefix");
                json_string(w, nat64_prefix_to_string(&c->prefix, buf, sizeof(buf)));
                json_key(w, "source");
                json_string(w, nat64_source_to_string(c->source));
                json_key(w, "lifetime_remaining_s");
                json_remaining(w, link, c->expiry_usec);
                json_end_object(w);
        }
        json_end_array(w);
        json_end_object(w);

        json_key(w, "dns");
        json_begin_object(w);
        json_key(w, "servers");
        json_begin_array(w);
        {
                size_t n = link_get_dns_servers(link, NULL, 0);
                _cleanup_free_ struct v6m_dns_server *servers = calloc(n > 0 ? n : 1, sizeof(*servers));

                n = servers ? link_get_dns_servers(link, servers, n) : 0;
                for (size_t i = 0; i < n; i++)
                        json_string(w, link_dns_server_str(servers + i, buf));
        }
        json_end_array(w);
        json_key(w, "domains");
        json_begin_array(w);
        {
                char **domains = link_get_dns_domains(link);

                for (char **d = domains; d && *d; d++)
                        json_string(w, *d);
                strv_free(domains);
        }
        json_end_array(w);
        json_end_object(w);

        json_key(w, "clat");
        json_begin_object(w);
        json_key(w, "state");
        json_string(w, clat_state_to_string(link->clat_state));
        json_key(w, "backend");
        json_string(w, link_clat_backend_str(link));
        json_key(w, "ipv4_address");
        json_string(w, link_clat_ipv4_str(link, buf));
        json_key(w, "ipv6_address");
        json_string(w, link_clat_ipv6_str(link, buf));
        json_key(w, "mtu");
        if (link_clat_mtu_shown(link, &mtu))
                json_uint(w, mtu);
        else
                json_null(w);
        json_key(w, "reason");
        json_string(w, link->clat_reason);
        json_key(w, "tried");
        json_begin_array(w);
        for (size_t i = 0; i < link->n_clat_tried; i++) {
                json_begin_object(w);
                json_key(w, "backend");
                json_string(w, link->clat_tried[i].backend);
                json_key(w, "reason");
                json_string(w, link->clat_tried[i].reason);
                json_end_object(w);
        }
        json_end_array(w);
        json_key(w, "counters");
        link_clat_stats(link, &stats);
        json_begin_object(w);
        json_key(w, "packets_4to6");
        json_uint(w, stats.packets_4to6);
        json_key(w, "packets_6to4");
        json_uint(w, stats.packets_6to4);
        json_key(w, "dropped");
        json_begin_object(w);
        for (size_t i = 0; i < stats.n_dropped; i++)
                if (stats.dropped[i].reason) {
                        json_key(w, stats.dropped[i].reason);
                        json_uint(w, stats.dropped[i].count);
                }
        json_end_object(w);
        json_end_object(w);
        json_end_object(w);

        json_end_object(w);
        return 0;
}

int link_describe_json(Link *link, char **ret) {
        JsonWriter w = {};

        link_describe_json_write(link, &w);
        return json_finish(&w, ret);
}
