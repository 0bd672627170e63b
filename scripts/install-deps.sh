#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, and nothing that is already there.
# - the Rust components rustfmt and clippy (the toolchain itself comes with the machine);
# - MIT Kerberos from Debian's packages: a real KDC and real clients, used only as a peer in
#   tests and benchmarks (the product links none of it).
set -euo pipefail

need_pkgs=()
for p in krb5-kdc krb5-admin-server krb5-user libkrb5-dev curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_pkgs+=("$p")
done

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "install-deps: installing ${need_pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Debian's postinst scripts start the system KDC unless policy-rc.d says no. Our tests start
  # their own KDC on loopback ports with private files; the system one must stay down.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
  if [ "$created_policy" -eq 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi

for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    echo "install-deps: adding rustup component $c"
    rustup component add "$c"
  fi
done
