"""Savitzky-Golay smoothing as the engine uses it, with its operators cached.

`scipy.signal.savgol_filter(..., mode="interp")` recomputes its coefficients and fits both edges
by least squares on every call; the engine calls it a dozen times per swing with a handful of
window sizes. Both steps are linear in the data, so they are matrices that depend only on
(window, order, deriv): made once here, each call is one correlation plus two small matrix
products. Same results as scipy's (to float rounding; tests/analysis/test_smoothing.py).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.ndimage import correlate1d
from scipy.signal import savgol_coeffs as _scipy_savgol_coeffs


@lru_cache(maxsize=64)
def savgol_coeffs(window: int, order: int, deriv: int = 0) -> np.ndarray:
    """The filter's taps for unit sample spacing, in correlation order (read-only)."""
    taps = _scipy_savgol_coeffs(window, order, deriv=deriv, use="dot")
    taps.flags.writeable = False
    return taps


@lru_cache(maxsize=64)
def _edge_operators(window: int, order: int, deriv: int) -> tuple[np.ndarray, np.ndarray]:
    """(half, window) matrices giving the first and last `half` outputs from the first and last
    `window` samples: the derivative of the least-squares polynomial through them, evaluated
    at each of those samples (what mode="interp" does at the edges)."""
    half = window // 2
    t = np.arange(window, dtype=np.float64)
    # Centred and scaled to [-1, 1], so the Vandermonde matrix stays well conditioned.
    centre, scale = (window - 1) / 2, max((window - 1) / 2, 1.0)
    u = (t - centre) / scale
    fit = np.linalg.pinv(np.vander(u, order + 1, increasing=True))  # coefficients in u
    powers = np.arange(order + 1)
    # d^deriv/dt^deriv of u^k = k!/(k-deriv)! u^(k-deriv) / scale^deriv
    factor = (
        np.array([np.prod(np.arange(k - deriv + 1, k + 1)) if k >= deriv else 0.0 for k in powers])
        / scale**deriv
    )

    def at(points: np.ndarray) -> np.ndarray:
        exps = np.clip(powers - deriv, 0, None)
        return ((points[:, None] - centre) / scale) ** exps[None, :] * factor[None, :] @ fit

    first = at(t[:half])
    last = at(t[window - half :])
    first.flags.writeable = last.flags.writeable = False
    return first, last


def savgol(
    x: np.ndarray,
    window: int,
    order: int,
    *,
    deriv: int = 0,
    delta: float = 1.0,
    axis: int = 0,
    mode: str = "interp",
) -> np.ndarray:
    """`scipy.signal.savgol_filter(x, window, order, deriv, delta, axis, mode)` for the modes
    the engine uses ("interp", the default, and scipy's others through scipy itself)."""
    x = np.asarray(x, dtype=np.float64)
    if mode != "interp" or x.shape[axis] < window:
        from scipy.signal import savgol_filter

        return savgol_filter(x, window, order, deriv=deriv, delta=delta, axis=axis, mode=mode)
    taps = savgol_coeffs(window, order, deriv)
    y = correlate1d(x, taps, axis=axis, mode="constant")
    first, last = _edge_operators(window, order, deriv)
    half = window // 2
    if half:
        xm = np.moveaxis(x, axis, 0)
        ym = np.moveaxis(y, axis, 0)
        rest = xm.shape[1:]
        head = first @ xm[:window].reshape(window, -1)
        tail = last @ xm[-window:].reshape(window, -1)
        ym[:half] = head.reshape(half, *rest)
        ym[-half:] = tail.reshape(half, *rest)
    if deriv:
        y /= delta**deriv
    return y
