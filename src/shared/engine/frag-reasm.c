/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv6 and IPv4 reassembly of a CLAT's own ICMP messages; see frag-reasm.h. A linear scan of
 * a small fixed table: fragments addressed to the CLAT are rare (ICMP replies over 1260
 * bytes) and the table holds at most max_datagrams entries. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "frag-reasm.h"

#define IPV4_HDR_LEN 20U
#define IPV6_HDR_LEN 40U
#define FRAG_HDR_LEN 8U

#ifndef _fallthrough_
#define _fallthrough_ __attribute__((fallthrough))
#endif

typedef struct FragFragment {
        struct FragFragment *next; /* sorted by offset */
        uint32_t offset;            /* bytes into the fragmentable part */
        uint32_t len;
        bool more;
        uint8_t data[];
} FragFragment;

typedef struct FragDatagram {
        bool used;
        bool dead; /* overlap seen: later fragments are dropped until the deadline */
        uint8_t family;
        enum xlat_direction direction;
        struct in6_addr src, dst; /* IPv4: in the first 4 bytes */
        uint32_t id;              /* IPv4: Identification | protocol << 16 */
        uint64_t deadline;

        /* The offset-0 fragment's headers: IPv6 ones before its Fragment header (the
         * unfragmentable part), or the IPv4 header. */
        uint8_t *header;
        size_t header_len;
        size_t next_header_offset; /* IPv6: the Next Header field pointing at the Fragment header */
        uint8_t next_header;       /* IPv6: the Fragment header's */

        bool have_last;
        uint32_t end;      /* fragmentable length, once the last fragment is in */
        uint32_t received; /* fragmentable bytes held (no overlaps, so contiguous when == end) */
        uint32_t held_end; /* end of the highest fragment held */
        unsigned n_fragments;
        size_t bytes; /* charged to the table */
        FragFragment *fragments;
} FragDatagram;

struct FragReasm {
        struct frag_reasm_config config;
        unsigned n_used;
        size_t bytes;
        FragDatagram datagrams[];
};

static uint16_t get_be16(const uint8_t *p) {
        return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}

static void count(struct xlat_counters *c, enum xlat_direction direction, enum xlat_drop_reason reason, uint64_t n) {
        if (c)
                c->dropped[direction][reason] += n;
}

int frag_reasm_new(const struct frag_reasm_config *config, FragReasm **ret) {
        struct frag_reasm_config c = *config;
        FragReasm *r;

        if (c.max_datagrams == 0)
                c.max_datagrams = FRAG_DEFAULT_MAX_DATAGRAMS;
        if (c.max_bytes == 0)
                c.max_bytes = FRAG_DEFAULT_MAX_BYTES;
        if (c.timeout_usec == 0)
                c.timeout_usec = FRAG_DEFAULT_TIMEOUT_USEC;
        if (c.max_datagrams > 4096)
                return -EINVAL;
        r = calloc(1, sizeof(FragReasm) + (size_t) c.max_datagrams * sizeof(FragDatagram));
        if (!r)
                return -ENOMEM;
        r->config = c;
        *ret = r;
        return 0;
}

static void datagram_release(FragReasm *r, FragDatagram *d) {
        for (FragFragment *f = d->fragments, *next; f; f = next) {
                next = f->next;
                free(f);
        }
        free(d->header);
        r->bytes -= d->bytes;
        d->fragments = NULL;
        d->header = NULL;
        d->bytes = 0;
        d->n_fragments = 0;
        d->received = 0;
        d->held_end = 0;
}

static void datagram_free(FragReasm *r, FragDatagram *d) {
        datagram_release(r, d);
        *d = (FragDatagram) {};
        r->n_used--;
}

/* Drop a datagram's fragments, counting each under `reason`; `keep_dead` leaves the
 * entry to swallow the rest of the datagram (RFC 5722). */
static void datagram_kill(FragReasm *r, FragDatagram *d, enum xlat_drop_reason reason, bool keep_dead,
                          struct xlat_counters *c) {
        count(c, d->direction, reason, d->n_fragments);
        if (keep_dead) {
                datagram_release(r, d);
                d->dead = true;
        } else
                datagram_free(r, d);
}

FragReasm *frag_reasm_free(FragReasm *r) {
        if (!r)
                return NULL;
        for (unsigned i = 0; i < r->config.max_datagrams; i++)
                if (r->datagrams[i].used)
                        datagram_free(r, &r->datagrams[i]);
        free(r);
        return NULL;
}

void frag_reasm_expire(FragReasm *r, uint64_t now_usec, struct xlat_counters *counters) {
        if (r->n_used == 0)
                return;
        for (unsigned i = 0; i < r->config.max_datagrams; i++) {
                FragDatagram *d = &r->datagrams[i];

                if (d->used && now_usec >= d->deadline)
                        datagram_kill(r, d, XLAT_DROP_FRAGMENT_TIMEOUT, false, counters);
        }
}

unsigned frag_reasm_datagrams(const FragReasm *r) {
        return r->n_used;
}

size_t frag_reasm_bytes(const FragReasm *r) {
        return r->bytes;
}

/* The headers before the Fragment header: 0 if the packet has one we take, with its
 * offset and the offset of the Next Header field that points at it. Hop-by-Hop,
 * Destination Options and Routing headers may precede it (RFC 8200 §4.1); anything
 * else ends the walk (not a fragment for us: the translator decides). */
static bool find_fragment_header(const uint8_t *p, size_t len, size_t *ret_frag, size_t *ret_nh_offset) {
        size_t off = IPV6_HDR_LEN, nh_offset = 6;

        for (unsigned n = 0; n < 8; n++) {
                uint8_t nh = p[nh_offset];

                switch (nh) {
                case IPPROTO_HOPOPTS:
                        if (n != 0)
                                return false;
                        _fallthrough_;
                case IPPROTO_DSTOPTS:
                case IPPROTO_ROUTING: {
                        size_t hl;

                        if (len < off + 8)
                                return false;
                        hl = ((size_t) p[off + 1] + 1) * 8;
                        if (len < off + hl)
                                return false;
                        nh_offset = off;
                        off += hl;
                        break;
                }
                case IPPROTO_FRAGMENT:
                        if (len < off + FRAG_HDR_LEN)
                                return false;
                        *ret_frag = off;
                        *ret_nh_offset = nh_offset;
                        return true;
                default:
                        return false;
                }
        }
        return false;
}

/* One fragment, parsed. */
typedef struct FragInfo {
        uint8_t family;
        enum xlat_direction direction;  /* whose counters */
        enum xlat_drop_reason invalid;  /* the reason for breaking the length rules */
        struct in6_addr src, dst;       /* IPv4: in the first 4 bytes */
        uint32_t id;                    /* IPv4: Identification | protocol << 16 */
        size_t hdr_len;                 /* IPv6: unfragmentable part; IPv4: header */
        size_t nh_offset;               /* IPv6: the Next Header field to patch */
        uint8_t next_header;            /* IPv6: the Fragment header's */
        uint32_t offset;
        bool more;
        size_t data_len;
        const uint8_t *data;
} FragInfo;

static FragDatagram *datagram_find(FragReasm *r, const FragInfo *fi, FragDatagram **ret_free) {
        *ret_free = NULL;
        for (unsigned i = 0; i < r->config.max_datagrams; i++) {
                FragDatagram *d = &r->datagrams[i];

                if (!d->used) {
                        if (!*ret_free)
                                *ret_free = d;
                        continue;
                }
                if (d->id == fi->id && d->family == fi->family && memcmp(&d->src, &fi->src, 16) == 0 &&
                    memcmp(&d->dst, &fi->dst, 16) == 0)
                        return d;
        }
        return NULL;
}

static uint16_t ipv4_header_checksum(const uint8_t *h, size_t len) {
        uint32_t sum = 0;

        for (size_t i = 0; i < len; i += 2)
                sum += get_be16(h + i);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t) sum;
}

static size_t datagram_assemble(const FragDatagram *d, uint8_t *out) {
        size_t n = d->header_len;

        memcpy(out, d->header, n);
        for (const FragFragment *f = d->fragments; f; f = f->next)
                memcpy(out + n + f->offset, f->data, f->len);
        n += d->end;
        if (d->family == AF_INET6) {
                out[d->next_header_offset] = d->next_header;
                put_be16(out + 4, (uint16_t) (n - IPV6_HDR_LEN));
        } else {
                put_be16(out + 2, (uint16_t) n);
                out[6] &= 0xc0; /* flags but MF; offset 0 */
                out[7] = 0;
                put_be16(out + 10, 0);
                put_be16(out + 10, (uint16_t) ~ipv4_header_checksum(out, d->header_len));
        }
        return n;
}


static enum frag_verdict parse_ipv6(const FragReasm *r, const uint8_t *p, size_t len, FragInfo *fi) {
        size_t frag, nh_offset, plen;
        uint16_t fo;

        if (r->config.ipv6_next_header == 0 || len < IPV6_HDR_LEN)
                return FRAG_PASS;
        plen = get_be16(p + 4);
        if (plen == 0 || IPV6_HDR_LEN + plen > len)
                return FRAG_PASS; /* the translator names what is wrong */
        len = IPV6_HDR_LEN + plen;
        if (memcmp(p + 24, &r->config.ipv6_destination, 16) != 0)
                return FRAG_PASS;
        if (!find_fragment_header(p, len, &frag, &nh_offset))
                return FRAG_PASS;
        if (p[frag] != r->config.ipv6_next_header)
                return FRAG_PASS;
        fo = get_be16(p + frag + 2);
        *fi = (FragInfo) {
                .family = AF_INET6, .direction = XLAT_6TO4, .invalid = XLAT_DROP_IPV6_FRAGMENT_INVALID,
                .id = get_be32(p + frag + 4), .hdr_len = frag, .nh_offset = nh_offset, .next_header = p[frag],
                .offset = (uint32_t) (fo >> 3) * 8, .more = fo & 1,
                .data_len = len - frag - FRAG_HDR_LEN, .data = p + frag + FRAG_HDR_LEN,
        };
        memcpy(&fi->src, p + 8, 16);
        memcpy(&fi->dst, p + 24, 16);
        return FRAG_HELD; /* i.e. ours */
}

static enum frag_verdict parse_ipv4(const FragReasm *r, const uint8_t *p, size_t len, FragInfo *fi) {
        size_t ihl, tot;
        uint16_t fo;

        if (r->config.ipv4_protocol == 0 || len < IPV4_HDR_LEN)
                return FRAG_PASS;
        ihl = (size_t) (p[0] & 0xf) * 4;
        tot = get_be16(p + 2);
        if (ihl < IPV4_HDR_LEN || tot < ihl || tot > len)
                return FRAG_PASS; /* the translator names what is wrong */
        fo = get_be16(p + 6);
        if ((fo & 0x3fff) == 0 || p[9] != r->config.ipv4_protocol ||
            memcmp(p + 12, &r->config.ipv4_source, 4) != 0)
                return FRAG_PASS;
        if (ipv4_header_checksum(p, ihl) != 0xffff)
                return FRAG_PASS; /* bad-ipv4-checksum */
        *fi = (FragInfo) {
                .family = AF_INET, .direction = XLAT_4TO6, .invalid = XLAT_DROP_BAD_IPV4_HEADER,
                .id = get_be16(p + 4) | (uint32_t) p[9] << 16, .hdr_len = ihl,
                .offset = (uint32_t) (fo & 0x1fff) * 8, .more = fo & 0x2000,
                .data_len = tot - ihl, .data = p + ihl,
        };
        memcpy(&fi->src, p + 12, 4);
        memcpy(&fi->dst, p + 16, 4);
        return FRAG_HELD;
}

enum frag_verdict frag_reasm_input(FragReasm *r, const void *pkt, size_t len, uint64_t now_usec, void *out,
                                   size_t out_size, size_t *ret_len, struct xlat_counters *counters) {
        const uint8_t *p = pkt;
        FragInfo fi;
        size_t data_len, charge;
        uint32_t offset, end;
        bool more;
        FragDatagram *d, *slot;
        FragFragment **link, *f, *prev = NULL, *next;

        frag_reasm_expire(r, now_usec, counters);

        if (len < 1)
                return FRAG_PASS;
        switch (p[0] >> 4) {
        case 6:
                if (parse_ipv6(r, p, len, &fi) == FRAG_PASS)
                        return FRAG_PASS;
                break;
        case 4:
                if (parse_ipv4(r, p, len, &fi) == FRAG_PASS)
                        return FRAG_PASS;
                break;
        default:
                return FRAG_PASS;
        }
        offset = fi.offset;
        more = fi.more;
        data_len = fi.data_len;
        if (offset == 0 && !more)
                return FRAG_PASS; /* an atomic fragment: whole */

        /* RFC 8200 §4.5: "If the length of a fragment, as derived from the fragment
         * packet's Payload Length field, is not a multiple of 8 octets and the M flag of
         * that fragment is 1, then that fragment must be discarded"; likewise one that
         * would make the reassembled payload exceed 65535 octets. The same for IPv4
         * (RFC 791: fragments but the last carry multiples of 8 octets; total length). */
        if (data_len == 0 || (more && data_len % 8 != 0) ||
            (fi.family == AF_INET6 ? fi.hdr_len - IPV6_HDR_LEN : fi.hdr_len) + offset + data_len > 65535) {
                count(counters, fi.direction, fi.invalid, 1);
                return FRAG_DROP;
        }
        end = offset + (uint32_t) data_len;

        d = datagram_find(r, &fi, &slot);
        if (d && d->dead) {
                count(counters, fi.direction, XLAT_DROP_FRAGMENT_OVERLAP, 1);
                return FRAG_DROP;
        }

        charge = sizeof(FragFragment) + data_len + (offset == 0 ? fi.hdr_len : 0);
        if (!d) {
                if (!slot || r->bytes + charge > r->config.max_bytes) {
                        count(counters, fi.direction, XLAT_DROP_FRAGMENT_TABLE_FULL, 1);
                        return FRAG_DROP;
                }
                d = slot;
                *d = (FragDatagram) { .used = true, .family = fi.family, .direction = fi.direction,
                                      .src = fi.src, .dst = fi.dst, .id = fi.id,
                                      .deadline = now_usec + r->config.timeout_usec };
                r->n_used++;
        }

        /* The end of the datagram: one last fragment, nothing beyond it. */
        if (more ? d->have_last && end > d->end : (d->have_last && d->end != end) || d->held_end > end) {
                datagram_kill(r, d, fi.invalid, false, counters);
                count(counters, fi.direction, fi.invalid, 1);
                return FRAG_DROP;
        }

        /* Find the place between prev and *link, and check both for overlap (RFC 5722). */
        for (link = &d->fragments; *link && (*link)->offset < offset; link = &(*link)->next)
                prev = *link;
        next = *link;
        if (next && next->offset == offset && next->len == data_len && next->more == more &&
            memcmp(next->data, fi.data, data_len) == 0) {
                count(counters, fi.direction, XLAT_DROP_FRAGMENT_DUPLICATE, 1);
                return FRAG_DROP;
        }
        if ((prev && prev->offset + prev->len > offset) || (next && end > next->offset)) {
                datagram_kill(r, d, XLAT_DROP_FRAGMENT_OVERLAP, true, counters);
                count(counters, fi.direction, XLAT_DROP_FRAGMENT_OVERLAP, 1);
                return FRAG_DROP;
        }

        if (d->n_fragments >= FRAG_FRAGMENTS_MAX) {
                datagram_kill(r, d, XLAT_DROP_FRAGMENT_TABLE_FULL, false, counters);
                count(counters, fi.direction, XLAT_DROP_FRAGMENT_TABLE_FULL, 1);
                return FRAG_DROP;
        }
        f = r->bytes + charge > r->config.max_bytes ? NULL : malloc(sizeof(FragFragment) + data_len);
        if (f && offset == 0) {
                d->header = malloc(fi.hdr_len);
                if (!d->header)
                        f = mfree(f);
        }
        if (!f) {
                count(counters, fi.direction, XLAT_DROP_FRAGMENT_TABLE_FULL, 1);
                if (d->n_fragments == 0)
                        datagram_free(r, d);
                return FRAG_DROP;
        }
        if (offset == 0) {
                memcpy(d->header, p, fi.hdr_len);
                d->header_len = fi.hdr_len;
                d->next_header_offset = fi.nh_offset;
                d->next_header = fi.next_header;
        }
        f->offset = offset;
        f->len = (uint32_t) data_len;
        f->more = more;
        memcpy(f->data, fi.data, data_len);
        f->next = *link;
        *link = f;
        d->n_fragments++;
        d->received += (uint32_t) data_len;
        if (end > d->held_end)
                d->held_end = end;
        d->bytes += charge;
        r->bytes += charge;
        if (!more) {
                d->have_last = true;
                d->end = end;
        }

        if (!d->have_last || !d->header || d->received != d->end)
                return FRAG_HELD;
        /* The whole must fit 65535 bytes with the offset-0 fragment's headers. */
        if ((d->family == AF_INET6 ? d->header_len - IPV6_HDR_LEN : d->header_len) + d->end > 65535) {
                datagram_kill(r, d, fi.invalid, false, counters);
                return FRAG_DROP;
        }
        if (d->header_len + d->end > out_size) {
                datagram_kill(r, d, XLAT_DROP_OUTPUT_TOO_SMALL, false, counters);
                return FRAG_DROP;
        }
        *ret_len = datagram_assemble(d, out);
        datagram_free(r, d);
        return FRAG_COMPLETE;
}
