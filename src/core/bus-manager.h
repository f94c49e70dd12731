/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-api.h"
#include "manager.h"

/* Register the manager and link objects on `bus`. */
int bus_manager_setup(Manager *m, sd_bus *bus);
/* Methods that change things need root, on top of the D-Bus policy. */
int bus_check_privileged(sd_bus_message *message, sd_bus_error *error);
