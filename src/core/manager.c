/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manager.h"

#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "bus-link.h"
#include "bus-manager.h"
#include "link.h"
#include "log.h"
#include "strv.h"

#define BUS_RECONNECT_USEC (5 * USEC_PER_SEC)

uint64_t manager_now(Manager *m) {
        uint64_t now = 0;

        if (sd_event_now(m->event, CLOCK_BOOTTIME, &now) < 0)
                (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        return now;
}

Link *manager_get_link(Manager *m, int ifindex) {
        for (Link *l = m->links; l; l = l->next)
                if (l->ifindex == ifindex)
                        return l;
        return NULL;
}

Link *manager_get_link_by_name(Manager *m, const char *name) {
        for (Link *l = m->links; l; l = l->next)
                if (streq(l->ifname, name))
                        return l;
        return NULL;
}

static int manager_dispatch_handler(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        for (Link *l = m->links; l; l = l->next)
                if (l->dirty)
                        link_check_state(l);
        return 0;
}

void manager_schedule_dispatch(Manager *m) {
        if (m->dispatch_source)
                (void) sd_event_source_set_enabled(m->dispatch_source, SD_EVENT_ONESHOT);
}

void manager_update_status(Manager *m) {
        size_t managed = 0, counts[_LINK_STATE_MAX] = {};
        char status[512];
        size_t l;

        if (!m->ready)
                return;
        for (Link *k = m->links; k; k = k->next) {
                counts[k->state]++;
                if (k->network)
                        managed++;
        }
        l = (size_t) snprintf(status, sizeof(status), "STATUS=%zu link(s) managed", managed);
        for (LinkState s = LINK_STATE_PENDING; s < _LINK_STATE_MAX && l < sizeof(status); s++)
                if (counts[s] > 0)
                        l += (size_t) snprintf(status + l, sizeof(status) - l, ", %zu %s", counts[s],
                                               link_state_to_string(s));
        (void) sd_notify(false, status);
}

/* ---- bus ---- */

static int manager_bus_connect(Manager *m);

static int bus_reconnect_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        m->bus_reconnect_timer = sd_event_source_disable_unref(m->bus_reconnect_timer);
        (void) manager_bus_connect(m);
        return 0;
}

static void manager_bus_schedule_reconnect(Manager *m) {
        int r;

        if (m->bus_reconnect_timer || m->exiting)
                return;
        r = sd_event_add_time_relative(m->event, &m->bus_reconnect_timer, CLOCK_MONOTONIC, BUS_RECONNECT_USEC, 0,
                                       bus_reconnect_handler, m);
        if (r < 0)
                log_warning_errno(r, "Failed to schedule a bus reconnect: %m");
}

static int bus_disconnected_handler(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        log_warning("Lost the connection to the bus, reconnecting in %llu s",
                    (unsigned long long) (BUS_RECONNECT_USEC / USEC_PER_SEC));
        m->bus = sd_bus_flush_close_unref(m->bus);
        for (Link *l = m->links; l; l = l->next)
                l->bus_snapshot = strv_free(l->bus_snapshot);
        manager_bus_schedule_reconnect(m);
        return 0;
}

static int manager_bus_connect(Manager *m) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                log_warning_errno(r, "Failed to connect to the system bus, retrying later: %m");
                manager_bus_schedule_reconnect(m);
                return 0;
        }
        r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", bus_disconnected_handler, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for bus disconnects: %m");
        r = bus_manager_setup(m, bus);
        if (r < 0)
                return r;
        r = sd_bus_request_name(bus, BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to own bus name %s (is another v6mostlyd running?): %m", BUS_NAME);
        r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        m->bus = TAKE_PTR(bus);
        log_debug("Connected to the bus as %s", BUS_NAME);
        return 0;
}

/* ---- config ---- */

/* NULL selects the default search path. */
static const char *const *manager_network_dirs(Manager *m) {
        return (const char *const *) m->network_dirs;
}

static void manager_apply_log_level(Manager *m) {
        if (m->log_level_override >= 0)
                log_set_max_level(m->log_level_override);
        else if (m->daemon_config.log_level >= 0)
                log_set_max_level(m->daemon_config.log_level);
        else
                log_set_max_level(LOG_INFO);
}

static int manager_load_config(Manager *m) {
        NetworkConfig **networks = NULL;
        size_t n_networks = 0;
        DaemonConfig dc;
        int r;

        daemon_config_init_defaults(&dc);
        r = daemon_config_load(m->config_file, &dc);
        if (r < 0) {
                daemon_config_done(&dc);
                return log_error_errno(r, "Failed to load %s, keeping the previous settings: %m", m->config_file);
        }
        daemon_config_done(&m->daemon_config);
        m->daemon_config = dc;
        manager_apply_log_level(m);

        r = network_config_load_all(manager_network_dirs(m), &networks, &n_networks);
        if (r < 0)
                return log_error_errno(r, "Failed to load .network files, keeping the previous ones: %m");

        NetworkConfig **old = m->networks;
        size_t n_old = m->n_networks;

        m->networks = networks;
        m->n_networks = n_networks;
        /* Re-match while the old configs are still alive, so unchanged links are kept. */
        for (Link *l = m->links; l; l = l->next)
                (void) link_apply_config(l, false);
        network_configs_free(old, n_old);
        log_info("Loaded %zu .network file(s)", n_networks);
        return 0;
}

int manager_reload(Manager *m) {
        int r;

        log_info("Reloading configuration");
        (void) sd_notify(false, "RELOADING=1");
        r = manager_load_config(m);
        (void) sd_notify(false, "READY=1");
        manager_update_status(m);
        return r;
}

/* ---- life cycle ---- */

static int signal_handler(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (si->ssi_signo == SIGHUP) {
                (void) manager_reload(m);
                return 0;
        }
        log_info("Received %s, stopping", strsignal((int) si->ssi_signo));
        m->exiting = true;
        (void) sd_notify(false, "STOPPING=1");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->log_level_override = -1;
        daemon_config_init_defaults(&m->daemon_config);

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        r = sd_event_add_signal(m->event, &m->sigterm_source, SIGTERM, signal_handler, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, &m->sigint_source, SIGINT, signal_handler, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, &m->sighup_source, SIGHUP, signal_handler, m);
        if (r < 0)
                return r;
        r = sd_event_add_defer(m->event, &m->dispatch_source, manager_dispatch_handler, m);
        if (r < 0)
                return r;
        /* After I/O handlers, so one batch of events leads to one re-derivation. */
        (void) sd_event_source_set_priority(m->dispatch_source, SD_EVENT_PRIORITY_IDLE);
        (void) sd_event_source_set_enabled(m->dispatch_source, SD_EVENT_OFF);
        (void) sd_event_set_watchdog(m->event, true);

        *ret = TAKE_PTR(m);
        return 0;
}

static int mkdir_p_runtime(const char *dir) {
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int manager_start(Manager *m) {
        const char *plugin_dir;
        int r;

        if (!m->config_file) {
                m->config_file = strdup(DAEMON_CONFIG_FILE_DEFAULT);
                if (!m->config_file)
                        return log_oom();
        }
        if (!m->runtime_dir) {
                const char *e = getenv("RUNTIME_DIRECTORY");
                m->runtime_dir = strdup(e ?: "/run/v6mostly");
                if (!m->runtime_dir)
                        return log_oom();
        }
        if (!m->state_dir) {
                const char *e = getenv("STATE_DIRECTORY");
                m->state_dir = strdup(e ?: "/var/lib/v6mostly");
                if (!m->state_dir)
                        return log_oom();
        }
        r = mkdir_p_runtime(m->runtime_dir);
        if (r < 0)
                log_warning_errno(r, "Cannot create runtime directory %s: %m", m->runtime_dir);

        r = manager_load_config(m);
        if (r < 0)
                return r;

        plugin_dir = m->plugin_dir ?: getenv("V6MOSTLY_PLUGIN_DIR") ?: PLUGINDIR;
        r = plugin_set_load(&m->plugins, plugin_dir, m->daemon_config.disable_plugins, (v6m_core *) m);
        if (r < 0)
                return r;

        r = manager_netlink_connect(m);
        if (r < 0)
                return r;
        r = manager_bus_connect(m);
        if (r < 0)
                return r;

        manager_netlink_sync(m);
        return 0;
}

int manager_run(Manager *m) {
        int r;

        /* Derive every link once before telling the service manager we are ready, so
         * "ready" means the bus shows real states. */
        manager_dispatch_handler(NULL, m);
        m->ready = true;
        (void) sd_notify(false, "READY=1");
        manager_update_status(m);
        log_info("v6mostlyd " PACKAGE_VERSION " running, %zu link(s), %zu plugin(s)", m->n_links, m->plugins.n_plugins);

        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        m->exiting = true;

        /* Stop CLATs and detach plugins from links before the plugins go away. */
        while (m->links) {
                Link *l = m->links;

                m->links = l->next;
                link_free(l);
        }
        plugin_set_unload(&m->plugins);

        m->bus_reconnect_timer = sd_event_source_disable_unref(m->bus_reconnect_timer);
        m->bus = sd_bus_flush_close_unref(m->bus);
        manager_netlink_done(m);

        network_configs_free(m->networks, m->n_networks);
        daemon_config_done(&m->daemon_config);
        strv_free(m->network_dirs);
        free(m->config_file);
        free(m->plugin_dir);
        free(m->runtime_dir);
        free(m->state_dir);

        sd_event_source_disable_unref(m->dispatch_source);
        sd_event_source_disable_unref(m->sigterm_source);
        sd_event_source_disable_unref(m->sigint_source);
        sd_event_source_disable_unref(m->sighup_source);
        sd_event_unref(m->event);
        return mfree(m);
}
