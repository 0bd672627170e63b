#!/usr/bin/env bash
# Proves that a static krb-proxy needs nothing from the system: it runs it with an empty
# environment (`env -i`) from an empty directory that holds only its config and keytab, and
# then a second time chrooted into a directory holding only the binary, the config and the
# keytab (no /lib, no /etc, no /dev, no /proc), and serves through it:
#   - a public route to an echo upstream (200),
#   - an authenticated route with a fresh token from `krb-proxy token` (200, and the upstream
#     sees X-Remote-User: alice@EXAMPLE.TEST), and without a token (401).
# The keytab is made by the static binary itself (`krb-proxy keytab add`) from the password
# the loopback MIT KDC (scripts/mit-kdc.sh) knows the service by; alice's ticket comes from
# MIT's kinit and kvno. Usage: scripts/static-smoke.sh [BINARY] (default: what
# scripts/build-static.sh built). Everything it starts, it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin="${1:-}"
if [ -z "$bin" ]; then
  bin=$(ls "$root"/target/static/*/release/krb-proxy 2>/dev/null | head -n1 || true)
  [ -n "$bin" ] || { echo "static-smoke: no static binary; run scripts/build-static.sh" >&2; exit 1; }
fi
bin=$(readlink -f "$bin")
case "$(ldd "$bin" 2>&1 || true)" in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *) echo "static-smoke: $bin is not static" >&2; exit 1 ;;
esac

cargo build --release --quiet -p krb-proxy --example echo-upstream
upstream_bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/echo-upstream"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/mit-kdc.sh stop "$work/kdc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "static-smoke: FAIL: $*" >&2; for f in "$work"/*.err; do [ -s "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done; exit 1; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

scripts/mit-kdc.sh start "$work/kdc" >/dev/null
# shellcheck disable=SC1091
source "$work/kdc/env"
kadmin.local -q 'addprinc -pw alice-password alice' >/dev/null 2>&1
kadmin.local -q 'addprinc -pw service-password HTTP/api.example.test' >/dev/null 2>&1

up_port=$(free_port)
"$upstream_bin" "127.0.0.1:$up_port" >"$work/upstream.log" 2>"$work/upstream.err" &
pids+=($!)

# The directory the proxy runs in: its config and its keytab, nothing else.
run_dir="$work/run"
mkdir "$run_dir"
printf 'service-password\n' |
  env -i "$bin" keytab add "$run_dir/http.keytab" --principal HTTP/api.example.test@EXAMPLE.TEST \
    --kvno 1 --password-stdin
port=$(free_port)
admin_port=$(free_port)
write_config() { # $1: the keytab path as the proxy will see it; $2: the upstream's host
  cat >"$run_dir/config.toml" <<TOML
listen = "127.0.0.1:$port"
keytab = "$1"

[admin]
listen = "127.0.0.1:$admin_port"

[log]
access = "off"

[[route]]
path_prefix = "/public/"
upstream = "http://$2:$up_port"
public = true

[[route]]
path_prefix = "/api/"
upstream = "http://$2:$up_port"
allow = ["alice@EXAMPLE.TEST"]
TOML
}

echo alice-password | kinit alice >/dev/null
kvno HTTP/api.example.test >/dev/null
ccache_file="${KRB5CCNAME#FILE:}"

# Serves the three requests through the proxy started by "$@" (pid in $proxy_pid).
exercise() {
  local label=$1
  local ready=0
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "$proxy_pid" 2>/dev/null || fail "$label: krb-proxy exited"
    sleep 0.05
  done
  [ "$ready" = 1 ] || fail "$label: /readyz never answered"
  code=$(curl -sS -o "$work/public.body" -w '%{http_code}' "http://127.0.0.1:$port/public/ping")
  [ "$code" = 200 ] || fail "$label: public route got $code"
  token=$(env -i "$bin" token --ccache "$ccache_file" --spn HTTP/api.example.test)
  code=$(curl -sS -o "$work/api.body" -w '%{http_code}' -H "Host: api.example.test:$port" \
    -H "Authorization: Negotiate $token" "http://127.0.0.1:$port/api/hello")
  [ "$code" = 200 ] || fail "$label: authenticated route got $code: $(cat "$work/api.body")"
  grep -q 'alice@EXAMPLE.TEST' "$work/api.body" || fail "$label: the upstream did not see alice"
  code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/hello")
  [ "$code" = 401 ] || fail "$label: no token got $code, not 401"
  echo "static-smoke: $label: public 200, Negotiate 200 (upstream saw alice@EXAMPLE.TEST), no token 401"
}

stop_proxy() {
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
}

# 1. env -i, from the directory holding only config.toml and http.keytab. The upstream is named
#    `localhost`: the static glibc resolves it from /etc/hosts (NSS "files" is built in).
write_config http.keytab localhost
echo "static-smoke: $run_dir holds: $(ls "$run_dir" | tr '\n' ' ')"
(cd "$run_dir" && exec env -i "$bin" run --config config.toml) 2>"$work/proxy.err" &
proxy_pid=$!
pids+=("$proxy_pid")
exercise "env -i, empty directory"
stop_proxy

# 2. chroot: the directory holds the binary, the config and the keytab, and nothing else.
if command -v chroot >/dev/null && chroot / true 2>/dev/null; then
  cp "$bin" "$run_dir/krb-proxy"
  write_config /http.keytab 127.0.0.1 # no /etc/hosts in the chroot
  echo "static-smoke: chroot $run_dir holds: $(ls "$run_dir" | tr '\n' ' ')"
  env -i "$(command -v chroot)" "$run_dir" /krb-proxy run --config /config.toml 2>"$work/chroot.err" &
  proxy_pid=$!
  pids+=("$proxy_pid")
  exercise "chroot with only binary, config and keytab"
  stop_proxy
else
  echo "static-smoke: chroot is not permitted here; the env -i run above is the proof"
fi
echo "static-smoke: OK ($bin)"
