#!/usr/bin/env bash
# tsan.sh - the threading contract under ThreadSanitizer (.ci/run runs it
# after check.sh): builds the library and tests/test_threads.c with clang
# -fsanitize=thread and runs it, so four threads with a context each are
# checked for data races in jfilter's own code. PoCL is not instrumented:
# TSan sees its locks through the pthread interceptors but not its memory
# accesses, so this checks jfilter, not the OpenCL runtime. Any report fails.
# Usage: tests/sanitizers/tsan.sh [BUILD_DIR]   (build-tsan)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$SRC/build-tsan}
t0=$(date +%s)
cmake -S "$SRC" -B "$B" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=thread -g" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
cmake --build "$B" -j2 --target test_threads
# Check's fork mode would hide a report in a child: run in-process
JF_CACHE_DIR="$B/cache" CK_FORK=no TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$B/tests/test_threads"
echo "tsan.sh: test_threads clean under ThreadSanitizer ($(($(date +%s) - t0)) s)"
