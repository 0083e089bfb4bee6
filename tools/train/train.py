# Trains a jfilter network (fdkn, dkn, svlrm, dagf) on RGB-D-D and exports it as a jfilter
# safetensors model file. Stops at --iters or --minutes, whichever comes first; resumable
# from --ckpt, and re-exports the model every few minutes so a usable file always exists.
import argparse
import json
import math
import os
import signal
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import RGBDD  # noqa: E402
from models import build, DAGFInference  # noqa: E402

# Per architecture: guidance planes and the upsampling its low-res input gets.
PREP = {"fdkn": ("gray", "pil"), "dkn": ("bgr", "pil"), "svlrm": ("gray_u8", "opencv"),
        "dagf": ("bgr", "pil")}


def write_safetensors(path, tensors, metadata):
    """Minimal safetensors writer (no dependency): 8-byte LE header size, JSON header, data.
    Writes to a temporary name and renames, so readers never see a half-written file."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs, pos = [], 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [pos, pos + a.nbytes]}
        blobs.append(a.tobytes())
        pos += a.nbytes
    hjson = json.dumps(header, separators=(",", ":")).encode()
    hjson += b" " * (-len(hjson) % 8)  # keep the data 8-byte aligned
    tmp = path + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """Returns ({name: float32 tensor}, metadata) from a file write_safetensors made."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, h in header.items():
        b, e = h["data_offsets"]
        assert h["dtype"] == "F32"
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").reshape(h["shape"]).copy())
    return out, meta


def model_from_file(path):
    """Rebuilds the PyTorch model described by a jfilter safetensors file (eval mode)."""
    tensors, meta = read_safetensors(path)
    arch = meta["architecture"]
    if arch == "dagf":  # the file holds folded inference tensors only: the file-only runner
        return DAGFInference(tensors, meta).eval(), meta
    if arch == "svlrm":
        m = build(arch, layers=int(meta.get("layers", 10)), activation=meta.get("activation", "leaky_relu"),
                  negative_slope=float(meta.get("negative_slope", 0.1)))
    else:
        m = build(arch, k=int(meta.get("kernel_size", 3)), d=int(meta.get("window_size", 15)),
                  residual=meta.get("residual", "true") == "true")
    m.load_state_dict(tensors, strict=False)
    m.eval()
    return m, meta


def metadata(args, model, iters, wall):
    guide, upsample = PREP[args.arch]
    meta = {
        "format": "jfilter-1",
        "architecture": args.arch,
        "scale": args.scale,
        "guide": guide,
        "guide_order": "bgr",
        "upsample": upsample,
        "trained_by": "jfilter tools/train",
        "iterations": iters,
        "wall_time_s": "%.0f" % wall,
        "data": "RGB-D-D train (405 pairs)",
    }
    if getattr(args, "averaged", ""):  # swa.py
        meta["averaged"] = args.averaged
    if args.arch == "svlrm":
        meta.update(activation=model.activation, layers=model.n_layers)
        if model.activation == "leaky_relu":
            meta["negative_slope"] = model.negative_slope
    elif args.arch == "dagf":
        meta.update(model.metadata())
    else:
        meta.update(kernel_size=model.k, window_size=model.d, residual="true" if model.residual else "false")
    return meta


def export(args, model, iters, wall):
    if args.arch == "dagf":  # AdaptiveNorm folded, training-only layers left out
        sd = model.export_tensors()
    else:
        # BN running statistics are what inference uses; num_batches_tracked is training-only.
        sd = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    write_safetensors(args.out, sd, metadata(args, model, iters, wall))


def identity_init_svlrm(model, scale):
    """Start SVLRM at aligned bicubic: channel 0 of every hidden layer carries the upsampled
    depth (depth >= 0, so the (leaky) ReLU passes it), the head sets beta = that channel and
    alpha = 0. A plain random start outputs ~0 and spends its first thousands of iterations
    learning an identity, which a CPU budget cannot afford.

    The channel is also shifted: SVLRM's degradation keeps gt[s-1::s], and OpenCV's
    half-pixel-centre upsampling puts that sample at (s-1)/2 pixels up and left of where it
    was taken, so up(x) ~ gt(x + (s-1)/2) along both axes. Plain bicubic therefore starts
    (s-1)/2 pixels out of register (on Lu at x8: RMSE 9.35; shifted back with the border
    replicated, 5.10). The first (s-1)//2 layers move the channel one pixel down-right
    each, the next moves it half a pixel (a 2x2 mean), the rest pass it through. Zero
    padding makes the shifted path wrong in a (s-1)/2-pixel band at the top and left
    borders; training on crops, whose borders are zero-padded the same way, teaches the
    other channels to fix it."""
    n_full, half = (scale - 1) // 2, (scale - 1) % 2
    if n_full + half > len(model.layers):
        raise SystemExit("svlrm: %d layers cannot shift by %g pixels" % (len(model.layers), (scale - 1) / 2))
    with torch.no_grad():
        for n, conv in enumerate(model.layers):
            last = n + 1 == len(model.layers)
            rows = (0, 1) if last else (0,)
            for r in rows:
                conv.weight[r].zero_()
                conv.bias[r] = 0.0
            out = 1 if last else 0
            if n < n_full:
                conv.weight[out, 0, 0, 0] = 1.0  # out(y, x) = in(y - 1, x - 1)
            elif n == n_full and half:
                conv.weight[out, 0, 0:2, 0:2] = 0.25  # out = in shifted by half a pixel
            else:
                conv.weight[out, 0, 1, 1] = 1.0


def build_model(args):
    """The untrained network the options describe (also swa.py's, from a checkpoint's args)."""
    if args.arch == "svlrm":
        return build("svlrm", layers=args.layers, activation=args.activation)
    if args.arch == "dagf":
        model = build("dagf", features=args.features, levels=args.levels, res_blocks=args.res_blocks)
        model.zero_residuals()  # start from the bicubic input
        return model
    return build(args.arch, residual=not args.no_residual)


def forward(model, arch, guide, up):
    if arch == "svlrm":
        return model(up, guide)
    if arch == "dagf":
        return model.forward_all(guide, up)  # every level's output, the final one last
    return model(guide, up)


SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]).view(1, 1, 3, 3)


def boundary_aware(out, gt):
    """DAGF's boundary-aware term: |out - gt| weighted by |dx(out - gt)| * |dy(out - gt)|
    (Sobel, zero padding), which is large only where both gradients are wrong."""
    d = out - gt
    dx = torch.nn.functional.conv2d(d, SOBEL_X, padding=1).abs()
    dy = torch.nn.functional.conv2d(d, SOBEL_X.transpose(2, 3), padding=1).abs()
    return (dx * dy * d.abs()).mean()


def loss_fn(arch, out, gt, frac=0.0, ba_weight=0.0, stage_weight=1.0):
    if arch == "svlrm":
        return torch.sqrt((out - gt) ** 2 + 1e-6).mean()  # Charbonnier, eps 1e-3
    if arch == "dagf":
        # L1 on the result + multi-stage L1 on the earlier levels' (bilinear-resized)
        # outputs, mean over those levels, with a weight falling linearly from 1 at the
        # start to 0 halfway through training; optional boundary-aware term.
        loss = (out[-1] - gt).abs().mean()
        w = stage_weight * max(0.0, 1.0 - 2.0 * frac)
        if w > 0 and len(out) > 1:
            loss = loss + w * sum((o - gt).abs().mean() for o in out[:-1]) / (len(out) - 1)
        if ba_weight > 0:
            loss = loss + ba_weight * boundary_aware(out[-1], gt)
        return loss
    return (out - gt).abs().mean()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--arch", choices=sorted(PREP), default="fdkn")
    p.add_argument("--scale", type=int, default=8)
    p.add_argument("--iters", type=int, default=100000)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-min", type=float, default=1e-5)
    p.add_argument("--warmup", type=int, default=100, help="linear LR warm-up iterations")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--out", required=True)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--data", default="/work/shared/data/rgbdd")
    p.add_argument("--limit", type=int, default=0, help="use only the first N pairs (debugging)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--export-every", type=float, default=5.0, help="minutes between exports")
    p.add_argument("--activation", default="leaky_relu", choices=["leaky_relu", "relu"])
    p.add_argument("--layers", type=int, default=10)
    p.add_argument("--no-residual", action="store_true")
    p.add_argument("--clip-grad", type=float, default=0.0, help="clip the gradient norm to this (0: off)")
    p.add_argument("--hard", type=float, default=0.0, help="fraction of crops drawn where the degraded "
                   "input is furthest from the truth (edges) instead of uniformly")
    p.add_argument("--init", default="", help="start from the weights of this jfilter safetensors file "
                   "(e.g. fine-tune x4 from x8; dagf's folded files load through DAGF.unfold_tensors), "
                   "or of a training checkpoint (.pt); ignored when resuming")
    p.add_argument("--stage-weight", type=float, default=1.0, help="dagf: starting weight of the "
                   "multi-stage loss (falls to 0 halfway); 0 when fine-tuning a shipped file")
    p.add_argument("--features", type=int, default=32, help="dagf: channels per layer")
    p.add_argument("--levels", type=int, default=3, help="dagf: pyramid levels")
    p.add_argument("--res-blocks", type=int, default=2, help="dagf: residual blocks per level")
    p.add_argument("--ba-weight", type=float, default=0.0, help="dagf: weight of the boundary-aware loss")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    if args.crop % int(np.lcm(args.scale, 4)):
        sys.exit("--crop must be a multiple of the scale and of 4")
    if args.arch == "dagf" and args.crop % 2 ** (args.levels + 1):
        sys.exit("--crop must be a multiple of 2^(levels+1) for dagf")
    torch.manual_seed(args.seed)

    model = build_model(args)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    it, wall = 0, 0.0
    rng = np.random.default_rng(args.seed)
    if args.arch == "svlrm" and not args.init:
        identity_init_svlrm(model, args.scale)
    if args.init and not (args.resume and os.path.exists(args.ckpt)):
        # Same architecture at another scale: the filters transfer, so fine-tuning
        # costs far less CPU than starting from random weights.
        if args.init.endswith(".pt"):
            tensors = torch.load(args.init, map_location="cpu", weights_only=False)["model"]
        else:
            tensors, _ = read_safetensors(args.init)
            if args.arch == "dagf":
                tensors = model.unfold_tensors(tensors)
        model.load_state_dict(tensors, strict=False)
        print("initialised from %s" % args.init, flush=True)
    if args.resume and os.path.exists(args.ckpt):
        ck = torch.load(args.ckpt, map_location="cpu", weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        it, wall = ck["iter"], ck["wall"]
        rng.bit_generator.state = ck["rng"]
        print("resumed from %s at iteration %d (%.0f s trained)" % (args.ckpt, it, wall), flush=True)

    guide, upsample = PREP[args.arch]
    data = RGBDD(args.data, args.scale, guide, upsample, limit=args.limit or None,
                 log=lambda s: print(s, flush=True), hard=args.hard)

    stop = {"flag": False}

    def on_signal(signum, frame):  # finish the iteration, then save and export
        stop["flag"] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def save():
        os.makedirs(os.path.dirname(os.path.abspath(args.ckpt)), exist_ok=True)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "iter": it, "wall": wall,
                    "rng": rng.bit_generator.state, "args": vars(args)}, args.ckpt + ".tmp")
        os.replace(args.ckpt + ".tmp", args.ckpt)
        export(args, model, it, wall)

    budget = args.minutes * 60.0
    model.train()
    t_last_export = time.time()
    t_log, loss_acc, n_acc = time.time(), 0.0, 0
    l1_acc = bic_acc = 0.0  # dagf: L1 of the final output alone and of its bicubic input
    dt_avg, n_run = 0.0, 0  # this process's own iterations, for the pause guard
    while it < args.iters and wall < budget and not stop["flag"]:
        t0 = time.time()
        # Cosine decay driven by whichever budget (iterations or time) runs out first, so
        # the LR reaches its floor when training ends either way.
        frac = min(1.0, max(it / args.iters, wall / budget))
        lr = args.lr_min + 0.5 * (args.lr - args.lr_min) * (1 + math.cos(math.pi * frac))
        if it < args.warmup:
            lr *= (it + 1) / args.warmup
        for g in opt.param_groups:
            g["lr"] = lr
        g_, u_, t_ = data.batch(rng, args.batch, args.crop)
        out = forward(model, args.arch, g_, u_)
        loss = loss_fn(args.arch, out, t_, frac, args.ba_weight, args.stage_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip_grad > 0:  # a plain 12-layer CNN at a high LR: keep one bad batch from undoing hours
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip_grad)
        opt.step()
        it += 1
        dt = time.time() - t0
        # An iteration that took far longer than usual means the process was paused
        # (SIGSTOP while someone benchmarks, a suspended laptop): don't bill the pause.
        n_run += 1
        if n_run > 20 and dt > max(30.0, 20 * dt_avg):
            dt = dt_avg
        dt_avg = dt if n_run == 1 else 0.95 * dt_avg + 0.05 * dt
        wall += dt
        loss_acc += loss.item()
        if args.arch == "dagf":
            l1_acc += (out[-1] - t_).abs().mean().item()
            bic_acc += (u_ - t_).abs().mean().item()
        n_acc += 1
        if it % args.log_every == 0:
            now = time.time()
            extra = " (final L1 %.5f, bicubic %.5f)" % (l1_acc / n_acc, bic_acc / n_acc) \
                if args.arch == "dagf" else ""
            print("iter %d loss %.5f%s lr %.2e %.3f s/iter wall %.0f s" %
                  (it, loss_acc / n_acc, extra, lr, (now - t_log) / n_acc, wall), flush=True)
            t_log, loss_acc, n_acc, l1_acc, bic_acc = now, 0.0, 0, 0.0, 0.0
        if time.time() - t_last_export > args.export_every * 60:
            save()
            t_last_export = time.time()
            print("saved checkpoint and exported %s at iteration %d" % (args.out, it), flush=True)
    save()
    print("done: %d iterations, %.0f s; exported %s" % (it, wall, args.out), flush=True)


if __name__ == "__main__":
    main()
