/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clat.h"

#include <arpa/inet.h>
#include <assert.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "clat-iid.h"
#include "nat64-prefix.h"

/* RFC 7335 gives the CLAT 192.0.0.0/29. .0 and .7 are the network and broadcast
 * addresses of that /29 (some stacks and tools treat them so), which leaves .1 to .6.
 * We take the lowest free one: .1 is what a host with one CLAT gets every time, and the
 * search only moves on when the address is on another interface of the host (a second
 * uplink's CLAT, a DS-Lite B4 which RFC 6333 puts on .2, a VPN...). */
#define CLAT_IPV4_FIRST 0xc0000001u
#define CLAT_IPV4_LAST 0xc0000006u

/* The IPv4 default route through the CLAT must lose to every native one: the highest
 * metric there is. */
#define CLAT_ROUTE_METRIC UINT32_MAX

/* RFC 4862 §5.4 header overhead: IPv6 header (40) − IPv4 header (20) + a Fragment
 * header (8) the translator may need (RFC 6145/7915 §4 MTU handling, RFC 6877 §6.3). */
#define CLAT_MTU_OVERHEAD 28u

/* RFC 7217 §6 IDGEN_RETRIES. */
#define CLAT_DAD_RETRIES 3u

#define CLAT_SECRET_FILE "clat-secret"

#define MESSAGE_ID_CLAT_BACKEND "3b0d7e6c1f8a4c55a6e2d9b4870f1c2e"

static void reason_append(char *buf, size_t size, const char *backend, const char *why) {
        size_t l = strlen(buf);

        snprintf(buf + l, size - l, "%s%s: %s", l > 0 ? "; " : "", backend, why);
}

/* A backend not used, and why: in the reason string, the tried list and the journal
 * (MESSAGE_ID_CLAT_BACKEND, CLAT_BACKEND=, CLAT_REASON=). */
static void clat_tried_add(Link *link, char *buf, size_t size, const char *backend, const char *why, bool log) {
        reason_append(buf, size, backend, why);
        if (link->n_clat_tried < ELEMENTSOF(link->clat_tried)) {
                snprintf(link->clat_tried[link->n_clat_tried].backend, sizeof(link->clat_tried[0].backend), "%s",
                         backend);
                snprintf(link->clat_tried[link->n_clat_tried].reason, sizeof(link->clat_tried[0].reason), "%s", why);
                link->n_clat_tried++;
        }
        if (log)
                log_link_struct(link, LOG_NOTICE, MESSAGE_ID_CLAT_BACKEND,
                                ((const LogField[]) { { "CLAT_BACKEND", backend }, { "CLAT_REASON", why }, {} }),
                                "CLAT backend %s not used: %s", backend, why);
}

/* The RFC 7217 secret: generated once, kept in the state directory, so the CLAT address
 * of a link and prefix stays the same across restarts and reboots. */
static int clat_load_secret(Manager *m) {
        char path[PATH_MAX], tmp[PATH_MAX + 8];
        uint8_t secret[CLAT_IID_SECRET_SIZE];
        int fd, r;

        if (m->has_clat_secret)
                return 0;
        snprintf(path, sizeof(path), "%s/%s", m->state_dir, CLAT_SECRET_FILE);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                ssize_t n = read(fd, secret, sizeof(secret));

                close(fd);
                if (n == (ssize_t) sizeof(secret))
                        goto done;
                log_warning("%s is truncated, generating a new secret", path);
        } else if (errno != ENOENT)
                log_warning_errno(errno, "Cannot read %s, generating a new secret: %m", path);

        if (getrandom(secret, sizeof(secret), 0) != (ssize_t) sizeof(secret))
                return log_error_errno(errno ?: EIO, "Cannot get random bytes for the CLAT address secret: %m");
        if (mkdir(m->state_dir, 0755) < 0 && errno != EEXIST)
                r = -errno;
        else {
                snprintf(tmp, sizeof(tmp), "%s.tmp", path);
                fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                if (fd < 0)
                        r = -errno;
                else {
                        /* No fsync(): it can stall the event loop for seconds on a busy
                         * disk. A secret lost to a power cut right after the first start
                         * only means a new CLAT address (a truncated file is replaced). */
                        r = write(fd, secret, sizeof(secret)) == (ssize_t) sizeof(secret) ? 0 : -EIO;
                        close(fd);
                        if (r == 0 && rename(tmp, path) < 0)
                                r = -errno;
                        if (r < 0)
                                (void) unlink(tmp);
                }
        }
        if (r < 0)
                log_warning_errno(r, "Cannot store the CLAT address secret in %s, the address will change on restart: %m",
                                  path);
done:
        memcpy(m->clat_secret, secret, sizeof(secret));
        m->has_clat_secret = true;
        return 0;
}

static int clat_pick_ipv4(Link *link, struct in_addr *ret) {
        const struct v6m_network_config *n = &link->network->pub;

        if (n->has_ipv4_address) {
                *ret = n->ipv4_address;
                return 0;
        }
        for (uint32_t h = CLAT_IPV4_FIRST; h <= CLAT_IPV4_LAST; h++) {
                struct in_addr a = { .s_addr = htonl(h) };

                if (!manager_ipv4_address_in_use(link->manager, &a, link)) {
                        *ret = a;
                        return 0;
                }
        }
        return -EADDRINUSE;
}

/* The uplink's IPv6 MTU: the per-interface IPv6 value (an RA's MTU option lands there),
 * else the link MTU. */
static uint32_t clat_uplink_ipv6_mtu(const Link *link) {
        char path[128], buf[32];
        unsigned long v = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/mtu", link->ifname);
        f = fopen(path, "re");
        if (f) {
                if (fgets(buf, sizeof(buf), f))
                        v = strtoul(buf, NULL, 10);
                fclose(f);
        }
        if (v < 1280 || v > UINT32_MAX)
                v = link->mtu;
        return (uint32_t) v;
}

static void clat_generate_ipv6(Link *link) {
        link->clat_dad_counter = clat_iid_generate(link->manager->clat_secret, &link->prefixes64[0], link->ifname,
                                                   link->clat_dad_counter, &link->clat_config.ipv6_address);
}

/* The CLAT's IPv4 MTU: [CLAT] MTU=, else the uplink's IPv6 MTU less the 20 bytes an IPv6
 * header adds over IPv4 and 8 for a Fragment header the translation may need. */
static uint32_t clat_wanted_mtu(const Link *link) {
        const struct v6m_network_config *n = &link->network->pub;
        uint32_t mtu6 = clat_uplink_ipv6_mtu(link);

        if (n->mtu)
                return n->mtu;
        return mtu6 > CLAT_MTU_OVERHEAD + 68 ? mtu6 - CLAT_MTU_OVERHEAD : 68;
}

static int clat_prepare_config(Link *link, struct v6m_clat_config *c, ClatCause *ret_cause) {
        const struct v6m_network_config *n = &link->network->pub;

        *c = (struct v6m_clat_config) {
                .uplink_ifindex = link->ifindex,
                .nat64 = link->nat64_prefix,
                .mtu = clat_wanted_mtu(link),
                .route_metric = CLAT_ROUTE_METRIC,
        };
        if (clat_pick_ipv4(link, &c->ipv4_address) < 0) {
                *ret_cause = CLAT_CAUSE_NO_IPV4_ADDRESS;
                return -EADDRINUSE;
        }
        if (n->has_ipv6_address) {
                c->ipv6_address = n->ipv6_address;
                return 0;
        }
        if (link->n_prefixes64 == 0) {
                *ret_cause = CLAT_CAUSE_NO_PREFIX64;
                return -EADDRNOTAVAIL;
        }
        if (!link->has_mac) {
                *ret_cause = CLAT_CAUSE_NO_MAC;
                return -EADDRNOTAVAIL;
        }
        if (clat_load_secret(link->manager) < 0) {
                *ret_cause = CLAT_CAUSE_NO_SECRET;
                return -EIO;
        }
        clat_generate_ipv6(link);
        return 0;
}

/* The one walk over Backend=, from `first`: for each backend in order, installed?
 * attached with a start()? probe OK? clat_choose_backend() decides; this collects the
 * facts it asks for (the probes, only as far as needed). Returns the position in
 * Backend= of the backend to start, or -1. Each backend passed over goes with its reason
 * into `reasons` and the tried list (and the journal, with `log`); with reasons NULL
 * into the debug log only. */
static int clat_find_backend(Link *link, size_t first, char *reasons, size_t size, bool log) {
        Manager *m = link->manager;
        const struct v6m_network_config *n = &link->network->pub;
        ClatBackendFacts b[_V6M_CLAT_BACKEND_MAX] = {};
        char why[_V6M_CLAT_BACKEND_MAX][256] = {};
        int idx[_V6M_CLAT_BACKEND_MAX];

        for (size_t i = first; i < n->n_backends; i++) {
                idx[i] = plugin_set_find_clat(&m->plugins, n->backends[i]);
                b[i].installed = idx[i] >= 0;
                b[i].startable = b[i].installed && link->plugin_data && link->plugin_attached[idx[i]] &&
                                 m->plugins.plugins[idx[i]].ops->start;
        }
        for (;;) {
                ClatChoice c = clat_choose_backend(b, n->n_backends, first);

                for (size_t i = first; i < c.index; i++) {
                        const char *name = clat_backend_to_string(n->backends[i]);
                        const char *reason = why[i][0] ? why[i] : clat_cause_to_string(clat_backend_cause(b + i));

                        if (reasons)
                                clat_tried_add(link, reasons, size, name, reason, log);
                        else
                                log_link_debug(link, "CLAT backend %s not usable: %s", name, reason);
                }
                first = c.index;
                if (c.action != CLAT_CHOICE_PROBE)
                        return c.action == CLAT_CHOICE_START ? (int) c.index : -1;

                Plugin *p = m->plugins.plugins + idx[c.index];
                int r = p->ops->probe ? p->ops->probe(p->data, (v6m_link *) link, why[c.index], sizeof(why[0])) : 0;

                if (r < 0 && !why[c.index][0])
                        snprintf(why[c.index], sizeof(why[0]), "%s", strerror(-r));
                b[c.index].probe = r < 0 ? CLAT_PROBE_FAILED : CLAT_PROBE_OK;
        }
}

static bool clat_any_backend_usable(Link *link, char *reasons, size_t size) {
        return clat_find_backend(link, 0, reasons, size, false) >= 0;
}

static void clat_try_from(Link *link, size_t first, char *reasons, size_t size) {
        Manager *m = link->manager;
        const struct v6m_network_config *n = &link->network->pub;
        int i;

        for (; (i = clat_find_backend(link, first, reasons, size, true)) >= 0; first = (size_t) i + 1) {
                const char *name = clat_backend_to_string(n->backends[i]);
                int idx = plugin_set_find_clat(&m->plugins, n->backends[i]), r;
                Plugin *p = m->plugins.plugins + idx;
                char why[256];

                link->clat_backend_available = true;
                link->clat_plugin = idx;
                link->clat_backend_index = (size_t) i;
                link->clat_state = V6M_CLAT_STARTING;
                log_link_info(link, "Starting the CLAT with backend %s", name);
                r = p->ops->start(p->data, (v6m_link *) link, link->plugin_data[idx], &link->clat_config);
                if (r < 0) {
                        snprintf(why, sizeof(why), "%s: %s", clat_cause_to_string(CLAT_CAUSE_START_FAILED),
                                 strerror(-r));
                        clat_tried_add(link, reasons, size, name, why, true);
                        log_link_warning_errno(link, r, "CLAT backend %s failed to start, trying the next: %m", name);
                        link->clat_plugin = -1;
                        link->clat_state = V6M_CLAT_STOPPED;
                        continue;
                }
                free_and_strdup(&link->clat_reason, reasons[0] ? reasons : NULL);
                log_link_struct(link, LOG_INFO, MESSAGE_ID_CLAT_BACKEND,
                                ((const LogField[]) { { "CLAT_BACKEND", name }, {} }), "CLAT backend %s active%s%s",
                                name, reasons[0] ? "; not used: " : "", reasons);
                return;
        }

        link->clat_backend_available = false;
        link->clat_state = V6M_CLAT_STOPPED;
        free_and_strdup(&link->clat_reason, reasons[0] ? reasons : LINK_REASON_NO_CLAT_BACKEND);
        log_link_debug(link, "No CLAT backend usable: %s", link->clat_reason);
}

static void clat_fail(Link *link, ClatCause cause) {
        link->clat_backend_available = true;
        link->clat_state = V6M_CLAT_FAILED;
        link->clat_cause = cause;
        free_and_strdup(&link->clat_reason, clat_cause_to_string(cause));
        log_link_warning(link, "Cannot start CLAT: %s", link->clat_reason);
}

static int clat_dad_begin(Link *link);

static void clat_dad_handler(ClatNdp *ndp, int result, void *userdata) {
        Link *link = userdata;
        char buf[INET6_ADDRSTRLEN];

        link->clat_dad_running = false;
        inet_ntop(AF_INET6, &link->clat_config.ipv6_address, buf, sizeof(buf));
        if (result == 0) {
                log_link_info(link, "CLAT IPv6 address %s passed duplicate address detection", buf);
                link->clat_address_ready = true; /* the link's dispatch starts a backend */
                link_mark_dirty(link);
                return;
        }
        if (result != -EADDRINUSE) {
                log_link_warning_errno(link, result, "Duplicate address detection for %s failed: %m", buf);
                clat_fail(link, CLAT_CAUSE_DAD_FAILED);
                link_mark_dirty(link);
                return;
        }
        link->clat_dad_failures++;
        if (link->network->pub.has_ipv6_address) {
                log_link_warning(link, "CLAT IPv6 address %s (IPv6Address=) is in use by another node", buf);
                clat_fail(link, CLAT_CAUSE_IPV6_ADDRESS_TAKEN);
        } else if (link->clat_dad_failures > CLAT_DAD_RETRIES) {
                log_link_warning(link, "CLAT IPv6 address %s is in use too, giving up after %u collisions", buf,
                                 link->clat_dad_failures);
                clat_fail(link, CLAT_CAUSE_DAD_EXHAUSTED);
        } else {
                log_link_notice(link, "CLAT IPv6 address %s is in use by another node, trying the next one", buf);
                link->clat_dad_counter++;
                clat_generate_ipv6(link);
                if (clat_dad_begin(link) < 0)
                        clat_fail(link, CLAT_CAUSE_DAD_NOT_STARTED);
        }
        link_mark_dirty(link);
}

static int clat_dad_begin(Link *link) {
        char buf[INET6_ADDRSTRLEN];
        int r;

        if (!link->clat_ndp) {
                r = clat_ndp_new(link->manager->event, link->ifindex, link->ifname, link->mac.ether_addr_octet,
                                 &link->clat_ndp);
                if (r < 0)
                        return log_link_warning_errno(link, r, "Cannot open the CLAT NDP socket: %m");
        }
        r = clat_ndp_start(link->clat_ndp, &link->clat_config.ipv6_address, clat_dad_handler, link);
        if (r < 0)
                return log_link_warning_errno(link, r, "Cannot start duplicate address detection: %m");
        link->clat_dad_running = true;
        log_link_debug(link, "Duplicate address detection for CLAT IPv6 address %s",
                       inet_ntop(AF_INET6, &link->clat_config.ipv6_address, buf, sizeof(buf)));
        return 0;
}

bool clat_backend_usable(Link *link) {
        if (!link->network || !link->plugins_attached)
                return false;
        if (link->network->pub.clat == V6M_NO)
                return false;
        if (link->clat_state == V6M_CLAT_STARTING || link->clat_state == V6M_CLAT_RUNNING)
                return true;
        return clat_find_backend(link, 0, NULL, 0, false) >= 0;
}

void clat_start(Link *link) {
        char reasons[1024] = "";
        ClatCause cause = CLAT_CAUSE_NONE;

        link->clat_attempted = true;
        link->clat_dad_failures = 0;
        link->n_clat_tried = 0;
        if (!clat_any_backend_usable(link, reasons, sizeof(reasons))) {
                link->clat_backend_available = false;
                link->clat_state = V6M_CLAT_STOPPED;
                free_and_strdup(&link->clat_reason, reasons[0] ? reasons : LINK_REASON_NO_CLAT_BACKEND);
                log_link_debug(link, "No CLAT backend usable: %s", link->clat_reason);
                return;
        }
        if (clat_prepare_config(link, &link->clat_config, &cause) < 0)
                return clat_fail(link, cause);

        link->clat_backend_available = true;
        link->clat_state = V6M_CLAT_STARTING;
        if (clat_dad_begin(link) < 0)
                return clat_fail(link, CLAT_CAUSE_DAD_NOT_STARTED);
}

void clat_start_backend(Link *link) {
        char reasons[1024] = "";

        link->clat_address_ready = false;
        link->n_clat_tried = 0; /* the probe-only pass of clat_start() is done again */
        clat_try_from(link, 0, reasons, sizeof(reasons));
}

void clat_next_backend(Link *link) {
        Plugin *p = link->manager->plugins.plugins + link->clat_plugin;
        const char *why = link->clat_backend_failure ?: clat_cause_to_string(CLAT_CAUSE_BACKEND_FAILED);
        char reasons[1024] = "";

        assert(link->clat_plugin >= 0 && link->clat_backend_failed);
        log_link_warning(link, "CLAT backend %s failed (%s), trying the next backend", p->ops->name, why);
        /* Let it remove what it still holds before the next one starts. */
        if (p->ops->stop && link->plugin_data)
                p->ops->stop(p->data, (v6m_link *) link, link->plugin_data[link->clat_plugin]);
        /* The reasons of the backends before the one that failed stay. */
        snprintf(reasons, sizeof(reasons), "%s", link->clat_reason ?: "");
        clat_tried_add(link, reasons, sizeof(reasons),
                       clat_backend_to_string(link->network->pub.backends[link->clat_backend_index]), why, true);
        link->clat_backend_failed = false;
        link->clat_backend_failure = mfree(link->clat_backend_failure);
        link->clat_plugin = -1;
        clat_try_from(link, link->clat_backend_index + 1, reasons, sizeof(reasons));
}

void clat_report(Link *link, enum v6m_clat_state state, int error, const char *reason) {
        if (link->clat_plugin < 0)
                return; /* a late report from a backend we already stopped */

        switch (state) {
        case V6M_CLAT_RUNNING:
                log_link_info(link, "CLAT running (backend %s)",
                              link->manager->plugins.plugins[link->clat_plugin].ops->name);
                break;
        case V6M_CLAT_FAILED:
        case V6M_CLAT_STOPPED: {
                char why[300];

                /* Only the fact: the link's dispatch stops it and chooses the next. */
                snprintf(why, sizeof(why), "%s%s%s", reason ?: clat_cause_to_string(CLAT_CAUSE_BACKEND_FAILED),
                         error ? ": " : "", error ? strerror(abs(error)) : "");
                if (free_and_strdup(&link->clat_backend_failure, why) < 0)
                        log_oom();
                link->clat_backend_failed = true;
                link->clat_cause = CLAT_CAUSE_BACKEND_FAILED;
                break;
        }
        default:
                break;
        }
        link->clat_state = state;
        link_mark_dirty(link);
}

void clat_stop(Link *link) {
        Manager *m = link->manager;

        if (link->clat_plugin >= 0) {
                Plugin *p = m->plugins.plugins + link->clat_plugin;

                log_link_info(link, "Stopping CLAT (backend %s)", p->ops->name);
                if (p->ops->stop && link->plugin_data)
                        p->ops->stop(p->data, (v6m_link *) link, link->plugin_data[link->clat_plugin]);
        }
        /* No more answers for the CLAT IPv6 address once the translator is gone. */
        link->clat_ndp = clat_ndp_free(link->clat_ndp);
        link->clat_dad_running = false;
        link->clat_address_ready = false;
        link->clat_plugin = -1;
        link->clat_state = V6M_CLAT_STOPPED;
        link->clat_attempted = false;
        link->clat_backend_available = false;
        link->clat_cause = CLAT_CAUSE_NONE;
        link->clat_backend_failed = false;
        link->clat_backend_failure = mfree(link->clat_backend_failure);
        link->clat_reason = mfree(link->clat_reason);
        link->n_clat_tried = 0;
        link->clat_config = (struct v6m_clat_config) {};
}

static bool clat_prefix64_present(const Link *link) {
        for (size_t i = 0; i < link->n_prefixes64; i++)
                if (memcmp(link->prefixes64[i].s6_addr, link->clat_config.ipv6_address.s6_addr, 8) == 0)
                        return true;
        return false;
}

const char *clat_needs_restart(const Link *link) {
        if (link->clat_state == V6M_CLAT_STOPPED)
                return NULL;
        if (link->clat_state == V6M_CLAT_FAILED) {
                /* A failure for want of a /64 heals when one appears. */
                if (!link->network->pub.has_ipv6_address && link->n_prefixes64 > 0 &&
                    link->clat_cause == CLAT_CAUSE_NO_PREFIX64)
                        return "a /64 for the CLAT IPv6 address appeared";
                return NULL;
        }
        if (!link->has_nat64 || !nat64_prefix_equal(&link->clat_config.nat64, &link->nat64_prefix))
                return "NAT64 prefix changed";
        if (!link->network->pub.has_ipv6_address && !clat_prefix64_present(link))
                return "the /64 of the CLAT IPv6 address is gone";
        if (link->clat_config.mtu != clat_wanted_mtu(link))
                return "the uplink's MTU changed";
        return NULL;
}

uint64_t clat_ndp_answered(const Link *link) {
        return clat_ndp_get_answered(link->clat_ndp);
}
