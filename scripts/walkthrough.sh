#!/usr/bin/env bash
# The README's curl walkthrough ("Trying it with curl (mTLS)"), runnable, so that it cannot drift:
# the README shows the commands between the markers below, character for character
# (`--check-readme` compares them; ctest "readme-walkthrough" runs that check, and
# tests/integration/walkthrough_pgtest.cpp runs the walkthrough against a real server behind
# the TLS edge).
#
#   scripts/walkthrough.sh [BASE_URL] [CERTS_DIR]   run it (https://localhost:8443, certs/out)
#   scripts/walkthrough.sh --print                  the commands, as the README shows them
#   scripts/walkthrough.sh --check-readme [README]  exit 1 when README.md shows other commands
#
# When it runs, each curl must get a 2xx answer: the script then says which step did not, and
# exits 1 once every step has run.
set -uo pipefail
script="${BASH_SOURCE[0]}"

# The commands: the lines between the markers, without the markers.
commands() {
  sed -n '/^# >>> walkthrough$/,/^# <<< walkthrough$/p' "$script" | sed '1d;$d'
}

# The README section's first sh block.
readmeCommands() {
  awk '/^## Trying it with curl/ {section = 1; next}
       section && /^## / {exit}
       section && /^```sh$/ {inside = 1; next}
       section && inside && /^```$/ {exit}
       section && inside {print}' "$1"
}

case "${1:-}" in
  --print)
    commands
    exit 0
    ;;
  --check-readme)
    readme="${2:-$(dirname "$script")/../README.md}"
    if ! diff -u <(commands) <(readmeCommands "$readme") >&2; then
      echo "walkthrough: the README's commands differ from scripts/walkthrough.sh (above: - script, + README)" >&2
      exit 1
    fi
    echo "walkthrough: README.md shows the commands of scripts/walkthrough.sh"
    exit 0
    ;;
  -h | --help)
    sed -n '2,13p' "$script" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

# Every step's HTTP status, checked at the end. curl is wrapped, so that the walkthrough reads
# as plain curl commands and still notices an answer that is not 2xx (also inside a pipe or a
# command substitution, where an exit would end only a subshell: hence the file).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: >"$work/statuses"
curl() {
  local status target="" arg
  for arg in "$@"; do
    [[ "$arg" =~ ^https?:// ]] && target="$arg"
  done
  status="$(command curl -o "$work/body" -w '%{http_code}' "$@")" || status="transport-error-$?"
  cat "$work/body" 2>/dev/null
  rm -f "$work/body"
  printf '%s %s\n' "$status" "$target" >>"$work/statuses"
}

# >>> walkthrough
BASE=${1:-https://localhost:8443}
CERTS=${2:-certs/out}
GP="--cacert $CERTS/ca.crt --cert $CERTS/client-gp.crt --key $CERTS/client-gp.key"
ADMIN="--cacert $CERTS/ca.crt --cert $CERTS/client-admin.crt --key $CERTS/client-admin.key"
FHIR='Content-Type: application/fhir+json'
SP=https://fhir.social-prescribing.example.org

curl -s $GP $BASE/metadata | head -c 300; echo

# A Directory of Services entry: the directory administrator writes the directory, and this
# entry has all the project's details (an entry without them is accepted too, and held as
# capacity unknown, not yet assured, never reviewed)
curl -s $ADMIN -H "$FHIR" -X POST $BASE/HealthcareService -d '{
  "resourceType": "HealthcareService", "active": true, "name": "Riverside Walking Group",
  "providedBy": {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "VCS0001"}},
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/service-category", "code": "23"}]}],
  "extension": [
    {"url": "'$SP'/StructureDefinition/capacity", "extension": [
      {"url": "total", "valueUnsignedInt": 12}, {"url": "free", "valueUnsignedInt": 4},
      {"url": "status", "valueCode": "capacity"}]},
    {"url": "'$SP'/StructureDefinition/governance-tier",
     "valueCoding": {"system": "'$SP'/CodeSystem/governance-tier", "code": "tier-1"}},
    {"url": "'$SP'/StructureDefinition/last-reviewed", "valueDate": "2026-10-14"}]}'; echo

# A referral and its Task, in one transaction (urn:uuid references are resolved), in plain R4:
# the hub derives what its profiles add (the referral route, the project's Task code)
ANSWER=$(curl -s $GP -H "$FHIR" -X POST $BASE/ -d '{
  "resourceType": "Bundle", "type": "transaction", "entry": [
   {"fullUrl": "urn:uuid:6b0f1a4e-0b8e-4d3b-9a51-0d9f3c1f0a01",
    "resource": {"resourceType": "Patient",
      "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9000000009"}]},
    "request": {"method": "POST", "url": "Patient"}},
   {"fullUrl": "urn:uuid:6b0f1a4e-0b8e-4d3b-9a51-0d9f3c1f0a02",
    "resource": {"resourceType": "ServiceRequest", "status": "active", "intent": "order",
      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "871731000000106",
                           "display": "Referral to social prescribing service"}]},
      "subject": {"reference": "urn:uuid:6b0f1a4e-0b8e-4d3b-9a51-0d9f3c1f0a01"},
      "requester": {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "A81001"}}},
    "request": {"method": "POST", "url": "ServiceRequest"}},
   {"resource": {"resourceType": "Task", "status": "requested", "intent": "order",
      "code": {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]},
      "requester": {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "A81001"}},
      "focus": {"reference": "urn:uuid:6b0f1a4e-0b8e-4d3b-9a51-0d9f3c1f0a02"},
      "for": {"reference": "urn:uuid:6b0f1a4e-0b8e-4d3b-9a51-0d9f3c1f0a01"}},
    "request": {"method": "POST", "url": "Task"}}]}'); echo "$ANSWER"

# Read the Task back (its id is in the answer's Task/<id> location); ETag gives the version
TASK=$(echo "$ANSWER" | grep -o '"Task/[A-Za-z0-9.-]*' | head -n 1 | cut -d / -f 2)
curl -s -i $GP $BASE/Task/$TASK
curl -s $GP $BASE/Task/$TASK/_history; echo
# <<< walkthrough

echo
failed=0
n=0
while read -r status target; do
  n=$((n + 1))
  if [[ "$status" =~ ^2[0-9][0-9]$ ]]; then
    echo "walkthrough: step $n, $target: $status"
  else
    echo "walkthrough: step $n, $target: $status, not 2xx" >&2
    failed=1
  fi
done <"$work/statuses"
if [[ "$n" -eq 0 ]]; then
  echo "walkthrough: no step ran" >&2
  exit 1
fi
exit "$failed"
