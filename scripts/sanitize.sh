#!/usr/bin/env bash
# Builds and runs the C++ tests under sanitizers and fails on any report:
#   1. the whole test suite with AddressSanitizer (leaks included) and
#      UndefinedBehaviorSanitizer, in build-asan/;
#   2. the tests that run threads (thread pool, engine, Gaussian mixtures)
#      with ThreadSanitizer, in build-tsan/.
#
# Environment:
#   EMKIT_SANITIZE_CXX     compiler (default: clang++ if found, else c++)
#   EMKIT_SANITIZE_JOBS    parallel build and test jobs (default: 2)
#   EMKIT_SANITIZE_STEPS   "asan tsan" (default), or one of them
#   EMKIT_TSAN_TARGETS     targets built for ThreadSanitizer
#                          (default: emkit_unit_test)
#   EMKIT_TSAN_TESTS       ctest -R regex of the tests run under it
#
# Reports are written to files (log_path) as well as making the process
# fail, so that a report from a child process whose exit status a test
# swallows (the command-line tests run the `emkit` binary) still fails this
# script; the files are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# clang and its sanitizer and libFuzzer runtimes, when missing.
scripts/install-deps.sh clang libclang-rt-14-dev >/dev/null

jobs=${EMKIT_SANITIZE_JOBS:-2}
steps=${EMKIT_SANITIZE_STEPS:-asan tsan}
cxx=${EMKIT_SANITIZE_CXX:-}
if [ -z "$cxx" ]; then
  if command -v clang++ >/dev/null; then cxx=clang++; else cxx=c++; fi
fi
tsan_targets=${EMKIT_TSAN_TARGETS:-emkit_unit_test}
tsan_tests=${EMKIT_TSAN_TESTS:-'^(ThreadPool|Fit|GaussianMixture|[A-Za-z]*Determinis|[A-Za-z]*Thread)'}
line_tables=-g1  # GCC's name for line tables only
if [[ "$cxx" == *clang* ]]; then line_tables=-gline-tables-only; fi
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi

# -O1 keeps the numerical tests fast enough while stacks stay readable
# (line tables are all a report's stack needs, and compile and link much
# faster than full debug information);
# recovery is off so that the first undefined behaviour stops the process.
common_cmake=(
  "${generator[@]}"
  -DCMAKE_CXX_COMPILER="$cxx"
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 $line_tables"
  -DCMAKE_CXX_FLAGS=-fno-sanitize-recover=all
  -DEMKIT_BUILD_TESTS=ON
  -DEMKIT_BUILD_BENCH=OFF
  -DEMKIT_BUILD_EXAMPLES=OFF
  # The install test builds a consumer project that knows nothing of the
  # sanitizer runtime.
  -DEMKIT_INSTALL=OFF
)

failed=0

# Runs "$@" with the sanitizer options pointing their logs into $1's
# sanitizer-logs/, then fails if the command failed or any log was written.
run_checked() {
  local build_dir=$1
  shift
  local logs=$root/$build_dir/sanitizer-logs
  rm -rf "$logs"
  mkdir -p "$logs"
  local status=0
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:log_path=$logs/asan" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan" \
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan" \
  LSAN_OPTIONS="log_path=$logs/lsan" \
    "$@" || status=$?
  local reports
  reports=$(find "$logs" -type f | sort)
  if [ -n "$reports" ]; then
    echo "sanitize: reports in $build_dir:" >&2
    local file
    for file in $reports; do
      echo "==== $file" >&2
      cat "$file" >&2
    done
    status=1
  fi
  return "$status"
}

step_time() { printf '%s %ds\n' "$1" "$(( $(date +%s) - $2 ))"; }

if [[ " $steps " == *" asan "* ]]; then
  start=$(date +%s)
  echo "sanitize: address,undefined in build-asan"
  cmake -S . -B build-asan "${common_cmake[@]}" -DEMKIT_SANITIZE=address,undefined >/dev/null
  # gtest_discover_tests runs each test binary at build time; a report
  # there must not pass unnoticed either.
  if ! run_checked build-asan cmake --build build-asan --parallel "$jobs"; then
    echo "sanitize: build-asan failed" >&2
    failed=1
  elif ! run_checked build-asan ctest --test-dir build-asan --output-on-failure \
      --parallel "$jobs"; then
    echo "sanitize: tests failed under address,undefined" >&2
    failed=1
  fi
  step_time "sanitize: address,undefined took" "$start"
fi

if [[ " $steps " == *" tsan "* ]]; then
  start=$(date +%s)
  echo "sanitize: thread in build-tsan"
  cmake -S . -B build-tsan "${common_cmake[@]}" -DEMKIT_SANITIZE=thread >/dev/null
  # shellcheck disable=SC2086  # the target list is split on purpose.
  if ! run_checked build-tsan cmake --build build-tsan --parallel "$jobs" \
      --target $tsan_targets; then
    echo "sanitize: build-tsan failed" >&2
    failed=1
  elif ! run_checked build-tsan ctest --test-dir build-tsan --output-on-failure \
      --parallel "$jobs" -R "$tsan_tests" --no-tests=error; then
    echo "sanitize: tests failed under thread" >&2
    failed=1
  fi
  step_time "sanitize: thread took" "$start"
fi

if ((failed)); then
  echo "sanitize: FAILED" >&2
  exit 1
fi
echo "sanitize: no sanitizer reports"
