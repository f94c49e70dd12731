/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "capability.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

bool have_effective_capability(int cap) {
        /* The raw syscall: libcap is not among the project's dependencies, and two
         * 32-bit words (_LINUX_CAPABILITY_VERSION_3) cover every capability up to 63. */
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

        if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3)
                return false;
        if (syscall(SYS_capget, &h, d) < 0)
                return false;
        return d[cap / 32].effective & (1u << (cap % 32));
}
