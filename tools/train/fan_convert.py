# Converts a Fan et al. training checkpoint (tools/train/train_fan.py's last.pt / best.pt)
# into a jfilter model file (tools/train/FAN_FORMAT.md): the state dict as float32 with the
# BatchNorm running statistics kept (the loader folds them), and metadata saying what the
# network is and how it was trained.
# Run: /usr/bin/python3 tools/train/fan_convert.py /work/train/fan/best.pt weights/fan_smooth.safetensors
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fan  # noqa: E402
from train import write_safetensors  # noqa: E402


def convert(ckpt_path, out_path, name="fan_smooth"):
    ck = torch.load(ckpt_path, map_location="cpu")
    model = fan.FanNet()
    model.load_state_dict(ck["model"])
    model.eval()
    meta = fan.export_metadata(
        model, name=name, trained_by="tools/train/train_fan.py (unsupervised: the smoothing energy)",
        iterations=ck.get("iter", 0), wall_time_s="%.0f" % ck.get("elapsed", 0.0),
        validation_energy="%.2f" % ck.get("val", float("nan")) if "val" in ck else "n/a",
        data="RGB-D-D colour frames (400) + scikit-image colour images; Lu and NYU held out",
        energy="lambda_f %g, lambda_e %g, c1 %g, c2 %g, alpha %g, sigma_s %g, sigma_r %g, window %d, p %g"
               % (fan.LAMBDA_F, fan.LAMBDA_E, fan.C1, fan.C2, fan.ALPHA, fan.SIGMA_S, fan.SIGMA_R, fan.WINDOW,
                  fan.P_LOW),
        edges="Canny(%d, %d, L2) on 8-bit luma, 5x5 Gaussian sigma %g" % (fan.CANNY[0], fan.CANNY[1], fan.CANNY_BLUR))
    write_safetensors(out_path, fan.export_tensors(model), meta)
    return model, meta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("output")
    ap.add_argument("--name", default="fan_smooth")
    a = ap.parse_args()
    _, meta = convert(a.checkpoint, a.output, a.name)
    print("%s: iter %s, %s s" % (a.output, meta["iterations"], meta["wall_time_s"]))


if __name__ == "__main__":
    main()
