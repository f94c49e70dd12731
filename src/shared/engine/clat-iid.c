/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clat-iid.h"

#include <string.h>

#include "siphash24.h"

#define CLAT_IID_LABEL "v6mostly-clat"

bool clat_iid_is_reserved(const uint8_t iid[static 8]) {
        static const uint8_t anycast[7] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        static const uint8_t zero[8] = {};

        if (memcmp(iid, zero, 8) == 0)
                return true;
        if (memcmp(iid, anycast, 7) == 0 && iid[7] >= 0x80)
                return true;
        return iid[0] == 0x02 && iid[1] == 0x00 && iid[2] == 0x5e && iid[3] == 0xfe;
}

unsigned clat_iid_generate(const uint8_t secret[static CLAT_IID_SECRET_SIZE], const struct in6_addr *prefix64,
                           const char *ifname, unsigned dad_counter, struct in6_addr *ret) {
        uint8_t buf[8 + 16 + sizeof(CLAT_IID_LABEL) + 4];
        size_t n = 0, ifname_len = strnlen(ifname, 16);

        memcpy(buf + n, prefix64->s6_addr, 8);
        n += 8;
        memset(buf + n, 0, 16);
        memcpy(buf + n, ifname, ifname_len);
        n += 16;
        memcpy(buf + n, CLAT_IID_LABEL, sizeof(CLAT_IID_LABEL));
        n += sizeof(CLAT_IID_LABEL);

        for (;; dad_counter++) {
                uint64_t rid;

                buf[n + 0] = (uint8_t) (dad_counter >> 24);
                buf[n + 1] = (uint8_t) (dad_counter >> 16);
                buf[n + 2] = (uint8_t) (dad_counter >> 8);
                buf[n + 3] = (uint8_t) dad_counter;
                rid = siphash24(buf, n + 4, secret);

                memcpy(ret->s6_addr, prefix64->s6_addr, 8);
                for (unsigned i = 0; i < 8; i++)
                        ret->s6_addr[8 + i] = (uint8_t) (rid >> (56 - 8 * i));
                if (!clat_iid_is_reserved(ret->s6_addr + 8))
                        return dad_counter;
        }
}
