#!/usr/bin/env bash
# run.sh - fuzzes each target of a JF_FUZZ build for a fixed time, one after
# the other, starting from its seed corpus (tests/fuzz/corpus/<target>, only
# read) and its dictionary. New inputs go to <build>/fuzz/<target>/corpus,
# anything found to <build>/fuzz/<target>/ (crash-*, leak-*, timeout-*,
# oom-*), with the libFuzzer log beside it. Prints one line per target
# (executions, corpus size, result); exits non-zero when any target found
# something. .ci/run runs it for 30 s a target.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]   (default: all six)
set -u
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) SECS=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
TARGETS=${*:-safetensors png npy image_file cli model}
[ -f "$BUILD/sanitizer_env.sh" ] || { echo "$BUILD is not a JF_FUZZ build (no sanitizer_env.sh)" >&2; exit 2; }
. "$BUILD/sanitizer_env.sh"
export JF_CACHE_DIR=${JF_CACHE_DIR:-$BUILD/test-cache}
status=0
for t in $TARGETS; do
  exe=$BUILD/tests/fuzz/fuzz_$t
  [ -x "$exe" ] || { echo "fuzz_$t: not built in $BUILD" >&2; status=1; continue; }
  work=$BUILD/fuzz/$t
  mkdir -p "$work/corpus"
  dict=()
  [ -f "$HERE/$t.dict" ] && dict=(-dict="$HERE/$t.dict")
  # one process, one job: the machines this runs on are small and shared.
  # -close_fd_mask=3 keeps the targets' own messages (usage errors, PoCL)
  # out of the log; libFuzzer and sanitizer reports still reach it.
  "$exe" -max_total_time="$SECS" -timeout=30 -rss_limit_mb=3072 -close_fd_mask=3 \
    -print_final_stats=1 -artifact_prefix="$work/" "${dict[@]}" \
    "$work/corpus" "$HERE/corpus/$t" >"$work/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  found=$(ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | tr '\n' ' ')
  printf 'fuzz_%-12s %6ss  %9s executions  corpus %5s inputs  %s\n' "$t" "$SECS" "${execs:-?}" \
    "$(ls "$work/corpus" | wc -l)" "$([ $rc -eq 0 ] && echo clean || echo "FOUND (exit $rc): $found")"
  if [ $rc -ne 0 ]; then
    status=1
    grep -E -A30 '^==[0-9]+==ERROR|runtime error|^SUMMARY|Test unit written' "$work/log" | head -60
  fi
done
exit $status
