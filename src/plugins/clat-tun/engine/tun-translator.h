/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The TUN translator: a userspace RFC 7915 CLAT between a TUN device (v6mclat<ifindex>,
 * carrying the CLAT's IPv4 address and default route) and the IPv6 uplink, with two
 * worker threads per link (see tun-translator.c). A static library shared by two
 * plugins: clat-tun is thin glue around it, clat-ebpf uses it as its slow path and
 * for the device its tc programs attach to.
 *
 * The engine never reports to the core: it is not a backend. Its owner learns of a
 * failure the workers cannot recover from through the dead callback (called from the
 * event loop, after the workers stopped) and decides what to report. It logs through
 * v6m_link_log(), so its messages carry the owning plugin's name. */

#include <stddef.h>
#include <systemd/sd-event.h>

#include "v6mostly/plugin.h"

typedef struct TunTranslator TunTranslator;

/* The workers stopped on an error (negative errno); stop() or free() is still due. */
typedef void (*tun_translator_dead_t)(TunTranslator *t, int error, void *userdata);

/* 0 if the translator can run on the link (CAP_NET_ADMIN, /dev/net/tun, an Ethernet
 * uplink), else negative errno and a reason for the user. */
int tun_translator_probe(v6m_link *link, char *reason, size_t reason_size);

int tun_translator_new(v6m_link *link, sd_event *event, tun_translator_dead_t on_dead, void *userdata,
                       TunTranslator **ret);
TunTranslator *tun_translator_free(TunTranslator *t);

/* Create the device, configure it and start the workers; synchronous. Stops a running
 * translator first. On failure everything is undone (and logged) and negative errno
 * returned. */
int tun_translator_start(TunTranslator *t, const struct v6m_clat_config *config);
/* Idempotent. Removes the device with its address and route; counters start anew. */
void tun_translator_stop(TunTranslator *t);
bool tun_translator_is_running(const TunTranslator *t);
/* The device's name and ifindex while running (ifindex 0 otherwise). */
const char *tun_translator_get_device(const TunTranslator *t);
int tun_translator_get_ifindex(const TunTranslator *t);

/* The workers' counters: packets translated and dropped by reason (static strings). */
void tun_translator_stats(const TunTranslator *t, struct v6m_clat_stats *ret);
