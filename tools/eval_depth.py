# Depth in sensor units through the jfilter CLI: the same Lu / NYU v2 scenes stored as
# millimetres over a typical sensor range, with and without holes, before and after the
# CLI normalised depth over its valid pixels (jfilter run's defaults vs --no-normalize
# --invalid none, which is what jfilter 0.1 did).
"""Measure how jfilter run handles depth in millimetres and holes.

For every Lu and NYU v2 pair (read as tools/eval.py reads them: 8-bit, per-frame
min-max normalised), the depth is stored three ways as a 16-bit PNG:

  sensor  1534..7754 mm, a typical depth-camera range (a small part of 0..65535);
  full    the same scene stretched over 0..65535 (what the old CLI assumed);
  holes   the sensor case with synthetic 4x4 holes (value 0) in the low-res input.

The low-res input is PIL bicubic (antialiased, on floats) of the 16-bit truth, rounded
to 16 bits; the model upsamples it; RMSE is in millimetres against the 16-bit truth
(full: scaled back to the sensor's millimetres). Each case runs twice:
  before: --no-normalize --invalid none (the target divided by 65535, 0 a real depth)
  after:  the CLI's defaults (normalised over the valid pixels, 0 a hole, filled)
and the hole case once more with --keep-holes. "under 1000" counts output pixels
below 1000 mm, which no pixel of a 1534..7754 mm scene should be: corrupted pixels.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from eval import load_lu, load_nyu, model_scale  # noqa: E402

LO_MM, HI_MM = 1534.0, 7754.0


def save16(path, a):
    Image.fromarray(np.ascontiguousarray(a.astype(np.uint16))).save(path)


def load16(path):
    return np.asarray(Image.open(path)).astype(np.float64)


def pil_f(a, w, h):
    return np.asarray(Image.fromarray(a.astype(np.float32), mode="F").resize((w, h), Image.BICUBIC), np.float64)


def run(binary, model, scale, guide, low, out, extra, device):
    cmd = [binary, "run", "--quiet", "--model", model, "--scale", str(scale), "--guide", guide,
           "--target", low, "--output", out] + extra
    if device:
        cmd += ["--device", device]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return load16(out)


def rmse(a, b, mask=None):
    d = (np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2
    return float(np.sqrt(d[mask].mean() if mask is not None else d.mean()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--scale", type=int, default=0, help="default: the model file's")
    p.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data"))
    p.add_argument("--datasets", default="lu,nyu")
    p.add_argument("--jfilter", default="build/jfilter")
    p.add_argument("--device", default="")
    p.add_argument("--holes", type=int, default=8, help="4x4 holes per low-res input")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", default="")
    args = p.parse_args()
    scale = args.scale or model_scale(args.model)
    rng = np.random.default_rng(args.seed)
    loaders = {"lu": load_lu, "nyu": load_nyu}
    before, after = ["--no-normalize", "--invalid", "none"], []
    res = {"model": os.path.basename(args.model), "scale": scale, "range_mm": [LO_MM, HI_MM],
           "holes_per_input": args.holes, "datasets": {}}
    with tempfile.TemporaryDirectory(prefix="jf_depth_") as tmp:
        for ds in args.datasets.split(","):
            rows = []
            for name, rgb, depth in loaders[ds](os.path.abspath(args.data)):
                h, w = depth.shape
                h, w = h - h % scale, w - w % scale
                rgb, d01 = rgb[:h, :w], depth[:h, :w].astype(np.float64) / 255.0
                guide = os.path.join(tmp, name + "_guide.png")
                Image.fromarray(np.ascontiguousarray(rgb)).save(guide)
                row = {"name": name}
                for case, lo, hi in (("sensor", LO_MM, HI_MM), ("full", 0.0, 65535.0)):
                    gt = np.round(lo + d01 * (hi - lo))
                    low = np.clip(np.round(pil_f(gt, w // scale, h // scale)), 0, 65535)
                    lpath = os.path.join(tmp, "%s_%s_low.png" % (name, case))
                    save16(lpath, low)
                    mm = (HI_MM - LO_MM) / (hi - lo)  # RMSE back in the sensor's millimetres
                    row[case] = {"bicubic": rmse(pil_f(low, w, h), gt) * mm}
                    for tag, extra in (("before", before), ("after", after)):
                        out = run(args.jfilter, args.model, scale, guide, lpath,
                                  os.path.join(tmp, "out.png"), extra, args.device)
                        row[case][tag] = rmse(out, gt) * mm
                    if case == "sensor":
                        sensor_gt, sensor_low = gt, low
                # holes: 4x4 blocks of 0 in the low-res sensor input
                low = sensor_low.copy()
                lh, lw = low.shape
                hole = np.zeros((lh, lw), bool)
                for _ in range(args.holes):
                    y, x = rng.integers(0, lh - 4), rng.integers(0, lw - 4)
                    hole[y:y + 4, x:x + 4] = True
                low[hole] = 0
                lpath = os.path.join(tmp, name + "_holes_low.png")
                save16(lpath, low)
                footprint = np.kron(hole, np.ones((scale, scale), bool))
                r = {"hole_pixels_low": int(hole.sum()), "footprint_pixels": int(footprint.sum())}
                for tag, extra in (("before", before), ("after", after), ("keep_holes", ["--keep-holes"])):
                    out = run(args.jfilter, args.model, scale, guide, lpath, os.path.join(tmp, "out.png"),
                              extra, args.device)
                    r[tag] = {"under_1000": int((out < 1000).sum()),
                              "rmse_outside_holes": rmse(out, sensor_gt, ~footprint)}
                    if tag == "keep_holes":
                        r[tag]["zeros"] = int((out == 0).sum())
                        r[tag]["zeros_outside_footprint"] = int(((out == 0) & ~footprint).sum())
                        r[tag]["footprint_not_zero"] = int(((out != 0) & footprint).sum())
                    else:
                        r[tag]["rmse_all"] = rmse(out, sensor_gt)
                row["holes"] = r
                rows.append(row)
                print(name, json.dumps(row), flush=True)
            res["datasets"][ds] = rows
    print("\n%s x%d, millimetres (depth %g..%g mm)" % (res["model"], scale, LO_MM, HI_MM))
    print("%-10s %29s %29s %s" % ("", "sensor range: bicubic/before/after", "full range: bicubic/before/after",
                                  "holes: under-1000 before/after, RMSE outside holes before/after"))
    for ds, rows in res["datasets"].items():
        for rw in rows + [None]:
            if rw is None:
                def m(f):
                    return float(np.mean([f(x) for x in rows]))
                label = ds + " mean"
            else:
                def m(f, rw=rw):
                    return f(rw)
                label = rw["name"]
            print("%-10s %9.1f %9.1f %9.1f   %9.1f %9.1f %9.1f   %7.0f %7.0f   %7.1f %7.1f" % (
                label, m(lambda x: x["sensor"]["bicubic"]), m(lambda x: x["sensor"]["before"]),
                m(lambda x: x["sensor"]["after"]), m(lambda x: x["full"]["bicubic"]),
                m(lambda x: x["full"]["before"]), m(lambda x: x["full"]["after"]),
                m(lambda x: x["holes"]["before"]["under_1000"]), m(lambda x: x["holes"]["after"]["under_1000"]),
                m(lambda x: x["holes"]["before"]["rmse_outside_holes"]),
                m(lambda x: x["holes"]["after"]["rmse_outside_holes"])))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
