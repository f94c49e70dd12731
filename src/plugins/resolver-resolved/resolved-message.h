/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The calls to systemd-resolved's org.freedesktop.resolve1.Manager, built apart from the
 * plugin so unit tests can check them byte for byte without a resolved:
 *   SetLinkDNSEx(i ifindex, a(iayqs) addresses)   family, address, port (0: 53), SNI name
 *   SetLinkDNS(i ifindex, a(iay) addresses)       before systemd 246
 *   SetLinkDomains(i ifindex, a(sb) domains)      name, routing-only
 *   SetLinkDefaultRoute(i ifindex, b enable)
 *   RevertLink(i ifindex)
 * Link-local servers need no scope here: resolved's per-link servers are used on that
 * link only. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "v6mostly/plugin.h"

#define RESOLVED_BUS_NAME "org.freedesktop.resolve1"
#define RESOLVED_BUS_PATH "/org/freedesktop/resolve1"
#define RESOLVED_BUS_INTERFACE "org.freedesktop.resolve1.Manager"

int resolved_message_set_dns(sd_bus *bus, bool ex, int ifindex, const struct v6m_dns_server *servers,
                             size_t n_servers, sd_bus_message **ret);
int resolved_message_set_domains(sd_bus *bus, int ifindex, const struct v6m_resolver_domain *domains,
                                 size_t n_domains, sd_bus_message **ret);
int resolved_message_set_default_route(sd_bus *bus, int ifindex, bool enable, sd_bus_message **ret);
int resolved_message_revert(sd_bus *bus, int ifindex, sd_bus_message **ret);
