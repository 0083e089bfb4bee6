#!/usr/bin/env bash
# test_weights.sh - every upsampling model shipped in weights/ (<name>_x<scale>) loads and
# upsamples the bundled synthetic sample better than bicubic at its own scale, through the
# jfilter program.
# Usage: test_weights.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
S="$SRC/weights/sample"
jft_scratch weights-test
"$PY" -c "import numpy" 2>/dev/null || { echo "FAIL: a python3 with numpy is needed ($PY has none)"; exit 1; }

# The ground truth as float (normalised 16-bit), its size, and one degraded input per
# convention: PIL bicubic downsampling (antialiased) for FDKN/DKN, plain subsampling
# gt[s-1::s, s-1::s] for SVLRM, as each family is trained.
"$JF" bicubic --quiet --target "$S/depth_gt.png" --scale 1 --output "$T/gt.npy" || { echo "FAIL: gt"; exit 1; }
read -r W H < <("$PY" -c "import numpy as n,sys; a=n.load(sys.argv[1]); print(a.shape[1], a.shape[0])" "$T/gt.npy")

models=("$SRC"/weights/*.safetensors)
[ ${#models[@]} -ge 10 ] && ok || bad "expected the 10 shipped models, found ${#models[@]}"
for m in "${models[@]}"; do
  name=$(basename "$m" .safetensors)
  # smoothers (fan_smooth, fang_*) take no low-res target: their own suites test them
  [[ $name == *_x[0-9]* ]] || continue
  s=${name##*_x}
  low="$T/${name}_low.npy"
  if [[ $name == svlrm_* ]]; then
    "$PY" -c "import numpy as n,sys; s=int(sys.argv[3]); a=n.load(sys.argv[1]); n.save(sys.argv[2], n.ascontiguousarray(a[s-1::s, s-1::s]))" \
      "$T/gt.npy" "$low" "$s" || { bad "$name: subsample"; continue; }
  else
    "$JF" bicubic --quiet --mode pil --size $((W / s))x$((H / s)) --target "$T/gt.npy" --output "$low" ||
      { bad "$name: downsample"; continue; }
  fi
  "$JF" bicubic --quiet --mode pil --scale "$s" --target "$low" --output "$T/${name}_bicubic.npy" ||
    { bad "$name: bicubic"; continue; }
  deg=bicubic
  [[ $name == svlrm_* ]] && deg=subsample
  "$JF" run --quiet --model "$m" --guide "$S/guide.png" --target "$low" --scale "$s" --degradation $deg \
    --output "$T/${name}_out.npy" || { bad "$name: run"; continue; }
  # the model must be finite, guide-sized and closer to the truth than bicubic
  if "$PY" - "$T/gt.npy" "$T/${name}_out.npy" "$T/${name}_bicubic.npy" "$name" <<'EOF'
import sys
import numpy as n
gt, out, bic = (n.load(p).astype(n.float64) for p in sys.argv[1:4])
assert out.shape == gt.shape, "%s: output %s, expected %s" % (sys.argv[4], out.shape, gt.shape)
assert n.isfinite(out).all(), sys.argv[4] + ": non-finite output"
r_out, r_bic = (float(n.sqrt(n.mean((a - gt) ** 2))) * 255 for a in (out, bic))
print("%-10s rmse %.3f, bicubic %.3f (0..255)" % (sys.argv[4], r_out, r_bic))
assert r_out < r_bic, sys.argv[4] + ": no better than bicubic"
EOF
  then ok; else bad "$name: accuracy"; fi
done

jft_finish "test_weights: "
