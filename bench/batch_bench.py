#!/usr/bin/env python3
"""batch_bench.py - pairs/s of a batch `jfilter run` (one process, one context
and model per device, kernels built once) against a loop of N single
`jfilter run` calls (a process, context, kernel-cache load and model upload
per pair), on a folder of N copies of the bundled sample (256x192 RGB guide,
32x24 16-bit target, x8), same model and options.

Both sides start from a warm kernel cache (one untimed single run first), so
the difference is the per-process start-up the batch amortises. Prints a
table and one JSON line (appended to --out when given).

    python3 bench/batch_bench.py                       # N=16, fdkn_x8, build/jfilter
    python3 bench/batch_bench.py -n 64 --model fdkn_x8 --device all --jfilter build/jfilter
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=16, help="pairs in the folder (default 16)")
    ap.add_argument("--model", default="fdkn_x8")
    ap.add_argument("--scale", type=int, default=8)
    ap.add_argument("--device", default=None, help="--device for both sides (batch: 'all' allowed)")
    ap.add_argument("--jfilter", default=os.path.join(ROOT, "build", "jfilter"))
    ap.add_argument("--out", default=None, help="append the JSON line to this file")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    a = ap.parse_args()

    sample = os.path.join(ROOT, "weights", "sample")
    tmp = tempfile.mkdtemp(prefix="jf-batch-bench-")
    env = dict(os.environ)
    env.setdefault("JF_CACHE_DIR", os.path.join(tmp, "cache"))
    dev = ["--device", a.device] if a.device else []
    single_dev = [] if a.device == "all" else dev
    common = ["--model", a.model, "--scale", str(a.scale), "--quiet"]
    load_before = os.getloadavg()[0]
    try:
        for sub in ("rgb", "depth", "single"):
            os.makedirs(os.path.join(tmp, sub))
        for i in range(a.n):
            shutil.copy(os.path.join(sample, "guide.png"), os.path.join(tmp, "rgb", f"{i:04d}.png"))
            shutil.copy(os.path.join(sample, "depth_low.png"), os.path.join(tmp, "depth", f"{i:04d}.png"))

        def single(i: int, out: str) -> None:
            subprocess.run([a.jfilter, "run", *common, *single_dev, "--guide", os.path.join(tmp, "rgb", f"{i:04d}.png"),
                            "--target", os.path.join(tmp, "depth", f"{i:04d}.png"), "--output", out],
                           env=env, check=True)

        single(0, os.path.join(tmp, "warm.png"))  # kernel cache warm for both sides

        t0 = time.perf_counter()
        for i in range(a.n):
            single(i, os.path.join(tmp, "single", f"{i:04d}.png"))
        loop_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        p = subprocess.run([a.jfilter, "run", *[c for c in common if c != "--quiet"], *dev,
                            "--guide", os.path.join(tmp, "rgb", "*.png"), "--target", os.path.join(tmp, "depth", "*.png"),
                            "--output-dir", os.path.join(tmp, "batch")], env=env, stderr=subprocess.PIPE, text=True)
        batch_s = time.perf_counter() - t0
        if p.returncode:
            sys.stderr.write(p.stderr)
            return 1
        m = re.search(r"(\d+) done, .* \(([\d.]+) pairs/s\)(?: on (\d+) device)?", p.stderr)
        same = all(open(os.path.join(tmp, "single", f), "rb").read() == open(os.path.join(tmp, "batch", f), "rb").read()
                   for f in os.listdir(os.path.join(tmp, "single")))
        rec = {
            "bench": "batch", "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "host": platform.node(), "cpu": cpu_name(), "cores": os.cpu_count(),
            "load_1m_before": round(load_before, 2),
            "load_1m_after": round(os.getloadavg()[0], 2), "model": a.model, "pairs": a.n,
            "size": "256x192 x8", "device": a.device or "default",
            "loop_s": round(loop_s, 3), "loop_pairs_per_s": round(a.n / loop_s, 3),
            "batch_s": round(batch_s, 3), "batch_pairs_per_s": round(a.n / batch_s, 3),
            "batch_pairs_per_s_after_startup": float(m.group(2)) if m else None,
            "devices": int(m.group(3)) if m and m.group(3) else None,
            "speedup": round(loop_s / batch_s, 2), "outputs_identical": same,
        }
        print(f"{a.n} pairs of the sample, {a.model}, on {rec['cpu']} (load {rec['load_1m_before']})")
        print(f"  loop of single runs: {loop_s:7.2f} s  {rec['loop_pairs_per_s']:6.2f} pairs/s")
        print(f"  one batch run:       {batch_s:7.2f} s  {rec['batch_pairs_per_s']:6.2f} pairs/s "
              f"({rec['batch_pairs_per_s_after_startup']} pairs/s after start-up)  x{rec['speedup']}")
        print(f"  outputs identical: {same}")
        print(json.dumps(rec))
        if a.out:
            with open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")
        return 0 if same else 1
    finally:
        if a.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
