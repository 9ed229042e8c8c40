#!/usr/bin/env bash
# Remove the test bed from the host daemon: every container labeled
# docker-levels-test (whatever its value), with its anonymous volumes. The nested
# levels live in dl-bed-l1's /var/lib/docker volume and go with it. Anything
# without the label is left alone.
set -euo pipefail

# shellcheck source=bed.sh
source "$(dirname "${BASH_SOURCE[0]}")/bed.sh"

take_lock /tmp/docker-levels-testbed-bed.lock

if ! timeout 10 docker info >/dev/null 2>&1; then
	log "dockerd does not answer; nothing to remove"
	exit 0
fi

# Named volumes of those containers too, if nothing else uses them afterwards.
mapfile -t containers < <(docker ps -aq --filter "label=$BED_LABEL_KEY")
volumes=()
if ((${#containers[@]})); then
	mapfile -t volumes < <(docker inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{println .Name}}{{end}}{{end}}' "${containers[@]}" | grep .)
	log "removing ${#containers[@]} labeled container(s)"
	docker rm -fv "${containers[@]}" >/dev/null
else
	log "no labeled containers"
fi

# Labeled anonymous volumes left by containers removed without -v, earlier.
mapfile -t -O "${#volumes[@]}" volumes < <(docker volume ls -q --filter "label=$BED_LABEL_KEY" --filter dangling=true)
for volume in "${volumes[@]}"; do
	if docker volume inspect "$volume" >/dev/null 2>&1; then
		if docker volume rm "$volume" >/dev/null 2>&1; then
			log "removed volume $volume"
		else
			log "volume $volume still in use; left in place"
		fi
	fi
done
