#!/usr/bin/env bash
# Makes a development PKI (EC P-256) with openssl into OUT_DIR (default: certs/out):
#   ca.key/ca.crt             self-signed "Social Prescribing Dev CA", 10 years
#   server.key/server.crt     CN=localhost, SAN DNS:localhost + IP:127.0.0.1, serverAuth, 825 days
#   hub-client.key/.crt       the hub's client certificate, clientAuth, 825 days: what it presents
#                             when it delivers over https (--delivery-cert, --delivery-key)
#   client-<slug>.key/.crt    one per row of certs/organisations.csv, clientAuth,
#                             subject /O=<name>/OU=<role>/CN=<ods code>
#   client-revoked.key/.crt   the GP practice's code (A81001), revoked in ca.crl (tests)
#   client-unknown.key/.crt   an organisation the registry does not list (ZZZ9999, tests)
#   client-expired.key/.crt   the GP practice's code (A81001), valid only in January 2020 (tests)
#   ca.crl                    the CA's revocation list, naming client-revoked
# Idempotent: does nothing if OUT_DIR/ca.crt already exists, except that a PKI made before the
# hub had a client certificate gets hub-client.key/.crt from its CA.
# Private keys are mode 600; set CERTS_WORLD_READABLE=1 to make them 644.
# Development only: these certificates must never protect real data.
#
# Usage: certs/make-dev-certs.sh [OUT_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/out}"
cnf="$here/openssl-dev.cnf"
orgs="$here/organisations.csv"

hub_subject="/O=Social Prescribing FHIR Adapter/OU=hub/CN=sp-hub"

if [[ -e "$out/ca.crt" ]]; then
  if [[ -e "$out/hub-client.crt" || ! -e "$out/ca.key" ]]; then
    echo "make-dev-certs: $out/ca.crt exists already, nothing to do"
    exit 0
  fi
  # Made before the hub had a client certificate: issue it with the existing CA.
  work="$(mktemp -d "$out/.tmp.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  export CA_DIR="$work"  # openssl-dev.cnf names it
  umask 077
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/hub-client.key" \
    2>/dev/null
  openssl req -new -config "$cnf" -key "$work/hub-client.key" -subj "$hub_subject" \
    -out "$work/hub-client.csr"
  openssl x509 -req -in "$work/hub-client.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
    -extfile "$cnf" -extensions hub_client_ext -out "$work/hub-client.crt" 2>/dev/null
  chmod 644 "$work/hub-client.crt"
  if [[ "${CERTS_WORLD_READABLE:-0}" == 1 ]]; then chmod 644 "$work/hub-client.key"; fi
  mv -f "$work/hub-client.key" "$out/"
  mv -f "$work/hub-client.crt" "$out/"
  echo "make-dev-certs: added the hub's client certificate to $out"
  exit 0
fi

mkdir -p "$out"
# Build in a scratch folder and move the files in at the end (ca.crt last),
# so an interrupted run never leaves a half-made PKI that looks complete.
work="$(mktemp -d "$out/.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export CA_DIR="$work"  # openssl-dev.cnf's [dev_ca] keeps its files here
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
# The hub's client certificate for delivery: receivers may insist on the clientAuth purpose.
issue hub-client "$hub_subject" hub_client_ext

count=0
while IFS=, read -r slug ods name role; do
  [[ "$slug" == slug || -z "$slug" ]] && continue
  issue "client-$slug" "/O=$name/OU=$role/CN=$ods" client_ext
  count=$((count + 1))
done < "$orgs"

# Test identities: a revoked certificate of a registered organisation, and a valid certificate of
# an unregistered one.
issue client-revoked "/O=Riverside Medical Practice (revoked)/OU=gp-practice/CN=A81001" client_ext
issue client-unknown "/O=Unregistered Organisation/OU=vcse-provider/CN=ZZZ9999" client_ext
: > "$work/index.txt"
echo 01 > "$work/crlnumber"
# `openssl x509 -req` only issues from now on; `openssl ca` takes explicit dates.
newkey client-expired
openssl req -new -config "$cnf" -key "$work/client-expired.key" \
  -subj "/O=Riverside Medical Practice (expired)/OU=gp-practice/CN=A81001" -out "$work/expired.csr"
openssl ca -config "$cnf" -batch -notext -rand_serial -in "$work/expired.csr" \
  -startdate 20200101000000Z -enddate 20200131000000Z -extfile "$cnf" -extensions client_ext \
  -out "$work/client-expired.crt" 2>/dev/null
openssl ca -config "$cnf" -revoke "$work/client-revoked.crt" 2>/dev/null
openssl ca -config "$cnf" -gencrl -out "$work/ca.crl" 2>/dev/null
rm -f "$work"/index.txt* "$work"/crlnumber* "$work"/serial* "$work"/expired.csr "$work"/*.pem

chmod 644 "$work"/*.crt "$work/ca.crl"
if [[ "${CERTS_WORLD_READABLE:-0}" == 1 ]]; then
  chmod 644 "$work"/*.key
else
  chmod 600 "$work"/*.key
fi
for f in "$work"/*; do
  [[ "$f" == "$work/ca.crt" ]] || mv -f "$f" "$out/"
done
mv -f "$work/ca.crt" "$out/ca.crt"

echo "make-dev-certs: wrote CA, server, hub client and $count client certificates to $out"
