# common.sh - the preamble every shell test shares: its arguments, a fresh
# scratch directory, pass/fail counting and the closing verdict.
# Use, first thing in a test (ctest passes the four arguments):
#   . "$(dirname "$0")/support/common.sh" "$@"   # JFILTER SOURCE_DIR BUILD_DIR PYTHON
# It sets JF (the program), SRC, BUILD and PY (the Python CMake chose, never
# the one first on PATH) and SHARED (the reference data: $JF_SHARED_DIR, which
# ctest sets, else ../shared beside the source tree), and defines jft_scratch,
# ok, bad and jft_finish. A suite labelled needs-shared gets JFT_NEEDS_SHARED
# (the ':'-separated paths under SHARED it reads) and stops here, with one line
# naming what is missing, when one is not there.
set -u
[ $# -ge 4 ] || { echo "usage: $0 JFILTER SOURCE_DIR BUILD_DIR PYTHON" >&2; exit 2; }
JF=$1 SRC=$2 BUILD=$3 PY=$4
SHARED=${JF_SHARED_DIR:-$SRC/../shared}
jft_need=${JFT_NEEDS_SHARED:-}
for jft_rel in ${jft_need//:/ }; do
  [ -e "$SHARED/$jft_rel" ] || {
    echo "$(basename "$0" .sh): needs the reference data $SHARED/$jft_rel, which is missing (put the shared" \
      "data beside the source tree as ../shared, or configure with -DJF_SHARED_DIR=DIR;" \
      "\`ctest -LE needs-shared\` runs the suites that need none)"
    exit 1
  }
done
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# jft_scratch NAME: T becomes an empty "$BUILD/NAME"
jft_scratch() { T="$BUILD/$1"; rm -rf "$T" && mkdir -p "$T"; }
# jft_finish [PREFIX]: prints the counts; succeeds when nothing failed and something passed
jft_finish() {
  echo "${1:-}$pass passed, $fail failed"
  [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}
