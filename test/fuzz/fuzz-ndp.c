/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ndp_parse() on anything the uplink may carry; a solicitation that parses gets an
 * answer that must parse too (what the responder sends back). */
#include <string.h>

#include "ndp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t na[NDP_NA_SIZE];
        static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
        NdpMessage m, n;

        if (ndp_parse(data, size, &m) < 0 || m.type != NDP_TYPE_NS)
                return 0;
        ndp_build_na(&m.target, IN6_IS_ADDR_UNSPECIFIED(&m.source) ? &(struct in6_addr) { .s6_addr = { 0xff, 2, [15] = 1 } }
                                                                  : &m.source,
                     mac, !IN6_IS_ADDR_UNSPECIFIED(&m.source), na);
        if (ndp_parse(na, sizeof(na), &n) < 0 || n.type != NDP_TYPE_NA || memcmp(&n.target, &m.target, 16) != 0)
                __builtin_trap();
        return 0;
}
