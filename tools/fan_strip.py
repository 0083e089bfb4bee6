# The README picture of Fan et al.'s smoother: a held-out image at the energy table's size
# (160 x 120, tools/eval_fan.py), 2 x 2: the input and jfilter's output with weights/fan_smooth
# (through the CLI) on top; below, L0 smoothing (tools/train/smoothers.py) at the mean squared
# change of the per-image optimum, and that optimum (Adam on the pixels, eval_fan's cache).
#   /usr/bin/python3 tools/fan_strip.py --jfilter build/jfilter --out docs/fan_smooth_strip.png
import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval_fan  # noqa: E402


def to_bgr_u8(rgb):
    return (np.clip(rgb, 0, 1)[..., ::-1] * 255 + 0.5).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jfilter", default="build/jfilter")
    ap.add_argument("--model", default="weights/fan_smooth.safetensors")
    ap.add_argument("--image", default="lu_01")
    ap.add_argument("--cache", default="/work/train/fan_eval")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--lr", type=float, default=0.003, help="the per-image optimum's schedule (eval_fan.py's)")
    ap.add_argument("--lr-min", type=float, default=1e-4)
    ap.add_argument("--out", default="docs/fan_smooth_strip.png")
    a = ap.parse_args()
    rgb_u8 = eval_fan.load(dict(eval_fan.IMAGES)[a.image])
    bgr = np.ascontiguousarray(rgb_u8[..., ::-1])
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
        cv2.imwrite(src, bgr)
        subprocess.run([a.jfilter, "smooth", "--model", a.model, "--input", src, "--output", dst, "--quiet"],
                       check=True)
        ours = cv2.imread(dst, cv2.IMREAD_COLOR)
    rgb = rgb_u8.astype(np.float32) / 255
    opt = np.load(eval_fan.cache_path(a.cache, a.image, a.steps, a.lr, a.lr_min))[0].transpose(1, 2, 0)
    target = eval_fan.mse(opt, rgb)
    lam, l0 = eval_fan.matched(lambda v: eval_fan.l0(rgb, v), 1e-6, 1.0, target, rgb)
    grid = np.concatenate([np.concatenate([bgr, ours], 1), np.concatenate([to_bgr_u8(l0), to_bgr_u8(opt)], 1)], 0)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    cv2.imwrite(a.out, grid)
    print("%s: input | ours / L0 (lambda %.3g) | per-image optimum, mean squared change %.1f (0..255)"
          % (a.out, lam, target))


if __name__ == "__main__":
    main()
