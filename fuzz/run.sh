#!/usr/bin/env bash
# Builds every fuzz target once and runs each for SECONDS (default 60), seeded from testdata/.
#
#   fuzz/run.sh SECONDS [TARGET...]
#
# Prints, per target, the executions (libFuzzer's final stat::number_of_executed_units) and the
# crashes (files in fuzz/artifacts/<target>/: crash-, leak-, timeout-, oom-). Exits non-zero if
# any target crashed. Needs the nightly toolchain; installs cargo-fuzz if it is missing.
# Corpora grow in fuzz/corpus/<target>/ (gitignored) and are kept between runs.
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$(pwd)
root=$(cd .. && pwd)

seconds="${1:-60}"
shift || true

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "run.sh: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

echo "==> cargo +nightly fuzz build"
cargo +nightly fuzz build

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

# Seeds: real tokens, keytabs and caches from testdata/, and the hostile cases' plaintexts.
seed() {
    local target=$1 dir="$fuzz_dir/corpus/$1"
    mkdir -p "$dir"
    local f
    case "$target" in
    der | ap_req | differential | gss_spnego | messages)
        for f in "$root"/testdata/mit/*.bin "$root"/testdata/windows-ad/*-kerberos-data \
            "$root"/testdata/hostile/tokens/*.bin; do
            [ -f "$f" ] && cp "$f" "$dir/"
        done
        ;;& # the differential target also takes the authenticators below
    authorization_header)
        for f in "$root"/testdata/mit/*ap-req.bin "$root"/testdata/hostile/tokens/*.bin; do
            [ -f "$f" ] && printf 'Negotiate %s' "$(base64 -w0 "$f")" >"$dir/$(basename "$f").txt"
        done
        ;;
    enc_ticket_part)
        for f in "$root"/testdata/hostile/fuzz-seeds/enc-ticket-part-*.bin; do
            [ -f "$f" ] && cp "$f" "$dir/"
        done
        ;;
    authenticator | differential)
        for f in "$root"/testdata/hostile/fuzz-seeds/authenticator-*.bin \
            "$root"/testdata/hostile/regressions/*.bin; do
            [ -f "$f" ] && cp "$f" "$dir/"
        done
        ;;
    acceptor_known_key)
        for f in "$root"/testdata/hostile/fuzz-seeds/known-key-*.bin; do
            [ -f "$f" ] && cp "$f" "$dir/"
        done
        ;;
    keytab)
        for f in "$root"/testdata/mit/*.keytab; do
            [ -f "$f" ] && cp "$f" "$dir/"
        done
        ;;
    ccache)
        for f in "$root"/testdata/mit/*.ccache "$root"/testdata/windows-ad/krb5cc; do
            [ -f "$f" ] && cp "$f" "$dir/"
        done
        ;;
    esac
    return 0
}

failed=0
summary=()
for t in "${targets[@]}"; do
    seed "$t"
    artifacts="$fuzz_dir/artifacts/$t"
    mkdir -p "$artifacts"
    log="$fuzz_dir/artifacts/$t.log"
    echo "==> $t for ${seconds}s"
    set +e
    cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -max_len=16384 >"$log" 2>&1
    status=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    crashes=$(find "$artifacts" -type f | wc -l)
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        echo "   FAILED (exit $status); the end of $log:"
        tail -n 30 "$log" | sed 's/^/   | /'
    fi
    summary+=("$(printf '%-22s execs %-10s crashes %s' "$t" "${execs:-?}" "$crashes")")
done

echo
echo "fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
    echo "fuzzing found crashes: see fuzz/artifacts/<target>/ and the logs beside them" >&2
    exit 1
fi
