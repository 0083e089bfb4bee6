#!/usr/bin/env python3
# torch_reference.py - times the PyTorch reference (tools/train/models.py; for DAGF
# tools/train/dagf.py's DAGFInference, which runs from the exported file alone) on the same
# synthetic input, weights and sizes as `jfilter bench`, and prints one JSON line with the
# same fields (first_ms, median_ms, min_ms, gflop, gflops) so bench/run.py can compare them.
"""Usage: python3 bench/torch_reference.py --model weights/fdkn_x8.safetensors --size 640x480
           [--repeat 5] [--threads 2] [--scale S] [--dkn-mode stitch|dense]

Timed region of one run = what `jfilter bench` times in one jf_model_run: 8-bit/16-bit input
to float, guide preparation (gray / BGR planes / 8-bit gray), bicubic upsampling of the
low-res target to the guide size, and the network's forward pass.
"""
import argparse
import json
import os
import statistics
import struct
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="weights/fdkn_x8.safetensors", help="jfilter .safetensors file")
    ap.add_argument("--size", default="640x480", help="guide size WxH")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs after one warm-up run")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (intra-op)")
    ap.add_argument("--scale", type=int, default=0, help="low-res target = guide / S (default: model's)")
    ap.add_argument("--dkn-mode", choices=("stitch", "dense"), default="stitch",
                    help="DKN: 16 shifted passes as the published code (stitch) or one dilated pass")
    return ap.parse_args()


ARGS = parse_args()
# Thread pools are sized when torch is imported; set the env first so OpenMP agrees.
os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))
os.environ.setdefault("MKL_NUM_THREADS", str(ARGS.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
import models  # noqa: E402
import dagf  # noqa: E402
import fan  # noqa: E402

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    """Minimal reader (the pip package may be absent): 8-byte LE header length, JSON, raw data."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        tensors[name] = torch.from_numpy(arr.astype(np.float32, copy=True)
                                         if arr.dtype.kind == "f" else arr.copy())
    return meta, tensors


def build_model(meta, tensors):
    arch = meta.get("architecture", "fdkn")
    if arch in ("fdkn", "dkn"):
        m = models.build(arch, k=int(meta.get("kernel_size", 3)), d=int(meta.get("window_size", 15)),
                         residual=meta.get("residual", "true") == "true")
    elif arch == "svlrm":
        m = models.build(arch, layers=int(meta.get("layers", 10)),
                         activation=meta.get("activation", "leaky_relu"),
                         negative_slope=float(meta.get("negative_slope", 0.1)))
    elif arch == "fan":
        return arch, fan.load_tensors(fan.FanNet(features=int(meta.get("features", 64))), tensors).eval()
    elif arch == "dagf":
        # the file-only runner is the reference tests/test_dagf.c is checked against
        return arch, dagf.DAGFInference(tensors, meta).eval()
    else:
        raise SystemExit("torch_reference: unknown architecture %r" % arch)
    missing, unexpected = m.load_state_dict(tensors, strict=False)
    # BatchNorm's num_batches_tracked is not stored in jfilter files and is unused in eval.
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit("torch_reference: weights do not fit %s: missing %s unexpected %s"
                         % (arch, missing[:5], unexpected[:5]))
    return arch, m.eval()


def synth(w, h, tw, th):
    """The same synthetic scene as host/cmd_bench.c (RGB u8 guide, u16 low-res target)."""
    y, x = np.mgrid[0:h, 0:w]
    inside = (x > w // 4) & (x < 3 * w // 4) & (y > h // 3) & (y < 5 * h // 6)
    rgb = np.empty((h, w, 3), np.uint8)
    rgb[..., 0] = np.where(inside, 200, (x * 255) // w)
    rgb[..., 1] = (y * 255) // h
    rgb[..., 2] = np.where(inside, 60, 128 + ((x ^ y) & 31))
    y, x = np.mgrid[0:th, 0:tw]
    inside = (x > tw // 4) & (x < 3 * tw // 4) & (y > th // 3) & (y < 5 * th // 6)
    depth = np.where(inside, 20000, 40000 + 200 * (y % 50)).astype(np.uint16)
    return rgb, depth


def dkn_branch_stitch(branch, x):
    """The published DKN inference: for each of the 4x4 shifts (a, b) pad the input by
    (left 25-b, right 22+b, top 25-a, bottom 22+a), run the strided, undilated branch and
    write its output to pixels [a::4, b::4] (see ../shared/conformance/README.md)."""
    n, _, h, w = x.shape
    k2 = branch.conv_weight.out_channels
    wt = x.new_zeros(n, k2, h, w)
    off = x.new_zeros(n, branch.conv_offset.out_channels, h, w)
    for a in range(4):
        for b in range(4):
            y = F.pad(x, (25 - b, 22 + b, 25 - a, 22 + a))
            y = F.relu(branch.conv1_bn(branch.conv1(y)))
            y = F.relu(branch.conv2(y))
            y = F.relu(branch.conv3_bn(branch.conv3(y)))
            y = F.relu(branch.conv4(y))
            y = F.relu(branch.conv5_bn(branch.conv5(y)))
            y = F.relu(branch.conv6(y))
            y = F.relu(branch.conv7(y))
            hh, ww = wt[:, :, a::4, b::4].shape[2:]
            wt[:, :, a::4, b::4] = torch.sigmoid(branch.conv_weight(y))[:, :, :hh, :ww]
            off[:, :, a::4, b::4] = branch.conv_offset(y)[:, :, :hh, :ww]
    return wt, off


def make_runner(arch, model, meta, rgb_np, depth_np, w, h, dkn_mode):
    rgb_t = torch.from_numpy(rgb_np)      # H x W x 3 uint8
    depth_t = torch.from_numpy(depth_np.astype(np.int32))  # torch has no uint16 math on CPU

    def upsample(low):
        # Bicubic to the guide size as the model expects (the published code used PIL's / OpenCV's
        # bicubic; torch's costs the same order and is only a tiny part of a run).
        return F.interpolate(low, size=(h, w), mode="bicubic", align_corners=False)

    def run():
        if arch == "fan":  # a smoother: the colour image is its own target (no depth)
            return model(rgb_t.permute(2, 0, 1)[None].float() / 255.0)
        low = (depth_t.float() / 65535.0)[None, None]
        up = upsample(low)
        rgb = rgb_t.permute(2, 0, 1)[None].float()
        if arch == "fdkn":
            gray = models.rgb_to_gray(rgb / 255.0)
            return model(gray, up)
        if arch == "dkn":
            bgr = rgb.flip(1) / 255.0
            if dkn_mode == "dense":
                return model(bgr, up)
            wi, oi = dkn_branch_stitch(model.ImageKernel, bgr)
            wd, od = dkn_branch_stitch(model.DepthKernel, up)
            weight = models.normalize_kernel(wi * wd, model.residual)
            out = models.deformable_average(up, weight, oi * od, model.k, model.d)
            return out + up if model.residual else out
        if arch == "dagf":
            return model(rgb.flip(1) / 255.0, up)  # B, G, R planes in [0, 1]
        # svlrm: OpenCV-style 8-bit gray guide
        gray = torch.round(models.rgb_to_gray(rgb)) / 255.0
        return model(up, gray)

    return run


def count_macs(run, arch, meta, w, h):
    """Multiply-adds of the convolutions actually executed (counted by wrapping F.conv2d for
    one untimed run), plus 6 k^2 per pixel for the deformable average of FDKN/DKN, the same
    extra term jfilter's jf_model_flops adds, so the gflop columns are comparable."""
    total = [0]
    orig = F.conv2d

    def counting(inp, weight, bias=None, *a, **kw):
        out = orig(inp, weight, bias, *a, **kw)
        total[0] += out.numel() * weight.shape[1] * weight.shape[2] * weight.shape[3]
        return out

    orig_t = F.conv_transpose2d

    def counting_t(inp, weight, bias=None, *a, **kw):  # weight: cin x cout x kh x kw
        total[0] += inp.numel() * weight.shape[1] * weight.shape[2] * weight.shape[3]
        return orig_t(inp, weight, bias, *a, **kw)

    F.conv2d = counting  # nn.Conv2d and models.py both look up F.conv2d at call time
    F.conv_transpose2d = counting_t
    try:
        with torch.inference_mode():
            run()
    finally:
        F.conv2d = orig
        F.conv_transpose2d = orig_t
    macs = total[0]
    if arch in ("fdkn", "dkn"):
        k = int(meta.get("kernel_size", 3))
        macs += w * h * k * k * 6
    return macs


def main():
    a = ARGS
    try:
        w, h = (int(v) for v in a.size.lower().split("x"))
    except ValueError:
        raise SystemExit("torch_reference: --size must look like 640x480")
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)  # one model run at a time; intra-op threads do the work
    except RuntimeError:
        pass
    t0 = time.perf_counter()
    meta, tensors = read_safetensors(a.model)
    arch, model = build_model(meta, tensors)
    scale = a.scale or int(meta.get("scale", 1) or 1)
    tw, th = (w + scale - 1) // scale, (h + scale - 1) // scale
    rgb, depth = synth(w, h, tw, th)
    run = make_runner(arch, model, meta, rgb, depth, w, h, a.dkn_mode)
    with torch.inference_mode():
        run()  # warm-up: first-touch allocations, oneDNN/OpenMP start-up
    first_ms = (time.perf_counter() - t0) * 1e3
    times = []
    with torch.inference_mode():
        for _ in range(a.repeat):
            s = time.perf_counter()
            run()
            times.append((time.perf_counter() - s) * 1e3)
    median = statistics.median(times) if times else first_ms
    flops = 2.0 * count_macs(run, arch, meta, w, h)
    name = os.path.splitext(os.path.basename(a.model))[0]
    print(json.dumps({
        "model": name, "architecture": arch, "device": "pytorch %s cpu" % torch.__version__,
        "width": w, "height": h, "scale": scale, "threads": a.threads,
        "dkn_mode": a.dkn_mode if arch == "dkn" else None,
        "first_ms": round(first_ms, 1), "repeat": a.repeat, "median_ms": round(median, 1),
        "min_ms": round(min(times) if times else first_ms, 1), "gflop": round(flops / 1e9, 3),
        "gflops": round(flops / 1e6 / median, 2) if median > 0 else 0.0}))


if __name__ == "__main__":
    main()
