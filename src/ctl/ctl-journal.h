/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* How many, as networkctl shows by default. */
#define CTL_JOURNAL_LINES 10

/* The last N_LINES journal entries of this boot that v6mostlyd.service logged about
 * the link IFNAME (INTERFACE=), printed after a blank line as `networkctl status LINK`
 * does. Nothing is printed when there are none or the journal cannot be read (a user
 * outside systemd-journal and adm sees no system journal): that is not an error of
 * `status`. Returns the number of lines printed or a negative errno. */
int show_link_journal(const char *ifname, unsigned n_lines);
