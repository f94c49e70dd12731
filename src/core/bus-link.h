/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "link.h"

#define BUS_LINK_INTERFACE "org.v6mostly1.Link"
#define BUS_LINK_PATH_PREFIX "/org/v6mostly1/link"

extern const sd_bus_vtable link_vtable[];

int link_bus_path(const Link *link, char *buf, size_t size);
int link_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error);
int link_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);

/* Emit PropertiesChanged for the properties whose value changed since the last call. */
void link_bus_send_changed(Link *link);
void link_bus_emit_added(Link *link);
void link_bus_emit_removed(Link *link);
