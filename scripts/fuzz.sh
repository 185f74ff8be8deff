#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (coverage, AddressSanitizer
# with leak detection, UndefinedBehaviorSanitizer) in build-fuzz/ and runs each
# for a bounded time, starting from its seed corpus in fuzz/corpus/TARGET/.
# Exits non-zero on any crash, leak, timeout, out-of-memory or sanitizer
# report; the input that caused it is left in build-fuzz/artifacts/.
#
# Environment:
#   EMKIT_FUZZ_SECONDS   seconds per target (default: 60)
#   EMKIT_FUZZ_TARGETS   targets to run (default: all three)
#   EMKIT_FUZZ_JOBS      parallel build jobs (default: 2)
#   EMKIT_FUZZ_CXX       compiler (default: clang++, else clang++-14)
#   EMKIT_FUZZ_ARGS      extra libFuzzer flags, e.g. "-seed=1"
#   EMKIT_FUZZ_ALLOW     comma-separated findings the checks let pass, to look
#                        past a known one (see fuzz/fuzz_checks.h):
#                        non_utf8_message, leading_bom_name
#
# Inputs the fuzzer finds interesting go to build-fuzz/corpus/TARGET/, not
# into the committed seeds; copy a small one to fuzz/corpus/ by hand when it
# is worth keeping (a reproducer of a fixed bug, say).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# clang and its sanitizer and libFuzzer runtimes, when missing.
scripts/install-deps.sh clang libclang-rt-14-dev >/dev/null

seconds=${EMKIT_FUZZ_SECONDS:-60}
targets=${EMKIT_FUZZ_TARGETS:-delimited_fuzzer npy_fuzzer model_file_fuzzer}
jobs=${EMKIT_FUZZ_JOBS:-2}
cxx=${EMKIT_FUZZ_CXX:-}
if [ -z "$cxx" ]; then
  if command -v clang++ >/dev/null; then cxx=clang++; else cxx=clang++-14; fi
fi
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi

build_start=$(date +%s)
cmake -S fuzz -B build-fuzz "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# shellcheck disable=SC2086  # the target list is split on purpose.
cmake --build build-fuzz --parallel "$jobs" --target $targets
echo "fuzz: build took $(( $(date +%s) - build_start ))s"

mkdir -p build-fuzz/artifacts
failed=()
for target in $targets; do
  seeds=$root/fuzz/corpus/${target%_fuzzer}
  work=$root/build-fuzz/corpus/${target%_fuzzer}
  log=$root/build-fuzz/$target.log
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s (log: build-fuzz/$target.log)"
  status=0
  # -rss_limit_mb and -malloc_limit_mb make a huge allocation a reported
  # failure rather than a slow swap; -timeout flags an input that hangs.
  # The first corpus directory receives new inputs, the second is read only.
  # shellcheck disable=SC2086  # EMKIT_FUZZ_ARGS is split on purpose.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "build-fuzz/$target" "$work" "$seeds" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/$target-" \
      ${EMKIT_FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|cov: .*ft:' "$log" |
    tail -n 3 | sed "s/^/fuzz: $target: /" || true
  if ((status != 0)) || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz check failed' "$log"; then
    echo "fuzz: $target FAILED (exit $status); the end of its log:" >&2
    tail -n 60 "$log" >&2
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}; reproduce with build-fuzz/TARGET build-fuzz/artifacts/FILE" >&2
  exit 1
fi
echo "fuzz: no crashes, leaks or sanitizer reports"
