#!/usr/bin/env bash
# testhosts.sh — throw-away SSH "hosts" on loopback, for the tests that deploy with Ansible.
# Adapted from the shared recipe (recipes/testhosts.sh): per-run state directory, port and user
# names, so concurrent runs and other harnesses on the machine do not collide.
#
#   TESTHOSTS_DIR=DIR TESTHOSTS_PORT=PORT [TESTHOSTS_PREFIX=dkab12] testhosts.sh up N
#   TESTHOSTS_DIR=DIR testhosts.sh down
#   TESTHOSTS_DIR=DIR testhosts.sh status
#
# Host I (1…N) is loopback address 127.0.0.(1+I) with its own sshd bound to ADDRESS:PORT, its own
# hostname (UTS namespace) and its own Unix user PREFIX+I whose home (DIR/home/USER) is the host's
# "disk". Traffic never leaves loopback; all hosts share one filesystem, so deploy into the homes.
# Writes DIR/hosts.json ([{name, user, address, port, home}]), DIR/id_ed25519 (the client key),
# DIR/known_hosts, DIR/ssh_config and DIR/inventory.ini. Needs root, util-linux, openssh-server
# (its service need not run). `down` ends exactly the processes in each host's UTS namespace
# (sshd and its sessions, by PID), removes the users and the directory.
set -euo pipefail

STATE=${TESTHOSTS_DIR:?set TESTHOSTS_DIR to a per-run directory}
PORT=${TESTHOSTS_PORT:-2222}
PREFIX=${TESTHOSTS_PREFIX:-dkth}
SSHD=/usr/sbin/sshd

die() { echo "testhosts: $*" >&2; exit 1; }
alive() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$st" ] && [ "$st" != Z ]; }
addr_of() { echo "127.0.0.$((1 + $1))"; }

up() {
  local n=${1:?usage: up N} i h u addr hd ok sep
  [ "$(id -u)" = 0 ] || die "must run as root (it creates users and starts sshd)"
  [ -x "$SSHD" ] || die "$SSHD missing: apt-get install openssh-server"
  command -v unshare >/dev/null || die "unshare missing: apt-get install util-linux"
  [[ $PREFIX =~ ^[a-z][a-z0-9]{0,20}$ ]] || die "TESTHOSTS_PREFIX must be lowercase letters and digits"
  [ -e "$STATE/count" ] && die "already up ($STATE/count exists); run: $0 down"
  # A failed start (a die or a failing command) leaves nothing behind.
  trap 'if [ "$?" -ne 0 ]; then echo "testhosts: up failed; tearing down" >&2; down >/dev/null 2>&1 || true; fi' EXIT
  mkdir -p "$STATE/hosts" "$STATE/home" /run/sshd
  # The users must be able to reach their homes inside the state directory.
  chmod 755 "$STATE" "$STATE/home"
  echo "$PREFIX" > "$STATE/prefix"
  echo "$n" > "$STATE/count"
  ssh-keygen -q -t ed25519 -N '' -C testhosts -f "$STATE/id_ed25519"
  : > "$STATE/known_hosts"; : > "$STATE/ssh_config"
  echo "[testhosts]" > "$STATE/inventory.ini"
  echo "[" > "$STATE/hosts.json.tmp"
  for i in $(seq 1 "$n"); do
    h="th$i"; u="$PREFIX$i"; addr=$(addr_of "$i"); hd="$STATE/hosts/$h"
    mkdir -p "$hd"
    id "$u" >/dev/null 2>&1 && die "user $u already exists: pick another TESTHOSTS_PREFIX"
    useradd -m -d "$STATE/home/$u" -s /bin/bash "$u"
    # Key-only user: '*' means no password, yet not "locked" for sshd with UsePAM no.
    usermod -p '*' "$u"
    install -d -m 700 -o "$u" -g "$u" "$STATE/home/$u/.ssh"
    install -m 600 -o "$u" -g "$u" "$STATE/id_ed25519.pub" "$STATE/home/$u/.ssh/authorized_keys"
    ssh-keygen -q -t ed25519 -N '' -C "$h" -f "$hd/ssh_host_ed25519_key"
    echo "[$addr]:$PORT $(cut -d' ' -f1,2 "$hd/ssh_host_ed25519_key.pub")" >> "$STATE/known_hosts"
    cat > "$hd/sshd_config" <<CONF
ListenAddress $addr:$PORT
HostKey $hd/ssh_host_ed25519_key
PidFile $hd/sshd.pid
AllowUsers $u
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
StrictModes no
UseDNS no
MaxSessions 50
MaxStartups 50:30:100
Subsystem sftp internal-sftp
LogLevel ERROR
CONF
    unshare --uts sh -c "hostname $h; exec $SSHD -f $hd/sshd_config -E $hd/sshd.log"
    for _ in $(seq 1 50); do [ -s "$hd/sshd.pid" ] && break; sleep 0.1; done
    [ -s "$hd/sshd.pid" ] || die "$h: sshd did not start (port $PORT busy on $addr?); see $hd/sshd.log"
    readlink "/proc/$(cat "$hd/sshd.pid")/ns/uts" > "$hd/uts"
    echo "$h ansible_host=$addr ansible_port=$PORT ansible_user=$u" >> "$STATE/inventory.ini"
    cat >> "$STATE/ssh_config" <<CONF
Host $h
  HostName $addr
  Port $PORT
  User $u
  IdentityFile $STATE/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $STATE/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
CONF
    sep=,; [ "$i" = "$n" ] && sep=
    printf '  {"name": "%s", "user": "%s", "address": "%s", "port": %s, "home": "%s"}%s\n' \
      "$h" "$u" "$addr" "$PORT" "$STATE/home/$u" "$sep" >> "$STATE/hosts.json.tmp"
  done
  echo "]" >> "$STATE/hosts.json.tmp"
  cat >> "$STATE/inventory.ini" <<CONF

[testhosts:vars]
ansible_ssh_private_key_file=$STATE/id_ed25519
ansible_ssh_common_args='-o UserKnownHostsFile=$STATE/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes'
ansible_python_interpreter=/usr/bin/python3
CONF
  for i in $(seq 1 "$n"); do
    ok=0
    for _ in $(seq 1 50); do
      if ssh -F "$STATE/ssh_config" -o ConnectTimeout=2 "th$i" true 2>/dev/null; then ok=1; break; fi
      sleep 0.1
    done
    [ "$ok" = 1 ] || die "th$i did not come up; see $STATE/hosts/th$i/sshd.log"
  done
  # hosts.json appears only once every host answers: its presence means "up".
  mv "$STATE/hosts.json.tmp" "$STATE/hosts.json"
  trap - EXIT
  echo "testhosts: $n hosts up on port $PORT; state: $STATE"
}

down() {
  [ -d "$STATE" ] || { echo "testhosts: nothing to tear down"; return 0; }
  local n i h u pid pids uts prefix
  n=$(cat "$STATE/count" 2>/dev/null || echo 0)
  prefix=$(cat "$STATE/prefix" 2>/dev/null || echo "$PREFIX")
  for i in $(seq 1 "$n"); do
    h="th$i"; u="$prefix$i"
    uts=$(cat "$STATE/hosts/$h/uts" 2>/dev/null || true)
    # End exactly this host's processes (sshd and its sessions), found by its UTS namespace.
    if [ -n "$uts" ] && [ "$uts" != "$(readlink /proc/self/ns/uts)" ]; then
      pids=$(for p in /proc/[0-9]*; do [ "$(readlink "$p/ns/uts" 2>/dev/null)" = "$uts" ] && echo "${p#/proc/}"; done || true)
      for pid in $pids; do kill "$pid" 2>/dev/null || true; done
      for pid in $pids; do for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done; done
      for pid in $pids; do if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi; done
    elif [ -s "$STATE/hosts/$h/sshd.pid" ]; then
      # The namespace was never recorded (up failed early): end the sshd by its PID file.
      pid=$(cat "$STATE/hosts/$h/sshd.pid")
      kill "$pid" 2>/dev/null || true
    fi
    # Only users whose home is in this state directory: never someone else's user.
    if id "$u" >/dev/null 2>&1 && [ "$(getent passwd "$u" | cut -d: -f6)" = "$STATE/home/$u" ]; then
      userdel "$u" 2>/dev/null || true
    fi
  done
  rm -rf "$STATE"
  echo "testhosts: down"
}

status() {
  [ -e "$STATE/hosts.json" ] || { echo "testhosts: down"; return 0; }
  cat "$STATE/hosts.json"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: TESTHOSTS_DIR=DIR $0 up N | down | status" >&2; exit 2 ;;
esac
