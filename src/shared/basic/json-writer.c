/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json-writer.h"

#include <inttypes.h>
#include <stdio.h>

#include "macro.h"

static void append(JsonWriter *w, const char *s, size_t n) {
        if (w->error)
                return;
        if (w->len + n + 1 > w->allocated) {
                size_t a = w->allocated ? w->allocated : 256;
                char *b;

                while (a < w->len + n + 1)
                        a *= 2;
                b = realloc(w->buf, a);
                if (!b) {
                        w->error = -ENOMEM;
                        return;
                }
                w->buf = b;
                w->allocated = a;
        }
        memcpy(w->buf + w->len, s, n);
        w->len += n;
        w->buf[w->len] = '\0';
}

static void append_str(JsonWriter *w, const char *s) {
        append(w, s, strlen(s));
}

/* Called before every value and key: writes the separating comma. */
static void value_prefix(JsonWriter *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (w->need_comma[w->depth])
                append(w, ",", 1);
        w->need_comma[w->depth] = true;
}

static void open_nest(JsonWriter *w, char c) {
        value_prefix(w);
        append(w, &c, 1);
        if (w->depth >= JSON_MAX_DEPTH) {
                w->error = w->error ?: -E2BIG;
                return;
        }
        w->depth++;
        w->need_comma[w->depth] = false;
}

static void close_nest(JsonWriter *w, char c) {
        if (w->depth == 0 || w->after_key) {
                w->error = w->error ?: -EINVAL;
                return;
        }
        w->depth--;
        append(w, &c, 1);
}

void json_begin_object(JsonWriter *w) {
        open_nest(w, '{');
}

void json_end_object(JsonWriter *w) {
        close_nest(w, '}');
}

void json_begin_array(JsonWriter *w) {
        open_nest(w, '[');
}

void json_end_array(JsonWriter *w) {
        close_nest(w, ']');
}

static void write_escaped(JsonWriter *w, const char *s) {
        append(w, "\"", 1);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                char esc[8];

                switch (*p) {
                case '"':
                        append_str(w, "\\\"");
                        break;
                case '\\':
                        append_str(w, "\\\\");
                        break;
                case '\n':
                        append_str(w, "\\n");
                        break;
                case '\t':
                        append_str(w, "\\t");
                        break;
                case '\r':
                        append_str(w, "\\r");
                        break;
                default:
                        if (*p < 0x20) {
                                snprintf(esc, sizeof(esc), "\\u%04x", *p);
                                append_str(w, esc);
                        } else
                                append(w, (const char *) p, 1);
                }
        }
        append(w, "\"", 1);
}

void json_key(JsonWriter *w, const char *key) {
        value_prefix(w);
        write_escaped(w, key);
        append(w, ":", 1);
        w->after_key = true;
}

void json_string(JsonWriter *w, const char *s) {
        if (!s) {
                json_null(w);
                return;
        }
        value_prefix(w);
        write_escaped(w, s);
}

void json_int(JsonWriter *w, int64_t v) {
        char b[32];

        value_prefix(w);
        snprintf(b, sizeof(b), "%" PRIi64, v);
        append_str(w, b);
}

void json_uint(JsonWriter *w, uint64_t v) {
        char b[32];

        value_prefix(w);
        snprintf(b, sizeof(b), "%" PRIu64, v);
        append_str(w, b);
}

void json_bool(JsonWriter *w, bool v) {
        value_prefix(w);
        append_str(w, v ? "true" : "false");
}

void json_null(JsonWriter *w) {
        value_prefix(w);
        append_str(w, "null");
}

void json_raw(JsonWriter *w, const char *encoded) {
        value_prefix(w);
        append_str(w, encoded);
}

int json_finish(JsonWriter *w, char **ret) {
        if (!w->error && (w->depth != 0 || w->after_key))
                w->error = -EINVAL;
        if (w->error) {
                int r = w->error;
                json_writer_done(w);
                return r;
        }
        *ret = w->buf ? w->buf : strdup("");
        w->buf = NULL;
        json_writer_done(w);
        return *ret ? 0 : -ENOMEM;
}

void json_writer_done(JsonWriter *w) {
        free(w->buf);
        *w = (JsonWriter) {};
}
