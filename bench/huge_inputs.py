#!/usr/bin/env python3
"""huge_inputs.py - an 8192 x 8192 run through the CLI under a 512 MiB memory
budget (issue 13's check, by hand: minutes on a CPU, so not in CI): the
guided filter (colour guide, tiled on the host images) and FDKN x8 (tiled
inside the model run) on a synthetic scene, each compared on an interior
window with an untiled run of a crop around it (the crop holds the window's
whole context, so the two must agree), with wall time and peak resident
memory of each process. PoCL's device memory is host memory, so the peak
includes the full-size images themselves (the 8192^2 guide alone is 805 MB
as float planes); the budget bounds the intermediate maps.

Usage: bench/huge_inputs.py [--jfilter build/jfilter] [--size 8192] [--out DIR]
"""
import argparse, os, subprocess, sys, time
from pathlib import Path

import numpy as np


def run(cmd):
    """Runs cmd, returns (seconds, peak RSS MiB of that process alone)."""
    t0 = time.perf_counter()
    p = subprocess.Popen([str(c) for c in cmd])
    _, status, usage = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise subprocess.CalledProcessError(p.returncode, cmd)
    return dt, usage.ru_maxrss / 1024.0


def scene(n, rng):
    """A colour guide with edges and texture, and a depth map that follows it."""
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
    d = 0.3 + 0.4 * (x > 0.5) + 0.2 * ((x - 0.3) ** 2 + (y - 0.6) ** 2 < 0.04) + 0.05 * np.sin(40 * y)
    rgb = np.stack([d, 1 - d, 0.5 + 0.3 * np.sin(25 * x)], -1) + 0.03 * rng.standard_normal((n, n, 3))
    return np.clip(rgb, 0, 1).astype(np.float32), d.astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jfilter", default="build/jfilter")
    ap.add_argument("--size", type=int, default=8192)
    ap.add_argument("--budget", type=int, default=512, help="MiB")
    ap.add_argument("--out", default="build/huge")
    ap.add_argument("--only", choices=["guided", "fdkn"], help="run one of the two")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    n, s = a.size, 8
    rng = np.random.default_rng(0)
    rgb, depth = scene(n, rng)
    low = depth.reshape(n // s, s, n // s, s).mean(axis=(1, 3))  # area-downsampled, centres aligned
    np.save(out / "guide.npy", rgb)
    np.save(out / "target.npy", depth)
    np.save(out / "low.npy", low)
    # the interior window checked, and a crop around it with all its context
    w0, w = n // 2 - 256, 512
    c0, c = w0 - 512, w + 1024  # 512 px of context each side: more than either halo
    np.save(out / "guide_crop.npy", rgb[c0:c0 + c, c0:c0 + c])
    np.save(out / "target_crop.npy", depth[c0:c0 + c, c0:c0 + c])
    np.save(out / "low_crop.npy", low[c0 // s:(c0 + c) // s, c0 // s:(c0 + c) // s])
    jf, b = a.jfilter, str(a.budget)
    rows = []
    for name, full, crop in [
        ("guided r8 (colour guide)",
         [jf, "guided", "-g", out / "guide.npy", "-t", out / "target.npy", "--radius", 8, "--memory-budget", b,
          "-o", out / "guided.npy", "-q"],
         [jf, "guided", "-g", out / "guide_crop.npy", "-t", out / "target_crop.npy", "--radius", 8,
          "-o", out / "guided_crop.npy", "-q"]),
        ("fdkn_x8",
         [jf, "run", "-m", "fdkn_x8", "-g", out / "guide.npy", "-t", out / "low.npy", "--scale", 8,
          "--no-normalize", "--invalid", "none", "--memory-budget", b, "-o", out / "fdkn.npy", "-q"],
         [jf, "run", "-m", "fdkn_x8", "-g", out / "guide_crop.npy", "-t", out / "low_crop.npy", "--scale", 8,
          "--no-normalize", "--invalid", "none", "-o", out / "fdkn_crop.npy", "-q"]),
    ]:
        tag = "guided" if name.startswith("guided") else "fdkn"
        if a.only and tag != a.only:
            continue
        secs, peak = run(full)
        run(crop)
        whole = np.load(out / f"{tag}.npy")[w0:w0 + w, w0:w0 + w]
        part = np.load(out / f"{tag}_crop.npy")[w0 - c0:w0 - c0 + w, w0 - c0:w0 - c0 + w]
        diff = float(np.abs(whole.astype(np.float64) - part).max())
        rows.append((name, secs, peak, diff))
        print(f"{name}: {n}x{n} in {secs:.1f} s, peak RSS {peak:.0f} MiB, budget {a.budget} MiB; "
              f"interior {w}x{w} vs an untiled crop: max |diff| {diff:.3g}", flush=True)
    print(f"cpu {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    return 0 if all(r[3] < 1e-4 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
