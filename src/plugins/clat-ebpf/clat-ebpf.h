/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the BPF programs (clat-ebpf.bpf.c) and the plugin: the layout of the per-CPU
 * counter array. Includes nothing but the drop-reason list (itself include-free). */
#include "xlat-drop-reason.h"

/* Packets the fast path translated and redirected, and packets it left to the slow path
 * (the TUN backend's userspace translator, which counts its own translations and drops).
 * Entries CLAT_EBPF_DROP_BASE + reason count the packets the fast path dropped itself,
 * by the shared reason. */
enum clat_ebpf_counter {
        CLAT_EBPF_FAST_4TO6,
        CLAT_EBPF_FAST_6TO4,
        CLAT_EBPF_SLOW_4TO6,
        CLAT_EBPF_SLOW_6TO4,
        CLAT_EBPF_DROP_BASE = 8,
        _CLAT_EBPF_COUNTER_MAX = CLAT_EBPF_DROP_BASE + _XLAT_DROP_MAX,
};

/* tc filter identity on the uplink (ingress): our own handle and priority, so a restart
 * finds what a killed daemon left, and foreign filters are never touched. */
#define CLAT_EBPF_TC_HANDLE 0x7636u   /* "v6" */
#define CLAT_EBPF_TC_PRIORITY 0x7636u
/* The programs' names start with this (BPF object names are at most 15 characters). */
#define CLAT_EBPF_PROG_PREFIX "v6m_clat_"
