#!/usr/bin/env bash
# Configures and builds emkit in Release into build/ (or $EMKIT_BUILD_DIR);
# only the target $EMKIT_BUILD_TARGET when that is set.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${EMKIT_BUILD_DIR:-build}
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
# ccache, when installed, lets the Python package's build (scripts/
# test-python.sh) reuse the library objects compiled here: the same sources
# with the same flags.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=$PWD
fi
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif (($#)); then
  cmake -S . -B "$build_dir" "$@"
fi
cmake --build "$build_dir" --parallel "$(nproc)" ${EMKIT_BUILD_TARGET:+--target "$EMKIT_BUILD_TARGET"}
