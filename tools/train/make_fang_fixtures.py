"""make_fang_fixtures.py - the Fang et al. conformance fixtures in tests/data/fang/.

Random-weight models (features 6, A included) exported like trained ones: one with a
B, G, R guide (filter l0), one with a gray guide (filter wls). Synthetic scenes at odd sizes
(37 x 29 and 65 x 47, W x H): a colour guide and a one-plane depth-like target. For each
model, case and lambda: the output of from_tensors(file) in float64 for
  - the colour model smoothing (guide = target = the colour image: 3-plane output) and
    filtering the gray target (joint use: 1-plane output);
  - the gray model filtering the colour image under its luma guide, and the gray target.
With --trained FILE (a trained model) the 37 x 29 case at two lambdas, both uses, is added
as trained_<filter>_odd_*.npy. Seeded. Run: python3 tools/train/make_fang_fixtures.py
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fang  # noqa: E402
from train import read_safetensors, write_safetensors  # noqa: E402

SEED = 16
CASES = (("odd", 37, 29), ("odd2", 65, 47))
MODELS = (("bgr", "l0"), ("gray", "wls"))
LAMBDAS = {"l0": (0.005, 0.1), "wls": (0.3, 4.0), "rtv": (0.004, 0.03)}


def scene(rng, w, h):
    """A colour guide (B, G, R planes in [0, 1]) with boxes and discs over ramps, textured
    with noise, and a depth-like target that shares some of its edges."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    depth = 0.3 + 0.2 * (xx / w) + 0.2 * (yy / h)
    bgr = np.stack([0.2 + 0.5 * yy / h, 0.3 + 0.3 * xx / w, np.full_like(xx, 0.5)])
    for _ in range(5):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.15, 0.4) * min(w, h)
        mask = ((xx - cx) ** 2 + (yy - cy) ** 2 < r * r) if rng.random() < 0.5 else \
            ((np.abs(xx - cx) < r) & (np.abs(yy - cy) < 0.6 * r))
        depth[mask] = rng.uniform(0.05, 0.95)
        bgr[:, mask] = rng.uniform(0.0, 1.0, size=(3, 1))
    bgr = np.clip(bgr + rng.normal(0, 0.05, bgr.shape), 0, 1).astype(np.float32)
    depth = np.clip(depth + rng.normal(0, 0.02, depth.shape), 0, 1)[None].astype(np.float32)
    return bgr, depth


def outputs(model, bgr, depth, lam):
    """(colour output, gray-target output) of model (float64) on one scene."""
    g = torch.from_numpy(bgr).double()[None]
    gp = model.guide_planes(g)
    with torch.no_grad():
        col = model(gp, g, lam)[0].numpy().astype(np.float32)
        gray = model(gp, torch.from_numpy(depth).double()[None], lam)[0].numpy().astype(np.float32)
    return col, gray


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default=os.path.join(HERE, "..", "..", "tests", "data", "fang"))
    p.add_argument("--trained", help="a trained fang model file: adds the trained fixtures")
    a = p.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    scenes = {name: scene(rng, w, h) for name, w, h in CASES}
    for name, (bgr, depth) in scenes.items():
        np.save(os.path.join(out, "%s_guide.npy" % name), bgr)
        np.save(os.path.join(out, "%s_target.npy" % name), depth)
    if a.trained:
        tensors, meta = read_safetensors(a.trained)
        model = fang.from_tensors(tensors, meta).double()
        bgr, depth = scenes["odd"]
        for j, lam in enumerate(LAMBDAS[meta["filter"]]):
            col, gray = outputs(model, bgr, depth, lam)
            np.save(os.path.join(out, "trained_%s_odd_l%d_colour.npy" % (meta["filter"], j)), col)
            np.save(os.path.join(out, "trained_%s_odd_l%d_gray.npy" % (meta["filter"], j)), gray)
            print("trained %s lambda %g: |colour - guide| mean %.4f" % (meta["filter"], lam,
                                                                       np.abs(col - bgr).mean()))
        return
    for kind, filt in MODELS:
        torch.manual_seed(SEED)
        model = fang.randomize(fang.Fang(filt, features=6), SEED)
        meta = dict(model.metadata(), trained_by="random weights: tools/train/make_fang_fixtures.py (seed %d)"
                    % SEED, iterations=0, wall_time_s=0, data="none")
        path = os.path.join(out, "fang_random_%s.safetensors" % kind)
        write_safetensors(path, model.export_tensors(), meta)
        runner = fang.from_tensors(*read_safetensors(path)).double()  # from the file alone
        for name, (bgr, depth) in scenes.items():
            for j, lam in enumerate(LAMBDAS[filt]):
                col, gray = outputs(runner, bgr, depth, lam)
                np.save(os.path.join(out, "%s_%s_l%d_colour.npy" % (kind, name, j)), col)
                np.save(os.path.join(out, "%s_%s_l%d_gray.npy" % (kind, name, j)), gray)
                trace = {}
                with torch.no_grad():
                    g = torch.from_numpy(bgr).double()[None]
                    runner(runner.guide_planes(g), g, lam, trace)
                off = trace["heads"][0, fang.FEATURE_MAPS:].abs()
                print("%s %s lambda %g: |colour - guide| mean %.4f, |gray - target| mean %.4f, |offsets| mean "
                      "%.2f max %.2f" % (kind, name, lam, np.abs(col - bgr).mean(), np.abs(gray - depth).mean(),
                                         off.mean(), off.max()))
    print("wrote", out)


if __name__ == "__main__":
    main()
