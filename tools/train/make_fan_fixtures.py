# Writes the Fan et al. conformance fixtures in tests/data/fan/: a random-weight model
# (F = 8, the full 26-layer layout, random BatchNorm statistics) exported like a trained one
# (and a copy with a louder output layer for the halo probe),
# synthetic colour images at odd sizes (37 x 29, 65 x 47), and FanNet's eval-mode outputs; with
# --trained, also the outputs of the shipped weights (weights/fan_smooth.safetensors) on the
# 37 x 29 image. Planes are B, G, R (the device's order), float32, C x H x W.
# Seeded: rerunning rebuilds the same files. Run: /usr/bin/python3 tools/train/make_fan_fixtures.py
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fan  # noqa: E402
from train import read_safetensors, write_safetensors  # noqa: E402

SEED = 17
CASES = (("odd", 37, 29), ("wide", 65, 47))  # name, W, H
MODEL = "fan_f8_random.safetensors"
PROBE = "fan_f8_probe.safetensors"


def scene(rng, w, h):
    """RGB planes in [0, 1]: a ramp, a few flat boxes and discs, mild noise (edges and flat parts)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rgb = np.stack([0.3 + 0.4 * xx / w, 0.2 + 0.5 * yy / h, np.full_like(xx, 0.45)])
    for _ in range(4):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.15, 0.35) * min(w, h)
        mask = ((xx - cx) ** 2 + (yy - cy) ** 2 < r * r) if rng.random() < 0.5 else \
            ((np.abs(xx - cx) < r) & (np.abs(yy - cy) < 0.7 * r))
        rgb[:, mask] = rng.uniform(0, 1, size=(3, 1))
    return np.clip(rgb + rng.normal(0, 0.03, rgb.shape), 0, 1).astype(np.float32)


def run(model, rgb):
    with torch.no_grad():
        return model(torch.from_numpy(rgb)[None].double())[0].float().numpy()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default=os.path.join(HERE, "..", "..", "tests", "data", "fan"))
    p.add_argument("--trained", default=None, help="a fan model file: also write trained_odd_output.npy")
    args = p.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    model = fan.randomize(fan.FanNet(features=8), SEED)
    with torch.no_grad():  # keep the residual O(0.1) so that 1e-4 is a meaningful bound
        model.out.weight.mul_(0.05)
    model.eval()
    meta = fan.export_metadata(model, trained_by="random weights: tools/train/make_fan_fixtures.py (seed %d)" % SEED,
                               iterations=0, wall_time_s=0, data="none")
    write_safetensors(os.path.join(out, MODEL), fan.export_tensors(model), meta)
    # The halo probe's model (tests/test_halo.c): the same with the output layer x20000, so
    # that the output's float32 resolves the faint changes a pixel makes 250 pixels away.
    probe = fan.export_tensors(model)
    probe["out.weight"] = probe["out.weight"] * 20000
    probe["out.bias"] = probe["out.bias"] * 20000
    write_safetensors(os.path.join(out, PROBE), probe, dict(meta, trained_by=meta["trained_by"] + ", output x20000"))
    model = model.double()  # the reference in double: the C side's float error is what is measured
    rng = np.random.default_rng(SEED)
    images = {}
    for name, w, h in CASES:
        rgb = scene(rng, w, h)
        images[name] = rgb
        np.save(os.path.join(out, "%s_input.npy" % name), rgb[::-1].copy())
        y = run(model, rgb)
        np.save(os.path.join(out, "%s_output.npy" % name), y[::-1].copy())
        print("%s %dx%d: output range %.3f .. %.3f, max |out - in| %.3f"
              % (name, w, h, y.min(), y.max(), np.abs(y - rgb).max()))
    if args.trained:
        tensors, meta = read_safetensors(args.trained)
        trained = fan.load_tensors(fan.FanNet(), tensors).double().eval()
        y = run(trained, images["odd"])
        np.save(os.path.join(out, "trained_odd_output.npy"), y[::-1].copy())
        print("trained (%s iterations) odd: max |out - in| %.3f" % (meta.get("iterations"), np.abs(y - images["odd"]).max()))


if __name__ == "__main__":
    main()
