/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CLAT backend: the TUN translator (engine/tun-translator.h), one per link. This file
 * is the glue between the plugin ABI and the engine: it reports RUNNING once the
 * translator is up and FAILED when its workers die. */
#include <errno.h>
#include <stdlib.h>

#include "tun-translator.h"
#include "v6mostly/plugin.h"

static int clat_tun_probe(void *plugin_data, v6m_link *link, char *reason, size_t reason_size) {
        return tun_translator_probe(link, reason, reason_size);
}

static int clat_tun_init(v6m_core *core, void **ret) {
        *ret = core;
        return 0;
}

static void clat_tun_dead(TunTranslator *t, int error, void *userdata) {
        v6m_link_report_clat(userdata, V6M_CLAT_FAILED, error, "the TUN translator stopped");
}

static int clat_tun_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        return tun_translator_new(link, v6m_core_get_event(plugin_data), clat_tun_dead, link,
                                  (TunTranslator **) ret_link_data);
}

static void clat_tun_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        tun_translator_free(link_data);
}

static int clat_tun_start(void *plugin_data, v6m_link *link, void *link_data, const struct v6m_clat_config *config) {
        int r;

        r = tun_translator_start(link_data, config);
        if (r < 0)
                return r;
        v6m_link_report_clat(link, V6M_CLAT_RUNNING, 0, NULL);
        return 0;
}

static void clat_tun_stop(void *plugin_data, v6m_link *link, void *link_data) {
        tun_translator_stop(link_data);
}

static int clat_tun_stats(void *plugin_data, v6m_link *link, void *link_data, struct v6m_clat_stats *ret) {
        tun_translator_stats(link_data, ret);
        return 0;
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "clat-tun",
        .kind = V6M_PLUGIN_CLAT,
        .init = clat_tun_init,
        .link_add = clat_tun_link_add,
        .link_remove = clat_tun_link_remove,
        .probe = clat_tun_probe,
        .start = clat_tun_start,
        .stop = clat_tun_stop,
        .stats = clat_tun_stats,
};
