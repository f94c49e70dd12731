/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

#include "macro.h"

#define DAEMON_CONFIG_FILE_DEFAULT "/etc/v6mostly/v6mostlyd.conf"

/* The resolver backends of [Resolve] Backend=; plugin "resolver-<name>" implements each. */
typedef enum ResolveBackend {
        RESOLVE_BACKEND_RESOLVED,   /* systemd-resolved over D-Bus */
        RESOLVE_BACKEND_RESOLVCONF, /* resolvconf(8): openresolv or Debian's resolvconf */
        RESOLVE_BACKEND_FILE,       /* $RUNTIME_DIRECTORY/resolv.conf */
        _RESOLVE_BACKEND_MAX,
        _RESOLVE_BACKEND_INVALID = -EINVAL,
} ResolveBackend;

DECLARE_STRING_TABLE_LOOKUP(resolve_backend, ResolveBackend);

/* v6mostlyd.conf: [Daemon] and [Resolve] settings. */
typedef struct DaemonConfig {
        int log_level;          /* LogLevel=, default LOG_INFO; -1 = not set in config */
        char **disable_plugins; /* DisablePlugins= names of plugins not to load */

        /* [Resolve] Backend=, in order of preference; "none": n_resolve_backends 0. */
        ResolveBackend resolve_backends[_RESOLVE_BACKEND_MAX];
        size_t n_resolve_backends;
} DaemonConfig;

void daemon_config_init_defaults(DaemonConfig *c);
/* Reads `path` then `path`.d/ *.conf in name order; a missing file is not an error.
 * Bad lines are logged with file:line and skipped. */
int daemon_config_load(const char *path, DaemonConfig *c);
void daemon_config_done(DaemonConfig *c);
