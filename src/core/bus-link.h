/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-api.h"
#include "link.h"

extern const sd_bus_vtable link_vtable[];

/* Whether the link shows a CLAT MTU (on the bus, in the JSON), and which: only while a
 * CLAT is starting or running. The bus shows 0 and the JSON null when not. */
bool link_clat_mtu_shown(const Link *link, uint32_t *ret_mtu);

int link_bus_path(const Link *link, char *buf, size_t size);
int link_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error);
int link_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);

/* Emit PropertiesChanged for the properties whose value changed since the last call. */
void link_bus_send_changed(Link *link);
void link_bus_emit_added(Link *link);
void link_bus_emit_removed(Link *link);
