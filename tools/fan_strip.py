# The README picture of Fan et al.'s smoother: a held-out NYU frame (never trained on) at
# 320 x 240, stacked top to bottom: the input, jfilter's output with weights/fan_smooth
# (through the CLI), and L0 smoothing (cv2.ximgproc.l0Smooth) at the same mean squared change.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jfilter", default="build/jfilter")
    ap.add_argument("--model", default="weights/fan_smooth.safetensors")
    ap.add_argument("--image", default="nyu/nyu_1000_rgb.jpg")
    ap.add_argument("--out", default="docs/fan_smooth_strip.png")
    a = ap.parse_args()
    bgr = cv2.imread(os.path.join(eval_fan.DATA, a.image), cv2.IMREAD_COLOR)
    bgr = cv2.resize(bgr, (320, 240), interpolation=cv2.INTER_AREA)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
        cv2.imwrite(src, bgr)
        subprocess.run([a.jfilter, "smooth", "--model", a.model, "--input", src, "--output", dst, "--quiet"],
                       check=True)
        ours = cv2.imread(dst, cv2.IMREAD_COLOR)
    rgb = bgr[..., ::-1].astype(np.float32) / 255
    target = eval_fan.mse(ours[..., ::-1].astype(np.float32) / 255, rgb)
    lam, l0 = eval_fan.matched(lambda v: eval_fan.l0(rgb, v), 1e-5, 1.0, target, rgb)
    l0_bgr = (np.clip(l0, 0, 1)[..., ::-1] * 255 + 0.5).astype(np.uint8)
    strip = np.concatenate([bgr, ours, l0_bgr], 0)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    cv2.imwrite(a.out, strip)
    print("%s: input / ours / L0 (lambda %.3g), mean squared change %.1f (0..255)" % (a.out, lam, target))


if __name__ == "__main__":
    main()
