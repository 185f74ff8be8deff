#!/usr/bin/env bash
# Builds the Python package from python/ and installs it into .venv (a real,
# non-editable install: the tests run against the built wheel), then runs
# its tests with pytest. Expects scripts/install-deps.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
if [ ! -x "$python" ]; then
  echo "test-python: no .venv; run scripts/install-deps.sh first" >&2
  exit 1
fi
# The build tree is kept in python/build/, so a rebuild compiles only what
# changed. No build isolation: the build requirements come from .venv.
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
# The library's objects come from ccache when scripts/build.sh compiled them
# already (same sources, same flags; paths relative to the checkout).
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  export CCACHE_BASEDIR=$PWD
fi
"$python" -m pip install --quiet --no-build-isolation --no-deps ./python
# The model-file tests also run the command, when it is built.
if [ -z "${EMKIT_BINARY:-}" ] && [ -x build/cli/emkit ]; then
  export EMKIT_BINARY=$PWD/build/cli/emkit
fi
# Run from outside python/ so that `import emkit` finds the installed package.
cd python/tests
exec "../../$python" -m pytest -q -p no:cacheprovider "$@" .
