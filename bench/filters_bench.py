#!/usr/bin/env python3
"""filters_bench.py - the classical joint filters, jfilter beside OpenCV.

For every OpenCL device (`jfilter devices`) and size, runs
`jfilter bench-filters` (each filter through the public API, host float
images in and out) and times OpenCV's CPU implementation of the same filter
with the same parameters, input size and thread count (cv2.setNumThreads),
then prints a table of medians and ratios (jfilter / OpenCV: below 1 jfilter
is faster). Needs a python with cv2.ximgproc (Debian: python3-opencv; on this
machine /usr/bin/python3).

  /usr/bin/python3 bench/filters_bench.py [--jfilter build/jfilter]
      [--sizes 640x480,1920x1080,3840x2160] [--filters all] [--repeat 5]
      [--threads 2] [--devices 0,1] [--out results.jsonl]

Parameters (fixed on both sides, see `jfilter bench-filters --help`):
guided r 8 eps 0.01 (gray / colour guide); fast guided s 4 (OpenCV has no
fast variant: its full colour guided filter is the reference); jbf d 9,
sigma_color 0.1, sigma_space 4, colour guide; jbu radius 2 from a 1/4-size
target (OpenCV has none: n/a); bicubic 1/4 -> full, INTER_CUBIC. Targets are
one float plane."""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

try:
    import cv2
    cv2.ximgproc.guidedFilter  # noqa: B018
except Exception as e:
    sys.exit("filters_bench.py: this python (%s) has no cv2.ximgproc (%s); try /usr/bin/python3"
             % (sys.executable, e))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILTERS = ["guided-gray", "guided-color", "fast-guided", "jbf", "jbu", "bicubic"]


def synth(w, h):
    """The scene of `jfilter bench-filters` (shapes with sharp edges, gradients)."""
    y, x = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(12345)
    noise = (rng.random((h, w)) * 0.05).astype(np.float32)
    in1 = (x > w // 4) & (x < w // 2) & (y > h // 3) & (y < 2 * h // 3)
    in2 = (x - 3 * w // 4) ** 2 + (y - h // 2) ** 2 < (h // 5) ** 2
    r = np.where(in1, 0.8, x / w)
    g = np.where(in2, 0.7, y / h)
    b = np.where(in1 | in2, 0.2, 0.5)
    bgr = np.stack([b, g, r], -1).astype(np.float32) + noise[..., None]
    gray = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.float32) + noise
    target = np.where(in1, 0.3, np.where(in2, 0.6, 0.9)).astype(np.float32) + noise
    low = np.ascontiguousarray(target[::4, ::4])
    return bgr, gray, target, low


def opencv_call(name, bgr, gray, target, low):
    h, w = target.shape
    if name == "guided-gray":
        return lambda: cv2.ximgproc.guidedFilter(gray, target, 8, 0.01)
    if name in ("guided-color", "fast-guided"):
        return lambda: cv2.ximgproc.guidedFilter(bgr, target, 8, 0.01)
    if name == "jbf":
        return lambda: cv2.ximgproc.jointBilateralFilter(bgr, target, 9, 0.1, 4.0)
    if name == "bicubic":
        return lambda: cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
    return None


def time_median(fn, repeat):
    fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


def devices(jfilter):
    p = subprocess.run([jfilter, "devices"], capture_output=True, text=True)
    found = []
    for line in p.stdout.splitlines():
        m = re.match(r"^[* ] (\d+): (.*?) \[(\w+)\]", line)
        if m:
            found.append((int(m.group(1)), m.group(2)))
    if not found:
        sys.exit("filters_bench.py: `jfilter devices` listed nothing: %s" % p.stderr.strip())
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jfilter", default=os.path.join(ROOT, "build", "jfilter"))
    ap.add_argument("--sizes", default="640x480,1920x1080,3840x2160")
    ap.add_argument("--filters", default="all")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--devices", default="", help="comma list of indices (default: all)")
    ap.add_argument("--out", default="", help="append JSON lines here")
    a = ap.parse_args()
    cv2.setNumThreads(a.threads)
    filters = FILTERS if a.filters == "all" else a.filters.split(",")
    for f in filters:
        if f not in FILTERS:
            sys.exit("filters_bench.py: unknown filter %s (one of %s)" % (f, ", ".join(FILTERS)))
    devs = devices(a.jfilter)
    if a.devices:
        keep = {int(i) for i in a.devices.split(",")}
        devs = [d for d in devs if d[0] in keep]
    rows = []
    for size in a.sizes.split(","):
        w, h = (int(v) for v in size.split("x"))
        bgr, gray, target, low = synth(w, h)
        cv_ms = {}
        for f in filters:
            fn = opencv_call(f, bgr, gray, target, low)
            cv_ms[f] = time_median(fn, a.repeat) if fn else None
        for idx, dname in devs:
            cmd = [a.jfilter, "bench-filters", "--device", str(idx), "--size", size,
                   "--repeat", str(a.repeat), "--filter", ",".join(filters)]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                sys.stderr.write("filters_bench.py: %s failed: %s\n" % (" ".join(cmd), p.stderr.strip()))
                continue
            for line in p.stdout.splitlines():
                r = json.loads(line)
                r["opencv_ms"] = cv_ms.get(r["filter"])
                r["threads"] = a.threads
                r["ratio"] = r["median_ms"] / r["opencv_ms"] if r["opencv_ms"] else None
                rows.append(r)
                if a.out:
                    with open(a.out, "a") as fo:
                        fo.write(json.dumps(r) + "\n")
    print("| filter | size | device | jfilter median ms | first ms | OpenCV %d thr ms | ratio |" % a.threads)
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    notes = {"fast-guided": " (vs full cv guided)", "jbu": " (no cv JBU)"}
    for r in rows:
        cv = "%.1f" % r["opencv_ms"] if r["opencv_ms"] else "n/a"
        ratio = "%.2f" % r["ratio"] if r["ratio"] else "n/a"
        print("| %s%s | %dx%d | %s | %.1f | %.1f | %s | %s |" % (
            r["filter"], notes.get(r["filter"], ""), r["width"], r["height"], r["device"],
            r["median_ms"], r["first_ms"], cv, ratio))


if __name__ == "__main__":
    main()
