# Writes the DAGF conformance fixtures in tests/data/dagf/: a random-weight model (F = 8)
# exported like a trained one, synthetic guide/target pairs at an odd size and at a
# multiple of 16, and the file-only runner's outputs. Seeded: rerunning rebuilds the same
# files (up to float rounding of the PyTorch build). Run: python3 tools/train/make_dagf_fixtures.py
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dagf  # noqa: E402
from data import pil_resize_f  # noqa: E402
from models import build  # noqa: E402
from train import model_from_file, write_safetensors  # noqa: E402

SEED = 15
CASES = (("odd", 77, 53), ("m16", 64, 48))  # name, W, H
MODEL = "dagf_f8_random.safetensors"


def scene(rng, w, h):
    """A synthetic colour guide (B, G, R planes) and an upsampled depth that shares its edges:
    a smooth ramp plus a few discs and boxes, each with its own colour and depth."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    depth = 0.3 + 0.4 * (xx / w) * 0.5 + 0.2 * (yy / h)
    bgr = np.stack([0.2 + 0.5 * yy / h, 0.3 + 0.3 * xx / w, np.full_like(xx, 0.5)])
    for _ in range(5):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.1, 0.35) * min(w, h)
        mask = ((xx - cx) ** 2 + (yy - cy) ** 2 < r * r) if rng.random() < 0.5 else \
            ((np.abs(xx - cx) < r) & (np.abs(yy - cy) < 0.6 * r))
        depth[mask] = rng.uniform(0.05, 0.95)
        bgr[:, mask] = rng.uniform(0.0, 1.0, size=(3, 1))
    bgr = np.clip(bgr + rng.normal(0, 0.02, bgr.shape), 0, 1).astype(np.float32)
    # The target as the library hands it over: low-res depth, PIL bicubic up to full size.
    low = pil_resize_f(depth.astype(np.float32), max(1, w // 4), max(1, h // 4))
    target = np.clip(pil_resize_f(low, w, h), 0, 1)[None].astype(np.float32)
    return bgr, target


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default=os.path.join(HERE, "..", "..", "tests", "data", "dagf"))
    p.add_argument("--trained", default=None,
                   help="only write odd_output_dagf_x8.npy: this trained file (weights/dagf_x8.safetensors) on the "
                        "odd case already in --out, through DAGFInference")
    args = p.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    if args.trained:
        runner, _ = model_from_file(args.trained)
        g = torch.from_numpy(np.load(os.path.join(out, "odd_guide.npy")))[None]
        t = torch.from_numpy(np.load(os.path.join(out, "odd_target.npy")))[None]
        with torch.no_grad():
            ref = runner(g, t)[0].numpy().astype(np.float32)
        np.save(os.path.join(out, "odd_output_dagf_x8.npy"), ref)
        print("wrote odd_output_dagf_x8.npy from %s: |output - target| mean %.4f"
              % (args.trained, float(np.abs(ref - t[0].numpy()).mean())))
        return
    torch.manual_seed(SEED)

    model = build("dagf", features=8, levels=3, res_blocks=2)
    dagf.randomize(model, SEED)
    model.eval()
    meta = {"format": "jfilter-1", "architecture": "dagf", "scale": 8, "guide": "bgr",
            "guide_order": "bgr", "upsample": "pil", **model.metadata(),
            "trained_by": "random weights: tools/train/make_dagf_fixtures.py (seed %d)" % SEED,
            "iterations": 0, "wall_time_s": 0, "data": "none"}
    mpath = os.path.join(out, MODEL)
    write_safetensors(mpath, model.export_tensors(), meta)
    runner, _ = model_from_file(mpath)  # everything below runs from the file alone

    rng = np.random.default_rng(SEED)
    for name, w, h in CASES:
        bgr, target = scene(rng, w, h)
        g = torch.from_numpy(bgr)[None]
        t = torch.from_numpy(target)[None]
        trace = {}
        with torch.no_grad():
            ref = runner(g, t, trace)[0].numpy()
            train_out = model(g, t)[0].numpy()
        err = float(np.abs(ref - train_out).max())
        assert err < 1e-5, "file runner and training model disagree by %g" % err
        np.save(os.path.join(out, "%s_guide.npy" % name), bgr)
        np.save(os.path.join(out, "%s_target.npy" % name), target)
        np.save(os.path.join(out, "%s_output.npy" % name), ref.astype(np.float32))
        if name == "odd":  # per-level filtered features, for locating a disagreement
            for k, v in trace.items():
                np.save(os.path.join(out, "%s_%s.npy" % (name, k.replace(".", "_"))),
                        v[0].numpy().astype(np.float32))
        print("%s: %d x %d (W x H), |output - target| mean %.4f max %.4f, train vs file %.1e"
              % (name, w, h, np.abs(ref - target).mean(), np.abs(ref - target).max(), err))
    print("wrote %s" % out)


if __name__ == "__main__":
    main()
