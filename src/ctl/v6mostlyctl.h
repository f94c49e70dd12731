/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The command line options, set by v6mostlyctl.c, read by the verbs. */

#include <stdbool.h>
#include <stdint.h>

typedef enum JsonMode {
        JSON_OFF,
        JSON_DAEMON, /* exactly what Describe() returned */
        JSON_SHORT,
        JSON_PRETTY,
} JsonMode;

extern JsonMode arg_json;
extern bool arg_pager;
extern bool arg_legend;
extern bool arg_all;
extern uint64_t arg_timeout_usec;
extern bool arg_colors;
