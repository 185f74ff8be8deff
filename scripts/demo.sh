#!/usr/bin/env bash
# The main job: install what is missing, build, and fit a two-component
# Gaussian mixture to the bundled Old Faithful data (272 eruptions: duration
# and waiting time), printing the fit report and the model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
EMKIT_BUILD_TARGET=emkit_cli scripts/build.sh
emkit=build/cli/emkit
echo
echo "\$ emkit fit data/faithful.csv -k 2 --n-init 3 --seed 1 -o build/faithful-model.json --report build/faithful-report.json"
"$emkit" fit data/faithful.csv -k 2 --n-init 3 --seed 1 -o build/faithful-model.json \
  --report build/faithful-report.json
echo
echo "\$ emkit info build/faithful-model.json"
"$emkit" info build/faithful-model.json
