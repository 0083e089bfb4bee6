"""convert_fang.py - a Fang et al. training checkpoint (train_fang.py's ckpt.pt) to a jfilter
model file (FANG_FORMAT.md), with the training record in its metadata.

  python3 tools/train/convert_fang.py /work/train/fang_l0/ckpt.pt weights/fang_l0.safetensors \
      --filter l0 [--features 32]
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fang  # noqa: E402
from train import write_safetensors  # noqa: E402

DATA = {"wls": 906, "l0": 906, "rtv": 450}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("ckpt")
    ap.add_argument("out")
    ap.add_argument("--filter", required=True, choices=sorted(fang.LAMBDA))
    ap.add_argument("--features", type=int, default=32)
    ap.add_argument("--init", default=None, help="what the run started from (recorded), e.g. fang_rtv's weights")
    ap.add_argument("--wall-note", default=None, help="a note on the wall time (recorded), e.g. its parts")
    a = ap.parse_args()
    c = torch.load(a.ckpt)
    m = fang.Fang(a.filter, a.features)
    m.load_state_dict(c["model"])
    meta = m.metadata()
    meta.update(trained_by="jfilter tools/train/train_fang.py", iterations=c["step"],
                wall_time_s="%.0f" % c["elapsed"],
                data="%d crops of 96 px (RGB-D-D colour frames, scikit-image images) x 7 lambdas; %s by "
                     "tools/train/smoothers.py" % (DATA[a.filter], a.filter.upper()),
                hardware="2-core AMD EPYC VM, CPU, 1 thread, shared", batch=2)
    if a.init:
        meta["init"] = a.init
    if a.wall_note:
        meta["wall_time_note"] = a.wall_note
    write_safetensors(a.out, m.export_tensors(), meta)
    print("wrote %s: step %d, %.0f s" % (a.out, c["step"], c["elapsed"]))


if __name__ == "__main__":
    main()
