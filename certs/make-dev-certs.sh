#!/usr/bin/env bash
# Makes a development PKI (EC P-256) with openssl into OUT_DIR (default: certs/out):
#   ca.key/ca.crt             self-signed "Social Prescribing Dev CA", 10 years
#   server.key/server.crt     CN=localhost, SAN DNS:localhost + IP:127.0.0.1, serverAuth, 825 days
#   client-<slug>.key/.crt    one per row of certs/organisations.csv, clientAuth,
#                             subject /O=<name>/OU=<role>/CN=<ods code>
# Idempotent: does nothing if OUT_DIR/ca.crt already exists.
# Private keys are mode 600; set CERTS_WORLD_READABLE=1 to make them 644.
# Development only: these certificates must never protect real data.
#
# Usage: certs/make-dev-certs.sh [OUT_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/out}"
cnf="$here/openssl-dev.cnf"
orgs="$here/organisations.csv"

if [[ -e "$out/ca.crt" ]]; then
  echo "make-dev-certs: $out/ca.crt exists already, nothing to do"
  exit 0
fi

mkdir -p "$out"
# Build in a scratch folder and move the files in at the end (ca.crt last),
# so an interrupted run never leaves a half-made PKI that looks complete.
work="$(mktemp -d "$out/.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
umask 077

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$1.key" 2>/dev/null; }

# issue NAME SUBJECT EXT_SECTION: key + CSR, then sign with the CA.
issue() {
  newkey "$1"
  openssl req -new -config "$cnf" -key "$work/$1.key" -subj "$2" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
    -extfile "$cnf" -extensions "$3" -out "$work/$1.crt" 2>/dev/null
  rm -f "$work/$1.csr"
}

newkey ca
openssl req -new -x509 -config "$cnf" -key "$work/ca.key" -subj "/CN=Social Prescribing Dev CA" \
  -days 3650 -sha256 -extensions ca_ext -out "$work/ca.crt"

issue server "/CN=localhost" server_ext

count=0
while IFS=, read -r slug ods name role; do
  [[ "$slug" == slug || -z "$slug" ]] && continue
  issue "client-$slug" "/O=$name/OU=$role/CN=$ods" client_ext
  count=$((count + 1))
done < "$orgs"

chmod 644 "$work"/*.crt
if [[ "${CERTS_WORLD_READABLE:-0}" == 1 ]]; then
  chmod 644 "$work"/*.key
else
  chmod 600 "$work"/*.key
fi
for f in "$work"/*; do
  [[ "$f" == "$work/ca.crt" ]] || mv -f "$f" "$out/"
done
mv -f "$work/ca.crt" "$out/ca.crt"

echo "make-dev-certs: wrote CA, server and $count client certificates to $out"
