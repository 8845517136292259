"""Compiled building blocks shared by every model's kernel.

* :func:`expm` - matrix exponential by scaling and squaring with a diagonal
  Padé(6,6) approximant (Moler & Van Loan 2003, SIAM Review 45:3-49, method 3;
  the [6/6] approximant on a matrix scaled to infinity-norm <= 1/2 has a
  truncation error below 1e-15 relative).
* :func:`lu_factor` / :func:`lu_solve` - dense LU with partial pivoting for the
  small systems of the Rosenbrock solver.
* :func:`philox4x64` - the Philox4x64-10 counter-based generator (Salmon,
  Moraes, Dror & Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3",
  SC'11, doi:10.1145/2063384.2063405), bit-identical to NumPy's ``Philox``.
  Each subject's random numbers are a pure function of (seed, stream, subject
  id, index), so results never depend on chunking or the number of processes.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

_PADE6 = np.array(
    [1.0, 1.0 / 2.0, 5.0 / 44.0, 1.0 / 66.0, 1.0 / 792.0, 1.0 / 15840.0, 1.0 / 665280.0]
)


@njit(cache=True, nogil=True)
def expm(M):  # pragma: no cover - compiled
    """exp(M) for a small dense square matrix."""
    m = M.shape[0]
    norm = 0.0
    for i in range(m):
        s = 0.0
        for j in range(m):
            s += abs(M[i, j])
        norm = max(norm, s)
    sq = 0
    if norm > 0.5:
        sq = int(math.ceil(math.log2(norm / 0.5)))
    A = M / (2.0**sq)
    N = np.eye(m)
    D = np.eye(m)
    P = np.eye(m)
    sign = 1.0
    for k in range(1, 7):
        P = P @ A
        sign = -sign
        N += _PADE6[k] * P
        D += sign * _PADE6[k] * P
    E = np.ascontiguousarray(np.linalg.solve(D, N))
    for _ in range(sq):
        E = E @ E
    return E


@njit(cache=True, nogil=True)
def lu_factor(A, piv):  # pragma: no cover - compiled
    """In-place LU with partial pivoting; returns False if A is singular."""
    n = A.shape[0]
    for k in range(n):
        p = k
        big = abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > big:
                big = abs(A[i, k])
                p = i
        piv[k] = p
        if big == 0.0:
            return False
        if p != k:
            for j in range(n):
                tmp = A[k, j]
                A[k, j] = A[p, j]
                A[p, j] = tmp
        inv = 1.0 / A[k, k]
        for i in range(k + 1, n):
            A[i, k] *= inv
            f = A[i, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    A[i, j] -= f * A[k, j]
    return True


@njit(cache=True, nogil=True)
def lu_solve(LU, piv, b):  # pragma: no cover - compiled
    """Solve in place for b using the factors from :func:`lu_factor`."""
    n = LU.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for i in range(n):
        s = b[i]
        for j in range(i):
            s -= LU[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= LU[i, j] * b[j]
        b[i] = s / LU[i, i]


_M32 = uint64(0xFFFFFFFF)
_PM0 = uint64(0xD2E7470EE14C6C93)
_PM1 = uint64(0xCA5A826395121157)
_PW0 = uint64(0x9E3779B97F4A7C15)
_PW1 = uint64(0xBB67AE8584CAA73B)


@njit(cache=True, nogil=True, inline="always")
def _mulhi64(a, b):  # pragma: no cover - compiled
    a_lo = a & _M32
    a_hi = a >> uint64(32)
    b_lo = b & _M32
    b_hi = b >> uint64(32)
    p0 = a_lo * b_lo
    p1 = a_lo * b_hi
    p2 = a_hi * b_lo
    p3 = a_hi * b_hi
    carry = ((p0 >> uint64(32)) + (p1 & _M32) + (p2 & _M32)) >> uint64(32)
    return p3 + (p1 >> uint64(32)) + (p2 >> uint64(32)) + carry


@njit(cache=True, nogil=True)
def philox4x64(c0, c1, c2, c3, k0, k1, out):  # pragma: no cover - compiled
    """Philox4x64-10 block for counter (c0..c3) and key (k0, k1) into out[0:4]."""
    for r in range(10):
        if r > 0:
            k0 = k0 + _PW0
            k1 = k1 + _PW1
        hi0 = _mulhi64(_PM0, c0)
        lo0 = _PM0 * c0
        hi1 = _mulhi64(_PM1, c2)
        lo1 = _PM1 * c2
        c0 = hi1 ^ c1 ^ k0
        c1 = lo1
        c2 = hi0 ^ c3 ^ k1
        c3 = lo0
    out[0] = c0
    out[1] = c1
    out[2] = c2
    out[3] = c3


@njit(cache=True, nogil=True)
def uniforms(seed, stream, subject, out):  # pragma: no cover - compiled
    """Fill ``out`` with U(0, 1) doubles (never 0) for one subject and stream."""
    blk = np.empty(4, dtype=np.uint64)
    n = out.shape[0]
    for b in range((n + 3) // 4):
        philox4x64(uint64(subject), uint64(b), uint64(stream), uint64(0),
                   uint64(seed), uint64(0x5EED), blk)
        for j in range(4):
            i = 4 * b + j
            if i < n:
                out[i] = ((blk[j] >> uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def normals(seed, stream, subject, out):  # pragma: no cover - compiled
    """Fill ``out`` with N(0, 1) draws (Box-Muller on :func:`uniforms`)."""
    n = out.shape[0]
    m = n + (n % 2)
    u = np.empty(m)
    uniforms(seed, stream, subject, u)
    for k in range(0, m, 2):
        r = math.sqrt(-2.0 * math.log(u[k]))
        th = 2.0 * math.pi * u[k + 1]
        out[k] = r * math.cos(th)
        if k + 1 < n:
            out[k + 1] = r * math.sin(th)


@njit(cache=True, nogil=True)
def normals_for(seed, stream, ids, n):  # pragma: no cover - compiled
    """(len(ids), n) standard normal draws, row i a pure function of (seed, stream, ids[i])."""
    z = np.empty((ids.shape[0], n))
    buf = np.empty(n)
    for i in range(ids.shape[0]):
        normals(seed, stream, ids[i], buf)
        for j in range(n):
            z[i, j] = buf[j]
    return z
