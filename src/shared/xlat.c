/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stub: API only, translation to follow. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "nat64-prefix.h"
#include "xlat.h"

#define XLAT_DROP_STRING_ENTRY_(name, str) [name] = str,
static const char *const xlat_drop_reason_table[_XLAT_DROP_MAX] = {
        XLAT_DROP_REASONS(XLAT_DROP_STRING_ENTRY_)
};
DEFINE_STRING_TABLE_LOOKUP(xlat_drop_reason, enum xlat_drop_reason, _XLAT_DROP_MAX);

static const char *const xlat_verdict_table[_XLAT_VERDICT_MAX] = {
        [XLAT_VERDICT_TRANSLATED] = "translated",
        [XLAT_VERDICT_REPLY] = "reply",
        [XLAT_VERDICT_DROP] = "drop",
};
DEFINE_STRING_TABLE_LOOKUP(xlat_verdict, enum xlat_verdict, _XLAT_VERDICT_MAX);

static const char *const xlat_direction_table[_XLAT_DIRECTION_MAX] = {
        [XLAT_4TO6] = "4to6",
        [XLAT_6TO4] = "6to4",
};
DEFINE_STRING_TABLE_LOOKUP(xlat_direction, enum xlat_direction, _XLAT_DIRECTION_MAX);

int xlat_init(struct xlat *x, const struct xlat_config *config, const char **ret_reason) {
        const char *reason = NULL;
        int r;

        r = nat64_prefix_validate(&config->nat64_prefix, &reason);
        if (r < 0)
                goto fail;
        *x = (struct xlat) { .config = *config, .ipv6_mtu = config->ipv6_mtu ?: XLAT_IPV6_MIN_MTU };
        return 0;
fail:
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

static enum xlat_verdict stub(struct xlat_result *ret) {
        *ret = (struct xlat_result) { .verdict = XLAT_VERDICT_DROP, .drop_reason = XLAT_DROP_TRUNCATED };
        return ret->verdict;
}

enum xlat_verdict xlat_4to6(const struct xlat *x, const void *in, size_t len, unsigned flags,
                            void *out, size_t out_size, struct xlat_result *ret) {
        return stub(ret);
}
enum xlat_verdict xlat_6to4(const struct xlat *x, const void *in, size_t len, unsigned flags,
                            void *out, size_t out_size, struct xlat_result *ret) {
        return stub(ret);
}
enum xlat_verdict xlat_4to6_inplace(const struct xlat *x, void *buf, size_t headroom, size_t len,
                                    size_t size, unsigned flags, struct xlat_result *ret) {
        return stub(ret);
}
enum xlat_verdict xlat_6to4_inplace(const struct xlat *x, void *buf, size_t headroom, size_t len,
                                    size_t size, unsigned flags, struct xlat_result *ret) {
        return stub(ret);
}
int xlat_map_ipv4_to_ipv6(const struct xlat *x, const struct in_addr *v4, struct in6_addr *ret) {
        return -EADDRNOTAVAIL;
}
int xlat_map_ipv6_to_ipv4(const struct xlat *x, const struct in6_addr *v6, struct in_addr *ret) {
        return -EADDRNOTAVAIL;
}
uint16_t xlat_mtu_plateau(uint16_t total_length) {
        return 68;
}
void xlat_counters_account(struct xlat_counters *c, enum xlat_direction d, const struct xlat_result *r) {
}
void xlat_counters_add(struct xlat_counters *sum, const struct xlat_counters *c) {
}
uint64_t xlat_counters_dropped(const struct xlat_counters *c, int d) {
        return 0;
}
