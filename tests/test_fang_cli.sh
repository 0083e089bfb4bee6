#!/usr/bin/env bash
# test_fang_cli.sh - Fang et al.'s models through the `jfilter` program: `jfilter smooth`
# (guide = target = the image, colour in, colour out; gray in, gray out) and joint
# filtering with `jfilter run` (a flash guide and a no-flash colour target; a gray target),
# each output against the PyTorch reference on the same PNG inputs (1e-4); a lambda outside
# the model's range fails. Uses the shipped weights/fang_{l0,wls}.safetensors when they
# exist, else the random fixtures of tests/data/fang/.
# Usage: test_fang_cli.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch fang-cli-test
L0="$SRC/weights/fang_l0.safetensors" WLS="$SRC/weights/fang_wls.safetensors"
[ -f "$L0" ] || L0="$SRC/tests/data/fang/fang_random_bgr.safetensors"
[ -f "$WLS" ] || WLS="$SRC/tests/data/fang/fang_random_gray.safetensors"

# inputs: the 65x47 fixture scene as a colour "flash" image, a noisy "no-flash" one, a gray one
"$PY" - "$SRC" "$T" <<'PY' && ok || bad "make inputs"
import sys, numpy as np, cv2
src, t = sys.argv[1:3]
g = np.load(src + "/tests/data/fang/odd2_guide.npy").transpose(1, 2, 0)  # B, G, R
rng = np.random.default_rng(1)
cv2.imwrite(t + "/flash.png", np.round(g * 255).astype(np.uint8))
cv2.imwrite(t + "/noflash.png", np.clip(np.round((0.6 * g + rng.normal(0, 0.05, g.shape)) * 255), 0, 255).astype(np.uint8))
cv2.imwrite(t + "/gray.png", np.round(np.load(src + "/tests/data/fang/odd2_target.npy")[0] * 255).astype(np.uint8))
PY

# compare OUT.npy with the PyTorch model MODEL on GUIDE/TARGET png at LAMBDA
check() {
  local name=$1 model=$2 guide=$3 target=$4 lambda=$5 out=$6
  "$PY" - "$SRC" "$model" "$guide" "$target" "$lambda" "$out" <<'PY' && ok || bad "$name: differs from PyTorch"
import sys, numpy as np, cv2, torch
src, model, guide, target, lam, out = sys.argv[1:7]
sys.path.insert(0, src + "/tools/train")
import fang
from train import read_safetensors
m = fang.from_tensors(*read_safetensors(model)).double()
g = cv2.imread(guide, cv2.IMREAD_COLOR).astype(np.float64) / 255
t = cv2.imread(target, cv2.IMREAD_UNCHANGED).astype(np.float64) / 255
gt = torch.from_numpy(g).permute(2, 0, 1)[None]
tt = torch.from_numpy(t).permute(2, 0, 1)[None] if t.ndim == 3 else torch.from_numpy(t)[None, None]
with torch.no_grad():
    ref = m(m.guide_planes(gt), tt, float(lam))[0].permute(1, 2, 0).numpy()
got = np.load(out).astype(np.float64)
if got.ndim == 2:
    got = got[..., None]
if got.shape[-1] == 3:
    got = got[..., ::-1]  # the CLI writes colour as R, G, B
err = np.abs(got - ref).max()
print("%s: max |jfilter - PyTorch| = %.2e" % (out.split("/")[-1], err))
sys.exit(0 if got.shape == ref.shape and err < 1e-4 else 1)
PY
}

"$JF" smooth --model "$L0" --lambda 0.01 --input "$T/flash.png" --output "$T/smooth.npy" && ok || bad "smooth"
check "smooth colour" "$L0" "$T/flash.png" "$T/flash.png" 0.01 "$T/smooth.npy"
"$JF" smooth --model "$L0" --lambda 0.01 --input "$T/flash.png" --output "$T/smooth.png" && [ -s "$T/smooth.png" ] && ok \
  || bad "smooth to png"
"$JF" run --model "$WLS" --guide "$T/flash.png" --target "$T/noflash.png" --output "$T/joint.npy" && ok || bad "run joint"
check "joint colour" "$WLS" "$T/flash.png" "$T/noflash.png" 1.0 "$T/joint.npy"
"$JF" run --model "$WLS" --lambda 3 --guide "$T/flash.png" --target "$T/gray.png" --output "$T/joint_gray.npy" && ok \
  || bad "run gray target"
check "joint gray" "$WLS" "$T/flash.png" "$T/gray.png" 3 "$T/joint_gray.npy"
err=$("$JF" smooth --model "$L0" --lambda 5 --input "$T/flash.png" --output "$T/bad.png" 2>&1) && bad "lambda 5 accepted" \
  || { [[ "$err" == *"outside the range"* ]] && ok || bad "lambda message: $err"; }
[ ! -e "$T/bad.png" ] && ok || bad "failed run left an output"
jft_finish
