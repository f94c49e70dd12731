#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One VM boot (Debian's 6.1 kernel, test/vm/v6m-vm.sh) for the tests that need a
# kernel with loadable modules: the kmod CLAT backend's e2e test, and the eBPF
# backend's e2e test once more on a second kernel. Skips (77) when the VM cannot run.
# Bounded: 660 s for the whole VM run (a hang guard: TCG on a quiet 2-CPU host needs about 110-170 s, on a loaded one over 250 s; each guest test has 300 s).
here=$(cd "$(dirname "$0")" && pwd)
(( $# )) || set -- kmod ebpf
exec "$here/v6m-vm.sh" "${V6M_VM_TIMEOUT:-660}" "$here/guest-tests.sh" "$@"
