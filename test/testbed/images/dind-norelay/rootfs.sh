#!/usr/bin/env bash
# The test dind root filesystem as a Debian-based dind is (ENVIRONMENT.md, debootstrap): `sh`
# on PATH is dash, and there is neither socat nor nc, so a port relay cannot start in it.
# (busybox sh would answer `command -v nc` with its own applet.) /bin/sh stays busybox for
# the entrypoint; dash comes first on PATH, where an exec's `sh` is looked up.
# Usage: rootfs.sh ROOTFS
set -euo pipefail
root=${1:?usage: rootfs.sh ROOTFS}
here=$(cd "$(dirname "$0")" && pwd)
"$here/../dind/rootfs.sh" "$root"
rm -f "$root/usr/bin/socat" "$root/usr/bin/nc" "$root/usr/bin/netcat"
cp -L /usr/bin/dash "$root/usr/local/bin/sh"
for lib in $(ldd /usr/bin/dash | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
	[ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
done
