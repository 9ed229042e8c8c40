# Sourced by setup.sh, up.sh and down.sh: names, labels, logging, and `dk LEVEL`
# to run the docker CLI at a nesting level through `docker exec` chains.
# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this

TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

DIND_IMAGE=docker-levels-test/dind:latest
LEAF_IMAGE=docker-levels-test/leaf:latest
RECIPE_LABEL=docker-levels.recipe

# Every container the bed creates carries this label; down.sh removes by the key.
BED_LABEL_KEY=docker-levels-test
BED_LABEL=$BED_LABEL_KEY=bed

# The dind containers that make levels 1, 2 and 3, in nesting order.
LEVEL_CONTAINERS=(dl-bed-l1 dl-bed-l2 dl-bed-l3)

# What --privileged amounts to for dind, for hosts where --privileged fails with
# "unable to apply caps" (the VM's bounding set lacks CAP_SYS_RESOURCE). The device
# rule must be on every level or none: the v1 devices controller is hierarchical.
FALLBACK_FLAGS=(
	--cap-add ALL --cap-drop SYS_RESOURCE
	--security-opt seccomp=unconfined --security-opt apparmor=unconfined
	--security-opt systempaths=unconfined
	--device-cgroup-rule 'a *:* rwm'
)

log() { echo "testbed: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# dk LEVEL ARGS...: docker ARGS against the daemon at LEVEL (0 = host), reached by
# `docker exec` into each level container in turn. Stdin is not forwarded.
dk() {
	local level=$1 i
	shift
	local cmd=(docker)
	for ((i = 0; i < level; i++)); do cmd+=(exec "${LEVEL_CONTAINERS[i]}" docker); done
	"${cmd[@]}" "$@" </dev/null
}

# dki LEVEL ARGS...: like dk, with stdin forwarded through every hop (-i).
dki() {
	local level=$1 i
	shift
	local cmd=(docker)
	for ((i = 0; i < level; i++)); do cmd+=(exec -i "${LEVEL_CONTAINERS[i]}" docker); done
	"${cmd[@]}" "$@"
}

# Remove superseded test images (untagged, with our recipe label); one that a
# container still uses stays until that container is gone.
remove_stale_images() {
	local id
	for id in $(docker images -q --filter dangling=true --filter "label=$RECIPE_LABEL"); do
		if docker rmi "$id" >/dev/null 2>&1; then log "removed superseded image $id"; fi
	done
}

# Serialize runs of the same script: hold an exclusive lock on FILE on fd 9.
# Children started to outlive us (dockerd) must close fd 9.
take_lock() {
	exec 9>"$1"
	flock -w 600 9 || die "another run holds $1"
}
