"""jfilter.dask - guide/target pairs spread over a Dask cluster.

Each worker thread of each worker process opens its own context and loads
the model once, on first use (nothing jfilter holds is pickled: tasks carry
paths and options only); results are written by the workers where the pairs
say, so the paths must be reachable from every worker (a shared file system
on a real cluster).

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")       # or Client(LocalCluster(n_workers=2))
    summary = jfilter.dask.map_pairs(client, jfilter.match_pairs("rgb/*.png", "depth/*.png"),
                                     "out/", model="fdkn_x8", scale=8)
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable, Dict, Iterable, Optional, Sequence, Tuple, Union

from ._batch import BatchSummary, Pair, PairResult, PathLike, _Bar, make_pairs, run_pair
from ._context import Context
from ._models import Model, load_model

# (model, device) -> (Context, Model) of this worker thread
_local = threading.local()


def _worker_model(model: str, device: Optional[str]) -> Model:
    cache: Optional[Dict[Tuple[str, Optional[str]], Tuple[Context, Model]]] = getattr(_local, "models", None)
    if cache is None:
        cache = _local.models = {}
    key = (model, device)
    if key not in cache:
        ctx = Context(device)
        cache[key] = (ctx, load_model(model, ctx))
    return cache[key][1]


def _task(pair: Pair, model: str, device: Optional[str], scale: Optional[int], skip_existing: bool,
          memory_budget: Optional[int]) -> PairResult:
    """One pair on a worker (module-level, so Dask pickles it by reference)."""
    try:
        m = _worker_model(model, device)
    except Exception as e:  # noqa: BLE001 - reported like any failing pair
        return PairResult(pair, "failed", f"{type(e).__name__}: {e}")
    return run_pair(m, pair, scale, skip_existing, memory_budget)


def map_pairs(client: Any, pairs: Iterable[Sequence[PathLike]], output_dir: Optional[PathLike] = None,
              model: str = "fdkn_x8", *, scale: Optional[int] = None, device: Optional[str] = None,
              skip_existing: bool = False, suffix: str = ".png", memory_budget: Optional[int] = None,
              progress: Union[bool, Callable[[int, int, PairResult], None]] = True) -> BatchSummary:
    """Runs a model over guide/target pairs on a dask.distributed cluster.

    Args:
        client: a dask.distributed.Client.
        pairs, output_dir, suffix, scale, skip_existing, memory_budget,
        progress: as in jfilter.run_batch (the same output names and rules).
        model: a model name (looked up on each worker) or a path every
            worker can read.
        device: the device spec each worker opens (None: its default).

    Returns:
        A BatchSummary in the pairs' order; failing pairs are in .failed.
    """
    jobs = make_pairs(pairs, output_dir, suffix)
    for d in {os.path.dirname(p.output) for p in jobs}:
        os.makedirs(d or ".", exist_ok=True)
    from distributed import as_completed  # imported here: jfilter itself does not need Dask

    t0 = time.perf_counter()
    futures = client.map(_task, jobs, model=str(model), device=device, scale=scale,
                         skip_existing=skip_existing, memory_budget=memory_budget, pure=False)
    order = {f.key: i for i, f in enumerate(futures)}
    results: list = [None] * len(jobs)
    bar = _Bar(len(jobs), progress)
    for f in as_completed(futures):
        i = order[f.key]
        try:
            results[i] = f.result()
        except Exception as e:  # noqa: BLE001 - a worker lost, a task killed
            results[i] = PairResult(jobs[i], "failed", f"{type(e).__name__}: {e}")
        bar.step(results[i])
    return BatchSummary(results, time.perf_counter() - t0)
