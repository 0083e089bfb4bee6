#!/usr/bin/env bash
# test_real_inputs.sh - `jfilter` on the data a depth camera and a phone give
# (issue 18), with the shipped models and the bundled sample only (no
# ../shared): depth in millimetres over a sensor's range, holes (0 or NaN),
# integer .npy targets, the output bit depth of every command, the model's
# conventions (scale, degradation) enforced, and JPEG / TIFF / PFM files made
# by OpenCV read and written.
# Usage: test_real_inputs.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
S="$SRC/weights/sample"
jft_scratch real-inputs-test
"$PY" -c "import numpy, cv2" 2>/dev/null || { echo "FAIL: a python3 with numpy and cv2 is needed ($PY lacks them)"; exit 1; }
run() { "$JF" run --quiet --model fdkn_x8 --guide "$S/guide.png" "$@"; }
# expect_fail NAME NEEDLE -- CMD...: non-zero exit and NEEDLE in stderr
expect_fail() {
  local name=$1 needle=$2; shift 3
  local err
  err=$("$@" 2>&1 >/dev/null) && { bad "$name: exited 0"; return; }
  [[ "$err" == *"$needle"* ]] && ok || bad "$name: message lacks '$needle': $err"
}
# check NAME -- PYTHON-CODE ARGS...: the code exits 0 (it runs with the scratch folder as cwd)
check() {
  local name=$1; shift 2
  (cd "$T" && "$PY" -c "import numpy as np, cv2, sys
def rd(p): return cv2.imread(p, cv2.IMREAD_UNCHANGED)
def rmse(a, b, m=None):
    d = (np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2
    return float(np.sqrt(d[m].mean() if m is not None else d.mean()))
$1" "${@:2}") && ok || bad "$name"
}

# --- the scene as a sensor stores it: 1534..7754 mm in a 16-bit PNG, and stretched over 0..65535
check "make inputs" -- '
gt = rd(sys.argv[1]).astype(np.float64)
d01 = (gt - gt.min()) / (gt.max() - gt.min())
cv2.imwrite("gt_mm.png", np.round(1534 + d01 * (7754 - 1534)).astype(np.uint16))
cv2.imwrite("gt_full.png", np.round(d01 * 65535).astype(np.uint16))
' "$S/depth_gt.png"
for c in mm full; do
  "$JF" bicubic --quiet --mode pil --size 32x24 --target "$T/gt_$c.png" --output "$T/low_$c.png" || bad "downsample $c"
done

# case 1: a sensor's range comes out as well as the full range, not worse
run --target "$T/low_mm.png" --scale 8 --output "$T/out_mm.png" || bad "run mm"
run --target "$T/low_mm.png" --scale 8 --no-normalize --invalid none --output "$T/out_mm_raw.png" || bad "run mm raw"
run --target "$T/low_full.png" --scale 8 --output "$T/out_full.png" || bad "run full"
"$JF" bicubic --quiet --mode pil --scale 8 --target "$T/low_mm.png" --output "$T/bic_mm.png" || bad "bicubic mm"
check "sensor range normalised like the full range" -- '
gt = rd("gt_mm.png")
mm = (7754 - 1534) / 65535
new, old, full, bic = rmse(rd("out_mm.png"), gt), rmse(rd("out_mm_raw.png"), gt), rmse(rd("out_full.png"), rd("gt_full.png")) * mm, rmse(rd("bic_mm.png"), gt)
print("RMSE mm: normalised %.1f, as 0.1 did %.1f, full range %.1f, bicubic %.1f" % (new, old, full, bic))
assert rd("out_mm.png").dtype == np.uint16
assert new < bic and abs(new - full) < 0.05 * full + 0.5, (new, full)
assert new < 0.9 * old, (new, old)
'

# case 2: holes (4x4 zeros in the low-res input) do not spread; --keep-holes puts them back
check "make holes" -- '
low = rd("low_mm.png"); low[8:12, 10:14] = 0; low[0:4, 26:30] = 0
cv2.imwrite("low_holes.png", low)
m = np.load if False else None
f = low.astype(np.float32) / 1000; f[f == 0] = np.nan
np.save("low_holes_m.npy", f)
'
run --target "$T/low_holes.png" --scale 8 --output "$T/h_new.png" || bad "run holes"
run --target "$T/low_holes.png" --scale 8 --no-normalize --invalid none --output "$T/h_old.png" || bad "run holes raw"
run --target "$T/low_holes.png" --scale 8 --keep-holes --output "$T/h_keep.png" || bad "run keep holes"
run --target "$T/low_holes_m.npy" --scale 8 --output "$T/h_nan.npy" || bad "run nan holes"
run --target "$T/low_holes_m.npy" --scale 8 --keep-holes --output "$T/h_nan_keep.npy" || bad "run nan keep"
check "holes filled, kept on request" -- '
new, old, keep = rd("h_new.png"), rd("h_old.png"), rd("h_keep.png")
fp = np.zeros((192, 256), bool); fp[64:96, 80:112] = True; fp[0:32, 208:240] = True
print("pixels under 1000 mm: %d before, %d after; kept holes %d of %d" % ((old < 1000).sum(), (new < 1000).sum(), (keep == 0).sum(), fp.sum()))
assert (old < 1000).sum() > 500 and (new < 1000).sum() == 0
assert ((keep == 0) == fp).all() and (keep[~fp] == new[~fp]).all()
gt = rd("gt_mm.png"); assert rmse(new, gt, ~fp) < 1.1 * rmse(rd("out_mm.png"), gt, ~fp) + 1
nan, nank = np.load("h_nan.npy"), np.load("h_nan_keep.npy")
assert np.isfinite(nan).all() and (np.isnan(nank) == fp).all()
assert abs(nan * 1000 - new).max() < 3, abs(nan * 1000 - new).max()
'

# case 3: integer .npy targets mean what the same values in a PNG mean
check "npy targets" -- '
np.save("low_u16.npy", rd("low_mm.png")); np.save("low_u8.npy", (rd("low_mm.png") >> 8).astype(np.uint8))
cv2.imwrite("low_u8.png", (rd("low_mm.png") >> 8).astype(np.uint8))
np.save("low_f32.npy", rd("low_mm.png").astype(np.float32) / 1000); np.save("low_f64.npy", rd("low_mm.png") / 1000.0)
'
run --target "$T/low_u16.npy" --scale 8 --output "$T/o_u16npy.npy" && run --target "$T/low_mm.png" --scale 8 --output "$T/o_u16png.npy" &&
  cmp -s "$T/o_u16npy.npy" "$T/o_u16png.npy" && ok || bad "uint16 npy differs from the 16-bit PNG"
run --target "$T/low_u8.npy" --scale 8 --output "$T/o_u8npy.npy" && run --target "$T/low_u8.png" --scale 8 --output "$T/o_u8png.npy" &&
  cmp -s "$T/o_u8npy.npy" "$T/o_u8png.npy" && ok || bad "uint8 npy differs from the 8-bit PNG"
run --target "$T/low_f64.npy" --scale 8 --output "$T/o_f64.npy" && run --target "$T/low_f32.npy" --scale 8 --output "$T/o_f32.npy" &&
  cmp -s "$T/o_f64.npy" "$T/o_f32.npy" && ok || bad "float64 npy differs from float32"
run --target "$T/low_u16.npy" --scale 8 --output "$T/o_u16npy.png" || bad "uint16 npy to png"
check "uint16 npy output in millimetres" -- '
o = rd("o_u16npy.png"); assert o.dtype == np.uint16 and 1300 < o.min() and o.max() < 8000, (o.dtype, o.min(), o.max())
f = np.load("o_f32.npy"); assert 1.3 < f.min() and f.max() < 8.0, (f.min(), f.max())
'

# case 4: a float target never silently becomes an 8-bit PNG, in every command
png_bits() { "$PY" -c "import struct,sys; b=open(sys.argv[1],'rb').read(26); print(b[24])" "$1"; }
expect_bits() {
  local name=$1 want=$2 file=$3
  [ "$(png_bits "$file" 2>/dev/null)" = "$want" ] && ok || bad "$name: $file is not $want-bit"
}
run --target "$T/low_f32.npy" --scale 8 --output "$T/b_run.png" 2>/dev/null; expect_bits "run float" 16 "$T/b_run.png"
check "full-size float target" -- 'np.save("full_f32.npy", (rd("gt_mm.png") / 65535.0).astype(np.float32))'
for cmd in guided jbf; do
  "$JF" $cmd --quiet --guide "$S/guide.png" --target "$T/full_f32.npy" --output "$T/b_$cmd.png"; expect_bits "$cmd float" 16 "$T/b_$cmd.png"
done
"$JF" jbu --quiet --guide "$S/guide.png" --target "$T/low_f32.npy" --output "$T/b_jbu.png" 2>/dev/null; expect_bits "jbu float" 16 "$T/b_jbu.png"
"$JF" bicubic --quiet --scale 8 --target "$T/low_f32.npy" --output "$T/b_bic.png" 2>/dev/null; expect_bits "bicubic float" 16 "$T/b_bic.png"
run --target "$T/low_u8.png" --scale 8 --output "$T/b_u8.png"; expect_bits "run 8-bit" 8 "$T/b_u8.png"
"$JF" bicubic --quiet --scale 8 --target "$T/low_u8.png" --output "$T/b_bic8.png"; expect_bits "bicubic 8-bit" 8 "$T/b_bic8.png"
err=$(run --target "$T/low_f32.npy" --scale 8 --output "$T/b_clip.png" 2>&1 >/dev/null)
[[ "$err" == *"clipped"* ]] && ok || bad "metres in a PNG: no clipping warning: $err"

# case 5: the model's conventions
"$JF" bicubic --quiet --mode pil --size 32x24 --target "$T/gt_mm.png" --output "$T/low_pil.png"
err=$("$JF" run --quiet --model svlrm_x8 --guide "$S/guide.png" --target "$T/low_pil.png" --output "$T/c1.png" 2>&1 >/dev/null) &&
  [[ "$err" == *"warning"* && "$err" == *"degradation: subsample"* && "$err" == *"--degradation"* ]] && ok || bad "svlrm on a PIL target: $err"
err=$("$JF" run --quiet --model svlrm_x8 --guide "$S/guide.png" --target "$T/low_pil.png" --degradation subsample --output "$T/c2.png" 2>&1 >/dev/null) &&
  [ -z "$err" ] && ok || bad "svlrm with --degradation subsample warns: $err"
err=$("$JF" run --quiet --model fdkn_x8 --guide "$S/guide.png" --target "$T/low_pil.png" --degradation subsample --output "$T/c3.png" 2>&1 >/dev/null) &&
  [[ "$err" == *"degradation: bicubic"* ]] && ok || bad "fdkn on a corner-sampled target: $err"
expect_fail "fdkn_x4 at x8" "trained for x4" -- "$JF" run --model fdkn_x4 --guide "$S/guide.png" --target "$T/low_mm.png" --scale 8 --output "$T/c4.png"
expect_fail "fdkn_x4 on an x8 target" "trained for x4" -- "$JF" run --model fdkn_x4 --guide "$S/guide.png" --target "$T/low_mm.png" --output "$T/c5.png"
[ ! -e "$T/c4.png" ] && [ ! -e "$T/c5.png" ] && ok || bad "a refused run left an output"
"$JF" run --quiet --model fdkn_x4 --guide "$S/guide.png" --target "$T/low_mm.png" --scale 8 --force --output "$T/c6.png" && ok || bad "--force"

# case 6: JPEG, TIFF and PFM files as OpenCV writes them, and outputs read back by OpenCV
check "make files" -- '
g = cv2.imread(sys.argv[1])
cv2.imwrite("guide.jpg", g, [cv2.IMWRITE_JPEG_QUALITY, 95]); cv2.imwrite("guide.tiff", g)
cv2.imwrite("guide_jpg_decoded.png", cv2.imread("guide.jpg"))
cv2.imwrite("low_mm.tiff", rd("low_mm.png"))
cv2.imwrite("low_m.tiff", np.load("low_f32.npy")); cv2.imwrite("low_m.pfm", np.load("low_f32.npy"))
' "$S/guide.png"
"$JF" run --quiet --guide "$T/guide.jpg" --target "$T/low_mm.png" --scale 8 --output "$T/f_jpg.npy" &&
  "$JF" run --quiet --guide "$T/guide_jpg_decoded.png" --target "$T/low_mm.png" --scale 8 --output "$T/f_jpgdec.npy" &&
  check "JPEG guide" -- 'a, b = np.load("f_jpg.npy"), np.load("f_jpgdec.npy"); print("JPEG guide vs its cv2 decode: max diff %.2g" % abs(a - b).max()); assert abs(a - b).max() * 65535 < 40' ||
  bad "JPEG guide"
"$JF" run --quiet --guide "$T/guide.tiff" --target "$T/low_mm.tiff" --scale 8 --output "$T/f_tiff.npy" &&
  cmp -s "$T/f_tiff.npy" "$T/o_u16png.npy" && ok || bad "TIFF guide and 16-bit TIFF target differ from the PNGs"
for f in low_m.tiff low_m.pfm; do
  run --target "$T/$f" --scale 8 --output "$T/f_$f.npy" && cmp -s "$T/f_$f.npy" "$T/o_f32.npy" && ok || bad "float target $f differs from .npy"
done
run --target "$T/low_mm.png" --scale 8 --output "$T/w16.tiff" && run --target "$T/low_mm.png" --scale 8 --bits 32 --output "$T/w32.tiff" &&
  run --target "$T/low_mm.png" --scale 8 --output "$T/w.pfm" && run --target "$T/low_f32.npy" --scale 8 --output "$T/wf.tiff" &&
  check "outputs read by OpenCV" -- '
ref, f = rd("out_mm.png"), np.load("o_u16png.npy")
a = rd("w16.tiff"); assert a.dtype == np.uint16 and (a == ref).all()
b = rd("w32.tiff"); assert b.dtype == np.float32 and (b == f).all()
c = rd("w.pfm"); assert c.dtype == np.float32 and (c == f).all()
d = rd("wf.tiff"); assert d.dtype == np.float32 and (d == np.load("o_f32.npy")).all()
' || bad "TIFF/PFM outputs"
"$JF" guided --quiet --guide "$T/guide.jpg" --target "$T/guide.tiff" --output "$T/rgb.tiff" && check "colour TIFF output" -- '
a = rd("rgb.tiff"); assert a.dtype == np.uint8 and a.shape == (192, 256, 3)' || bad "colour TIFF"
expect_fail "JPEG output" "read, not written" -- "$JF" bicubic --target "$T/low_mm.png" --scale 2 --output "$T/x.jpg"
expect_fail "PNG float" "PNG holds 8 or 16 bits" -- "$JF" bicubic --target "$T/low_mm.png" --scale 2 --bits 32 --output "$T/x.png"

jft_finish "real inputs: "
