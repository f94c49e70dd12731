/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `v6mostlyctl diagnose`: the facts a link holds turned into verdicts a person can act on
 * (diagnose.c), the active probes that need root (diagnose-probe.c), and the bus method
 * Manager.Diagnose() that runs both (diagnose-bus.c) and returns the checks as a(sssssx);
 * docs/dbus-api.md documents them. */

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "bus-api.h"
#include "macro.h"
#include "manager.h"
#include "v6mostly/plugin.h"

typedef enum DiagVerdict {
        DIAG_PASS,
        DIAG_WARN,
        DIAG_FAIL,
        DIAG_SKIP,
        _DIAG_VERDICT_MAX,
        _DIAG_VERDICT_INVALID = -EINVAL,
} DiagVerdict;

/* Who has to act on a WARN or FAIL. */
typedef enum DiagWhere {
        DIAG_WHERE_NONE,
        DIAG_WHERE_ROUTER,
        DIAG_WHERE_DHCP_SERVER,
        DIAG_WHERE_DNS64,
        DIAG_WHERE_NAT64,
        DIAG_WHERE_HOST,
        _DIAG_WHERE_MAX,
        _DIAG_WHERE_INVALID = -EINVAL,
} DiagWhere;

DECLARE_STRING_TABLE_LOOKUP(diag_verdict, DiagVerdict);
DECLARE_STRING_TABLE_LOOKUP(diag_where, DiagWhere);

/* Manager.Diagnose() flags. */
#define DIAG_FLAG_ACTIVE BUS_DIAGNOSE_FLAG_ACTIVE
#define DIAG_FLAG_PROBE_DHCP4 BUS_DIAGNOSE_FLAG_PROBE_DHCP4
#define _DIAG_FLAGS_ALL (DIAG_FLAG_ACTIVE | DIAG_FLAG_PROBE_DHCP4)

#define DIAG_ID_MAX 24
#define DIAG_TEXT_MAX 512

/* Fixed size and pointer-free: the probe process hands these back through a pipe as is. */
typedef struct DiagCheck {
        char id[DIAG_ID_MAX];
        DiagVerdict verdict;
        DiagWhere where;
        int64_t value; /* the figure a check measured (a PMTU, a lifetime), -1 if none */
        char evidence[DIAG_TEXT_MAX];
        char fix[DIAG_TEXT_MAX]; /* "" for PASS and SKIP */
} DiagCheck;

typedef struct DiagReport {
        DiagCheck *checks;
        size_t n_checks;
        int error; /* sticky ENOMEM */
} DiagReport;

/* Append a check; evidence is a printf format. Returns the check (to set value or fix),
 * or NULL when out of memory (remembered in report->error). */
DiagCheck *diag_add(DiagReport *report, const char *id, DiagVerdict verdict, DiagWhere where, const char *evidence_format,
                    ...) __attribute__((format(printf, 5, 6)));
void diag_set_fix(DiagCheck *c, const char *format, ...) __attribute__((format(printf, 2, 3)));
int diag_append(DiagReport *report, const DiagCheck *c);
void diag_report_done(DiagReport *report);

/* What the active probes need, copied out of the link before the probe process starts
 * (it must not look at the daemon's state, which goes on changing in the parent). */
typedef struct DiagProbeInput {
        uint64_t flags;
        int ifindex;
        char ifname[16];
        uint8_t mac[6];
        bool has_mac;
        uint32_t mtu;
        bool clat_running;
        struct in_addr clat_ipv4;
        uint32_t clat_mtu;
        bool has_nat64;
        struct v6m_nat64_prefix nat64;
        bool has_target;
        struct in_addr target;
        const char *target_origin; /* "--target", "the DHCPv4 server", ... (static) */
        uint16_t tcp_port;
        bool route_shadowed; /* clat-route FAILed: a failed probe is this host's fault */
        struct v6m_dns_server dns_servers[8]; /* the link's resolvers, for the DNS64 query */
        size_t n_dns_servers;
        struct v6m_nat64_prefix ra_prefixes[8]; /* announced in PREF64, to compare with */
        size_t n_ra_prefixes;
} DiagProbeInput;

/* The checks from what the daemon knows (no packets sent); `target` (may be NULL) is
 * the destination of the IPv4 route lookup. */
int diag_link_passive(Link *link, const struct in_addr *target, DiagReport *report);
/* Fill the probe input from the link and the caller's target (NULL: pick one). */
void diag_probe_input_from_link(Link *link, uint64_t flags, const struct in_addr *target, DiagProbeInput *ret);
/* Run the active probes (blocking: called in the probe process only). */
void diag_run_probes(const DiagProbeInput *in, DiagReport *report);

/* The Diagnose() method: passive checks now, active ones in a child process so the event
 * loop (the CLAT's NS responder, the TUN backend's slow path) keeps running while probe
 * packets are in flight; the reply is sent when the child is done. */
int diag_bus_method(sd_bus_message *message, void *userdata, sd_bus_error *error);
