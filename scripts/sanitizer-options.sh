# Sourced by scripts/test.sh (its sanitizer stage) and scripts/fuzz.sh: sanitizer runtime options
# for the SP_SANITIZE and SP_FUZZ builds. Any report stops the process; the only suppressions are
# documented third-party bugs (tests/sanitizer/*.supp).
sanitizer_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$sanitizer_root/tests/sanitizer/ubsan.supp"
export LSAN_OPTIONS="suppressions=$sanitizer_root/tests/sanitizer/lsan.supp:print_suppressions=0"
