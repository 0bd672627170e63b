#!/usr/bin/env bash
# Remakes the MIT-made keytabs of this directory with MIT's ktutil, and their `klist -k -e -t -K`
# listings. Needs MIT Kerberos (Debian: krb5-user). No KDC, no krb5.conf: KRB5_CONFIG points at
# an empty file. ktutil stamps entries with the current time, so a rerun changes the timestamps
# (and only them); the tests compare against the .klist files made beside the keytabs.
set -euo pipefail
cd "$(dirname "$0")"
conf=$(mktemp); trap 'rm -f "$conf"' EXIT
export KRB5_CONFIG=$conf
export TZ=UTC

# The password of kvno N is "secretN" (so each key version has its own key).
http='HTTP/api.example.test@EXAMPLE.TEST'

# make OUT LINES... : each line is "principal kvno enctype [salt]"
make() {
  local out=$1; shift
  rm -f "$out"
  {
    for line in "$@"; do
      set -- $line
      if [ $# -eq 4 ]; then
        printf 'addent -password -p %s -k %s -e %s -s %s\nsecret%s\n' "$1" "$2" "$3" "$4" "$2"
      else
        printf 'addent -password -p %s -k %s -e %s\nsecret%s\n' "$1" "$2" "$3" "$2"
      fi
    done
    printf 'wkt %s\nquit\n' "$out"
  } | ktutil >/dev/null
  klist -k -e -t -K "$out" > "${out%.keytab}.klist"
}

# One service, two key versions, the four AES enctypes; and a kvno above 255.
make mit-aes.keytab \
  "$http 3 aes256-cts-hmac-sha1-96" \
  "$http 3 aes128-cts-hmac-sha1-96" \
  "$http 3 aes128-cts-hmac-sha256-128" \
  "$http 3 aes256-cts-hmac-sha384-192" \
  "$http 4 aes256-cts-hmac-sha1-96" \
  "$http 4 aes256-cts-hmac-sha384-192" \
  "host/api.example.test@EXAMPLE.TEST 300 aes256-cts-hmac-sha1-96"

# Enctypes this project does not use (rc4 only with the feature), and an explicit salt.
make mit-mixed.keytab \
  "$http 7 arcfour-hmac" \
  "$http 7 des3-cbc-sha1" \
  "$http 7 camellia256-cts-cmac" \
  "$http 7 aes256-cts-hmac-sha1-96 SALTYSALT" \
  "user@EXAMPLE.TEST 1 aes128-cts-hmac-sha1-96"

# Files MIT's tools write only in other circumstances, made here from mit-aes.keytab with the
# rules of MIT's kt_file.c, and checked with klist (which reads them the same as we do):
# - mit-aes-v1.keytab: format 0x0501 (little-endian, as MIT on x86 wrote it; the component count
#   includes the realm; no name type);
# - holes.keytab: the 2nd and 5th entries deleted as MIT's krb5_kt_remove_entry does (size made
#   negative, body zeroed), then MIT's end marker (size 0) and zero fill;
# - only-holes.keytab: every entry deleted.
python3 - <<'PY'
import struct
src = open("mit-aes.keytab", "rb").read()
assert src[:2] == b"\x05\x02"
entries, pos = [], 2
while pos < len(src):
    (size,) = struct.unpack_from(">i", src, pos)
    entries.append(src[pos + 4 : pos + 4 + size])
    pos += 4 + size

def to_v1(body):
    p = 0
    (count,) = struct.unpack_from(">H", body, p); p += 2
    out = struct.pack("<H", count + 1)
    for _ in range(count + 1):
        (n,) = struct.unpack_from(">H", body, p); p += 2
        out += struct.pack("<H", n) + body[p : p + n]; p += n
    p += 4  # name type: not in 0x0501
    (ts,) = struct.unpack_from(">I", body, p); p += 4
    out += struct.pack("<I", ts) + body[p : p + 1]; p += 1
    (et, kl) = struct.unpack_from(">HH", body, p); p += 4
    out += struct.pack("<HH", et, kl) + body[p : p + kl]; p += kl
    if len(body) - p >= 4:
        (k32,) = struct.unpack_from(">I", body, p)
        out += struct.pack("<I", k32)
    return struct.pack("<i", len(out)) + out

open("mit-aes-v1.keytab", "wb").write(b"\x05\x01" + b"".join(to_v1(e) for e in entries))

def hole(body):
    return struct.pack(">i", -len(body)) + bytes(len(body))

def keep(body):
    return struct.pack(">i", len(body)) + body

out = b"\x05\x02"
for i, e in enumerate(entries):
    out += hole(e) if i in (1, 4) else keep(e)
out += bytes(4) + bytes(12)
open("holes.keytab", "wb").write(out)
open("only-holes.keytab", "wb").write(b"\x05\x02" + b"".join(hole(e) for e in entries))
PY
for f in mit-aes-v1 holes only-holes; do klist -k -e -t -K "$f.keytab" > "$f.klist"; done
chmod 644 ./*.keytab
