/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin that logs from init(): the core must add its name in front, once. */
#include <syslog.h>

#include "v6mostly/plugin.h"

static int logger_init(v6m_core *core, void **ret_plugin_data) {
        v6m_log(LOG_NOTICE, 0, "hello from init");
        v6m_log(LOG_NOTICE, 0, "logger: written with its own prefix");
        return 0;
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "logger",
        .kind = V6M_PLUGIN_SOURCE,
        .init = logger_init,
};
