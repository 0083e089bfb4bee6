"""_io.py - image files for batch runs: PNG (through OpenCV, else Pillow) and
float32 .npy in, PNG (8/16-bit) or .npy out, written atomically (a failure
leaves no file)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Tuple

import numpy as np


def _png_backend():
    try:
        import cv2
        return "cv2", cv2
    except ImportError:
        pass
    try:
        from PIL import Image
        return "pil", Image
    except ImportError:
        raise ImportError("reading and writing PNG needs OpenCV (apt-get install python3-opencv, "
                          "pip install opencv-python-headless) or Pillow; .npy works without") from None


def read_image(path: os.PathLike) -> Tuple[np.ndarray, str]:
    """The image at path and its channel order ("rgb" or "bgr"): PNG as
    uint8/uint16 H x W (x C), .npy as stored (float32 H x W or H x W x C)."""
    p = Path(path)
    if p.suffix.lower() == ".npy":
        return np.load(p, allow_pickle=False), "rgb"
    kind, lib = _png_backend()
    if kind == "cv2":
        a = lib.imread(str(p), lib.IMREAD_UNCHANGED)
        if a is None:
            raise OSError(f"{p}: cannot be read as an image")
        return a, "bgr"  # cv2 gives BGR(A); jfilter reads that order in place
    with lib.open(p) as im:
        return np.asarray(im), "rgb"


def write_image(path: os.PathLike, a: np.ndarray) -> None:
    """Writes a gray result: uint8/uint16 as PNG, float32 as .npy; through a
    temporary file in the same folder, renamed into place when complete."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=p.suffix, dir=p.parent)
    os.close(fd)
    try:
        if p.suffix.lower() == ".npy":
            np.save(tmp, a)
        else:
            kind, lib = _png_backend()
            if kind == "cv2":
                if not lib.imwrite(tmp, a):
                    raise OSError(f"{p}: cannot be written")
            else:
                lib.fromarray(a).save(tmp, format="PNG")
        os.replace(tmp, p)
    except BaseException:
        os.unlink(tmp)
        raise
