/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dhcp4-message.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "macro.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

static const char *const dhcp4_message_type_table[] = {
        [DHCP4_DISCOVER] = "DISCOVER", [DHCP4_OFFER] = "OFFER", [DHCP4_REQUEST] = "REQUEST",
        [DHCP4_DECLINE] = "DECLINE",   [DHCP4_ACK] = "ACK",     [DHCP4_NAK] = "NAK",
        [DHCP4_RELEASE] = "RELEASE",   [DHCP4_INFORM] = "INFORM",
};

const char *dhcp4_message_type_to_string(uint8_t type) {
        if (type >= ELEMENTSOF(dhcp4_message_type_table) || !dhcp4_message_type_table[type])
                return "unknown";
        return dhcp4_message_type_table[type];
}

static uint32_t get_be32(const uint8_t *p) {
        return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static uint16_t get_be16(const uint8_t *p) {
        return (uint16_t) ((p[0] << 8) | p[1]);
}

static void put_be32(uint8_t *p, uint32_t v) {
        p[0] = v >> 24;
        p[1] = v >> 16;
        p[2] = v >> 8;
        p[3] = v;
}

static void put_be16(uint8_t *p, uint16_t v) {
        p[0] = v >> 8;
        p[1] = v;
}

int dhcp4_netmask_to_prefixlen(struct in_addr mask) {
        uint32_t m = ntohl(mask.s_addr);
        int len = 0;

        while (len < 32 && (m & (UINT32_C(1) << (31 - len))))
                len++;
        if (len < 32 && (m << len) != 0)
                return -EINVAL;
        return len;
}

/* ---- option walking ---- */

/* The option areas of a message: options, then file, then sname when overloaded
 * (RFC 2132 §9.3 gives that order). */
typedef struct OptionArea {
        const uint8_t *data;
        size_t size;
} OptionArea;

typedef struct OptionIndex {
        /* Per code: total length of all its instances (RFC 3396 concatenation). */
        uint16_t length[256];
        uint16_t offset[256];
        uint8_t *buf;
} OptionIndex;

/* Walk one area; with index->buf NULL count lengths, else copy into place (using
 * `filled` as the per-code write cursor). */
static int option_area_walk(const OptionArea *a, OptionIndex *index, uint16_t *filled, const char **ret_reason) {
        size_t i = 0;

        while (i < a->size) {
                uint8_t code = a->data[i];
                uint8_t len;

                if (code == DHCP4_OPTION_PAD) {
                        i++;
                        continue;
                }
                if (code == DHCP4_OPTION_END)
                        return 0;
                if (i + 1 >= a->size) {
                        *ret_reason = "option-overrun";
                        return -EBADMSG;
                }
                len = a->data[i + 1];
                if (i + 2 + len > a->size) {
                        *ret_reason = "option-overrun";
                        return -EBADMSG;
                }
                if (!index->buf)
                        index->length[code] += len;
                else {
                        memcpy(index->buf + index->offset[code] + filled[code], a->data + i + 2, len);
                        filled[code] += len;
                }
                i += 2 + (size_t) len;
        }
        return 0; /* a missing END is tolerated when nothing overruns */
}

static bool opt_get(const OptionIndex *index, uint8_t code, const uint8_t **ret, size_t *ret_len) {
        /* Present with length 0 is still present; we tell presence from the areas walk
         * by a separate bit. */
        *ret = index->buf + index->offset[code];
        *ret_len = index->length[code];
        return true;
}

static bool opt_addr(const OptionIndex *index, const bool *present, uint8_t code, struct in_addr *ret) {
        const uint8_t *d;
        size_t l;

        if (!present[code] || !opt_get(index, code, &d, &l) || l != 4)
                return false;
        memcpy(&ret->s_addr, d, 4);
        return true;
}

static bool opt_u32(const OptionIndex *index, const bool *present, uint8_t code, uint32_t *ret) {
        const uint8_t *d;
        size_t l;

        if (!present[code] || !opt_get(index, code, &d, &l) || l != 4)
                return false;
        *ret = get_be32(d);
        return true;
}

static size_t opt_addr_list(const OptionIndex *index, const bool *present, uint8_t code, struct in_addr *ret, size_t max) {
        const uint8_t *d;
        size_t l, n = 0;

        if (!present[code] || !opt_get(index, code, &d, &l) || l == 0 || l % 4 != 0)
                return 0;
        for (size_t i = 0; i < l && n < max; i += 4)
                memcpy(&ret[n++].s_addr, d + i, 4);
        return n;
}

/* RFC 1035 §2.3.1 preferred name syntax, loosely: letters, digits, '-', '_', dots; no
 * empty labels; labels ≤ 63. Anything else is refused: this string may end up in
 * resolv.conf. */
static bool domain_valid(const char *s, size_t len) {
        size_t label = 0;

        if (len == 0 || len > DHCP4_DOMAIN_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];

                if (c == '.') {
                        if (label == 0)
                                return false;
                        label = 0;
                        continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_'))
                        return false;
                if (++label > 63)
                        return false;
        }
        return true;
}

static void parse_domain(const uint8_t *d, size_t l, Dhcp4Message *m) {
        /* Some servers count a trailing NUL, and a trailing dot is the same name. */
        while (l > 0 && d[l - 1] == 0)
                l--;
        if (l > 0 && d[l - 1] == '.')
                l--;
        if (!domain_valid((const char *) d, l))
                return;
        memcpy(m->domain, d, l);
        m->domain[l] = 0;
}

/* RFC 3442 §3: width, significant octets of the destination, router. An invalid
 * encoding discards the whole option (a partial route table is worse than none). */
static void parse_classless_routes(const uint8_t *d, size_t l, Dhcp4Message *m) {
        Dhcp4Route routes[DHCP4_MAX_CLASSLESS_ROUTES];
        size_t i = 0, n = 0;

        while (i < l) {
                uint8_t width = d[i];
                size_t octets = (width + 7u) / 8u;
                uint32_t dest = 0;

                if (width > 32 || i + 1 + octets + 4 > l)
                        return;
                for (size_t k = 0; k < octets; k++)
                        dest |= (uint32_t) d[i + 1 + k] << (24 - 8 * k);
                if (width < 32)
                        dest &= width == 0 ? 0 : ~((UINT32_C(1) << (32 - width)) - 1);
                if (n < DHCP4_MAX_CLASSLESS_ROUTES) {
                        routes[n] = (Dhcp4Route) { .destination.s_addr = htonl(dest), .prefixlen = width };
                        memcpy(&routes[n].gateway.s_addr, d + i + 1 + octets, 4);
                        n++;
                }
                i += 1 + octets + 4;
        }
        m->has_classless_routes = true;
        m->n_classless_routes = n;
        memcpy(m->classless_routes, routes, n * sizeof(Dhcp4Route));
}

int dhcp4_message_parse(const uint8_t *data, size_t size, Dhcp4Message *ret, const char **ret_reason) {
        OptionArea areas[3];
        size_t n_areas = 1;
        OptionIndex index = {};
        uint16_t filled[256] = {};
        bool present[256] = {};
        const char *reason = NULL;
        uint8_t overload = 0;
        size_t total = 0;
        Dhcp4Message m = {};
        const uint8_t *d;
        size_t l;
        int r;

        if (!ret_reason)
                ret_reason = &reason;
        if (!data || size < DHCP4_MIN_SIZE) {
                *ret_reason = "short";
                return -EBADMSG;
        }
        if (get_be32(data + DHCP4_HEADER_SIZE) != DHCP4_MAGIC_COOKIE) {
                *ret_reason = "bad-cookie";
                return -EBADMSG;
        }
        if (data[1] != DHCP4_HTYPE_ETHER || data[2] != 6) {
                *ret_reason = "bad-hardware-type";
                return -EBADMSG;
        }

        m.op = data[0];
        m.xid = get_be32(data + 4);
        m.secs = get_be16(data + 8);
        m.flags = get_be16(data + 10);
        memcpy(&m.ciaddr.s_addr, data + 12, 4);
        memcpy(&m.yiaddr.s_addr, data + 16, 4);
        memcpy(&m.siaddr.s_addr, data + 20, 4);
        memcpy(&m.giaddr.s_addr, data + 24, 4);
        memcpy(m.chaddr, data + 28, 6);

        areas[0] = (OptionArea) { data + DHCP4_MIN_SIZE, size - DHCP4_MIN_SIZE };

        /* Pass 1: lengths per code, and whether the main area overloads sname/file. */
        r = option_area_walk(&areas[0], &index, filled, ret_reason);
        if (r < 0)
                return r;
        {
                /* The overload option itself must be read before walking further areas;
                 * find it in the main area (RFC 2132 §9.3: it may only appear there). */
                size_t i = 0;

                while (i + 1 < areas[0].size && areas[0].data[i] != DHCP4_OPTION_END) {
                        if (areas[0].data[i] == DHCP4_OPTION_PAD) {
                                i++;
                                continue;
                        }
                        if (areas[0].data[i] == DHCP4_OPTION_OVERLOAD && areas[0].data[i + 1] == 1)
                                overload = areas[0].data[i + 2];
                        i += 2 + (size_t) areas[0].data[i + 1];
                }
        }
        if (overload > 3) {
                *ret_reason = "bad-overload";
                return -EBADMSG;
        }
        if (overload & 1)
                areas[n_areas++] = (OptionArea) { data + 108, 128 }; /* file */
        if (overload & 2)
                areas[n_areas++] = (OptionArea) { data + 44, 64 }; /* sname */
        memset(index.length, 0, sizeof(index.length));
        for (size_t a = 0; a < n_areas; a++) {
                r = option_area_walk(&areas[a], &index, filled, ret_reason);
                if (r < 0)
                        return r;
        }
        for (size_t c = 0; c < 256; c++) {
                index.offset[c] = (uint16_t) total;
                total += index.length[c];
        }

        /* Pass 2: copy each code's data, instances concatenated in order. */
        uint8_t *buf = malloc(total ?: 1);
        if (!buf)
                return -ENOMEM;
        index.buf = buf;
        for (size_t a = 0; a < n_areas; a++)
                (void) option_area_walk(&areas[a], &index, filled, ret_reason);

        /* Presence: an option of length 0 is present too; walk once more for flags. */
        for (size_t a = 0; a < n_areas; a++) {
                size_t i = 0;

                while (i + 1 < areas[a].size && areas[a].data[i] != DHCP4_OPTION_END) {
                        if (areas[a].data[i] == DHCP4_OPTION_PAD) {
                                i++;
                                continue;
                        }
                        present[areas[a].data[i]] = true;
                        i += 2 + (size_t) areas[a].data[i + 1];
                }
        }

        if (!present[DHCP4_OPTION_MESSAGE_TYPE]) {
                free(buf);
                *ret_reason = "no-message-type";
                return -EBADMSG;
        }
        opt_get(&index, DHCP4_OPTION_MESSAGE_TYPE, &d, &l);
        if (l != 1 || d[0] < DHCP4_DISCOVER || d[0] > DHCP4_INFORM) {
                free(buf);
                *ret_reason = "bad-message-type";
                return -EBADMSG;
        }
        m.type = d[0];

        m.has_subnet_mask = opt_addr(&index, present, DHCP4_OPTION_SUBNET_MASK, &m.subnet_mask);
        m.n_routers = opt_addr_list(&index, present, DHCP4_OPTION_ROUTER, m.routers, DHCP4_MAX_ROUTERS);
        m.n_dns_servers = opt_addr_list(&index, present, DHCP4_OPTION_DNS_SERVER, m.dns_servers, DHCP4_MAX_DNS_SERVERS);
        if (present[DHCP4_OPTION_DOMAIN_NAME] && opt_get(&index, DHCP4_OPTION_DOMAIN_NAME, &d, &l))
                parse_domain(d, l, &m);
        if (present[DHCP4_OPTION_MTU] && opt_get(&index, DHCP4_OPTION_MTU, &d, &l) && l == 2 && get_be16(d) >= 68)
                m.mtu = get_be16(d);
        m.has_broadcast = opt_addr(&index, present, DHCP4_OPTION_BROADCAST, &m.broadcast);
        m.has_requested_address = opt_addr(&index, present, DHCP4_OPTION_REQUESTED_ADDRESS, &m.requested_address);
        m.has_lease_time = opt_u32(&index, present, DHCP4_OPTION_LEASE_TIME, &m.lease_time);
        m.has_server_id = opt_addr(&index, present, DHCP4_OPTION_SERVER_ID, &m.server_id);
        if (present[DHCP4_OPTION_PARAMETER_REQUEST_LIST] && opt_get(&index, DHCP4_OPTION_PARAMETER_REQUEST_LIST, &d, &l)) {
                m.n_prl = MIN(l, sizeof(m.prl));
                memcpy(m.prl, d, m.n_prl);
        }
        if (present[DHCP4_OPTION_MESSAGE] && opt_get(&index, DHCP4_OPTION_MESSAGE, &d, &l)) {
                size_t k = 0;

                for (size_t i = 0; i < l && k < sizeof(m.message) - 1; i++) {
                        if (d[i] == 0)
                                continue;
                        m.message[k++] = d[i] >= 0x20 && d[i] < 0x7f ? (char) d[i] : '?';
                }
        }
        if (present[DHCP4_OPTION_MAX_MESSAGE_SIZE] && opt_get(&index, DHCP4_OPTION_MAX_MESSAGE_SIZE, &d, &l) && l == 2 &&
            get_be16(d) >= DHCP4_MIN_MAX_MESSAGE_SIZE)
                m.max_message_size = get_be16(d);
        m.has_t1 = opt_u32(&index, present, DHCP4_OPTION_RENEWAL_TIME, &m.t1);
        m.has_t2 = opt_u32(&index, present, DHCP4_OPTION_REBINDING_TIME, &m.t2);
        if (present[DHCP4_OPTION_CLIENT_ID] && opt_get(&index, DHCP4_OPTION_CLIENT_ID, &d, &l) && l >= 2) {
                m.client_id_len = MIN(l, sizeof(m.client_id));
                memcpy(m.client_id, d, m.client_id_len);
        }
        m.has_v6only_wait = opt_u32(&index, present, DHCP4_OPTION_IPV6_ONLY_PREFERRED, &m.v6only_wait);
        if (present[DHCP4_OPTION_CLASSLESS_ROUTES] && opt_get(&index, DHCP4_OPTION_CLASSLESS_ROUTES, &d, &l))
                parse_classless_routes(d, l, &m);

        free(buf);
        *ret = m;
        return 0;
}

int dhcp4_message_check_reply(const Dhcp4Message *m, uint32_t xid, const uint8_t chaddr[6], const char **ret_reason) {
        const char *reason = NULL;

        if (!ret_reason)
                ret_reason = &reason;
        if (m->op != DHCP4_OP_BOOTREPLY) {
                *ret_reason = "not-reply";
                return -EBADMSG;
        }
        if (m->xid != xid) {
                *ret_reason = "wrong-xid";
                return -EBADMSG;
        }
        if (memcmp(m->chaddr, chaddr, 6) != 0) {
                *ret_reason = "wrong-chaddr";
                return -EBADMSG;
        }
        if (m->type != DHCP4_OFFER && m->type != DHCP4_ACK && m->type != DHCP4_NAK) {
                *ret_reason = "unexpected-type";
                return -EBADMSG;
        }
        /* RFC 2131 table 3: OFFER and ACK carry the server identifier and an address
         * (an OFFER/ACK with 108 still names one, RFC 8925 §3.2 lets yiaddr be 0 then). */
        if (m->type != DHCP4_NAK && !m->has_server_id) {
                *ret_reason = "no-server-id";
                return -EBADMSG;
        }
        return 0;
}

bool dhcp4_message_equal(const Dhcp4Message *a, const Dhcp4Message *b) {
#define F(f) (a->f == b->f)
#define A(f) (a->f.s_addr == b->f.s_addr)
        if (!(F(op) && F(xid) && F(secs) && F(flags) && A(ciaddr) && A(yiaddr) && A(siaddr) && A(giaddr) &&
              memcmp(a->chaddr, b->chaddr, 6) == 0 && F(type) && F(has_subnet_mask) && A(subnet_mask) &&
              F(n_routers) && F(n_dns_servers) && strcmp(a->domain, b->domain) == 0 && F(mtu) && F(has_broadcast) &&
              A(broadcast) && F(has_requested_address) && A(requested_address) && F(has_lease_time) &&
              F(lease_time) && F(has_server_id) && A(server_id) && F(n_prl) && strcmp(a->message, b->message) == 0 &&
              F(max_message_size) && F(has_t1) && F(has_t2) && F(t1) && F(t2) && F(client_id_len) &&
              F(has_v6only_wait) && F(v6only_wait) && F(has_classless_routes) && F(n_classless_routes)))
                return false;
#undef F
#undef A
        if (a->n_routers > DHCP4_MAX_ROUTERS || a->n_dns_servers > DHCP4_MAX_DNS_SERVERS ||
            a->n_classless_routes > DHCP4_MAX_CLASSLESS_ROUTES || a->n_prl > sizeof(a->prl) ||
            a->client_id_len > sizeof(a->client_id))
                return false;
        for (size_t i = 0; i < a->n_routers; i++)
                if (a->routers[i].s_addr != b->routers[i].s_addr)
                        return false;
        for (size_t i = 0; i < a->n_dns_servers; i++)
                if (a->dns_servers[i].s_addr != b->dns_servers[i].s_addr)
                        return false;
        for (size_t i = 0; i < a->n_classless_routes; i++)
                if (a->classless_routes[i].destination.s_addr != b->classless_routes[i].destination.s_addr ||
                    a->classless_routes[i].prefixlen != b->classless_routes[i].prefixlen ||
                    a->classless_routes[i].gateway.s_addr != b->classless_routes[i].gateway.s_addr)
                        return false;
        return memcmp(a->prl, b->prl, a->n_prl) == 0 && memcmp(a->client_id, b->client_id, a->client_id_len) == 0;
}

/* ---- building ---- */

typedef struct Builder {
        uint8_t *buf;
        size_t size, len;
        bool overflow;
} Builder;

static void put_option(Builder *b, uint8_t code, const void *data, size_t len) {
        const uint8_t *p = data;

        /* RFC 3396: longer than 255 bytes → several instances of the same code. A
         * zero-length option is still written once. */
        do {
                size_t chunk = MIN(len, (size_t) 255);

                if (b->len + 2 + chunk > b->size) {
                        b->overflow = true;
                        return;
                }
                b->buf[b->len] = code;
                b->buf[b->len + 1] = (uint8_t) chunk;
                if (chunk)
                        memcpy(b->buf + b->len + 2, p, chunk);
                b->len += 2 + chunk;
                p += chunk;
                len -= chunk;
        } while (len > 0);
}

static void put_option_u32(Builder *b, uint8_t code, uint32_t v) {
        uint8_t d[4];

        put_be32(d, v);
        put_option(b, code, d, 4);
}

static void put_option_addr(Builder *b, uint8_t code, struct in_addr a) {
        put_option(b, code, &a.s_addr, 4);
}

int dhcp4_message_build(const Dhcp4Message *m, uint8_t *buf, size_t size) {
        Builder b = { .buf = buf, .size = size };

        if (size < DHCP4_BOOTP_MIN_SIZE)
                return -ENOBUFS;
        memset(buf, 0, DHCP4_MIN_SIZE);
        buf[0] = m->op;
        buf[1] = DHCP4_HTYPE_ETHER;
        buf[2] = 6;
        put_be32(buf + 4, m->xid);
        put_be16(buf + 8, m->secs);
        put_be16(buf + 10, m->flags);
        memcpy(buf + 12, &m->ciaddr.s_addr, 4);
        memcpy(buf + 16, &m->yiaddr.s_addr, 4);
        memcpy(buf + 20, &m->siaddr.s_addr, 4);
        memcpy(buf + 24, &m->giaddr.s_addr, 4);
        memcpy(buf + 28, m->chaddr, 6);
        put_be32(buf + DHCP4_HEADER_SIZE, DHCP4_MAGIC_COOKIE);
        b.len = DHCP4_MIN_SIZE;

        /* Message type first (RFC 2131 §4.1 does not require it, but servers and
         * packet dumps read better). */
        put_option(&b, DHCP4_OPTION_MESSAGE_TYPE, &m->type, 1);
        if (m->client_id_len > 0)
                put_option(&b, DHCP4_OPTION_CLIENT_ID, m->client_id, m->client_id_len);
        if (m->has_requested_address)
                put_option_addr(&b, DHCP4_OPTION_REQUESTED_ADDRESS, m->requested_address);
        if (m->has_server_id)
                put_option_addr(&b, DHCP4_OPTION_SERVER_ID, m->server_id);
        if (m->max_message_size) {
                uint8_t d[2];

                put_be16(d, m->max_message_size);
                put_option(&b, DHCP4_OPTION_MAX_MESSAGE_SIZE, d, 2);
        }
        if (m->n_prl > 0)
                put_option(&b, DHCP4_OPTION_PARAMETER_REQUEST_LIST, m->prl, m->n_prl);
        if (m->has_subnet_mask)
                put_option_addr(&b, DHCP4_OPTION_SUBNET_MASK, m->subnet_mask);
        if (m->n_routers > 0)
                put_option(&b, DHCP4_OPTION_ROUTER, m->routers, 4 * MIN(m->n_routers, (size_t) DHCP4_MAX_ROUTERS));
        if (m->n_dns_servers > 0)
                put_option(&b, DHCP4_OPTION_DNS_SERVER, m->dns_servers,
                           4 * MIN(m->n_dns_servers, (size_t) DHCP4_MAX_DNS_SERVERS));
        if (m->domain[0])
                put_option(&b, DHCP4_OPTION_DOMAIN_NAME, m->domain, strnlen(m->domain, DHCP4_DOMAIN_MAX));
        if (m->mtu) {
                uint8_t d[2];

                put_be16(d, m->mtu);
                put_option(&b, DHCP4_OPTION_MTU, d, 2);
        }
        if (m->has_broadcast)
                put_option_addr(&b, DHCP4_OPTION_BROADCAST, m->broadcast);
        if (m->has_lease_time)
                put_option_u32(&b, DHCP4_OPTION_LEASE_TIME, m->lease_time);
        if (m->has_t1)
                put_option_u32(&b, DHCP4_OPTION_RENEWAL_TIME, m->t1);
        if (m->has_t2)
                put_option_u32(&b, DHCP4_OPTION_REBINDING_TIME, m->t2);
        if (m->message[0])
                put_option(&b, DHCP4_OPTION_MESSAGE, m->message, strnlen(m->message, sizeof(m->message) - 1));
        if (m->has_v6only_wait)
                put_option_u32(&b, DHCP4_OPTION_IPV6_ONLY_PREFERRED, m->v6only_wait);
        if (m->has_classless_routes) {
                uint8_t d[DHCP4_MAX_CLASSLESS_ROUTES * 9];
                size_t n = 0;

                for (size_t i = 0; i < MIN(m->n_classless_routes, (size_t) DHCP4_MAX_CLASSLESS_ROUTES); i++) {
                        const Dhcp4Route *rt = m->classless_routes + i;
                        uint8_t width = MIN(rt->prefixlen, (uint8_t) 32);
                        size_t octets = (width + 7u) / 8u;

                        d[n++] = width;
                        memcpy(d + n, &rt->destination.s_addr, octets);
                        n += octets;
                        memcpy(d + n, &rt->gateway.s_addr, 4);
                        n += 4;
                }
                put_option(&b, DHCP4_OPTION_CLASSLESS_ROUTES, d, n);
        }

        if (b.overflow || b.len + 1 > size)
                return -ENOBUFS;
        buf[b.len++] = DHCP4_OPTION_END;
        if (b.len < DHCP4_BOOTP_MIN_SIZE) {
                memset(buf + b.len, 0, DHCP4_BOOTP_MIN_SIZE - b.len);
                b.len = DHCP4_BOOTP_MIN_SIZE;
        }
        return (int) b.len;
}

/* ---- IPv4/UDP ---- */

static uint32_t checksum_add(uint32_t sum, const uint8_t *p, size_t len) {
        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t) (p[i] << 8 | p[i + 1]);
        if (len & 1)
                sum += (uint32_t) p[len - 1] << 8;
        return sum;
}

static uint16_t checksum_fold(uint32_t sum) {
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t) ~sum;
}

static uint32_t udp_pseudo_sum(const uint8_t *ip, uint16_t udp_len) {
        uint32_t sum = 0;

        sum = checksum_add(sum, ip + 12, 8); /* source, destination */
        sum += 17;                           /* IPPROTO_UDP */
        sum += udp_len;
        return sum;
}

int dhcp4_packet_parse_udp(const uint8_t *data, size_t size, uint16_t dst_port, bool verify_udp_checksum,
                           struct in_addr *ret_source,
                           const uint8_t **ret_payload, size_t *ret_payload_size, const char **ret_reason) {
        size_t ihl, total, udp_len;
        const uint8_t *udp;
        const char *reason = NULL;

        if (!ret_reason)
                ret_reason = &reason;
        if (size < 20 || (data[0] >> 4) != 4 || (data[0] & 0x0f) < 5) {
                *ret_reason = "bad-ip-header";
                return -EBADMSG;
        }
        ihl = (size_t) (data[0] & 0x0f) * 4;
        total = get_be16(data + 2);
        if (total < ihl + 8 || total > size || size < ihl + 8) {
                *ret_reason = "bad-ip-length";
                return -EBADMSG;
        }
        if (data[9] != 17) {
                *ret_reason = "not-udp";
                return -EBADMSG;
        }
        if (get_be16(data + 6) & 0x3fff) { /* MF or a fragment offset */
                *ret_reason = "ip-fragment";
                return -EBADMSG;
        }
        if (checksum_fold(checksum_add(0, data, ihl)) != 0) {
                *ret_reason = "bad-ip-checksum";
                return -EBADMSG;
        }
        udp = data + ihl;
        udp_len = get_be16(udp + 4);
        if (udp_len < 8 || udp_len > total - ihl) {
                *ret_reason = "bad-udp-length";
                return -EBADMSG;
        }
        if (get_be16(udp + 2) != dst_port) {
                *ret_reason = "wrong-port";
                return -EBADMSG;
        }
        if (verify_udp_checksum && get_be16(udp + 6) != 0 &&
            checksum_fold(checksum_add(udp_pseudo_sum(data, (uint16_t) udp_len), udp, udp_len)) != 0) {
                *ret_reason = "bad-udp-checksum";
                return -EBADMSG;
        }
        if (ret_source)
                memcpy(&ret_source->s_addr, data + 12, 4);
        *ret_payload = udp + 8;
        *ret_payload_size = udp_len - 8;
        return 0;
}

size_t dhcp4_packet_build_udp(uint8_t *buf, size_t payload_size, struct in_addr source, uint16_t source_port,
                              struct in_addr destination, uint16_t destination_port) {
        uint8_t *ip = buf, *udp = buf + 20;
        size_t total = DHCP4_IP_UDP_HEADER_SIZE + payload_size;
        uint16_t sum;

        memset(buf, 0, DHCP4_IP_UDP_HEADER_SIZE);
        ip[0] = 0x45;
        ip[1] = 0xc0; /* DSCP CS6, "network control", as other DHCP clients send */
        put_be16(ip + 2, (uint16_t) total);
        ip[8] = 64;
        ip[9] = 17;
        memcpy(ip + 12, &source.s_addr, 4);
        memcpy(ip + 16, &destination.s_addr, 4);
        put_be16(ip + 10, checksum_fold(checksum_add(0, ip, 20)));

        put_be16(udp, source_port);
        put_be16(udp + 2, destination_port);
        put_be16(udp + 4, (uint16_t) (8 + payload_size));
        sum = checksum_fold(checksum_add(udp_pseudo_sum(ip, (uint16_t) (8 + payload_size)), udp, 8 + payload_size));
        put_be16(udp + 6, sum ?: 0xffff);
        return total;
}

/* ---- ARP ---- */

void arp4_build(uint8_t buf[ARP4_PACKET_SIZE], uint16_t operation, const uint8_t sender_mac[6],
                struct in_addr sender_ip, struct in_addr target_ip) {
        put_be16(buf, 1);      /* Ethernet */
        put_be16(buf + 2, 0x0800); /* IPv4 */
        buf[4] = 6;
        buf[5] = 4;
        put_be16(buf + 6, operation);
        memcpy(buf + 8, sender_mac, 6);
        memcpy(buf + 14, &sender_ip.s_addr, 4);
        memset(buf + 18, 0, 6);
        memcpy(buf + 24, &target_ip.s_addr, 4);
}

bool arp4_is_conflict(const uint8_t *data, size_t size, const uint8_t own_mac[6], struct in_addr address) {
        struct in_addr sender, target;

        if (size < ARP4_PACKET_SIZE || get_be16(data) != 1 || get_be16(data + 2) != 0x0800 || data[4] != 6 ||
            data[5] != 4)
                return false;
        if (memcmp(data + 8, own_mac, 6) == 0)
                return false; /* our own probe, looped back */
        memcpy(&sender.s_addr, data + 14, 4);
        memcpy(&target.s_addr, data + 24, 4);
        if (sender.s_addr == address.s_addr)
                return true;
        return sender.s_addr == 0 && target.s_addr == address.s_addr && get_be16(data + 6) == 1;
}
