"""Derive a template from a captured sample and zeroise the sample at once (FRS-DPR-011).

The sample is a writable buffer (a `bytearray` or a NumPy array); whatever the
extractor returns or raises, every byte of the sample is overwritten with zero before
this function returns, so no copy of the face image outlives the derivation here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from reference_impl.errors import InputError


def zeroise(buffer: bytearray | np.ndarray) -> None:
    if isinstance(buffer, np.ndarray):
        buffer.fill(0)
    else:
        buffer[:] = bytes(len(buffer))


def derive_and_zeroise(sample: bytearray | np.ndarray,
                       extractor: Callable[[memoryview], np.ndarray]) -> np.ndarray:
    """The extractor's template from a read-only view of `sample`; `sample` is zeroed."""
    if isinstance(sample, bytes):
        raise InputError("the sample is an immutable bytes object and cannot be zeroised: "
                         "pass a bytearray or a NumPy array")
    try:
        view = memoryview(sample).toreadonly()
        template = np.array(extractor(view), copy=True)
        view.release()
        return template
    finally:
        zeroise(sample)
