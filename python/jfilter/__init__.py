"""jfilter - learned and classical joint image filters on any OpenCL device.

A joint filter transfers the structure of a guidance image (colour, flash,
NIR) to a target (a low-resolution depth map, a noisy photo). NumPy arrays in
and out: uint8, uint16 or float32 (normalized units: 8-bit / 255, 16-bit /
65535), H x W or H x W x C; results are float32 unless asked otherwise.

    import jfilter
    jfilter.devices()                             # the OpenCL devices
    ctx = jfilter.Context(device="gpu")           # None: $JF_DEVICE, else the best
    m = jfilter.load_model("fdkn_x8", ctx)        # a name or a .safetensors path
    depth = m.run(rgb, depth_low, scale=8)        # float32 H x W
    smooth = jfilter.guided_filter(rgb, depth, radius=8, eps=0.01, ctx=ctx)
    jfilter.run_batch(jfilter.match_pairs("rgb/*.png", "depth/*.png"), "out/",
                      "fdkn_x8", scale=8, devices="all")   # folders, every device

jfilter.dask.map_pairs() spreads pairs over a Dask cluster (import jfilter.dask).

Contiguous inputs are read in place (no copy) and the GIL is released while C
runs, so threads with one context each run in parallel. Failures raise
jfilter.Error with the library's message; bad dtypes raise TypeError and bad
shapes ValueError. The package binds the C library libjfilter through ctypes:
see jfilter.library_path() for which one was found.
"""
from __future__ import annotations

from . import _lib
from ._batch import BatchSummary, Pair, PairResult, match_pairs, run_batch
from ._context import Context, Device, default_context, devices
from ._errors import Error, ModelNotFoundError
from ._filters import bicubic, guided_filter, jbu, joint_bilateral
from ._models import Model, ModelInfo, find_model, load_model, weights_dirs

__version__ = "0.1.0"

__all__ = [
    "BatchSummary", "Context", "Device", "Error", "Model", "ModelInfo", "ModelNotFoundError", "Pair",
    "PairResult", "bicubic", "default_context", "devices", "find_model", "guided_filter", "jbu",
    "joint_bilateral", "library_path", "library_version", "load_model", "match_pairs", "run_batch",
    "weights_dirs",
]


# help() and repr() name the public module, not the private one each lives in
for _obj in (BatchSummary, Context, Device, Error, Model, ModelInfo, ModelNotFoundError, Pair,
             PairResult, bicubic, default_context, devices, find_model, guided_filter, jbu,
             joint_bilateral, load_model, match_pairs, run_batch, weights_dirs):
    _obj.__module__ = __name__
del _obj


def library_version() -> str:
    """The C library's version, "MAJOR.MINOR.PATCH" (jf_version)."""
    return _lib.load().jf_version().decode()


def library_path() -> str:
    """Where libjfilter was loaded from: $JFILTER_LIBRARY, the source tree's
    build/libjfilter.so, or a name the system loader resolved."""
    return _lib.path()
