"""eval_fang.py - PSNR of a Fang et al. model against the smoother it imitates, per lambda,
on the held-out set (make_fang_data.py --eval: the 6 Lu colour images and NYU v2 frames
1000-1002, 480 x 320 centre crops, never trained on), beside the paper's BSDS500 numbers.
PSNR on [0, 1] images, the model's output clipped to [0, 1], averaged over the images.

  python3 tools/train/eval_fang.py --model weights/fang_l0.safetensors            # through jfilter (C)
  python3 tools/train/eval_fang.py --model weights/fang_l0.safetensors --torch    # PyTorch reference
Optional: --json out.json. The C run uses python/jfilter (JFILTER_LIBRARY or build/).
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
PAPER = {"wls": {0.2: 44.17, 0.45: 44.67, 1.0: 44.45, 2.24: 44.26, 5.0: 43.42},
         "l0": {0.002: 44.61, 0.005: 40.98, 0.01: 38.67, 0.02: 36.58, 0.05: 34.16},
         "rtv": {0.002: 40.40, 0.0045: 41.01, 0.01: 41.45, 0.0224: 41.06, 0.05: 39.29}}


def psnr(a, b):
    return 10 * np.log10(1.0 / max(float(((a - b) ** 2).mean()), 1e-12))


def smoother_for(args, meta):
    if args.torch:
        import torch
        import fang
        from train import read_safetensors
        torch.set_num_threads(args.threads)
        model = fang.from_tensors(*read_safetensors(args.model))

        def run(img_u8, lam):
            x = torch.from_numpy(img_u8.astype(np.float32) / 255).permute(2, 0, 1)[None]
            with torch.no_grad():
                return model.smooth(x, lam)[0].permute(1, 2, 0).numpy()
        return run
    sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
    if "JFILTER_LIBRARY" not in os.environ:
        os.environ["JFILTER_LIBRARY"] = os.path.join(HERE, "..", "..", "build", "libjfilter.so")
    import jfilter
    m = jfilter.load_model(args.model)

    def run(img_u8, lam):
        # order="bgr": the input's order, and the result's
        return m.smooth(img_u8, lambda_=lam, order="bgr")
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", default="/work/train/fang_data")
    ap.add_argument("--torch", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json")
    a = ap.parse_args()
    from train import read_safetensors
    _, meta = read_safetensors(a.model)
    filt = meta["filter"]
    d = np.load(os.path.join(a.data, "eval_%s.npz" % filt))
    run = smoother_for(a, meta)
    rows = []
    for j, lam in enumerate(d["lam"]):
        lam = float(lam)
        ours, ident = [], []
        for i in range(len(d["image"])):
            want = np.clip(d["smooth"][i, j], 0, 1)
            img = d["image"][i]
            got = np.clip(run(img, lam), 0, 1)
            ours.append(psnr(got, want))
            ident.append(psnr(img.astype(np.float64) / 255, want))
        paper = PAPER[filt].get(round(lam, 4))
        rows.append({"lambda": lam, "psnr": float(np.mean(ours)), "input_psnr": float(np.mean(ident)),
                     "paper": paper})
    print("%s (%s, %d held-out images, 480x320): PSNR against %s's output" %
          (os.path.basename(a.model), "PyTorch" if a.torch else "jfilter", len(d["image"]), filt.upper()))
    print("| lambda | ours (dB) | input unfiltered (dB) | paper, BSDS500 (dB) |")
    print("|---|---|---|---|")
    for r in rows:
        print("| %g | %.2f | %.2f | %s |" % (r["lambda"], r["psnr"], r["input_psnr"],
                                          "%.2f" % r["paper"] if r["paper"] else "-"))
    print("| mean | %.2f | %.2f | %.2f |" % (np.mean([r["psnr"] for r in rows]),
                                            np.mean([r["input_psnr"] for r in rows]),
                                            np.mean([r["paper"] for r in rows if r["paper"]])))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"model": a.model, "filter": filt, "rows": rows, "images": [str(n) for n in d["names"]]}, f,
                      indent=1)


if __name__ == "__main__":
    main()
