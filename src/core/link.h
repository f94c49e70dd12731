/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/ethernet.h>
#include <stdbool.h>

#include "json-writer.h"
#include "link-state.h"
#include "log.h"
#include "manager.h"
#include "clat-ndp.h"
#include "nat64-arbiter.h"
#include "v6mostly/plugin.h"

#define LINK_PREFIXES64_MAX 8

/* Buffer size of the formatted values below (addresses, prefixes, origins). */
#define LINK_STR_MAX 64

typedef struct LinkDns {
        struct v6m_dns_server *servers;
        size_t n_servers;
        char **domains;
} LinkDns;

typedef struct LinkWarning {
        char *key;
        char *message;
} LinkWarning;

struct Link {
        Manager *manager;
        Link *next;

        int ifindex;
        char *ifname;
        struct ether_addr mac;
        bool has_mac;
        bool loopback;
        uint32_t mtu;

        /* Facts from rtnetlink. */
        bool carrier;
        bool ipv6_global_address;
        bool ipv6_default_route;
        bool native_ipv4_address;
        /* The /64 prefixes of the link's global addresses, SLAAC (kernel-managed) first,
         * for the CLAT's dedicated IPv6 address. */
        struct in6_addr prefixes64[LINK_PREFIXES64_MAX];
        size_t n_prefixes64;

        /* Config and plugins. */
        NetworkConfig *network; /* NULL: unmanaged */
        void **plugin_data;     /* per plugin of manager->plugins, while managed */
        bool *plugin_attached;  /* link_add() succeeded */
        bool plugins_attached;

        /* Facts from plugins. */
        struct v6m_dhcp4_status dhcp4;
        char *dhcp4_reason;
        Nat64Arbiter nat64;
        bool has_nat64;
        struct v6m_nat64_prefix nat64_prefix; /* the chosen one */
        enum v6m_nat64_source nat64_source;
        uint64_t nat64_expiry_usec;
        char nat64_origin[LINK_STR_MAX]; /* router, resolver or "config" of the chosen candidate */
        sd_event_source *nat64_timer;
        LinkDns dns[_V6M_DNS_SOURCE_MAX];
        LinkWarning *warnings;
        size_t n_warnings;

        /* CLAT control plane. */
        enum v6m_clat_state clat_state;
        int clat_plugin;      /* index into manager->plugins, or -1 */
        size_t clat_backend_index; /* position in Backend= of the backend in use */
        bool clat_attempted;       /* backends were tried for the current decision */
        ClatCause clat_cause;      /* why the CLAT failed (clat_state FAILED) */
        char *clat_reason;
        /* The backend in use reported FAILED or STOPPED (a fact, v6m_link_report_clat()):
         * the link's dispatch stops it and tries the next one. */
        bool clat_backend_failed;
        char *clat_backend_failure; /* its reason, with the error */
        /* Backends of Backend= not used, in order, each with why (probe refused, start
         * failed, failed later): "tried" in the JSON. Reset when the CLAT stops. */
        struct {
                char backend[8];
                char reason[256];
        } clat_tried[8];
        size_t n_clat_tried;
        bool clat_backend_available;
        struct v6m_clat_config clat_config;
        ClatNdp *clat_ndp;          /* DAD, then the NS responder for the CLAT IPv6 address */
        unsigned clat_dad_counter;  /* RFC 7217 DAD_Counter of the current address */
        unsigned clat_dad_failures; /* collisions for the current decision */
        bool clat_dad_running;
        bool clat_address_ready; /* DAD passed: the dispatch starts a backend */

        /* Netlink bookkeeping (manager.c). */
        bool seen;
        void *netlink_scratch;

        /* Derived. */
        LinkState state;
        char *reason;
        bool dirty;

        /* Bus: last PropertiesChanged values, to signal only what changed. */
        char **bus_snapshot;
};

int link_new(Manager *m, int ifindex, const char *ifname, Link **ret);
Link *link_free(Link *link);

/* Netlink said something about this link: update facts, schedule a re-derivation. */
void link_update_from_netlink(Link *link, const char *ifname, unsigned flags, uint32_t mtu,
                              const struct ether_addr *mac, bool loopback);
void link_set_netlink_facts(Link *link, bool ipv6_global_address, bool ipv6_default_route,
                            bool native_ipv4_address, const struct in6_addr *prefixes64, size_t n_prefixes64);

/* Match against the manager's configs and attach/detach plugins accordingly. With
 * `force`, re-apply even if the config is unchanged (Reconfigure()). */
int link_apply_config(Link *link, bool force);
/* Stop everything, detach plugins (daemon stop, link removed). */
void link_detach(Link *link);

void link_mark_dirty(Link *link);
bool link_is_clat_device(const Link *link);
/* Re-derive the state from the facts (the only caller of link_set_state()). */
void link_check_state(Link *link);
/* Tell plugins about a change. */
void link_notify_plugins(Link *link, unsigned what);
void link_renew(Link *link);

/* DNS facts and warnings from plugins (plugin-api.c). */
int link_set_dns(Link *link, enum v6m_dns_source source, const struct v6m_dns_server *servers, size_t n_servers,
                 char *const *domains);
size_t link_get_dns_servers(const Link *link, struct v6m_dns_server *ret, size_t max);
char **link_get_dns_domains(const Link *link); /* a new strv, never NULL unless out of memory */
int link_set_warning(Link *link, const char *key, const char *message);

/* Describe() JSON (link-json.c). */
int link_describe_json(Link *link, char **ret);
int link_describe_json_write(Link *link, JsonWriter *w);

/* Remaining time of an absolute CLOCK_BOOTTIME deadline in whole seconds (rounded up),
 * UINT64_MAX for infinite/none. */
uint64_t link_remaining_s(Link *link, uint64_t deadline_usec);

#define log_link_full_errno(link, level, error, ...)                                               \
        ({                                                                                         \
                const Link *_ll_ = (link);                                                         \
                int _lv_ = (level), _le_ = (error);                                                \
                (log_get_max_level() >= _lv_)                                                      \
                        ? log_internal(_lv_, _le_, __FILE__, __LINE__, __func__,                    \
                                       _ll_ ? _ll_->ifname : NULL, _ll_ ? _ll_->ifindex : 0, NULL, \
                                       __VA_ARGS__)                                                \
                        : -abs(_le_);                                                              \
        })

/* An entry with a MESSAGE_ID (32 hex digits) and fields (LogField list ending in { NULL }),
 * with the link's INTERFACE= and IFINDEX=. */
#define log_link_struct(link, level, message_id, fields, ...)                                      \
        log_struct_internal(level, 0, __FILE__, __LINE__, __func__, (link)->ifname, (link)->ifindex, \
                            message_id, fields, __VA_ARGS__)

#define log_link_debug(link, ...) log_link_full_errno(link, LOG_DEBUG, 0, __VA_ARGS__)
#define log_link_info(link, ...) log_link_full_errno(link, LOG_INFO, 0, __VA_ARGS__)
#define log_link_notice(link, ...) log_link_full_errno(link, LOG_NOTICE, 0, __VA_ARGS__)
#define log_link_warning(link, ...) log_link_full_errno(link, LOG_WARNING, 0, __VA_ARGS__)
#define log_link_warning_errno(link, e, ...) log_link_full_errno(link, LOG_WARNING, e, __VA_ARGS__)
#define log_link_error_errno(link, e, ...) log_link_full_errno(link, LOG_ERR, e, __VA_ARGS__)
#define log_link_debug_errno(link, e, ...) log_link_full_errno(link, LOG_DEBUG, e, __VA_ARGS__)

/* Formatting shared by the bus and the JSON (link-json.c): NULL when absent. */
const char *link_dhcp4_address_str(const Link *link, char buf[static LINK_STR_MAX]);
const char *link_dhcp4_server_str(const Link *link, char buf[static LINK_STR_MAX]);
const char *link_nat64_prefix_str(const Link *link, char buf[static LINK_STR_MAX]);
const char *link_dns_server_str(const struct v6m_dns_server *server, char buf[static LINK_STR_MAX]);
const char *link_nat64_source_str(const Link *link); /* "none" when no prefix */
const char *link_clat_backend_str(const Link *link);
const char *link_clat_ipv4_str(const Link *link, char buf[static LINK_STR_MAX]);
const char *link_clat_ipv6_str(const Link *link, char buf[static LINK_STR_MAX]);
/* Counters from the running backend; zeroed when none. */
void link_clat_stats(Link *link, struct v6m_clat_stats *ret);
