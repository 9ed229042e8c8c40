#!/usr/bin/env bash
# Fill ROOTFS with a Docker-in-Docker root filesystem made from this host's own
# docker.io binaries (no registry, no debootstrap): the binaries, the libraries
# `ldd` lists, iptables' run-time plugins, busybox for a shell, socat and openssl.
# Usage: rootfs.sh ROOTFS
set -euo pipefail

root=${1:?usage: rootfs.sh ROOTFS}
here=$(cd "$(dirname "$0")" && pwd)
multiarch=x86_64-linux-gnu

# Merged /usr like the host, so the paths ldd prints resolve the same way.
mkdir -p "$root"/usr/{bin,sbin,lib/$multiarch,lib64,local/bin} "$root"/{etc,root,run,proc,sys,dev,var/lib/docker,var/log}
ln -sfn usr/bin "$root/bin"
ln -sfn usr/sbin "$root/sbin"
ln -sfn usr/lib "$root/lib"
ln -sfn usr/lib64 "$root/lib64"
ln -sfn ../run "$root/var/run"
install -d -m 1777 "$root/tmp"

# Copy a file to the same path under the root, following symlinks.
copy_file() {
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}

# Copy the shared libraries (and the loader) that a binary or plugin needs.
copy_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$root$lib" ] || copy_file "$lib"
	done
}

# busybox first, so the real binaries below replace any applet of the same name.
cp /usr/bin/busybox "$root/usr/bin/busybox"
busybox --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /usr/bin/busybox "$root/$applet"
done

binaries=(
	/usr/sbin/dockerd /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc
	/usr/sbin/docker-proxy /usr/bin/docker /usr/sbin/xtables-nft-multi /usr/bin/socat /usr/bin/openssl
)
for bin in "${binaries[@]}"; do
	rm -f "$root$bin"
	copy_file "$bin"
	copy_libs "$bin"
done
# dockerd looks for docker-init (tini) on PATH for `--init`.
cp -L "$(command -v docker-init)" "$root/usr/bin/docker-init"

# iptables-nft through the multi-call binary, under the names dockerd calls.
for name in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore \
	iptables-nft iptables-nft-save iptables-nft-restore ip6tables-nft ip6tables-nft-save ip6tables-nft-restore; do
	ln -sfn xtables-nft-multi "$root/usr/sbin/$name"
done
# iptables dlopens its match/target plugins at run time, so ldd never lists them.
cp -a /usr/lib/$multiarch/xtables "$root/usr/lib/$multiarch/"
for plugin in /usr/lib/"$multiarch"/xtables/*.so; do
	copy_libs "$plugin"
done

# openssl reads its configuration from OPENSSLDIR (/usr/lib/ssl on Debian).
mkdir -p "$root/etc/ssl" "$root/usr/lib/ssl"
cp /etc/ssl/openssl.cnf "$root/etc/ssl/openssl.cnf"
ln -sfn /etc/ssl/openssl.cnf "$root/usr/lib/ssl/openssl.cnf"

# A docker group keeps dockerd from warning about the socket's group.
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\ndocker:x:999:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
# dockerd reports the OS in /info and warns when it cannot.
printf 'NAME="Docker Levels test dind"\nID=docker-levels-dind\n' >"$root/usr/lib/os-release"
ln -sfn ../usr/lib/os-release "$root/etc/os-release"

install -m 0755 "$here/dind-entrypoint" "$root/usr/local/bin/dind-entrypoint"
