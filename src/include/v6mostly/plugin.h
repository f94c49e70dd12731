/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The v6mostly plugin ABI.
 *
 * A plugin is a shared object in the plugin directory that exports exactly one symbol,
 * V6M_PLUGIN_SYMBOL, a `const struct v6m_plugin`. The loader reads `abi_version` before
 * anything else and refuses a plugin built against another ABI. Plugins talk to the core
 * only through the v6m_* functions declared here: they report facts about a link; the
 * core's link state machine decides what the link is.
 *
 * Bump V6M_PLUGIN_ABI_VERSION on any incompatible change to this file or to types.h
 * (struct layout, callback signatures, meaning of a value).
 */

#ifdef V6M_ENGINE_LIBRARY
/* src/shared/engine is built with this defined: an engine knows nothing of the daemon. */
#error "the engine library must not include the plugin ABI; use v6mostly/types.h"
#endif

#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "v6mostly/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The core is built with -fvisibility=hidden; what is declared here crosses the
 * daemon/plugin boundary and must stay visible. */
#pragma GCC visibility push(default)

#define V6M_PLUGIN_ABI_VERSION 1u
#define V6M_PLUGIN_SYMBOL "v6mostly_plugin"

typedef struct v6m_core v6m_core; /* the daemon (opaque) */
typedef struct v6m_link v6m_link; /* one managed interface (opaque) */

enum v6m_plugin_kind {
        V6M_PLUGIN_SOURCE, /* reports facts: NAT64 prefixes, DHCPv4 outcome */
        V6M_PLUGIN_CLAT,   /* a CLAT translator backend */
};

/* What a source plugin provides; lets the core tell "no such plugin" from "no answer yet". */
enum {
        V6M_PROVIDES_NAT64_PREFIX = 1u << 0,
        V6M_PROVIDES_DHCP4 = 1u << 1,
};

/* Link changes a plugin is told about through link_changed(). */
enum {
        V6M_LINK_CHANGED_CARRIER = 1u << 0,
        V6M_LINK_CHANGED_ADDRESSES = 1u << 1,
        V6M_LINK_CHANGED_ROUTES = 1u << 2,
        V6M_LINK_CHANGED_CONFIG = 1u << 3, /* the .network settings changed (reload) */
        V6M_LINK_CHANGED_STATE = 1u << 4,  /* the link's derived state changed */
        V6M_LINK_CHANGED_NAT64 = 1u << 5,  /* the chosen NAT64 prefix changed */
        V6M_LINK_CHANGED_NAME = 1u << 6,
        V6M_LINK_CHANGED_RENEW = 1u << 7, /* the user asked to renew (v6mostlyctl renew) */
        V6M_LINK_CHANGED_DNS = 1u << 8,   /* the link's DNS servers or search domains changed */
};

struct v6m_plugin {
        uint32_t abi_version; /* V6M_PLUGIN_ABI_VERSION: checked before anything else */
        uint32_t struct_size; /* sizeof(struct v6m_plugin) */
        const char *name;     /* short, unique: "nat64-static", "clat-tun" */
        enum v6m_plugin_kind kind;
        unsigned provides; /* V6M_PROVIDES_* (source plugins) */

        /* Every callback may be NULL. Negative errno on failure. */
        int (*init)(v6m_core *core, void **ret_plugin_data);
        void (*done)(void *plugin_data);
        int (*link_add)(void *plugin_data, v6m_link *link, void **ret_link_data);
        void (*link_remove)(void *plugin_data, v6m_link *link, void *link_data);
        void (*link_changed)(void *plugin_data, v6m_link *link, void *link_data, unsigned what);

        /* CLAT backends only. probe: 0 if usable on this link, else negative errno and a
         * human-readable reason ("no /dev/net/tun"). start/stop are asynchronous-friendly:
         * a backend reports the outcome with v6m_link_report_clat(). */
        int (*probe)(void *plugin_data, v6m_link *link, char *reason, size_t reason_size);
        int (*start)(void *plugin_data, v6m_link *link, void *link_data, const struct v6m_clat_config *config);
        void (*stop)(void *plugin_data, v6m_link *link, void *link_data);
        int (*stats)(void *plugin_data, v6m_link *link, void *link_data, struct v6m_clat_stats *ret);
};

/* The one symbol a plugin exports; define it as `const struct v6m_plugin v6mostly_plugin = {...}`. */
extern const struct v6m_plugin v6mostly_plugin;

/* ---- Core functions available to plugins ---- */

sd_event *v6m_core_get_event(v6m_core *core);
/* Directory for runtime state ($RUNTIME_DIRECTORY or /run/v6mostly). */
const char *v6m_core_get_runtime_dir(v6m_core *core);
/* Directory for persistent state ($STATE_DIRECTORY or /var/lib/v6mostly). */
const char *v6m_core_get_state_dir(v6m_core *core);

int v6m_link_get_ifindex(const v6m_link *link);
const char *v6m_link_get_name(const v6m_link *link);
/* 6 bytes; returns false when the link has no Ethernet address. */
bool v6m_link_get_hw_addr(const v6m_link *link, uint8_t ret[6]);
bool v6m_link_has_carrier(const v6m_link *link);
uint32_t v6m_link_get_mtu(const v6m_link *link);
/* The matched .network settings, NULL if unmanaged. The pointer changes on reload: do not
 * keep it past the current callback. */
const struct v6m_network_config *v6m_link_get_network_config(const v6m_link *link);
/* Could a CLAT translator run on this link: CLAT= is not "no" and a backend of the link's
 * Backend= list is installed and its probe() succeeds (or a CLAT already runs). Starts
 * nothing. The DHCPv4 client asks this for IPv6OnlyPreferred=auto (RFC 8925 §3.2: only
 * ask for IPv6-only when IPv4-only applications keep working). */
bool v6m_link_clat_backend_usable(const v6m_link *link);
/* The NAT64 prefix the core chose among all sources; false if none. */
bool v6m_link_get_nat64_prefix(const v6m_link *link, struct v6m_nat64_prefix *ret);

/* The link's current NAT64 prefix candidates from `source` (all origins, unexpired), for a
 * source that cross-checks another (DNS64 against RA PREF64). Fills at most `max` entries
 * of `ret` (ret may be NULL with max 0); returns how many there are in all. Plugins learn
 * that the chosen prefix changed through V6M_LINK_CHANGED_NAT64. */
size_t v6m_link_get_nat64_candidates(const v6m_link *link, enum v6m_nat64_source source,
                                     struct v6m_nat64_prefix *ret, size_t max);

/* Report a NAT64 prefix candidate. `origin` tells candidates of one source apart (the
 * router's address for RAs, the resolver for DNS64, "config" for static); it is copied.
 * expiry_usec is CLOCK_BOOTTIME, V6M_USEC_INFINITY for none; the core expires the
 * candidate itself when that time passes. */
int v6m_link_report_nat64_prefix(v6m_link *link, enum v6m_nat64_source source, const char *origin,
                                 const struct v6m_nat64_prefix *prefix, uint64_t expiry_usec);
/* Withdraw one candidate (prefix non-NULL) or every candidate of source+origin
 * (prefix NULL; origin NULL: all of that source). */
void v6m_link_withdraw_nat64_prefix(v6m_link *link, enum v6m_nat64_source source, const char *origin,
                                    const struct v6m_nat64_prefix *prefix);

int v6m_link_report_dhcp4(v6m_link *link, const struct v6m_dhcp4_status *status);

/* Replace the DNS servers and search domains that `source` learned for the link (n_servers
 * 0 and domains NULL clear them). `domains` is NULL-terminated; everything is copied. The
 * plugin owns the lifetimes: it reports again when an entry expires. Plugins are told
 * about a change with V6M_LINK_CHANGED_DNS. */
int v6m_link_report_dns(v6m_link *link, enum v6m_dns_source source, const struct v6m_dns_server *servers,
                        size_t n_servers, char *const *domains);
/* The link's DNS servers in order of preference: from RAs, then DHCPv4, then [NAT64] DNS=.
 * Fills at most `max` entries of `ret` (ret may be NULL with max 0); returns how many
 * there are in all. Duplicates are listed once. */
size_t v6m_link_get_dns_servers(const v6m_link *link, struct v6m_dns_server *ret, size_t max);

/* A problem that does not change the link's state but that users should see (for example
 * "DNS64 prefix X disagrees with RA PREF64 Y"): appended to the link's reason and logged at
 * warning level once. `key` identifies the warning (one per key); message NULL clears it. */
void v6m_link_report_warning(v6m_link *link, const char *key, const char *message);

enum v6m_clat_state {
        V6M_CLAT_STOPPED,
        V6M_CLAT_STARTING,
        V6M_CLAT_RUNNING,
        V6M_CLAT_FAILED,
        _V6M_CLAT_STATE_MAX,
};
/* A CLAT backend reports what became of start()/stop(), or that it died. After a
 * FAILED or STOPPED report the core calls the backend's stop() (which must therefore be
 * idempotent) and tries the next backend: later, from the link's dispatch, never from
 * inside this call. */
void v6m_link_report_clat(v6m_link *link, enum v6m_clat_state state, int error, const char *reason);

/* Logging with the link's INTERFACE=/IFINDEX= fields. The core puts the plugin's name
 * in front of the text ("clat-tun: ...") and adds V6M_PLUGIN=<name>: do not write it
 * yourself. priority is LOG_ERR..LOG_DEBUG.
 * Returns -abs(error) (or 0 if error == 0) so error paths are one line. */
int v6m_link_log(const v6m_link *link, int priority, int error, const char *format, ...)
        __attribute__((format(printf, 4, 5)));
int v6m_log(int priority, int error, const char *format, ...) __attribute__((format(printf, 3, 4)));

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
