"""fang_bench.py - a learned Fang et al. smoother against the smoother it imitates and
against its PyTorch reference, in one run on the same image.

For each model and size: the smoother of tools/train/smoothers.py (WLS: SciPy sparse LU;
L0: Xu et al.'s FFT splitting in numpy; RTV: 4 SciPy sparse solves), the PyTorch model
(tools/train/fang.py, torch.set_num_threads(--threads)) and jfilter (python/jfilter's
Model.smooth on the default OpenCL device, the model loaded and its kernels built before
timing). Median of --repeat runs after one warm-up (the smoother: --smoother-repeat runs, no warm-up).
The image: a Lu colour image (held out from training), resized to the size asked for.
Prints a Markdown table and the load average before and after.

  python3 bench/fang_bench.py --models weights/fang_l0.safetensors --sizes 640x480,1280x720
"""
import argparse
import os
import statistics
import sys
import time

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
sys.path.insert(0, os.path.join(ROOT, "python"))


def timed(fn, repeat, warm=True):
    if warm:
        fn()  # warm-up (kernel builds, caches); the smoothers need none
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", default="weights/fang_wls.safetensors,weights/fang_l0.safetensors,"
                                        "weights/fang_rtv.safetensors")
    ap.add_argument("--sizes", default="640x480")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--smoother-repeat", type=int, default=1)
    ap.add_argument("--image", default="/work/shared/data/lu/lu_01_color.png")
    a = ap.parse_args()
    os.environ.setdefault("JFILTER_LIBRARY", os.path.join(ROOT, "build", "libjfilter.so"))
    os.environ.setdefault("OMP_NUM_THREADS", str(a.threads))
    import torch
    import fang
    import jfilter
    import smoothers
    from train import read_safetensors
    torch.set_num_threads(a.threads)
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    src = cv2.imread(a.image)
    rows = []
    for path in a.models.split(","):
        tensors, meta = read_safetensors(path)
        filt = meta["filter"]
        lam = float(meta["lambda_default"])
        tm = fang.from_tensors(tensors, meta)
        jm = jfilter.load_model(path)
        for size in a.sizes.split(","):
            w, h = (int(v) for v in size.split("x"))
            img = cv2.resize(src, (w, h), interpolation=cv2.INTER_AREA if w <= src.shape[1] else cv2.INTER_CUBIC)
            f = img.astype(np.float64) / 255
            if filt == "wls":
                ts = timed(lambda: smoothers.wls(f, lam, order="bgr"), a.smoother_repeat, warm=False)
            else:
                ts = timed(lambda: smoothers.SMOOTHERS[filt](f, lam), a.smoother_repeat, warm=False)
            x = torch.from_numpy(img.astype(np.float32) / 255).permute(2, 0, 1)[None]

            def torch_run():
                with torch.no_grad():
                    tm.smooth(x, lam)
            tt = timed(torch_run, a.repeat)
            tj = timed(lambda: jm.smooth(img, lambda_=lam, order="bgr"), a.repeat)
            rows.append((os.path.basename(path), size, ts, tt, tj))
            print("%s %s: smoother %.2f s, PyTorch %.2f s, jfilter %.2f s" % (rows[-1][0], size, ts, tt, tj),
                  flush=True)
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    print("\n| model | size | smoother (s) | PyTorch %s, %d threads (s) | jfilter, %s (s) | vs smoother | vs PyTorch |"
          % (torch.__version__, a.threads, jfilter.default_context().device.name if hasattr(
              jfilter.default_context(), "device") else "default device"))
    print("|---|---|---|---|---|---|---|")
    for name, size, ts, tt, tj in rows:
        print("| %s | %s | %.2f | %.2f | %.2f | %.1fx | %.2fx |" % (name, size, ts, tt, tj, ts / tj, tt / tj))


if __name__ == "__main__":
    main()
