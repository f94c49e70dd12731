/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon-config.h"

#include <assert.h>
#include <stdio.h>

#include "conf-parser.h"
#include "log.h"
#include "network-config.h"
#include "strv.h"

/* "" (the reset of "LogLevel=") means "not set": the command line or LOG_INFO decides. */
static CONFIG_PARSER_PROTOTYPE(config_parse_log_level) {
        int *level = data, l;

        if (isempty(rvalue)) {
                *level = -1;
                return 0;
        }

        l = log_level_from_string(rvalue);
        if (l < 0) {
                log_syntax(filename, line, LOG_WARNING, 0, "Failed to parse %s=%s, ignoring: %s", lvalue, rvalue,
                           "expected debug, info, notice, warning, err, crit, alert, emerg or 0...7");
                return 0;
        }
        *level = l;
        return 0;
}

static const char *const resolve_backend_table[_RESOLVE_BACKEND_MAX] = {
        [RESOLVE_BACKEND_RESOLVED] = "resolved",
        [RESOLVE_BACKEND_RESOLVCONF] = "resolvconf",
        [RESOLVE_BACKEND_FILE] = "file",
};

DEFINE_STRING_TABLE_LOOKUP(resolve_backend, ResolveBackend, _RESOLVE_BACKEND_MAX);

static int resolve_backend_lookup(const char *name) {
        return resolve_backend_from_string(name);
}

/* An ordered preference list, so an assignment replaces it (a drop-in's "Backend=file"
 * means "only file"); "none" alone turns name resolution handling off. A list with an
 * unknown or repeated name is refused whole and the previous value stays. */
static CONFIG_PARSER_PROTOTYPE(config_parse_resolve_backends) {
        DaemonConfig *c = userdata;
        int backends[_RESOLVE_BACKEND_MAX];
        size_t n;
        int r;

        if (streq(rvalue, "none")) {
                c->n_resolve_backends = 0;
                return 0;
        }
        r = config_parse_backend_list(filename, line, lvalue, rvalue, resolve_backend_lookup,
                                      "resolved, resolvconf, file, or none alone", backends, ELEMENTSOF(backends), &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                c->resolve_backends[i] = (ResolveBackend) backends[i];
        c->n_resolve_backends = n;
        return 0;
}

static const ConfigTableItem daemon_config_table[] = {
        { "Daemon",  "LogLevel",       config_parse_log_level,        0, offsetof(DaemonConfig, log_level),        NULL },
        { "Daemon",  "DisablePlugins", config_parse_strv,             0, offsetof(DaemonConfig, disable_plugins),  NULL },
        { "Resolve", "Backend",        config_parse_resolve_backends, 0, offsetof(DaemonConfig, resolve_backends), "resolved resolvconf file" },
};

void daemon_config_init_defaults(DaemonConfig *c) {
        int r;

        *c = (DaemonConfig) {};
        /* The defaults allocate nothing, so this cannot fail unless the table is wrong. */
        r = config_table_apply_defaults(daemon_config_table, ELEMENTSOF(daemon_config_table), c);
        assert(r >= 0);
        (void) r;
}

int daemon_config_load(const char *path, DaemonConfig *c) {
        _cleanup_(strv_freep) char **dropins = NULL;
        _cleanup_(freep) char *dropin_dir = NULL;
        int r;

        if (!c)
                return -EINVAL;
        if (!path)
                path = DAEMON_CONFIG_FILE_DEFAULT;

        r = config_parse_file(path, daemon_config_table, ELEMENTSOF(daemon_config_table), c,
                              CONFIG_PARSE_MISSING_OK);
        if (r < 0)
                return r;

        if (asprintf(&dropin_dir, "%s.d", path) < 0)
                return log_oom();
        r = conf_files_list((const char *const[]) { dropin_dir, NULL }, ".conf", &dropins);
        if (r < 0)
                return log_error_errno(r, "Failed to list drop-ins in %s: %m", dropin_dir);

        for (char **d = dropins; *d; d++) {
                r = config_parse_file(*d, daemon_config_table, ELEMENTSOF(daemon_config_table), c, 0);
                if (r == -ENOMEM)
                        return r;
                /* Other failures are logged; the remaining drop-ins still apply. */
        }

        return 0;
}

void daemon_config_done(DaemonConfig *c) {
        if (!c)
                return;
        c->disable_plugins = strv_free(c->disable_plugins);
}
