#!/usr/bin/env bash
# Fails when the dependency tree holds a C Kerberos or C crypto binding. The product is pure Rust:
# no libkrb5, no libgssapi, no OpenSSL, no aws-lc.
set -euo pipefail
cd "$(dirname "$0")/.."
banned='^(openssl|openssl-sys|native-tls|krb5-sys|krb5|libgssapi|libgssapi-sys|gssapi|gssapi-sys|aws-lc-sys|aws-lc-rs|boring|boring-sys|libkrb5-sys|cross-krb5)$'
tree=$(cargo tree --workspace --all-features --locked -e normal,build --prefix none --format '{p}' | awk '{print $1}' | sort -u)
found=$(printf '%s\n' "$tree" | grep -E "$banned" || true)
if [ -n "$found" ]; then
  echo "check-no-c: banned C bindings in the dependency tree:" >&2
  printf '  %s\n' $found >&2
  exit 1
fi
echo "check-no-c: $(printf '%s\n' "$tree" | wc -l) crates, none of them a C Kerberos or crypto binding"
