/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin built for a future ABI: the loader must refuse it after reading only the
 * version field. */
#include "v6mostly/plugin.h"

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION + 41,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "bad-abi",
        .kind = V6M_PLUGIN_SOURCE,
};
