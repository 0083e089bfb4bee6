"""test_filters.py - guided_filter, joint_bilateral, jbu and bicubic equal the
`jfilter guided/jbf/jbu/bicubic` program on the sample and on random uint8,
uint16 and float32 arrays (PNG and .npy files for the CLI)."""
from __future__ import annotations

import numpy as np
import pytest

import jfilter
from support import assert_same, normalized, random_image, write_image

U8, U16, F32 = np.uint8, np.uint16, np.float32


def test_guided_sample_matches_cli(cli, ctx, sample, tmp_path):
    out = tmp_path / "out.npy"
    cli("guided", "--guide", sample["dir"] / "guide.png", "--target", sample["dir"] / "depth_gt.png",
        "--radius", 4, "--eps", 0.001, "--output", out)
    got = jfilter.guided_filter(sample["guide"], sample["depth_gt"], 4, 0.001, ctx=ctx)
    assert got.dtype == np.float32 and got.shape == (192, 256)
    assert_same(got, np.load(out))


# (guide shape, guide dtype, src shape, src dtype, radius, eps, subsample)
GUIDED = [
    ((40, 52), U8, (40, 52), U8, 3, 0.01, 1),
    ((40, 52, 3), U16, (40, 52), F32, 5, 0.002, 1),
    ((40, 52, 3), F32, (40, 52, 3), U8, 2, 0.05, 1),
    ((64, 48, 4), U8, (64, 48), U16, 6, 0.01, 2),
]


@pytest.mark.parametrize("gshape,gtype,sshape,stype,radius,eps,sub", GUIDED)
def test_guided_random_matches_cli(cli, ctx, rng, tmp_path, gshape, gtype, sshape, stype, radius, eps, sub):
    guide, src = random_image(rng, gshape, gtype), random_image(rng, sshape, stype)
    g, s, out = write_image(tmp_path / "g", guide), write_image(tmp_path / "s", src), tmp_path / "o.npy"
    cli("guided", "--guide", g, "--target", s, "--radius", radius, "--eps", eps, "--fast", sub,
        "--output", out)
    assert_same(jfilter.guided_filter(guide, src, radius, eps, sub, ctx=ctx), np.load(out))


@pytest.mark.parametrize("gtype,stype,diameter", [(U8, U16, 9), (F32, F32, 0), (U16, U8, 7)])
def test_joint_bilateral_matches_cli(cli, ctx, rng, tmp_path, gtype, stype, diameter):
    guide, src = random_image(rng, (36, 44, 3), gtype), random_image(rng, (36, 44), stype)
    g, s, out = write_image(tmp_path / "g", guide), write_image(tmp_path / "s", src), tmp_path / "o.npy"
    cli("jbf", "--guide", g, "--target", s, "--diameter", diameter, "--sigma-color", 0.1,
        "--sigma-space", 3, "--output", out)
    assert_same(jfilter.joint_bilateral(guide, src, diameter, 0.1, 3.0, ctx=ctx), np.load(out))


def test_jbu_sample_matches_cli(cli, ctx, sample, tmp_path):
    out = tmp_path / "o.npy"
    cli("jbu", "--guide", sample["dir"] / "guide.png", "--target", sample["dir"] / "depth_low.png",
        "--radius", 2, "--sigma-color", 0.08, "--sigma-space", 1.5, "--output", out)
    got = jfilter.jbu(sample["guide"], sample["depth_low"], 2, 0.08, 1.5, ctx=ctx)
    assert_same(got, np.load(out))


def test_jbu_random_colour_matches_cli(cli, ctx, rng, tmp_path):
    guide, low = random_image(rng, (48, 64), F32), random_image(rng, (12, 16, 3), U8)
    g, s, out = write_image(tmp_path / "g", guide), write_image(tmp_path / "s", low), tmp_path / "o.npy"
    cli("jbu", "--guide", g, "--target", s, "--radius", 1, "--sigma-color", 0.2, "--sigma-space", 1,
        "--output", out)
    got = jfilter.jbu(guide, low, 1, 0.2, 1.0, ctx=ctx)
    assert got.shape == (48, 64, 3)
    assert_same(got, np.load(out))


@pytest.mark.parametrize("mode,dtype,shape", [("pil", U16, (24, 32)), ("opencv", F32, (20, 30, 3)),
                                              ("pil", U8, (15, 17, 3))])
def test_bicubic_scale_matches_cli(cli, ctx, rng, tmp_path, mode, dtype, shape):
    src = random_image(rng, shape, dtype)
    s, out = write_image(tmp_path / "s", src), tmp_path / "o.npy"
    cli("bicubic", "--target", s, "--scale", 4, "--mode", mode, "--output", out)
    assert_same(jfilter.bicubic(src, 4, mode=mode, ctx=ctx), np.load(out))


def test_bicubic_shape_matches_cli(cli, ctx, sample, tmp_path):
    out = tmp_path / "o.npy"
    cli("bicubic", "--target", sample["dir"] / "depth_gt.png", "--size", "50x37", "--mode", "pil",
        "--output", out)
    got = jfilter.bicubic(sample["depth_gt"], shape=(37, 50), mode="pil", ctx=ctx)
    assert got.shape == (37, 50)
    assert_same(got, np.load(out))


def test_dtypes_are_normalized_units(ctx, rng):
    guide, src = random_image(rng, (30, 40, 3), U8), random_image(rng, (30, 40), U16)
    a = jfilter.guided_filter(guide, src, 3, 0.01, ctx=ctx)
    b = jfilter.guided_filter(normalized(guide), normalized(src), 3, 0.01, ctx=ctx)
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_shapes_follow_the_target(ctx, rng):
    guide = random_image(rng, (20, 24, 3), U8)
    src = random_image(rng, (20, 24), F32)
    assert jfilter.guided_filter(guide, src[..., None], 2, 0.01, ctx=ctx).shape == (20, 24, 1)
    rgba = random_image(rng, (20, 24, 4), F32)
    out = jfilter.joint_bilateral(guide, rgba, 5, 0.1, 2.0, ctx=ctx)
    assert out.shape == (20, 24, 4)
    np.testing.assert_array_equal(out[..., 3], 1.0)  # the library sets a 4th channel opaque
    rgb = jfilter.joint_bilateral(guide, np.ascontiguousarray(rgba[..., :3]), 5, 0.1, 2.0, ctx=ctx)
    assert_same(out[..., :3], rgb)


def test_out_and_dtype(ctx, rng):
    guide, src = random_image(rng, (20, 24), U8), random_image(rng, (20, 24), U8)
    ref = jfilter.guided_filter(guide, src, 2, 0.01, ctx=ctx)
    as_u8 = jfilter.guided_filter(guide, src, 2, 0.01, ctx=ctx, dtype=np.uint8)
    assert as_u8.dtype == np.uint8
    np.testing.assert_array_equal(as_u8, np.clip(np.rint(ref * 255), 0, 255).astype(np.uint8))
    buf = np.full((20, 24), -1, np.float32)
    assert jfilter.guided_filter(guide, src, 2, 0.01, ctx=ctx, out=buf) is buf
    assert_same(buf, ref)
    # a row crop of a bigger buffer is written in place too
    big = np.zeros((30, 40), np.float32)
    jfilter.guided_filter(guide, src, 2, 0.01, ctx=ctx, out=big[5:25, 8:32])
    assert_same(big[5:25, 8:32], ref)
    assert not big[:5].any() and not big[:, :8].any()


def test_default_context(rng):
    src = random_image(rng, (8, 8), F32)
    assert jfilter.bicubic(src, 2).shape == (16, 16)
    assert jfilter.default_context() is jfilter.default_context()
