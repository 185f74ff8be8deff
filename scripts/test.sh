#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DEMKIT_BUILD_TESTS=ON
ctest --test-dir "${EMKIT_BUILD_DIR:-build}" --output-on-failure --parallel "$(nproc)"
scripts/test-python.sh
