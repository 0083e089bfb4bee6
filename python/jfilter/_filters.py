"""_filters.py - the classical joint filters (guided, joint bilateral, joint
bilateral upsampling) and bicubic resizing, on a context's device.

Shared rules, as in include/jfilter.h: every dtype maps to normalized units
(uint8 / 255, uint16 / 65535, float32 as is), and so do eps and sigma_color;
a colour target is filtered channel by channel under the same guide; results
are float32 (or `dtype`/`out`) with the target's channels.
"""
from __future__ import annotations

import ctypes
from typing import Optional, Tuple

import numpy as np
from numpy.typing import DTypeLike

from . import _images
from ._context import Context, resolve
from ._errors import check

_MODES = {"pil": 0, "opencv": 1}


def _result_shape(src: np.ndarray, h: int, w: int) -> Tuple[int, ...]:
    return (h, w) if src.ndim == 2 else (h, w, src.shape[2])


def _call(ctx: Optional[Context], name: str, *args) -> None:
    c = resolve(ctx)
    with c._lock:
        # ctypes.CDLL releases the GIL for the call: other threads run meanwhile
        check(getattr(c._lib, name)(c._live(), *args), c._handle)


def _joint(fn: str, guide, src, params, ctx, out, dtype) -> np.ndarray:
    g_img, g_arr = _images.as_image("guide", guide)
    s_img, s_arr = _images.as_image("src", src)
    shape = _result_shape(s_arr, g_arr.shape[0], g_arr.shape[1])
    result = _images.output("out", out, shape, dtype)
    o_img = _images.out_image(result)
    _call(ctx, fn, ctypes.byref(g_img), ctypes.byref(s_img), ctypes.byref(o_img), *params)
    del g_arr, s_arr  # alive until here: C read them in place
    return result


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float, subsample: int = 1,
                  ctx: Optional[Context] = None, *, out: Optional[np.ndarray] = None,
                  dtype: DTypeLike = np.float32) -> np.ndarray:
    """Guided filter (He, Sun, Tang 2010), as cv2.ximgproc.guidedFilter.

    In every (2 radius + 1)^2 window the output is a linear function of the
    guide, q = a * I + b, fitted to src by least squares with a penalty eps on
    a: edges of the guide stronger than about sqrt(eps) survive, flat regions
    are smoothed like a box filter. A colour guide solves a 3x3 covariance per
    pixel (edges between colours of equal brightness are kept). Window means
    mirror the image at its borders (BORDER_REFLECT).

    Args:
        guide: H x W or H x W x 3/4 (alpha ignored); uint8, uint16 or float32.
        src: the image to filter, the guide's size; gray or colour.
        radius: window radius in pixels.
        eps: regularization in normalized intensity units squared (0.01 =
            0.1^2). OpenCV's eps on 8-bit images is eps x 255^2: an OpenCV
            eps of 100 is 100 / 255**2 here.
        subsample: 1 for the exact filter; s > 1 is the fast guided filter
            (He, Sun 2015): coefficients at 1/s resolution with radius
            round(radius / s), upsampled bilinearly; about s^2 less work.
        ctx: the context to run on; None uses default_context().
        out: optional result array (src's shape at the guide's size).
        dtype: the result's dtype when out is None (float32, uint16, uint8).

    Returns:
        The filtered image: H x W (x C as src), float32 in normalized units.

    >>> smooth = jfilter.guided_filter(rgb, depth, radius=8, eps=0.01)   # doctest: +SKIP
    """
    return _joint("jf_guided_filter", guide, src,
                  (int(radius), float(eps), int(subsample)), ctx, out, dtype)


def joint_bilateral(guide: np.ndarray, src: np.ndarray, diameter: int, sigma_color: float,
                    sigma_space: float, ctx: Optional[Context] = None, *,
                    out: Optional[np.ndarray] = None, dtype: DTypeLike = np.float32) -> np.ndarray:
    """Joint (cross) bilateral filter, as cv2.ximgproc.jointBilateralFilter.

    Each output pixel averages src over a disk of radius diameter / 2,
    weighted by distance, exp(-d^2 / (2 sigma_space^2)), and by guide
    similarity, exp(-D^2 / (2 sigma_color^2)) with D the sum over the guide's
    channels of |difference|: src is smoothed without crossing the guide's
    edges (flash / no-flash denoising, depth refinement). Borders mirror
    without repeating the edge pixel (BORDER_REFLECT_101).

    Args:
        guide: the joint image, H x W or H x W x 3/4; uint8, uint16 or float32.
        src: the image to filter, the guide's size; gray or colour.
        diameter: window diameter in pixels; <= 0 takes the radius
            round(1.5 sigma_space) as OpenCV does.
        sigma_color: colour sigma in normalized units (an OpenCV sigmaColor
            of 25 on 8-bit images is 25 / 255).
        sigma_space: spatial sigma in pixels.
        ctx, out, dtype: as in guided_filter.

    Returns:
        The filtered image: H x W (x C as src), float32 in normalized units.

    >>> clean = jfilter.joint_bilateral(flash, noflash, 9, 0.1, 4.0)   # doctest: +SKIP
    """
    return _joint("jf_joint_bilateral", guide, src,
                  (int(diameter), float(sigma_color), float(sigma_space)), ctx, out, dtype)


def jbu(guide: np.ndarray, low: np.ndarray, radius: int, sigma_color: float, sigma_space: float,
        ctx: Optional[Context] = None, *, out: Optional[np.ndarray] = None,
        dtype: DTypeLike = np.float32) -> np.ndarray:
    """Joint bilateral upsampling (Kopf et al. 2007): `low` to the guide's size.

    Each output pixel averages the (2 radius + 1)^2 low-resolution pixels
    around its position (clipped to the image), weighted by distance,
    exp(-d^2 / (2 sigma_space^2)), and by how close the guide at that pixel's
    centre is to the guide at the output pixel, exp(-|dI|^2 / (2
    sigma_color^2)) (Euclidean over channels): edges come from the guide,
    values from low.

    Args:
        guide: the high-resolution guidance, H x W or H x W x 3/4.
        low: the low-resolution image (any size up to the guide's; pixel
            centres aligned, so 8x smaller for 8x); gray or colour.
        radius: window radius in low-resolution pixels (2 is typical).
        sigma_color: colour sigma in normalized units (0.1 is typical).
        sigma_space: spatial sigma in low-resolution pixels (1 is typical).
        ctx, out, dtype: as in guided_filter.

    Returns:
        The upsampled image at the guide's size, float32 in normalized units.

    >>> depth = jfilter.jbu(rgb, depth_low, radius=2, sigma_color=0.1, sigma_space=1.0)  # doctest: +SKIP
    """
    return _joint("jf_jbu", guide, low,
                  (int(radius), float(sigma_color), float(sigma_space)), ctx, out, dtype)


def bicubic(src: np.ndarray, scale: Optional[int] = None, *, shape: Optional[Tuple[int, int]] = None,
            mode: str = "opencv", ctx: Optional[Context] = None, out: Optional[np.ndarray] = None,
            dtype: DTypeLike = np.float32) -> np.ndarray:
    """Bicubic resizing, the baseline of joint upsampling (and the first step
    of the learned models).

    Args:
        src: H x W or H x W x C; uint8, uint16 or float32.
        scale: output = src's size x scale (an integer), or
        shape: (height, width) of the output (numpy order, not cv2's (w, h)),
            or the shape of `out`.
        mode: "opencv": cv2.resize INTER_CUBIC (a = -0.75, border
            replicated); "pil": PIL's Image.resize BICUBIC (Keys a = -0.5,
            antialiased when shrinking).
        ctx, out, dtype: as in guided_filter.

    Returns:
        The resized image, float32 in normalized units, src's channels.

    >>> up = jfilter.bicubic(depth_low, 8, mode="pil")            # doctest: +SKIP
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be 'opencv' or 'pil', not {mode!r}")
    s_img, s_arr = _images.as_image("src", src)
    if sum(x is not None for x in (scale, shape)) > 1:
        raise ValueError("give the output size by one of scale or shape")
    if scale is not None:
        if not isinstance(scale, (int, np.integer)) or not 1 <= scale <= 64:
            raise ValueError(f"scale must be an integer 1..64, not {scale!r}")
        h, w = s_arr.shape[0] * int(scale), s_arr.shape[1] * int(scale)
    elif shape is not None:
        if len(shape) != 2:
            raise ValueError(f"shape must be (height, width), not {shape!r}")
        h, w = int(shape[0]), int(shape[1])
    elif out is not None:
        h, w = out.shape[0], out.shape[1]
    else:
        raise ValueError("give the output size: scale=, shape=(height, width) or out=")
    if not (1 <= h <= _images.MAX_SIDE and 1 <= w <= _images.MAX_SIDE):
        raise ValueError(f"output size {h} x {w}: each side must be 1..{_images.MAX_SIDE}")
    result = _images.output("out", out, _result_shape(s_arr, h, w), dtype)
    o_img = _images.out_image(result)
    _call(ctx, "jf_bicubic", ctypes.byref(s_img), ctypes.byref(o_img), _MODES[mode])
    del s_arr
    return result
