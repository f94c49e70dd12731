/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* meson's convention for "this test cannot run here". */
#define EXIT_TEST_SKIP 77

/* A failed check names its file:line and ends the test: later checks would only report
 * consequences of the first failure. */
#define check_fail(...)                                                           \
        do {                                                                      \
                fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, __func__);     \
                fprintf(stderr, __VA_ARGS__);                                     \
                fputc('\n', stderr);                                              \
                exit(EXIT_FAILURE);                                               \
        } while (0)

#define CHECK(expr)                                                               \
        do {                                                                      \
                if (!(expr))                                                      \
                        check_fail("check failed: %s", #expr);                    \
        } while (0)

#define CHECK_EQ(a, b)                                                            \
        do {                                                                      \
                long long _a_ = (long long) (a), _b_ = (long long) (b);           \
                if (_a_ != _b_)                                                   \
                        check_fail("check failed: %s == %s (%lld != %lld)", #a, #b, _a_, _b_); \
        } while (0)

#define CHECK_STREQ(a, b)                                                         \
        do {                                                                      \
                const char *_a_ = (a), *_b_ = (b);                                \
                if (!_a_ || !_b_ || strcmp(_a_, _b_) != 0)                        \
                        check_fail("check failed: %s == %s (\"%s\" != \"%s\")", #a, #b, \
                                   _a_ ? _a_ : "(null)", _b_ ? _b_ : "(null)");   \
        } while (0)

#define CHECK_OK(expr)                                                            \
        do {                                                                      \
                long long _r_ = (long long) (expr);                               \
                if (_r_ < 0)                                                      \
                        check_fail("check failed: %s succeeds (returned %lld: %s)", #expr, _r_, \
                                   strerror((int) -_r_));                         \
        } while (0)
