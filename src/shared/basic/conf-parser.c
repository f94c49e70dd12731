/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How configuration files are read, and why iniparser does not get the file itself.
 *
 * iniparser 4.1 (the INI reader we depend on) refuses a whole file on a single syntax
 * error, keeps no line numbers, lowercases section and key names, and keeps only the last
 * of repeated keys in a section. We need per-line diagnostics, case-sensitive names and
 * repeated keys (a list such as DNS= may span several lines; "Key=" followed by "Key=x"
 * resets, then sets). So reading a file has two stages:
 *
 *  1. Our line scanner splits the text into logical lines (continuations joined, comment
 *     lines dropped), checks their syntax (section headers, '=', length, NUL bytes, a
 *     trailing backslash that iniparser would take for a continuation) and
 *     looks each key up in the table with its original spelling. For every line it records
 *     either a diagnostic or the section, key, raw value and line number.
 *  2. iniparser parses the values (quotes, trailing comments, surrounding whitespace). Each
 *     well-formed assignment becomes its own section "[<index>]" holding one key "v" in a
 *     memfd that iniparser_load() reads through /proc/self/fd/N. One section per assignment
 *     keeps repeated keys apart and ties every value to its line; the lines we write are
 *     never syntax errors and never longer than the line they came from. iniparser keeps its
 *     dictionary as a flat list (loading is quadratic), so values go over in batches.
 *
 * The records are then walked in file order: diagnostics are logged, values are handed to
 * the parser of their table row.
 */
#include "conf-parser.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <iniparser.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "strv.h"

/* Bounds iniparser's quadratic load time per batch; any value above a few dozen does. */
#define CONF_VALUE_BATCH 256u

#define CONF_STRINGIFY_(x) #x
#define CONF_STRINGIFY(x) CONF_STRINGIFY_(x)

typedef enum ConfLineKind {
        CONF_LINE_VALUE,           /* a known key: its value goes through iniparser */
        CONF_LINE_UNKNOWN_KEY,
        CONF_LINE_UNKNOWN_SECTION,
        CONF_LINE_ERROR,
} ConfLineKind;

typedef struct ConfLine {
        ConfLineKind kind;
        unsigned line;                /* the first physical line of a continued line */
        char *text;                   /* owned: "key\0raw value", or the unknown section name */
        const char *section;          /* VALUE, UNKNOWN_KEY: owned by ConfScan.sections */
        const char *key;              /* VALUE, UNKNOWN_KEY: as spelled in the file */
        const char *raw_value;        /* VALUE: still quoted, possibly with a comment */
        const ConfigTableItem *item;  /* VALUE */
        const char *error;            /* ERROR: static message */
} ConfLine;

typedef struct ConfScan {
        ConfLine *lines;
        size_t n_lines;
        size_t n_allocated;
        char **sections; /* names of the known sections seen, so lines can point at them */
} ConfScan;

static void conf_scan_done(ConfScan *scan) {
        for (size_t i = 0; i < scan->n_lines; i++)
                free(scan->lines[i].text);
        free(scan->lines);
        strv_free(scan->sections);
        *scan = (ConfScan) {};
}

static ConfLine *conf_scan_add(ConfScan *scan, ConfLineKind kind, unsigned line) {
        if (scan->n_lines >= scan->n_allocated) {
                size_t n = scan->n_allocated ? scan->n_allocated * 2 : 32;
                ConfLine *l = reallocarray(scan->lines, n, sizeof(ConfLine));

                if (!l)
                        return NULL;
                scan->lines = l;
                scan->n_allocated = n;
        }

        scan->lines[scan->n_lines] = (ConfLine) { .kind = kind, .line = line };
        return &scan->lines[scan->n_lines++];
}

static int conf_scan_add_error(ConfScan *scan, unsigned line, const char *error) {
        ConfLine *l = conf_scan_add(scan, CONF_LINE_ERROR, line);

        if (!l)
                return -ENOMEM;
        l->error = error;
        return 0;
}

static bool conf_is_space(char c) {
        /* iniparser strips with isspace() in the C locale; stay in step with it. */
        return isspace((unsigned char) c);
}

static char *conf_strip(char *s) {
        size_t n;

        while (conf_is_space(*s))
                s++;
        n = strlen(s);
        while (n > 0 && conf_is_space(s[n - 1]))
                s[--n] = '\0';
        return s;
}

const ConfigTableItem *config_table_lookup(const ConfigTableItem *table, size_t n_table, const char *section,
                                           const char *lvalue) {
        for (size_t i = 0; i < n_table; i++)
                if (streq(table[i].section, section) && streq(table[i].lvalue, lvalue))
                        return &table[i];
        return NULL;
}

static bool config_table_has_section(const ConfigTableItem *table, size_t n_table, const char *section) {
        for (size_t i = 0; i < n_table; i++)
                if (streq(table[i].section, section))
                        return true;
        return false;
}

typedef struct ConfSectionState {
        const char *name; /* current known section, or NULL */
        bool ignore;      /* inside an unknown or broken section: skip its assignments */
} ConfSectionState;

static int conf_scan_section(ConfScan *scan, unsigned line, char *text, const ConfigTableItem *table,
                             size_t n_table, ConfSectionState *state) {
        size_t n = strlen(text);
        char *name;
        int r;

        /* Until the next good header, assignments belong to no section we could name. */
        state->name = NULL;
        state->ignore = true;

        if (n < 2 || text[n - 1] != ']')
                return conf_scan_add_error(scan, line, "Invalid section header, ignoring line and section.");
        text[n - 1] = '\0';
        name = conf_strip(text + 1);
        if (name[0] == '\0' || strpbrk(name, "[]"))
                return conf_scan_add_error(scan, line, "Invalid section header, ignoring line and section.");

        if (!config_table_has_section(table, n_table, name)) {
                ConfLine *l = conf_scan_add(scan, CONF_LINE_UNKNOWN_SECTION, line);

                if (!l)
                        return -ENOMEM;
                l->text = strdup(name);
                if (!l->text)
                        return -ENOMEM;
                l->section = l->text;
                return 0;
        }

        r = strv_extend(&scan->sections, name);
        if (r < 0)
                return r;
        state->name = scan->sections[strv_length(scan->sections) - 1];
        state->ignore = false;
        return 0;
}

static int conf_scan_assignment(ConfScan *scan, unsigned line, char *text, const ConfigTableItem *table,
                                size_t n_table, const ConfSectionState *state) {
        const ConfigTableItem *item;
        char *eq, *key;
        ConfLine *l;

        /* Syntax errors are reported even inside an ignored section: they are mistakes. */
        eq = strchr(text, '=');
        if (!eq)
                return conf_scan_add_error(scan, line, "Missing '=', ignoring line.");
        *eq = '\0';
        key = conf_strip(text);
        if (key[0] == '\0')
                return conf_scan_add_error(scan, line, "Missing key name before '=', ignoring line.");

        if (state->ignore)
                return 0;
        if (!state->name)
                return conf_scan_add_error(scan, line, "Assignment outside of a section, ignoring line.");

        item = config_table_lookup(table, n_table, state->name, key);
        l = conf_scan_add(scan, item ? CONF_LINE_VALUE : CONF_LINE_UNKNOWN_KEY, line);
        if (!l)
                return -ENOMEM;

        /* Key and value stay adjacent in one copy of the line: "key\0raw value". */
        size_t key_len = strlen(key), value_len = strlen(eq + 1);
        l->text = malloc(key_len + 1 + value_len + 1);
        if (!l->text)
                return -ENOMEM;
        memcpy(l->text, key, key_len + 1);
        memcpy(l->text + key_len + 1, eq + 1, value_len + 1);
        l->key = l->text;
        l->raw_value = l->text + key_len + 1;
        l->section = state->name;
        l->item = item;
        return 0;
}

static bool conf_is_comment(const char *s, const char *e) {
        while (s < e && conf_is_space(*s))
                s++;
        return s < e && (*s == '#' || *s == ';');
}

static int conf_scan_text(const char *buf, size_t size, const ConfigTableItem *table, size_t n_table,
                          ConfScan *scan) {
        const char *p = buf, *end = buf + size;
        ConfSectionState state = {};
        unsigned line = 0;
        int r;

        while (p < end) {
                char text[CONFIG_LINE_MAX + 1];
                const char *error = NULL;
                bool continuation = false;
                unsigned first_line = line + 1;
                size_t len = 0;
                char *t;

                /* Gather one logical line: a trailing backslash joins the next physical line
                 * (the backslash becoming a space); comment lines inside are skipped. */
                while (p < end) {
                        const char *eol = memchr(p, '\n', (size_t) (end - p));
                        const char *s = p, *e = eol ?: end;
                        bool more;

                        p = eol ? eol + 1 : end;
                        line++;

                        if (conf_is_comment(s, e)) {
                                if (continuation)
                                        continue;
                                break;
                        }

                        while (e > s && conf_is_space(e[-1]))
                                e--;
                        more = e > s && e[-1] == '\\';
                        if (more)
                                e--;

                        if (!error && memchr(s, '\0', (size_t) (e - s)))
                                error = "Line contains a NUL byte, ignoring.";
                        if (!error && len + (continuation ? 1 : 0) + (size_t) (e - s) > CONFIG_LINE_MAX)
                                error = "Line too long (more than " CONF_STRINGIFY(CONFIG_LINE_MAX) " characters), ignoring.";
                        if (!error) {
                                if (continuation)
                                        text[len++] = ' ';
                                memcpy(text + len, s, (size_t) (e - s));
                                len += (size_t) (e - s);
                        }

                        if (!more)
                                break;
                        continuation = true;
                }

                if (error) {
                        r = conf_scan_add_error(scan, first_line, error);
                        if (r < 0)
                                return r;
                        continue;
                }

                text[len] = '\0';
                t = conf_strip(text);
                if (t[0] == '\0')
                        continue;

                /* Left when the continuation had nothing after it ("a\\" at the end of the
                 * file or before an empty line). iniparser would join such a value with the
                 * line we write after it. */
                if (t[strlen(t) - 1] == '\\') {
                        r = conf_scan_add_error(scan, first_line,
                                                "Line ends in a backslash that continues nothing, ignoring.");
                        if (r < 0)
                                return r;
                        continue;
                }

                if (t[0] == '[')
                        r = conf_scan_section(scan, first_line, t, table, n_table, &state);
                else
                        r = conf_scan_assignment(scan, first_line, t, table, n_table, &state);
                if (r < 0)
                        return r;
        }

        return 0;
}

_printf_(1, 2) static int conf_iniparser_error(const char *format, ...) {
        char message[LINE_MAX];
        va_list ap;
        size_t n;

        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);

        n = strlen(message);
        while (n > 0 && message[n - 1] == '\n')
                message[--n] = '\0';
        /* The lines iniparser gets are ours: any complaint is our bug, not the user's. */
        log_error("%s", message);
        return 0;
}

static void iniparser_freedictp(dictionary **d) {
        if (*d)
                iniparser_freedict(*d);
}

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static int write_all(int fd, const char *buf, size_t size) {
        while (size > 0) {
                ssize_t k = write(fd, buf, size);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += k;
                size -= (size_t) k;
        }
        return 0;
}

/* Hand the raw values of the VALUE lines from index `first` on (one batch) to iniparser.
 * *ret_end: the index of the first line the batch does not cover. */
static int conf_values_load(const char *path, const ConfScan *scan, size_t first, size_t *ret_end,
                            dictionary **ret) {
        _cleanup_(freep) char *ini = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(closep) int fd = -1;
        char fd_path[64];
        size_t ini_size = 0, n = 0, i;
        dictionary *d;
        int r;

        f = open_memstream(&ini, &ini_size);
        if (!f)
                return -ENOMEM;
        for (i = first; i < scan->n_lines && n < CONF_VALUE_BATCH; i++) {
                if (scan->lines[i].kind != CONF_LINE_VALUE)
                        continue;
                fprintf(f, "[%zu]\nv=%s\n", i, scan->lines[i].raw_value);
                n++;
        }
        r = fflush(f) == 0 && !ferror(f) ? 0 : -ENOMEM;
        fclose(TAKE_PTR(f));
        if (r < 0)
                return r;

        fd = memfd_create("v6mostly-config", MFD_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "%s: Failed to create memfd for iniparser: %m", path);
        r = write_all(fd, ini, ini_size);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to write memfd for iniparser: %m", path);

        snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
        iniparser_set_error_callback(conf_iniparser_error);
        d = iniparser_load(fd_path);
        if (!d)
                return log_error_errno(EIO, "%s: iniparser failed to read the values (is /proc mounted?)", path);
        /* Every value we wrote must come back as its own section; fewer means a line we wrote
         * was read differently than intended. */
        if (iniparser_getnsec(d) != (int) n)
                log_error("%s: iniparser read %d values where %zu were written, some will be ignored.", path,
                          iniparser_getnsec(d), n);

        *ret_end = i;
        *ret = d;
        return 0;
}

static int conf_apply(const char *path, const ConfScan *scan, void *userdata) {
        _cleanup_(iniparser_freedictp) dictionary *values = NULL;
        size_t batch_end = 0;
        int r;

        for (size_t i = 0; i < scan->n_lines; i++) {
                const ConfLine *l = &scan->lines[i];
                char key[32];
                const char *value;

                switch (l->kind) {
                case CONF_LINE_ERROR:
                        log_syntax(path, l->line, LOG_WARNING, 0, "%s", l->error);
                        continue;
                case CONF_LINE_UNKNOWN_SECTION:
                        log_syntax(path, l->line, LOG_WARNING, 0, "Unknown section [%s], ignoring.", l->section);
                        continue;
                case CONF_LINE_UNKNOWN_KEY:
                        log_syntax(path, l->line, LOG_WARNING, 0, "Unknown key '%s' in section [%s], ignoring.",
                                   l->key, l->section);
                        continue;
                case CONF_LINE_VALUE:
                        break;
                }

                if (i >= batch_end) {
                        if (values)
                                iniparser_freedict(TAKE_PTR(values));
                        r = conf_values_load(path, scan, i, &batch_end, &values);
                        if (r < 0)
                                return r;
                }

                snprintf(key, sizeof(key), "%zu:v", i);
                value = iniparser_getstring(values, key, NULL);
                if (!value) {
                        /* Cannot happen with the lines we write; say so rather than guess. */
                        log_syntax(path, l->line, LOG_ERR, 0, "Failed to parse %s=%s, ignoring: %s", l->key,
                                   l->raw_value, "internal error: iniparser did not return the value");
                        continue;
                }
                if (value[0] == '\0')
                        value = l->item->default_value ?: "";

                r = l->item->parse(path, l->line, l->section, l->key, l->item->ltype, value,
                                   (uint8_t *) userdata + l->item->offset, userdata);
                if (r < 0)
                        return log_error_errno(r, "%s:%u: Failed to apply %s=: %m", path, l->line, l->key);
        }

        return 0;
}

static int read_config_file(const char *path, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = -1;
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, allocated = 0;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;

        /* st_size is not trusted (/proc files report 0): read until EOF, with a cap. */
        for (;;) {
                ssize_t k;

                if (size + 1 >= allocated) {
                        size_t n = allocated ? allocated * 2 : 4096;
                        char *b;

                        if (n > CONFIG_FILE_SIZE_MAX + 2)
                                n = CONFIG_FILE_SIZE_MAX + 2;
                        b = realloc(buf, n);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        allocated = n;
                }

                k = read(fd, buf + size, allocated - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > CONFIG_FILE_SIZE_MAX)
                        return -EFBIG;
        }

        if (!buf) {
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int config_parse_file(const char *path, const ConfigTableItem *table, size_t n_table, void *userdata,
                      ConfigParseFlags flags) {
        _cleanup_(conf_scan_done) ConfScan scan = {};
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0;
        int r;

        if (!path || !table)
                return -EINVAL;

        r = read_config_file(path, &buf, &size);
        if (r == -ENOENT && (flags & CONFIG_PARSE_MISSING_OK))
                return 0;
        if (r == -EFBIG)
                return log_error_errno(r, "%s: File larger than %u bytes, refusing.", path, CONFIG_FILE_SIZE_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", path);

        r = conf_scan_text(buf, size, table, n_table, &scan);
        if (r < 0)
                return log_oom();

        return conf_apply(path, &scan, userdata);
}

int config_table_apply_defaults(const ConfigTableItem *table, size_t n_table, void *userdata) {
        int r;

        for (size_t i = 0; i < n_table; i++) {
                r = table[i].parse("(defaults)", 0, table[i].section, table[i].lvalue, table[i].ltype,
                                   table[i].default_value ?: "", (uint8_t *) userdata + table[i].offset,
                                   userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- Finding files ---- */

typedef struct ConfFile {
        char *name;
        char *path; /* NULL: masked by a symlink to /dev/null */
} ConfFile;

static void conf_files_free(ConfFile *files, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(files[i].name);
                free(files[i].path);
        }
        free(files);
}

static int conf_file_compare(const void *a, const void *b) {
        return strcmp(((const ConfFile *) a)->name, ((const ConfFile *) b)->name);
}

static bool conf_files_have(const ConfFile *files, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(files[i].name, name))
                        return true;
        return false;
}

static bool endswith_nonempty(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n > m && streq(s + n - m, suffix);
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int conf_files_scan_dir(const char *dir, const char *suffix, ConfFile **files, size_t *n_files,
                               size_t *n_allocated) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        d = opendir(dir);
        if (!d) {
                if (errno != ENOENT)
                        log_debug_errno(errno, "Failed to open directory %s, ignoring: %m", dir);
                return 0;
        }

        while ((de = readdir(d))) {
                struct stat st;
                char *path = NULL, *name;

                if (de->d_name[0] == '.' || !endswith_nonempty(de->d_name, suffix))
                        continue;
                if (conf_files_have(*files, *n_files, de->d_name))
                        continue; /* an earlier directory has it */

                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
                        log_debug_errno(errno, "Failed to stat %s/%s, ignoring: %m", dir, de->d_name);
                        continue;
                }
                if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                        path = NULL; /* masked: the name is taken, but nothing is read */
                else if (!S_ISREG(st.st_mode))
                        continue;
                else if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;

                name = strdup(de->d_name);
                if (!name) {
                        free(path);
                        return -ENOMEM;
                }
                if (*n_files >= *n_allocated) {
                        size_t n = *n_allocated ? *n_allocated * 2 : 16;
                        ConfFile *f = reallocarray(*files, n, sizeof(ConfFile));

                        if (!f) {
                                free(path);
                                free(name);
                                return -ENOMEM;
                        }
                        *files = f;
                        *n_allocated = n;
                }
                (*files)[(*n_files)++] = (ConfFile) { .name = name, .path = path };
        }

        return 0;
}

int conf_files_list(const char *const *dirs, const char *suffix, char ***ret) {
        _cleanup_(strv_freep) char **paths = NULL;
        ConfFile *files = NULL;
        size_t n_files = 0, n_allocated = 0;
        int r = 0;

        if (!suffix || !ret)
                return -EINVAL;

        for (const char *const *dir = dirs; dir && *dir && r >= 0; dir++)
                r = conf_files_scan_dir(*dir, suffix, &files, &n_files, &n_allocated);
        if (r < 0)
                goto finish;

        if (n_files > 0)
                qsort(files, n_files, sizeof(ConfFile), conf_file_compare);

        paths = calloc(n_files + 1, sizeof(char *));
        if (!paths) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0, k = 0; i < n_files; i++)
                if (files[i].path)
                        paths[k++] = TAKE_PTR(files[i].path);

        *ret = TAKE_PTR(paths);
        r = 0;
finish:
        conf_files_free(files, n_files);
        return r;
}

int conf_files_list_dropins(const char *const *dirs, const char *name, char ***ret) {
        _cleanup_(strv_freep) char **dropin_dirs = NULL;

        if (!name || !ret)
                return -EINVAL;

        dropin_dirs = calloc(1, sizeof(char *));
        if (!dropin_dirs)
                return -ENOMEM;
        for (const char *const *dir = dirs; dir && *dir; dir++) {
                _cleanup_(freep) char *d = NULL;

                if (asprintf(&d, "%s/%s.d", *dir, name) < 0)
                        return -ENOMEM;
                if (strv_extend(&dropin_dirs, d) < 0)
                        return -ENOMEM;
        }

        return conf_files_list((const char *const *) dropin_dirs, ".conf", ret);
}

/* ---- Values ---- */

int parse_boolean(const char *v) {
        static const char *const true_words[] = { "1", "yes", "true", "on" };
        static const char *const false_words[] = { "0", "no", "false", "off" };

        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(true_words); i++)
                if (strcasecmp(v, true_words[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(false_words); i++)
                if (strcasecmp(v, false_words[i]) == 0)
                        return 0;
        return -EINVAL;
}

int safe_atou32(const char *s, uint32_t *ret) {
        unsigned long long v;
        char *e;

        /* strtoull() alone would take leading spaces, a sign, and wrap "-1" around. */
        if (!s || s[0] < '0' || s[0] > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &e, 10);
        if (errno == ERANGE || (errno == 0 && *e == '\0' && v > UINT32_MAX))
                return -ERANGE;
        if (errno != 0 || *e != '\0')
                return -EINVAL;
        if (ret)
                *ret = (uint32_t) v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_bool) {
        bool *b = data;
        int r;

        r = parse_boolean(rvalue);
        if (r < 0) {
                log_syntax(filename, line, LOG_WARNING, 0, "Failed to parse %s=%s, ignoring: %s", lvalue, rvalue,
                           "expected yes/no, true/false, on/off or 1/0");
                return 0;
        }
        *b = r;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_uint32) {
        uint32_t *u = data, v;
        int r;

        r = safe_atou32(rvalue, &v);
        if (r < 0) {
                log_syntax(filename, line, LOG_WARNING, 0, "Failed to parse %s=%s, ignoring: %s", lvalue, rvalue,
                           r == -ERANGE ? "out of range (0...4294967295)" : "not a decimal number");
                return 0;
        }
        *u = v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_string) {
        char **s = data;

        if (free_and_strdup(s, isempty(rvalue) ? NULL : rvalue) < 0)
                return log_oom();
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_strv) {
        _cleanup_(strv_freep) char **words = NULL;
        char ***l = data;

        words = strv_split_whitespace(rvalue);
        if (!words)
                return log_oom();

        if (!words[0]) {
                *l = strv_free(*l);
                return 0;
        }
        for (char **w = words; *w; w++)
                if (strv_extend(l, *w) < 0)
                        return log_oom();
        return 0;
}
