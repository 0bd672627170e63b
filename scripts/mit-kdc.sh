#!/usr/bin/env bash
# A private MIT Kerberos KDC on loopback, for interop tests, the demo and testdata/mit/regen.sh.
#
#   scripts/mit-kdc.sh start DIR    create DIR, a realm EXAMPLE.TEST in it, start krb5kdc on
#                                   127.0.0.1 (UDP and TCP, a free port), write DIR/env
#   scripts/mit-kdc.sh stop DIR     stop the KDC started in DIR (DIR and its files stay)
#   scripts/mit-kdc.sh status DIR   exit 0 if the KDC of DIR runs
#
# `start` on a DIR that already holds a realm restarts it (same database, maybe a new port).
# Everything lives in DIR: krb5.conf (clients), kdc.conf (KDC), the database, its stash, the pid
# file and the KDC log. /etc/krb5.conf, /etc/krb5kdc and system daemons are never read or touched,
# and several realms can run at once in different DIRs. Only krb5kdc runs (no kadmind): principals
# are made with kadmin.local, which works on the database files directly.
#
# After `start`, `source DIR/env` exports (write ./env, not env, when DIR is the current directory):
#   KRB5_CONFIG        DIR/krb5.conf (default realm EXAMPLE.TEST, no DNS, no canonicalization,
#                      allow_rc4 = true)
#   KRB5_KDC_PROFILE   DIR/kdc.conf
#   KRB5CCNAME         FILE:DIR/ccache           KRB5_KTNAME  FILE:DIR/service.keytab
#   KRB5RCACHEDIR      DIR/rcache                KDC_PORT, KDC_DIR, KRB5_REALM
#
# MIT_KDC_PORT=N asks for port N first (another free port is taken if N is in use).
#
# Making principals, for example (after `source DIR/env`):
#   kadmin.local -q 'addprinc -pw alice-password alice'
#   kadmin.local -q 'addprinc -randkey HTTP/api.example.test'
#   kadmin.local -q 'addprinc -randkey -e aes128-cts-hmac-sha1-96:normal HTTP/aes128.example.test'
#   kadmin.local -q 'setstr HTTP/rc4.example.test session_enctypes arcfour-hmac'
#   kadmin.local -q "ktadd -norandkey -k $KDC_DIR/service.keytab HTTP/api.example.test"
#   echo alice-password | kinit -f alice
# Enctypes the realm supports: aes256-cts-hmac-sha1-96 (18), aes128-cts-hmac-sha1-96 (17),
# aes256-cts-hmac-sha384-192 (20), aes128-cts-hmac-sha256-128 (19), arcfour-hmac (23).
set -euo pipefail

REALM=EXAMPLE.TEST
PATH="$PATH:/usr/sbin:/sbin"

die() { echo "mit-kdc: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|status DIR"; }

need_tools() {
  local t
  for t in krb5kdc kdb5_util kadmin.local kinit; do
    command -v "$t" >/dev/null 2>&1 ||
      die "$t not found: MIT Kerberos is not installed; run scripts/install-deps.sh"
  done
}

# Prints a port number free for both TCP and UDP on 127.0.0.1 (a hint: start retries if taken).
pick_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 - <<'EOF' 2>/dev/null && return 0
import socket
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close()
        continue
    print(port)
    break
else:
    raise SystemExit(1)
EOF
  fi
  echo $((20000 + RANDOM % 40000))
}

kdc_pid() {
  local dir=$1 pid
  [ -s "$dir/kdc.pid" ] || return 1
  pid=$(cat "$dir/kdc.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid must still be our krb5kdc (not a recycled pid of something else).
  grep -q krb5kdc "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

write_configs() {
  local dir=$1 port=$2
  cat >"$dir/krb5.conf" <<EOF
# Written by scripts/mit-kdc.sh for a private test realm; not a system file.
[libdefaults]
    default_realm = $REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    allow_rc4 = true
    forwardable = true
    udp_preference_limit = 1
    default_ccache_name = FILE:$dir/ccache
    default_keytab_name = FILE:$dir/service.keytab
    default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128 arcfour-hmac
    default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128 arcfour-hmac
    permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128 arcfour-hmac

[realms]
    $REALM = {
        kdc = 127.0.0.1:$port
    }

[domain_realm]
    .example.test = $REALM
    example.test = $REALM
EOF
  cat >"$dir/kdc.conf" <<EOF
# Written by scripts/mit-kdc.sh for a private test realm; not a system file.
[libdefaults]
    allow_rc4 = true

[kdcdefaults]
    kdc_listen = 127.0.0.1:$port
    kdc_tcp_listen = 127.0.0.1:$port

[realms]
    $REALM = {
        database_name = $dir/principal
        key_stash_file = $dir/stash
        acl_file = $dir/kadm5.acl
        kdc_listen = 127.0.0.1:$port
        kdc_tcp_listen = 127.0.0.1:$port
        max_life = 1d
        max_renewable_life = 7d
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal aes256-cts-hmac-sha384-192:normal aes128-cts-hmac-sha256-128:normal arcfour-hmac:normal
        default_principal_flags = +preauth
    }

[logging]
    kdc = FILE:$dir/kdc.log
    default = FILE:$dir/kdc.log
EOF
  : >"$dir/kadm5.acl"
}

# Waits until the KDC answers an AS request (an unknown client gets a KDC error back).
wait_answer() {
  local dir=$1 i out
  for i in $(seq 1 50); do
    out=$(LC_ALL=C KRB5_CONFIG="$dir/krb5.conf" KRB5CCNAME="FILE:$dir/probe.ccache" kinit "mit-kdc-probe@$REALM" </dev/null 2>&1 || true)
    case $out in
      *"not found in Kerberos database"*) return 0 ;;
    esac
    kdc_pid "$dir" >/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Counts the sockets bound to 127.0.0.1:PORT (TCP listeners plus UDP). krb5kdc sets SO_REUSEPORT,
# so a second KDC on a port already in use starts without error: this is how a clash shows.
count_bound() {
  local hex
  hex=$(printf '0100007F:%04X' "$1")
  awk -v a="$hex" '($2 == a && ($4 == "0A" || $4 == "07")) { n++ } END { print n + 0 }' \
    /proc/net/tcp /proc/net/udp
}

start() {
  local dir=$1 port attempt master
  need_tools
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if kdc_pid "$dir" >/dev/null; then die "a KDC already runs for $dir (pid $(cat "$dir/kdc.pid")); stop it first"; fi
  mkdir -p "$dir/rcache"
  export KRB5_CONFIG="$dir/krb5.conf" KRB5_KDC_PROFILE="$dir/kdc.conf"
  for attempt in 1 2 3 4 5; do
    if [ "$attempt" -eq 1 ] && [ -n "${MIT_KDC_PORT:-}" ]; then port=$MIT_KDC_PORT; else port=$(pick_port); fi
    write_configs "$dir" "$port"
    if [ ! -e "$dir/principal" ]; then
      master=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
      kdb5_util -r "$REALM" create -s -P "$master" >"$dir/kdb5_util.log" 2>&1 ||
        die "kdb5_util create failed, see $dir/kdb5_util.log"
    fi
    rm -f "$dir/kdc.pid"
    # krb5kdc binds its sockets before it forks: a taken port makes it exit here.
    if krb5kdc -r "$REALM" -P "$dir/kdc.pid" >>"$dir/kdc.stderr" 2>&1; then
      for _ in $(seq 1 50); do [ -s "$dir/kdc.pid" ] && break; sleep 0.05; done
      if wait_answer "$dir" && [ "$(count_bound "$port")" -eq 2 ]; then
        break
      fi
      stop "$dir" >/dev/null 2>&1 || true
    fi
    echo "mit-kdc: port $port did not work (attempt $attempt), retrying" >&2
    port=""
  done
  [ -n "$port" ] || die "krb5kdc did not start; see $dir/kdc.log and $dir/kdc.stderr"
  cat >"$dir/env" <<EOF
export KRB5_CONFIG=$dir/krb5.conf
export KRB5_KDC_PROFILE=$dir/kdc.conf
export KRB5CCNAME=FILE:$dir/ccache
export KRB5_KTNAME=FILE:$dir/service.keytab
export KRB5RCACHEDIR=$dir/rcache
export KDC_PORT=$port
export KDC_DIR=$dir
export KRB5_REALM=$REALM
EOF
  echo "mit-kdc: realm $REALM on 127.0.0.1:$port (udp+tcp), pid $(cat "$dir/kdc.pid"); source $dir/env"
}

stop() {
  local dir=$1 pid
  [ -d "$dir" ] || die "no such directory: $dir"
  if ! pid=$(kdc_pid "$dir"); then
    rm -f "$dir/kdc.pid"
    echo "mit-kdc: no KDC runs for $dir"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  rm -f "$dir/kdc.pid"
  echo "mit-kdc: stopped pid $pid"
}

[ $# -eq 2 ] || usage
case $1 in
  start) start "$2" ;;
  stop) stop "$2" ;;
  status) kdc_pid "$2" >/dev/null ;;
  *) usage ;;
esac
