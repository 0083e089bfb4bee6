"""make_fang_data.py - ground truth for the Fang et al. models (tools/train/fang.py).

Training set: random CROP x CROP crops (2 per RGB-D-D colour frame, 8 per bundled
scikit-image colour image, 4 per gray one, stacked to 3 planes), each smoothed at
LAMBDAS lambdas drawn as smoothers.sample_lambda does. Stored per filter in
OUT/<filter>.npz: `image` uint8 N x CROP x CROP x 3 (B, G, R), `lam` float32 N x LAMBDAS,
`smooth` float16 N x LAMBDAS x CROP x CROP x 3 (the smoother's output on image / 255).

Held-out set (--eval): the Lu colour images and NYU v2 frames 1000-1002, centre crops of
480 x 320 (BSDS500's size, the paper's test set), at the paper's five lambdas:
OUT/eval_<filter>.npz with `image` (K x 320 x 480 x 3), `lam` (5,), `smooth` (K x 5 x ...),
`names`. Never used for training.

Existing output files are kept (a rerun resumes by skipping them).
"""
import argparse
import glob
import os
import sys
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoothers  # noqa: E402

RGBDD = "/work/shared/data/rgbdd/rgb"
LU = "/work/shared/data/lu"
NYU = "/work/shared/data/nyu"
SKIMAGE_COLOUR = ["astronaut", "chelsea", "coffee", "rocket", "stereo_motorcycle", "hubble_deep_field",
                  "retina", "immunohistochemistry", "colorwheel"]
SKIMAGE_GRAY = ["brick", "grass", "gravel", "camera"]
PAPER_LAMBDAS = {"wls": [0.2, 0.45, 1.0, 2.24, 5.0], "l0": [0.002, 0.005, 0.01, 0.02, 0.05],
                 "rtv": [0.002, 0.0045, 0.01, 0.0224, 0.05]}


def training_images():
    """(name, BGR uint8 image, crops) of every training source."""
    import skimage.data as sd
    out = [(os.path.basename(p), cv2.imread(p), 2) for p in sorted(glob.glob(os.path.join(RGBDD, "*_RGB.jpg")))]
    for n in SKIMAGE_COLOUR:
        im = getattr(sd, n)()
        ims = im if isinstance(im, tuple) else (im,)
        for k, x in enumerate(ims[:2]):
            out.append(("%s%d" % (n, k), np.ascontiguousarray(x[..., :3][..., ::-1]), 8))
    for n in SKIMAGE_GRAY:
        x = getattr(sd, n)()
        out.append((n, np.repeat(x[..., None], 3, axis=2), 4))
    return out


def smooth(name, img_u8, lam):
    """The smoother on a BGR uint8 image (WLS's luma weights from B, G, R)."""
    f = img_u8.astype(np.float64) / 255.0
    if name == "wls":
        return smoothers.wls(f, lam, order="bgr")
    return smoothers.SMOOTHERS[name](f, lam)


def make_training(name, out, crop, nlam, seed, max_crops=0):
    path = os.path.join(out, name + ".npz")
    if os.path.exists(path):
        print("kept", path)
        return
    rng = np.random.default_rng(seed)
    crops = []
    for _, im, k in training_images():
        h, w = im.shape[:2]
        for _ in range(k):
            y = rng.integers(0, h - crop + 1)
            x = rng.integers(0, w - crop + 1)
            crops.append(np.ascontiguousarray(im[y:y + crop, x:x + crop]))
    if max_crops and len(crops) > max_crops:  # a random subset, every source still represented
        keep = np.sort(rng.permutation(len(crops))[:max_crops])
        crops = [crops[i] for i in keep]
    n = len(crops)
    lam = np.array([[smoothers.sample_lambda(name, rng) for _ in range(nlam)] for _ in range(n)], np.float32)
    sm = np.zeros((n, nlam, crop, crop, 3), np.float16)
    t0 = time.time()
    for i in range(n):
        for j in range(nlam):
            sm[i, j] = smooth(name, crops[i], float(lam[i, j]))
        if i % 100 == 0:
            print("%s %d/%d %.0f s" % (name, i, n, time.time() - t0), flush=True)
    np.savez(path + ".tmp.npz", image=np.stack(crops), lam=lam, smooth=sm)
    os.replace(path + ".tmp.npz", path)
    print("wrote", path, n, "crops", "%.0f s" % (time.time() - t0), flush=True)


def eval_images(w=480, h=320):
    """(name, BGR uint8 centre crop) of the held-out images."""
    paths = sorted(glob.glob(os.path.join(LU, "lu_*_color.png"))) + sorted(glob.glob(os.path.join(NYU, "nyu_*_rgb.jpg")))
    out = []
    for p in paths:
        im = cv2.imread(p)
        y = (im.shape[0] - h) // 2
        x = (im.shape[1] - w) // 2
        out.append((os.path.basename(p).split(".")[0], np.ascontiguousarray(im[y:y + h, x:x + w])))
    return out


def make_eval(name, out):
    path = os.path.join(out, "eval_%s.npz" % name)
    if os.path.exists(path):
        print("kept", path)
        return
    ims = eval_images()
    lams = PAPER_LAMBDAS[name]
    sm = np.zeros((len(ims), len(lams)) + ims[0][1].shape, np.float32)
    t0 = time.time()
    for i, (_, im) in enumerate(ims):
        for j, lam in enumerate(lams):
            sm[i, j] = smooth(name, im, lam)
        print("eval %s %d/%d %.0f s" % (name, i + 1, len(ims), time.time() - t0), flush=True)
    np.savez(path + ".tmp.npz", image=np.stack([x for _, x in ims]), lam=np.array(lams, np.float32), smooth=sm,
             names=np.array([n for n, _ in ims]))
    os.replace(path + ".tmp.npz", path)
    print("wrote", path, "%.0f s" % (time.time() - t0), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("filters", nargs="+", choices=sorted(smoothers.SMOOTHERS))
    ap.add_argument("--out", default="/work/train/fang_data")
    ap.add_argument("--crop", type=int, default=96)
    ap.add_argument("--lambdas", type=int, default=7)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--max-crops", type=int, default=0, help="keep a random subset of this many crops")
    ap.add_argument("--eval", action="store_true", help="make the held-out set instead")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name in a.filters:
        if a.eval:
            make_eval(name, a.out)
        else:
            make_training(name, a.out, a.crop, a.lambdas, a.seed, a.max_crops)


if __name__ == "__main__":
    main()
