#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs in the 6.1 guest (test/vm/v6m-vm.sh): the e2e tests that need a kernel with
# loadable modules (kmod backend) and those proven on a second kernel (eBPF backend).
# ARGS: test names ("kmod", "ebpf", "bench"; in a guest with systemd as PID 1, see
# test/vm/run-vm-systemd.sh: "systemd-unit", "systemd-bus", "systemd-journal",
# "systemd-clat", "systemd-deb"). Exit: the number of failed tests (0 = all passed;
# skipped ones do not count).
e2e=$V6MOSTLY_SOURCE_ROOT/test/e2e
sd=$V6MOSTLY_SOURCE_ROOT/test/vm/systemd
failed=0
summary=()
# run [--timeout S] SCRIPT [ARGS...]: a hang guard per test (V6M_GUEST_TEST_TIMEOUT,
# 300 s, unless told).
run() {
        local rc=0 t0=$SECONDS out line limit=${V6M_GUEST_TEST_TIMEOUT:-300}
        [[ $1 == --timeout ]] && { limit=$2; shift 2; }
        out=$(mktemp)
        echo "=== guest: $* ==="
        # A hang guard, not a timed test: under TCG on a loaded 2-CPU host the eBPF test
        # alone took over 150 s.
        timeout "$limit" bash "$@" 2>&1 | tee "$out"
        rc=${PIPESTATUS[0]}
        echo "=== guest: $* → exit $rc ($((SECONDS - t0)) s) ==="
        if (( rc != 0 && rc != 77 )); then
                failed=$((failed + 1))
                summary+=("$(basename "$1"): exit $rc")
                while IFS= read -r line; do summary+=("    $line"); done < <(grep -a '^FAIL' "$out")
        fi
        rm -f "$out"
}
# No udev in the guest: /dev/net/tun appears only once tun is loaded.
for m in tun veth ipvlan jool_siit; do modprobe "$m" || echo "guest: modprobe $m failed"; done
for t in "$@"; do
        case $t in
        kmod) run "$e2e/test-clat-kmod.sh" ;;
        ebpf) run "$e2e/test-clat-ebpf.sh" ;;
        bench) run "$V6MOSTLY_SOURCE_ROOT/bench/clat-kmod-vm.sh" --guest ;;
        # Under TCG the watchdog wait alone is WatchdogSec (30 s) plus the restart.
        systemd-unit|systemd-bus|systemd-journal|systemd-clat|systemd-deb)
                run --timeout 400 "$sd/test-${t#systemd-}.sh" ;;
        *) echo "guest: unknown test $t"; failed=$((failed + 1)) ;;
        esac
done
# The host's test log keeps only the end of a long output: repeat what failed there.
if (( failed > 0 )); then
        echo "=== guest: failed ==="
        printf '%s\n' "${summary[@]}"
fi
exit "$failed"
