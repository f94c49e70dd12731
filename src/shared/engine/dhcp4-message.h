/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * DHCPv4 messages (RFC 2131, options RFC 2132) and the IPv4/UDP framing a raw packet
 * socket needs, as pure functions: bytes in, a parsed struct out, and back. No sockets,
 * no clocks, no allocation visible to the caller.
 *
 * Every refusal names its reason with a short static string ("bad-cookie",
 * "option-overrun"...): the client counts dropped messages by that name.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP4_SERVER_PORT 67
#define DHCP4_CLIENT_PORT 68

#define DHCP4_OP_BOOTREQUEST 1
#define DHCP4_OP_BOOTREPLY 2
#define DHCP4_HTYPE_ETHER 1
#define DHCP4_FLAG_BROADCAST 0x8000
#define DHCP4_MAGIC_COOKIE 0x63825363u

/* The fixed BOOTP part (op .. file) is 236 bytes, then the 4-byte cookie. */
#define DHCP4_HEADER_SIZE 236
#define DHCP4_MIN_SIZE (DHCP4_HEADER_SIZE + 4)
/* RFC 2131 §2: a client must accept 576-byte IP datagrams; BOOTP relays expect at
 * least 300 bytes of BOOTP message, so built messages are padded to that. */
#define DHCP4_BOOTP_MIN_SIZE 300
#define DHCP4_MIN_MAX_MESSAGE_SIZE 576

enum dhcp4_message_type {
        DHCP4_DISCOVER = 1,
        DHCP4_OFFER = 2,
        DHCP4_REQUEST = 3,
        DHCP4_DECLINE = 4,
        DHCP4_ACK = 5,
        DHCP4_NAK = 6,
        DHCP4_RELEASE = 7,
        DHCP4_INFORM = 8,
};

enum dhcp4_option {
        DHCP4_OPTION_PAD = 0,
        DHCP4_OPTION_SUBNET_MASK = 1,
        DHCP4_OPTION_ROUTER = 3,
        DHCP4_OPTION_DNS_SERVER = 6,
        DHCP4_OPTION_HOST_NAME = 12,
        DHCP4_OPTION_DOMAIN_NAME = 15,
        DHCP4_OPTION_MTU = 26,
        DHCP4_OPTION_BROADCAST = 28,
        DHCP4_OPTION_REQUESTED_ADDRESS = 50,
        DHCP4_OPTION_LEASE_TIME = 51,
        DHCP4_OPTION_OVERLOAD = 52,
        DHCP4_OPTION_MESSAGE_TYPE = 53,
        DHCP4_OPTION_SERVER_ID = 54,
        DHCP4_OPTION_PARAMETER_REQUEST_LIST = 55,
        DHCP4_OPTION_MESSAGE = 56,
        DHCP4_OPTION_MAX_MESSAGE_SIZE = 57,
        DHCP4_OPTION_RENEWAL_TIME = 58,
        DHCP4_OPTION_REBINDING_TIME = 59,
        DHCP4_OPTION_CLIENT_ID = 61,
        DHCP4_OPTION_IPV6_ONLY_PREFERRED = 108, /* RFC 8925 */
        DHCP4_OPTION_CLASSLESS_ROUTES = 121,    /* RFC 3442 */
        DHCP4_OPTION_END = 255,
};

#define DHCP4_MAX_ROUTERS 8
#define DHCP4_MAX_DNS_SERVERS 8
#define DHCP4_MAX_CLASSLESS_ROUTES 64
#define DHCP4_DOMAIN_MAX 253

/* RFC 3442: destination/prefixlen via gateway; gateway 0.0.0.0 means on-link. */
typedef struct Dhcp4Route {
        struct in_addr destination; /* bits past prefixlen are zero */
        uint8_t prefixlen;
        struct in_addr gateway;
} Dhcp4Route;

/* A parsed (or to-be-built) message. Zero-initialise before filling it for a build:
 * build→parse gives back an equal struct (dhcp4_message_equal()), which the fuzzer checks. */
typedef struct Dhcp4Message {
        uint8_t op;
        uint32_t xid; /* host order */
        uint16_t secs;
        uint16_t flags;
        struct in_addr ciaddr, yiaddr, siaddr, giaddr;
        uint8_t chaddr[6]; /* Ethernet only (htype 1, hlen 6) */

        uint8_t type; /* option 53, required */

        bool has_subnet_mask;
        struct in_addr subnet_mask; /* 1 */
        size_t n_routers;
        struct in_addr routers[DHCP4_MAX_ROUTERS]; /* 3 */
        size_t n_dns_servers;
        struct in_addr dns_servers[DHCP4_MAX_DNS_SERVERS]; /* 6 */
        char domain[DHCP4_DOMAIN_MAX + 1];                 /* 15, "" if absent or invalid */
        uint16_t mtu;                                      /* 26, 0 if absent or < 68 */
        bool has_broadcast;
        struct in_addr broadcast; /* 28 */
        bool has_requested_address;
        struct in_addr requested_address; /* 50 */
        bool has_lease_time;
        uint32_t lease_time; /* 51, seconds; UINT32_MAX = infinite */
        bool has_server_id;
        struct in_addr server_id; /* 54 */
        size_t n_prl;
        uint8_t prl[255]; /* 55 */
        char message[256]; /* 56, non-printable bytes replaced by '?' */
        uint16_t max_message_size; /* 57, 0 if absent or < 576 */
        bool has_t1, has_t2;
        uint32_t t1, t2; /* 58, 59 */
        size_t client_id_len;
        uint8_t client_id[255]; /* 61 */
        bool has_v6only_wait;
        uint32_t v6only_wait; /* 108, seconds */
        bool has_classless_routes; /* 121 present and valid (may hold 0 routes) */
        size_t n_classless_routes;
        Dhcp4Route classless_routes[DHCP4_MAX_CLASSLESS_ROUTES];
} Dhcp4Message;

/* Parse a DHCP message (the UDP payload). Checks size, magic cookie, hardware type,
 * option framing (RFC 2131 §4.1, overload per RFC 2132 §9.3, split options concatenated
 * per RFC 3396) and that option 53 is present and valid. Options with a wrong length are
 * ignored one by one. Returns 0, or -EBADMSG with *ret_reason set. */
int dhcp4_message_parse(const uint8_t *data, size_t size, Dhcp4Message *ret, const char **ret_reason);

/* What a client checks on top of dhcp4_message_parse(): a BOOTREPLY for our xid and
 * chaddr, of a type a client accepts, with a server identifier where RFC 2131 requires
 * one. Returns 0 or -EBADMSG with *ret_reason. */
int dhcp4_message_check_reply(const Dhcp4Message *m, uint32_t xid, const uint8_t chaddr[6], const char **ret_reason);

/* Serialise m (every present field) into buf; pads to DHCP4_BOOTP_MIN_SIZE. Options longer
 * than 255 bytes are split (RFC 3396). Returns the length, or -ENOBUFS. */
int dhcp4_message_build(const Dhcp4Message *m, uint8_t *buf, size_t size);

/* Field by field (struct padding is not compared). */
bool dhcp4_message_equal(const Dhcp4Message *a, const Dhcp4Message *b);

const char *dhcp4_message_type_to_string(uint8_t type);

/* The prefix length of a contiguous netmask, or -EINVAL. */
int dhcp4_netmask_to_prefixlen(struct in_addr mask);

/* ---- IPv4 + UDP framing for AF_PACKET/SOCK_DGRAM sockets (the frame starts at IP) ---- */

#define DHCP4_IP_UDP_HEADER_SIZE 28

/* Check an IPv4/UDP datagram to the DHCP client port: version, header length, not a
 * fragment, protocol UDP, lengths, IP header checksum and UDP checksum (when set and
 * `verify_udp_checksum`: a packet socket sees locally sent packets, over veth for
 * instance, before the checksum is filled in; PACKET_AUXDATA says so).
 * Returns 0 with *ret_payload and *ret_payload_size and the source address, or -EBADMSG
 * with *ret_reason. */
int dhcp4_packet_parse_udp(const uint8_t *data, size_t size, uint16_t dst_port, bool verify_udp_checksum,
                           struct in_addr *ret_source,
                           const uint8_t **ret_payload, size_t *ret_payload_size, const char **ret_reason);

/* Prepend IPv4+UDP headers with checksums: buf holds DHCP4_IP_UDP_HEADER_SIZE bytes of
 * room followed by the payload of payload_size bytes. Returns the total length. */
size_t dhcp4_packet_build_udp(uint8_t *buf, size_t payload_size, struct in_addr source, uint16_t source_port,
                              struct in_addr destination, uint16_t destination_port);

/* ---- RFC 5227 ARP probes (Ethernet/IPv4 ARP, 28 bytes after the Ethernet header) ---- */

#define ARP4_PACKET_SIZE 28

void arp4_build(uint8_t buf[ARP4_PACKET_SIZE], uint16_t operation, const uint8_t sender_mac[6],
                struct in_addr sender_ip, struct in_addr target_ip);

/* Does this ARP packet show another host using (or probing for) `address`? RFC 5227
 * §2.1.1: any ARP packet whose sender IP is the address, or a probe (sender IP 0) for
 * it from another hardware address. */
bool arp4_is_conflict(const uint8_t *data, size_t size, const uint8_t own_mac[6], struct in_addr address);
