#!/usr/bin/env bash
# Checks what cmake/EmkitKernels.cmake promises about a built static
# libemkit.a (docs/design.md, "Kernels and dispatch"):
#
# 1. each kernel variant's joined object (emkit_kernels_<isa>.o) defines
#    exactly one global symbol, its table emkit::internal::<isa>::kKernels:
#    no inline function or template instantiation it compiled can be merged
#    with another object's copy of the same name;
# 2. no variant object has section groups (COMDAT) or static initialisers
#    (code that would run at load time on any processor);
# 3. with --baseline: no other object of the library, and not the baseline
#    variant, uses a 256- or 512-bit register or an AVX-512 mask register,
#    so that nothing beyond baseline x86-64 runs outside the dispatched
#    kernels (only meaningful when the library is built without -m flags).
#
# --sanitized: the library is built with sanitizers, whose module
# constructors (.init_array, registering the object's globals) every
# instrumented object has; the variants may then have those, and only those
# in priority sections (.init_array.N), which compiled code never uses.
#
# Usage: check_kernel_isolation.sh [--baseline] [--sanitized] LIBRARY.a
set -euo pipefail
baseline=0
sanitized=0
while [[ ${1:-} == --* ]]; do
  case $1 in
    --baseline) baseline=1 ;;
    --sanitized) sanitized=1 ;;
    *) echo "check_kernel_isolation: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
library=$1
nm=${NM:-nm}
objdump=${OBJDUMP:-objdump}
readelf=${READELF:-readelf}
status=0
members=$(ar t "$library")
variants=0
for name in $(echo "$members" | grep -E '^emkit_kernels_.*\.o$'); do
  variants=$((variants + 1))
  isa=${name#emkit_kernels_}
  isa=${isa%.o}
  expected="_ZN5emkit8internal${#isa}${isa}8kKernelsE"
  globals=$("$nm" -A --defined-only "$library" 2>/dev/null |
            awk -v m="$name" 'index($1, ":" m ":") && $(NF-1) ~ /^[A-Zu]$/ {print $NF}')
  if [[ $globals != "$expected" ]]; then
    echo "FAIL: $name defines global symbols other than $expected:" >&2
    echo "$globals" | grep -v -x "$expected" | head -20 >&2
    status=1
  fi
  sections=$(work=$(mktemp -d) && cd "$work" && ar x "$library" "$name" &&
             "$readelf" -S -W "$name"; rm -rf "$work")
  forbidden=' GROUP |\.init_array|\.ctors'
  if ((sanitized)); then forbidden=' GROUP |\.init_array( |$)|\.ctors'; fi
  if grep -qE "$forbidden" <<<"$sections"; then
    echo "FAIL: $name has section groups or static initialisers" >&2
    status=1
  fi
done
if ((variants == 0)); then
  echo "FAIL: no emkit_kernels_*.o in $library" >&2
  exit 1
fi
if ((baseline)); then
  # objdump names each archive member before its code; a member's wide
  # instructions are reported once.
  wide=$("$objdump" -d --no-show-raw-insn "$library" | awk '
    /^[^ \t].*:[ \t]+file format/ { member = $1; sub(/:$/, "", member); next }
    member ~ /^emkit_kernels_/ && member != "emkit_kernels_baseline.o" { next }
    /%[yz]mm[0-9]|\{%k[0-7]\}/ && !(member in seen) { seen[member] = 1; print member ": " $0 }')
  if [[ -n $wide ]]; then
    echo "FAIL: objects use instructions beyond baseline x86-64 outside the kernels:" >&2
    echo "$wide" >&2
    status=1
  fi
fi
if ((status == 0)); then
  echo "kernel variants isolated: $variants variant(s) in $(basename "$library")"
fi
exit $status
