#!/usr/bin/env bash
# The emkit EM benchmark, one command: builds the bench programs (Release,
# in build-bench/), then runs every case for 1 and 2 threads against
# scikit-learn, pomegranate and Armadillo, checks that all end at the same
# mean log-likelihood, and prints the table (see docs/benchmarks.md).
#
#   bench/run.sh                          # full size (minutes to an hour)
#   EMKIT_BENCH_SCALE=0.01 bench/run.sh   # smoke size, seconds
#
# Settings (environment): EMKIT_BENCH_SCALE, EMKIT_BENCH_ITERS (5),
# EMKIT_BENCH_REPEATS (3), EMKIT_BENCH_CASES (A,B,C,D,E,F-spherical,F-tied),
# EMKIT_BENCH_THREADS (1,2), EMKIT_BENCH_PEERS (sklearn,pomegranate,armadillo),
# EMKIT_BENCH_FLOAT32_CASES (A,B,C: also run with float32 data against
# float64, alternating in one process), EMKIT_BENCH_MAX_SECONDS (60: no
# further repeats of one measurement after
# that), EMKIT_BENCH_BUILD_DIR (build-bench), EMKIT_BENCH_NATIVE (OFF: emkit
# as it is installed, its kernels chosen at run time; ON: EMKIT_NATIVE, all
# of it -march=native), EMKIT_BENCH_CXX_FLAGS (none; Armadillo is always
# compiled with -march=native), EMKIT_BENCH_JOBS (2),
# PYTHON (.venv/bin/python if present). Extra arguments go to bench/run.py.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EMKIT_BENCH_BUILD_DIR:-$root/build-bench}"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$root/.venv/bin/python" ]]; then python="$root/.venv/bin/python"; else python=python3; fi
fi

if ! grep -q 'add_subdirectory(bench)' "$root/CMakeLists.txt"; then
  echo "run.sh: $root/CMakeLists.txt does not add bench/ (EMKIT_BUILD_BENCH)" >&2
  exit 2
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEMKIT_BUILD_BENCH=ON \
  -DEMKIT_BUILD_TESTS=OFF -DEMKIT_BUILD_CLI=OFF -DEMKIT_BUILD_EXAMPLES=OFF \
  -DEMKIT_INSTALL=OFF "-DEMKIT_NATIVE=${EMKIT_BENCH_NATIVE:-OFF}" \
  "-DCMAKE_CXX_FLAGS=${EMKIT_BENCH_CXX_FLAGS:-}" \
  > "$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 2; }
cmake --build "$build" -j "${EMKIT_BENCH_JOBS:-2}" \
  --target emkit_em_bench armadillo_em_bench dgemm_rate emkit_kernels_bench >&2

exec "$python" "$root/bench/run.py" --build-dir "$build" "$@"
