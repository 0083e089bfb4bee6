"""test_models.py - load_model() and Model.run() equal `jfilter run` on the
sample and on random arrays (FDKN, DKN, SVLRM with its coefficient maps), and
the model's options, lookup and errors."""
from __future__ import annotations

import numpy as np
import pytest

import jfilter
from support import SOURCE, assert_same, normalized, random_image, write_image


@pytest.fixture(scope="module")
def fdkn(ctx):
    with jfilter.load_model("fdkn_x8", ctx) as m:
        yield m


def test_info(fdkn):
    i = fdkn.info
    assert (i.architecture, i.scale, i.kernel_size, i.window_size) == ("fdkn", 8, 3, 15)
    assert i.residual is True and i.upsample == "pil" and i.guide_order in ("bgr", "rgb")
    assert i.path == str(SOURCE / "weights" / "fdkn_x8.safetensors")
    assert "fdkn x8" in repr(fdkn)
    assert fdkn.flops(256, 192) > 1e9
    assert i.gray_target and not i.colour_target and not i.whole_image and i.lambda_range is None


def test_depth_model_is_no_smoother(fdkn, sample):
    with pytest.raises(ValueError, match="not a smoothing model"):
        fdkn.smooth(sample["guide"])
    with pytest.raises(ValueError, match="takes none"):
        fdkn.run(sample["guide"], sample["depth_low"], scale=8, lambda_=0.5)
    with pytest.raises(ValueError, match="channels"):
        fdkn.run(sample["guide"], sample["guide"])


def test_fdkn_sample_matches_cli(cli, fdkn, sample, tmp_path):
    out = tmp_path / "o.npy"
    d = sample["dir"]
    cli("run", "--model", "fdkn_x8", "--guide", d / "guide.png", "--target", d / "depth_low.png",
        "--scale", 8, "--output", out)
    ref = np.load(out)
    got = fdkn.run(sample["guide"], sample["depth_low"], scale=8)
    assert got.dtype == np.float32 and got.shape == (192, 256)
    assert_same(got, ref)
    # cv2's BGR array as it is, with order="bgr"; and the scale taken from the sizes
    assert_same(fdkn.run(sample["bgr"], sample["depth_low"], order="bgr"), ref)
    # a channel-reversed view (not contiguous: copied) gives the same
    assert_same(fdkn.run(sample["bgr"][..., ::-1], sample["depth_low"]), ref)


def test_fdkn_random_float_full_size_matches_cli(cli, ctx, rng, tmp_path):
    guide = random_image(rng, (40, 48, 3), np.float32)
    target = random_image(rng, (40, 48), np.float32)  # a full-size target: no upsampling
    g, t, out = write_image(tmp_path / "g", guide), write_image(tmp_path / "t", target), tmp_path / "o.npy"
    cli("run", "--model", "fdkn_x4", "--guide", g, "--target", t, "--output", out)
    with jfilter.load_model("fdkn_x4", ctx) as m:
        assert_same(m.run(guide, target[..., None]), np.load(out))


def test_dkn_random_matches_cli(cli, ctx, rng, tmp_path):
    guide = random_image(rng, (32, 40, 3), np.uint8)
    low = random_image(rng, (4, 5), np.uint16)
    g, t, out = write_image(tmp_path / "g", guide), write_image(tmp_path / "t", low), tmp_path / "o.npy"
    cli("run", "--model", "dkn_x8", "--guide", g, "--target", t, "--scale", 8, "--output", out)
    with jfilter.load_model(SOURCE / "weights" / "dkn_x8.safetensors", ctx) as m:
        assert m.info.architecture == "dkn"
        assert_same(m.run(guide, low, scale=8), np.load(out))


def test_svlrm_coefficients_match_cli(cli, ctx, sample, rng, tmp_path):
    # a crop of the sample keeps the run short; uint16 guide and float target
    guide = (sample["guide"][:96, :128].astype(np.uint16) * 257)
    low = normalized(sample["depth_low"][:12, :16])
    g, t = write_image(tmp_path / "g", guide), write_image(tmp_path / "t", low)
    out, prefix = tmp_path / "o.npy", tmp_path / "coef"
    cli("run", "--model", "svlrm_x8", "--guide", g, "--target", t, "--scale", 8, "--output", out,
        "--coefficients", prefix)
    with jfilter.load_model("svlrm_x8", ctx) as m:
        got, alpha, beta = m.run(guide, low, scale=8, coefficients=True, degradation="subsample")
        assert alpha.shape == beta.shape == got.shape == (96, 128)
        assert_same(got, np.load(out))
        assert_same(alpha, np.load(f"{prefix}_alpha.npy"))
        assert_same(beta, np.load(f"{prefix}_beta.npy"))
        with pytest.warns(UserWarning, match="degradation: subsample"):
            plain = m.run(guide, low, scale=8)
        assert isinstance(plain, np.ndarray)
        assert_same(plain, got)


def test_output_dtype_and_out(fdkn, sample):
    ref = fdkn.run(sample["guide"], sample["depth_low"])
    u16 = fdkn.run(sample["guide"], sample["depth_low"], dtype=np.uint16)
    assert u16.dtype == np.uint16
    np.testing.assert_array_equal(u16, np.clip(np.rint(ref * 65535), 0, 65535).astype(np.uint16))
    buf = np.empty((192, 256), np.float32)
    assert fdkn.run(sample["guide"], sample["depth_low"], out=buf) is buf
    assert_same(buf, ref)


def test_memory_budget_tiles_identically(fdkn, sample):
    ref = fdkn.run(sample["guide"], sample["depth_low"])
    tiled = fdkn.run(sample["guide"], sample["depth_low"], memory_budget=4 << 20)
    assert_same(tiled, ref)


def test_progress_and_cancel(fdkn, sample):
    calls = []
    fdkn.run(sample["guide"], sample["depth_low"], progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]
    with pytest.raises(jfilter.Error) as e:
        fdkn.run(sample["guide"], sample["depth_low"], progress=lambda d, t: True)
    assert e.value.status_name == "JF_ERR_CANCELLED"

    def boom(done, total):
        raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback"):
        fdkn.run(sample["guide"], sample["depth_low"], progress=boom)


def test_load_from_bytes(ctx, fdkn, sample):
    data = (SOURCE / "weights" / "fdkn_x8.safetensors").read_bytes()
    with jfilter.load_model(data, ctx) as m:
        assert m.info.path is None and m.info.scale == 8
        assert_same(m.run(sample["guide"], sample["depth_low"]), fdkn.run(sample["guide"], sample["depth_low"]))


def test_lookup_order(monkeypatch, tmp_path, ctx):
    (tmp_path / "mine.safetensors").write_bytes((SOURCE / "weights" / "fdkn_x4.safetensors").read_bytes())
    monkeypatch.setenv("JF_WEIGHTS_DIR", str(tmp_path))
    assert jfilter.weights_dirs()[0] == tmp_path
    assert jfilter.find_model("mine") == str(tmp_path / "mine.safetensors")
    assert jfilter.find_model("fdkn_x8") == str(SOURCE / "weights" / "fdkn_x8.safetensors")
    with jfilter.load_model("mine", ctx) as m:
        assert m.info.scale == 4


def test_errors(ctx, fdkn, sample, tmp_path):
    with pytest.raises(jfilter.ModelNotFoundError) as e:
        jfilter.load_model("no_such_model", ctx)
    assert isinstance(e.value, jfilter.Error) and isinstance(e.value, FileNotFoundError)
    assert "no_such_model.safetensors" in str(e.value) and "weights" in str(e.value)

    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}......")
    with pytest.raises(jfilter.Error) as e:
        jfilter.load_model(bad, ctx)
    assert e.value.status_name == "JF_ERR_BAD_FORMAT" and str(bad) in e.value.message

    with pytest.raises(jfilter.Error) as e:
        fdkn.run(sample["guide"], sample["depth_low"], scale=4)
    assert e.value.status_name == "JF_ERR_SIZE_MISMATCH" and e.value.status == -9
    assert "x4" in e.value.message and "(JF_ERR_SIZE_MISMATCH)" in str(e.value)

    with pytest.raises(ValueError, match="1 channels|takes 1"):
        fdkn.run(sample["guide"], sample["guide"])
    with pytest.raises(ValueError, match="needs an SVLRM model"):
        fdkn.run(sample["guide"], sample["depth_low"], coefficients=True)
    with pytest.raises(ValueError, match="order"):
        fdkn.run(sample["guide"], sample["depth_low"], order="rbg")
    with pytest.raises(ValueError, match="scale"):
        fdkn.run(sample["guide"], sample["depth_low"], scale=0)


def test_close(ctx, sample):
    m = jfilter.load_model("fdkn_x4", ctx)
    m.close()
    m.close()
    assert m.closed
    with pytest.raises(ValueError, match="closed"):
        m.run(sample["guide"], sample["depth_low"])
    # closing a context closes its models first; both then refuse work
    c = jfilter.Context()
    m2 = jfilter.load_model("fdkn_x4", c)
    c.close()
    assert m2.closed and c.closed
    with pytest.raises(ValueError, match="closed"):
        jfilter.load_model("fdkn_x4", c)
    with pytest.raises(ValueError, match="closed"):
        jfilter.bicubic(sample["depth_low"], 2, ctx=c)


def test_depth_options_match_cli(cli, fdkn, sample, tmp_path):
    # the sample as a sensor stores it (1534..7754 mm) with a 4x4 hole of 0
    low = sample["depth_low"].astype(np.float64)
    mm = np.round(1534 + (low - low.min()) / (low.max() - low.min()) * 6220).astype(np.uint16)
    mm[8:12, 10:14] = 0
    d = sample["dir"]
    t = write_image(tmp_path / "t", mm)
    for name, kw, flags in (("default", {}, []),
                            ("raw", {"normalize": False, "invalid": None}, ["--no-normalize", "--invalid", "none"]),
                            ("keep", {"keep_holes": True}, ["--keep-holes"])):
        out = tmp_path / f"{name}.npy"
        cli("run", "--model", "fdkn_x8", "--guide", d / "guide.png", "--target", t, "--scale", 8,
            "--output", out, *flags)
        got = fdkn.run(sample["guide"], mm, scale=8, **kw)
        assert_same(got, np.load(out))
    u16 = fdkn.run(sample["guide"], mm, scale=8, dtype=np.uint16)
    assert u16.min() > 1300 and u16.max() < 8000  # millimetres stay millimetres, holes filled
    kept = fdkn.run(sample["guide"], mm, scale=8, keep_holes=True, dtype=np.uint16)
    assert (kept == 0).sum() == 32 * 32 and (kept[64:96, 80:112] == 0).all()
    # NaN holes in metres, kept as NaN
    m = mm.astype(np.float32) / 1000
    m[mm == 0] = np.nan
    got = fdkn.run(sample["guide"], m, scale=8, invalid=float("nan"), keep_holes=True)
    assert np.isnan(got).sum() == 32 * 32 and np.nanmin(got) > 1.3
    with pytest.raises(ValueError):
        fdkn.run(sample["guide"], mm, scale=8, invalid="zero")


def test_conventions_enforced(ctx, sample):
    with jfilter.load_model("fdkn_x4", ctx) as m:
        with pytest.raises(ValueError, match="trained for x4"):
            m.run(sample["guide"], sample["depth_low"], scale=8)
        with pytest.raises(ValueError, match="trained for x4"):
            m.run(sample["guide"], sample["depth_low"])  # 8x smaller than the guide
        assert m.run(sample["guide"], sample["depth_low"], force=True).shape == (192, 256)
