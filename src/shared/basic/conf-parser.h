/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "macro.h"

/* Table-driven parsing of systemd-style configuration files:
 *
 *     [Section]
 *     Key=value        # '#' or ';' start a comment line
 *     List=a b \
 *          c           # trailing backslash: the next line continues this one
 *
 * Every known key is one ConfigTableItem row. A line that cannot be parsed, an unknown
 * key and an invalid value each log one "file:line: ..." warning and are skipped; the
 * rest of the file still applies. An empty assignment ("Key=") resets the setting to the
 * row's default. Section and key names are case-sensitive. Values may be quoted with ""
 * or ''; outside quotes, '#' or ';' start a trailing comment. */

/* A logical line (continuations joined) may not be longer than this: it must fit the
 * line buffer of iniparser (ASCIILINESZ = 1024 bytes, which holds the text, a newline and
 * the terminating NUL). */
#define CONFIG_LINE_MAX 1022

/* Larger files are refused as a whole (no configuration file comes near this). */
#define CONFIG_FILE_SIZE_MAX (1024u * 1024u)

/* Every value parser has this signature. `data` points at the field (userdata + the row's
 * offset), `userdata` at the whole object being filled. A parser logs an invalid value
 * with log_syntax() and returns 0, leaving the field as it was; a negative errno (only
 * -ENOMEM, in practice) aborts loading the file. */
typedef int (*ConfigParserCallback)(const char *filename, unsigned line, const char *section, const char *lvalue,
                                    int ltype, const char *rvalue, void *data, void *userdata);

#define CONFIG_PARSER_PROTOTYPE(name)                                                                 \
        int name(const char *filename, unsigned line, const char *section, const char *lvalue, int ltype, \
                 const char *rvalue, void *data, void *userdata)

typedef struct ConfigTableItem {
        const char *section;
        const char *lvalue;
        ConfigParserCallback parse;
        int ltype;  /* passed through to the parser */
        size_t offset;
        /* What "Key=" resets to and config_table_apply_defaults() sets, as the parser would
         * read it from a file. NULL: the parser is called with "" and clears the setting. */
        const char *default_value;
} ConfigTableItem;

typedef enum ConfigParseFlags {
        CONFIG_PARSE_MISSING_OK = 1 << 0, /* a file that does not exist is not an error */
} ConfigParseFlags;

/* Parse one file against the table, applying values to userdata in file order. Returns 0
 * (also when lines were bad: those are logged and skipped), or a negative errno when the
 * file cannot be read at all (-ENOENT unless CONFIG_PARSE_MISSING_OK, -EFBIG, ...) or on
 * -ENOMEM. */
int config_parse_file(const char *path, const ConfigTableItem *table, size_t n_table, void *userdata,
                      ConfigParseFlags flags);

/* Run every row's parser with its default_value. Returns 0 or the first negative errno. */
int config_table_apply_defaults(const ConfigTableItem *table, size_t n_table, void *userdata);

/* The row for section+lvalue (case-sensitive), or NULL. */
const ConfigTableItem *config_table_lookup(const ConfigTableItem *table, size_t n_table, const char *section,
                                           const char *lvalue);

/* Regular files named "*suffix" in `dirs` (NULL-terminated). A name found in several
 * directories is taken from the earliest one; a symlink to /dev/null there masks it. The
 * result holds full paths sorted by file name; missing directories are skipped. */
int conf_files_list(const char *const *dirs, const char *suffix, char ***ret);

/* The drop-ins of `name`: files "<dir>/<name>.d/<file>.conf" over all `dirs`, by the same
 * rules. */
int conf_files_list_dropins(const char *const *dirs, const char *name, char ***ret);

/* Value helpers shared by parsers. */
/* "yes/true/on/1" → 1, "no/false/off/0" → 0 (case-insensitive), else -EINVAL. */
int parse_boolean(const char *v);
/* Decimal only: no sign, no spaces, no "0x". -EINVAL or -ERANGE on failure. */
int safe_atou32(const char *s, uint32_t *ret);

/* Generic parsers. */
CONFIG_PARSER_PROTOTYPE(config_parse_bool);   /* bool */
CONFIG_PARSER_PROTOTYPE(config_parse_uint32); /* uint32_t */
CONFIG_PARSER_PROTOTYPE(config_parse_string); /* char *, "" → NULL */
/* char **: appends the whitespace-separated words; "" clears the list. */
CONFIG_PARSER_PROTOTYPE(config_parse_strv);

/* A parser for an enum that has a name##_from_string() lookup; `expected` says what the
 * valid values are, for the warning. */
#define DEFINE_CONFIG_PARSE_ENUM(function, name, type, expected)                                   \
        CONFIG_PARSER_PROTOTYPE(function) {                                                        \
                type *_field_ = data;                                                              \
                type _v_ = name##_from_string(rvalue);                                             \
                                                                                                   \
                if ((int) _v_ < 0) {                                                               \
                        log_syntax(filename, line, LOG_WARNING, 0,                                 \
                                   "Failed to parse %s=%s, ignoring: %s", lvalue, rvalue, expected); \
                        return 0;                                                                  \
                }                                                                                  \
                *_field_ = _v_;                                                                    \
                return 0;                                                                          \
        }
