# swa.py - stochastic weight averaging (Izmailov et al., 2018) of training checkpoints:
# the mean of several train.py checkpoints' weights, the BatchNorm statistics measured
# again on RGB-D-D crops for the averaged weights (a running average of statistics
# gathered under other weights does not describe the mean network), exported as a
# jfilter model file like train.py's own exports.
#
#   /usr/bin/python3 tools/train/swa.py --out weights/dagf_x8.safetensors snap/*.pt
#
# The snapshots should come from one run's low-learning-rate tail (one basin); the
# architecture, scale, data and preparation are taken from the last one's options.
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import RGBDD  # noqa: E402
from train import PREP, build_model, export, forward  # noqa: E402


def average_states(states):
    """The element-wise mean of floating tensors; integer ones (BatchNorm's
    num_batches_tracked) from the last state."""
    out = {}
    for k, v in states[-1].items():
        if torch.is_floating_point(v):
            out[k] = torch.stack([s[k].float() for s in states]).mean(0).to(v.dtype)
        else:
            out[k] = v.clone()
    return out


def refresh_batchnorm(model, arch, data, rng, batches, batch, crop):
    """Every BatchNorm's running statistics recomputed as the plain mean over `batches`
    training batches (momentum None), in training mode and without gradients."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return 0
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            g, u, _t = data.batch(rng, batch, crop)
            forward(model, arch, g, u)
    model.eval()
    return len(norms)


def main():
    p = argparse.ArgumentParser(description="Average train.py checkpoints (SWA) into one model file.")
    p.add_argument("ckpts", nargs="+", help="train.py checkpoints (.pt), oldest first")
    p.add_argument("--out", required=True, help="the jfilter safetensors file to write")
    p.add_argument("--bn-batches", type=int, default=100, help="training batches for the BatchNorm statistics")
    p.add_argument("--data", default="", help="RGB-D-D folder (default: the checkpoints' own)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    cks = [torch.load(c, map_location="cpu", weights_only=False) for c in a.ckpts]
    args = argparse.Namespace(**cks[-1]["args"])
    for c, path in zip(cks, a.ckpts):
        if c["args"]["arch"] != args.arch or c["args"]["scale"] != args.scale:
            sys.exit("%s: %s x%s, not %s x%s like the last checkpoint" %
                     (path, c["args"]["arch"], c["args"]["scale"], args.arch, args.scale))
    model = build_model(args)
    model.load_state_dict(average_states([c["model"] for c in cks]))
    guide, upsample = PREP[args.arch]
    # the crops drawn as in training (its share of hard crops too), so the statistics are of
    # the inputs the network was trained on
    data = RGBDD(a.data or args.data, args.scale, guide, upsample, log=lambda s: print(s, flush=True),
                 hard=getattr(args, "hard", 0.0))
    n = refresh_batchnorm(model, args.arch, data, np.random.default_rng(a.seed), a.bn_batches, args.batch,
                          args.crop)
    args.out = a.out
    args.averaged = "SWA of %d checkpoints, iterations %d-%d, BatchNorm re-measured over %d batches" % (
        len(cks), cks[0]["iter"], cks[-1]["iter"], a.bn_batches)
    export(args, model, cks[-1]["iter"], cks[-1]["wall"])
    print("averaged %d checkpoints (iterations %s), %d BatchNorm layers re-measured over %d batches; wrote %s"
          % (len(cks), ", ".join(str(c["iter"]) for c in cks), n, a.bn_batches, a.out), flush=True)


if __name__ == "__main__":
    main()
