#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# v6m-vm.sh TIMEOUT SCRIPT [ARGS...]: boot Debian's 6.1 kernel in qemu (KVM if it works, else TCG)
# with the host's root shared read-only over 9p under a tmpfs overlay, run SCRIPT as
# root in the guest, power off; exit with SCRIPT's status. The guest sees the very
# binaries of the host (this build tree, ip, tayga, iperf3, jool_siit for 6.1 built by
# dkms). Exit 77 and "skipped: <why>" when the VM cannot run here. Everything it makes
# (initramfs, qemu) lives in a temp dir removed on exit; qemu is killed by PID.
# See TESTBED-FACTS ("A kernel with loadable modules, in a VM").
#
# Two modes (V6M_VM_INIT):
#   bash (default)  the initramfs switch_roots into a bash that runs SCRIPT: no init
#                   system, no udev, no bus (the kmod and eBPF tests start their own).
#   systemd         the initramfs switch_roots into Debian's systemd as PID 1
#                   (/lib/systemd/systemd). The kernel command line says
#                   systemd.unit=v6m-test.target: the guest overlay holds that target
#                   (basic.target, so journald, udev, sysusers, tmpfiles and dbus.socket
#                   run as on a real host) and v6m-test.service, which runs SCRIPT with
#                   its output on the console, prints V6M-VM-EXIT= and powers off.
#                   Nothing of the host's multi-user.target starts; timers.target (apt,
#                   man-db, fstrim...), getty, timesyncd, pstore, networkd are masked;
#                   /etc/fstab is empty (the host's entries would wait 90 s for disks
#                   the guest lacks); the journal is volatile; /tmp and /var/tmp are
#                   the guest's own tmpfs; the host's docker marker /.dockerenv is
#                   hidden (systemd would take the VM for a container and ignore the
#                   kernel command line).
#                   V6M_VM_STAGE=DIR: a tree copied onto the guest's / before systemd
#                   starts (a `meson install --destdir` of the build, a .deb to
#                   install), so that systemd, dbus-daemon and systemd-sysusers find the
#                   unit, the bus policy, the activation file and the sysusers.d snippet
#                   where they read them on a real host. A stage's /lib, /bin, /sbin go
#                   under /usr (Debian 12 is merged-/usr: the guest's /lib is a symlink
#                   that the copy must not replace with a directory).
#                   The guest prints "V6M-VM: guest up ... after N s" (its /proc/uptime
#                   when the test starts: the boot time with systemd, kernel included;
#                   about 32 s under TCG on two shared CPUs). test/vm/run-vm-systemd.sh
#                   uses this mode.
set -euo pipefail

skip() { echo "skipped: $*"; exit 77; }
(( $# >= 2 )) || { echo "usage: $0 TIMEOUT SCRIPT [ARGS...]" >&2; exit 2; }
timeout_s=$1; shift
script=$(realpath "$1"); shift

[[ $(id -u) == 0 ]] || skip "not root"
qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86 not installed (run tools/deps)"
kver=""
for k in /boot/vmlinuz-6.1.*; do
        [[ -e $k ]] || continue
        v=${k#/boot/vmlinuz-}
        [[ -d /lib/modules/$v/kernel ]] && kver=$v
done
[[ -n $kver ]] || skip "no Debian 6.1 kernel with modules in /boot and /lib/modules (linux-image-amd64)"
[[ -r /boot/vmlinuz-$kver ]] || skip "/boot/vmlinuz-$kver not readable"
busybox=/bin/busybox
[[ -x $busybox ]] || skip "busybox not installed (run tools/deps)"
command -v cpio >/dev/null || skip "cpio not installed"

tmp=$(mktemp -d /tmp/v6m-vm.XXXXXX)
qemu_pid=""
cleanup() {
        if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
                kill "$qemu_pid" 2>/dev/null || true
                wait "$qemu_pid" 2>/dev/null || true
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# ---- initramfs: static busybox, the modules to reach 9p + overlay, an init
root=$tmp/initramfs
mkdir -p "$root"/{bin,dev,proc,sys,mnt/ro,mnt/rw,mnt/new,mods}
cp "$busybox" "$root/bin/busybox"
# Debian's busybox is dynamically linked: its libraries go along, at the same paths.
for lib in $(ldd "$busybox" 2>/dev/null | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
done
mods=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p overlay)
for m in "${mods[@]}"; do
        f=$(find "/lib/modules/$kver/kernel" -name "$m.ko*" -print -quit)
        [[ -n $f ]] || continue # built in
        case $f in
        *.ko.xz) xz -dc "$f" >"$root/mods/$m.ko" ;;
        *.ko.zst) zstd -qdc "$f" >"$root/mods/$m.ko" ;;
        *) cp "$f" "$root/mods/$m.ko" ;;
        esac
done
cp "$script" "$root/guest-script"
printf '%q ' "$@" >"$root/guest-args"
# The meson environment of the test (V6MOSTLY*, V6M_*, the sanitizers' options) goes along.
declare -px $(compgen -e | grep -E '^(V6MOSTLY|V6M_|ASAN_OPTIONS$|LSAN_OPTIONS$|UBSAN_OPTIONS$)' || true) >"$root/guest-env" 2>/dev/null || : >"$root/guest-env"
# The build's binaries go along as a copy taken now, not over 9p: a rebuild on the host
# during the run (ld unlinks the old file and the new one often gets the same inode
# number) leaves the guest's 9p page cache holding pages of the old file under the new
# one, so a later mmap (dlopen) sees a mix of both. A plugin relinked that way made the
# eBPF backend fail in the guest with "cannot open the BPF object: Invalid argument":
# its embedded BPF object was half old, half new.
build=${V6MOSTLY_BUILD_ROOT:-${V6MOSTLY_SOURCE_ROOT:-.}/build}
daemon=${V6MOSTLYD:-$build/src/core/v6mostlyd}
ctl=${V6MOSTLYCTL:-$build/src/ctl/v6mostlyctl}
plugins=${V6MOSTLY_PLUGIN_DIR:-$build/src/plugins}
if [[ -x $daemon && -x $ctl && -d $plugins ]]; then
        mkdir -p "$root/v6m-build/plugins"
        cp "$daemon" "$root/v6m-build/v6mostlyd"
        cp "$ctl" "$root/v6m-build/v6mostlyctl"
        cp "$plugins"/*.so "$root/v6m-build/plugins/" 2>/dev/null || true
        cat >>"$root/guest-env" <<'ENV'
export V6MOSTLYD=/run/v6m-vm/build/v6mostlyd V6MOSTLYCTL=/run/v6m-vm/build/v6mostlyctl
export V6MOSTLY_PLUGIN_DIR=/run/v6m-vm/build/plugins
ENV
fi
vm_init=${V6M_VM_INIT:-bash}
case $vm_init in
bash) kernel_args="" ;;
systemd)
        [[ -x /lib/systemd/systemd ]] || skip "systemd not installed (/lib/systemd/systemd)"
        kernel_args="systemd.unit=v6m-test.target systemd.show_status=error"
        tree=$root/v6m-root
        mkdir -p "$tree"
        if [[ -n ${V6M_VM_STAGE:-} ]]; then
                [[ -d $V6M_VM_STAGE ]] || { echo "V6M-VM: V6M_VM_STAGE=$V6M_VM_STAGE is not a directory"; exit 2; }
                cp -a "$V6M_VM_STAGE/." "$tree/"
                for d in bin sbin lib lib64; do
                        if [[ -L /$d && -d $tree/$d && ! -L $tree/$d ]]; then
                                mkdir -p "$tree/usr/$d"
                                cp -a "$tree/$d/." "$tree/usr/$d/"
                                rm -rf "${tree:?}/$d"
                        fi
                done
        fi
        units=$tree/etc/systemd/system
        mkdir -p "$units" "$tree/etc/systemd/journald.conf.d"
        cat >"$units/v6m-test.target" <<'UNIT'
[Unit]
Description=v6mostly VM test (test/vm/v6m-vm.sh)
Requires=basic.target v6m-test.service
After=basic.target
AllowIsolate=yes
UNIT
        cat >"$units/v6m-test.service" <<'UNIT'
[Unit]
Description=v6mostly VM test script
After=basic.target dbus.socket
Wants=dbus.socket
# If the script's shell dies without powering off, the VM still ends.
FailureAction=poweroff-force
SuccessAction=poweroff-force

[Service]
Type=exec
ExecStart=/bin/bash /run/v6m-vm/run
StandardInput=null
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no
UNIT
        for u in timers.target getty.target systemd-timesyncd.service systemd-pstore.service \
                 serial-getty@ttyS0.service systemd-networkd.service systemd-networkd.socket \
                 networking.service systemd-firstboot.service; do
                ln -sf /dev/null "$units/$u"
        done
        printf '[Journal]\nStorage=volatile\n' >"$tree/etc/systemd/journald.conf.d/v6m-vm.conf"
        : >"$tree/etc/fstab"
        # tar ... "./" gives the guest's / these modes: it must stay traversable.
        chmod 755 "$tree" "$tree/etc" "$tree/etc/systemd" "$units"
        cat >"$root/guest-run" <<'RUN'
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
echo "V6M-VM: guest up, kernel $(uname -r), $(systemctl --version | head -1) as PID 1, after $(cut -d' ' -f1 /proc/uptime) s"
. /run/v6m-vm/guest-env
eval "set -- $(cat /run/v6m-vm/guest-args)"
bash /run/v6m-vm/script "$@"
echo "V6M-VM-EXIT=$?"
sync
systemctl poweroff --force --force 2>/dev/null || echo o >/proc/sysrq-trigger
sleep 30
RUN
        ;;
*) echo "V6M-VM: V6M_VM_INIT must be bash or systemd"; exit 2 ;;
esac
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
echo "V6M-VM: init"
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p overlay; do
        [ -e /mods/$m.ko ] && insmod /mods/$m.ko
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /mnt/ro || { echo "V6M-VM: 9p mount failed"; poweroff -f; }
mount -t tmpfs -o size=2g tmpfs /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay overlay -o lowerdir=/mnt/ro,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work /mnt/new ||
        { echo "V6M-VM: overlay mount failed"; poweroff -f; }
# The host's /run (stale /run/netns entries, pid files) stays hidden.
mount -t tmpfs tmpfs /mnt/new/run
mkdir -p /mnt/new/run/netns /mnt/new/run/v6m-vm
cp /guest-script /mnt/new/run/v6m-vm/script; cp /guest-args /guest-env /mnt/new/run/v6m-vm/
[ -d /v6m-build ] && cp -a /v6m-build /mnt/new/run/v6m-vm/build
if [ -d /v6m-root ]; then
        # systemd mode: this build installed, the test's target and masks, then systemd.
        cp /guest-run /mnt/new/run/v6m-vm/run
        mount -o remount,mode=755,nosuid,nodev /mnt/new/run
        # A container host's marker: systemd would believe it runs in docker, ignore
        # the kernel command line (systemd.unit=) and skip the units conditioned on
        # a real machine.
        rm -f /mnt/new/.dockerenv /mnt/new/run/.containerenv
        # The guest's own /tmp and /var/tmp: systemd-tmpfiles --boot empties them, and
        # on the overlay that meant a whiteout for every file of the host's /tmp (2.5
        # minutes of the boot under TCG).
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /mnt/new/tmp
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /mnt/new/var/tmp
        (cd /v6m-root && tar cf - .) | (cd /mnt/new && tar xf -) || { echo "V6M-VM: cannot copy the stage"; poweroff -f; }
        mount --move /proc /mnt/new/proc; mount --move /sys /mnt/new/sys; mount --move /dev /mnt/new/dev
        exec switch_root /mnt/new /lib/systemd/systemd
fi
mount --move /proc /mnt/new/proc; mount --move /sys /mnt/new/sys; mount --move /dev /mnt/new/dev
exec switch_root /mnt/new /bin/bash -c '
        mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts 2>/dev/null; mount -t tmpfs tmpfs /dev/shm
        ln -sf /proc/self/fd /dev/fd; ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
        mount -t bpf bpf /sys/fs/bpf 2>/dev/null; mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
        mount -t tmpfs tmpfs /var/tmp
        ip link set lo up
        export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
        echo "V6M-VM: guest up, kernel $(uname -r)"
        . /run/v6m-vm/guest-env
        eval "set -- $(cat /run/v6m-vm/guest-args)"
        bash /run/v6m-vm/script "$@"
        echo "V6M-VM-EXIT=$?"
        sync
        busybox poweroff -f 2>/dev/null || echo o >/proc/sysrq-trigger
        sleep 30'
INIT
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initramfs.gz"

# ---- boot; the console is our output. KVM when it works, else TCG.
# A writable /dev/kvm proves nothing: on some nested hosts qemu aborts at once
# ("failed to set MSR 0x10a"), or hangs in the firmware. So a KVM boot has to
# reach the initramfs' first line ("V6M-VM: init") within a few seconds, or qemu
# is killed and the same boot runs again under TCG. V6M_VM_ACCEL=tcg|kvm forces one.
log=$tmp/console.log
start_qemu() { # accel
        : >"$log"
        "$qemu" -accel "$1" -machine q35 -cpu max -smp 2 -m 1536 -nographic -no-reboot \
                -kernel "/boot/vmlinuz-$kver" -initrd "$tmp/initramfs.gz" \
                -append "console=ttyS0 quiet panic=-1 loglevel=4${kernel_args:+ $kernel_args}" \
                -fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap \
                -device virtio-9p-pci,fsdev=r,mount_tag=hostroot \
                -nic none -serial mon:stdio </dev/null >"$log" 2>&1 &
        qemu_pid=$!
}
stop_qemu() {
        kill "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
        qemu_pid=""
}
case ${V6M_VM_ACCEL:-auto} in
auto) if [[ -w /dev/kvm ]]; then accel=kvm; else accel=tcg; fi ;;
kvm|tcg) accel=$V6M_VM_ACCEL ;;
*) echo "V6M-VM: V6M_VM_ACCEL must be auto, kvm or tcg"; exit 2 ;;
esac
kvm_probe_s=${V6M_VM_KVM_PROBE_S:-15}
if [[ $accel == kvm && ${V6M_VM_ACCEL:-auto} == auto ]]; then
        start_qemu kvm
        probe_deadline=$((SECONDS + kvm_probe_s))
        why=""
        while :; do
                if grep -aq 'V6M-VM: init' "$log"; then
                        break
                elif ! kill -0 "$qemu_pid" 2>/dev/null; then
                        why="qemu exited: $(tr -d '\r' <"$log" | grep -av '^$' | head -1)"
                        break
                elif (( SECONDS >= probe_deadline )); then
                        why="no console output within ${kvm_probe_s}s"
                        break
                fi
                read -r -t 0.2 <> <(:) || true
        done
        if [[ -n $why ]]; then
                stop_qemu
                echo "V6M-VM: KVM does not work here ($why); falling back to TCG"
                accel=tcg
                start_qemu tcg
        fi
else
        start_qemu "$accel"
fi
echo "V6M-VM: accelerator $accel"
deadline=$((SECONDS + timeout_s))
t_boot=$SECONDS up_seen=""
off=0
while kill -0 "$qemu_pid" 2>/dev/null; do
        # stream the console as it grows
        size=$(stat -c %s "$log")
        if (( size > off )); then
                # exactly the new bytes; `tail | head` would SIGPIPE tail whenever the
                # log grew in between, and pipefail turned that into exit 141
                dd if="$log" iflag=skip_bytes,count_bytes skip="$off" count=$((size - off)) \
                        bs=64K status=none | tr -d '\r'
                off=$size
                if [[ -z $up_seen ]] && grep -aq 'V6M-VM: guest up' "$log"; then
                        up_seen=1
                        echo "V6M-VM: $vm_init mode, qemu start to guest up: $((SECONDS - t_boot)) s ($accel)"
                fi
        fi
        if (( SECONDS >= deadline )); then
                echo "V6M-VM: timeout after ${timeout_s}s ($accel), killing qemu (pid $qemu_pid)"
                exit 1
        fi
        read -r -t 0.5 <> <(:) || true
done
wait "$qemu_pid" || true
qemu_pid=""
size=$(stat -c %s "$log")
(( size > off )) && tail -c +$((off + 1)) "$log" | tr -d '\r'
rc=$(tr -d '\r' <"$log" | grep -ao 'V6M-VM-EXIT=[0-9]*' | tail -1 | cut -d= -f2)
[[ -n $rc ]] || { echo "V6M-VM: the guest did not report an exit status"; exit 1; }
exit "$rc"
