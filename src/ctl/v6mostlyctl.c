/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v6mostlyctl: query and control v6mostlyd over the system bus (docs/dbus-api.md). */

#include "v6mostlyctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ctl-list.h"
#include "ctl-misc.h"
#include "ctl-monitor.h"
#include "ctl-status.h"
#include "ctl-util.h"
#include "ctl-wait.h"
#include "strv.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define WAIT_TIMEOUT_DEFAULT_USEC (30 * USEC_PER_SEC)

JsonMode arg_json = JSON_OFF;
bool arg_pager = true;
bool arg_legend = true;
bool arg_all = false;
uint64_t arg_timeout_usec = WAIT_TIMEOUT_DEFAULT_USEC;
bool arg_colors = false;

/* ---------------------------------------------------------------------------------------- */
/* Command line                                                                            */

static int help(void) {
        printf("%s [OPTIONS...] COMMAND\n"
               "\n"
               "Query and control v6mostlyd, the IPv6-mostly network daemon.\n"
               "\n"
               "Commands:\n"
               "  list                        List links (default)\n"
               "  status [LINK...]            Show the status of links (default: managed links)\n"
               "  monitor                     Print link changes as they happen\n"
               "  wait LINK STATE[,STATE...]  Wait until LINK is in one of the given states\n"
               "  reload                      Reload v6mostlyd.conf and .network files\n"
               "  renew LINK...               Restart DHCPv4 and NAT64 discovery on links\n"
               "  reconfigure LINK...         Re-match and re-apply .network files on links\n"
               "\n"
               "Options:\n"
               "  -h --help                   Show this help\n"
               "     --version                Show package version\n"
               "     --json[=pretty|short|off]\n"
               "                              Print JSON (list, status)\n"
               "     --no-pager               Do not pipe output into a pager\n"
               "     --no-legend              Do not show the headers and footers\n"
               "  -a --all                    Include unmanaged links (status)\n"
               "     --timeout=SEC            How long to wait (wait; default: 30, 0: forever)\n"
               "\n"
               "LINK is an interface name or ifindex. See v6mostlyctl(1) for details.\n",
               program_invocation_short_name);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_JSON,
                ARG_NO_PAGER,
                ARG_NO_LEGEND,
                ARG_TIMEOUT,
        };
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h'           },
                { "version",   no_argument,       NULL, ARG_VERSION   },
                { "json",      optional_argument, NULL, ARG_JSON      },
                { "no-pager",  no_argument,       NULL, ARG_NO_PAGER  },
                { "no-legend", no_argument,       NULL, ARG_NO_LEGEND },
                { "all",       no_argument,       NULL, 'a'           },
                { "timeout",   required_argument, NULL, ARG_TIMEOUT   },
                {}
        };
        int c;

        /* getopt_long() prints its own complaints: keep its message, prefix-free like ours. */
        while ((c = getopt_long(argc, argv, "ha", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case ARG_VERSION:
                        printf("v6mostlyctl %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_JSON:
                        if (!optarg)
                                arg_json = JSON_DAEMON;
                        else if (streq(optarg, "pretty"))
                                arg_json = JSON_PRETTY;
                        else if (streq(optarg, "short"))
                                arg_json = JSON_SHORT;
                        else if (streq(optarg, "off"))
                                arg_json = JSON_OFF;
                        else
                                return usage_error("Unknown --json= mode '%s' (expected pretty, short or off).",
                                                   optarg);
                        break;
                case ARG_NO_PAGER:
                        arg_pager = false;
                        break;
                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;
                case 'a':
                        arg_all = true;
                        break;
                case ARG_TIMEOUT:
                        if (parse_timeout(optarg, &arg_timeout_usec) < 0)
                                return usage_error("Invalid --timeout= value '%s'.", optarg);
                        break;
                case '?':
                        return ERR_USAGE;
                default:
                        abort();
                }

        return 1;
}

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* not counting the verb; -1: no limit */
        bool is_default;
        bool use_pager;
        int (*dispatch)(int argc, char *argv[]);
} Verb;

static const Verb verbs[] = {
        { "list",        0, 0,  true,  true,  verb_list        },
        { "status",      0, -1, false, true,  verb_status      },
        { "monitor",     0, 0,  false, false, verb_monitor     },
        { "wait",        2, 2,  false, false, verb_wait        },
        { "reload",      0, 0,  false, false, verb_reload      },
        { "renew",       1, -1, false, false, verb_renew       },
        { "reconfigure", 1, -1, false, false, verb_reconfigure },
};

static int dispatch_verb(int argc, char *argv[]) {
        static char *default_argv[] = { (char *) "list", NULL };
        const Verb *verb = NULL;
        pid_t pager;
        int r;

        if (argc <= 0) {
                argc = 1;
                argv = default_argv;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, argv[0])) {
                        verb = &verbs[i];
                        break;
                }
        if (!verb)
                return usage_error("Unknown command verb '%s'.", argv[0]);
        if (argc - 1 < verb->min_args)
                return usage_error("Too few arguments for '%s'.", verb->name);
        if (verb->max_args >= 0 && argc - 1 > verb->max_args)
                return usage_error("Too many arguments for '%s'.", verb->name);

        pager = verb->use_pager ? pager_open() : 0;
        r = verb->dispatch(argc, argv);
        pager_close(pager);
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return exit_status_from_error(r);

        arg_colors = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !streq_ptr(getenv("TERM"), "dumb");

        r = dispatch_verb(argc - optind, argv + optind);
        if (fflush(stdout) != 0 && r >= 0)
                r = log_error_errno(errno, "Failed to write output: %m");
        return exit_status_from_error(r);
}
