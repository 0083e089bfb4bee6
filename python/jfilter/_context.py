"""_context.py - OpenCL devices and jfilter.Context (one device queue and its
compiled kernels), plus the shared default context the functions use when
given ctx=None."""
from __future__ import annotations

import atexit
import ctypes
import threading
import weakref
from dataclasses import dataclass
from typing import List, Optional, Union

from . import _lib
from ._errors import check


@dataclass(frozen=True)
class Device:
    """One OpenCL device, as `jfilter devices` lists it."""
    index: int             #: global index over all platforms (what Context(device=0) takes)
    name: str
    vendor: str
    platform: str
    version: str           #: CL_DEVICE_VERSION
    driver_version: str
    is_gpu: bool
    is_cpu: bool
    compute_units: int
    clock_mhz: int
    global_mem_bytes: int
    max_alloc_bytes: int


def _device(info: _lib.DeviceInfo) -> Device:
    text = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return Device(info.index, text(info.name), text(info.vendor), text(info.platform),
                  text(info.version), text(info.driver_version), bool(info.is_gpu),
                  bool(info.is_cpu), info.compute_units, info.clock_mhz, info.global_mem_bytes,
                  info.max_alloc_bytes)


def devices() -> List[Device]:
    """Every OpenCL device of this machine, over all platforms, in the order of
    their global index (the numbers `Context(device=...)` and $JF_DEVICE take).

    >>> [d.name for d in jfilter.devices()]      # doctest: +SKIP
    ['NVIDIA GeForce RTX 4090', 'pthread-skylake-avx512-AMD EPYC']
    """
    lib = _lib.load()
    n = ctypes.c_int(0)
    check(lib.jf_device_count(ctypes.byref(n)), None)
    out = []
    for i in range(n.value):
        info = _lib.DeviceInfo()
        check(lib.jf_device_get_info(i, ctypes.byref(info)), None)
        out.append(_device(info))
    return out


class Context:
    """An OpenCL device queue with jfilter's compiled kernels.

    Args:
        device: which device, as the C library and `jfilter --device` take it:
            None (or "") for $JF_DEVICE, else the best device (a GPU first);
            an int or "0", "1", ... for a global index from devices();
            "gpu" or "cpu" for the first device of that kind; any other text
            for the first device whose name, vendor or platform contains it.

    The first use of a kind of filter on a context compiles its kernels (cached
    on disk in $JF_CACHE_DIR, default ~/.cache/jfilter), so keep a context for
    many calls. A context is used by one thread at a time: calls from several
    threads on one context wait for each other; give each thread its own
    context to run in parallel.

    Free it with close() or a with-block; models loaded on it are closed first.

    >>> with jfilter.Context("cpu") as ctx:          # doctest: +SKIP
    ...     out = jfilter.guided_filter(rgb, depth, 8, 0.01, ctx=ctx)
    """

    def __init__(self, device: Union[None, int, str] = None):
        lib = _lib.load()
        spec = None if device is None else str(device).encode()
        handle = ctypes.c_void_p()
        self._handle: Optional[int] = None
        self._lock = threading.RLock()
        self._models: "weakref.WeakSet" = weakref.WeakSet()
        check(lib.jf_context_create(ctypes.byref(handle), spec), None)
        self._handle = handle.value
        self._lib = lib
        self.device: Device = _device(lib.jf_context_device(self._handle).contents)
        """The device this context runs on."""

    def _live(self) -> int:
        if self._handle is None:
            raise ValueError("jfilter.Context is closed")
        return self._handle

    @property
    def closed(self) -> bool:
        return self._handle is None

    @property
    def stats(self) -> dict:
        """Kernel build statistics: compile_ms, programs_built, programs_from_cache."""
        with self._lock:
            s = _lib.ContextStats()
            check(self._lib.jf_context_get_stats(self._live(), ctypes.byref(s)), self._handle)
            return {"compile_ms": s.compile_ms, "programs_built": s.programs_built,
                    "programs_from_cache": s.programs_from_cache}

    def close(self) -> None:
        """Frees the context's device resources (and first every model loaded
        on it). Safe to call twice; the context cannot be used afterwards."""
        with self._lock:
            if self._handle is None:
                return
            for m in list(self._models):
                m.close()
            self._lib.jf_context_destroy(self._handle)
            self._handle = None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: modules may be gone
            pass

    def __repr__(self) -> str:
        state = "closed" if self._handle is None else repr(self.device.name)
        return f"<jfilter.Context {state}>"


_default: Optional[Context] = None
_default_lock = threading.Lock()


def default_context() -> Context:
    """The context functions use when given ctx=None: created on first use on
    the default device ($JF_DEVICE, else the best one) and kept until exit."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Context()
        return _default


def resolve(ctx: Optional[Context]) -> Context:
    if ctx is None:
        return default_context()
    if not isinstance(ctx, Context):
        raise TypeError(f"ctx must be a jfilter.Context or None, not {type(ctx).__name__}")
    return ctx


@atexit.register
def _close_default() -> None:
    if _default is not None:
        _default.close()
