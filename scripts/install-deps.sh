#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, and nothing that is already there.
# - the Rust components rustfmt and clippy (the toolchain itself comes with the machine);
# - MIT Kerberos from Debian's packages: a real KDC and real clients, used only as a peer in
#   tests and benchmarks (the product links none of it);
# - curl (with GSS-API/SPNEGO) and Python's requests-gssapi, clients of the live tests
#   (proxy/tests/live_kerberos.rs); requests-gssapi builds its gssapi module against
#   libkrb5-dev with a C compiler (about a minute, once).
set -euo pipefail

need_pkgs=()
for p in krb5-kdc krb5-admin-server krb5-user libkrb5-dev curl gcc; do
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

# requests-gssapi (and cryptography, which it needs for TLS channel bindings) for
# proxy/tests/python/requests_gssapi_test.py, in the python3 on PATH.
if ! python3 -c 'import requests_gssapi, cryptography' >/dev/null 2>&1; then
  py_pkgs=()
  command -v python3 >/dev/null 2>&1 || py_pkgs+=(python3)
  python3 -m pip --version >/dev/null 2>&1 || py_pkgs+=(python3-pip)
  # gssapi's C extension needs Python.h.
  python3 -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    >/dev/null 2>&1 || py_pkgs+=(python3-dev)
  if [ "${#py_pkgs[@]}" -gt 0 ]; then
    echo "install-deps: installing ${py_pkgs[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${py_pkgs[@]}"
  fi
  echo "install-deps: installing requests-gssapi with pip (builds gssapi against libkrb5-dev)"
  pip_install() {
    python3 -m pip install --quiet --disable-pip-version-check "$@" requests-gssapi cryptography 2>&1
  }
  if ! out=$(pip_install); then
    case $out in
      # Debian's own python3 refuses pip installs outside a virtualenv (PEP 668) unless told.
      *externally-managed-environment*) pip_install --break-system-packages ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  python3 -c 'import requests_gssapi, cryptography'
fi
