/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <stdio.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

static int log_max_level = LOG_INFO;
static LogTarget log_target = LOG_TARGET_AUTO;
static int log_journal_usable = -1; /* -1: not checked yet */
static log_hook_t log_hook;
static void *log_hook_userdata;

static const char *const log_target_table[_LOG_TARGET_MAX] = {
        [LOG_TARGET_AUTO] = "auto",
        [LOG_TARGET_JOURNAL] = "journal",
        [LOG_TARGET_STDERR] = "stderr",
};

DEFINE_STRING_TABLE_LOOKUP(log_target, LogTarget, _LOG_TARGET_MAX);

static const char *const log_level_table[] = {
        [LOG_EMERG] = "emerg",     [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
        [LOG_ERR] = "err",         [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info",       [LOG_DEBUG] = "debug",
};

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

void log_set_target(LogTarget target) {
        log_target = target;
        log_journal_usable = -1;
}

void log_set_hook(log_hook_t hook, void *userdata) {
        log_hook = hook;
        log_hook_userdata = userdata;
}

int log_level_from_string(const char *s) {
        if (!s)
                return -EINVAL;
        if (streq(s, "error"))
                return LOG_ERR;
        for (size_t i = 0; i < ELEMENTSOF(log_level_table); i++)
                if (streq(s, log_level_table[i]))
                        return (int) i;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
                return s[0] - '0';
        return -EINVAL;
}

const char *log_level_to_string(int level) {
        if (level < 0 || (size_t) level >= ELEMENTSOF(log_level_table))
                return NULL;
        return log_level_table[level];
}

static bool use_journal(void) {
        if (log_target == LOG_TARGET_STDERR)
                return false;
        if (log_target == LOG_TARGET_JOURNAL)
                return true;
        if (log_journal_usable < 0) {
                struct stat st;
                /* Under systemd, stderr is connected to the journal already; we still
                 * prefer the native protocol for structured fields. */
                log_journal_usable = stat("/run/systemd/journal/socket", &st) >= 0 && S_ISSOCK(st.st_mode);
        }
        return log_journal_usable;
}

static void write_stderr(int level, const char *ifname, const char *message) {
        /* One write per line so that concurrent writers do not interleave. */
        char buf[4096];
        int n;

        if (ifname)
                n = snprintf(buf, sizeof(buf), "<%d>%s: %s\n", level, ifname, message);
        else
                n = snprintf(buf, sizeof(buf), "<%d>%s\n", level, message);
        if (n < 0)
                return;
        if ((size_t) n >= sizeof(buf))
                n = sizeof(buf) - 1;
        (void) !write(STDERR_FILENO, buf, (size_t) n);
}

static int write_journal(int level, int error, const char *file, int line, const char *func,
                         const char *ifname, int ifindex, const char *const *fields, const char *message) {
        char f_message[4200], f_priority[32], f_file[512], f_line[32], f_func[256], f_errno[32],
                f_ifname[64], f_ifindex[32];
        struct iovec iov[10 + 16];
        size_t n = 0;

#define IOV_ADD(buf, ...)                                                      \
        do {                                                                   \
                int _k_ = snprintf(buf, sizeof(buf), __VA_ARGS__);             \
                if (_k_ > 0) {                                                 \
                        iov[n].iov_base = buf;                                 \
                        iov[n].iov_len = (size_t) _k_ < sizeof(buf) ? (size_t) _k_ : sizeof(buf) - 1; \
                        n++;                                                   \
                }                                                              \
        } while (0)

        if (ifname)
                IOV_ADD(f_message, "MESSAGE=%s: %s", ifname, message);
        else
                IOV_ADD(f_message, "MESSAGE=%s", message);
        IOV_ADD(f_priority, "PRIORITY=%d", level);
        IOV_ADD(f_file, "CODE_FILE=%s", file);
        IOV_ADD(f_line, "CODE_LINE=%d", line);
        IOV_ADD(f_func, "CODE_FUNC=%s", func);
        if (error != 0)
                IOV_ADD(f_errno, "ERRNO=%d", abs(error));
        if (ifname)
                IOV_ADD(f_ifname, "INTERFACE=%s", ifname);
        if (ifindex > 0)
                IOV_ADD(f_ifindex, "IFINDEX=%d", ifindex);
#undef IOV_ADD
        for (size_t i = 0; fields && fields[i] && n < ELEMENTSOF(iov); i++) {
                iov[n].iov_base = (void *) fields[i];
                iov[n].iov_len = strlen(fields[i]);
                n++;
        }
        return sd_journal_sendv(iov, (int) n);
}

int log_internalv(int level, int error, const char *file, int line, const char *func, const char *ifname,
                  int ifindex, const char *const *fields, const char *format, va_list ap) {
        char message[4096];
        int saved_errno = errno;

        /* Make %m print the error we were given, as in systemd. */
        errno = abs(error);
        vsnprintf(message, sizeof(message), format, ap);
        errno = saved_errno;

        if (log_hook)
                log_hook(level, message, log_hook_userdata);

        if (!use_journal() ||
            write_journal(level, error, file, line, func, ifname, ifindex, fields, message) < 0)
                write_stderr(level, ifname, message);

        return -abs(error);
}

int log_internal(int level, int error, const char *file, int line, const char *func, const char *ifname,
                 int ifindex, const char *const *fields, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_internalv(level, error, file, line, func, ifname, ifindex, fields, format, ap);
        va_end(ap);
        return r;
}

int log_struct_internal(int level, int error, const char *file, int line, const char *func, const char *ifname,
                        int ifindex, const char *message_id, const LogField *fields, const char *format, ...) {
        char buf[LOG_STRUCT_FIELDS_MAX + 1][512];
        const char *strv[LOG_STRUCT_FIELDS_MAX + 2];
        size_t n = 0;
        va_list ap;
        int r;

        /* No max-level check here: like log_internal(), the caller decides (the link state
         * entries are written whatever the level). */
        if (message_id) {
                snprintf(buf[n], sizeof(buf[n]), "MESSAGE_ID=%s", message_id);
                strv[n] = buf[n];
                n++;
        }
        for (size_t i = 0; fields && fields[i].key && i < LOG_STRUCT_FIELDS_MAX; i++) {
                snprintf(buf[n], sizeof(buf[n]), "%s=%.480s", fields[i].key, fields[i].value ?: "");
                strv[n] = buf[n];
                n++;
        }
        strv[n] = NULL;

        va_start(ap, format);
        r = log_internalv(level, error, file, line, func, ifname, ifindex, strv, format, ap);
        va_end(ap);
        return r;
}

int log_syntax_internal(const char *file, unsigned line, int level, int error, const char *format, ...) {
        char message[3000], f_file[600], f_line[40];
        const char *fields[3] = { f_file, f_line, NULL };
        va_list ap;
        int saved_errno = errno;

        errno = abs(error);
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        errno = saved_errno;

        snprintf(f_file, sizeof(f_file), "CONFIG_FILE=%s", file);
        snprintf(f_line, sizeof(f_line), "CONFIG_LINE=%u", line);
        return log_internal(level, error, __FILE__, __LINE__, __func__, NULL, 0, fields, "%s:%u: %s", file, line,
                            message);
}
