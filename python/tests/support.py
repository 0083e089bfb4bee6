"""support.py - helpers for the tests: where the source tree is, image files
for the CLI, random test images and comparisons."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

SOURCE = Path(__file__).resolve().parents[2]
SAMPLE = SOURCE / "weights" / "sample"


def write_image(path: Path, a: np.ndarray) -> Path:
    """Writes a for the CLI: float32 as .npy, uint8/uint16 as PNG (RGB order
    in the array, as the CLI reads PNGs)."""
    if a.dtype == np.float32:
        path = path.with_suffix(".npy")
        np.save(path, a)
    else:
        path = path.with_suffix(".png")
        b = a[..., ::-1] if a.ndim == 3 and a.shape[2] >= 3 else a
        if a.ndim == 3 and a.shape[2] == 4:
            b = a[..., [2, 1, 0, 3]]
        assert cv2.imwrite(str(path), np.ascontiguousarray(b)), path
    return path


def random_image(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    """Smooth-ish random images (noise over gradients), so filters have edges to keep."""
    h, w = shape[0], shape[1]
    base = np.add.outer(np.linspace(0, 0.6, h), np.linspace(0, 0.4, w))
    if len(shape) == 3:
        base = base[..., None] * np.linspace(0.5, 1.0, shape[2])
    x = np.clip(base + 0.4 * rng.random(shape), 0, 1)
    if dtype == np.uint8:
        return (x * 255).round().astype(np.uint8)
    if dtype == np.uint16:
        return (x * 65535).round().astype(np.uint16)
    return x.astype(np.float32)


def normalized(a: np.ndarray) -> np.ndarray:
    """a in jfilter's normalized float units."""
    if a.dtype == np.uint8:
        return a.astype(np.float32) / 255
    if a.dtype == np.uint16:
        return a.astype(np.float32) / 65535
    return a.astype(np.float32)


def assert_same(a: np.ndarray, b: np.ndarray) -> None:
    """The Python result equals the CLI's: same library, same input, so the
    only slack allowed is float rounding noise."""
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=0, atol=2e-6)
