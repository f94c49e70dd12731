/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

#include "macro.h"

char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (l)
                while (l[n])
                        n++;
        return n;
}

bool strv_contains(const char *const *l, const char *s) {
        if (!l || !s)
                return false;
        for (; *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

int strv_extend(char ***l, const char *value) {
        size_t n = strv_length(*l);
        char *v, **t;

        v = strdup(value);
        if (!v)
                return -ENOMEM;
        t = realloc(*l, sizeof(char *) * (n + 2));
        if (!t) {
                free(v);
                return -ENOMEM;
        }
        t[n] = v;
        t[n + 1] = NULL;
        *l = t;
        return 0;
}

char **strv_copy(char *const *l) {
        char **c = calloc(strv_length(l) + 1, sizeof(char *));
        size_t k = 0;

        if (!c)
                return NULL;
        for (; l && *l; l++) {
                c[k] = strdup(*l);
                if (!c[k])
                        return strv_free(c);
                k++;
        }
        return c;
}

bool strv_equal(char *const *a, char *const *b) {
        size_t i;

        for (i = 0; a && a[i] && b && b[i]; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return (!a || !a[i]) && (!b || !b[i]);
}

char **strv_split_whitespace(const char *s) {
        _cleanup_(strv_freep) char **l = calloc(1, sizeof(char *));
        const char *p = s;

        if (!l)
                return NULL;
        while (p && *p) {
                size_t n;

                p += strspn(p, " \t\n\r");
                n = strcspn(p, " \t\n\r");
                if (n == 0)
                        break;
                char *w = strndup(p, n);
                if (!w || strv_extend(&l, w) < 0) {
                        free(w);
                        return NULL;
                }
                free(w);
                p += n;
        }
        return TAKE_PTR(l);
}

char *strv_join(char *const *l, const char *separator) {
        size_t len = 1, seplen = strlen(separator);
        char *r, *e;

        for (char *const *i = l; i && *i; i++)
                len += strlen(*i) + seplen;
        r = malloc(len);
        if (!r)
                return NULL;
        e = r;
        *e = '\0';
        for (char *const *i = l; i && *i; i++) {
                if (i != l) {
                        memcpy(e, separator, seplen);
                        e += seplen;
                }
                size_t n = strlen(*i);
                memcpy(e, *i, n);
                e += n;
        }
        *e = '\0';
        return r;
}
