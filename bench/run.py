#!/usr/bin/env python3
# run.py - the side-by-side benchmark: `jfilter bench` on every OpenCL device and conv path,
# the PyTorch reference (bench/torch_reference.py) at the same thread count, and the machine's
# SGEMM peak (bench/sgemm_peak.py); prints a table and appends every record to a JSON lines file.
"""Usage: python3 bench/run.py [--models fdkn_x8[,M2...]] [--sizes 640x480[,WxH...]]
           [--threads 2] [--repeat 5] [--conv direct,gemm] [--jfilter build/jfilter]
           [--out bench/out/results.jsonl] [--no-torch] [--no-peak] [--cold] [--dkn-mode stitch|dense]
           [--rounds N] [--torch-python PY] [--torch-paths DIR[,DIR...]]

A model is a name under weights/ (fdkn_x8) or a .safetensors path (e.g. a converted published
checkpoint in /tmp). Both sides load the same file, so they run the same weights.
"""
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="fdkn_x8", help="comma-separated names or .safetensors paths")
    ap.add_argument("--sizes", default="640x480", help="comma-separated guide sizes WxH")
    ap.add_argument("--threads", type=int, default=2,
                    help="PyTorch and SGEMM threads (PoCL is left to use every core)")
    ap.add_argument("--repeat", type=int, default=5, help="steady-state runs on each side")
    ap.add_argument("--conv", default="direct,gemm",
                    help="JF_CONV values to run (direct, gemm, winograd, auto; 'default' = leave JF_CONV unset)")
    ap.add_argument("--jfilter", default=os.path.join(ROOT, "build", "jfilter"), help="jfilter binary")
    ap.add_argument("--devices", default="", help="comma-separated device indices (default: all)")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "results.jsonl"), help="JSON lines file (appended)")
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    ap.add_argument("--no-peak", action="store_true", help="skip the SGEMM peak measurement")
    ap.add_argument("--cold", action="store_true",
                    help="give each jfilter run empty JF_CACHE_DIR and POCL_CACHE_DIR, so first_ms "
                         "includes compiling every kernel (default: the caches as they are)")
    ap.add_argument("--dkn-mode", choices=("stitch", "dense"), default="stitch",
                    help="how the PyTorch DKN reference runs (see torch_reference.py)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every model x size this many times, PyTorch and jfilter interleaved, and "
                         "summarise the medians over the rounds (a shared machine's load drifts)")
    ap.add_argument("--torch-python", default=sys.executable, help="python that runs torch_reference.py")
    ap.add_argument("--torch-paths", default="",
                    help="comma-separated directories, each prepended to PYTHONPATH for one PyTorch "
                         "reference (e.g. a pip --target install of another torch); an empty entry is the "
                         "interpreter's own torch; the ratio is against the first")
    return ap.parse_args()


def model_path(m):
    if os.path.isfile(m):
        return os.path.abspath(m)
    p = os.path.join(ROOT, "weights", m if m.endswith(".safetensors") else m + ".safetensors")
    if os.path.isfile(p):
        return p
    raise SystemExit("run.py: model %r not found (neither a file nor weights/%s.safetensors)" % (m, m))


def run_json(cmd, env=None):
    """Runs a command that prints JSON lines; returns (records, error text)."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    recs = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    err = None if p.returncode == 0 and recs else (p.stderr.strip() or p.stdout.strip() or "rc %d" % p.returncode)
    return recs, err


def list_devices(jfilter):
    """Parses `jfilter devices` lines like '* 0: NAME [cpu] PLATFORM, 2 compute units, ...'."""
    p = subprocess.run([jfilter, "devices"], capture_output=True, text=True)
    devs = []
    for line in p.stdout.splitlines():
        m = re.match(r"^[* ] (\d+): (.*?) \[(\w+)\]", line)
        if m:
            cu = re.search(r"(\d+) compute units", line)
            devs.append({"index": int(m.group(1)), "name": m.group(2), "type": m.group(3),
                         "compute_units": int(cu.group(1)) if cu else None})
    if not devs:
        sys.stderr.write("run.py: `jfilter devices` listed nothing: %s\n" % p.stderr.strip())
    return devs


def machine_info():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    # Other CPU-heavy work (e.g. a training run) skews every number; record it with the results.
    p = subprocess.run(["pgrep", "-fa", "train.py"], capture_output=True, text=True)
    busy = [l for l in p.stdout.splitlines() if "pgrep" not in l]
    return {"kind": "machine", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "cpu": cpu, "cores": os.cpu_count(), "load_avg": os.getloadavg(), "background": busy,
            "host": platform.node()}


def fmt(v, spec="%.1f"):
    return "n/a" if v is None else spec % v


def main():
    a = parse_args()
    models = [model_path(m) for m in a.models.split(",") if m]
    sizes = [s for s in a.sizes.split(",") if s]
    convs = [c for c in a.conv.split(",") if c]
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    out = open(a.out, "a")

    def record(r):
        out.write(json.dumps(r) + "\n")
        out.flush()

    info = machine_info()
    info["threads"] = a.threads
    record(info)
    print("# %s  %s, %d cores, load %.2f; torch/SGEMM threads %d; PoCL uses all cores"
          % (info["date"], info["cpu"], info["cores"], info["load_avg"][0], a.threads))
    if info["background"]:
        print("# NOTE: background job running during the measurement: %s" % "; ".join(info["background"]))

    peak = None
    if not a.no_peak:
        recs, err = run_json([sys.executable, os.path.join(HERE, "sgemm_peak.py"), "--threads", str(a.threads)])
        if recs:
            peak = recs[0]["peak_gflops"]
            record(dict(recs[0], kind="sgemm_peak"))
            print("# SGEMM peak (numpy %s, %s, %d threads): %.1f GFLOP/s"
                  % (recs[0]["numpy"], recs[0]["blas"], a.threads, peak))
        else:
            print("# SGEMM peak failed: %s" % err)

    devices = list_devices(a.jfilter)
    if a.devices:
        keep = {int(i) for i in a.devices.split(",")}
        devices = [d for d in devices if d["index"] in keep]

    rows = []
    summary = {}  # (model, size, what) -> medians over the rounds
    for rnd in range(a.rounds):
        for mp in models:
            for size in sizes:
                torch_rec = None
                torch_recs = []
                for tp in ([] if a.no_torch else (a.torch_paths.split(",") if a.torch_paths else [""])):
                    tenv = dict(os.environ)
                    if tp:
                        tenv["PYTHONPATH"] = tp + (os.pathsep + tenv["PYTHONPATH"] if tenv.get("PYTHONPATH") else "")
                    recs, err = run_json([a.torch_python, os.path.join(HERE, "torch_reference.py"), "--model", mp,
                                          "--size", size, "--repeat", str(a.repeat), "--threads", str(a.threads),
                                          "--dkn-mode", a.dkn_mode], tenv)
                    if recs:
                        torch_recs.append(recs[0])
                        record(dict(recs[0], kind="torch", model_path=mp, round=rnd, load_avg=os.getloadavg()))
                    else:
                        record({"kind": "torch", "model_path": mp, "size": size, "error": err, "round": rnd})
                        print("# PyTorch reference (%s) failed for %s %s: %s"
                              % (tp or "default", os.path.basename(mp), size, err[-300:]))
                torch_rec = torch_recs[0] if torch_recs else None
                for dev in devices:
                    for conv in convs:
                        env = dict(os.environ)
                        env.pop("JF_CONV", None)
                        if conv != "default":
                            env["JF_CONV"] = conv
                        cold = tempfile.mkdtemp(prefix="jfbench-cache-") if a.cold else None
                        if cold:
                            # jfilter's program-binary cache and PoCL's own kernel cache both empty
                            env["JF_CACHE_DIR"] = os.path.join(cold, "jfilter")
                            env["POCL_CACHE_DIR"] = os.path.join(cold, "pocl")
                        recs, err = run_json([a.jfilter, "bench", "--model", mp, "--size", size, "--repeat",
                                              str(a.repeat), "--device", str(dev["index"])], env)
                        if cold:
                            shutil.rmtree(cold, ignore_errors=True)
                        jf = recs[0] if recs else None
                        rec = dict(jf or {"error": err}, kind="jfilter", conv=conv, model_path=mp, round=rnd,
                                   load_avg=os.getloadavg(),
                                   cache="cold" if a.cold else "as found",
                                   device_index=dev["index"], compute_units=dev["compute_units"], size=size)
                        if jf and torch_rec:
                            rec["ratio_vs_torch"] = round(jf["median_ms"] / torch_rec["median_ms"], 3)
                        if jf and peak:
                            rec["pct_of_sgemm_peak"] = round(100.0 * jf["gflops"] / peak, 1)
                        record(rec)
                        if err and not jf:
                            print("# jfilter failed for %s %s on %d (%s): %s"
                                  % (os.path.basename(mp), size, dev["index"], conv, err[-300:]))
                        rows.append((os.path.splitext(os.path.basename(mp))[0], size,
                                     "%d:%s" % (dev["index"], dev["name"][:24]), conv, jf, torch_rec))
                name = os.path.splitext(os.path.basename(mp))[0]
                for i, t in enumerate(torch_recs):
                    if i:  # the table's PyTorch columns show the first; the others are listed here
                        print("# round %d %s %s: %s median %.0f ms (min %.0f)"
                              % (rnd, name, size, t["device"], t["median_ms"], t["min_ms"]))
                    summary.setdefault((name, size, t["device"]), []).append(t["median_ms"])

    # min next to median: on a shared 2-core machine the minimum is the least disturbed run
    hdr = ("model", "size", "device", "conv", "jf first", "jf median", "jf min", "pt median", "pt min",
           "ratio", "jf GFLOP/s", "jf %peak", "pt GFLOP/s", "pt %peak", "jf MiB")
    line = "%-14s %-9s %-27s %-7s %8s %9s %7s %9s %7s %6s %10s %8s %10s %8s %7s"
    print(line % hdr)
    for name, size, dev, conv, jf, pt in rows:
        jm = jf["median_ms"] if jf else None
        pm = pt["median_ms"] if pt else None
        print(line % (
            name[:14], size, dev, conv,
            fmt(jf and jf["first_ms"], "%.0f"), fmt(jm, "%.0f"), fmt(jf and jf["min_ms"], "%.0f"),
            fmt(pm, "%.0f"), fmt(pt and pt["min_ms"], "%.0f"),
            fmt(jm / pm if jm and pm else None, "%.2f"),
            fmt(jf and jf["gflops"]), fmt(100 * jf["gflops"] / peak if jf and peak else None, "%.1f%%"),
            fmt(pt and pt["gflops"]), fmt(100 * pt["gflops"] / peak if pt and peak else None, "%.1f%%"),
            fmt(jf and jf.get("peak_device_mib"), "%.0f")))
    for name, size, dev, conv, jf, pt in rows:
        if jf:
            summary.setdefault((name, size, "jfilter %s %s" % (dev, conv)), []).append(jf["median_ms"])
    if a.rounds > 1:
        print("# over %d rounds: median of the per-round medians [range]" % a.rounds)
        for (name, size, what), v in summary.items():
            v = sorted(v)
            print("#   %-14s %-9s %-40s %7.0f ms [%.0f-%.0f]" % (name[:14], size, what[:40], v[len(v) // 2], v[0], v[-1]))
    print("# times in ms; ratio = jfilter median / PyTorch median (< 1: jfilter faster); records in %s" % a.out)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
