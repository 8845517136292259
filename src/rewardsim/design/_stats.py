"""The statistics the decision rules use, written for thousands of small trials.

:func:`ols` is statsmodels' ``OLS(y, X).fit(cov_type="HC1")`` (ordinary least squares
with White's heteroscedasticity-consistent covariance and MacKinnon & White's n/(n-k)
small-sample factor), computed in a few numpy calls instead of building a statsmodels
model per trial; ``tests/design/test_stats.py`` holds the two together (1e-9). The Sobel
test (Sobel 1982) gives the z of a product of two coefficients (an indirect effect).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["OLSFit", "ols", "sobel_z", "zscore"]


class OLSFit:
    """Coefficients, HC1 standard errors and residual SD of one OLS fit (NaN when the
    model is not estimable: fewer rows than columns, or collinear columns)."""

    __slots__ = ("beta", "se", "sigma", "n")

    def __init__(self, beta: np.ndarray, se: np.ndarray, sigma: float, n: int) -> None:
        self.beta, self.se, self.sigma, self.n = beta, se, sigma, n

    def z(self, j: int) -> float:
        """Wald z of coefficient ``j`` (NaN if not estimable)."""
        se = self.se[j]
        return float(self.beta[j] / se) if np.isfinite(se) and se > 0.0 else math.nan


def ols(y: np.ndarray, X: np.ndarray) -> OLSFit:
    """OLS of ``y`` (n,) on ``X`` (n, k) over the rows where both are finite, with HC1
    standard errors (statsmodels' ``cov_type="HC1"``)."""
    ok = np.isfinite(y) & np.all(np.isfinite(X), axis=1)
    y, X = y[ok], X[ok]
    n, k = X.shape
    nan = np.full(k, np.nan)
    if n <= k:
        return OLSFit(nan, nan, math.nan, n)
    xtx = X.T @ X
    try:
        inv = np.linalg.inv(xtx)
    except np.linalg.LinAlgError:
        return OLSFit(nan, nan, math.nan, n)
    # Collinear (or constant) columns: not estimable rather than an arbitrary solution
    # (the variance inflation diag(X'X) diag((X'X)^-1) explodes).
    vif = np.diag(xtx) * np.diag(inv)
    if not np.all(np.isfinite(vif)) or vif.max() > 1e10 or vif.min() <= 0.0:
        return OLSFit(nan, nan, math.nan, n)
    beta = inv @ (X.T @ y)
    e = y - X @ beta
    xe = X * e[:, None]
    cov = inv @ (xe.T @ xe) @ inv * (n / (n - k))
    sigma = math.sqrt(float(e @ e) / (n - k))
    return OLSFit(beta, np.sqrt(np.maximum(np.diag(cov), 0.0)), sigma, n)


def sobel_z(a: float, se_a: float, b: float, se_b: float) -> float:
    """z of the indirect effect ``a b`` (Sobel 1982: first-order delta-method SE
    ``sqrt(a² se_b² + b² se_a²)``)."""
    v = a * a * se_b * se_b + b * b * se_a * se_a
    if not (np.isfinite(v) and v > 0.0):
        return math.nan
    return float(a * b / math.sqrt(v))


def zscore(x: np.ndarray) -> np.ndarray:
    """``x`` centred and scaled over its finite values (NaN kept; zeros without spread)."""
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.where(ok, 0.0, np.nan)
    m, s = x[ok].mean(), x[ok].std(ddof=1)
    return (x - m) / s if s > 0.0 else np.where(ok, 0.0, np.nan)
