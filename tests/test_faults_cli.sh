#!/usr/bin/env bash
# test_faults_cli.sh - the CLI under injected faults (JF_FAULT_INJECT, see
# src/runtime/faults.h): the default model on the bundled sample, with the
# Nth device allocation, enqueue, build or host allocation of the library
# failing. Every failing run exits non-zero with a message and leaves no
# output file; a run past the last call of a site succeeds as usual.
# Usage: test_faults_cli.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch faults-cli-test
S="$SRC/weights/sample"
export JF_CACHE_DIR="$T/cache"
"$JF" run --guide "$S/guide.png" --target "$S/depth_low.png" --scale 8 --output "$T/warm.png" --quiet && ok || bad "undisturbed run"
walk() { # SITE N...
  local site=$1; shift
  for n in "$@"; do
    local out="$T/$site-$n.png" err
    if err=$(JF_FAULT_INJECT="$site:$n" "$JF" run --guide "$S/guide.png" --target "$S/depth_low.png" --scale 8 \
               --output "$out" --quiet 2>&1); then
      [ -s "$out" ] && ok || bad "$site:$n exited 0 without an output"
    else
      [ ! -e "$out" ] && ok || bad "$site:$n failed but left $out"
      [[ "$err" == "jfilter: "* ]] && ok || bad "$site:$n failed without a message: $err"
    fi
    ls "$T" | grep -q '\.tmp' && bad "$site:$n left a temporary file" || ok
  done
}
walk device-alloc 1 2 5 10 20 40 80
walk enqueue 1 2 5 10 20 40
walk host-alloc 1 2 5 10 20 40 80 160
walk build 1 2 3 5 8
jft_finish
