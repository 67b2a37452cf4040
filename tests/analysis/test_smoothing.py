"""The engine's cached Savitzky-Golay operators give scipy's savgol_filter(mode="interp")."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import savgol_filter

from analysis.engine.smoothing import savgol, savgol_coeffs


@pytest.mark.parametrize(
    ("shape", "axis"), [((300,), 0), ((300, 5), 0), ((90, 4, 3), 0), ((7, 300), 1)]
)
@pytest.mark.parametrize(("window", "order"), [(5, 2), (9, 2), (31, 2), (61, 4), (7, 4)])
@pytest.mark.parametrize("deriv", [0, 1])
def test_same_as_scipy(shape, axis, window, order, deriv):
    x = np.random.default_rng(window * 10 + order).normal(size=shape).cumsum(axis=axis)
    want = savgol_filter(x, window, order, deriv=deriv, delta=1 / 240, axis=axis, mode="interp")
    got = savgol(x, window, order, deriv=deriv, delta=1 / 240, axis=axis)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())


def test_edges_follow_the_fitted_polynomial_exactly():
    # A quadratic is its own least-squares fit: smoothing changes nothing, edges included, and
    # the first derivative is exact everywhere.
    t = np.arange(50, dtype=float)
    x = 0.5 * t**2 - 3 * t + 2
    np.testing.assert_allclose(savgol(x, 11, 2), x, atol=1e-9)
    np.testing.assert_allclose(savgol(x, 11, 2, deriv=1), t - 3, atol=1e-9)


def test_short_input_and_other_modes_are_scipy_s():
    with pytest.raises(ValueError):
        savgol(np.arange(4.0), 7, 2)
    x = np.random.default_rng(1).normal(size=40)
    np.testing.assert_allclose(
        savgol(x, 7, 2, mode="nearest"), savgol_filter(x, 7, 2, mode="nearest")
    )


def test_cached_coefficients_are_read_only():
    taps = savgol_coeffs(9, 2)
    assert savgol_coeffs(9, 2) is taps and not taps.flags.writeable
    np.testing.assert_allclose(
        np.sort(taps), np.sort(savgol_filter(np.eye(9)[4], 9, 2, mode="constant"))
    )
