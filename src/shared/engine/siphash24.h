/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 (Aumasson & Bernstein), a keyed PRF with a 128-bit key and a 64-bit output.
 * Used as RFC 7217's F() for the stable CLAT interface identifier. */
uint64_t siphash24(const void *data, size_t size, const uint8_t key[static 16]);
