"""The model-based rule: which hypothesis's simulated trials a trial resembles most.

Synthetic likelihood (Wood 2010, Nature 466:1102-1104): a trial is reduced to a vector of
summaries (for each baclofen arm against the comparator: the differences in BE-free urine
share, in completion, in the change of each measured scale from baseline and in the share
reporting drowsiness), whose distribution under each hypothesis is taken as Gaussian with
the mean and covariance of that hypothesis's simulated trials of the same design. A trial
is named for the hypothesis under which its summaries are most likely (equal prior
probabilities), on strong evidence when that likelihood is at least ``likelihood_ratio``
(8, Royall 2000) times every other.

The simulated trials that fit a hypothesis's Gaussian are the same replicates the rule is
scored on: replicate ``r`` of every hypothesis is classified by fits that leave out
replicate ``r`` of every hypothesis (leave-one-out, the same number of trials in every
fit), so no trial helps classify itself, no extra simulation is needed, and hypotheses
whose trials have one distribution are named at chance without the negative bias of
leaving a trial out of its own hypothesis's fit only (whose smaller fit then looks less
likely).
Each covariance is shrunk towards its diagonal by ``m / (m + R)`` (``m`` summaries, ``R``
replicates: 3 % for 6 summaries and 200 replicates), so that few replicates do not make
it near-singular, and a small ridge (1e-6 of each summary's pooled variance) keeps a
summary that does not vary from making it singular.
"""

from __future__ import annotations

import math

import numpy as np

from ._data import TrialData

__all__ = ["classify", "summaries"]


def _diff(x: np.ndarray, act: np.ndarray, comp: np.ndarray) -> float:
    a, c = x[act & np.isfinite(x)], x[comp & np.isfinite(x)]
    return float(a.mean() - c.mean()) if a.size and c.size else 0.0


def summaries(td: TrialData) -> np.ndarray:
    """The summary vector of one trial (see the module docstring)."""
    comp = td.arm == 0
    out: list[float] = []
    change: list[np.ndarray] = []
    for s in td.scales:
        y = td.rating_mean(s)
        b = td.rating_mean(s, baseline=True)
        change.append(y - b if b is not None else y)  # type: ignore[operator]
    drowsy = None
    if td.drowsiness is not None and td.drowsiness.shape[1]:
        rated = np.any(np.isfinite(td.drowsiness), axis=1)
        drowsy = np.where(rated, np.nansum(td.drowsiness, axis=1) > 0, np.nan)
    for a in range(1, len(td.arms)):
        act = td.arm == a
        out.append(_diff(td.be_free_share, act, comp))
        out.append(_diff(td.completed.astype(float), act, comp))
        out.extend(_diff(c, act, comp) for c in change)
        if drowsy is not None:
            out.append(_diff(drowsy, act, comp))
    return np.asarray(out)


def _logpdf(x: np.ndarray, mu: np.ndarray, chol: np.ndarray, logdet: float) -> np.ndarray:
    z = np.linalg.solve(chol, (x - mu).T)
    return -0.5 * (np.sum(z * z, axis=0) + logdet + mu.size * math.log(2.0 * math.pi))


def classify(S: list[np.ndarray], likelihood_ratio: float = 8.0
             ) -> tuple[np.ndarray, np.ndarray]:
    """Name each simulated trial's hypothesis by synthetic likelihood (leave-one-out).

    ``S[h]`` holds the summaries of hypothesis ``h``'s trials, ``(replicates, m)``. Returns
    ``(named, strong)``, each ``(hypotheses, replicates)``.
    """
    H = len(S)
    R = S[0].shape[0]
    S = [np.where(np.isfinite(s), s, 0.0) for s in S]
    m = S[0].shape[1]
    pooled = np.mean([s.var(axis=0, ddof=1) for s in S], axis=0)
    ridge = np.diag(1e-6 * pooled + 1e-12)
    lam = m / (m + R)

    def shrink(c: np.ndarray) -> np.ndarray:
        return (1.0 - lam) * c + lam * np.diag(np.diag(c)) + ridge

    mus = [s.mean(axis=0) for s in S]
    raws = [np.cov(s, rowvar=False).reshape(m, m) for s in S]
    ll = np.empty((H, H, R))  # truth, candidate, replicate
    dev = [s - mu for s, mu in zip(S, mus, strict=True)]
    for r in range(R):
        # Replicate r of every hypothesis left out of every fit: each fit then holds R - 1
        # trials, none of them the ones classified.
        for k in range(H):
            mu_r = (R * mus[k] - S[k][r]) / (R - 1)
            c_r = shrink(((R - 1) * raws[k] - (R / (R - 1)) * np.outer(dev[k][r], dev[k][r]))
                         / (R - 2))
            ch = np.linalg.cholesky(c_r)
            x = np.stack([S[h][r] for h in range(H)])
            ll[:, k, r] = _logpdf(x, mu_r, ch, 2.0 * float(np.sum(np.log(np.diag(ch)))))
    named = np.argmax(ll, axis=1)
    top = np.take_along_axis(ll, named[:, None, :], axis=1)[:, 0, :]
    others = np.where(np.arange(H)[None, :, None] == named[:, None, :], -np.inf, ll)
    strong = top - others.max(axis=1) >= math.log(likelihood_ratio)
    return named, strong
