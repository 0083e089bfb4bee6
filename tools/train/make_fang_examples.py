"""make_fang_examples.py - the README's pictures of the Fang et al. models (weights/sample/fang/):
scikit-image's astronaut (NASA, public domain), 160 x 160 crop of the face, x1.

- smoothing: input, L0 (tools/train/smoothers.py) at lambda 0.01, `jfilter smooth --model fang_l0
  --lambda 0.01` (l0_input.png, l0_smoother.png, l0_ours.png);
- joint filtering (a synthetic flash / no-flash pair: the no-flash image is the image at 50 %
  brightness with Gaussian noise, sigma 0.04): flash guide, no-flash target, WLS of the
  no-flash image under the flash image's weights... not defined by WLS itself, so the
  smoother's column is the WLS of the clean flash image scaled to the no-flash brightness;
  ours: `jfilter run --model fang_wls --guide flash.png --target noflash.png`.
Run from the repository root after building: python3 tools/train/make_fang_examples.py
"""
import os
import subprocess
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import smoothers  # noqa: E402

OUT = os.path.join(ROOT, "weights", "sample", "fang")


def main():
    import skimage.data
    os.makedirs(OUT, exist_ok=True)
    jf = os.path.join(ROOT, "build", "jfilter")
    img = np.ascontiguousarray(skimage.data.astronaut()[30:190, 150:310, ::-1])  # B, G, R
    p = lambda n: os.path.join(OUT, n)  # noqa: E731
    cv2.imwrite(p("l0_input.png"), img)
    f = img.astype(np.float64) / 255
    cv2.imwrite(p("l0_smoother.png"), np.round(np.clip(smoothers.l0(f, 0.01), 0, 1) * 255).astype(np.uint8))
    subprocess.run([jf, "smooth", "--model", os.path.join(ROOT, "weights", "fang_l0.safetensors"), "--lambda",
                    "0.01", "--input", p("l0_input.png"), "--output", p("l0_ours.png")], check=True)
    rng = np.random.default_rng(0)
    noflash = np.clip(0.5 * f + rng.normal(0, 0.04, f.shape), 0, 1)
    cv2.imwrite(p("flash.png"), img)
    cv2.imwrite(p("noflash.png"), np.round(noflash * 255).astype(np.uint8))
    ref = 0.5 * smoothers.wls(f, 1.0, order="bgr")
    cv2.imwrite(p("wls_smoother.png"), np.round(np.clip(ref, 0, 1) * 255).astype(np.uint8))
    subprocess.run([jf, "run", "--model", os.path.join(ROOT, "weights", "fang_wls.safetensors"), "--guide",
                    p("flash.png"), "--target", p("noflash.png"), "--output", p("wls_ours.png")], check=True)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
