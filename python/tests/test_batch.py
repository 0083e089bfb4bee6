"""test_batch.py - match_pairs, run_batch (outputs equal `jfilter run`, one
failing pair reported while the rest go on, skip_existing, several contexts)
and jfilter.dask.map_pairs on a LocalCluster of 2 worker processes giving the
same files as a single-process run."""
from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

import jfilter
from support import assert_same

N = 4


@pytest.fixture(scope="module")
def folder(tmp_path_factory, sample):
    """N pairs cut from the sample (128 x 96 guides, 16 x 12 uint16 targets)
    named rgb/000i_color.png and depth/000i_depth.png."""
    root = tmp_path_factory.mktemp("pairs")
    (root / "rgb").mkdir()
    (root / "depth").mkdir()
    for i in range(N):
        y, x = 8 * (i % 2) * 4, 8 * (i // 2) * 8
        cv2.imwrite(str(root / "rgb" / f"000{i}_color.png"), sample["bgr"][y:y + 96, x:x + 128])
        cv2.imwrite(str(root / "depth" / f"000{i}_depth.png"),
                    sample["depth_low"][y // 8:y // 8 + 12, x // 8:x // 8 + 16])
    return root


def pairs_of(folder):
    return jfilter.match_pairs(str(folder / "rgb" / "*.png"), str(folder / "depth" / "*.png"),
                               guide_suffix="_color", target_suffix="_depth")


def test_match_pairs(folder, tmp_path):
    pairs = pairs_of(folder)
    assert [os.path.basename(t) for _, t in pairs] == [f"000{i}_depth.png" for i in range(N)]
    assert all(os.path.basename(g) == f"000{i}_color.png" for i, (g, _) in enumerate(pairs))
    with pytest.raises(ValueError, match="no partner"):
        jfilter.match_pairs(str(folder / "rgb" / "*.png"), str(folder / "depth" / "0001*.png"),
                            guide_suffix="_color", target_suffix="_depth")


def test_run_batch_matches_cli(folder, tmp_path, cli):
    out = tmp_path / "out"
    s = jfilter.run_batch(pairs_of(folder), out, "fdkn_x8", scale=8, suffix=".npy", progress=False)
    assert s.ok == N and not s.failed and s.pairs_per_second > 0 and "4 done" in str(s)
    for i in (0, N - 1):
        ref = tmp_path / f"cli{i}.npy"
        cli("run", "--model", "fdkn_x8", "--guide", folder / "rgb" / f"000{i}_color.png",
            "--target", folder / "depth" / f"000{i}_depth.png", "--scale", 8, "--output", ref)
        assert_same(np.load(out / f"000{i}_depth.npy"), np.load(ref))


def test_failures_skip_existing_and_two_contexts(folder, tmp_path):
    out = tmp_path / "out"
    pairs = pairs_of(folder) + [(str(folder / "rgb" / "0000_color.png"), str(folder / "depth" / "missing.png"))]
    calls = []
    s = jfilter.run_batch(pairs, out, "fdkn_x8", scale=8, devices=[0, 0],
                          progress=lambda d, t, r: calls.append((d, t, r.status)))
    assert s.ok == N and len(s.failed) == 1 and len(calls) == N + 1 and calls[-1][:2] == (N + 1, N + 1)
    assert "missing.png" in s.failed[0].error
    assert sorted(os.listdir(out)) == [f"000{i}_depth.png" for i in range(N)]  # no partial file
    png = cv2.imread(str(out / "0000_depth.png"), cv2.IMREAD_UNCHANGED)
    assert png.dtype == np.uint16 and png.shape == (96, 128)  # a 16-bit target gives a 16-bit PNG
    again = jfilter.run_batch(pairs_of(folder), out, "fdkn_x8", scale=8, skip_existing=True,
                              progress=False)
    assert again.skipped == N and again.ok == 0
    with pytest.raises(jfilter.Error):
        jfilter.run_batch(pairs_of(folder), out, "fdkn_x8", devices="no-such-device-xyz")


def test_dask_map_pairs_equals_a_single_process_run(folder, tmp_path):
    distributed = pytest.importorskip("distributed", reason="apt-get install python3-distributed")
    import jfilter.dask

    single = jfilter.run_batch(pairs_of(folder), tmp_path / "single", "fdkn_x8", scale=8,
                               suffix=".npy", progress=False)
    assert single.ok == N
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        s = jfilter.dask.map_pairs(client, pairs_of(folder), tmp_path / "dask", model="fdkn_x8",
                                   scale=8, suffix=".npy", progress=False)
        pids = client.run(os.getpid)
    assert s.ok == N and not s.failed, s.failed
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    for i in range(N):
        name = f"000{i}_depth.npy"
        np.testing.assert_array_equal(np.load(tmp_path / "dask" / name), np.load(tmp_path / "single" / name))
