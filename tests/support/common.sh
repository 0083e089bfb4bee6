# common.sh - the preamble every shell test shares: its arguments, a fresh
# scratch directory, pass/fail counting and the closing verdict.
# Use, first thing in a test (ctest passes the four arguments):
#   . "$(dirname "$0")/support/common.sh" "$@"   # JFILTER SOURCE_DIR BUILD_DIR PYTHON
# It sets JF (the program), SRC, BUILD and PY (the Python CMake chose, never
# the one first on PATH), and defines jft_scratch, ok, bad and jft_finish.
set -u
[ $# -ge 4 ] || { echo "usage: $0 JFILTER SOURCE_DIR BUILD_DIR PYTHON" >&2; exit 2; }
JF=$1 SRC=$2 BUILD=$3 PY=$4
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
