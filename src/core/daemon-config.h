/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

#define DAEMON_CONFIG_FILE_DEFAULT "/etc/v6mostly/v6mostlyd.conf"

/* v6mostlyd.conf: [Daemon] settings. */
typedef struct DaemonConfig {
        int log_level;          /* LogLevel=, default LOG_INFO; -1 = not set in config */
        char **disable_plugins; /* DisablePlugins= names of plugins not to load */
} DaemonConfig;

void daemon_config_init_defaults(DaemonConfig *c);
/* Reads `path` then `path`.d/ *.conf in name order; a missing file is not an error.
 * Bad lines are logged with file:line and skipped. */
int daemon_config_load(const char *path, DaemonConfig *c);
void daemon_config_done(DaemonConfig *c);
