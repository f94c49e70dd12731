/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_reload(int argc, char *argv[]);
int verb_renew(int argc, char *argv[]);
int verb_reconfigure(int argc, char *argv[]);
