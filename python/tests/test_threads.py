"""test_threads.py - the GIL is released while C runs (another Python thread
makes progress during a model run), and threads share contexts safely."""
from __future__ import annotations

import threading
import time

import numpy as np

import jfilter
from support import assert_same, random_image


def test_gil_released_during_a_model_run(ctx, rng):
    with jfilter.load_model("dkn_x8", ctx) as m:
        # an input big enough for a run of 0.2 s or more on this device (0.5 s at 64 x 48 on 2 CPU cores)
        h, w = 48, 64
        while True:
            guide = random_image(rng, (h, w, 3), np.float32)
            low = random_image(rng, (h // 8, w // 8), np.float32)
            m.run(guide, low)  # kernels built before timing
            t0 = time.perf_counter()
            m.run(guide, low)
            if time.perf_counter() - t0 > 0.2 or h >= 1536:
                break
            h, w = h * 2, w * 2
        window = {}

        def work():
            window["start"] = time.perf_counter()
            m.run(guide, low)
            window["end"] = time.perf_counter()

        t = threading.Thread(target=work)
        ticks = []
        t.start()
        while t.is_alive():  # pure-Python work: runs only when the GIL is free
            ticks.append(time.perf_counter())
            sum(range(200))
        t.join()
    start, end = window["start"], window["end"]
    inside = [x for x in ticks if start < x < end]
    assert end - start > 0.05, "the run was too short to tell"
    # with the GIL held through the C call, the main thread would stall for the whole run
    gaps = np.diff([start] + inside + [end])
    assert len(inside) > 100 and gaps.max() < 0.5 * (end - start), (len(inside), gaps.max(), end - start)


def test_threads_share_a_context_and_each_own_one(ctx, rng):
    guide, src = random_image(rng, (40, 40, 3), np.uint8), random_image(rng, (40, 40), np.uint16)
    ref = jfilter.guided_filter(guide, src, 3, 0.01, ctx=ctx)
    results, errors = [], []
    own = jfilter.Context()

    def work(c):
        try:
            for _ in range(5):
                results.append(jfilter.guided_filter(guide, src, 3, 0.01, ctx=c))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(c,)) for c in (ctx, ctx, own)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    own.close()
    assert not errors and len(results) == 15
    for r in results:
        assert_same(r, ref)
