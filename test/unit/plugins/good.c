/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal well-formed plugin whose init() proves it was called. */
#include "v6mostly/plugin.h"

static int good_marker;

static int good_init(v6m_core *core, void **ret_plugin_data) {
        *ret_plugin_data = &good_marker;
        return 0;
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "good",
        .kind = V6M_PLUGIN_SOURCE,
        .init = good_init,
};
