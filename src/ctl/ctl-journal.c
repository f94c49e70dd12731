/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The link's last log lines under `v6mostlyctl status LINK`, from the journal. */
#include "ctl-journal.h"

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "macro.h"

#define V6MOSTLYD_UNIT "v6mostlyd.service"

/* The value of FIELD in the current entry, or NULL; *len gets its length (journal data
 * is not NUL-terminated). */
static const char *entry_field(sd_journal *j, const char *field, size_t *len) {
        const void *data;
        size_t size, n = strlen(field);

        if (sd_journal_get_data(j, field, &data, &size) < 0 || size < n + 1)
                return NULL;
        *len = size - n - 1;
        return (const char *) data + n + 1;
}

static void print_entry(sd_journal *j) {
        const char *msg, *ident, *pid;
        size_t msg_len = 0, ident_len = 0, pid_len = 0;
        char stamp[32] = "";
        uint64_t usec;

        msg = entry_field(j, "MESSAGE", &msg_len);
        if (!msg)
                return;
        ident = entry_field(j, "SYSLOG_IDENTIFIER", &ident_len);
        if (!ident)
                ident = entry_field(j, "_COMM", &ident_len);
        pid = entry_field(j, "_PID", &pid_len);

        if (sd_journal_get_realtime_usec(j, &usec) >= 0) {
                time_t t = (time_t) (usec / 1000000);
                struct tm tm;

                if (localtime_r(&t, &tm))
                        strftime(stamp, sizeof(stamp), "%b %d %H:%M:%S", &tm);
        }
        /* Like journalctl's short output, without the host name: it is this one. */
        printf("%s %.*s[%.*s]: %.*s\n", stamp, (int) ident_len, ident ? ident : "v6mostlyd", (int) pid_len,
               pid ? pid : "?", (int) msg_len, msg);
}

int show_link_journal(const char *ifname, unsigned n_lines) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        char match[sizeof("INTERFACE=") + IF_NAMESIZE], boot_match[sizeof("_BOOT_ID=") + SD_ID128_STRING_MAX];
        sd_id128_t boot;
        int r, n = 0;

        if (!ifname || n_lines == 0 || strlen(ifname) >= IF_NAMESIZE)
                return 0;
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        r = sd_id128_get_boot(&boot);
        if (r < 0)
                return r;
        snprintf(boot_match, sizeof(boot_match), "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
        snprintf(match, sizeof(match), "INTERFACE=%s", ifname);
        r = sd_journal_add_match(j, "_SYSTEMD_UNIT=" V6MOSTLYD_UNIT, 0);
        if (r >= 0)
                r = sd_journal_add_match(j, match, 0);
        if (r >= 0)
                r = sd_journal_add_match(j, boot_match, 0);
        if (r < 0)
                return r;

        r = sd_journal_seek_tail(j);
        if (r < 0)
                return r;
        r = sd_journal_previous_skip(j, n_lines);
        if (r <= 0)
                return r;
        fputc('\n', stdout);
        do {
                print_entry(j);
                n++;
                r = sd_journal_next(j);
        } while (r > 0);
        return r < 0 ? r : n;
}
