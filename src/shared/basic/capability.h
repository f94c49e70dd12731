/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/capability.h> /* CAP_* */
#include <stdbool.h>

#ifndef CAP_BPF
#define CAP_BPF 39 /* Linux 5.8; older headers lack it */
#endif

/* Whether the calling thread has `cap` (CAP_*) in its effective set. For probe()s that
 * say "no CAP_NET_ADMIN" before an operation fails with EPERM. False when capget()
 * fails or cap is out of range. */
bool have_effective_capability(int cap);
