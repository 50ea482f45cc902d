#!/usr/bin/env bash
# Checks that every C++ file follows .clang-format (Google-based, 100 columns), as CI does
# through ctest ("formatting"). With --fix, formats them in place instead.
#   scripts/check-format.sh [--fix]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
formatter="$(command -v clang-format-14 || command -v clang-format || true)"
if [[ -z "$formatter" ]]; then
  echo "check-format: clang-format is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h' 2>/dev/null ||
                     find adapter tests bench -name '*.cpp' -o -name '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  "$formatter" -i --style=file "${files[@]}"
  exit 0
fi
"$formatter" --dry-run -Werror --style=file "${files[@]}"
echo "check-format: ${#files[@]} files follow .clang-format"
