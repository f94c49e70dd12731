/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The eBPF backend's slow path is the TUN backend itself: its source, compiled into this
 * plugin, with its plugin table renamed so that this plugin still exports only its own
 * `v6mostly_plugin`. clat-ebpf.c drives it through that table (start, stop, stats). */
#define v6mostly_plugin clat_ebpf_tun_slow_path
#include "../clat-tun/clat-tun.c"
