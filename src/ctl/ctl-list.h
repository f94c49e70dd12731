/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_list(int argc, char *argv[]);
