#!/usr/bin/env bash
# Installs what emkit needs to build and test, skipping what is already
# there: Debian packages, then a Python virtual environment in .venv with
# the PyPI packages of the Python tests and reference scripts. Extra Debian
# packages may be named as arguments (the sanitizer and fuzzing scripts ask
# for clang this way).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libeigen3-dev libfmt-dev nlohmann-json3-dev libcli11-dev libfast-float-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-venv python3-dev
  "$@"
)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON_REQUIREMENTS=scripts/python-requirements.txt
if [ ! -x .venv/bin/python ]; then
  echo "install-deps: creating .venv"
  python3 -m venv .venv
fi
# pip only when the requirements changed since the last successful install.
stamp=.venv/.emkit-requirements
if ! cmp -s "$PYTHON_REQUIREMENTS" "$stamp" 2>/dev/null; then
  echo "install-deps: installing Python packages into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$PYTHON_REQUIREMENTS"
  cp "$PYTHON_REQUIREMENTS" "$stamp"
fi
