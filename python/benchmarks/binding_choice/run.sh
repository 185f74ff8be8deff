#!/usr/bin/env bash
# Builds both modules from scratch, one at a time, and prints build time,
# stripped size, call overheads and whether a C-contiguous float64 array
# arrives without a copy. Usage: run.sh [python] (default: .venv's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${1:-$here/../../../.venv/bin/python}
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPython_EXECUTABLE="$python" >/dev/null
for target in bench_nanobind bench_pybind11; do
  start=$(date +%s.%N)
  cmake --build "$build" --target "$target" -j1 >/dev/null
  end=$(date +%s.%N)
  so=$(ls "$build"/$target*.so)
  strip -o "$build/stripped.so" "$so"
  printf '%s: build %.1f s (one core, incl. the library runtime), stripped %d KiB\n' \
    "$target" "$(echo "$end - $start" | bc)" "$(( $(stat -c %s "$build/stripped.so") / 1024 ))"
done
PYTHONPATH=$build "$python" - <<'PY'
import timeit
import numpy as np
import bench_nanobind, bench_pybind11

x = np.random.default_rng(0).normal(size=(1000, 8))
small = x[:10].copy()
for mod in (bench_nanobind, bench_pybind11):
    n = 200_000
    noop = min(timeit.repeat(mod.noop, number=n, repeat=5)) / n * 1e9
    addr = min(timeit.repeat(lambda: mod.address(small), number=n, repeat=5)) / n * 1e9
    sums = min(timeit.repeat(lambda: mod.row_sums(small), number=n, repeat=5)) / n * 1e9
    zero_copy = mod.address(x) == x.__array_interface__["data"][0]
    print(f"{mod.__name__}: noop {noop:.0f} ns, array in {addr:.0f} ns, "
          f"array in + array out {sums:.0f} ns, zero-copy {zero_copy}")
PY
