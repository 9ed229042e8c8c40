#!/usr/bin/env bash
# The test dind root filesystem with socat as its only tunnel tool: no docker CLI and no
# netcat, so the exec tunnel must fall back to `socat - UNIX-CONNECT:/var/run/docker.sock`.
# (The entrypoint runs dockerd in the foreground when given daemon flags: it needs no CLI.)
# Usage: rootfs.sh ROOTFS
set -euo pipefail
root=${1:?usage: rootfs.sh ROOTFS}
here=$(cd "$(dirname "$0")" && pwd)
"$here/../dind/rootfs.sh" "$root"
rm -f "$root/usr/bin/docker" "$root/usr/bin/nc" "$root/usr/bin/netcat"
command -v socat >/dev/null && [ -x "$root/usr/bin/socat" ]
