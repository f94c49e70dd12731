/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* NULL-terminated string vectors. */
char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
size_t strv_length(char *const *l);
bool strv_contains(const char *const *l, const char *s);
int strv_extend(char ***l, const char *value);
char **strv_copy(char *const *l);
bool strv_equal(char *const *a, char *const *b);
/* Split on whitespace; returns a new vector (possibly empty) or NULL on ENOMEM. */
char **strv_split_whitespace(const char *s);
/* Join with a separator; returns a new string or NULL on ENOMEM. */
char *strv_join(char *const *l, const char *separator);
