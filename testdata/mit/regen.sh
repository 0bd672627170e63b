#!/usr/bin/env bash
# Makes the MIT Kerberos test data in this directory again (see README.md): starts a private KDC
# with scripts/mit-kdc.sh, creates the realm's principals, captures real MIT GSS-API tokens with
# gss-tool.c, checks them, and writes tokens, keytabs, the ccache, klist outputs and
# manifest.json here, replacing the previous set. Needs Debian's MIT krb5 packages and a C
# compiler (scripts/install-deps.sh). Keys and times differ from run to run; names, passwords,
# enctypes and the list of files do not.
set -euo pipefail
export LC_ALL=C TZ=UTC
PATH="$PATH:/usr/sbin:/sbin"

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
REALM=EXAMPLE.TEST
ALICE_PW=alice-password
BOB_PW=bob-password
SERVICE_PW=service-password
PW_SERVICE=HTTP/password.example.test
CB=tls-server-end-point:krb-proxy-test-binding

die() { echo "regen: $*" >&2; exit 1; }
step() { echo "regen: $*" >&2; }

for t in cc krb5-config kadmin.local kinit klist ktutil; do
  command -v "$t" >/dev/null 2>&1 || die "$t not found; run scripts/install-deps.sh"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mit-regen.XXXXXX")
cleanup() {
  "$root/scripts/mit-kdc.sh" stop "$work/kdc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$root/scripts/mit-kdc.sh" start "$work/kdc" >&2
# shellcheck disable=SC1091
source "$work/kdc/env"
# No replay cache: the same tokens are accepted again by the checks below and by later runs.
export KRB5RCACHETYPE=none

tool=$work/gss-tool
# shellcheck disable=SC2046
cc -O2 -Wall -o "$tool" "$here/gss-tool.c" $(krb5-config --cflags --libs gssapi)

out=$work/out
mkdir -p "$out" "$work/entries"
kadm() { kadmin.local -q "$1" >>"$work/kadmin.log" 2>&1 || die "kadmin.local -q '$1' failed (see log)"; }

# ---- principals -------------------------------------------------------------------------------
step "creating principals"
E17=aes128-cts-hmac-sha1-96 E18=aes256-cts-hmac-sha1-96
E19=aes128-cts-hmac-sha256-128 E20=aes256-cts-hmac-sha384-192 E23=arcfour-hmac
kadm "addprinc -pw $ALICE_PW alice"
kadm "addprinc -pw $BOB_PW bob"
kadm "addprinc -randkey -e $E18:normal,$E17:normal,$E20:normal,$E19:normal HTTP/api.example.test"
# One service per enctype; session_enctypes makes the session key (and so the authenticator and
# the AP-REP) use the same enctype as the ticket.
for pair in aes128:$E17 aes256:$E18 sha256:$E19 sha384:$E20 rc4:$E23; do
  host=${pair%%:*} et=${pair#*:}
  kadm "addprinc -randkey -e $et:normal HTTP/$host.example.test"
  kadm "setstr HTTP/$host.example.test session_enctypes $et"
done
kadm "addprinc -randkey -e $E18:normal,$E17:normal HTTP/rotate.example.test"
kadm "addprinc -pw $SERVICE_PW -e $E18:normal,$E17:normal,$E20:normal,$E19:normal $PW_SERVICE"

kt=$out/service.keytab
kadm "ktadd -norandkey -k $kt HTTP/api.example.test HTTP/aes128.example.test HTTP/aes256.example.test HTTP/sha256.example.test HTTP/sha384.example.test HTTP/rc4.example.test HTTP/rotate.example.test"

# ---- tickets ----------------------------------------------------------------------------------
step "getting tickets"
export KRB5CCNAME=FILE:$work/alice.ccache
echo "$ALICE_PW" | kinit -f -r 2d alice >/dev/null
echo "$BOB_PW" | KRB5CCNAME=FILE:$work/bob.ccache kinit -f bob >/dev/null
echo "$ALICE_PW" | KRB5CCNAME=FILE:$work/alice-rotate1.ccache kinit -f alice >/dev/null

# ---- tokens -----------------------------------------------------------------------------------
n=0
# capture NAME TARGET MECH [gss-tool options...]: one init/accept exchange, its tokens and facts.
capture() {
  local name=$1 target=$2 mech=$3
  shift 3
  n=$((n + 1))
  (cd "$out" && "$tool" roundtrip -t "$target" -m "$mech" -k "$kt" -p "$name" "$@") \
    >"$work/entries/$(printf %02d $n)-$name.json" || die "capture $name failed"
}
step "capturing tokens"
api=HTTP@api.example.test
capture krb5-api "$api" krb5
capture krb5-api-mutual "$api" krb5 -M
capture spnego-api "$api" spnego
capture spnego-api-mutual "$api" spnego -M
capture krb5-api-deleg "$api" krb5 -M -d
capture spnego-api-deleg "$api" spnego -M -d
capture krb5-api-cb "$api" krb5 -M -b "$CB"
capture spnego-api-cb "$api" spnego -M -b "$CB"
KRB5CCNAME=FILE:$work/bob.ccache capture krb5-api-bob "$api" krb5 -M
for host in aes128 aes256 sha256 sha384 rc4; do
  capture "krb5-$host" "HTTP@$host.example.test" krb5 -M
  capture "spnego-$host" "HTTP@$host.example.test" spnego -M
done

# Key rotation: a token for kvno 1, then new keys (kvno 2) added to the same keytab.
KRB5CCNAME=FILE:$work/alice-rotate1.ccache capture krb5-rotate-kvno1 HTTP@rotate.example.test krb5 -M
kadm "cpw -randkey -e $E18:normal,$E17:normal HTTP/rotate.example.test"
kadm "ktadd -norandkey -k $kt HTTP/rotate.example.test"
capture krb5-rotate-kvno2 HTTP@rotate.example.test krb5 -M

# A keytab made from the password alone (ktutil, default salt), and a token it must accept.
pwkt=$out/password.keytab
{
  for et in $E17 $E18 $E19 $E20; do
    printf 'addent -password -p %s@%s -k 1 -e %s\n%s\n' "$PW_SERVICE" "$REALM" "$et" "$SERVICE_PW"
  done
  printf 'wkt %s\nquit\n' "$pwkt"
} | ktutil >/dev/null 2>"$work/ktutil.log" || die "ktutil failed: $(cat "$work/ktutil.log")"
# The same password at kvno 300: MIT writes kvno mod 256 in the entry's 8-bit field and the
# full kvno in the 32-bit field after the key.
printf 'addent -password -p %s@%s -k 300 -e %s\n%s\nwkt %s\nquit\n' \
  "$PW_SERVICE" "$REALM" "$E18" "$SERVICE_PW" "$out/kvno300.keytab" |
  ktutil >/dev/null 2>"$work/ktutil.log" || die "ktutil failed: $(cat "$work/ktutil.log")"
n=$((n + 1))
(cd "$out" && "$tool" roundtrip -t HTTP@password.example.test -m krb5 -k "$pwkt" -p krb5-password -M) \
  >"$work/entries/$(printf %02d $n)-krb5-password.json" || die "capture krb5-password failed"

cp "$work/alice.ccache" "$out/alice.ccache"

# ---- checks -----------------------------------------------------------------------------------
step "checking"
first_byte() { od -An -tx1 -N1 "$1" | tr -d ' \n'; }
for f in "$out"/*.bin; do
  [ -s "$f" ] || die "$f is empty"
  b=$(first_byte "$f")
  case $(basename "$f") in
    spnego-*.ap-rep.bin | spnego-*.neg-token-resp.bin) [ "$b" = a1 ] || die "$f starts with 0x$b, expected 0xa1 (NegTokenResp)" ;;
    *.ap-req.bin | krb5-*.ap-rep.bin) [ "$b" = 60 ] || die "$f starts with 0x$b, expected 0x60 (GSS token)" ;;
    *) die "unexpected token file $f" ;;
  esac
done
# Every AP-REQ is accepted once more by MIT's acceptor from the committed keytab (with the same
# channel bindings), and refused with wrong ones.
for f in "$out"/*.ap-req.bin; do
  name=$(basename "$f" .ap-req.bin)
  k=$kt
  [ "$name" = krb5-password ] && k=$pwkt
  args=()
  case $name in *-cb) args=(-b "$CB") ;; esac
  "$tool" accept -k "$k" -i "$f" "${args[@]}" >/dev/null 2>"$work/accept.err" ||
    die "MIT did not accept $f again: $(cat "$work/accept.err")"
  if [ "${#args[@]}" -gt 0 ] && "$tool" accept -k "$k" -i "$f" -b wrong >/dev/null 2>&1; then
    die "MIT accepted $f with wrong channel bindings"
  fi
done
# The ktutil keys equal the KDC's keys for the same password.
kadm "ktadd -norandkey -k $work/kdc-password.keytab $PW_SERVICE"
keys() { klist -k -e -K "$1" | awk 'NR > 3 { print $1, $2, $3, $4 }' | sort; }
[ "$(keys "$pwkt" | wc -l)" -eq 4 ] && [ "$(keys "$pwkt")" = "$(keys "$work/kdc-password.keytab")" ] ||
  die "ktutil's password keys differ from the KDC's"
[ "$(keys "$out/kvno300.keytab" | cut -d' ' -f2-)" = "$(keys "$pwkt" | grep "($E18)" | cut -d' ' -f2-)" ] ||
  die "the kvno 300 key differs from the kvno 1 key of the same password"
[ "$(od -An -tx1 -N2 "$out/alice.ccache" | tr -d ' \n')" = 0504 ] || die "alice.ccache is not a v4 (0x0504) FILE ccache"

# ---- klist outputs ----------------------------------------------------------------------------
for k in service password kvno300; do
  klist -k -e -t -K "$out/$k.keytab" | sed "s|FILE:$out/|FILE:|" >"$out/$k.keytab.klist.txt"
done
klist -e -f -c "FILE:$out/alice.ccache" | sed "s|FILE:$out/|FILE:|" >"$out/alice.ccache.klist.txt"

# ---- manifest ---------------------------------------------------------------------------------
step "writing manifest.json"
etype_num() {
  case $1 in
    "($E17)") echo 17 ;; "($E18)") echo 18 ;; "($E19)") echo 19 ;; "($E20)") echo 20 ;;
    "(DEPRECATED:$E23)" | "($E23)") echo 23 ;; *) die "unknown enctype $1" ;;
  esac
}
keytab_entries() {
  local first=1 kvno principal et key
  while read -r kvno _ _ principal et key; do
    [ "$first" -eq 1 ] || printf ',\n'
    first=0
    key=${key#(0x}
    printf '        {"principal": "%s", "kvno": %s, "etype": %s, "key_hex": "%s"}' \
      "$principal" "$kvno" "$(etype_num "$et")" "${key%)}"
  done < <(klist -k -e -t -K "$1" | awk 'NR > 3')
  printf '\n'
}
version=$(dpkg-query -W -f='${Version}' libkrb5-3 2>/dev/null || krb5-config --version)
{
  cat <<EOF
{
  "comment": "Real MIT Kerberos tokens for realm $REALM, made by testdata/mit/regen.sh; see README.md. Tickets expired long ago: tests pass now = the token's created time.",
  "generated": $(date +%s),
  "mit_krb5": "$(krb5-config --version) (Debian $version)",
  "realm": "$REALM",
  "principals": [
    {"name": "alice@$REALM", "password": "$ALICE_PW", "etypes": [18, 17, 20, 19, 23]},
    {"name": "bob@$REALM", "password": "$BOB_PW", "etypes": [18, 17, 20, 19, 23]},
    {"name": "HTTP/api.example.test@$REALM", "password": null, "etypes": [18, 17, 20, 19], "kvno": 1},
    {"name": "HTTP/aes128.example.test@$REALM", "password": null, "etypes": [17], "session_enctypes": [17], "kvno": 1},
    {"name": "HTTP/aes256.example.test@$REALM", "password": null, "etypes": [18], "session_enctypes": [18], "kvno": 1},
    {"name": "HTTP/sha256.example.test@$REALM", "password": null, "etypes": [19], "session_enctypes": [19], "kvno": 1},
    {"name": "HTTP/sha384.example.test@$REALM", "password": null, "etypes": [20], "session_enctypes": [20], "kvno": 1},
    {"name": "HTTP/rc4.example.test@$REALM", "password": null, "etypes": [23], "session_enctypes": [23], "kvno": 1},
    {"name": "HTTP/rotate.example.test@$REALM", "password": null, "etypes": [18, 17], "kvno": 2, "note": "re-keyed: service.keytab holds kvno 1 and kvno 2"},
    {"name": "$PW_SERVICE@$REALM", "password": "$SERVICE_PW", "salt": "$REALM${PW_SERVICE//\//}", "etypes": [18, 17, 20, 19], "kvno": 1}
  ],
  "channel_bindings_note": "initiator and acceptor address types GSS_C_AF_UNSPEC (0), empty addresses, application data = the string's bytes",
  "keytabs": [
    {
      "file": "service.keytab",
      "klist": "service.keytab.klist.txt",
      "made_by": "kadmin.local ktadd -norandkey (random keys from the KDC)",
      "entries": [
EOF
  keytab_entries "$out/service.keytab"
  cat <<EOF
      ]
    },
    {
      "file": "password.keytab",
      "klist": "password.keytab.klist.txt",
      "made_by": "ktutil addent -password -p $PW_SERVICE@$REALM -k 1 -e ENCTYPE (default salt), for enctypes 17, 18, 19, 20",
      "password": "$SERVICE_PW",
      "salt": "$REALM${PW_SERVICE//\//}",
      "string_to_key_params": "defaults: 4096 iterations for 17 and 18, 32768 for 19 and 20",
      "entries": [
EOF
  keytab_entries "$out/password.keytab"
  cat <<EOF
      ]
    },
    {
      "file": "kvno300.keytab",
      "klist": "kvno300.keytab.klist.txt",
      "made_by": "ktutil addent -password -p $PW_SERVICE@$REALM -k 300 -e $E18 (default salt); the entry's 8-bit kvno field holds 300 mod 256 = 44, the 32-bit field after the key holds 300",
      "password": "$SERVICE_PW",
      "salt": "$REALM${PW_SERVICE//\//}",
      "entries": [
EOF
  keytab_entries "$out/kvno300.keytab"
  cat <<EOF
      ]
    }
  ],
  "ccache": {
    "file": "alice.ccache",
    "klist": "alice.ccache.klist.txt",
    "format": "MIT FILE ccache version 4 (0x0504)",
    "client": "alice@$REALM",
    "holds": "the forwardable, renewable TGT, the service tickets alice used for the tokens (HTTP/rotate at kvno 2), and MIT's X-CACHECONF: configuration entries"
  },
  "tokens": [
EOF
  first=1
  for e in "$work"/entries/*.json; do
    [ "$first" -eq 1 ] || printf ',\n'
    first=0
    sed '1d;$d' "$e" | sed 's/^/    /'
  done
  printf '\n  ]\n}\n'
} >"$out/manifest.json"

# ---- install ----------------------------------------------------------------------------------
step "writing into $here"
rm -f "$here"/*.bin "$here"/*.keytab "$here"/*.ccache "$here"/*.klist.txt "$here"/manifest.json
cp "$out"/* "$here"/
step "done: $(ls "$out"/*.bin | wc -l) tokens, $(ls "$out"/*.keytab | wc -l) keytabs, 1 ccache"
