/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin loader against real shared objects: a good one loads; a wrong ABI, a file
 * without the symbol, a world- or group-writable file, a setuid or setgid file and a file
 * not owned by root are refused with a message naming the file and why. The core knows
 * which plugin's code an address is in (for the plugin name in its log entries). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>

#include "log.h"
#include "plugin-loader.h"
#include "test-util.h"

static char logged[8192];

static void capture(int level, const char *message, void *userdata) {
        size_t l = strlen(logged);

        snprintf(logged + l, sizeof(logged) - l, "%s\n", message);
}

static int copy_file(const char *from, const char *to, mode_t mode) {
        char buf[65536];
        ssize_t n;
        int in, out;

        in = open(from, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0) {
                close(in);
                return -errno;
        }
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t) n) != n)
                        break;
        close(in);
        /* umask must not decide what we test. */
        fchmod(out, mode);
        close(out);
        return n == 0 ? 0 : -EIO;
}

int main(int argc, char *argv[]) {
        char dir[] = "/tmp/v6m-test-plugins-XXXXXX", path[512];
        const char *build = getenv("TEST_PLUGIN_BUILD_DIR");
        PluginSet set = {};

        if (!build) {
                printf("skipped: TEST_PLUGIN_BUILD_DIR not set\n");
                return EXIT_TEST_SKIP;
        }
        if (geteuid() != 0) {
                printf("skipped: needs root to create root-owned and foreign-owned plugin files\n");
                return EXIT_TEST_SKIP;
        }
        CHECK(mkdtemp(dir) != NULL);

        struct {
                const char *source, *name;
                mode_t mode;
                uid_t owner;
        } files[] = {
                { "good.so", "10-good.so", 0755, 0 },
                { "bad-abi.so", "20-bad-abi.so", 0755, 0 },
                { "no-symbol.so", "30-no-symbol.so", 0755, 0 },
                { "good.so", "40-world-writable.so", 0777, 0 },
                { "good.so", "50-foreign-owner.so", 0755, 65534 },
                { "good.so", "60-group-writable.so", 0775, 0 },
                { "good.so", "70-setuid.so", 04755, 0 },
                { "good.so", "80-setgid.so", 02755, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char from[512];

                snprintf(from, sizeof(from), "%s/%s", build, files[i].source);
                snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
                CHECK(copy_file(from, path, files[i].mode) == 0);
                CHECK(chown(path, files[i].owner, 0) == 0);
                CHECK(chmod(path, files[i].mode) == 0); /* chown() clears set-ID bits */
        }

        log_set_hook(capture, NULL);
        CHECK(plugin_set_load(&set, dir, NULL, NULL) == 0);
        log_set_hook(NULL, NULL);
        fputs(logged, stderr);

        CHECK(set.n_plugins == 1);
        CHECK(set.n_plugins == 1 && streq(set.plugins[0].ops->name, "good") && set.plugins[0].data != NULL);
        snprintf(path, sizeof(path), "Refusing plugin %s/20-bad-abi.so: built for another plugin ABI version", dir);
        CHECK(strstr(logged, path) != NULL);
        snprintf(path, sizeof(path), "Refusing plugin %s/30-no-symbol.so: it does not export v6mostly_plugin", dir);
        CHECK(strstr(logged, path) != NULL);
        snprintf(path, sizeof(path), "Refusing plugin %s/40-world-writable.so: world-writable", dir);
        CHECK(strstr(logged, path) != NULL);
        snprintf(path, sizeof(path), "Refusing plugin %s/50-foreign-owner.so: not owned by root", dir);
        CHECK(strstr(logged, path) != NULL);
        snprintf(path, sizeof(path), "Refusing plugin %s/60-group-writable.so: group-writable", dir);
        CHECK(strstr(logged, path) != NULL);
        snprintf(path, sizeof(path), "Refusing plugin %s/70-setuid.so: setuid", dir);
        CHECK(strstr(logged, path) != NULL);
        snprintf(path, sizeof(path), "Refusing plugin %s/80-setgid.so: setgid", dir);
        CHECK(strstr(logged, path) != NULL);

        /* The plugin's code is known as the plugin's, the core's as nobody's. */
        CHECK_STREQ(plugin_name_by_address(set.plugins[0].ops), "good");
        CHECK(plugin_name_by_address((const void *) main) == NULL);
        const void *good_ops = set.plugins[0].ops;

        /* DisablePlugins= skips by name. */
        plugin_set_unload(&set);
        CHECK(plugin_name_by_address(good_ops) == NULL);
        char *disabled[] = { (char *) "good", NULL };
        CHECK(plugin_set_load(&set, dir, disabled, NULL) == 0);
        CHECK(set.n_plugins == 0);
        plugin_set_unload(&set);

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
                unlink(path);
        }

        /* A plugin's messages get its name in front, added by the core, once; the
         * core's own through the same function get none. */
        char from[512];
        snprintf(from, sizeof(from), "%s/logger.so", build);
        snprintf(path, sizeof(path), "%s/logger.so", dir);
        CHECK(copy_file(from, path, 0755) == 0);
        CHECK(chown(path, 0, 0) == 0);
        logged[0] = '\0';
        log_set_hook(capture, NULL);
        CHECK(plugin_set_load(&set, dir, NULL, NULL) == 0);
        v6m_log(LOG_NOTICE, 0, "from the core");
        log_set_hook(NULL, NULL);
        fputs(logged, stderr);
        CHECK(set.n_plugins == 1);
        CHECK(strstr(logged, "\nlogger: hello from init\n") || strncmp(logged, "logger: hello from init\n", 24) == 0);
        CHECK(strstr(logged, "\nlogger: written with its own prefix\n") ||
              strncmp(logged, "logger: written with its own prefix\n", 36) == 0);
        CHECK(!strstr(logged, "logger: logger:"));
        CHECK(strstr(logged, "\nfrom the core\n") != NULL);
        plugin_set_unload(&set);
        unlink(path);
        rmdir(dir);
        return EXIT_SUCCESS;
}
