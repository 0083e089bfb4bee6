"""_models.py - learned joint filters: load_model(), Model.run() and the model
lookup by name (the same folders as `jfilter run --model`)."""
from __future__ import annotations

import ctypes
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Tuple, Union

import numpy as np
from numpy.typing import DTypeLike

from . import _images, _lib
from ._context import Context, resolve
from ._errors import Error, ModelNotFoundError, check

# Architectures whose run can also return the coefficient maps of
# output = alpha * guide + beta. (A newer jf_model_info may say so itself.)
COEFFICIENT_ARCHITECTURES = ("svlrm",)


@dataclass(frozen=True)
class ModelInfo:
    """What a model file says about itself (jf_model_info)."""
    architecture: str   #: "fdkn", "dkn", "svlrm", ...
    scale: int          #: the upsampling factor it was trained for
    kernel_size: int    #: k of the k x k kernel (DKN/FDKN)
    window_size: int    #: the deformable window (DKN/FDKN)
    residual: bool      #: the model adds its (upsampled) input
    guide_order: str    #: "bgr" or "rgb": the plane order the network expects
    upsample: str       #: "pil" (Keys a=-0.5) or "opencv" (a=-0.75): how a low-res target is upsampled
    path: Optional[str]  #: the file it was loaded from (None: from memory)
    #: how the low-res inputs it was trained on were made: "bicubic" (PIL, antialiased),
    #: "area" or "subsample" (gt[s-1::s, s-1::s], SVLRM); "" when not known
    degradation: str = ""
    gray_target: bool = True      #: it filters one-channel targets (depth, a gray image)
    colour_target: bool = False   #: it filters colour targets (smoothing models): colour out
    whole_image: bool = False     #: it normalises over the whole image, so it never tiles
    #: (default, min, max) of the smoothing strength it takes (lambda_=), None when it takes none
    lambda_range: Optional[Tuple[float, float, float]] = None


def weights_dirs() -> List[Path]:
    """Where model names are looked up, in order: $JF_WEIGHTS_DIR, the source
    tree's weights/, then the installed share/jfilter/weights (beside the
    loaded library, under this Python's prefix, /usr/local and /usr)."""
    dirs: List[Path] = []
    env = os.environ.get("JF_WEIGHTS_DIR")
    if env:
        dirs.append(Path(env))
    dirs += [t / "weights" for t in _lib.source_trees()]
    lib = os.environ.get("JFILTER_LIBRARY")
    if lib:
        dirs.append(Path(lib).resolve().parent.parent / "share" / "jfilter" / "weights")
    for prefix in (sys.prefix, "/usr/local", "/usr"):
        dirs.append(Path(prefix) / "share" / "jfilter" / "weights")
    seen, out = set(), []
    for d in dirs:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def find_model(name: str) -> str:
    """The model file for `name`: a path as is (anything with a / or ending in
    .safetensors, or an existing file), else name + ".safetensors" in the first
    of weights_dirs() that has it. Raises ModelNotFoundError naming them."""
    name = os.fspath(name)
    if os.sep in name or "/" in name or name.endswith(".safetensors") or os.path.isfile(name):
        return name
    dirs = weights_dirs()
    for d in dirs:
        p = d / f"{name}.safetensors"
        if p.is_file():
            return str(p)
    raise ModelNotFoundError(f"model '{name}' not found; looked for {name}.safetensors in "
                             + ", ".join(map(str, dirs)) + ". Pass a path to a .safetensors file.")


ProgressFn = Callable[[int, int], Optional[bool]]


class Model:
    """A learned joint filter loaded on a context; made by load_model()."""

    def __init__(self, handle: int, ctx: Context, path: Optional[str]):
        self._handle: Optional[int] = None  # set once nothing can fail (load_model frees it otherwise)
        self._ctx = ctx  # the model borrows the context: keep it alive as long as the model
        info = _lib.ModelInfo()
        check(ctx._lib.jf_model_get_info(handle, ctypes.byref(info)), ctx._handle)
        dec = lambda b: b.decode("utf-8", "replace")  # noqa: E731
        self.info = ModelInfo(dec(info.architecture), info.scale, info.kernel_size,
                              info.window_size, bool(info.residual), dec(info.guide_order),
                              dec(info.upsample), path, dec(info.degradation),
                              bool(info.gray_target), bool(info.colour_target), bool(info.whole_image),
                              (info.lambda_default, info.lambda_min, info.lambda_max)
                              if info.has_lambda else None)
        """The model's description (ModelInfo)."""
        self._handle = handle
        ctx._models.add(self)

    @property
    def context(self) -> Context:
        return self._ctx

    @property
    def closed(self) -> bool:
        return self._handle is None

    def _live(self) -> int:
        if self._handle is None:
            raise ValueError("jfilter.Model is closed")
        return self._handle

    def flops(self, width: int, height: int) -> float:
        """Floating-point operations of one run at width x height (a multiply-add counts 2)."""
        with self._ctx._lock:
            f = ctypes.c_double()
            check(self._ctx._lib.jf_model_flops(self._live(), int(width), int(height), ctypes.byref(f)),
                  self._ctx._handle)
            return f.value

    def run(self, guide: np.ndarray, target: np.ndarray, scale: Optional[int] = None, *,
            memory_budget: Optional[int] = None, coefficients: bool = False, order: str = "rgb",
            normalize: bool = True, invalid: Optional[float] = 0, keep_holes: bool = False,
            degradation: Optional[str] = None, force: bool = False, lambda_: Optional[float] = None,
            progress: Optional[ProgressFn] = None, out: Optional[np.ndarray] = None,
            dtype: DTypeLike = np.float32) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Filters `target` under `guide`; the classic job: upsample a
        low-resolution depth map under its colour image.

        Args:
            guide: the full-resolution guidance, H x W (gray) or H x W x 3/4
                (colour; a 4th channel is ignored); uint8, uint16 or float32
                (float in normalized units: 8-bit / 255, 16-bit / 65535).
            target: one channel, H x W or H x W x 1, same dtypes: either full
                size, or low resolution (h x w), then upsampled to the guide's
                size first by the model's own convention (info.upsample).
                Models with info.colour_target (smoothing models) also take a
                colour target, H x W x 3/4 in `order`, and return H x W x 3;
                depth handling (normalize, invalid) is then off.
            scale: the upsampling factor of a low-resolution target, checked
                against the sizes (guide = target x scale); None takes it
                from the sizes.
            memory_budget: device memory in bytes for intermediate maps; larger
                images run in overlapping tiles with identical results. None:
                the default, which fits a 2 GiB device.
            coefficients: SVLRM only: also return the per-pixel alpha and beta
                of output = alpha * guide + beta (float32 H x W each).
            order: "rgb" (default) or "bgr" (what cv2.imread gives): the
                channel order of a colour guide.
            normalize: True (default, as `jfilter run`): the target's valid
                pixels are min-max normalised to 0..1 for the network, as the
                models were trained, and the result comes back in the
                target's units (depth in millimetres stays millimetres).
                False: the target enters as its dtype maps it (uint16 / 65535).
            invalid: the value marking holes in the target, in its own units:
                0 (default, what depth sensors write), another number,
                float("nan"), or None for no holes. NaN is always a hole when
                normalize is on. Holes take no part in the normalisation and
                are filled from valid neighbours under the guide first
                (include/jfilter.h, jf_run_options, says how).
            keep_holes: write the holes back into the result (as they were:
                0, the invalid value or NaN; NaN is 0 in an integer result).
            degradation: how a low-resolution target was made: "bicubic"
                or "area" (resized or from a sensor: pixel centres aligned,
                what None assumes) or "subsample" (every scale-th pixel from
                scale - 1). A model trained on the other kind (info.degradation;
                SVLRM: "subsample") gives a UserWarning naming both.
            force: run at a scale the model was not trained for (else
                ValueError, as `jfilter run` refuses), and no degradation warning.
            lambda_: the smoothing strength of a model that takes one
                (info.lambda_range: default, min, max); None: its default.
            progress: called as progress(done, total) after each tile and
                stage; return True to cancel (raises Error JF_ERR_CANCELLED).
            out: optional H x W result array to write into (its dtype wins).
            dtype: the result's dtype when out is None: float32 (normalized
                units), uint16 or uint8 (clamped and rounded).

        Returns:
            The filtered image, H x W; or (out, alpha, beta) with coefficients=True.

        The GIL is released while the model runs.

        >>> m = jfilter.load_model("fdkn_x8")                     # doctest: +SKIP
        >>> depth = m.run(rgb, depth_low, scale=8)                # 8x upsampling
        """
        if order not in _images.ORDERS:
            raise ValueError(f"order must be 'rgb' or 'bgr', not {order!r}")
        if coefficients and self.info.architecture not in COEFFICIENT_ARCHITECTURES:
            raise ValueError(f"coefficients=True needs an SVLRM model; this one is "
                             f"{self.info.architecture} ({self.info.path or 'from memory'})")
        if scale is not None and (not isinstance(scale, (int, np.integer)) or not 1 <= scale <= 64):
            raise ValueError(f"scale must be an integer 1..64 or None, not {scale!r}")
        if memory_budget is not None and (not isinstance(memory_budget, (int, np.integer))
                                          or memory_budget < 1):
            raise ValueError(f"memory_budget must be a positive number of bytes or None, "
                             f"not {memory_budget!r}")
        if degradation not in (None, "bicubic", "area", "subsample"):
            raise ValueError(f"degradation must be 'bicubic', 'area', 'subsample' or None, not {degradation!r}")
        info = self.info
        if lambda_ is not None and (info.lambda_range is None or not isinstance(lambda_, (int, float, np.number))
                                    or not info.lambda_range[1] <= lambda_ <= info.lambda_range[2]):
            raise ValueError(f"lambda_={lambda_!r}: " + (
                f"this {info.architecture} model takes none" if info.lambda_range is None else
                f"this {info.architecture} model was trained on {info.lambda_range[1]:g}..{info.lambda_range[2]:g}"))
        g_img, g_arr = _images.as_image("guide", guide, order=order)
        t_img, t_arr = _images.as_image("target", target, order=order,
                                        channels=(1, 3, 4) if info.colour_target else (1,))
        colour = t_img.channels != 1
        if colour:
            normalize, invalid = False, None  # depth handling is for one-channel targets
        h, w = g_arr.shape[0], g_arr.shape[1]
        self._live()  # a closed model says so before anything else
        if not force:
            self._check_conventions(w, h, t_arr.shape[1], t_arr.shape[0], scale, degradation)
        result = _images.output("out", out, (h, w, 3) if colour else (h, w), dtype)
        o_img = _images.out_image(result)
        opt = _lib.RunOptions()
        opt.lambda_ = float(lambda_ or 0)
        opt.scale = int(scale or 0)
        opt.memory_budget = int(memory_budget or 0)
        opt.normalize = _lib.NORMALIZE_VALID if normalize else _lib.NORMALIZE_NONE
        if invalid is None:
            opt.invalid = _lib.INVALID_NONE
        elif isinstance(invalid, (int, float, np.integer, np.floating)) and not isinstance(invalid, bool):
            if np.isnan(invalid):
                opt.invalid = _lib.INVALID_NAN
            elif not np.isfinite(invalid):
                raise ValueError(f"invalid must be a finite number, nan or None, not {invalid!r}")
            else:
                opt.invalid = _lib.INVALID_ZERO if invalid == 0 else _lib.INVALID_VALUE
                opt.invalid_value = float(invalid)
        else:
            raise ValueError(f"invalid must be a number, nan or None, not {invalid!r}")
        opt.keep_holes = 1 if keep_holes else 0
        maps = None
        if coefficients:
            maps = np.empty((2, h, w), dtype=np.float32)
            opt.alpha = maps[0].ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            opt.beta = maps[1].ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        callback_error: List[BaseException] = []
        if progress is not None:
            def relay(_user, done, total):  # runs in this thread, with the GIL taken back
                try:
                    return 1 if progress(done, total) else 0
                except BaseException as e:  # noqa: BLE001 - re-raised after the C call
                    callback_error.append(e)
                    return 1
            opt.progress = _lib.PROGRESS_FN(relay)
        ctx = self._ctx
        with ctx._lock:
            st = ctx._lib.jf_model_run(self._live(), ctypes.byref(g_img), ctypes.byref(t_img),
                                       ctypes.byref(o_img), ctypes.byref(opt))
            if callback_error:
                raise callback_error[0]
            check(st, ctx._handle)
        del g_arr, t_arr  # kept alive until here: C read them in place
        if maps is not None:
            return result, maps[0], maps[1]
        return result

    __call__ = run

    def smooth(self, image: np.ndarray, *, lambda_: Optional[float] = None, order: str = "rgb",
               memory_budget: Optional[int] = None, progress: Optional[ProgressFn] = None,
               out: Optional[np.ndarray] = None, dtype: DTypeLike = np.float32) -> np.ndarray:
        """Edge-preserving smoothing of one image with a smoothing model (the
        image guides itself, as `jfilter smooth`): H x W in, H x W out; H x W x
        3/4 in `order`, H x W x 3 out. lambda_: the smoothing strength
        (info.lambda_range), None: the model's default.

        >>> flat = jfilter.load_model("fang_l0").smooth(rgb, lambda_=0.01)  # doctest: +SKIP
        """
        if not self.info.colour_target and self.info.lambda_range is None:
            raise ValueError(f"this {self.info.architecture} model is not a smoothing model: use run(guide, target)")
        return self.run(image, image, memory_budget=memory_budget, order=order, normalize=False, invalid=None,
                        lambda_=lambda_, progress=progress, out=out, dtype=dtype)

    def _check_conventions(self, w: int, h: int, tw: int, th: int, scale: Optional[int],
                           degradation: Optional[str]) -> None:
        """As `jfilter run` (host/cli_conventions.c): a factor other than the
        model's is a ValueError, a degradation of the other kind a warning."""
        i = self.info
        low = tw < w or th < h
        if low and scale and (tw * scale != w or th * scale != h):
            return  # sizes that do not fit --scale: the library's JF_ERR_SIZE_MISMATCH says so
        ratio = w // tw if low and w % tw == 0 and h % th == 0 and w // tw == h // th else 0
        asked = scale or ratio
        if i.scale > 0 and low and not scale and not ratio:
            raise ValueError(f"the {tw}x{th} target is no integer upsampling of the {w}x{h} guide, and "
                             f"this model was trained for x{i.scale}; force=True runs it anyway")
        if i.scale > 0 and asked and asked != i.scale:
            raise ValueError(f"the run asks for x{asked} upsampling, but this {i.architecture} model was "
                             f"trained for x{i.scale}: use a x{asked} model, or force=True")
        have = degradation or "bicubic"
        if low and i.degradation and (have == "subsample") != (i.degradation == "subsample"):
            warnings.warn(f"this {i.architecture} x{i.scale} model was trained on 'degradation: {i.degradation}' "
                          f"input, but the target is {'declared' if degradation else 'taken to be'} '{have}' "
                          f"(pixel centres {'at s*i+s-1' if have == 'subsample' else 'aligned'}): the result "
                          f"comes out shifted; pass degradation= to say how the target was made, or force=True",
                          UserWarning, stacklevel=3)

    def close(self) -> None:
        """Frees the model's device buffers. Safe to call twice."""
        ctx = self._ctx
        with ctx._lock:
            if self._handle is None:
                return
            ctx._lib.jf_model_destroy(self._handle)
            self._handle = None
            ctx._models.discard(self)

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: modules may be gone
            pass

    def __repr__(self) -> str:
        i = self.info
        state = " closed" if self._handle is None else ""
        return f"<jfilter.Model {i.architecture} x{i.scale} {i.path or '(memory)'}{state}>"


def load_model(model: Union[str, os.PathLike, bytes], ctx: Optional[Context] = None) -> Model:
    """Loads a learned joint filter (FDKN, DKN, SVLRM, ...) onto a context.

    Args:
        model: a model name such as "fdkn_x8" (looked up as name.safetensors in
            $JF_WEIGHTS_DIR, the source tree's weights/, then the installed
            share/jfilter/weights; see weights_dirs()), a path to a
            .safetensors file, or the file's contents as bytes.
        ctx: the context to run on; None uses default_context().

    Every offset, dtype and shape in the file is checked before anything
    reaches the device; a bad file raises Error (JF_ERR_BAD_FORMAT) naming the
    field. Free the model with close() or a with-block (or let it be collected).

    >>> m = jfilter.load_model("fdkn_x8")                         # doctest: +SKIP
    >>> m.info.architecture, m.info.scale
    ('fdkn', 8)
    """
    c = resolve(ctx)
    handle = ctypes.c_void_p()
    with c._lock:
        if isinstance(model, (bytes, bytearray, memoryview)):
            buf = (ctypes.c_char * len(model)).from_buffer_copy(model)
            check(c._lib.jf_model_load_memory(c._live(), buf, len(model), ctypes.byref(handle)),
                  c._handle)
            path = None
        else:
            path = find_model(os.fspath(model))
            check(c._lib.jf_model_load(c._live(), os.fsencode(path), ctypes.byref(handle)), c._handle)
        try:
            return Model(handle.value, c, path)
        except Error:
            c._lib.jf_model_destroy(handle.value)
            raise
