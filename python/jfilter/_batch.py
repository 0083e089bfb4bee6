"""_batch.py - many guide/target pairs through one model: the pair list, one
pair's work (shared with jfilter.dask), and run_batch() over the devices of
this machine, one context and one thread per device.

Rules, the same wherever pairs run:
  - an output is output_dir / (target's stem + suffix); suffix ".png" writes
    the target's bit depth (16-bit for a uint16 target, else 8), ".npy"
    float32 in normalized units;
  - skip_existing skips pairs whose output file exists (resuming a run);
  - a failing pair is reported in its PairResult and the others go on.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _io
from ._context import Context, devices as list_devices
from ._models import Model, load_model

PathLike = Union[str, os.PathLike]


@dataclass(frozen=True)
class Pair:
    """One job: filter `target` under `guide` into `output`."""
    guide: str
    target: str
    output: str


@dataclass(frozen=True)
class PairResult:
    """How one pair went: status is "ok", "skipped" (the output existed) or "failed"."""
    pair: Pair
    status: str
    error: Optional[str] = None
    seconds: float = 0.0
    device: Optional[str] = None


@dataclass
class BatchSummary:
    """The results of a batch, in the order of the pairs given."""
    results: List[PairResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> int:
        return self.count("ok")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def failed(self) -> List[PairResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def pairs_per_second(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        return (f"{self.ok} done, {self.skipped} skipped, {len(self.failed)} failed in "
                f"{self.seconds:.1f} s ({self.pairs_per_second:.2f} pairs/s)")


def match_pairs(guides: Union[str, Sequence[PathLike]], targets: Union[str, Sequence[PathLike]],
                guide_suffix: str = "", target_suffix: str = "") -> List[Tuple[str, str]]:
    """Pairs guide and target files by name: the same file stem once
    guide_suffix and target_suffix are stripped from the ends of the stems
    ("rgb/0001_color.png" and "depth/0001_depth.png" with guide_suffix="_color",
    target_suffix="_depth"). guides/targets: glob patterns or lists of paths.
    Raises ValueError naming files left without a partner (or matched twice)."""
    def files(x):
        return sorted(glob(x)) if isinstance(x, str) else [os.fspath(p) for p in x]

    def key(path, suffix):
        stem = Path(path).stem
        return stem[:len(stem) - len(suffix)] if suffix and stem.endswith(suffix) else stem

    def index(paths, suffix, what):
        out = {}
        for p in paths:
            k = key(p, suffix)
            if k in out:
                raise ValueError(f"two {what} files match the name {k!r}: {out[k]} and {p}")
            out[k] = p
        return out

    g, t = index(files(guides), guide_suffix, "guide"), index(files(targets), target_suffix, "target")
    alone = sorted(set(g) ^ set(t))
    if alone:
        shown = ", ".join((g.get(k) or t[k]) for k in alone[:5])
        raise ValueError(f"{len(alone)} files have no partner: {shown}{' ...' if len(alone) > 5 else ''}")
    if not g:
        raise ValueError(f"no files match {guides!r} and {targets!r}")
    return [(g[k], t[k]) for k in sorted(g)]


def make_pairs(pairs: Iterable[Sequence[PathLike]], output_dir: Optional[PathLike],
               suffix: str = ".png") -> List[Pair]:
    """Pair jobs from (guide, target) or (guide, target, output) items."""
    if suffix.lower() not in (".png", ".npy"):
        raise ValueError(f"suffix must be '.png' or '.npy', not {suffix!r}")
    out: List[Pair] = []
    for item in pairs:
        item = [os.fspath(x) for x in item]
        if len(item) == 3:
            out.append(Pair(*item))
        elif len(item) == 2:
            if output_dir is None:
                raise ValueError("give output_dir, or (guide, target, output) triples")
            out.append(Pair(item[0], item[1], os.path.join(os.fspath(output_dir), Path(item[1]).stem + suffix)))
        else:
            raise ValueError(f"a pair is (guide, target) or (guide, target, output), not {item!r}")
    seen = {}
    for p in out:
        if p.output in seen:
            raise ValueError(f"{seen[p.output]} and {p.target} would both write {p.output}")
        seen[p.output] = p.target
    return out


def run_pair(model: Model, pair: Pair, scale: Optional[int] = None, skip_existing: bool = False,
             memory_budget: Optional[int] = None) -> PairResult:
    """Reads one pair, runs the model, writes the output; never raises for a
    bad pair (its error is in the result)."""
    t0 = time.perf_counter()
    dev = model.context.device.name
    if skip_existing and os.path.exists(pair.output):
        return PairResult(pair, "skipped", device=dev)
    try:
        guide, order = _io.read_image(pair.guide)
        target, _ = _io.read_image(pair.target)
        if pair.output.lower().endswith(".npy"):
            dtype = np.float32
        else:
            dtype = np.uint16 if target.dtype == np.uint16 else np.uint8
        out = model.run(guide, target, scale, memory_budget=memory_budget, order=order, dtype=dtype)
        os.makedirs(os.path.dirname(pair.output) or ".", exist_ok=True)
        _io.write_image(pair.output, out)
    except Exception as e:  # noqa: BLE001 - one bad pair must not stop the batch
        return PairResult(pair, "failed", f"{type(e).__name__}: {e}", time.perf_counter() - t0, dev)
    return PairResult(pair, "ok", None, time.perf_counter() - t0, dev)


class _Bar:
    """A one-line progress bar with pairs/s on stderr, when that is a terminal."""

    def __init__(self, total: int, enabled: Union[bool, Callable, None]):
        self.total, self.done, self.t0 = total, 0, time.perf_counter()
        self.callback = enabled if callable(enabled) else None
        self.draw = enabled is True and sys.stderr.isatty()

    def step(self, result: PairResult) -> None:
        self.done += 1
        if self.callback:
            self.callback(self.done, self.total, result)
        if self.draw:
            rate = self.done / max(time.perf_counter() - self.t0, 1e-9)
            fill = self.done * 30 // max(self.total, 1)
            sys.stderr.write(f"\r[{'#' * fill}{' ' * (30 - fill)}] {self.done}/{self.total} "
                             f"{rate:.2f} pairs/s")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def run_batch(pairs: Iterable[Sequence[PathLike]], output_dir: Optional[PathLike] = None,
              model: Union[str, os.PathLike] = "fdkn_x8", *, scale: Optional[int] = None,
              devices: Union[None, str, int, Sequence[Union[str, int]]] = None,
              skip_existing: bool = False, suffix: str = ".png", memory_budget: Optional[int] = None,
              progress: Union[bool, Callable[[int, int, PairResult], None]] = True) -> BatchSummary:
    """Runs a model over many guide/target files, on one or all devices.

    Args:
        pairs: (guide, target) or (guide, target, output) paths, e.g. from
            match_pairs("rgb/*.png", "depth/*.png"). PNG (8/16-bit) or .npy.
        output_dir: where outputs go, as target's stem + suffix (created).
        model: a model name or .safetensors path (looked up on each device's
            context as load_model does).
        scale: the upsampling factor, checked against each pair's sizes.
        devices: None for the default device; "all" for every OpenCL device
            of this machine, one context and one worker thread each; or a
            list of device specs (indices, "gpu", name parts).
        skip_existing: skip pairs whose output exists (resume a run).
        suffix: ".png" (the target's bit depth) or ".npy" (float32).
        memory_budget: as in Model.run.
        progress: True draws a bar with pairs/s on stderr when it is a
            terminal; a callable is called as progress(done, total, result).

    Returns:
        A BatchSummary: per-pair results in the pairs' order, counts,
        pairs/s. A failing pair does not stop the others; check
        summary.failed (print(summary) gives the summary line).

    >>> s = jfilter.run_batch(jfilter.match_pairs("rgb/*.png", "depth/*.png"),
    ...                       "out/", "fdkn_x8", scale=8, devices="all")  # doctest: +SKIP
    """
    jobs = make_pairs(pairs, output_dir, suffix)
    if devices == "all":
        specs: List[Union[None, str]] = [str(d.index) for d in list_devices()]
    elif devices is None or isinstance(devices, (str, int)):
        specs = [None if devices is None else str(devices)]
    else:
        specs = [str(d) for d in devices]
    workers = []
    try:
        for spec in specs:  # open every device first: a bad spec or model fails before any work
            ctx = Context(spec)
            workers.append((ctx, load_model(model, ctx)))
        t0 = time.perf_counter()
        todo: "queue.Queue[int]" = queue.Queue()
        for i in range(len(jobs)):
            todo.put(i)
        results: List[Optional[PairResult]] = [None] * len(jobs)
        bar, lock = _Bar(len(jobs), progress), threading.Lock()

        def work(m: Model) -> None:
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                r = run_pair(m, jobs[i], scale, skip_existing, memory_budget)
                with lock:
                    results[i] = r
                    bar.step(r)

        threads = [threading.Thread(target=work, args=(m,), daemon=True) for _, m in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return BatchSummary([r for r in results if r is not None], time.perf_counter() - t0)
    finally:
        for ctx, _ in workers:
            ctx.close()
