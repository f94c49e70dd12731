/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The input is a DNS message, taken as the answer to the query whose id are its first two
 * octets (so that parsing gets past the id). Besides not crashing or reading past the end,
 * the parser must keep its promises: -EBADMSG or at most `max` records, a 4-bit RCODE. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dns64-query.h"

#define FUZZ_ANSWERS_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct in6_addr answers[FUZZ_ANSWERS_MAX];
        uint16_t id = size >= 2 ? (uint16_t) (data[0] << 8 | data[1]) : 0;
        int rcode = -1, n;

        n = dns64_answer_parse(data, size, id, answers, FUZZ_ANSWERS_MAX, &rcode);
        if (n != -EBADMSG && (n < 0 || n > FUZZ_ANSWERS_MAX)) {
                fprintf(stderr, "Broken promise: returned %d\n", n);
                abort();
        }
        if (n >= 0 && (rcode < 0 || rcode > 15)) {
                fprintf(stderr, "Broken promise: rcode %d\n", rcode);
                abort();
        }
        return 0;
}
