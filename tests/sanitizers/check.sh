#!/usr/bin/env bash
# check.sh - the hardening half of CI (.ci/run runs it after the normal
# build and tests): builds a second tree with clang, ASan + UBSan (every
# report fatal), LeakSanitizer and the libFuzzer targets; runs the whole ctest
# suite there (corpus replays of the fuzzers included) under the options of
# tests/sanitizers/env.cmake; then fuzzes each target for a short fixed time
# (tests/fuzz/run.sh). Prints how long each step took. Needs clang,
# libclang-rt-14-dev (libFuzzer, the sanitizer runtimes) and llvm
# (llvm-symbolizer, for readable reports).
# Usage: tests/sanitizers/check.sh [BUILD_DIR [FUZZ_SECONDS]]   (build-sanitize, 30)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$SRC/build-sanitize}
SECS=${2:-30}
t0=$(date +%s)
# LeakSanitizer stops the process's threads the way a debugger does; where
# that is not allowed (a container without ptrace) every test would fail
# with the same "fatal error". Say so once, up front.
mkdir -p "$B"
printf '#include <stdlib.h>\nint main(void) { free(malloc(1)); return 0; }\n' >"$B/lsan_probe.c"
clang -fsanitize=address -o "$B/lsan_probe" "$B/lsan_probe.c"
if ! ASAN_OPTIONS=detect_leaks=1 "$B/lsan_probe" >"$B/lsan_probe.log" 2>&1; then
  cat "$B/lsan_probe.log"
  echo "check.sh: LeakSanitizer cannot run on this machine (ptrace not permitted? a container" \
    "needs --cap-add SYS_PTRACE); the sanitized suite needs it" >&2
  exit 1
fi
cmake -S "$SRC" -B "$B" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DJF_SANITIZE=address,undefined -DJF_FUZZ=ON
cmake --build "$B" -j2
t1=$(date +%s)

# LeakSanitizer's stop-the-world tracer itself sometimes crashes at exit in a
# process with many threads (PoCL's workers): "Tracer caught signal 11 ...
# LeakSanitizer has encountered a fatal error" (google/sanitizers#1353), no
# finding of ours. Only then are the failed tests run once more: a real report
# is deterministic and fails again.
log=$B/sanitized-ctest.log
if ! ctest --test-dir "$B" -j2 --output-on-failure 2>&1 | tee "$log"; then
  if grep -q "LeakSanitizer has encountered a fatal error" "$log"; then
    echo "check.sh: LeakSanitizer's tracer crashed (not a leak report): rerunning the failed tests once"
    ctest --test-dir "$B" --rerun-failed --output-on-failure
  else
    exit 1
  fi
fi
t2=$(date +%s)

"$SRC/tests/fuzz/run.sh" "$B" "$SECS"
t3=$(date +%s)
echo "check.sh: sanitized build $((t1 - t0)) s, sanitized suite $((t2 - t1)) s," \
  "fuzzers $((t3 - t2)) s, total $((t3 - t0)) s"
