/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

/* Logging: journald with structured fields when /run/systemd/journal/socket exists,
 * else stderr ("<level> ifname: message"). One process-wide max level. */

typedef enum LogTarget {
        LOG_TARGET_AUTO,
        LOG_TARGET_JOURNAL,
        LOG_TARGET_STDERR,
        _LOG_TARGET_MAX,
        _LOG_TARGET_INVALID = -EINVAL,
} LogTarget;

DECLARE_STRING_TABLE_LOOKUP(log_target, LogTarget);

void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_target(LogTarget target);
/* "debug", "info", "notice", "warning", "err"/"error", "crit", "alert", "emerg", or 0..7. */
int log_level_from_string(const char *s);
const char *log_level_to_string(int level);

/* Tests capture what would be logged. */
typedef void (*log_hook_t)(int level, const char *message, void *userdata);
void log_set_hook(log_hook_t hook, void *userdata);

/* Extra journal fields: NULL-terminated list of "KEY=value" strings. */
int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *ifname, int ifindex, const char *const *fields,
                 const char *format, ...) _printf_(9, 10);
int log_internalv(int level, int error, const char *file, int line, const char *func,
                  const char *ifname, int ifindex, const char *const *fields,
                  const char *format, va_list ap) _printf_(9, 0);

/* One structured field of log_struct_internal(): KEY (without "=") and its value. A
 * list ends with { NULL }. */
typedef struct LogField {
        const char *key;
        const char *value;
} LogField;

#define LOG_STRUCT_FIELDS_MAX 8

/* An entry with a MESSAGE_ID (the bare 32 hex digits, NULL for none) and fields: the
 * journal gets MESSAGE_ID= and KEY=value for each; stderr only the message. At most
 * LOG_STRUCT_FIELDS_MAX fields, each value cut at 480 bytes. */
int log_struct_internal(int level, int error, const char *file, int line, const char *func,
                        const char *ifname, int ifindex, const char *message_id, const LogField *fields,
                        const char *format, ...) _printf_(10, 11);

#define log_full_errno(level, error, ...)                                                   \
        ({                                                                                  \
                int _l_ = (level), _e_ = (error);                                           \
                (log_get_max_level() >= _l_)                                                \
                        ? log_internal(_l_, _e_, __FILE__, __LINE__, __func__, NULL, 0, NULL, \
                                       __VA_ARGS__)                                         \
                        : -abs(_e_);                                                        \
        })

#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_notice_errno(e, ...) log_full_errno(LOG_NOTICE, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)
#define log_oom() log_full_errno(LOG_ERR, ENOMEM, "Out of memory.")

/* Config file diagnostics: "file:line: message", with CONFIG_FILE= and CONFIG_LINE=. */
int log_syntax_internal(const char *file, unsigned line, int level, int error, const char *format, ...)
        _printf_(5, 6);
#define log_syntax(file, line, level, error, ...)                                    \
        ({                                                                           \
                int _l_ = (level), _e_ = (error);                                    \
                (log_get_max_level() >= _l_)                                         \
                        ? log_syntax_internal(file, line, _l_, _e_, __VA_ARGS__)     \
                        : -abs(_e_);                                                 \
        })
