/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* Take ownership of a pointer: the cleanup handler of the old variable sees NULL. */
#define TAKE_PTR(p)                        \
        ({                                 \
                __typeof__(p) _tp_ = (p);  \
                (p) = NULL;                \
                _tp_;                      \
        })

#define TAKE_FD(fd)                        \
        ({                                 \
                int _tf_ = (fd);           \
                (fd) = -1;                 \
                _tf_;                      \
        })

#define STR_IN_SET(s, ...) strv_contains((const char *const[]) { __VA_ARGS__, NULL }, (s))

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool isempty(const char *s) {
        return !s || s[0] == '\0';
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

/* Replace *p with a copy of s (or NULL). Returns 0 or -ENOMEM. */
static inline int free_and_strdup(char **p, const char *s) {
        char *n = NULL;

        if (s) {
                n = strdup(s);
                if (!n)
                        return -ENOMEM;
        }
        free(*p);
        *p = n;
        return 0;
}

#define USEC_INFINITY ((uint64_t) UINT64_MAX)
#define USEC_PER_SEC ((uint64_t) 1000000ULL)
#define USEC_PER_MSEC ((uint64_t) 1000ULL)

/* Generate foo_to_string()/foo_from_string() from one table: the single source of the
 * strings used by config parsing, logs, D-Bus and JSON. */
#define DEFINE_STRING_TABLE_LOOKUP(name, type, max)                                  \
        const char *name##_to_string(type i) {                                       \
                if ((int) i < 0 || (size_t) i >= ELEMENTSOF(name##_table))           \
                        return NULL;                                                 \
                return name##_table[i];                                              \
        }                                                                            \
        type name##_from_string(const char *s) {                                     \
                if (!s)                                                              \
                        return (type) -EINVAL;                                       \
                for (size_t _i = 0; _i < (size_t) (max); _i++)                       \
                        if (name##_table[_i] && streq(name##_table[_i], s))         \
                                return (type) _i;                                    \
                return (type) -EINVAL;                                               \
        }

#define DECLARE_STRING_TABLE_LOOKUP(name, type)        \
        const char *name##_to_string(type i) _pure_;   \
        type name##_from_string(const char *s) _pure_
