#!/usr/bin/env bash
# krb-proxy against Apache httpd 2.4 + mod_auth_gssapi, in one run on one machine, with one fast
# upstream (the Rust echo-upstream), a fresh Negotiate token on every request (made by
# benches/src/bin/loadgen.rs with krb-core's initiator) and the replay caches on:
#   (a) krb-proxy, authenticated route      (/api/, allow = ["alice@EXAMPLE.TEST"])
#   (b) krb-proxy, public route             (/public/, no authentication)
#   (c) Apache + mod_auth_gssapi            (AuthType GSSAPI, Require valid-user, mod_proxy_http)
# For each: requests/s, latency p50/p99/p99.9 (client side), and server CPU per request (utime +
# stime of the server's processes from /proc/PID/stat before and after the run, divided by the
# requests). Then the ratios, krb-proxy's idle RSS, its RSS after the runs, the RSS of 1,000,000
# replay-cache entries (benches/src/bin/replay-rss.rs fills krb-core's MemoryReplayCache, the
# structure the proxy uses), the static binary's size (when scripts/build-static.sh built one)
# and start-up time (exec to the port accepting a connection).
#
# Usage: benches/peers/proxy-vs-apache.sh [--duration 10s] [--connections 32] [--rss-1m]
#                                         [--pin] [--markdown FILE]
#   --pin     run the server under test on CPU 0 and the load generator and the upstream on CPU 1
#             (taskset), so that the server's share of the machine does not depend on how much
#             CPU the client side takes
#   --rss-1m  also drive 1,000,000 authenticated requests through krb-proxy and read its VmRSS
#             (about a minute or more on 2 cores)
#   --markdown FILE  also write the result table to FILE
# Installs apache2 and libapache2-mod-auth-gssapi with apt-get when missing (root). Everything it
# starts it stops (trap), and its files live in one temp directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

duration=10s
connections=32
rss_1m=0
pin=0
markdown=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rss-1m) rss_1m=1; shift ;;
    --pin) pin=1; shift ;;
    --markdown) markdown=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 10s] [--connections 32] [--rss-1m] [--pin] [--markdown FILE]" >&2; exit 2 ;;
  esac
done

say() { printf '== %s\n' "$*" >&2; }
srv=()
cli=()
if [ "$pin" = 1 ]; then
  [ "$(nproc)" -ge 2 ] || { echo "$0: --pin needs 2 CPUs" >&2; exit 2; }
  srv=(taskset -c 0)
  cli=(taskset -c 1)
fi

if [ ! -x /usr/sbin/apache2 ] || [ ! -e /usr/lib/apache2/modules/mod_auth_gssapi.so ]; then
  say "installing apache2 and libapache2-mod-auth-gssapi"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    apache2 libapache2-mod-auth-gssapi >/dev/null
fi
command -v kadmin.local >/dev/null || { echo "$0: run scripts/install-deps.sh first" >&2; exit 1; }

say "building krb-proxy, echo-upstream, loadgen and replay-rss (release)"
cargo build --release --quiet -p krb-proxy --bin krb-proxy --example echo-upstream
cargo build --release --quiet -p krb-benches --bin loadgen --bin replay-rss
bin="${CARGO_TARGET_DIR:-$root/target}/release"

work=$(mktemp -d)
pids=()
apache_pid=""
cleanup() {
  if [ -n "$apache_pid" ]; then kill -TERM "$apache_pid" 2>/dev/null || true; fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/mit-kdc.sh stop "$work/kdc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# Waits until 127.0.0.1:$1 accepts a TCP connection (at most about 10 s).
wait_port() {
  for _ in $(seq 1 2000); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.005
  done
  echo "$0: nothing listens on 127.0.0.1:$1" >&2
  return 1
}
# utime+stime (+ reaped children's) of a process and its children, in clock ticks.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] || continue
    # Fields after the ")" of the command name: 14 utime, 15 stime, 16 cutime, 17 cstime.
    total=$((total + $(sed -E 's/^.*\) //' "/proc/$p/stat" | awk '{ print $12 + $13 + $14 + $15 }')))
  done
  echo "$total"
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
tck=$(getconf CLK_TCK)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

say "a loopback realm (MIT KDC), alice, HTTP/api.example.test and its keytab"
scripts/mit-kdc.sh start "$work/kdc" >/dev/null
# shellcheck disable=SC1091
source "$work/kdc/env"
kadmin.local -q 'addprinc -pw alice-password alice' >/dev/null 2>&1
kadmin.local -q 'addprinc -randkey -e aes256-cts-hmac-sha1-96:normal HTTP/api.example.test' >/dev/null 2>&1
kadmin.local -q "ktadd -norandkey -k $work/http.keytab HTTP/api.example.test" >/dev/null 2>&1
echo alice-password | kinit alice >/dev/null
kvno HTTP/api.example.test >/dev/null
ccache="${KRB5CCNAME#FILE:}"
mkdir -p "$work/rcache"
export KRB5RCACHEDIR="$work/rcache" KRB5_KTNAME="FILE:$work/http.keytab"

say "the echo upstream"
up_port=$(free_port)
"${cli[@]}" "$bin/examples/echo-upstream" "127.0.0.1:$up_port" >"$work/upstream.log" 2>&1 &
up_pid=$!
pids+=("$up_pid")
wait_port "$up_port"

port=$(free_port)
admin_port=$(free_port)
cat >"$work/krb-proxy.toml" <<TOML
listen = "127.0.0.1:$port"
keytab = "$work/http.keytab"

[admin]
listen = "127.0.0.1:$admin_port"

[log]
access = "off"

[[route]]
path_prefix = "/api/"
upstream = "http://127.0.0.1:$up_port"
allow = ["alice@EXAMPLE.TEST"]

[[route]]
path_prefix = "/public/"
upstream = "http://127.0.0.1:$up_port"
public = true
TOML

say "krb-proxy start-up time: exec to the port accepting, 10 starts"
startups=()
for _ in $(seq 1 10); do
  t0=$(date +%s%N)
  "${srv[@]}" "$bin/krb-proxy" run --config "$work/krb-proxy.toml" 2>>"$work/proxy.err" &
  p=$!
  wait_port "$port"
  t1=$(date +%s%N)
  startups+=($(((t1 - t0) / 1000)))
  kill "$p"
  wait "$p" 2>/dev/null || true
done
startup_ms=$(printf '%s\n' "${startups[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }')

say "krb-proxy on 127.0.0.1:$port"
"${srv[@]}" "$bin/krb-proxy" run --config "$work/krb-proxy.toml" 2>>"$work/proxy.err" &
proxy_pid=$!
pids+=("$proxy_pid")
wait_port "$port"
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1 && break
  sleep 0.05
done
sleep 0.5
idle_rss=$(rss_kib "$proxy_pid")

say "Apache httpd + mod_auth_gssapi on 127.0.0.1"
ap_port=$(free_port)
mkdir -p "$work/apache"
sed -e "s|@WORK@|$work/apache|g" -e "s|@PORT@|$ap_port|g" -e "s|@KEYTAB@|$work/http.keytab|g" \
  -e "s|@UPSTREAM_PORT@|$up_port|g" benches/peers/apache/httpd.conf.in >"$work/apache/httpd.conf"
APACHE_RUN_USER=root APACHE_RUN_GROUP=root "${srv[@]}" /usr/sbin/apache2 -f "$work/apache/httpd.conf" -DFOREGROUND \
  2>>"$work/apache/stderr" &
apache_pid=$!
wait_port "$ap_port"
apache_version=$(/usr/sbin/apache2 -v | sed -n 's/^Server version: //p')
gssapi_version=$(dpkg-query -W -f '${Version}' libapache2-mod-auth-gssapi 2>/dev/null || echo '?')

# run_case NAME PID URL LOADGEN-ARGS...: one measured run; prints a JSON line with the server's
# CPU per request added.
run_case() {
  local name=$1 pid=$2 url=$3
  shift 3
  # Warm-up (connections, upstream pool, Apache threads), not measured.
  "${cli[@]}" "$bin/loadgen" --url "$url" --connections "$connections" --duration 1s --json "$@" >/dev/null
  local before after up_before up_after out client
  before=$(cpu_ticks "$pid")
  up_before=$(cpu_ticks "$up_pid")
  # bash's `time` gives the load generator's own CPU (user and system seconds).
  if ! { TIMEFORMAT='%U %S'; time "${cli[@]}" "$bin/loadgen" --url "$url" --connections "$connections" \
    --duration "$duration" --json "$@" >"$work/run.json" 2>"$work/run.err"; } 2>"$work/run.time"; then
    echo "$0: the $name run failed:" >&2
    cat "$work/run.err" >&2
    [ -s "$work/apache/error.log" ] && tail -5 "$work/apache/error.log" >&2
    exit 1
  fi
  after=$(cpu_ticks "$pid")
  up_after=$(cpu_ticks "$up_pid")
  out=$(cat "$work/run.json")
  client=$(cat "$work/run.time")
  python3 -c '
import json, sys
r = json.loads(sys.argv[1])
r["name"] = sys.argv[2]
tck = int(sys.argv[5])
n = max(r["requests"], 1)
r["server_cpu_s"] = (int(sys.argv[4]) - int(sys.argv[3])) / tck
r["cpu_us_per_req"] = r["server_cpu_s"] * 1e6 / n
r["upstream_cpu_us_per_req"] = (int(sys.argv[7]) - int(sys.argv[6])) / tck * 1e6 / n
u, s_ = sys.argv[8].split()
r["client_cpu_us_per_req"] = (float(u) + float(s_)) * 1e6 / n
print(json.dumps(r))' "$out" "$name" "$before" "$after" "$tck" "$up_before" "$up_after" "$client"
}

auth=(--ccache "$ccache" --spn HTTP/api.example.test)
say "(a) krb-proxy, authenticated route, fresh tokens, $duration"
a=$(run_case "krb-proxy, authenticated (fresh token)" "$proxy_pid" \
  "http://127.0.0.1:$port/api/bench" "${auth[@]}" --host-header "api.example.test:$port")
say "(b) krb-proxy, public route, $duration"
b=$(run_case "krb-proxy, public route" "$proxy_pid" "http://127.0.0.1:$port/public/bench" --no-auth)
say "(c) Apache + mod_auth_gssapi, fresh tokens, $duration"
c=$(run_case "Apache + mod_auth_gssapi (fresh token)" "$apache_pid" \
  "http://127.0.0.1:$ap_port/api/bench" "${auth[@]}" --host-header "api.example.test:$ap_port")
loaded_rss=$(rss_kib "$proxy_pid")
# Evidence that Apache's MIT replay cache was on: its file in KRB5RCACHEDIR.
rcache_line=$(find "$work/rcache" -type f -printf '%f (%s bytes) ' 2>/dev/null)
[ -n "$rcache_line" ] || { echo "$0: Apache left no replay cache file in $work/rcache" >&2; exit 1; }

rss_http=""
if [ "$rss_1m" = 1 ]; then
  say "driving 1,000,000 authenticated requests through krb-proxy (--rss-1m)"
  "${cli[@]}" "$bin/loadgen" --url "http://127.0.0.1:$port/api/bench" --connections "$connections" \
    --requests 1000000 --json "${auth[@]}" >"$work/1m.json"
  rss_http=$(rss_kib "$proxy_pid")
fi

say "1,000,000 entries in krb-core's MemoryReplayCache (replay-rss)"
rc=$("$bin/replay-rss" 1000000)

static_bin=$(ls "$root"/target/static/*/release/krb-proxy 2>/dev/null | head -n1 || true)
if [ -n "$static_bin" ]; then
  size_line="static $(basename "$(dirname "$(dirname "$static_bin")")"), stripped: $(stat -c %s "$static_bin") bytes"
else
  size_line="(no static build; scripts/build-static.sh makes one) release: $(stat -c %s "$bin/krb-proxy") bytes"
fi

placement="The load generator runs on the same cores as the servers."
[ "$pin" = 1 ] && placement="Pinned (--pin): the server under test on CPU 0, the load generator and the upstream on CPU 1; other processes on the machine are not pinned."
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $(. /etc/os-release && echo "$PRETTY_NAME"); kernel $(uname -r); load average before the runs: $load_at_start"
python3 - "$a" "$b" "$c" "$idle_rss" "$loaded_rss" "$rc" "$rss_http" "$startup_ms" "$size_line" \
  "$machine" "$duration" "$connections" "$apache_version" "$gssapi_version" "$markdown" \
  "$rcache_line" "$placement" <<'PY'
import json, sys
a, b, c = (json.loads(x) for x in sys.argv[1:4])
idle, loaded = int(sys.argv[4]), int(sys.argv[5])
rc = json.loads(sys.argv[6])
rss_http, startup_ms, size_line, machine = sys.argv[7], sys.argv[8], sys.argv[9], sys.argv[10]
duration, conns, apache, gssapi, md, rcache, placement = sys.argv[11:18]
out = []
out.append(f"Machine: {machine}. {placement}")
out.append(f"Each run: {duration}, {conns} keep-alive HTTP/1.1 connections, GET with no body; "
           f"upstream: the Rust echo-upstream; replay caches on; {apache}, mod_auth_gssapi {gssapi} "
           f"(MIT replay cache file after the runs: {rcache.strip()}).")
out.append("")
out.append("| server | requests/s | p50 (us) | p99 (us) | p99.9 (us) | server CPU/request (us) | "
           "requests per server CPU-second | load generator CPU/request (us) | upstream CPU/request (us) | non-2xx |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in (a, b, c):
    per_cpu = 1e6 / r["cpu_us_per_req"] if r["cpu_us_per_req"] else float("nan")
    r["per_cpu_s"] = per_cpu
    out.append(f"| {r['name']} | {r['rps']:.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | "
               f"{r['p999_us']:.0f} | {r['cpu_us_per_req']:.1f} | {per_cpu:.0f} | "
               f"{r['client_cpu_us_per_req']:.1f} | {r['upstream_cpu_us_per_req']:.1f} | "
               f"{r['non_2xx'] + r['errors']} |")
out.append("")
mib = lambda kib: kib / 1024
def goal(ok):
    return "met" if ok else "NOT met"
r1 = a["rps"] / c["rps"]
r2 = a["rps"] / b["rps"]
cpu1 = c["cpu_us_per_req"] / a["cpu_us_per_req"] if a["cpu_us_per_req"] else float("nan")
out.append("| measure | value | goal |")
out.append("|---|---:|---|")
out.append(f"| requests/s, krb-proxy authenticated / Apache | {r1:.2f}x | >= 5x: {goal(r1 >= 5)} |")
out.append(f"| requests per server CPU-second, krb-proxy authenticated / Apache | {cpu1:.2f}x | |")
out.append(f"| requests/s, krb-proxy authenticated / public | {r2 * 100:.0f}% | >= 70%: {goal(r2 >= 0.7)} |")
r3 = a["per_cpu_s"] / b["per_cpu_s"]
out.append(f"| requests per server CPU-second, krb-proxy authenticated / public | {r3 * 100:.0f}% | |")
out.append(f"| krb-proxy idle RSS (VmRSS after start) | {mib(idle):.1f} MiB | <= 16 MiB: {goal(mib(idle) <= 16)} |")
out.append(f"| krb-proxy RSS after the three runs | {mib(loaded):.1f} MiB | |")
rc_mib = (rc["rss_after_kib"] - rc["rss_before_kib"]) / 1024
out.append(f"| 1,000,000 replay-cache entries (MemoryReplayCache, replay-rss) | +{rc_mib:.1f} MiB "
           f"({rc['bytes_per_entry']:.0f} bytes/entry) | |")
if rss_http:
    out.append(f"| krb-proxy RSS after 1,000,000 more authenticated requests (--rss-1m) | "
               f"{mib(int(rss_http)):.1f} MiB | |")
out.append(f"| start-up, exec to the port accepting (median of 10) | {startup_ms} ms | |")
out.append(f"| binary size | {size_line} | <= 10 MiB |")
text = "\n".join(out)
print(text)
if md:
    with open(md, "w") as f:
        f.write(text + "\n")
for r in (a, b, c):
    print(json.dumps(r), file=sys.stderr)
PY
