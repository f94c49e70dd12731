/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Arbitrary bytes as a DHCP message (UDP payload) and as an IPv4/UDP datagram and an ARP
 * packet: nothing may crash, and whatever parses must build and parse back to the same
 * message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp4-message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const Dhcp4Message *m) {
        static uint8_t buf[8192];
        Dhcp4Message again;
        const char *reason = NULL;
        int len;

        len = dhcp4_message_build(m, buf, sizeof(buf));
        if (len < 0) {
                fprintf(stderr, "A parsed message does not build: %d\n", len);
                abort();
        }
        if (dhcp4_message_parse(buf, (size_t) len, &again, &reason) < 0) {
                fprintf(stderr, "A built message does not parse: %s\n", reason);
                abort();
        }
        if (!dhcp4_message_equal(m, &again)) {
                fprintf(stderr, "build→parse changed the message\n");
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const uint8_t mac[6] = { 0x02, 0, 0x5e, 0x10, 0, 1 };
        const uint8_t *payload;
        size_t payload_size;
        struct in_addr from;
        Dhcp4Message m;
        const char *reason = NULL;

        if (size > 65536)
                return 0;

        if (dhcp4_message_parse(data, size, &m, &reason) >= 0) {
                (void) dhcp4_message_check_reply(&m, m.xid, m.chaddr, &reason);
                (void) dhcp4_message_check_reply(&m, 0, mac, &reason);
                check_round_trip(&m);
        } else if (!reason) {
                fprintf(stderr, "Refused without a reason\n");
                abort();
        }

        if (dhcp4_packet_parse_udp(data, size, DHCP4_CLIENT_PORT, true, &from, &payload, &payload_size, &reason) >= 0) {
                if (payload < data || payload + payload_size > data + size)
                        abort();
                if (dhcp4_message_parse(payload, payload_size, &m, &reason) >= 0)
                        check_round_trip(&m);
        }

        (void) arp4_is_conflict(data, size, mac, (struct in_addr) { .s_addr = 0x3202000c });
        return 0;
}
