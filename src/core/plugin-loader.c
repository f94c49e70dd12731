/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin-loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "network-config.h"
#include "strv.h"

int plugin_check_file(int fd, const char **ret_reason) {
        struct stat st;

        if (fstat(fd, &st) < 0) {
                *ret_reason = "cannot stat";
                return -errno;
        }
        if (!S_ISREG(st.st_mode)) {
                *ret_reason = "not a regular file";
                return -EBADF;
        }
        if (st.st_uid != 0) {
                *ret_reason = "not owned by root";
                return -EPERM;
        }
        if (st.st_mode & S_IWOTH) {
                *ret_reason = "world-writable";
                return -EPERM;
        }
        /* As NetworkManager's plugin check: whoever may write it may run code as root. */
        if (st.st_mode & S_IWGRP) {
                *ret_reason = "group-writable";
                return -EPERM;
        }
        /* A set-ID bit on a shared object has no use and says something is off. */
        if (st.st_mode & (S_ISUID | S_ISGID)) {
                *ret_reason = st.st_mode & S_ISUID ? "setuid" : "setgid";
                return -EPERM;
        }
        return 0;
}

int plugin_check_descriptor(const struct v6m_plugin *p, const char **ret_reason) {
        /* The ABI version decides how the rest may be read: check it first. */
        if (p->abi_version != V6M_PLUGIN_ABI_VERSION) {
                *ret_reason = "built for another plugin ABI version";
                return -EPROTO;
        }
        if (p->struct_size < sizeof(struct v6m_plugin)) {
                *ret_reason = "descriptor too small for this ABI";
                return -EPROTO;
        }
        if (isempty(p->name)) {
                *ret_reason = "no name";
                return -EINVAL;
        }
        if (p->kind != V6M_PLUGIN_SOURCE && p->kind != V6M_PLUGIN_CLAT) {
                *ret_reason = "unknown plugin kind";
                return -EINVAL;
        }
        if (p->kind == V6M_PLUGIN_CLAT && (!p->start || !p->stop)) {
                *ret_reason = "CLAT plugin without start/stop";
                return -EINVAL;
        }
        return 0;
}

/* The loaded plugins by load address, so that the core's logging functions can tell
 * which plugin called them (plugin-api.c) with no plugin ABI change: code of a plugin,
 * or of a static library linked into it, lies in that plugin's object. Changed only on
 * the event-loop thread, while loading and unloading, when no worker thread logs. */
#define PLUGIN_REGISTRY_MAX 64
static struct {
        const void *base;
        const char *name;
} plugin_registry[PLUGIN_REGISTRY_MAX];

static const void *object_base(const void *addr) {
        Dl_info info;

        return dladdr(addr, &info) ? info.dli_fbase : NULL;
}

static void plugin_registry_add(const struct v6m_plugin *ops) {
        const void *base = object_base(ops);

        for (size_t i = 0; base && i < ELEMENTSOF(plugin_registry); i++)
                if (!plugin_registry[i].base) {
                        plugin_registry[i].base = base;
                        plugin_registry[i].name = ops->name;
                        return;
                }
}

static void plugin_registry_remove(const struct v6m_plugin *ops) {
        for (size_t i = 0; i < ELEMENTSOF(plugin_registry); i++)
                if (plugin_registry[i].name == ops->name)
                        plugin_registry[i].base = plugin_registry[i].name = NULL;
}

const char *plugin_name_by_address(const void *addr) {
        const void *base = object_base(addr);

        for (size_t i = 0; base && i < ELEMENTSOF(plugin_registry); i++)
                if (plugin_registry[i].base == base)
                        return plugin_registry[i].name;
        return NULL;
}

static int filter_so(const struct dirent *de) {
        size_t l = strlen(de->d_name);

        return de->d_name[0] != '.' && l > 3 && streq(de->d_name + l - 3, ".so");
}

static bool plugin_name_taken(const PluginSet *set, const char *name) {
        for (size_t i = 0; i < set->n_plugins; i++)
                if (streq(set->plugins[i].ops->name, name))
                        return true;
        return false;
}

static int plugin_load_one(PluginSet *set, const char *path, char *const *disabled, v6m_core *core) {
        _cleanup_close_ int fd = -1;
        char proc_path[64];
        const char *reason = NULL;
        const struct v6m_plugin *ops;
        void *dl, *data = NULL;
        Plugin *n;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_warning_errno(errno, "Refusing plugin %s: cannot open: %m", path);
        r = plugin_check_file(fd, &reason);
        if (r < 0)
                return log_warning_errno(r, "Refusing plugin %s: %s", path, reason);

        /* dlopen() the descriptor we checked, not the path, so the file cannot be swapped
         * between the check and the load. The dynamic loader knows the object by this
         * /proc name: the descriptor stays open as long as the plugin is loaded, so the
         * name is never reused for another plugin while this one is in the link map. */
        snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
        dl = dlopen(proc_path, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                return log_warning_errno(ELIBBAD, "Refusing plugin %s: %s", path, dlerror());

        ops = dlsym(dl, V6M_PLUGIN_SYMBOL);
        if (!ops) {
                dlclose(dl);
                return log_warning_errno(ELIBBAD, "Refusing plugin %s: it does not export %s", path, V6M_PLUGIN_SYMBOL);
        }
        r = plugin_check_descriptor(ops, &reason);
        if (r < 0) {
                if (r == -EPROTO)
                        log_warning("Refusing plugin %s: %s (plugin ABI %u, v6mostlyd ABI %u)", path, reason,
                                    ops->abi_version, V6M_PLUGIN_ABI_VERSION);
                else
                        log_warning("Refusing plugin %s: %s", path, reason);
                dlclose(dl);
                return r;
        }
        if (strv_contains((const char *const *) disabled, ops->name)) {
                log_info("Plugin %s (%s) disabled by DisablePlugins=", ops->name, path);
                dlclose(dl);
                return 0;
        }
        if (plugin_name_taken(set, ops->name)) {
                log_warning("Refusing plugin %s: a plugin named %s is already loaded", path, ops->name);
                dlclose(dl);
                return -EEXIST;
        }

        n = realloc(set->plugins, (set->n_plugins + 1) * sizeof(Plugin));
        if (!n) {
                dlclose(dl);
                return log_oom();
        }
        set->plugins = n;

        plugin_registry_add(ops);
        if (ops->init) {
                r = ops->init(core, &data);
                if (r < 0) {
                        log_warning_errno(r, "Plugin %s (%s) failed to initialize, not using it: %m", ops->name, path);
                        plugin_registry_remove(ops);
                        dlclose(dl);
                        return r;
                }
        }
        set->plugins[set->n_plugins++] = (Plugin) {
                .path = strdup(path),
                .fd = TAKE_FD(fd),
                .dl = dl,
                .ops = ops,
                .data = data,
        };
        log_info("Loaded plugin %s (%s) from %s", ops->name, ops->kind == V6M_PLUGIN_CLAT ? "CLAT backend" : "source",
                 path);
        return 0;
}

int plugin_set_load(PluginSet *set, const char *dir, char *const *disabled, v6m_core *core) {
        struct dirent **entries = NULL;
        int n;

        n = scandir(dir, &entries, filter_so, alphasort);
        if (n < 0) {
                if (errno == ENOENT) {
                        log_warning("Plugin directory %s does not exist, running without plugins", dir);
                        return 0;
                }
                return log_error_errno(errno, "Failed to read plugin directory %s: %m", dir);
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s", dir, entries[i]->d_name) >= 0)
                        (void) plugin_load_one(set, path, disabled, core);
                else
                        log_oom();
                free(entries[i]);
        }
        free(entries);
        return 0;
}

void plugin_set_unload(PluginSet *set) {
        for (size_t i = set->n_plugins; i > 0; i--) {
                Plugin *p = set->plugins + i - 1;

                if (p->ops->done)
                        p->ops->done(p->data);
                plugin_registry_remove(p->ops);
                dlclose(p->dl);
                if (p->fd >= 0)
                        close(p->fd);
                free(p->path);
        }
        free(set->plugins);
        *set = (PluginSet) {};
}

int plugin_set_find_clat(const PluginSet *set, enum v6m_clat_backend backend) {
        char name[32];

        snprintf(name, sizeof(name), "clat-%s", clat_backend_to_string(backend));
        for (size_t i = 0; i < set->n_plugins; i++)
                if (set->plugins[i].ops->kind == V6M_PLUGIN_CLAT && streq(set->plugins[i].ops->name, name))
                        return (int) i;
        return -1;
}

bool plugin_set_provides(const PluginSet *set, unsigned what) {
        for (size_t i = 0; i < set->n_plugins; i++)
                if (set->plugins[i].ops->provides & what)
                        return true;
        return false;
}
