/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A small streaming JSON writer: compact output, commas handled for the caller.
 * Errors (ENOMEM, nesting too deep, misuse) are sticky and reported by json_finish(). */

#define JSON_MAX_DEPTH 16

typedef struct JsonWriter {
        char *buf;
        size_t len, allocated;
        int error;
        unsigned depth;
        bool need_comma[JSON_MAX_DEPTH + 1];
        bool after_key;
} JsonWriter;

void json_begin_object(JsonWriter *w);
void json_end_object(JsonWriter *w);
void json_begin_array(JsonWriter *w);
void json_end_array(JsonWriter *w);
void json_key(JsonWriter *w, const char *key);
void json_string(JsonWriter *w, const char *s); /* NULL writes null */
void json_int(JsonWriter *w, int64_t v);
void json_uint(JsonWriter *w, uint64_t v);
void json_bool(JsonWriter *w, bool v);
void json_null(JsonWriter *w);
/* Splice an already-encoded JSON value. */
void json_raw(JsonWriter *w, const char *encoded);

/* Returns 0 and hands over the NUL-terminated text, or a negative errno. */
int json_finish(JsonWriter *w, char **ret);
void json_writer_done(JsonWriter *w);
