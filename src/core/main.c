/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "log.h"
#include "manager.h"
#include "strv.h"

static void help(void) {
        printf("%s [OPTIONS...]\n\n"
               "The v6mostly daemon: IPv6-mostly networks (RFC 8925), NAT64 prefix discovery\n"
               "and CLAT (RFC 6877) for the links it manages.\n\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --network-dir=DIR   Read .network files from DIR (repeatable; replaces\n"
               "                         the default search path)\n"
               "     --config=FILE       Daemon configuration (default %s)\n"
               "     --plugin-dir=DIR    Load plugins from DIR (default $V6MOSTLY_PLUGIN_DIR or %s)\n"
               "     --runtime-dir=DIR   Runtime state (default $RUNTIME_DIRECTORY or /run/v6mostly)\n"
               "     --state-dir=DIR     Persistent state (default $STATE_DIRECTORY or /var/lib/v6mostly)\n"
               "     --log-level=LEVEL   debug, info, notice, warning, err, ...\n"
               "     --log-target=TARGET auto, journal or stderr\n"
               "\nSee v6mostlyd(8).\n",
               program_invocation_short_name, DAEMON_CONFIG_FILE_DEFAULT, PLUGINDIR);
}

static int parse_argv(int argc, char *argv[], Manager *m) {
        enum {
                ARG_VERSION = 0x100,
                ARG_NETWORK_DIR,
                ARG_CONFIG,
                ARG_PLUGIN_DIR,
                ARG_RUNTIME_DIR,
                ARG_STATE_DIR,
                ARG_LOG_LEVEL,
                ARG_LOG_TARGET,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "network-dir", required_argument, NULL, ARG_NETWORK_DIR },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "plugin-dir", required_argument, NULL, ARG_PLUGIN_DIR },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "log-target", required_argument, NULL, ARG_LOG_TARGET },
                {}
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("v6mostlyd %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_NETWORK_DIR:
                        r = strv_extend(&m->network_dirs, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_CONFIG:
                        r = free_and_strdup(&m->config_file, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_PLUGIN_DIR:
                        r = free_and_strdup(&m->plugin_dir, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_RUNTIME_DIR:
                        r = free_and_strdup(&m->runtime_dir, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_STATE_DIR:
                        r = free_and_strdup(&m->state_dir, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_LOG_LEVEL:
                        r = log_level_from_string(optarg);
                        if (r < 0)
                                return log_error_errno(EINVAL, "Invalid log level: %s", optarg);
                        m->log_level_override = r;
                        log_set_max_level(r);
                        break;
                case ARG_LOG_TARGET: {
                        LogTarget t = log_target_from_string(optarg);
                        if ((int) t < 0)
                                return log_error_errno(EINVAL, "Invalid log target: %s", optarg);
                        log_set_target(t);
                        break;
                }
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "%s takes no arguments.", program_invocation_short_name);
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        sigset_t mask;
        int r;

        /* sd-event takes the signals through a signalfd: they must be blocked first. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = manager_new(&m);
        if (r < 0) {
                log_error_errno(r, "Failed to set up: %m");
                return EXIT_FAILURE;
        }
        r = parse_argv(argc, argv, m);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        r = manager_start(m);
        if (r < 0) {
                log_error_errno(r, "Failed to start: %m");
                return EXIT_FAILURE;
        }
        r = manager_run(m);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
