#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-vm-systemd.sh [meson|deb] [TESTS...]: one VM boot with systemd as PID 1
# (test/vm/v6m-vm.sh, V6M_VM_INIT=systemd) for the tests of the installed daemon
# (test/vm/systemd/test-*.sh; TESTS are guest-tests.sh names, systemd-unit ...).
#
#   meson  this run's build installed into the guest: `meson install --destdir` of a
#          build configured with --prefix=/usr (the build under test when its prefix is
#          /usr, else a sibling build of the same source, vm-prefix-usr/ in the build
#          directory, compiled here), staged onto the guest's / before systemd starts.
#   deb    the Debian package (debian/, helper tools/package) built here once from a
#          copy of the source with dpkg-buildpackage -b (nocheck), then installed in the
#          guest by test-deb.sh with dpkg -i. Skips (77) without debian/ or its build
#          dependencies.
#
# Skips (77) when the VM cannot run. Bounded by V6M_VM_TIMEOUT (a hang guard).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "skipped: $*"; exit 77; }
mode=${1:-meson}
shift || true
src=${V6MOSTLY_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
build=${V6MOSTLY_BUILD_ROOT:-$src/build}
[[ $(id -u) == 0 ]] || skip "not root"

stage=$(mktemp -d /tmp/v6m-vm-stage.XXXXXX)
work=""
cleanup() { rm -rf "$stage" ${work:+"$work"}; }
trap cleanup EXIT
trap 'exit 143' TERM INT
chmod 755 "$stage"

case $mode in
meson)
        (( $# )) || set -- systemd-unit systemd-bus systemd-journal systemd-clat
        prefix=$(meson introspect --buildoptions "$build" | jq -r '.[] | select(.name == "prefix") | .value')
        if [[ $prefix != /usr ]]; then
                usr=$build/vm-prefix-usr
                # The paths that systemd, dbus-daemon and sysusers read are the
                # prefix's: a second configuration of the same source under /usr.
                if [[ ! -f $usr/build.ninja ]]; then
                        meson setup --prefix=/usr "$usr" "$src" >"$stage.setup.log" 2>&1 ||
                                { cat "$stage.setup.log"; rm -f "$stage.setup.log"; exit 1; }
                        rm -f "$stage.setup.log"
                fi
                echo "V6M-VM: building $usr (--prefix=/usr)"
                nice meson compile -C "$usr" >/dev/null || { echo "V6M-VM: build of $usr failed"; exit 1; }
                build=$usr
        fi
        t0=$SECONDS
        meson install -C "$build" --destdir "$stage" --no-rebuild --quiet
        echo "V6M-VM: meson install --destdir of $build: $(find "$stage" -type f | wc -l) files ($((SECONDS - t0)) s)"
        ;;
deb)
        (( $# )) || set -- systemd-deb
        [[ -d $src/debian ]] || skip "no debian/ in $src (the package is not in this tree)"
        command -v dpkg-buildpackage >/dev/null || skip "dpkg-dev not installed"
        (cd "$src" && dpkg-checkbuilddeps) >/dev/null 2>&1 ||
                skip "build dependencies of debian/control missing: $(cd "$src" && dpkg-checkbuilddeps 2>&1 | tail -1)"
        # A copy of the source: dpkg-buildpackage writes debian/, obj-*/ and ../*.deb.
        work=$(mktemp -d /tmp/v6m-vm-deb.XXXXXX)
        mkdir "$work/src"
        if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
                (cd "$src" && git ls-files -z --cached --others --exclude-standard |
                        tar --null -T - -cf - --ignore-failed-read) | tar -C "$work/src" -xf -
        else
                tar -C "$src" --exclude='./build*' -cf - . | tar -C "$work/src" -xf -
        fi
        t0=$SECONDS
        if ! (cd "$work/src" && DEB_BUILD_OPTIONS=nocheck nice dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
                tail -n 40 "$work/build.log"
                echo "V6M-VM: dpkg-buildpackage failed"
                exit 1
        fi
        mkdir -p "$stage/root/v6m-deb"
        cp "$work"/*.deb "$stage/root/v6m-deb/"
        echo "V6M-VM: dpkg-buildpackage -b: $(cd "$work" && ls -- *.deb | tr '\n' ' ')($((SECONDS - t0)) s)"
        ls -l "$work"/*.deb
        ;;
*) echo "usage: $0 [meson|deb] [TESTS...]" >&2; exit 2 ;;
esac

V6M_VM_INIT=systemd V6M_VM_STAGE=$stage \
        "$here/v6m-vm.sh" "${V6M_VM_TIMEOUT:-1200}" "$here/guest-tests.sh" "$@"
