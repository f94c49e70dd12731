/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "daemon-config.h"
#include "log.h"
#include "nat64-prefix.h"
#include "network-config.h"

/* Real files are a few hundred bytes; larger inputs only make iterations slower. */
#define FUZZ_INPUT_MAX (64u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever the input, the parser only warns: bad input is the user's mistake. It logs
 * errors only for its own failures (out of memory, iniparser reading one of the lines we
 * hand it differently than intended), and those are bugs even when nothing crashes. */
static void fuzz_log_hook(int level, const char *message, void *userdata) {
        if (level <= LOG_ERR) {
                fprintf(stderr, "Unexpected error: %s\n", message);
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(network_config_freep) NetworkConfig *c = NULL;
        _cleanup_(closep) int fd = -1;
        struct ether_addr mac = {};
        DaemonConfig daemon;
        char path[64];

        if (size > FUZZ_INPUT_MAX)
                return 0;

        log_set_target(LOG_TARGET_STDERR);
        log_set_hook(fuzz_log_hook, NULL);

        /* The parser reads files; a memfd seen through /proc is a file without a disk. */
        fd = memfd_create("fuzz-network-config", MFD_CLOEXEC);
        if (fd < 0)
                return 0;
        if (size > 0 && write(fd, data, size) != (ssize_t) size)
                return 0;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

        if (network_config_load_one(path, (const char *const[]) { NULL }, &c) >= 0) {
                char prefix[NAT64_PREFIX_STRLEN];

                /* Use what was parsed, so sanitizers see every field read. */
                (void) network_config_equal(c, c);
                (void) network_config_match(&c, 1, "eth0", &mac);
                (void) network_config_match(&c, 1, NULL, NULL);
                if (c->pub.has_static_prefix)
                        (void) nat64_prefix_to_string(&c->pub.static_prefix, prefix, sizeof(prefix));
        }

        /* The same text as v6mostlyd.conf reaches the daemon table's parsers. */
        daemon_config_init_defaults(&daemon);
        (void) daemon_config_load(path, &daemon);
        daemon_config_done(&daemon);

        return 0;
}
