#!/usr/bin/env bash
# test_cli.sh - the `jfilter` program end to end: help texts, device listing,
# a conformance run through PNG/NPY files, and errors that exit non-zero with
# a message naming the file and leave no output behind.
# Usage: test_cli.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch cli-test
# expect_fail NAME NEEDLE -- CMD...: non-zero exit and NEEDLE in stderr
expect_fail() {
  local name=$1 needle=$2; shift 3
  local err
  err=$("$@" 2>&1 >/dev/null) && { bad "$name: exited 0"; return; }
  [[ "$err" == *"$needle"* ]] && ok || bad "$name: message lacks '$needle': $err"
}

MODEL="$BUILD/fixtures/fdkn_x8_published.safetensors"
if [ ! -f "$MODEL" ]; then
  mkdir -p "$BUILD/fixtures"
  "$PY" "$SRC/tools/convert_checkpoint.py" --arch fdkn --scale 8 \
    "$SHARED/conformance/fdkn_x8/FDKN_8x" "$MODEL.tmp$$" >/dev/null && mv "$MODEL.tmp$$" "$MODEL" || bad "convert"
fi

# help and usage
"$JF" --help | grep -q "jfilter run" && ok || bad "--help"
"$JF" run --help | grep -q -- "--scale" && ok || bad "run --help"
"$JF" bench --help | grep -q "median_ms" && ok || bad "bench --help"
"$JF" devices --help | grep -q "JF_DEVICE" && ok || bad "devices --help"
"$JF" version | grep -q "jfilter [0-9]" && ok || bad "version"
expect_fail "no command" "Usage" -- "$JF"
expect_fail "unknown command" "unknown command" -- "$JF" frobnicate
expect_fail "unknown option" "unknown option" -- "$JF" run --frob
expect_fail "missing args" "required" -- "$JF" run --model "$MODEL"

# devices: at least one, one marked as default
"$JF" devices | grep -q '^\* [0-9]' && ok || bad "devices lists a default device"

# conformance through files: .npy output matches expected.npy to 1e-4
C="$SHARED/conformance/fdkn_x8"
# (the reference fed lr.png / 255: --no-normalize --invalid none, as jfilter 0.1 did)
RAW="--no-normalize --invalid none"
if "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/out.npy" $RAW --quiet; then
  "$PY" - "$T/out.npy" "$C/expected.npy" <<'PY' && ok || bad "npy output differs from expected.npy"
import struct, sys
def load(p):
    b = open(p, 'rb').read()
    n = struct.unpack('<H', b[8:10])[0]
    hdr = b[10:10 + n].decode()
    assert "'<f4'" in hdr and "(480, 640)" in hdr, hdr
    return struct.unpack('<%df' % (480 * 640), b[10 + n:])
a, e = load(sys.argv[1]), load(sys.argv[2])
d = max(abs(x - y) for x, y in zip(a, e))
print("cli max abs diff", d)
sys.exit(0 if d <= 1e-4 else 1)
PY
else bad "run to npy"; fi
# png_is FILE W H BITS: the PNG header says W x H, gray, BITS deep
png_is() {
  "$PY" - "$@" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read(26)
w, h, depth, ctype = struct.unpack('>IIBB', b[16:26])
sys.exit(0 if b[:8] == b'\x89PNG\r\n\x1a\n' and (w, h, depth, ctype) == (int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), 0) else 1)
PY
}
# 8-bit and 16-bit PNG outputs
"$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/out.png" --quiet &&
  png_is "$T/out.png" 640 480 8 && ok || bad "8-bit png output"
"$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/out16.png" --bits 16 --quiet &&
  png_is "$T/out16.png" 640 480 16 && ok || bad "16-bit png output"

# SVLRM: coefficient maps next to the output, and the low-resolution path
SV="$BUILD/fixtures/svlrm_x8_published.safetensors"
if [ ! -f "$SV" ]; then
  "$PY" "$SRC/tools/convert_checkpoint.py" --arch svlrm --scale 8 \
    "$SHARED/conformance/svlrm_weights/svlrm_x8.pth" "$SV.tmp$$" >/dev/null && mv "$SV.tmp$$" "$SV" || bad "convert svlrm"
fi
S="$SHARED/conformance/svlrm_x8"
"$JF" run --model "$SV" --guide "$S/guide.png" --target "$S/low.png" --scale 8 --output "$T/sv.png" \
  --degradation subsample --coefficients "$T/coef" --quiet && [ -s "$T/coef_alpha.npy" ] && [ -s "$T/coef_beta.npy" ] && png_is "$T/sv.png" 160 120 8 &&
  ok || bad "svlrm with --coefficients"
expect_fail "colour target on fdkn" "needs a gray one" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/rgb.png" --output "$T/e11.png"
expect_fail "lambda on fdkn" "takes no smoothing strength" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/e12.png" --lambda 0.5
expect_fail "bad lambda" "positive number" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/e13.png" --lambda -1
expect_fail "smooth with fdkn" "not a smoothing model" -- "$JF" smooth --model "$MODEL" --input "$C/rgb.png" --output "$T/e14.png"
expect_fail "smooth without input" "required" -- "$JF" smooth --model "$MODEL" --output "$T/e15.png"
"$JF" smooth --help | grep -q -- "--lambda" && ok || bad "smooth --help"
expect_fail "coefficients on fdkn" "needs an SVLRM model" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/e10.png" --coefficients "$T/x"
# tiled = untiled: bit for bit on the direct kernels; within 5e-5 on the defaults (Winograd's
# tiles move results by rounding: tests/support/jf_test.h, jft_tiling_pass)
JF_CONV=direct "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/direct.npy" $RAW --quiet &&
  JF_CONV=direct "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/tiled_direct.npy" $RAW --memory-budget 16 --quiet &&
  cmp -s <(tail -c 1228800 "$T/tiled_direct.npy") <(tail -c 1228800 "$T/direct.npy") && ok || bad "tiled run differs from untiled (direct)"
# two 640x480 float .npy files within 5e-5 of each other
npy_close() {
  "$PY" -c '
import struct, sys
def load(p):
    b = open(p, "rb").read()
    n = struct.unpack("<H", b[8:10])[0]
    return struct.unpack("<%df" % (480 * 640), b[10 + n:])
a, b = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if max(abs(x - y) for x, y in zip(a, b)) <= 5e-5 else 1)' "$1" "$2"
}
"$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/tiled.npy" $RAW --memory-budget 16 --quiet &&
  npy_close "$T/tiled.npy" "$T/out.npy" && ok || bad "tiled run differs from untiled"
# jfilter tune: measures every layer shape once, keeps the paths in the cache folder, later runs
# take them (the same result within rounding); refuses a forced path and a cache that is off
JF_CACHE_DIR="$T/tc" "$JF" tune --model "$MODEL" > "$T/tune.txt" && grep -q "128 > 128, 3x3, 1, 1, 1: " "$T/tune.txt" &&
  ls "$T"/tc/conv-paths-*.txt > /dev/null && ok || bad "jfilter tune"
JF_CACHE_DIR="$T/tc" "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/tuned.npy" $RAW --quiet &&
  npy_close "$T/tuned.npy" "$T/out.npy" && ok || bad "a run on the tuned paths differs"
expect_fail "tune with a forced path" "forces one path" -- env JF_CONV=direct "$JF" tune --model "$MODEL"
expect_fail "tune without a cache" "the cache is off" -- env JF_CACHE_DIR=off "$JF" tune --model "$MODEL"

# DAGF (a .safetensors file like any other): the random fixture model on the odd case
# through .npy files (guide HxWx3 in R, G, B), the sample PNGs x8, its FLOPs in bench
D="$SRC/tests/data/dagf"
DM="$D/dagf_f8_random.safetensors"
"$PY" -c "import numpy as np, sys; g = np.load(sys.argv[1]); np.save(sys.argv[2], np.ascontiguousarray(g[::-1].transpose(1, 2, 0))); np.save(sys.argv[3], np.load(sys.argv[4])[0])" \
  "$D/odd_guide.npy" "$T/dagf_guide.npy" "$T/dagf_target.npy" "$D/odd_target.npy" &&
  "$JF" run --model "$DM" --guide "$T/dagf_guide.npy" --target "$T/dagf_target.npy" --output "$T/dagf.npy" --no-normalize --invalid none --quiet &&
  "$PY" -c "import numpy as np, sys; d = abs(np.load(sys.argv[1]).reshape(53, 77) - np.load(sys.argv[2])[0]).max(); sys.exit(0 if d <= 1e-4 else 1)" \
  "$T/dagf.npy" "$D/odd_output.npy" && ok || bad "dagf run on the odd fixture"
# the shipped dagf_x8 on the same input against its PyTorch reference output
# (tools/train/dagf.py DAGFInference, written to tests/data/dagf/odd_output_dagf_x8.npy)
"$JF" run --model "$SRC/weights/dagf_x8.safetensors" --guide "$T/dagf_guide.npy" --target "$T/dagf_target.npy" \
  --output "$T/dagf_x8.npy" --no-normalize --invalid none --force --quiet &&
  "$PY" -c "import numpy as np, sys; d = abs(np.load(sys.argv[1]).reshape(53, 77) - np.load(sys.argv[2])[0]).max(); print('dagf_x8 vs PyTorch: max |diff| %.3g' % d); sys.exit(0 if d <= 1e-4 else 1)" \
  "$T/dagf_x8.npy" "$D/odd_output_dagf_x8.npy" && ok || bad "shipped dagf_x8 against its PyTorch output"
"$JF" run --model "$DM" --guide "$SRC/weights/sample/guide.png" --target "$SRC/weights/sample/depth_low.png" --scale 8 \
  --output "$T/dagf.png" --quiet && png_is "$T/dagf.png" 256 192 16 && ok || bad "dagf run on the sample PNGs"
"$JF" bench --model "$DM" --size 77x53 --repeat 1 > "$T/dagf_bench.json" &&
  "$PY" -c "import json, sys; d = json.loads(open(sys.argv[1]).readline()); sys.exit(0 if d['architecture'] == 'dagf' and d['gflop'] > 0 else 1)" "$T/dagf_bench.json" &&
  ok || bad "dagf bench JSON"

# bench prints JSON with the promised fields
"$JF" bench --model "$MODEL" --size 64x48 --repeat 1 > "$T/bench.json" &&
  "$PY" -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); [d[k] for k in ('model','device','width','height','first_ms','median_ms')]; sys.exit(0 if d['width']==64 else 1)" "$T/bench.json" &&
  ok || bad "bench JSON"

# errors: clear messages naming the file, non-zero exit, no output left behind
printf 'not a png at all' > "$T/garbage.png"
head -c 2000 "$C/rgb.png" > "$T/truncated.png"
expect_fail "garbage guide" "garbage.png" -- "$JF" run --model "$MODEL" --guide "$T/garbage.png" --target "$C/lr.png" --output "$T/e1.png"
expect_fail "truncated guide" "truncated.png" -- "$JF" run --model "$MODEL" --guide "$T/truncated.png" --target "$C/lr.png" --output "$T/e2.png"
expect_fail "missing target" "nope.png" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$T/nope.png" --output "$T/e3.png"
expect_fail "missing model" "not found" -- "$JF" run --model no_such_model --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/e4.png"
head -c 1000 "$MODEL" > "$T/trunc.safetensors"
expect_fail "truncated model" "trunc.safetensors" -- "$JF" run --model "$T/trunc.safetensors" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/e5.png"
expect_fail "size mismatch" "guide" -- "$JF" run --model "$MODEL" --guide "$SHARED/conformance/svlrm_x8/guide.png" --target "$C/lr.png" --output "$T/e6.png"
expect_fail "wrong scale" "x4" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$SHARED/conformance/svlrm_x8/low.png" --scale 4 --output "$T/e7.png"
expect_fail "bad extension" ".png, .tif/.tiff, .pfm or .npy" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/e8.bmp"
expect_fail "unwritable output" "$T/no/such/dir" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/no/such/dir/o.png"
expect_fail "bad device" "no OpenCL device matches" -- "$JF" run --model "$MODEL" --guide "$C/rgb.png" --target "$C/lr.png" --output "$T/e9.png" --device no-such-device
expect_fail "bad scale" "--scale" -- "$JF" run --scale 0 --guide a --target b --output c.png
for f in e1 e2 e3 e4 e5 e6 e7 e9; do
  [ -e "$T/$f.png" ] && bad "$f.png left behind" || ok
done
ls "$T" | grep -q 'tmp' && bad "temporary files left behind: $(ls "$T")" || ok

jft_finish
