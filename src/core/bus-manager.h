/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

#define BUS_MANAGER_PATH "/org/v6mostly1"
#define BUS_MANAGER_INTERFACE "org.v6mostly1.Manager"
#define BUS_ERROR_NO_SUCH_LINK "org.v6mostly1.Error.NoSuchLink"
#define BUS_ERROR_NOT_MANAGED "org.v6mostly1.Error.NotManaged"

/* Register the manager and link objects on `bus`. */
int bus_manager_setup(Manager *m, sd_bus *bus);
/* Methods that change things need root, on top of the D-Bus policy. */
int bus_check_privileged(sd_bus_message *message, sd_bus_error *error);
