#!/usr/bin/env bash
# The demo: a loopback Kerberos realm, krb-proxy in front of a small echo upstream, and
# curl --negotiate getting 200 with the identity the upstream saw, 403 for a principal the
# route does not allow, and 401 without a ticket. Everything it starts, it stops.
# On a fresh Debian machine it first installs what is missing (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "install what is missing, build krb-proxy and the echo upstream"
scripts/install-deps.sh
cargo build --release --quiet -p krb-proxy --bin krb-proxy --example echo-upstream
bin="${CARGO_TARGET_DIR:-$root/target}/release"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/mit-kdc.sh stop "$work/kdc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

say "a Kerberos realm EXAMPLE.TEST on loopback (MIT KDC)"
scripts/mit-kdc.sh start "$work/kdc" >/dev/null
# shellcheck disable=SC1091
source "$work/kdc/env"
kadmin.local -q 'addprinc -pw alice-password alice' >/dev/null 2>&1
kadmin.local -q 'addprinc -pw bob-password bob' >/dev/null 2>&1
kadmin.local -q 'addprinc -randkey -e aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal,aes256-cts-hmac-sha384-192:normal,aes128-cts-hmac-sha256-128:normal HTTP/api.example.test' >/dev/null 2>&1
kadmin.local -q "ktadd -norandkey -k $work/http.keytab HTTP/api.example.test" >/dev/null 2>&1
echo "KDC on 127.0.0.1:$KDC_PORT; principals alice, bob, HTTP/api.example.test; keytab $work/http.keytab"
"$bin/krb-proxy" keytab list "$work/http.keytab"

say "the echo upstream and krb-proxy"
up_port=$(free_port)
port=$(free_port)
admin_port=$(free_port)
"$bin/examples/echo-upstream" "127.0.0.1:$up_port" >"$work/upstream.log" 2>&1 &
pids+=($!)
cat >"$work/krb-proxy.toml" <<TOML
listen = "127.0.0.1:$port"
keytab = "$work/http.keytab"

[admin]
listen = "127.0.0.1:$admin_port"

[log]
access = "$work/access.log"

[[route]]
path_prefix = "/api/"
upstream = "http://127.0.0.1:$up_port"
allow = ["alice@EXAMPLE.TEST"]
TOML
cat "$work/krb-proxy.toml"
"$bin/krb-proxy" check --config "$work/krb-proxy.toml"
"$bin/krb-proxy" run --config "$work/krb-proxy.toml" 2>"$work/proxy.err" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

url="http://api.example.test:$port/api/hello"
resolve=(--resolve "api.example.test:$port:127.0.0.1")

say "alice: kinit, then curl --negotiate $url"
echo alice-password | kinit alice >/dev/null
curl -sS "${resolve[@]}" --negotiate -u : -H 'X-Remote-User: mallory@EVIL' \
  -w '\nHTTP %{http_code}\n' "$url"
echo "(the client's own X-Remote-User: mallory@EVIL was removed; the upstream saw the proxy's)"

say "bob: a valid ticket, but the route allows only alice"
echo bob-password | kinit bob >/dev/null
curl -sS "${resolve[@]}" --negotiate -u : -w '\nHTTP %{http_code}\n' "$url"

say "no ticket (kdestroy)"
kdestroy >/dev/null 2>&1 || true
curl -sS "${resolve[@]}" --negotiate -u : -D - -o "$work/body" -w 'HTTP %{http_code}\n' "$url" |
  grep -i -E '^(www-authenticate|HTTP)' || true
cat "$work/body"

say "the access log"
cat "$work/access.log"
say "done: everything started is stopped"
