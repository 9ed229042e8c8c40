#!/usr/bin/env bash
# The test dind root filesystem with an `nc` that has -U (Debian's netcat-openbsd) as its
# only tunnel tool: no docker CLI and no socat, so the exec tunnel must fall back to
# `nc -U /var/run/docker.sock`. netcat-openbsd is installed on this machine when missing.
# Usage: rootfs.sh ROOTFS
set -euo pipefail
root=${1:?usage: rootfs.sh ROOTFS}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x /usr/bin/nc.openbsd ]; then
	apt-get update >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends netcat-openbsd >&2
fi
"$here/../dind/rootfs.sh" "$root"
rm -f "$root/usr/bin/docker" "$root/usr/bin/socat" "$root/usr/bin/nc" "$root/usr/bin/netcat"
cp -L /usr/bin/nc.openbsd "$root/usr/bin/nc"
for lib in $(ldd /usr/bin/nc.openbsd | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
	[ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
done
