/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The translation library as a filter, for differential tests (test-xlat-vs-tayga.sh):
 *     xlat-pipe PREFIX CLAT-IPV4 CLAT-IPV6 IPV6-MTU
 * reads lines "46 <hex packet>" or "64 <hex packet>" and answers each with one line
 * "<verdict> <drop reason> <hex packet>..." (packets separated by spaces). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat64-prefix.h"
#include "xlat.h"

static uint8_t in[70000], out[140000];
static char line[150000];

static size_t unhex(const char *s, uint8_t *b, size_t max) {
        size_t n = 0;
        unsigned v;

        while (n < max && sscanf(s, "%2x", &v) == 1) {
                b[n++] = (uint8_t) v;
                s += 2;
        }
        return n;
}

int main(int argc, char **argv) {
        struct xlat_config c = {};
        const char *reason = NULL;
        struct xlat x;

        if (argc != 5) {
                fprintf(stderr, "usage: %s PREFIX CLAT-IPV4 CLAT-IPV6 IPV6-MTU\n", argv[0]);
                return 2;
        }
        if (nat64_prefix_from_string(argv[1], &c.nat64_prefix, &reason) < 0 ||
            inet_pton(AF_INET, argv[2], &c.clat_ipv4) != 1 || inet_pton(AF_INET6, argv[3], &c.clat_ipv6) != 1) {
                fprintf(stderr, "bad arguments: %s\n", reason ?: "address");
                return 2;
        }
        c.ipv6_mtu = (uint32_t) atoi(argv[4]);
        if (xlat_init(&x, &c, &reason) < 0) {
                fprintf(stderr, "xlat_init: %s\n", reason);
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);

        while (fgets(line, sizeof(line), stdin)) {
                struct xlat_result r;
                size_t len;

                if (strlen(line) < 4)
                        continue;
                len = unhex(line + 3, in, sizeof(in));
                if (strncmp(line, "46", 2) == 0)
                        xlat_4to6(&x, in, len, 0, out, sizeof(out), &r);
                else
                        xlat_6to4(&x, in, len, 0, out, sizeof(out), &r);
                printf("%s %s", xlat_verdict_to_string(r.verdict), xlat_drop_reason_to_string(r.drop_reason));
                for (unsigned i = 0; i < r.n_packets; i++) {
                        putchar(' ');
                        for (size_t k = 0; k < r.packets[i].len; k++)
                                printf("%02x", out[r.packets[i].offset + k]);
                }
                putchar('\n');
        }
        return 0;
}
