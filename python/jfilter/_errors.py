"""_errors.py - jfilter.Error: a failed C call, with the library's message and status."""
from __future__ import annotations

from typing import Optional

from . import _lib

# jf_status values (pinned in include/jfilter.h) and their enum names.
STATUS_NAMES = {
    0: "JF_OK",
    -1: "JF_ERR_INVALID_ARGUMENT",
    -2: "JF_ERR_OUT_OF_MEMORY",
    -3: "JF_ERR_IO",
    -4: "JF_ERR_BAD_FORMAT",
    -5: "JF_ERR_UNSUPPORTED",
    -6: "JF_ERR_NO_DEVICE",
    -7: "JF_ERR_OPENCL",
    -8: "JF_ERR_BUILD",
    -9: "JF_ERR_SIZE_MISMATCH",
    -10: "JF_ERR_DEVICE_MEMORY",
    -11: "JF_ERR_BLAS",
    -12: "JF_ERR_CANCELLED",
}


class Error(RuntimeError):
    """A jfilter C call failed.

    Attributes:
        message: the library's details (jf_last_error): the OpenCL build log,
            the file and field of a bad model file, the sizes that do not fit.
        status: the jf_status code (a negative int).
        status_name: its enum name, e.g. "JF_ERR_SIZE_MISMATCH".
    """

    def __init__(self, message: str, status: int):
        self.message = message
        self.status = status
        self.status_name = STATUS_NAMES.get(status, f"jf_status {status}")
        super().__init__(f"{message} ({self.status_name})" if message else self.status_name)


class ModelNotFoundError(Error, FileNotFoundError):
    """load_model() was given a model name that no weights folder holds."""

    def __init__(self, message: str):
        Error.__init__(self, message, -3)  # JF_ERR_IO, what jf_model_load says for a missing file


def check(status: int, handle: Optional[int]) -> None:
    """Raises Error for a failed status, with jf_last_error(handle)."""
    if status != 0:
        lib = _lib.load()
        msg = lib.jf_last_error(handle).decode("utf-8", "replace")
        raise Error(msg or lib.jf_status_string(status).decode(), status)
