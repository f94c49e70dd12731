/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "v6mostly/plugin.h"

typedef struct Plugin {
        char *path;
        int fd; /* the checked file, dlopen()ed as /proc/self/fd/N */
        void *dl;
        const struct v6m_plugin *ops;
        void *data; /* from ops->init() */
} Plugin;

typedef struct PluginSet {
        Plugin *plugins;
        size_t n_plugins;
} PluginSet;

/* Check one file before dlopen(): regular, owned by root, neither world- nor
 * group-writable, neither setuid nor setgid. Returns 0
 * or a negative errno with a static reason. Split out for unit tests. */
int plugin_check_file(int fd, const char **ret_reason);

/* Check an exported descriptor: ABI version first, then the rest. */
int plugin_check_descriptor(const struct v6m_plugin *p, const char **ret_reason);

/* Load every *.so in `dir` in name order. Refused or failing plugins are logged with
 * their path and skipped; `disabled` names are skipped. Calls init() with `core`. */
int plugin_set_load(PluginSet *set, const char *dir, char *const *disabled, v6m_core *core);
void plugin_set_unload(PluginSet *set);

/* The name of the loaded plugin whose code is at `addr` (a return address), NULL if
 * none: the core's plugin logging functions add it to every entry. */
const char *plugin_name_by_address(const void *addr);

/* Index of the CLAT plugin implementing `backend` ("clat-ebpf" etc.), or -1. */
int plugin_set_find_clat(const PluginSet *set, enum v6m_clat_backend backend);
bool plugin_set_provides(const PluginSet *set, unsigned what);
