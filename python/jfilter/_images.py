"""_images.py - NumPy arrays as borrowed jf_image views, and result arrays.

An input array is passed to C by its own pointer whenever the library can read
it in place: pixels of a row packed (the last axes C-contiguous) and rows any
whole number of elements apart, which covers C-contiguous arrays and row crops
such as a[10:50, 20:80]. Anything else (a transposed or channel-reversed view,
a non-native byte order) is copied once with numpy.ascontiguousarray.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np

from ._lib import Image

# dtype -> jf_pixel_type
PIXEL_TYPES = {np.dtype(np.uint8): 0, np.dtype(np.uint16): 1, np.dtype(np.float32): 2}
ORDERS = {"rgb": 0, "bgr": 1}
MAX_SIDE = 65535


def _dtype_error(role: str, dtype: Any) -> TypeError:
    return TypeError(f"{role}: dtype {dtype} is not supported; pass uint8, uint16 or float32 "
                     f"(float32 in normalized units, 0..1; e.g. {role}.astype(numpy.float32))")


def check_dtype(role: str, dtype: Any) -> np.dtype:
    """The dtype as a numpy.dtype, or TypeError when jfilter cannot take it."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise _dtype_error(role, dtype) from None
    if dt.newbyteorder("=") not in PIXEL_TYPES:
        raise _dtype_error(role, dt)
    return dt


def _geometry(role: str, a: np.ndarray, channels: Sequence[int]) -> Tuple[int, int, int]:
    if a.ndim == 2:
        c = 1
    elif a.ndim == 3:
        c = a.shape[2]
    else:
        raise ValueError(f"{role}: expected an H x W or H x W x C array, got shape {a.shape}")
    if c not in channels:
        allowed = ", ".join(map(str, channels))
        raise ValueError(f"{role}: {c} channels (shape {a.shape}); jfilter takes {allowed}")
    h, w = a.shape[0], a.shape[1]
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise ValueError(f"{role}: shape {a.shape}; each side must be 1..{MAX_SIDE} pixels")
    return h, w, c


def _row_stride(a: np.ndarray, w: int, c: int) -> Optional[int]:
    """The row stride in bytes when C can read a in place, else None."""
    if not a.flags.aligned or a.dtype.byteorder not in "=|" or a.size == 0:
        return None
    item = a.itemsize
    if w > 1 and a.strides[1] != c * item:
        return None
    if a.ndim == 3 and c > 1 and a.strides[2] != item:
        return None
    if a.shape[0] == 1:
        return 0  # one row: its stride is never used
    s = a.strides[0]
    return s if s >= w * c * item and s % item == 0 else None


def as_image(role: str, array: Any, channels: Sequence[int] = (1, 3, 4),
             order: str = "rgb") -> Tuple[Image, np.ndarray]:
    """A jf_image over array's pixels, and the array that owns them (keep it
    alive for the C call). Raises TypeError (dtype) or ValueError (shape)."""
    a = array if isinstance(array, np.ndarray) else np.asarray(array)
    check_dtype(role, a.dtype)
    h, w, c = _geometry(role, a, channels)
    stride = _row_stride(a, w, c)
    if stride is None:
        a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("="))
        stride = 0
    img = Image(w, h, c, PIXEL_TYPES[a.dtype], ORDERS[order], stride, a.ctypes.data)
    return img, a


def output(role: str, out: Optional[np.ndarray], shape: Tuple[int, ...], dtype: Any) -> np.ndarray:
    """A result array: a new one, or the caller's `out` checked to fit."""
    if out is None:
        return np.empty(shape, dtype=check_dtype("dtype", dtype))
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{role}: out must be a numpy.ndarray, not {type(out).__name__}")
    check_dtype(role, out.dtype)
    if out.shape != tuple(shape):
        raise ValueError(f"{role}: out has shape {out.shape}; this call writes {tuple(shape)}")
    if not out.flags.writeable:
        raise ValueError(f"{role}: out is read-only")
    if out.dtype.byteorder not in "=|":
        raise ValueError(f"{role}: out must be in the machine's byte order (dtype {out.dtype})")
    if _row_stride(out, shape[1], shape[2] if len(shape) == 3 else 1) is None:
        raise ValueError(f"{role}: out must have packed rows (C-contiguous or a row crop of one)")
    return out


def out_image(out: np.ndarray, order: str = "rgb") -> Image:
    """A jf_image over an array accepted by output(); a colour result is written in `order`."""
    h, w = out.shape[0], out.shape[1]
    c = out.shape[2] if out.ndim == 3 else 1
    stride = _row_stride(out, w, c)
    return Image(w, h, c, PIXEL_TYPES[out.dtype.newbyteorder("=")], ORDERS[order], stride or 0, out.ctypes.data)
