/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Persistent client state under the state directory ($STATE_DIRECTORY or
 * /var/lib/v6mostly): the host's DUID (RFC 4361 client identifiers stay the same across
 * restarts) and, per interface and client identifier, the last lease (INIT-REBOOT after a
 * daemon restart). Lease expiry is stored in CLOCK_REALTIME: boot time does not survive
 * a reboot. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "dhcp4-internal.h"

#define DUID_TYPE_UUID 4 /* RFC 6355 */

static int state_subdir(const char *state_dir, char *buf, size_t size) {
        if (!state_dir)
                return -ENOENT;
        if ((size_t) snprintf(buf, size, "%s/dhcp4", state_dir) >= size)
                return -ENAMETOOLONG;
        if (mkdir(state_dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int write_atomic(const char *path, const char *content) {
        char tmp[PATH_MAX];
        FILE *f;
        int fd;

        if ((size_t) snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
                return -ENAMETOOLONG;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "w");
        if (!f) {
                close(fd);
                unlink(tmp);
                return -errno;
        }
        fputs(content, f);
        if (fflush(f) != 0 || ferror(f)) {
                fclose(f);
                unlink(tmp);
                return -EIO;
        }
        fclose(f);
        if (rename(tmp, path) < 0) {
                int r = -errno;

                unlink(tmp);
                return r;
        }
        return 0;
}

static void hex(char *out, const uint8_t *data, size_t len) {
        for (size_t i = 0; i < len; i++)
                sprintf(out + 2 * i, "%02x", data[i]);
        out[2 * len] = 0;
}

static int unhex(const char *s, uint8_t *out, size_t size, size_t *ret_len) {
        size_t n = 0;

        while (s[0] && s[0] != '\n') {
                unsigned v;

                if (n >= size || sscanf(s, "%2x", &v) != 1 || !s[1])
                        return -EINVAL;
                out[n++] = (uint8_t) v;
                s += 2;
        }
        *ret_len = n;
        return n > 0 ? 0 : -EINVAL;
}

int dhcp4_store_duid(const char *state_dir, uint8_t *duid, size_t size, size_t *ret_len) {
        char dir[PATH_MAX], path[PATH_MAX], line[300], content[300];
        FILE *f;
        int r;

        r = state_subdir(state_dir, dir, sizeof(dir));
        if (r < 0)
                return r;
        if ((size_t) snprintf(path, sizeof(path), "%s/duid", dir) >= sizeof(path))
                return -ENAMETOOLONG;

        f = fopen(path, "re");
        if (f) {
                r = fgets(line, sizeof(line), f) ? unhex(line, duid, size, ret_len) : -EINVAL;
                fclose(f);
                if (r >= 0 && *ret_len >= 3)
                        return 0;
        }

        /* None yet (or unreadable): a DUID-UUID from random bytes, kept from now on. */
        if (size < 18)
                return -ENOBUFS;
        duid[0] = 0;
        duid[1] = DUID_TYPE_UUID;
        if (getrandom(duid + 2, 16, 0) != 16)
                return -EIO;
        duid[2 + 6] = (duid[2 + 6] & 0x0f) | 0x40; /* RFC 4122 version 4 */
        duid[2 + 8] = (duid[2 + 8] & 0x3f) | 0x80;
        *ret_len = 18;
        hex(content, duid, 18);
        strcat(content, "\n");
        return write_atomic(path, content);
}

static int lease_path(const char *state_dir, const char *ifname, const uint8_t *client_id, size_t client_id_len,
                      char *buf, size_t size) {
        char dir[PATH_MAX], id[2 * 255 + 1];
        int r;

        r = state_subdir(state_dir, dir, sizeof(dir));
        if (r < 0)
                return r;
        hex(id, client_id, MIN(client_id_len, (size_t) 64)); /* keep the name short */
        if ((size_t) snprintf(buf, size, "%s/%s-%s.lease", dir, ifname, id) >= size)
                return -ENAMETOOLONG;
        return 0;
}

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

int dhcp4_store_lease_save(const char *state_dir, const char *ifname, const uint8_t *client_id, size_t client_id_len,
                           struct in_addr address, uint64_t expiry_realtime_usec, bool released) {
        char path[PATH_MAX], content[256], a[INET_ADDRSTRLEN];
        int r;

        r = lease_path(state_dir, ifname, client_id, client_id_len, path, sizeof(path));
        if (r < 0)
                return r;
        inet_ntop(AF_INET, &address, a, sizeof(a));
        snprintf(content, sizeof(content), "# v6mostlyd DHCPv4 lease, do not edit\nADDRESS=%s\nEXPIRY_REALTIME_USEC=%llu\nRELEASED=%d\n",
                 a, (unsigned long long) expiry_realtime_usec, released);
        return write_atomic(path, content);
}

int dhcp4_store_lease_load(const char *state_dir, const char *ifname, const uint8_t *client_id, size_t client_id_len,
                           struct in_addr *ret_address, bool *ret_released, bool *ret_expired) {
        char path[PATH_MAX], line[256];
        bool has_address = false, released = false;
        unsigned long long expiry = 0;
        struct in_addr address = {};
        FILE *f;
        int r;

        r = lease_path(state_dir, ifname, client_id, client_id_len, path, sizeof(path));
        if (r < 0)
                return r;
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                if (strncmp(line, "ADDRESS=", 8) == 0)
                        has_address = inet_pton(AF_INET, line + 8, &address) == 1;
                else if (strncmp(line, "EXPIRY_REALTIME_USEC=", 21) == 0)
                        expiry = strtoull(line + 21, NULL, 10);
                else if (strncmp(line, "RELEASED=", 9) == 0)
                        released = streq(line + 9, "1");
        }
        fclose(f);
        if (!has_address || address.s_addr == 0)
                return -EINVAL;
        *ret_address = address;
        *ret_released = released;
        *ret_expired = expiry <= now_realtime_usec();
        return 0;
}
