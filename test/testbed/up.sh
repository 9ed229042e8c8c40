#!/usr/bin/env bash
# Bring up the nested test bed with nothing but the docker CLI, and print one JSON
# document describing it on stdout (progress goes to stderr):
#
#   host daemon (level 0)
#   ├── dl-bed-l1      dind, PORT=2375 published on 127.0.0.1   -> level 1
#   │   ├── dl-bed-l2  dind, PORT=2375 published on level 1     -> level 2
#   │   │   ├── dl-bed-l3  dind, nothing published (exec only)  -> level 3
#   │   │   │   ├── dl-bed-web3
#   │   │   │   └── dl-bed-web3-renamed (--hostname custom-host)
#   │   │   └── dl-bed-web2
#   │   └── dl-bed-web1
#   ├── dl-bed-tls     dind with TLS on 2376 published on 127.0.0.1, certs in /certs
#   └── dl-bed-leaf0
#
# A healthy bed that is already up is reused; a partial or stale one is removed first.
set -euo pipefail

# shellcheck source=bed.sh
source "$(dirname "${BASH_SOURCE[0]}")/bed.sh"

take_lock /tmp/docker-levels-testbed-bed.lock

# Each level gets its own bridge and address pool: a daemon only avoids the subnets
# its own network namespace sees, and overlapping ones break TCP between levels.
# shellcheck disable=SC2054 # the commas belong to --default-address-pool
l1_net=(--bip 172.18.0.1/16 --default-address-pool base=10.101.0.0/16,size=24)
# shellcheck disable=SC2054
l2_net=(--bip 172.19.0.1/16 --default-address-pool base=10.102.0.0/16,size=24)
# shellcheck disable=SC2054
l3_net=(--bip 172.20.0.1/16 --default-address-pool base=10.103.0.0/16,size=24)

# What runs where, for the health check: "LEVEL NAME...".
EXPECTED=(
	"0 dl-bed-l1 dl-bed-tls dl-bed-leaf0"
	"1 dl-bed-l2 dl-bed-web1"
	"2 dl-bed-l3 dl-bed-web2"
	"3 dl-bed-web3 dl-bed-web3-renamed"
)

# start_dind LEVEL NAME [RUN OPTIONS...] -- [DOCKERD ARGS...]
# --privileged first; where the kernel refuses it ("unable to apply caps"), the
# same container again with the equivalent flag set.
start_dind() {
	local level=$1 name=$2 opts=() args=() err
	shift 2
	while (($#)); do
		if [[ $1 == -- ]]; then
			shift
			args=("$@")
			break
		fi
		opts+=("$1")
		shift
	done
	# /var/lib/docker as a labeled anonymous volume: overlay2 cannot sit on the
	# container's overlay root, and the label lets down.sh find leftovers.
	local run=(run -d --name "$name" --label "$BED_LABEL"
		--mount "type=volume,dst=/var/lib/docker,volume-label=$BED_LABEL" "${opts[@]}")
	log "level $level: starting $name"
	if err=$(dk "$level" "${run[@]}" --privileged "$DIND_IMAGE" "${args[@]}" 2>&1 >/dev/null); then
		return
	fi
	[[ $err == *"unable to apply caps"* ]] || die "cannot start $name at level $level: $err"
	log "level $level: --privileged refused (unable to apply caps); using the fallback flags"
	dk "$level" rm -fv "$name" >/dev/null
	dk "$level" "${run[@]}" "${FALLBACK_FLAGS[@]}" "$DIND_IMAGE" "${args[@]}" >/dev/null
}

# start_leaf LEVEL NAME [RUN OPTIONS...]
start_leaf() {
	local level=$1 name=$2
	shift 2
	log "level $level: starting $name"
	dk "$level" run -d --name "$name" --label "$BED_LABEL" "$@" "$LEAF_IMAGE" >/dev/null
}

# wait_for WHAT COMMAND...: retry COMMAND for up to 60 s.
wait_for() {
	local what=$1 deadline=$((SECONDS + 60))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || die "$what did not answer within 60 s"
		sleep 0.3
	done
	log "$what answers"
}

# load_images LEVEL IMAGE...: stream the images from the host into LEVEL's daemon,
# through every exec hop (a nested daemon has no registry either).
load_images() {
	local level=$1
	shift
	log "level $level: loading $*"
	docker save "$@" | dki "$level" load >/dev/null
}

# The bed is healthy when every container runs where expected, every daemon answers
# (dk LEVEL ps reaches through all the levels above), and the level-0 containers
# run the current images (setup.sh rebuilds them when their recipe changes).
bed_healthy() {
	local entry level names name running
	for entry in "${EXPECTED[@]}"; do
		read -r level names <<<"$entry"
		running=$(dk "$level" ps --filter "label=$BED_LABEL" --format '{{.Names}}' 2>/dev/null) || return 1
		for name in $names; do
			grep -qx "$name" <<<"$running" || return 1
		done
	done
	dk 0 exec dl-bed-tls docker version >/dev/null 2>&1 || return 1
	local dind leaf
	dind=$(docker image inspect -f '{{.Id}}' "$DIND_IMAGE") || return 1
	leaf=$(docker image inspect -f '{{.Id}}' "$LEAF_IMAGE") || return 1
	[[ $(docker inspect -f '{{.Image}}' dl-bed-l1 dl-bed-tls dl-bed-leaf0) == "$dind"$'\n'"$dind"$'\n'"$leaf" ]]
}

remove_bed() {
	local ids
	ids=$(docker ps -aq --filter "label=$BED_LABEL")
	# shellcheck disable=SC2086 # one id per word
	[[ -z $ids ]] || docker rm -fv $ids >/dev/null
	ids=$(docker volume ls -q --filter "label=$BED_LABEL" --filter dangling=true)
	# shellcheck disable=SC2086
	[[ -z $ids ]] || docker volume rm $ids >/dev/null
	remove_stale_images
}

bring_up() {
	# Level 0: the host daemon.
	start_dind 0 dl-bed-l1 -e PORT=2375 -p 127.0.0.1::2375 -- "${l1_net[@]}"
	start_dind 0 dl-bed-tls -e DOCKER_TLS_CERTDIR=/certs -p 127.0.0.1::2376 -- "${l1_net[@]}"
	start_leaf 0 dl-bed-leaf0
	wait_for "level 1 (dl-bed-l1)" dk 1 version

	# Level 1.
	load_images 1 "$DIND_IMAGE" "$LEAF_IMAGE"
	start_dind 1 dl-bed-l2 -e PORT=2375 -p 2375 -- "${l2_net[@]}"
	start_leaf 1 dl-bed-web1
	wait_for "level 2 (dl-bed-l2)" dk 2 version

	# Level 2.
	load_images 2 "$DIND_IMAGE" "$LEAF_IMAGE"
	start_dind 2 dl-bed-l3 -- "${l3_net[@]}"
	start_leaf 2 dl-bed-web2
	wait_for "level 3 (dl-bed-l3)" dk 3 version

	# Level 3: leaves only.
	load_images 3 "$LEAF_IMAGE"
	start_leaf 3 dl-bed-web3
	start_leaf 3 dl-bed-web3-renamed --hostname custom-host

	# Started first, so by now it has long made its certificates.
	wait_for "TLS daemon (dl-bed-tls)" docker exec dl-bed-tls docker version
}

# entry KEY LEVEL NAME [PORT]: one JSON member describing container NAME as the
# daemon at LEVEL reports it; PORT is a container port whose published port to add.
entry() {
	local key=$1 level=$2 name=$3 port=${4:-} info id ip privileged hostname image published extra=""
	info=$(dk "$level" inspect -f '{{.Id}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}} {{.HostConfig.Privileged}} {{.Config.Hostname}} {{.Config.Image}}' "$name") || return 1
	read -r id ip privileged hostname image <<<"$info"
	[[ $image != "$DIND_IMAGE" ]] || extra+=",\"privileged\":$privileged"
	if [[ -n $port ]]; then
		# "0.0.0.0:49153" (and maybe "[::]:49153"): keep the first port number.
		published=$(dk "$level" port "$name" "$port/tcp" | awk -F: 'NR == 1 { print $NF }')
		[[ -n $published ]] || return 1
		extra+=",\"port\":\"$published\""
	fi
	[[ $name != dl-bed-tls ]] || extra+=",\"certDir\":\"/certs/client\""
	# A hostname that is not the short ID (set with --hostname) is worth telling.
	[[ $hostname == "${id:0:12}" ]] || extra+=",\"hostname\":\"$hostname\""
	printf '"%s":{"name":"%s","id":"%s","level":%d,"ip":"%s"%s}' "$key" "$name" "$id" "$level" "$ip" "$extra"
}

print_json() {
	local privileged=true p spec member members=()
	for p in $(dk 0 inspect -f '{{.HostConfig.Privileged}}' dl-bed-l1) \
		$(dk 1 inspect -f '{{.HostConfig.Privileged}}' dl-bed-l2) \
		$(dk 2 inspect -f '{{.HostConfig.Privileged}}' dl-bed-l3); do
		[[ $p == true ]] || privileged=false
	done
	# KEY LEVEL NAME [PORT]
	for spec in "l1 0 dl-bed-l1 2375" "tls 0 dl-bed-tls 2376" "leaf0 0 dl-bed-leaf0" \
		"l2 1 dl-bed-l2 2375" "web1 1 dl-bed-web1" \
		"l3 2 dl-bed-l3" "web2 2 dl-bed-web2" \
		"web3 3 dl-bed-web3" "web3Renamed 3 dl-bed-web3-renamed"; do
		# shellcheck disable=SC2086 # the spec is words
		member=$(entry $spec) || die "cannot describe $spec"
		members+=("$member")
	done
	local IFS=,
	printf '{"privileged":%s,%s}\n' "$privileged" "${members[*]}"
}

# Images and a running dockerd; setup.sh is quick when nothing is to do.
"$TESTBED_DIR/setup.sh" >&2 9>&-

if [[ -n $(docker ps -aq --filter "label=$BED_LABEL") ]]; then
	if bed_healthy; then
		log "reusing the running bed"
		print_json
		exit 0
	fi
	log "removing a partial or stale bed"
	remove_bed
fi

start=$SECONDS
bring_up
log "bed up in $((SECONDS - start)) s"
print_json
