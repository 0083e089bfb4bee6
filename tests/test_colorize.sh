#!/usr/bin/env bash
# test_colorize.sh - `jfilter colorize`: turbo and viridis against OpenCV's
# own tables (cv2.applyColorMap) on an 8-bit ramp, the range taken over the
# valid pixels (holes: 0, NaN) or given, holes drawn black, --reverse, and
# refused inputs and outputs. No device and no ../shared needed.
# Usage: test_colorize.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch colorize-test
"$PY" -c "import numpy, cv2" 2>/dev/null || { echo "FAIL: a python3 with numpy and cv2 is needed ($PY lacks them)"; exit 1; }
py() { (cd "$T" && "$PY" -c "import numpy as np, cv2, sys
def rgb(p): return cv2.imread(p, cv2.IMREAD_COLOR)[..., ::-1].astype(int)
$1") && ok || bad "$2"; }
expect_fail() {
  local name=$1 needle=$2; shift 3
  local err
  err=$("$@" 2>&1 >/dev/null) && { bad "$name: exited 0"; return; }
  [[ "$err" == *"$needle"* ]] && ok || bad "$name: message lacks '$needle': $err"
}

py '
cv2.imwrite("ramp.png", np.arange(256, dtype=np.uint8)[None].repeat(4, 0))
d = np.linspace(1000, 5000, 64 * 48).reshape(48, 64).astype(np.uint16); d[10:20, 10:20] = 0
cv2.imwrite("mm.png", d)
m = d.astype(np.float32) / 1000; m[m == 0] = np.nan; m[0, 0] = 0.5
np.save("m.npy", m)
cv2.imwrite("rgb.png", np.zeros((4, 4, 3), np.uint8))
' "inputs"
for map in turbo viridis; do
  "$JF" colorize --quiet --input "$T/ramp.png" --range 0:255 --invalid none --colormap $map --output "$T/ramp_$map.png" || bad "colorize $map"
  py "
ref = cv2.applyColorMap(np.arange(256, dtype=np.uint8)[None], cv2.COLORMAP_${map^^})[0, :, ::-1].astype(int)
got = rgb('ramp_$map.png')
assert got.shape == (4, 256, 3), got.shape
d = abs(got[0] - ref).max(); print('$map vs OpenCV: max diff', d); assert d <= 3
" "$map matches OpenCV"
done
"$JF" colorize --quiet --input "$T/mm.png" --output "$T/mm.png.png" && "$JF" colorize --quiet --input "$T/mm.png" --reverse --output "$T/rev.png" &&
  "$JF" colorize --quiet --input "$T/mm.png" --range 0:10000 --output "$T/wide.tiff" && "$JF" colorize --quiet --input "$T/m.npy" --invalid nan --output "$T/m.png" || bad "colorize runs"
py '
turbo = cv2.applyColorMap(np.array([[0, 255]], np.uint8), cv2.COLORMAP_TURBO)[0, :, ::-1].astype(int)
a, r, w, m = rgb("mm.png.png"), rgb("rev.png"), rgb("wide.tiff"), rgb("m.png")
assert (a[10:20, 10:20] == 0).all() and (a.reshape(-1, 3).sum(1) > 0).sum() == 64 * 48 - 100
assert abs(a[0, 0] - turbo[0]).max() <= 3 and abs(a[-1, -1] - turbo[1]).max() <= 3   # the valid range: 1000..5000
assert abs(r[0, 0] - turbo[1]).max() <= 3 and abs(r[-1, -1] - turbo[0]).max() <= 3
mid = cv2.applyColorMap(np.array([[127, 128]], np.uint8), cv2.COLORMAP_TURBO)[0, :, ::-1].mean(0)
assert abs(w[-1, -1] - mid).max() <= 3 and abs(w[0, 0] - turbo[0]).max() > 30   # 5000 of 0..10000: mid-map
assert (m[10:20, 10:20] == 0).all() and abs(m[0, 0] - turbo[0]).max() <= 3          # 0.5 m is the nearest valid
' "ranges, holes, reverse"
expect_fail "colour input" "one-channel" -- "$JF" colorize --input "$T/rgb.png" --output "$T/x.png"
expect_fail "bad range" "--range" -- "$JF" colorize --input "$T/mm.png" --range 5:5 --output "$T/x.png"
expect_fail "npy output" ".png or .tif" -- "$JF" colorize --input "$T/mm.png" --output "$T/x.npy"
expect_fail "bad map" "turbo or viridis" -- "$JF" colorize --input "$T/mm.png" --colormap jet --output "$T/x.png"
[ ! -e "$T/x.png" ] && ok || bad "a refused run left an output"
"$JF" colorize --help | grep -q -- "--range" && ok || bad "help"
jft_finish "colorize: "
