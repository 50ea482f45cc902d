#!/usr/bin/env bash
# The layering rules of docs (README "Layout") as a test: which adapter/ folders each folder may
# include from, and which folders alone may include libpqxx, Pistache and OpenSSL. Prints every
# include that breaks a rule, and fails if there is one.
#   tests/layering/check_layers.sh [adapter-dir]
set -euo pipefail
adapter="${1:-$(cd "$(dirname "$0")/../../adapter" && pwd)}"

# folder -> the folders it may include from (besides itself). Each layer knows the ones below:
# http -> rest/services -> domain -> model -> storage interface.
declare -A may=(
  [fhir]=""
  [util]=""
  [fhirpath]="fhir"
  [validation]="fhir fhirpath"
  [store]="fhir util"
  [search]="fhir fhirpath store validation"
  [workflow]="fhir"
  [mapping]="fhir"
  [messaging]="fhir mapping store"
  [reports]="fhir store util"
  [security]="fhir reports store workflow"
  [delivery]="fhir store workflow"
  [rest]="fhir fhirpath search security store validation workflow"
  [services]="fhir rest search security store validation workflow mapping messaging reports delivery"
  [http]="fhir rest delivery"
  [app]="fhir http rest"
)
# library include -> the only folder that may use it
declare -A library=([pqxx]="store/pg" [pistache]="http" [openssl]="http")

problems=0
report() { echo "layering: $*"; problems=$((problems + 1)); }

for dir in "$adapter"/*/; do
  folder=$(basename "$dir")
  if [[ -z "${may[$folder]+set}" ]]; then
    report "adapter/$folder/ is not in the table of tests/layering/check_layers.sh"
    continue
  fi
  while IFS=: read -r file line text; do
    target=$(sed -E 's/#include "([a-z_]+)\/.*/\1/' <<<"$text")
    [[ "$target" == "$folder" ]] && continue
    [[ " ${may[$folder]} " == *" $target "* ]] && continue
    report "${file#"$adapter"/}:$line includes $target/ (adapter/$folder/ may include: ${may[$folder]:-nothing})"
  done < <(grep -rnoE '^#include "[a-z_]+/[^"]+"' "$dir" --include='*.h' --include='*.cpp' || true)
done

for lib in "${!library[@]}"; do
  allowed="${library[$lib]}"
  while IFS=: read -r file line _; do
    relative="${file#"$adapter"/}"
    [[ "$relative" == "$allowed"/* ]] && continue
    report "$relative:$line includes <$lib/...> (only adapter/$allowed/ may)"
  done < <(grep -rnE "^#include <$lib/" "$adapter" --include='*.h' --include='*.cpp' || true)
done

if ((problems > 0)); then
  echo "layering: $problems include(s) break the layers"
  exit 1
fi
echo "layering: every include follows the layers"
