#!/usr/bin/env bash
# Installs the built emkit into a temporary prefix, checks that the exported
# target imposes no instruction set on its users (no -march in its usage
# requirements; Eigen's alignment pinned instead), then configures, builds
# and runs a consumer project that finds it with find_package(emkit): once
# with the compiler's default flags and, where the compiler has it, once
# with -march=native, so that Eigen objects built for another instruction
# set than the library's cross its interface.
#
# A native-only build (EMKIT_NATIVE=ON, third argument "native") is the
# exception: its target must carry -march=native, which its users compile
# with as the library was.
set -euo pipefail
build_dir=$1
source_dir=$2
native=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
targets=$(cat "$work"/prefix/lib*/cmake/emkit/emkitTargets*.cmake)
if [ "$native" = native ]; then
  if ! grep -q -- '-march=native' <<<"$targets"; then
    echo "check_install: the native-only emkit target does not carry -march=native" >&2
    exit 1
  fi
elif grep -n -- '-march\|-mavx\|-mtune' <<<"$targets"; then
  echo "check_install: the exported emkit target carries an instruction-set flag" >&2
  exit 1
fi
for definition in EIGEN_MAX_ALIGN_BYTES=64 EIGEN_MAX_STATIC_ALIGN_BYTES=64; do
  if ! grep -q "$definition" <<<"$targets"; then
    echo "check_install: the exported emkit target does not define $definition" >&2
    exit 1
  fi
done
flag_sets=("")
if echo 'int main() {}' | ${CXX:-c++} -march=native -x c++ - -o "$work/probe" 2>/dev/null; then
  flag_sets+=("-march=native")
fi
for flags in "${flag_sets[@]}"; do
  consumer="$work/consumer${flags:+-native}"
  cmake -S "$source_dir/tests/install/consumer" -B "$consumer" \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS=$flags" >/dev/null
  cmake --build "$consumer" >/dev/null
  "$consumer/consumer"
done
