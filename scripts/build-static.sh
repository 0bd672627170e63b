#!/usr/bin/env bash
# Builds one static `krb-proxy` (release profile, stripped) and shows that it is static.
#
#   scripts/build-static.sh           build; print the path, `ldd` output and the size
#   scripts/build-static.sh --check   also run scripts/static-smoke.sh on it (env -i, empty dir)
#
# Target: x86_64-unknown-linux-musl when that target is installed (`rustup target add
# x86_64-unknown-linux-musl`), else x86_64-unknown-linux-gnu with `-C target-feature=+crt-static`
# (static glibc). The binary lands in target/static/<target>/release/krb-proxy; the static build
# has its own target directory so it never invalidates the ordinary build's artifacts.
#
# Static glibc caveat: glibc's name-service functions (getaddrinfo, getpwnam) may load shared NSS
# modules (libnss_*.so) at run time even from a static binary, and the static binary holds that
# loader (`strings` shows libnss_%s.so and /etc/nsswitch.conf). krb-proxy resolves an upstream's
# host name with getaddrinfo (through tokio). Since glibc 2.34 the "files" and "dns" sources are
# built into libc, so /etc/hosts and DNS work (scripts/static-smoke.sh names its upstream
# `localhost` to check it); other NSS sources (systemd-resolved's "resolve", "myhostname", LDAP,
# mdns) would need dlopen and do not work. Upstream URLs with IP addresses need no resolver. A
# musl build has no NSS and reads /etc/hosts and /etc/resolv.conf itself. rustc hides linker
# warnings by default; this script builds with -W linker-messages and prints any that mention
# static linking (with glibc 2.36 and rustc 1.95 here the linker printed none).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: scripts/build-static.sh [--check]" >&2; exit 2 ;;
esac

if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
  target=x86_64-unknown-linux-musl
else
  target=x86_64-unknown-linux-gnu
fi
# +crt-static: link the C library statically (musl's default; glibc's on request).
# getrandom_backend="linux_getrandom": getrandom 0.3+ otherwise looks the getrandom() function
# up with dlsym, which a static binary cannot do, and falls back to opening /dev/urandom; in a
# root without /dev (a chroot, or a scratch image run without the usual /dev) key generation
# then fails ("OS Error: 2"). With it, the getrandom(2) system call is called directly (Linux
# 3.17 or later). -W linker-messages: show the linker's warnings, which rustc hides by default.
flags="-C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\" -W linker-messages"
export CARGO_TARGET_DIR="${STATIC_TARGET_DIR:-$root/target/static}"
echo "build-static: target $target, RUSTFLAGS='$flags', target dir $CARGO_TARGET_DIR"
# With an explicit --target, RUSTFLAGS applies to the target only, not to build scripts and
# proc macros (which stay dynamic host programs, as they must).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! RUSTFLAGS="$flags" cargo build --release --locked -p krb-proxy --bin krb-proxy \
  --target "$target" 2>&1 | tee "$log"; then
  echo "build-static: cargo build failed" >&2
  exit 1
fi
if grep -iE '(statically linked|getaddrinfo|getpw|dlopen)' "$log"; then
  echo "build-static: the linker warnings above are the static-glibc NSS caveat (see the header)"
fi

bin="$CARGO_TARGET_DIR/$target/release/krb-proxy"
strip "$bin"
echo "path: $bin"
echo "file: $(file -b "$bin" 2>/dev/null || echo 'file(1) not installed')"
ldd_out=$(ldd "$bin" 2>&1 || true)
echo "ldd:  $ldd_out"
case "$ldd_out" in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *) echo "build-static: $bin is not static (ldd lists libraries)" >&2; exit 1 ;;
esac
size=$(stat -c %s "$bin")
echo "size: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB)"
limit=$((10 * 1024 * 1024))
if [ "$size" -gt "$limit" ]; then
  echo "build-static: $bin is larger than 10 MiB" >&2
  exit 1
fi

if [ "$check" = 1 ]; then
  scripts/static-smoke.sh "$bin"
fi
