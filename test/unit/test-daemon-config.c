/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon-config.h"
#include "log.h"
#include "strv.h"
#include "test-util.h"

static char tmpdir[] = "/tmp/test-daemon-config-XXXXXX";
static unsigned n_warnings;

static void log_count(int level, const char *message, void *userdata) {
        if (level <= LOG_WARNING)
                n_warnings++;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void tmpdir_cleanup(void) {
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *write_file(const char *relpath, const char *content) {
        static char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", tmpdir, relpath);
        f = fopen(path, "we");
        if (!f)
                check_fail("fopen %s: %m", path);
        fputs(content, f);
        fclose(f);
        return path;
}

int main(void) {
        char path[4096], dropin_dir[4200];
        DaemonConfig c;

        log_set_target(LOG_TARGET_STDERR);
        log_set_hook(log_count, NULL);
        if (!mkdtemp(tmpdir))
                return EXIT_TEST_SKIP;
        atexit(tmpdir_cleanup);

        daemon_config_init_defaults(&c);
        CHECK_EQ(c.log_level, -1);
        CHECK(!c.disable_plugins);
        CHECK_EQ(c.n_resolve_backends, 3);
        CHECK_EQ(c.resolve_backends[0], RESOLVE_BACKEND_RESOLVED);
        CHECK_EQ(c.resolve_backends[1], RESOLVE_BACKEND_RESOLVCONF);
        CHECK_EQ(c.resolve_backends[2], RESOLVE_BACKEND_FILE);

        /* A missing file is not an error. */
        snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
        CHECK_OK(daemon_config_load(path, &c));
        CHECK_EQ(c.log_level, -1);
        CHECK_EQ(n_warnings, 0);

        snprintf(path, sizeof(path), "%s", write_file("v6mostlyd.conf",
                                                       "[Daemon]\n"
                                                       "LogLevel=debug\n"
                                                       "LogLevel=loud\n" /* warned, kept */
                                                       "DisablePlugins=clat-kmod\n"
                                                       "Unknown=1\n"));
        snprintf(dropin_dir, sizeof(dropin_dir), "%s.d", path);
        CHECK_OK(mkdir(dropin_dir, 0755));
        write_file("v6mostlyd.conf.d/10-more.conf", "[Daemon]\nDisablePlugins=dns64 clat-tun\n");
        write_file("v6mostlyd.conf.d/20-level.conf", "[Daemon]\nLogLevel=\n");
        write_file("v6mostlyd.conf.d/30-level.conf", "[Daemon]\nLogLevel=4\n");
        write_file("v6mostlyd.conf.d/ignored.txt", "[Daemon]\nLogLevel=0\n");

        CHECK_OK(daemon_config_load(path, &c));
        CHECK_EQ(n_warnings, 2);
        CHECK_EQ(c.log_level, LOG_WARNING);
        CHECK_EQ(strv_length(c.disable_plugins), 3);
        CHECK_STREQ(c.disable_plugins[0], "clat-kmod");
        CHECK_STREQ(c.disable_plugins[2], "clat-tun");

        CHECK_EQ(c.n_resolve_backends, 3); /* untouched: no [Resolve] */
        daemon_config_done(&c);
        CHECK(!c.disable_plugins);

        /* [Resolve] Backend=: an ordered list that replaces; bad lists keep the value. */
        n_warnings = 0;
        daemon_config_init_defaults(&c);
        snprintf(path, sizeof(path), "%s", write_file("resolve.conf",
                                                       "[Resolve]\n"
                                                       "Backend=file resolvconf\n"
                                                       "Backend=file bogus\n"    /* warned, kept */
                                                       "Backend=file file\n"     /* warned, kept */
                                                       "Backend=none resolved\n" /* warned, kept */));
        CHECK_OK(daemon_config_load(path, &c));
        CHECK_EQ(n_warnings, 3);
        CHECK_EQ(c.n_resolve_backends, 2);
        CHECK_EQ(c.resolve_backends[0], RESOLVE_BACKEND_FILE);
        CHECK_EQ(c.resolve_backends[1], RESOLVE_BACKEND_RESOLVCONF);
        snprintf(path, sizeof(path), "%s", write_file("resolve-none.conf", "[Resolve]\nBackend=none\n"));
        CHECK_OK(daemon_config_load(path, &c));
        CHECK_EQ(c.n_resolve_backends, 0);
        snprintf(path, sizeof(path), "%s", write_file("resolve-reset.conf", "[Resolve]\nBackend=\n"));
        CHECK_OK(daemon_config_load(path, &c));
        CHECK_EQ(c.n_resolve_backends, 3); /* "Backend=" is the default again */
        CHECK_STREQ(resolve_backend_to_string(RESOLVE_BACKEND_RESOLVCONF), "resolvconf");
        CHECK_EQ(resolve_backend_from_string("none"), _RESOLVE_BACKEND_INVALID);
        daemon_config_done(&c);
        return EXIT_SUCCESS;
}
