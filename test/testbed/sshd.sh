#!/usr/bin/env bash
# An sshd test host for the ssh:// root tests: Debian's openssh-server on a loopback address,
# with a host key, authorized_keys and pid file in a folder of the tests' own (root's ~/.ssh
# is never read or written).
#   sshd.sh install                  install openssh-server if missing (its service is not started)
#   sshd.sh start DIR PORT [ADDR]    host key DIR/hostkey (made if missing), keys DIR/authorized_keys,
#                                    log DIR/sshd.log; returns once the port accepts connections
#   sshd.sh stop DIR                 stop the sshd of DIR/sshd.pid
set -euo pipefail

install_sshd() {
	[[ -x /usr/sbin/sshd ]] && return
	echo "sshd.sh: installing openssh-server" >&2
	# No init system runs here, and a package must never start a daemon listening on every
	# interface: a policy-rc.d that refuses keeps the package's service down.
	local made_policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		made_policy=1
	fi
	(apt-get install -y --no-install-recommends openssh-server >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server >&2; }) ||
		{ [[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d; exit 1; }
	[[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
	return 0
}

start_sshd() {
	local dir=$1 port=$2 addr=${3:-127.0.0.1}
	install_sshd
	mkdir -p /run/sshd
	[[ -f $dir/hostkey ]] || ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey"
	touch "$dir/authorized_keys"
	/usr/sbin/sshd -p "$port" -o ListenAddress="$addr" -h "$dir/hostkey" -o PidFile="$dir/sshd.pid" \
		-o PermitRootLogin=prohibit-password -o AuthorizedKeysFile="$dir/authorized_keys" -o StrictModes=no \
		-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o UsePAM=no \
		-o AllowTcpForwarding=yes -E "$dir/sshd.log"
	local i
	for ((i = 0; i < 50; i++)); do
		if [[ -s $dir/sshd.pid ]] && (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "sshd.sh: sshd did not listen on $addr:$port; see $dir/sshd.log" >&2
	exit 1
}

stop_sshd() {
	local pidfile=$1/sshd.pid
	[[ -s $pidfile ]] || return 0
	kill "$(cat "$pidfile")" 2>/dev/null || true
	rm -f "$pidfile"
}

case ${1:-} in
install) install_sshd ;;
start) start_sshd "${2:?DIR}" "${3:?PORT}" "${4:-}" ;;
stop) stop_sshd "${2:?DIR}" ;;
*) echo "usage: sshd.sh install | start DIR PORT [ADDR] | stop DIR" >&2; exit 2 ;;
esac
