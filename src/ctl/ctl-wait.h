/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_wait(int argc, char *argv[]);
