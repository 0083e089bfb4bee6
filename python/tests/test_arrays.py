"""test_arrays.py - how arrays reach C: contiguous ones (and row crops) by
their own pointer, other layouts copied once with the same result; dtype
errors raise TypeError and shape errors ValueError, with clear messages."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import jfilter
from jfilter import _images
from support import assert_same, random_image


def test_contiguous_and_row_crops_are_not_copied():
    a = np.zeros((30, 40, 3), np.uint16)
    img, owner = _images.as_image("guide", a)
    assert owner is a and img.data == a.ctypes.data and img.stride == a.strides[0]
    crop = a[5:25, 10:30]                      # rows 40*3*2 bytes apart, pixels packed
    img, owner = _images.as_image("guide", crop)
    assert owner is crop and img.data == crop.ctypes.data and img.stride == a.strides[0]
    assert (img.width, img.height, img.channels, img.type) == (20, 20, 3, 1)
    gray = np.zeros((7, 9), np.float32)
    img, owner = _images.as_image("src", gray[:, 2:])
    assert img.data == gray[:, 2:].ctypes.data and img.stride == 36


@pytest.mark.parametrize("view", [
    lambda a: a[..., ::-1],            # BGR -> RGB view
    lambda a: a.transpose(1, 0, 2),    # a transposed image
    lambda a: a[::2, ::2],             # every other pixel
    lambda a: a[::-1],                 # rows upside down (negative stride)
    lambda a: a.astype(">f4"),         # big-endian
])
def test_other_layouts_are_copied_with_the_same_result(ctx, rng, view):
    a = random_image(rng, (24, 24, 3), np.float32)
    v = view(a)
    img, owner = _images.as_image("guide", v)
    assert owner is not v and owner.flags.c_contiguous and img.data == owner.ctypes.data
    src = np.ascontiguousarray(v[..., 0])
    assert_same(jfilter.guided_filter(v, src, 2, 0.01, ctx=ctx),
                jfilter.guided_filter(np.ascontiguousarray(v, dtype=np.float32), src, 2, 0.01, ctx=ctx))


def test_no_copy_is_made_observably(ctx):
    # Shrinking a 24 MB image to 8 x 8: the traced Python allocations stay far
    # below the input's size unless the input is copied.
    big = np.ones((2000, 3000), np.float32)
    jfilter.bicubic(big, shape=(8, 8), ctx=ctx)  # warm: kernels built before tracing
    tracemalloc.start()
    try:
        jfilter.bicubic(big, shape=(8, 8), ctx=ctx)
        _, contiguous_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        jfilter.bicubic(big[:, ::-1], shape=(8, 8), ctx=ctx)
        _, copied_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert contiguous_peak < 1 << 20, contiguous_peak
    assert copied_peak >= big.nbytes, copied_peak


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.int8, bool, np.float16, np.complex64])
def test_dtype_errors(ctx, dtype):
    bad = np.zeros((8, 8), dtype)
    good = np.zeros((8, 8), np.float32)
    with pytest.raises(TypeError, match=r"src: dtype .* not supported; pass uint8, uint16 or float32"):
        jfilter.guided_filter(good, bad, 2, 0.01, ctx=ctx)
    with pytest.raises(TypeError, match=r"guide: dtype"):
        jfilter.jbu(bad, good, 1, 0.1, 1.0, ctx=ctx)
    with pytest.raises(TypeError, match="dtype"):
        jfilter.bicubic(good, 2, ctx=ctx, dtype=dtype)


def test_list_input_is_taken_as_an_array(ctx):
    with pytest.raises(TypeError, match="float64"):
        jfilter.bicubic([[0.5, 0.25]], 2, ctx=ctx)
    out = jfilter.bicubic(np.asarray([[0.5, 0.25]], np.float32), 2, ctx=ctx)
    assert out.shape == (2, 4)


@pytest.mark.parametrize("shape,needle", [
    ((8,), "H x W or H x W x C"),
    ((2, 8, 8, 3), "H x W or H x W x C"),
    ((8, 8, 2), "2 channels"),
    ((8, 8, 5), "5 channels"),
    ((0, 8), "1..65535"),
    ((8, 0, 3), "1..65535"),
])
def test_shape_errors(ctx, shape, needle):
    bad = np.zeros(shape, np.float32)
    with pytest.raises(ValueError, match=needle):
        jfilter.guided_filter(np.zeros((8, 8), np.float32), bad, 2, 0.01, ctx=ctx)


def test_size_errors_come_from_the_library(ctx):
    with pytest.raises(jfilter.Error) as e:
        jfilter.guided_filter(np.zeros((8, 8), np.float32), np.zeros((9, 8), np.float32), 2, 0.01, ctx=ctx)
    assert e.value.status_name == "JF_ERR_SIZE_MISMATCH" and "8x8" in e.value.message
    with pytest.raises(jfilter.Error) as e:
        jfilter.guided_filter(np.zeros((8, 8), np.float32), np.zeros((8, 8), np.float32), 2, -1.0, ctx=ctx)
    assert e.value.status_name == "JF_ERR_INVALID_ARGUMENT" and "eps" in e.value.message


def test_out_errors(ctx):
    g = np.zeros((8, 8), np.float32)
    with pytest.raises(ValueError, match=r"out has shape \(8, 9\)"):
        jfilter.guided_filter(g, g, 2, 0.01, ctx=ctx, out=np.zeros((8, 9), np.float32))
    with pytest.raises(TypeError, match="out: dtype float64"):
        jfilter.guided_filter(g, g, 2, 0.01, ctx=ctx, out=np.zeros((8, 8)))
    ro = np.zeros((8, 8), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        jfilter.guided_filter(g, g, 2, 0.01, ctx=ctx, out=ro)
    with pytest.raises(ValueError, match="packed rows"):
        jfilter.guided_filter(g, g, 2, 0.01, ctx=ctx, out=np.zeros((8, 8), np.float32).T)
    with pytest.raises(ValueError, match="scale, shape|output size"):
        jfilter.bicubic(g, ctx=ctx)
    with pytest.raises(ValueError, match="mode"):
        jfilter.bicubic(g, 2, mode="lanczos", ctx=ctx)


def test_read_only_inputs(ctx, rng):
    a = random_image(rng, (16, 16), np.uint8)
    a.flags.writeable = False
    assert jfilter.guided_filter(a, a, 2, 0.01, ctx=ctx).shape == (16, 16)
