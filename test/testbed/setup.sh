#!/usr/bin/env bash
# Prepare this machine for the Docker Levels test bed: install the Debian packages,
# start dockerd (there is no systemd), and build the two test images without any
# registry. Idempotent: each step is skipped when already done.
# Stdout gets only the final line "testbed ready"; progress goes to stderr.
set -euo pipefail

# shellcheck source=bed.sh
source "$(dirname "${BASH_SOURCE[0]}")/bed.sh"

# Keep stdout for the final line; everything else, ours and the tools', to stderr.
exec 3>&1 1>&2

take_lock /tmp/docker-levels-testbed-setup.lock

PACKAGES=(docker.io busybox-static iptables openssl socat iproute2 procps)
# Packages whose files end up in the images: their versions are part of the recipe.
IMAGE_SOURCE_PACKAGES=(docker.io containerd runc tini iptables busybox-static socat openssl libc6)
DOCKERD_LOG=/var/log/docker-levels-dockerd.log

install_packages() {
	local missing=() pkg
	for pkg in "${PACKAGES[@]}"; do
		dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	if ((${#missing[@]} == 0)); then
		log "packages present: ${PACKAGES[*]}"
		return
	fi
	log "installing ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

# The default bridge must have its address on this machine: without it, traffic to
# container IPs (and published ports, which DNAT to them) leaves through the default route.
# A second dockerd sharing this network namespace can remove docker0 when it stops.
bridge_present() { ip -4 addr show docker0 2>/dev/null | grep -q 'inet '; }

start_dockerd() {
	if docker_answers && ! bridge_present; then
		log "docker0 has lost its address: stopping dockerd so that it recreates the bridge"
		# Only the host's daemon (its pidfile): nested dockerds are visible here too.
		local pid stop_deadline=$((SECONDS + 60))
		pid=$(cat /var/run/docker.pid 2>/dev/null || true)
		[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null
		while [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && ((SECONDS < stop_deadline)); do sleep 1; done
	fi
	if docker_answers; then
		log "dockerd answers"
		return
	fi
	log "starting dockerd (log: $DOCKERD_LOG)"
	# In a subshell that closes every inherited descriptor but 0-2 first: dockerd
	# outlives us and must not hold our lock (fd 9) or a caller's pipe open.
	(
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		exec setsid dockerd --host unix:///var/run/docker.sock </dev/null >"$DOCKERD_LOG" 2>&1
	) &
	local deadline=$((SECONDS + 60))
	until docker_answers; do
		((SECONDS < deadline)) || die "dockerd did not answer within 60 s; see $DOCKERD_LOG"
		sleep 1
	done
	bridge_present || die "dockerd runs but docker0 has no IPv4 address; see $DOCKERD_LOG"
	log "dockerd answers"
}

# A hash of everything an image is made from: its recipe folder and the versions of
# the packages whose files it copies. A change in either rebuilds the image.
recipe_hash() {
	local name=$1
	{
		(cd "$TESTBED_DIR/images" && find "$name" -type f -print0 | sort -z | xargs -0 sha256sum)
		dpkg-query -W -f '${Package}=${Version}\n' "${IMAGE_SOURCE_PACKAGES[@]}" 2>/dev/null || true
	} | sha256sum | cut -c1-16
}

# build_image DIR IMAGE: rootfs from images/DIR/rootfs.sh, imported with the
# Dockerfile-like lines of images/DIR/image.changes, unless IMAGE has that recipe.
build_image() {
	local dir=$1 image=$2 hash current changes=() line rootfs
	hash=$(recipe_hash "$dir")
	current=$(docker image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$image" 2>/dev/null || true)
	if [[ $current == "$hash" ]]; then
		log "image $image is up to date (recipe $hash)"
		return
	fi
	log "building $image (recipe $hash${current:+, was $current})"

	while IFS= read -r line; do
		[[ -z $line || $line == \#* ]] || changes+=(--change "$line")
	done <"$TESTBED_DIR/images/$dir/image.changes"
	changes+=(--change "LABEL $RECIPE_LABEL=$hash")

	rootfs=$(mktemp -d /tmp/docker-levels-rootfs.XXXXXX)
	# shellcheck disable=SC2064 # expand now: the trap must remove this rootfs
	trap "rm -rf '$rootfs'" EXIT
	"$TESTBED_DIR/images/$dir/rootfs.sh" "$rootfs"
	tar -C "$rootfs" -c . | docker import "${changes[@]}" - "$image" >/dev/null
	rm -rf "$rootfs"
	trap - EXIT
	log "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

install_packages
start_dockerd
build_image dind "$DIND_IMAGE"
build_image leaf "$LEAF_IMAGE"
remove_stale_images

echo "testbed ready" >&3
