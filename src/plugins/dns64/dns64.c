/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Source plugin: the NAT64 prefix from DNS64 (RFC 7050). Asks the link's resolvers for
 * "ipv4only.arpa" AAAA through c-ares, driven by sd-event (c-ares tells which sockets
 * to watch through its socket-state callback; its timeouts become one timer), and derives
 * the prefix with src/shared/engine/dns64-prefix.c.
 *
 * When: the link is managed with UseDNS64=yes and has carrier. Without an RA PREF64 the
 * answer is the link's prefix; with one, it cross-checks it: a disagreement becomes a
 * link warning, and the RA prefix stays in use (the core ranks RA > DNS64 > static).
 *
 * Resolvers: v6m_link_get_dns_servers() (RDNSS, then DHCPv4, then [NAT64] DNS=), else
 * the system's (resolv.conf, read by c-ares). They are asked one at a time, each through
 * its own channel, so the prefix's origin is the resolver that really answered; a
 * link-local resolver gets a channel bound to its interface.
 *
 * Timing: a prefix is reported with expiry = now + TTL + DNS64_GRACE and asked for again
 * one second after the TTL ran out (a caching resolver then holds a fresh copy), so the
 * candidate does not lapse between two answers. Failures retry with exponential backoff
 * (2 s doubling, 5 min cap); a prefix that is not confirmed again expires in the core.
 * A resolver that answers "no such AAAA" or without 192.0.0.170/171 has no DNS64: its
 * prefix is withdrawn at once. */
#include <ares.h>
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>

#include "dns64-prefix.h"
#include "macro.h"
#include "nat64-prefix.h"
#include "v6mostly/plugin.h"

#define DNS64_SERVERS_MAX 8
#define DNS64_SOCKETS_MAX 16
#define DNS64_ANSWERS_MAX 64
#define DNS64_QUERY_TIMEOUT_MS 1500 /* first try; c-ares doubles it for the second */
#define DNS64_QUERY_TRIES 2
#define DNS64_BACKOFF_MIN_USEC (2 * USEC_PER_SEC)
#define DNS64_BACKOFF_MAX_USEC (300 * USEC_PER_SEC)
#define DNS64_GRACE_USEC (10 * USEC_PER_SEC)
#define DNS64_REFRESH_MIN_USEC (5 * USEC_PER_SEC)
#define DNS64_REFRESH_AFTER_TTL_USEC (1 * USEC_PER_SEC)
#define DNS64_TTL_MAX_S (24 * 3600) /* refresh at least daily whatever the TTL says */
#define DNS64_WARNING_KEY "dns64-mismatch"
#define DNS64_ORIGIN_MAX (INET6_ADDRSTRLEN + IF_NAMESIZE + 2)

/* The core starts every message of a plugin with the plugin's name ("dns64: ") and adds
 * V6M_PLUGIN= to its journal entry. */
#define log_dns64_link(d, priority, error, ...) \
        v6m_link_log((d)->link, priority, error, __VA_ARGS__)
#define log_dns64(priority, error, ...) v6m_log(priority, error, __VA_ARGS__)

typedef struct Dns64Plugin {
        v6m_core *core;
        sd_event *event;
} Dns64Plugin;

typedef enum Dns64Outcome {
        DNS64_OUTCOME_PREFIX,   /* prefixes found */
        DNS64_OUTCOME_NEGATIVE, /* a definitive "no DNS64 here" */
        DNS64_OUTCOME_FAILED,   /* timeout, SERVFAIL, refused, ...: no verdict */
} Dns64Outcome;

typedef struct Dns64Link {
        Dns64Plugin *plugin;
        v6m_link *link;

        /* The round of queries in progress: the resolvers asked, one at a time. */
        struct v6m_dns_server servers[DNS64_SERVERS_MAX];
        size_t n_servers;
        size_t server_index;
        bool system_servers; /* no link resolvers: from resolv.conf */
        bool round_negative; /* a resolver of this round said "no DNS64" */

        /* The query in flight. */
        ares_channel channel;
        struct {
                ares_socket_t fd;
                sd_event_source *source;
        } sockets[DNS64_SOCKETS_MAX];
        sd_event_source *ares_timer;
        bool query_done; /* the c-ares callback ran; handled from `deferred` */
        Dns64Outcome outcome;
        char failure[160];
        Dns64Result result;
        uint64_t ttl_s;
        sd_event_source *deferred;

        /* Next round: refresh or retry. */
        sd_event_source *timer;
        uint64_t backoff_usec;

        /* What we reported. */
        bool reported;
        char origin[DNS64_ORIGIN_MAX];
        struct v6m_nat64_prefix prefixes[DNS64_PREFIXES_MAX];
        size_t n_prefixes;
        uint64_t expiry_usec;

        bool running; /* wanted: managed, UseDNS64=yes, carrier */
} Dns64Link;

static void dns64_start_round(Dns64Link *d);
static void dns64_check_mismatch(Dns64Link *d);

static uint64_t dns64_now(Dns64Link *d) {
        uint64_t now = 0;

        (void) sd_event_now(d->plugin->event, CLOCK_BOOTTIME, &now);
        return now;
}

static const char *dns64_server_str(const Dns64Link *d, const struct v6m_dns_server *s, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN] = "?", ifname[IF_NAMESIZE] = "";

        (void) inet_ntop(s->family, &s->address, a, sizeof(a));
        if (s->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&s->address.in6) &&
            if_indextoname(s->ifindex > 0 ? (unsigned) s->ifindex : (unsigned) v6m_link_get_ifindex(d->link), ifname))
                snprintf(buf, size, "%s%%%s", a, ifname);
        else
                snprintf(buf, size, "%s", a);
        return buf;
}

/* ---- c-ares on sd-event ---- */

static void dns64_arm_ares_timer(Dns64Link *d);

static int dns64_io_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Dns64Link *d = userdata;

        if (!d->channel)
                return 0;
        ares_process_fd(d->channel, (revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? fd : ARES_SOCKET_BAD,
                        (revents & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
        dns64_arm_ares_timer(d);
        return 0;
}

static int dns64_ares_timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Dns64Link *d = userdata;

        if (!d->channel)
                return 0;
        ares_process_fd(d->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        dns64_arm_ares_timer(d);
        return 0;
}

static void dns64_arm_ares_timer(Dns64Link *d) {
        struct timeval tv, *t;
        uint64_t when;
        int r;

        if (!d->channel || d->query_done) {
                if (d->ares_timer)
                        (void) sd_event_source_set_enabled(d->ares_timer, SD_EVENT_OFF);
                return;
        }
        t = ares_timeout(d->channel, NULL, &tv);
        if (!t) {
                if (d->ares_timer)
                        (void) sd_event_source_set_enabled(d->ares_timer, SD_EVENT_OFF);
                return;
        }
        when = dns64_now(d) + (uint64_t) t->tv_sec * USEC_PER_SEC + (uint64_t) t->tv_usec;
        if (d->ares_timer) {
                r = sd_event_source_set_time(d->ares_timer, when);
                if (r >= 0)
                        r = sd_event_source_set_enabled(d->ares_timer, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(d->plugin->event, &d->ares_timer, CLOCK_BOOTTIME, when, 0,
                                      dns64_ares_timer_handler, d);
        if (r < 0)
                log_dns64_link(d, LOG_WARNING, r, "failed to arm the query timer: %m");
}

/* c-ares: start, change or stop watching a socket. Called from inside c-ares calls. */
static void dns64_sock_state_cb(void *data, ares_socket_t fd, int readable, int writable) {
        Dns64Link *d = data;
        uint32_t events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
        size_t i, free_slot = DNS64_SOCKETS_MAX;
        int r;

        for (i = 0; i < DNS64_SOCKETS_MAX; i++) {
                if (d->sockets[i].source && d->sockets[i].fd == fd)
                        break;
                if (!d->sockets[i].source && free_slot == DNS64_SOCKETS_MAX)
                        free_slot = i;
        }

        if (events == 0) {
                if (i < DNS64_SOCKETS_MAX)
                        d->sockets[i].source = sd_event_source_disable_unref(d->sockets[i].source);
                return;
        }
        if (i < DNS64_SOCKETS_MAX) {
                r = sd_event_source_set_io_events(d->sockets[i].source, events);
                if (r < 0)
                        log_dns64_link(d, LOG_WARNING, r, "failed to watch a socket: %m");
                return;
        }
        if (free_slot == DNS64_SOCKETS_MAX) {
                /* One query uses one or two sockets; this cannot happen short of a c-ares change. */
                log_dns64_link(d, LOG_WARNING, 0, "too many sockets, ignoring one");
                return;
        }
        r = sd_event_add_io(d->plugin->event, &d->sockets[free_slot].source, fd, events, dns64_io_handler, d);
        if (r < 0) {
                log_dns64_link(d, LOG_WARNING, r, "failed to watch a socket: %m");
                return;
        }
        d->sockets[free_slot].fd = fd;
}

/* Destroy the channel of the query in flight. Never from inside a c-ares call: c-ares
 * calls the query callback (ARES_EDESTRUCTION, ignored) and the socket-state callback
 * (which drops our io sources) from ares_destroy(). */
static void dns64_channel_free(Dns64Link *d) {
        if (d->channel) {
                ares_channel c = d->channel;

                if (!d->query_done)
                        log_dns64_link(d, LOG_DEBUG, 0, "cancelling the query in flight");
                d->query_done = true; /* the callback ignores what ares_destroy() reports */
                ares_destroy(c);
                d->channel = NULL;
        }
        for (size_t i = 0; i < DNS64_SOCKETS_MAX; i++)
                d->sockets[i].source = sd_event_source_disable_unref(d->sockets[i].source);
        if (d->ares_timer)
                (void) sd_event_source_set_enabled(d->ares_timer, SD_EVENT_OFF);
        if (d->deferred)
                (void) sd_event_source_set_enabled(d->deferred, SD_EVENT_OFF);
        d->query_done = false;
}

/* ---- results ---- */

static void dns64_withdraw(Dns64Link *d, const char *why) {
        if (d->reported) {
                char buf[NAT64_PREFIX_STRLEN];

                log_dns64_link(d, LOG_INFO, 0, "withdrawing %s from %s: %s",
                               nat64_prefix_to_string(&d->prefixes[0], buf, sizeof(buf)), d->origin, why);
        }
        v6m_link_withdraw_nat64_prefix(d->link, V6M_NAT64_SOURCE_DNS64, NULL, NULL);
        d->reported = false;
        d->n_prefixes = 0;
        d->expiry_usec = 0;
        d->origin[0] = '\0';
}

static bool dns64_has_prefix(Dns64Link *d) {
        return d->reported && d->n_prefixes > 0 && d->expiry_usec > dns64_now(d);
}

static void dns64_schedule(Dns64Link *d, uint64_t when) {
        int r;

        /* The timer exists from link_add() on. */
        r = sd_event_source_set_time(d->timer, when);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_dns64_link(d, LOG_WARNING, r, "failed to schedule the next query: %m");
}

static void dns64_round_succeeded(Dns64Link *d, const char *origin) {
        uint64_t now = dns64_now(d), ttl_usec = d->ttl_s * USEC_PER_SEC, refresh;
        char buf[NAT64_PREFIX_STRLEN];
        bool changed;

        changed = !d->reported || strcmp(origin, d->origin) != 0 || d->n_prefixes != d->result.n_prefixes;
        for (size_t i = 0; !changed && i < d->n_prefixes; i++)
                changed = !nat64_prefix_equal(&d->prefixes[i], &d->result.prefixes[i]);
        if (changed)
                /* Another resolver or another set of prefixes replaces the old one whole. */
                v6m_link_withdraw_nat64_prefix(d->link, V6M_NAT64_SOURCE_DNS64, NULL, NULL);

        snprintf(d->origin, sizeof(d->origin), "%s", origin);
        memcpy(d->prefixes, d->result.prefixes, sizeof(d->prefixes));
        d->n_prefixes = d->result.n_prefixes;
        d->expiry_usec = now + ttl_usec + DNS64_GRACE_USEC;
        d->reported = true;

        /* Only the first prefix is used (RFC 7050 §3). It is the only candidate we report:
         * the core would choose among several by its own order, not the answer's. The
         * others still count when cross-checking an RA PREF64. */
        (void) v6m_link_report_nat64_prefix(d->link, V6M_NAT64_SOURCE_DNS64, d->origin, &d->prefixes[0],
                                            d->expiry_usec);

        log_dns64_link(d, changed ? LOG_INFO : LOG_DEBUG, 0,
                       "%s answered ipv4only.arpa with NAT64 prefix %s (TTL %" PRIu64 " s)", d->origin,
                       nat64_prefix_to_string(&d->prefixes[0], buf, sizeof(buf)), d->ttl_s);
        for (size_t i = 1; i < d->n_prefixes && changed; i++)
                log_dns64_link(d, LOG_INFO, 0, "%s also synthesises with %s (not used)", d->origin,
                               nat64_prefix_to_string(&d->prefixes[i], buf, sizeof(buf)));

        d->backoff_usec = 0;
        refresh = ttl_usec + DNS64_REFRESH_AFTER_TTL_USEC;
        if (refresh < DNS64_REFRESH_MIN_USEC)
                refresh = DNS64_REFRESH_MIN_USEC;
        dns64_schedule(d, now + refresh);
        dns64_check_mismatch(d);
}

static void dns64_round_failed(Dns64Link *d) {
        uint64_t now = dns64_now(d);

        if (d->round_negative)
                dns64_withdraw(d, "the resolvers have no DNS64");
        /* Otherwise keep what we have: it expires in the core unless a retry confirms it. */

        d->backoff_usec = d->backoff_usec == 0 ? DNS64_BACKOFF_MIN_USEC : d->backoff_usec * 2;
        if (d->backoff_usec > DNS64_BACKOFF_MAX_USEC)
                d->backoff_usec = DNS64_BACKOFF_MAX_USEC;
        log_dns64_link(d, LOG_DEBUG, 0, "no prefix from any resolver, asking again in %" PRIu64 " s",
                       d->backoff_usec / USEC_PER_SEC);
        dns64_schedule(d, now + d->backoff_usec);
        dns64_check_mismatch(d);
}

static int dns64_query_server(Dns64Link *d);

/* The query finished (the c-ares callback stored its outcome): act on it outside c-ares. */
static int dns64_deferred_handler(sd_event_source *s, void *userdata) {
        Dns64Link *d = userdata;
        char origin[DNS64_ORIGIN_MAX];

        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        if (!d->query_done || !d->channel)
                return 0;
        dns64_server_str(d, &d->servers[d->server_index], origin, sizeof(origin));
        dns64_channel_free(d);

        switch (d->outcome) {
        case DNS64_OUTCOME_PREFIX:
                dns64_round_succeeded(d, origin);
                return 0;
        case DNS64_OUTCOME_NEGATIVE:
                d->round_negative = true;
                log_dns64_link(d, LOG_INFO, 0, "%s has no DNS64: %s", origin, d->failure);
                break;
        case DNS64_OUTCOME_FAILED:
                log_dns64_link(d, LOG_DEBUG, 0, "asking %s for ipv4only.arpa failed: %s", origin,
                               d->failure);
                break;
        }

        /* Next resolver of the round, if any. */
        while (++d->server_index < d->n_servers)
                if (dns64_query_server(d) >= 0)
                        return 0;
        dns64_round_failed(d);
        return 0;
}

static void dns64_query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
        Dns64Link *d = arg;
        struct ares_addr6ttl ttls[DNS64_ANSWERS_MAX];
        struct in6_addr answers[DNS64_ANSWERS_MAX];
        int n = DNS64_ANSWERS_MAX, r;

        if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || d->query_done)
                return;
        d->query_done = true;
        d->outcome = DNS64_OUTCOME_FAILED;
        d->result = (Dns64Result) {};

        if (status == ARES_ENODATA || status == ARES_ENOTFOUND) {
                d->outcome = DNS64_OUTCOME_NEGATIVE;
                snprintf(d->failure, sizeof(d->failure), "%s", ares_strerror(status));
        } else if (status != ARES_SUCCESS)
                snprintf(d->failure, sizeof(d->failure), "%s", ares_strerror(status));
        else if ((r = ares_parse_aaaa_reply(abuf, alen, NULL, ttls, &n)) != ARES_SUCCESS) {
                if (r == ARES_ENODATA) {
                        d->outcome = DNS64_OUTCOME_NEGATIVE;
                        snprintf(d->failure, sizeof(d->failure), "no AAAA answer");
                } else
                        snprintf(d->failure, sizeof(d->failure), "bad answer: %s", ares_strerror(r));
        } else {
                uint64_t ttl = UINT64_MAX;

                for (int i = 0; i < n; i++)
                        memcpy(answers[i].s6_addr, &ttls[i].ip6addr, 16);
                if (dns64_prefix_derive(answers, (size_t) n, &d->result) > 0) {
                        /* The answers that gave prefixes bound the lifetime. */
                        for (int i = 0; i < n; i++)
                                if (dns64_wka_positions(&answers[i], NULL) != 0 && ttls[i].ttl >= 0 &&
                                    (uint64_t) ttls[i].ttl < ttl)
                                        ttl = (uint64_t) ttls[i].ttl;
                        d->ttl_s = ttl == UINT64_MAX ? 0 : ttl > DNS64_TTL_MAX_S ? DNS64_TTL_MAX_S : ttl;
                        d->outcome = DNS64_OUTCOME_PREFIX;
                } else {
                        /* Answers, but none synthesised from 192.0.0.170/171: no DNS64
                         * (RFC 7050 §3), or a broken one. Either way no prefix from it. */
                        d->outcome = d->result.n_ambiguous > 0 ? DNS64_OUTCOME_FAILED : DNS64_OUTCOME_NEGATIVE;
                        snprintf(d->failure, sizeof(d->failure), "%s", dns64_result_failure_reason(&d->result));
                }
        }

        (void) sd_event_source_set_enabled(d->deferred, SD_EVENT_ONESHOT);
}

static int dns64_query_server(Dns64Link *d) {
        const struct v6m_dns_server *s = &d->servers[d->server_index];
        struct ares_options options = {
                .sock_state_cb = dns64_sock_state_cb,
                .sock_state_cb_data = d,
                .timeout = DNS64_QUERY_TIMEOUT_MS,
                .tries = DNS64_QUERY_TRIES,
                /* Ask exactly this name at this server: no search list, no rotation. */
                .flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES,
        };
        struct ares_addr_port_node server = { .family = s->family };
        char origin[DNS64_ORIGIN_MAX];
        int r;

        assert(!d->channel);
        r = ares_init_options(&d->channel, &options,
                              ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
        if (r != ARES_SUCCESS) {
                d->channel = NULL;
                return log_dns64_link(d, LOG_WARNING, ENOMEM, "failed to create a resolver channel: %s",
                                      ares_strerror(r));
        }

        if (s->family == AF_INET)
                server.addr.addr4 = s->address.in;
        else
                memcpy(&server.addr.addr6, &s->address.in6, 16);
        r = ares_set_servers_ports(d->channel, &server);
        if (r != ARES_SUCCESS) {
                dns64_channel_free(d);
                return log_dns64_link(d, LOG_WARNING, EINVAL, "failed to set the resolver: %s",
                                      ares_strerror(r));
        }
        /* A link-local resolver is only reachable through its interface. */
        if (s->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&s->address.in6)) {
                char ifname[IF_NAMESIZE];

                if (!if_indextoname(s->ifindex > 0 ? (unsigned) s->ifindex : (unsigned) v6m_link_get_ifindex(d->link),
                                    ifname)) {
                        dns64_channel_free(d);
                        return log_dns64_link(d, LOG_DEBUG, errno, "interface of a link-local resolver: %m");
                }
                ares_set_local_dev(d->channel, ifname);
        }

        log_dns64_link(d, LOG_DEBUG, 0, "asking %s for %s AAAA", dns64_server_str(d, s, origin, sizeof(origin)),
                       DNS64_QUERY_NAME);
        d->query_done = false;
        /* May call dns64_query_cb() at once (e.g. no socket): that only stores the outcome. */
        ares_query(d->channel, DNS64_QUERY_NAME, 1 /* C_IN */, 28 /* T_AAAA */, dns64_query_cb, d);
        dns64_arm_ares_timer(d);
        return 0;
}

/* The resolvers to ask: the link's, else the system's. */
static void dns64_collect_servers(Dns64Link *d) {
        struct ares_addr_port_node *list = NULL;
        struct ares_options options = {};
        ares_channel probe = NULL;

        d->n_servers = v6m_link_get_dns_servers(d->link, d->servers, DNS64_SERVERS_MAX);
        if (d->n_servers > DNS64_SERVERS_MAX)
                d->n_servers = DNS64_SERVERS_MAX;
        d->system_servers = d->n_servers == 0;
        if (d->n_servers > 0)
                return;

        /* c-ares reads resolv.conf (a local file) when a channel is made. */
        if (ares_init_options(&probe, &options, 0) != ARES_SUCCESS)
                return;
        if (ares_get_servers_ports(probe, &list) == ARES_SUCCESS)
                for (struct ares_addr_port_node *n = list; n && d->n_servers < DNS64_SERVERS_MAX; n = n->next) {
                        struct v6m_dns_server *s = &d->servers[d->n_servers];

                        if (n->family != AF_INET && n->family != AF_INET6)
                                continue;
                        *s = (struct v6m_dns_server) { .family = n->family };
                        if (n->family == AF_INET)
                                s->address.in = n->addr.addr4;
                        else
                                memcpy(&s->address.in6, &n->addr.addr6, 16);
                        d->n_servers++;
                }
        ares_free_data(list);
        ares_destroy(probe);
}

static bool dns64_servers_changed(Dns64Link *d) {
        struct v6m_dns_server now[DNS64_SERVERS_MAX];
        size_t n = v6m_link_get_dns_servers(d->link, now, DNS64_SERVERS_MAX);

        if (n > DNS64_SERVERS_MAX)
                n = DNS64_SERVERS_MAX;
        if (n == 0)
                return !d->system_servers;
        if (d->system_servers || n != d->n_servers)
                return true;
        for (size_t i = 0; i < n; i++)
                if (now[i].family != d->servers[i].family || now[i].ifindex != d->servers[i].ifindex ||
                    memcmp(&now[i].address, &d->servers[i].address,
                           now[i].family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr)) != 0)
                        return true;
        return false;
}

static void dns64_start_round(Dns64Link *d) {
        dns64_channel_free(d);
        if (d->timer)
                (void) sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);

        dns64_collect_servers(d);
        d->server_index = 0;
        d->round_negative = false;
        if (d->n_servers == 0) {
                log_dns64_link(d, LOG_DEBUG, 0, "no resolver known (link or resolv.conf)");
                dns64_round_failed(d);
                return;
        }
        for (; d->server_index < d->n_servers; d->server_index++)
                if (dns64_query_server(d) >= 0)
                        return;
        dns64_round_failed(d);
}

static int dns64_timer_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Dns64Link *d = userdata;

        if (d->running)
                dns64_start_round(d);
        return 0;
}

/* ---- cross-check with RA PREF64 ---- */

static void dns64_check_mismatch(Dns64Link *d) {
        const struct v6m_network_config *c = v6m_link_get_network_config(d->link);
        struct v6m_nat64_prefix ra[DNS64_PREFIXES_MAX], chosen, *ra_prefix;
        char dns64_str[NAT64_PREFIX_STRLEN], ra_str[NAT64_PREFIX_STRLEN], message[200];
        size_t n_ra;

        if (!d->running || !c || !c->use_pref64 || !dns64_has_prefix(d)) {
                v6m_link_report_warning(d->link, DNS64_WARNING_KEY, NULL);
                return;
        }
        n_ra = v6m_link_get_nat64_candidates(d->link, V6M_NAT64_SOURCE_RA, ra, ELEMENTSOF(ra));
        if (n_ra > ELEMENTSOF(ra))
                n_ra = ELEMENTSOF(ra);
        if (n_ra == 0) {
                v6m_link_report_warning(d->link, DNS64_WARNING_KEY, NULL);
                return;
        }
        /* Agreement: the DNS64 knows one of the prefixes the routers announce. */
        for (size_t i = 0; i < n_ra; i++)
                for (size_t k = 0; k < d->n_prefixes; k++)
                        if (nat64_prefix_equal(&ra[i], &d->prefixes[k])) {
                                v6m_link_report_warning(d->link, DNS64_WARNING_KEY, NULL);
                                return;
                        }

        /* Name the RA prefix in use if the core chose one, else the first announced. */
        ra_prefix = &ra[0];
        if (v6m_link_get_nat64_prefix(d->link, &chosen))
                for (size_t i = 0; i < n_ra; i++)
                        if (nat64_prefix_equal(&chosen, &ra[i]))
                                ra_prefix = &ra[i];
        snprintf(message, sizeof(message), "DNS64 prefix %s disagrees with RA PREF64 %s",
                 nat64_prefix_to_string(&d->prefixes[0], dns64_str, sizeof(dns64_str)),
                 nat64_prefix_to_string(ra_prefix, ra_str, sizeof(ra_str)));
        v6m_link_report_warning(d->link, DNS64_WARNING_KEY, message);
}

/* ---- link glue ---- */

static bool dns64_wanted(Dns64Link *d) {
        const struct v6m_network_config *c = v6m_link_get_network_config(d->link);

        return c && c->use_dns64 && v6m_link_has_carrier(d->link);
}

static void dns64_stop(Dns64Link *d, bool withdraw) {
        d->running = false;
        dns64_channel_free(d);
        if (d->timer)
                (void) sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
        d->backoff_usec = 0;
        if (withdraw)
                dns64_withdraw(d, "DNS64 discovery is off");
        v6m_link_report_warning(d->link, DNS64_WARNING_KEY, NULL);
}

/* (Re)start the discovery if wanted (`restart`: ask again now even if a round is in
 * progress or scheduled), stop it if not. */
static void dns64_update(Dns64Link *d, bool restart) {
        const struct v6m_network_config *c = v6m_link_get_network_config(d->link);

        if (!dns64_wanted(d)) {
                /* No carrier: stop asking but keep the prefix until it expires (a short
                 * carrier loss should not flap the CLAT). Off by config: withdraw. */
                if (d->running || d->reported)
                        dns64_stop(d, !c || !c->use_dns64);
                return;
        }
        if (d->running && !restart)
                return;
        d->running = true;
        d->backoff_usec = 0;
        dns64_start_round(d);
}

static int dns64_init(v6m_core *core, void **ret) {
        Dns64Plugin *p;
        int r;

        r = ares_library_init(ARES_LIB_INIT_ALL);
        if (r != ARES_SUCCESS)
                return log_dns64(LOG_ERR, ENOMEM, "c-ares initialisation failed: %s", ares_strerror(r));
        p = calloc(1, sizeof(*p));
        if (!p) {
                ares_library_cleanup();
                return -ENOMEM;
        }
        p->core = core;
        p->event = v6m_core_get_event(core);
        *ret = p;
        return 0;
}

static void dns64_done(void *plugin_data) {
        free(plugin_data);
        ares_library_cleanup();
}

static int dns64_link_add(void *plugin_data, v6m_link *link, void **ret_link_data) {
        Dns64Plugin *p = plugin_data;
        Dns64Link *d;
        int r;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->plugin = p;
        d->link = link;

        r = sd_event_add_defer(p->event, &d->deferred, dns64_deferred_handler, d);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->deferred, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time(p->event, &d->timer, CLOCK_BOOTTIME, USEC_INFINITY, 0, dns64_timer_handler, d);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
        if (r < 0) {
                sd_event_source_disable_unref(d->deferred);
                sd_event_source_disable_unref(d->timer);
                free(d);
                return r;
        }

        dns64_update(d, false);
        *ret_link_data = d;
        return 0;
}

static void dns64_link_remove(void *plugin_data, v6m_link *link, void *link_data) {
        Dns64Link *d = link_data;

        if (!d)
                return;
        dns64_stop(d, true);
        sd_event_source_disable_unref(d->deferred);
        sd_event_source_disable_unref(d->timer);
        sd_event_source_disable_unref(d->ares_timer);
        free(d);
}

static void dns64_link_changed(void *plugin_data, v6m_link *link, void *link_data, unsigned what) {
        Dns64Link *d = link_data;
        bool restart = false;

        if (!d)
                return;
        if (what & (V6M_LINK_CHANGED_CONFIG | V6M_LINK_CHANGED_RENEW))
                restart = true;
        if ((what & V6M_LINK_CHANGED_CARRIER) && v6m_link_has_carrier(link))
                restart = true; /* carrier back: the network may be another one */
        if ((what & V6M_LINK_CHANGED_DNS) && dns64_servers_changed(d))
                restart = true;

        if (what & (V6M_LINK_CHANGED_CONFIG | V6M_LINK_CHANGED_RENEW | V6M_LINK_CHANGED_CARRIER | V6M_LINK_CHANGED_DNS))
                dns64_update(d, restart);
        if (what & (V6M_LINK_CHANGED_NAT64 | V6M_LINK_CHANGED_CONFIG))
                dns64_check_mismatch(d);
}

const struct v6m_plugin v6mostly_plugin = {
        .abi_version = V6M_PLUGIN_ABI_VERSION,
        .struct_size = sizeof(struct v6m_plugin),
        .name = "dns64",
        .kind = V6M_PLUGIN_SOURCE,
        .provides = V6M_PROVIDES_NAT64_PREFIX,
        .init = dns64_init,
        .done = dns64_done,
        .link_add = dns64_link_add,
        .link_remove = dns64_link_remove,
        .link_changed = dns64_link_changed,
};
