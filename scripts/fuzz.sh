#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) in build-sanitize (scripts/sanitized-build.sh:
# clang-14, AddressSanitizer and UndefinedBehaviorSanitizer) and runs each for a bounded time on
# its seed corpus. A crash, an uncaught exception, a sanitizer report, a leak or a slow input
# fails the script; the input is kept in build-sanitize/crashes/. Inputs found along the way go
# to a temporary folder, so the committed corpus stays as it is. scripts/test.sh runs it last.
#
# Usage: scripts/fuzz.sh [seconds per target]   (default: SP_FUZZ_SECONDS, else 30)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-${SP_FUZZ_SECONDS:-30}}"

scripts/sanitized-build.sh resource_fuzzer search_query_fuzzer proxy_header_fuzzer
source scripts/sanitizer-options.sh

found="$(mktemp -d /tmp/sp-fuzz-XXXXXX)"
trap 'rm -rf "$found"' EXIT
mkdir -p build-sanitize/crashes

# target, seed corpus, largest input
while read -r target corpus max_len; do
  mkdir -p "$found/$target"
  echo "fuzz: $target for ${seconds}s on $corpus"
  build-sanitize/tests/fuzz/"$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=30 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-sanitize/crashes/$target-" \
    "$found/$target" "$corpus" 2>&1 | grep -vE '^#[0-9]|# Uses:|^###' || { echo "fuzz: $target failed" >&2; exit 1; }
done <<'TARGETS'
resource_fuzzer tests/fuzz/corpus 65536
search_query_fuzzer tests/fuzz/corpus-search 4096
proxy_header_fuzzer tests/fuzz/corpus-proxy 4200
TARGETS
