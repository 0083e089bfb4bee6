# Depth upsampling accuracy of a jfilter model on the Lu and NYU v2 evaluation pairs
# (DKN protocol: crop to a multiple of the scale, PIL bicubic down in 8 bits, RMSE on 0..255;
# or SVLRM's plain subsampling), run through the jfilter CLI or, with --torch, through PyTorch.
"""Evaluate a jfilter model file on depth upsampling.

For each pair: crop to a multiple of the scale, downsample the 8-bit depth with PIL bicubic
(antialiased), hand the low-res PNG and the guide PNG to `jfilter run` (or the PyTorch
model with --torch), and compute the RMSE of the result x255 against the 8-bit ground
truth. Bicubic upsampling of the low-res image with PIL, in 8 bits, is the baseline.

--downsample subsample takes every scale-th pixel instead (gt[s-1::s, s-1::s], the
degradation SVLRM is trained on); the baseline is then PIL bicubic upsampling of that.

NYU frames hold metric depth (float32 metres); as in DKN's evaluation of 8-bit inputs, each
frame is min-max normalised to 0..255 and rounded to 8 bits first, so its RMSE is on that
per-frame scale, not in centimetres.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def load_lu(root):
    pairs = []
    for cpath in sorted(glob.glob(os.path.join(root, "lu", "lu_*_color.png"))):
        name = os.path.basename(cpath)[:-len("_color.png")]
        rgb = np.asarray(Image.open(cpath).convert("RGB"))
        depth = np.asarray(Image.open(os.path.join(root, "lu", name + "_depth.png")).convert("L"))
        pairs.append((name, rgb, depth))
    return pairs


def load_nyu(root):
    pairs = []
    for dpath in sorted(glob.glob(os.path.join(root, "nyu", "nyu_*_depth.npy"))):
        name = os.path.basename(dpath)[:-len("_depth.npy")]
        metres = np.load(dpath).astype(np.float64)  # the .npy header says Fortran order; np.load honours it
        lo, hi = metres.min(), metres.max()
        depth = np.round((metres - lo) / max(hi - lo, 1e-12) * 255.0).astype(np.uint8)
        rgb = np.asarray(Image.open(os.path.join(root, "nyu", name + "_rgb.jpg")).convert("RGB"))
        pairs.append((name, rgb, depth))
    return pairs


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)))


def run_cli(binary, model, guide_png, low_png, scale, out_npy, device, extra=()):
    cmd = [binary, "run", "--model", model, "--guide", guide_png, "--target", low_png,
           "--scale", str(scale), "--output", out_npy] + list(extra)
    if device:
        cmd += ["--device", device]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return np.load(out_npy).astype(np.float32)


class TorchRunner:
    """Runs a model file through tools/train/models.py, preparing inputs as its metadata says."""

    def __init__(self, model_path, threads):
        sys.path.insert(0, os.path.join(HERE, "train"))
        import torch
        from train import model_from_file
        from data import guide_planes, pil_resize_f, cv_resize_cubic_f
        torch.set_num_threads(threads)
        self.torch = torch
        self.model, self.meta = model_from_file(model_path)
        self.guide_planes, self.pil_resize_f, self.cv_resize_cubic_f = guide_planes, pil_resize_f, cv_resize_cubic_f

    def __call__(self, rgb, low_u8):
        h, w = rgb.shape[:2]
        low = low_u8.astype(np.float32) / 255.0
        if self.meta.get("upsample", "pil") == "opencv":
            up = self.cv_resize_cubic_f(low, w, h)
        else:
            up = self.pil_resize_f(low, w, h)
        guide = self.guide_planes(rgb, self.meta.get("guide", "gray"))
        t = self.torch
        g = t.from_numpy(guide)[None]
        u = t.from_numpy(up)[None, None]
        with t.no_grad():
            out = self.model(u, g) if self.meta["architecture"] == "svlrm" else self.model(g, u)
        return out[0, 0].numpy()


def model_scale(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        return int(json.loads(f.read(n)).get("__metadata__", {}).get("scale", 0))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="jfilter safetensors model file")
    p.add_argument("--scale", type=int, default=0, help="default: the model file's scale")
    p.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data"),
                   help="folder holding lu/ and nyu/")
    p.add_argument("--datasets", default="lu,nyu")
    p.add_argument("--jfilter", default="build/jfilter", help="path of the jfilter CLI")
    p.add_argument("--device", default="", help="passed to jfilter run --device when given")
    p.add_argument("--torch", action="store_true", help="run the PyTorch model instead of the CLI")
    p.add_argument("--threads", type=int, default=1, help="torch threads with --torch")
    p.add_argument("--downsample", choices=["pil", "subsample"], default="pil",
                   help="pil: DKN protocol (antialiased PIL bicubic, default); subsample: "
                   "gt[s-1::s, s-1::s] as SVLRM's training degradation")
    p.add_argument("--json", default="", help="write results as JSON to this path ('-' for stdout)")
    p.add_argument("--cli-depth", action="store_true",
                   help="let jfilter run normalise the target over its valid pixels and treat 0 as a "
                   "hole (its defaults since 0.1); without it the target enters as /255, as in DKN's "
                   "protocol and the published tables (--no-normalize --invalid none)")
    args = p.parse_args()

    scale = args.scale or model_scale(args.model)
    if scale <= 0:
        sys.exit("no --scale given and the model file names none")
    runner = TorchRunner(args.model, args.threads) if args.torch else None
    loaders = {"lu": load_lu, "nyu": load_nyu}
    results = {"model": os.path.basename(args.model), "scale": scale,
               "runner": "torch" if args.torch else "jfilter", "downsample": args.downsample,
               "datasets": {}}
    with tempfile.TemporaryDirectory(prefix="jf_eval_") as tmp:
        for ds in args.datasets.split(","):
            rows = []
            for name, rgb, depth in loaders[ds](os.path.abspath(args.data)):
                h, w = depth.shape
                h, w = h - h % scale, w - w % scale
                rgb, gt = rgb[:h, :w], depth[:h, :w]
                if args.downsample == "subsample":
                    low_img = Image.fromarray(np.ascontiguousarray(gt[scale - 1::scale, scale - 1::scale]))
                else:
                    low_img = Image.fromarray(gt).resize((w // scale, h // scale), Image.BICUBIC)
                bicubic = np.asarray(low_img.resize((w, h), Image.BICUBIC))
                low = np.asarray(low_img)
                if runner:
                    out = runner(rgb, low)
                else:
                    gpath = os.path.join(tmp, name + "_guide.png")
                    lpath = os.path.join(tmp, name + "_low.png")
                    opath = os.path.join(tmp, name + "_out.npy")
                    Image.fromarray(np.ascontiguousarray(rgb)).save(gpath)
                    low_img.save(lpath)
                    extra = [] if args.cli_depth else ["--no-normalize", "--invalid", "none"]
                    if args.downsample == "subsample":
                        extra += ["--degradation", "subsample"]
                    out = run_cli(args.jfilter, args.model, gpath, lpath, scale, opath, args.device, extra)
                if out.shape != gt.shape:
                    raise RuntimeError("%s: output %s, expected %s" % (name, out.shape, gt.shape))
                rows.append({"name": name, "rmse": rmse(out * 255.0, gt), "bicubic": rmse(bicubic, gt)})
            mean = {k: float(np.mean([r[k] for r in rows])) for k in ("rmse", "bicubic")}
            results["datasets"][ds] = {"pairs": rows, "mean": mean}

    print("%s x%d (%s, %s downsampling)" % (results["model"], scale, results["runner"], args.downsample))
    print("%-10s %10s %10s" % ("pair", "model", "bicubic"))
    for ds, r in results["datasets"].items():
        for row in r["pairs"]:
            print("%-10s %10.3f %10.3f" % (row["name"], row["rmse"], row["bicubic"]))
        print("%-10s %10.3f %10.3f" % (ds + " mean", r["mean"]["rmse"], r["mean"]["bicubic"]))
    if args.json == "-":
        json.dump(results, sys.stdout, indent=1)
        print()
    elif args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
