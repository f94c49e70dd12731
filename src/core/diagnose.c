/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks of `v6mostlyctl diagnose` that need nothing but what the daemon already knows
 * (no packets sent), and the check list they fill. */
#include "diagnose.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/route/addr.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus-api.h"
#include "bus-link.h"
#include "clat-tun-name.h"
#include "clat.h"
#include "link.h"
#include "nat64-prefix.h"
#include "nl-transact.h"

extern unsigned int if_nametoindex(const char *ifname);
extern char *if_indextoname(unsigned int ifindex, char *ifname);

/* RFC 4861 §6.2.1: MaxRtrAdvInterval is no less than 4 s. */
#define RA_MAX_INTERVAL_FLOOR_S 4u
/* RFC 8781 §4.1: the PREF64 lifetime should cover at least three RA intervals. */
#define PREF64_LIFETIME_INTERVALS 3u
/* A destination for the IPv4 route lookup when no --target is given (no packet is sent
 * to it): any public address shows where the host's IPv4 default traffic goes. */
#define ROUTE_LOOKUP_DEFAULT "8.8.8.8"
/* Drops worth a warning: more than 1 % of the packets, and enough of them not to be the odd
 * packet no translator could take. */
#define CLAT_DROPS_WARN_PERMILLE 10u
#define CLAT_DROPS_WARN_MIN 10u

static const char *const diag_verdict_table[_DIAG_VERDICT_MAX] = {
        [DIAG_PASS] = "PASS",
        [DIAG_WARN] = "WARN",
        [DIAG_FAIL] = "FAIL",
        [DIAG_SKIP] = "SKIP",
};
DEFINE_STRING_TABLE_LOOKUP(diag_verdict, DiagVerdict, _DIAG_VERDICT_MAX);

static const char *const diag_where_table[_DIAG_WHERE_MAX] = {
        [DIAG_WHERE_NONE] = "",
        [DIAG_WHERE_ROUTER] = "router",
        [DIAG_WHERE_DHCP_SERVER] = "dhcp-server",
        [DIAG_WHERE_DNS64] = "dns64",
        [DIAG_WHERE_NAT64] = "nat64",
        [DIAG_WHERE_HOST] = "host",
};
DEFINE_STRING_TABLE_LOOKUP(diag_where, DiagWhere, _DIAG_WHERE_MAX);

int diag_append(DiagReport *report, const DiagCheck *c) {
        DiagCheck *n;

        if (report->error)
                return report->error;
        n = realloc(report->checks, (report->n_checks + 1) * sizeof(DiagCheck));
        if (!n)
                return report->error = -ENOMEM;
        report->checks = n;
        n[report->n_checks++] = *c;
        return 0;
}

DiagCheck *diag_add(DiagReport *report, const char *id, DiagVerdict verdict, DiagWhere where, const char *evidence_format,
                    ...) {
        DiagCheck c = { .verdict = verdict, .where = where, .value = -1 };
        va_list ap;

        snprintf(c.id, sizeof(c.id), "%s", id);
        va_start(ap, evidence_format);
        vsnprintf(c.evidence, sizeof(c.evidence), evidence_format, ap);
        va_end(ap);
        if (diag_append(report, &c) < 0)
                return NULL;
        return report->checks + report->n_checks - 1;
}

void diag_set_fix(DiagCheck *c, const char *format, ...) {
        va_list ap;

        if (!c)
                return;
        va_start(ap, format);
        vsnprintf(c->fix, sizeof(c->fix), format, ap);
        va_end(ap);
}

void diag_report_done(DiagReport *report) {
        report->checks = mfree(report->checks);
        report->n_checks = 0;
}

/* Append to a fixed buffer, "; "-separated; silently truncates (evidence is one line). */
static void text_append(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void text_append(char *buf, size_t size, const char *format, ...) {
        size_t len = strnlen(buf, size);
        va_list ap;

        if (len + 1 >= size)
                return;
        va_start(ap, format);
        vsnprintf(buf + len, size - len, format, ap);
        va_end(ap);
}

static const char *in6_str(const struct in6_addr *a, char buf[static INET6_ADDRSTRLEN]) {
        return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* ---- IPv6 ---- */

static void check_ipv6_address(Link *link, DiagReport *report) {
        char evidence[DIAG_TEXT_MAX] = "";
        size_t n_preferred = 0, n_deprecated = 0;
        struct nl_cache *cache = link->manager->addr_cache;

        for (struct nl_object *o = cache ? nl_cache_get_first(cache) : NULL; o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *) o;
                struct nl_addr *local = rtnl_addr_get_local(a);
                char buf[INET6_ADDRSTRLEN];
                unsigned flags = rtnl_addr_get_flags(a);
                bool deprecated = flags & IFA_F_DEPRECATED;

                if (rtnl_addr_get_ifindex(a) != link->ifindex || rtnl_addr_get_family(a) != AF_INET6 || !local ||
                    nl_addr_get_len(local) != sizeof(struct in6_addr) || rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE ||
                    (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
                        continue;
                deprecated ? n_deprecated++ : n_preferred++;
                text_append(evidence, sizeof(evidence), "%s%s/%u %s%s", evidence[0] ? ", " : "",
                            in6_str(nl_addr_get_binary_addr(local), buf), rtnl_addr_get_prefixlen(a),
                            deprecated ? "deprecated" : "preferred",
                            flags & IFA_F_PERMANENT ? "" : " (SLAAC)");
        }

        if (n_preferred > 0) {
                DiagCheck *c = diag_add(report, "ipv6-address", DIAG_PASS, DIAG_WHERE_NONE, "%s", evidence);
                if (c)
                        c->value = (int64_t) n_preferred;
        } else if (n_deprecated > 0)
                diag_set_fix(diag_add(report, "ipv6-address", DIAG_WARN, DIAG_WHERE_ROUTER,
                                      "only deprecated global addresses: %s", evidence),
                             "announce the /64 with a preferred lifetime above 0 (Prefix Information option)");
        else
                diag_set_fix(diag_add(report, "ipv6-address", DIAG_FAIL, DIAG_WHERE_ROUTER,
                                      "no global IPv6 address on %s", link->ifname),
                             "announce a /64 with the A flag (SLAAC) in Router Advertisements");
}

static void check_ipv6_router(Link *link, DiagReport *report) {
        const RouteTable *t = &link->manager->routes;
        char evidence[DIAG_TEXT_MAX] = "";
        size_t n = 0;

        for (size_t i = 0; i < t->n_routes; i++) {
                char buf[INET6_ADDRSTRLEN];

                if (t->routes[i].ifindex != link->ifindex)
                        continue;
                n++;
                text_append(evidence, sizeof(evidence), "%sdefault via %s metric %" PRIu32, evidence[0] ? ", " : "",
                            in6_str(&t->routes[i].gateway, buf), t->routes[i].metric);
        }
        if (n > 0) {
                DiagCheck *c = diag_add(report, "ipv6-router", DIAG_PASS, DIAG_WHERE_NONE, "%s", evidence);
                if (c)
                        c->value = (int64_t) n;
        } else
                diag_set_fix(diag_add(report, "ipv6-router", DIAG_FAIL, DIAG_WHERE_ROUTER,
                                      "no IPv6 default route on %s", link->ifname),
                             "send Router Advertisements with a router lifetime above 0");
}

static uint32_t ipv6_mtu(const Link *link) {
        char path[128];
        unsigned v = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/mtu", link->ifname);
        f = fopen(path, "re");
        if (f) {
                if (fscanf(f, "%u", &v) != 1)
                        v = 0;
                fclose(f);
        }
        return v > 0 ? v : link->mtu;
}

static void check_ipv6_mtu(Link *link, DiagReport *report) {
        uint32_t mtu = ipv6_mtu(link), clat_mtu;
        char clat[64] = "";
        DiagCheck *c;

        if (link_clat_mtu_shown(link, &clat_mtu))
                snprintf(clat, sizeof(clat), "; the CLAT's IPv4 MTU is %" PRIu32, clat_mtu);
        if (mtu >= 1280)
                c = diag_add(report, "ipv6-mtu", DIAG_PASS, DIAG_WHERE_NONE, "IPv6 MTU %" PRIu32 " (link MTU %" PRIu32 ")%s",
                             mtu, link->mtu, clat);
        else {
                c = diag_add(report, "ipv6-mtu", DIAG_FAIL, DIAG_WHERE_ROUTER,
                             "IPv6 MTU %" PRIu32 " is below the IPv6 minimum of 1280 (RFC 8200 §5)", mtu);
                diag_set_fix(c, "announce an MTU option of at least 1280, or raise the link MTU");
        }
        if (c)
                c->value = mtu;
}

/* ---- PREF64 ---- */

static void check_pref64(Link *link, DiagReport *report) {
        const struct v6m_network_config *n = &link->network->pub;
        char evidence[DIAG_TEXT_MAX] = "", buf[LINK_STR_MAX], worst[DIAG_TEXT_MAX] = "";
        struct v6m_nat64_prefix distinct[8];
        size_t n_distinct = 0, n_ra = 0, n_short = 0;
        uint64_t shortest = UINT64_MAX, shortest_floor_s = 0;
        bool shortest_measured = false;
        uint64_t now = manager_now(link->manager);

        if (!n->use_pref64) {
                diag_add(report, "pref64", DIAG_SKIP, DIAG_WHERE_NONE, "UsePREF64=no in %s", strna(n->filename));
                return;
        }

        for (size_t i = 0; i < link->nat64.n_candidates; i++) {
                const Nat64Candidate *c = link->nat64.candidates + i;
                bool known = false;

                if (c->source != V6M_NAT64_SOURCE_RA)
                        continue;
                n_ra++;
                nat64_prefix_to_string(&c->prefix, buf, sizeof(buf));
                for (size_t j = 0; j < n_distinct; j++)
                        known = known || nat64_prefix_equal(distinct + j, &c->prefix);
                if (!known && n_distinct < ELEMENTSOF(distinct))
                        distinct[n_distinct++] = c->prefix;

                if (c->expiry_usec == V6M_USEC_INFINITY) {
                        text_append(evidence, sizeof(evidence), "%s%s from %s, no expiry", evidence[0] ? "; " : "",
                                    buf, c->origin);
                        continue;
                }

                /* The lifetime the router announced: the core keeps expiry = report time + lifetime. */
                uint64_t lifetime_s = (c->expiry_usec - c->updated_usec) / USEC_PER_SEC;
                uint64_t interval_s = (c->interval_usec + USEC_PER_SEC / 2) / USEC_PER_SEC;
                uint64_t floor_s = MAX(interval_s, (uint64_t) RA_MAX_INTERVAL_FLOOR_S);
                uint64_t remaining_s = c->expiry_usec > now ? (c->expiry_usec - now) / USEC_PER_SEC : 0;
                char interval[96];

                if (c->interval_usec > 0)
                        snprintf(interval, sizeof(interval), "RAs %" PRIu64 " s apart", interval_s);
                else
                        snprintf(interval, sizeof(interval), "one RA seen, its interval not known yet");
                text_append(evidence, sizeof(evidence), "%s%s from %s, lifetime %" PRIu64 " s (%" PRIu64 " s left), %s",
                            evidence[0] ? "; " : "", buf, c->origin, lifetime_s, remaining_s, interval);
                if (lifetime_s < shortest) {
                        shortest = lifetime_s;
                        shortest_floor_s = floor_s;
                        shortest_measured = c->interval_usec > 0 && interval_s >= RA_MAX_INTERVAL_FLOOR_S;
                }
                if (lifetime_s < PREF64_LIFETIME_INTERVALS * floor_s) {
                        n_short++;
                        snprintf(worst, sizeof(worst),
                                 "%s from %s: lifetime %" PRIu64 " s < %u x %" PRIu64 " s (%s; MaxRtrAdvInterval is at least %s)",
                                 buf, c->origin, lifetime_s, PREF64_LIFETIME_INTERVALS, floor_s, interval,
                                 c->interval_usec > 0 && interval_s >= RA_MAX_INTERVAL_FLOOR_S
                                         ? "the interval seen"
                                         : "4 s, RFC 4861 §6.2.1");
                }
        }

        /* The pref64-ra plugin's warning: a PREF64 option it had to drop. */
        for (size_t i = 0; i < link->n_warnings; i++)
                if (streq(link->warnings[i].key, "pref64-malformed")) {
                        DiagCheck *c = diag_add(report, "pref64-valid", n_ra > 0 ? DIAG_WARN : DIAG_FAIL, DIAG_WHERE_ROUTER,
                                                "%s%s", link->warnings[i].message,
                                                n_ra > 0 ? "; another PREF64 is in use" : "");
                        diag_set_fix(c, "announce the NAT64 prefix with a Prefix Length Code of 0-5 (/96 /64 /56 /48 "
                                        "/40 /32, RFC 8781 §4) and bits 64-71 zero (RFC 6052 §2.2)");
                }

        if (n_ra == 0) {
                diag_set_fix(diag_add(report, "pref64", DIAG_WARN, DIAG_WHERE_ROUTER,
                                      "no router announced a PREF64 option (RFC 8781); NAT64 prefix from %s",
                                      link_nat64_source_str(link)),
                             "announce the NAT64 prefix in RAs (PREF64, RFC 8781; radvd >= 2.20: nat64prefix)");
                diag_add(report, "pref64-lifetime", DIAG_SKIP, DIAG_WHERE_NONE, "no PREF64 announced");
                return;
        }

        if (n_distinct > 1) {
                DiagCheck *c = diag_add(report, "pref64", DIAG_WARN, DIAG_WHERE_ROUTER,
                                        "%zu different prefixes announced: %s; in use: %s", n_distinct, evidence,
                                        strna(link_nat64_prefix_str(link, buf)));
                diag_set_fix(c, "announce one NAT64 prefix on the link (all routers the same PREF64)");
                if (c)
                        c->value = (int64_t) n_distinct;
        } else {
                DiagCheck *c = diag_add(report, "pref64", DIAG_PASS, DIAG_WHERE_NONE, "%s", evidence);
                if (c)
                        c->value = 1;
        }

        DiagCheck *c;
        if (n_short > 0) {
                c = diag_add(report, "pref64-lifetime", DIAG_WARN, DIAG_WHERE_ROUTER, "%s", worst);
                diag_set_fix(c, "announce PREF64 with a lifetime of at least 3 x MaxRtrAdvInterval (RFC 8781 §4.1), "
                                "or the prefix lapses when one RA is lost");
        } else if (shortest == UINT64_MAX)
                c = diag_add(report, "pref64-lifetime", DIAG_PASS, DIAG_WHERE_NONE, "no PREF64 lifetime ends");
        else
                c = diag_add(report, "pref64-lifetime", DIAG_PASS, DIAG_WHERE_NONE,
                             "shortest lifetime %" PRIu64 " s >= %u x %" PRIu64 " s (%s)", shortest,
                             PREF64_LIFETIME_INTERVALS, shortest_floor_s,
                             shortest_measured ? "the RA interval seen"
                                               : "MaxRtrAdvInterval is at least 4 s; the RA interval is not known yet");
        if (c && shortest != UINT64_MAX)
                c->value = (int64_t) shortest;
}

/* ---- DNS64 ---- */

static void check_dns64(Link *link, DiagReport *report) {
        const struct v6m_network_config *n = &link->network->pub;
        char evidence[DIAG_TEXT_MAX] = "", buf[LINK_STR_MAX];
        const Nat64Candidate *ra = NULL, *mismatch = NULL, *first = NULL;
        size_t n_dns64 = 0;
        bool several = false;

        if (!n->use_dns64) {
                diag_add(report, "dns64", DIAG_SKIP, DIAG_WHERE_NONE, "UseDNS64=no in %s", strna(n->filename));
                return;
        }

        for (size_t i = 0; i < link->nat64.n_candidates; i++)
                if (link->nat64.candidates[i].source == V6M_NAT64_SOURCE_RA && !ra)
                        ra = link->nat64.candidates + i;

        for (size_t i = 0; i < link->nat64.n_candidates; i++) {
                const Nat64Candidate *c = link->nat64.candidates + i;
                bool matches_ra = false;

                if (c->source != V6M_NAT64_SOURCE_DNS64)
                        continue;
                n_dns64++;
                if (!first)
                        first = c;
                else if (!nat64_prefix_equal(&first->prefix, &c->prefix))
                        several = true;
                for (size_t j = 0; j < link->nat64.n_candidates; j++)
                        if (link->nat64.candidates[j].source == V6M_NAT64_SOURCE_RA &&
                            nat64_prefix_equal(&link->nat64.candidates[j].prefix, &c->prefix))
                                matches_ra = true;
                if (ra && !matches_ra && !mismatch)
                        mismatch = c;
                text_append(evidence, sizeof(evidence), "%sresolver %s answered ipv4only.arpa from %s", evidence[0] ? "; " : "",
                            c->origin, nat64_prefix_to_string(&c->prefix, buf, sizeof(buf)));
        }

        if (n_dns64 == 0) {
                diag_set_fix(diag_add(report, "dns64", DIAG_WARN, DIAG_WHERE_DNS64,
                                      "no resolver of the link answered ipv4only.arpa with a synthesized AAAA (RFC 7050)"),
                             "enable DNS64 (RFC 6147) on the resolvers the network announces (RDNSS/DHCPv4), "
                             "with the NAT64 prefix");
                return;
        }

        if (mismatch) {
                char ra_buf[LINK_STR_MAX];
                DiagCheck *c = diag_add(report, "dns64", DIAG_FAIL, DIAG_WHERE_DNS64,
                                        "DNS64 prefix %s (resolver %s) differs from PREF64 %s (router %s)",
                                        nat64_prefix_to_string(&mismatch->prefix, buf, sizeof(buf)), mismatch->origin,
                                        nat64_prefix_to_string(&ra->prefix, ra_buf, sizeof(ra_buf)), ra->origin);
                diag_set_fix(c, "use one NAT64 prefix in both (DNS64 prefix %s, or PREF64 %s): "
                                "addresses synthesized from the other do not reach the NAT64 the CLAT uses",
                             ra_buf, buf);
                return;
        }
        if (several) {
                diag_set_fix(diag_add(report, "dns64", DIAG_WARN, DIAG_WHERE_DNS64, "several DNS64 prefixes: %s", evidence),
                             "synthesize from one prefix on every resolver of the link");
                return;
        }
        diag_add(report, "dns64", DIAG_PASS, DIAG_WHERE_NONE, "%s%s", evidence, ra ? " (equals PREF64)" : "");
}

/* ---- DHCPv4 ---- */

static bool dhcp4_asks_v6only(Link *link) {
        switch (link->network->pub.ipv6_only_preferred) {
        case V6M_YES:
                return true;
        case V6M_NO:
                return false;
        default:
                return clat_backend_usable(link);
        }
}

static void check_dhcp4(Link *link, DiagReport *report) {
        char server[LINK_STR_MAX], address[LINK_STR_MAX];
        DiagCheck *c;

        switch (link->dhcp4.state) {
        case V6M_DHCP4_DISABLED:
                diag_add(report, "dhcp4", DIAG_SKIP, DIAG_WHERE_NONE, "DHCPv4 is off (DHCPv4=no, or no DHCPv4 plugin)");
                return;
        case V6M_DHCP4_PENDING:
                diag_set_fix(diag_add(report, "dhcp4", DIAG_WARN, DIAG_WHERE_DHCP_SERVER,
                                      "no DHCPv4 server has answered yet"),
                             "serve this link with option 108 (RFC 8925), or ignore on an IPv6-only network");
                return;
        case V6M_DHCP4_V6ONLY:
                c = diag_add(report, "dhcp4", DIAG_PASS, DIAG_WHERE_NONE,
                             "server %s offered option 108: no IPv4 lease, %" PRIu64 " s of V6ONLY_WAIT left "
                             "(--probe shows the value offered)",
                             strna(link_dhcp4_server_str(link, server)),
                             link_remaining_s(link, link->dhcp4.v6only_until_usec));
                if (c)
                        c->value = (int64_t) link_remaining_s(link, link->dhcp4.v6only_until_usec);
                return;
        case V6M_DHCP4_BOUND:
                if (dhcp4_asks_v6only(link))
                        diag_set_fix(diag_add(report, "dhcp4", DIAG_WARN, DIAG_WHERE_DHCP_SERVER,
                                              "server %s leased %s without option 108, which this host asked for",
                                              strna(link_dhcp4_server_str(link, server)),
                                              strna(link_dhcp4_address_str(link, address))),
                                     "send option 108 to clients that request it (kea: v6-only-preferred; "
                                     "dnsmasq: dhcp-option=option:ipv6-only,1800)");
                else
                        diag_add(report, "dhcp4", DIAG_PASS, DIAG_WHERE_NONE,
                                 "leased %s from %s; option 108 not requested (IPv6OnlyPreferred=%s)",
                                 strna(link_dhcp4_address_str(link, address)), strna(link_dhcp4_server_str(link, server)),
                                 link->network->pub.ipv6_only_preferred == V6M_NO ? "no" : "auto, no usable CLAT backend");
                return;
        case V6M_DHCP4_FAILED:
        default:
                diag_set_fix(diag_add(report, "dhcp4", DIAG_FAIL, DIAG_WHERE_DHCP_SERVER, "DHCPv4 failed: %s",
                                      strna(link->dhcp4_reason ?: link->dhcp4.reason)),
                             "check that it serves this link");
                return;
        }
}

/* ---- CLAT ---- */

static void check_clat(Link *link, DiagReport *report) {
        char v4[LINK_STR_MAX], v6[LINK_STR_MAX], prefix[LINK_STR_MAX], tried[DIAG_TEXT_MAX] = "";
        DiagCheck *c;

        for (size_t i = 0; i < link->n_clat_tried; i++)
                text_append(tried, sizeof(tried), "%s%s: %s", tried[0] ? "; " : "; not used: ", link->clat_tried[i].backend,
                            link->clat_tried[i].reason);

        switch (link->clat_state) {
        case V6M_CLAT_RUNNING:
                c = diag_add(report, "clat", DIAG_PASS, DIAG_WHERE_NONE, "backend %s, %s <-> %s via %s, MTU %" PRIu32 "%s",
                             strna(link_clat_backend_str(link)), strna(link_clat_ipv4_str(link, v4)),
                             strna(link_clat_ipv6_str(link, v6)), strna(link_nat64_prefix_str(link, prefix)),
                             link->clat_config.mtu, tried);
                if (c)
                        c->value = link->clat_config.mtu;
                return;
        case V6M_CLAT_STARTING:
                diag_add(report, "clat", DIAG_WARN, DIAG_WHERE_HOST, "backend %s is starting%s",
                         strna(link_clat_backend_str(link)), tried);
                return;
        case V6M_CLAT_FAILED:
                diag_set_fix(diag_add(report, "clat", DIAG_FAIL, DIAG_WHERE_HOST, "CLAT failed: %s%s",
                                      strna(link->clat_reason), tried),
                             "see `v6mostlyctl status %s` and the journal for the backends' errors",
                             link->ifname);
                return;
        default:
                break;
        }

        if (link->network->pub.clat == V6M_NO)
                diag_add(report, "clat", DIAG_SKIP, DIAG_WHERE_NONE, "CLAT=no in %s", strna(link->network->pub.filename));
        else if (link->state == LINK_STATE_DUAL_STACK)
                diag_add(report, "clat", DIAG_SKIP, DIAG_WHERE_NONE, "native IPv4 on the link: no CLAT needed");
        else if (link->clat_reason || link->state == LINK_STATE_DEGRADED || link->state == LINK_STATE_FAILED)
                diag_set_fix(diag_add(report, "clat", DIAG_FAIL, DIAG_WHERE_HOST, "no CLAT: %s%s",
                                      strna(link->clat_reason ?: link->reason), tried),
                             "IPv4-only applications have no IPv4 here; fix what the reason names");
        else
                diag_add(report, "clat", DIAG_SKIP, DIAG_WHERE_NONE, "no CLAT: %s",
                         strna(link->reason ?: link_state_to_string(link->state)));
}

static void check_clat_drops(Link *link, DiagReport *report) {
        struct v6m_clat_stats stats;
        uint64_t dropped = 0, packets;
        char top[DIAG_TEXT_MAX] = "";
        bool used[V6M_CLAT_DROP_REASONS_MAX] = {};
        DiagCheck *c;

        link_clat_stats(link, &stats);
        for (size_t i = 0; i < stats.n_dropped; i++)
                dropped += stats.dropped[i].count;
        /* The three largest, in order. */
        for (unsigned k = 0; k < 3; k++) {
                size_t best = SIZE_MAX;

                for (size_t i = 0; i < stats.n_dropped; i++)
                        if (!used[i] && stats.dropped[i].reason && stats.dropped[i].count > 0 &&
                            (best == SIZE_MAX || stats.dropped[i].count > stats.dropped[best].count))
                                best = i;
                if (best == SIZE_MAX)
                        break;
                used[best] = true;
                text_append(top, sizeof(top), "%s%s %" PRIu64, top[0] ? ", " : " (", stats.dropped[best].reason,
                            stats.dropped[best].count);
        }
        if (top[0])
                text_append(top, sizeof(top), ")");

        packets = stats.packets_4to6 + stats.packets_6to4;
        if (dropped * 1000 > (packets + dropped) * CLAT_DROPS_WARN_PERMILLE && dropped >= CLAT_DROPS_WARN_MIN) {
                c = diag_add(report, "clat-drops", DIAG_WARN, DIAG_WHERE_HOST,
                             "%" PRIu64 " of %" PRIu64 " packets dropped%s", dropped, packets + dropped, top);
                diag_set_fix(c, "the top reasons say which packets the CLAT cannot translate "
                                "(`v6mostlyctl status %s` lists all)",
                             link->ifname);
        } else
                c = diag_add(report, "clat-drops", DIAG_PASS, DIAG_WHERE_NONE,
                             "%" PRIu64 " packets 4->6, %" PRIu64 " 6->4, %" PRIu64 " dropped%s", stats.packets_4to6,
                             stats.packets_6to4, dropped, top);
        if (c)
                c->value = (int64_t) dropped;
}

typedef struct RouteLookup {
        int oif;
        bool has_gateway;
        struct in_addr gateway;
        uint32_t table;
        uint8_t type;
} RouteLookup;

static int on_route_reply(struct nlmsghdr *h, void *userdata) {
        RouteLookup *r = userdata;
        struct rtmsg *rtm = NLMSG_DATA(h);
        int len = (int) RTM_PAYLOAD(h);

        if (h->nlmsg_type != RTM_NEWROUTE)
                return 0;
        r->type = rtm->rtm_type;
        r->table = rtm->rtm_table;
        for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len))
                switch (a->rta_type) {
                case RTA_OIF:
                        if (RTA_PAYLOAD(a) >= sizeof(uint32_t))
                                memcpy(&r->oif, RTA_DATA(a), sizeof(uint32_t));
                        break;
                case RTA_GATEWAY:
                        if (RTA_PAYLOAD(a) >= sizeof(struct in_addr)) {
                                memcpy(&r->gateway, RTA_DATA(a), sizeof(struct in_addr));
                                r->has_gateway = true;
                        }
                        break;
                case RTA_TABLE:
                        if (RTA_PAYLOAD(a) >= sizeof(uint32_t))
                                memcpy(&r->table, RTA_DATA(a), sizeof(uint32_t));
                        break;
                }
        return 0;
}

/* `ip route get` over rtnetlink: where would the kernel send IPv4 to `destination`. */
static int route_get4(struct in_addr destination, RouteLookup *ret) {
        struct {
                struct nlmsghdr h;
                struct rtmsg r;
                char attrs[64];
        } req = {
                .h.nlmsg_type = RTM_GETROUTE,
                .h.nlmsg_flags = NLM_F_REQUEST,
                .r.rtm_family = AF_INET,
                .r.rtm_dst_len = 32,
        };
        struct rtattr *a;
        _cleanup_close_ int fd = -1;

        req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
        a = (struct rtattr *) ((char *) &req + NLMSG_ALIGN(req.h.nlmsg_len));
        a->rta_type = RTA_DST;
        a->rta_len = RTA_LENGTH(sizeof(destination));
        memcpy(RTA_DATA(a), &destination, sizeof(destination));
        req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_ALIGN(a->rta_len);

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        *ret = (RouteLookup) {};
        return nl_transact(fd, &req.h, on_route_reply, ret);
}

static void check_clat_route(Link *link, const struct in_addr *target, DiagReport *report) {
        char clat_name[CLAT_IFNAMSIZ], dev[32] = "?", dst[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN + 8] = "";
        struct in_addr destination;
        RouteLookup route;
        int clat_ifindex, r;

        if (target)
                destination = *target;
        else
                inet_pton(AF_INET, ROUTE_LOOKUP_DEFAULT, &destination);
        inet_ntop(AF_INET, &destination, dst, sizeof(dst));
        clat_tun_name(link->ifindex, clat_name);
        clat_ifindex = (int) if_nametoindex(clat_name);

        r = route_get4(destination, &route);
        if (r == -ENETUNREACH || r == -EHOSTUNREACH) {
                diag_set_fix(diag_add(report, "clat-route", DIAG_FAIL, DIAG_WHERE_HOST, "no IPv4 route to %s", dst),
                             "the CLAT's IPv4 default route is missing; `v6mostlyctl reconfigure %s`",
                             link->ifname);
                return;
        }
        if (r < 0) {
                diag_add(report, "clat-route", DIAG_SKIP, DIAG_WHERE_NONE, "IPv4 route lookup failed: %s", strerror(-r));
                return;
        }
        if (route.oif > 0 && !if_indextoname((unsigned) route.oif, dev))
                snprintf(dev, sizeof(dev), "ifindex %d", route.oif);
        if (route.has_gateway) {
                snprintf(gw, sizeof(gw), " via ");
                inet_ntop(AF_INET, &route.gateway, gw + 5, INET_ADDRSTRLEN);
        }
        if (clat_ifindex > 0 && route.oif == clat_ifindex)
                diag_add(report, "clat-route", DIAG_PASS, DIAG_WHERE_NONE, "IPv4 to %s goes%s dev %s (the CLAT)", dst, gw,
                         dev);
        else
                diag_set_fix(diag_add(report, "clat-route", DIAG_FAIL, DIAG_WHERE_HOST,
                                      "IPv4 to %s goes%s dev %s (table %" PRIu32 "), not through the CLAT %s: "
                                      "a native or VPN route shadows it",
                                      dst, gw, dev, route.table, clat_name),
                             "remove that route if IPv4 to %s should use the CLAT: the CLAT's default route has "
                             "the lowest priority, so any other route to it wins",
                             dst);
}

int diag_link_passive(Link *link, const struct in_addr *target, DiagReport *report) {
        if (!link->network) {
                diag_add(report, "managed", DIAG_SKIP, DIAG_WHERE_NONE, "%s is not managed: no .network file matches it",
                         link->ifname);
                return report->error;
        }
        if (!link->carrier)
                diag_set_fix(diag_add(report, "carrier", DIAG_FAIL, DIAG_WHERE_HOST, "%s has no carrier", link->ifname),
                             "plug in the cable or join the network");
        check_ipv6_address(link, report);
        check_ipv6_router(link, report);
        check_ipv6_mtu(link, report);
        check_pref64(link, report);
        check_dns64(link, report);
        check_dhcp4(link, report);
        check_clat(link, report);
        if (link->clat_state == V6M_CLAT_RUNNING) {
                check_clat_drops(link, report);
                check_clat_route(link, target, report);
        }
        return report->error;
}

void diag_probe_input_from_link(Link *link, uint64_t flags, const struct in_addr *target, DiagProbeInput *ret) {
        *ret = (DiagProbeInput) {
                .flags = flags,
                .ifindex = link->ifindex,
                .has_mac = link->has_mac,
                .mtu = ipv6_mtu(link),
                .clat_running = link->clat_state == V6M_CLAT_RUNNING,
                .clat_ipv4 = link->clat_config.ipv4_address,
                .clat_mtu = link->clat_config.mtu,
                .has_nat64 = link->has_nat64,
                .nat64 = link->nat64_prefix,
                .tcp_port = 80,
        };
        snprintf(ret->ifname, sizeof(ret->ifname), "%s", link->ifname);
        ret->n_dns_servers = MIN(link_get_dns_servers(link, ret->dns_servers, ELEMENTSOF(ret->dns_servers)),
                                 ELEMENTSOF(ret->dns_servers));
        for (size_t i = 0; i < link->nat64.n_candidates && ret->n_ra_prefixes < ELEMENTSOF(ret->ra_prefixes); i++)
                if (link->nat64.candidates[i].source == V6M_NAT64_SOURCE_RA)
                        ret->ra_prefixes[ret->n_ra_prefixes++] = link->nat64.candidates[i].prefix;
        if (link->has_mac)
                memcpy(ret->mac, &link->mac, sizeof(ret->mac));
        if (target) {
                ret->has_target = true;
                ret->target = *target;
                ret->target_origin = "--target";
        } else if ((link->dhcp4.state == V6M_DHCP4_BOUND || link->dhcp4.state == V6M_DHCP4_V6ONLY) &&
                   link->dhcp4.server.s_addr != 0) {
                ret->has_target = true;
                ret->target = link->dhcp4.server;
                ret->target_origin = "the DHCPv4 server last seen";
        }
}
