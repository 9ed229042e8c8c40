#!/usr/bin/env bash
# Fill ROOTFS with a leaf root filesystem: busybox-static and its applets (~2 MB),
# plus a command that idles until stopped.
# Usage: rootfs.sh ROOTFS
set -euo pipefail

root=${1:?usage: rootfs.sh ROOTFS}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$root"/usr/{bin,sbin,local/bin} "$root"/{etc,root,proc,sys,dev}
ln -sfn usr/bin "$root/bin"
ln -sfn usr/sbin "$root/sbin"
install -d -m 1777 "$root/tmp"

cp /usr/bin/busybox "$root/usr/bin/busybox"
busybox --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /usr/bin/busybox "$root/$applet"
done

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"

install -m 0755 "$here/idle" "$root/usr/local/bin/idle"
