/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An RTM_NEWNDUSEROPT payload (struct nduseroptmsg, options, attributes), as the kernel
 * would hand it to the pref64-ra plugin: parse the message, then every option in it, the
 * way the plugin does; then the same bytes as a bare option list. Whatever parses must
 * satisfy what the plugin relies on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "nat64-prefix.h"
#include "ra-option.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static RaOption option;

static void check_parsed(void);

static void check(bool ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "Invariant broken: %s\n", what);
                abort();
        }
}

static void walk_options(const uint8_t *p, size_t size) {
        while (size > 0) {
                RaOptionError e = _RA_OPTION_ERROR_MAX;
                int r = ra_option_parse(p, size, &option, &e);

                if (r < 0) {
                        check(r == -EBADMSG && ra_option_error_to_string(e), "a rejection has a named reason");
                        /* The plugin stops at a bad length; it skips a bad option body. */
                        if (e == RA_OPTION_ERROR_TRUNCATED || e == RA_OPTION_ERROR_ZERO_LENGTH)
                                return;
                        r = p[1] * 8;
                } else
                        check_parsed();
                check(r > 0 && (size_t) r <= size, "the option length is within the data");
                p += r;
                size -= (size_t) r;
        }
}

static void check_parsed(void) {
        switch (option.type) {
        case RA_OPTION_PREF64:
                check(nat64_prefix_validate(&option.pref64.prefix, NULL) == 0, "PREF64 prefix is valid RFC 6052");
                check(option.pref64.lifetime_s <= 65528, "PREF64 lifetime fits 13 bits × 8");
                break;
        case RA_OPTION_RDNSS:
                check(option.rdnss.n_addresses >= 1 && option.rdnss.n_addresses <= RA_RDNSS_MAX_ADDRESSES,
                      "RDNSS address count");
                break;
        case RA_OPTION_DNSSL: {
                size_t n = 0;

                check(option.dnssl.names_size <= sizeof(option.dnssl.names), "DNSSL names fit");
                RA_DNSSL_FOREACH(d, &option.dnssl) {
                        size_t len = strlen(d);

                        check(len > 0 && len <= 253, "DNSSL name length");
                        check(d[0] != '.' && d[len - 1] != '.' && !strstr(d, ".."), "DNSSL name has no empty label");
                        n++;
                }
                check(n == option.dnssl.n_domains && n > 0, "DNSSL name count");
                break;
        }
        default:
                check(false, "parsed option of a known type");
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        RaUserOptMessage m;
        RaOptionError e;

        if (ra_useropt_message_parse(data, size, &m, &e) == 0) {
                check(m.options >= data && m.options + m.options_size <= data + size, "options inside the message");
                for (const uint8_t *p = m.options; p < m.options + m.options_size;) {
                        int r = ra_option_parse(p, (size_t) (m.options + m.options_size - p), &option, &e);

                        if (r < 0)
                                break;
                        check_parsed();
                        p += r;
                }
        } else
                check(ra_option_error_to_string(e) != NULL, "a rejected message has a named reason");

        /* The same bytes as a bare option list. */
        walk_options(data, size);
        return 0;
}
