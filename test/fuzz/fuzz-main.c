/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs every file named on the command line, or found in a directory named there, through
 * LLVMFuzzerTestOneInput() once: without libFuzzer, each fuzzer's seed corpus (and any
 * crash reproducer added to it) becomes a regular test. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
        uint8_t *data = NULL;
        size_t size = 0, allocated = 0;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "%s: %m\n", path);
                return -1;
        }
        for (;;) {
                ssize_t k;

                if (size == allocated) {
                        uint8_t *d = realloc(data, allocated ? allocated * 2 : 4096);

                        if (!d) {
                                close(fd);
                                free(data);
                                return -1;
                        }
                        data = d;
                        allocated = allocated ? allocated * 2 : 4096;
                }
                k = read(fd, data + size, allocated - size);
                if (k < 0) {
                        fprintf(stderr, "%s: %m\n", path);
                        close(fd);
                        free(data);
                        return -1;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        close(fd);

        fprintf(stderr, "--- %s (%zu bytes)\n", path, size);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        return 0;
}

static int run_path(const char *path, unsigned *n_run) {
        struct dirent **entries;
        struct stat st;
        int n, failed = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %m\n", path);
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                if (run_file(path) < 0)
                        return -1;
                (*n_run)++;
                return 0;
        }

        /* Sorted, so a failing run is reproducible from its log. */
        n = scandir(path, &entries, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "%s: %m\n", path);
                return -1;
        }
        for (int i = 0; i < n; i++) {
                char file[4096];

                if (entries[i]->d_name[0] != '.') {
                        snprintf(file, sizeof(file), "%s/%s", path, entries[i]->d_name);
                        if (run_path(file, n_run) < 0)
                                failed = -1;
                }
                free(entries[i]);
        }
        free(entries);
        return failed;
}

int main(int argc, char *argv[]) {
        unsigned n_run = 0;
        int failed = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: %s FILE|DIRECTORY...\n", argv[0]);
                return EXIT_FAILURE;
        }
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &n_run) < 0)
                        failed = 1;

        fprintf(stderr, "%u input(s) run\n", n_run);
        /* An empty corpus would make this test pass without testing anything. */
        return failed || n_run == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
