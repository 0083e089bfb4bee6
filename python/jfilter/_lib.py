"""_lib.py - finds libjfilter, loads it with ctypes and declares the C API.

Only the public API of include/jfilter.h is used (ABI mode: no compiler at
install time). The structs mirror the header field by field; keep them in step.

The library is found, in order, at:
  1. $JFILTER_LIBRARY (a path to libjfilter.so; an error if it does not load);
  2. the build tree of the source checkout this package comes from
     (<source>/build/libjfilter.so), either the one around this file
     (PYTHONPATH=python, editable installs) or the one recorded by `pip install`;
  3. the system loader (libjfilter.so.0 after `cmake --install` + ldconfig,
     or LD_LIBRARY_PATH).
"""
from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import List, Optional

from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_float, c_int, c_size_t,
                    c_uint, c_uint64, c_void_p)

# The library's major version this binding's struct layouts were written for.
ABI_MAJOR = 0

# Trailing spare bytes on the structs without a size member that we hand to
# the library (jf_device_info, jf_context_stats): a newer library may write a
# larger struct into ours. The growing structs (jf_image, jf_run_options,
# jf_model_info) say their size instead: _Sized sets it to the C sizeof of the
# fields declared here, and the library reads or writes no more than that.
_SPARE = 512


class _Sized(Structure):
    """A struct whose first member `size` is set to the C sizeof of its fields."""

    def __init__(self, *args, **kw):
        super().__init__(ctypes.sizeof(type(self)), *args, **kw)


class Image(_Sized):
    """struct jf_image: a borrowed, interleaved host image."""
    _fields_ = [("size", c_size_t), ("width", c_int), ("height", c_int), ("channels", c_int), ("type", c_int),
                ("order", c_int), ("stride", c_size_t), ("data", c_void_p)]


class DeviceInfo(Structure):
    """struct jf_device_info."""
    _fields_ = [("index", c_int), ("is_gpu", c_int), ("is_cpu", c_int), ("compute_units", c_uint),
                ("clock_mhz", c_uint), ("global_mem_bytes", c_uint64), ("max_alloc_bytes", c_uint64),
                ("name", c_char * 256), ("vendor", c_char * 256), ("platform", c_char * 256),
                ("version", c_char * 256), ("driver_version", c_char * 128),
                ("_spare", c_char * _SPARE)]


class ContextStats(Structure):
    """struct jf_context_stats."""
    _fields_ = [("compile_ms", c_double), ("programs_built", c_int), ("programs_from_cache", c_int),
                ("_spare", c_char * _SPARE)]


class ModelInfo(_Sized):
    """struct jf_model_info."""
    _fields_ = [("size", c_size_t), ("architecture", c_char * 32), ("scale", c_int), ("kernel_size", c_int),
                ("window_size", c_int), ("residual", c_int), ("guide_order", c_char * 8),
                ("upsample", c_char * 16), ("coefficients", c_int), ("degradation", c_char * 16),
                ("gray_target", c_int), ("colour_target", c_int), ("whole_image", c_int),
                ("has_lambda", c_int), ("lambda_default", c_float), ("lambda_min", c_float),
                ("lambda_max", c_float)]


PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int, c_int)


class RunOptions(_Sized):
    """struct jf_run_options."""
    _fields_ = [("size", c_size_t), ("scale", c_int), ("progress", PROGRESS_FN), ("progress_user", c_void_p),
                ("memory_budget", c_size_t), ("alpha", POINTER(c_float)), ("beta", POINTER(c_float)),
                ("normalize", c_int), ("invalid", c_int), ("invalid_value", c_float), ("keep_holes", c_int),
                ("lambda_", c_float)]

# jf_normalize_mode, jf_invalid_mode
NORMALIZE_NONE, NORMALIZE_VALID = 0, 1
INVALID_NONE, INVALID_ZERO, INVALID_NAN, INVALID_VALUE = 0, 1, 2, 3


_P_IMAGE = POINTER(Image)

# name: (result type, argument types)
_PROTOTYPES = {
    "jf_status_string": (c_char_p, [c_int]),
    "jf_version": (c_char_p, []),
    "jf_device_count": (c_int, [POINTER(c_int)]),
    "jf_device_get_info": (c_int, [c_int, POINTER(DeviceInfo)]),
    "jf_context_create": (c_int, [POINTER(c_void_p), c_char_p]),
    "jf_context_destroy": (None, [c_void_p]),
    "jf_last_error": (c_char_p, [c_void_p]),
    "jf_context_device": (POINTER(DeviceInfo), [c_void_p]),
    "jf_context_get_stats": (c_int, [c_void_p, POINTER(ContextStats)]),
    "jf_model_load": (c_int, [c_void_p, c_char_p, POINTER(c_void_p)]),
    "jf_model_load_memory": (c_int, [c_void_p, c_void_p, c_size_t, POINTER(c_void_p)]),
    "jf_model_destroy": (None, [c_void_p]),
    "jf_model_get_info": (c_int, [c_void_p, POINTER(ModelInfo)]),
    "jf_model_flops": (c_int, [c_void_p, c_int, c_int, POINTER(c_double)]),
    "jf_model_run": (c_int, [c_void_p, _P_IMAGE, _P_IMAGE, _P_IMAGE, POINTER(RunOptions)]),
    "jf_model_smooth": (c_int, [c_void_p, _P_IMAGE, _P_IMAGE, POINTER(RunOptions)]),
    "jf_guided_filter": (c_int, [c_void_p, _P_IMAGE, _P_IMAGE, _P_IMAGE, c_int, c_float, c_int]),
    "jf_joint_bilateral": (c_int, [c_void_p, _P_IMAGE, _P_IMAGE, _P_IMAGE, c_int, c_float, c_float]),
    "jf_jbu": (c_int, [c_void_p, _P_IMAGE, _P_IMAGE, _P_IMAGE, c_int, c_float, c_float]),
    "jf_bicubic": (c_int, [c_void_p, _P_IMAGE, _P_IMAGE, c_int]),
}

_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def source_trees() -> List[Path]:
    """Source checkouts this package may belong to: the one around this file,
    then the one `pip install` recorded (see setup.py)."""
    trees = []
    here = Path(__file__).resolve().parent.parent.parent
    if (here / "include" / "jfilter.h").is_file():
        trees.append(here)
    try:
        from ._build_paths import SOURCE_DIR  # written by setup.py at install time
    except ImportError:
        SOURCE_DIR = None
    if SOURCE_DIR and (Path(SOURCE_DIR) / "include" / "jfilter.h").is_file() and Path(SOURCE_DIR) not in trees:
        trees.append(Path(SOURCE_DIR))
    return trees


def _system_names() -> List[str]:
    if sys.platform == "darwin":
        return ["libjfilter.0.dylib", "libjfilter.dylib"]
    if sys.platform == "win32":
        return ["jfilter.dll"]
    return ["libjfilter.so.0", "libjfilter.so"]


def _candidates() -> List[str]:
    so = _system_names()[-1]
    return [str(t / "build" / so) for t in source_trees()] + _system_names()


def _declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def load() -> ctypes.CDLL:
    """The loaded library (loaded on first use, so `import jfilter` and help()
    work without it). Raises OSError naming every place tried."""
    global _lib, _path
    with _lock:
        if _lib is not None:
            return _lib
        env = os.environ.get("JFILTER_LIBRARY")
        # ctypes.CDLL (not PyDLL) releases the GIL around every foreign call, so
        # other Python threads run while a filter or a model runs in C.
        if env:
            try:
                lib = ctypes.CDLL(env)
            except OSError as e:
                raise OSError(f"jfilter: $JFILTER_LIBRARY={env} does not load: {e}") from None
            path = env
        else:
            lib, path, errors = None, None, []
            for cand in _candidates():
                if os.sep in cand and not os.path.exists(cand):
                    errors.append(f"{cand} (no such file)")
                    continue
                try:
                    lib, path = ctypes.CDLL(cand), cand
                    break
                except OSError as e:
                    errors.append(f"{cand} ({e})")
            if lib is None:
                raise OSError("jfilter: the jfilter C library was not found. Tried $JFILTER_LIBRARY "
                              "(unset), " + ", ".join(errors) + ". Build it (cmake -B build && "
                              "cmake --build build) or set JFILTER_LIBRARY=/path/to/libjfilter.so.")
        try:
            _declare(lib)
        except AttributeError as e:
            raise OSError(f"jfilter: {path} is not a compatible libjfilter: {e}") from None
        major = int(lib.jf_version().decode().split(".")[0])
        if major != ABI_MAJOR:
            raise OSError(f"jfilter: {path} is version {lib.jf_version().decode()}; this package "
                          f"needs major version {ABI_MAJOR}")
        _lib, _path = lib, path
        return lib


def path() -> str:
    """The path (or loader name) the library was loaded from."""
    load()
    assert _path is not None
    return _path
