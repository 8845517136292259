"""Pre-specified decision rules: from one trial's records to the name of a mechanism.

Every built-in rule but the model-based one reduces a trial to two one-sided normal
deviates, the evidence of a **craving route** (``z_c``) and of an **anxiety route**
(``z_a``), positive in the direction the route predicts, and optionally a two-sided
**difference** ``z_d`` (craving route minus anxiety route, on a common scale). One decision
function (:func:`decide`) turns them into a hypothesis:

1. the observed pattern is (``z_c >= z_{1-alpha}``, ``z_a >= z_{1-alpha}``); when both are
   set and ``|z_d| >= z_{1-alpha/2}``, only the route with the larger effect is kept;
2. the named hypothesis is the one whose mechanism's pattern (anti_craving (1, 0),
   anti_anxiety (0, 1), both (1, 1), none (0, 0)) is nearest (Hamming distance), ties going
   to the one the z's agree with most (``sum (2 m - 1) z``), then to the first listed;
3. the evidence is *strong* when some route was significant and the named mechanism's
   pattern is the observed one (a wrong hypothesis named on strong evidence is misleading
   evidence, Royall 2000).

Statistics (``X`` = the columns of an OLS with HC1 standard errors, :func:`._stats.ols`;
``T`` = in a baclofen arm; per patient: mean treatment-phase rating of a scale ``Y_s``, its
baseline mean ``B_s`` (mean-imputed where missed), the share of scheduled treatment urines
BE-free ``U``, the share of baseline urines BE-positive ``S``):

``domain_interaction``
    Treatment x outcome-domain interaction. ``Y_s ~ 1 + T + B_s`` for each scale;
    ``z_s = -z(T)`` (a reduction). ``z_d = -z(T)`` in ``Y_c/sd_c - Y_a/sd_a ~ 1 + T +
    B_c/sd_c + B_a/sd_a`` (``sd_s`` the residual SD of the scale's model): the
    interaction of treatment with the domain in a two-domain model on standardised scales
    (a patient's two scores differenced, which removes the patient's common level).
``dose_response``
    As ``domain_interaction`` with the daily dose (over the largest dose) in place of
    ``T``: a linear dose-response trend per domain and the difference of the standardised
    trends. Needs two baclofen doses or more.
``mediation``
    Product-of-coefficients mediation of the urine effect (Baron & Kenny 1986; MacKinnon
    2008): ``a_s`` from ``Y_s ~ 1 + T + B_s``, ``b_s`` from ``U ~ 1 + T + Y_c + Y_a + B_c +
    B_a + S``; ``z_s`` = Sobel z of ``a_s b_s`` (positive: a benefit on urine carried by
    lower ratings).
``moderation``
    Moderation of the urine effect by baseline severity vs baseline anxiety:
    ``U ~ 1 + T + S' + T S' + A' + T A'`` (``S'``, ``A'``: z-scored ``S`` and baseline
    HAM-A); ``z_c = z(T S')`` (more benefit in heavier users, the anti-craving reading),
    ``z_a = z(T A')`` (more benefit in more anxious patients).
``synthetic_likelihood``
    Model-based: which hypothesis's simulated trials the observed summaries resemble most
    (:mod:`._likelihood`).

A user rule is a Python function of a :class:`~rewardsim.design.TrialData` returning a
hypothesis label (counted as strong evidence) or ``(label, strong)``; in a space file,
``"package.module:function"`` or ``"rules.py:function"`` (relative to the file).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import special

from ..errors import DesignSpaceError
from ._data import TrialData
from ._stats import ols, sobel_z, zscore

__all__ = ["BUILTIN_RULES", "RULE_DOCS", "Evidence", "decide", "evidence", "load_rule",
           "normalise_decision", "resolve_rules"]

#: One-line description of each built-in rule (the report's table).
RULE_DOCS = {
    "domain_interaction": "treatment x outcome-domain (craving vs anxiety) interaction",
    "mediation": "mediation of the urine effect by craving vs by anxiety (Sobel)",
    "dose_response": "dose-response trend of craving vs anxiety across doses",
    "moderation": "moderation of the urine effect by baseline severity vs baseline anxiety",
    "synthetic_likelihood": "model-based: nearest hypothesis by synthetic likelihood",
}
BUILTIN_RULES = tuple(RULE_DOCS)
_PATTERNS = {"anti_craving": (1, 0), "anti_anxiety": (0, 1), "both": (1, 1), "none": (0, 0)}

Rule = Callable[[TrialData], Any]


@dataclass(frozen=True)
class Evidence:
    """One-sided z of the craving and anxiety routes, and their two-sided difference."""

    z_c: float
    z_a: float
    z_d: float = math.nan


def decide(ev: Evidence, mechanisms: tuple[str, ...] | list[str], alpha: float
           ) -> tuple[int, bool]:
    """Index of the hypothesis named from ``ev``, and whether the evidence is strong."""
    one = float(special.ndtri(1.0 - alpha))
    two = float(special.ndtri(1.0 - alpha / 2.0))
    zc = ev.z_c if np.isfinite(ev.z_c) else 0.0
    za = ev.z_a if np.isfinite(ev.z_a) else 0.0
    c, a = int(zc >= one), int(za >= one)
    if c and a and np.isfinite(ev.z_d) and abs(ev.z_d) >= two:
        c, a = (1, 0) if ev.z_d > 0 else (0, 1)
    best, key = 0, None
    for i, m in enumerate(mechanisms):
        pc, pa = _PATTERNS[m]
        k = (abs(pc - c) + abs(pa - a), -((2 * pc - 1) * zc + (2 * pa - 1) * za), i)
        if key is None or k < key:
            best, key = i, k
    strong = (c or a) and _PATTERNS[mechanisms[best]] == (c, a)
    return best, bool(strong)


# ------------------------------------------------------------------ statistics
def _baseline(td: TrialData, scale: str) -> np.ndarray | None:
    b = td.rating_mean(scale, baseline=True)
    if b is None:
        return None
    ok = np.isfinite(b)
    return np.where(ok, b, b[ok].mean() if ok.any() else 0.0)


def _domains(td: TrialData, x: np.ndarray) -> Evidence | None:
    """Per-domain reduction z's on covariate ``x`` and their standardised difference."""
    if not td.scales:
        return None
    ones = np.ones(td.n)
    z: dict[str, float] = {}
    fits: dict[str, tuple[np.ndarray, np.ndarray | None, float]] = {}
    for s in ("craving", "anxiety"):
        y = td.rating_mean(s)
        if y is None:
            z[s] = math.nan
            continue
        b = _baseline(td, s)
        cols = [ones, x] + ([b] if b is not None else [])
        f = ols(y, np.column_stack(cols))
        z[s] = -f.z(1)
        fits[s] = (y, b, f.sigma)
    zd = math.nan
    if len(fits) == 2 and all(np.isfinite(v[2]) and v[2] > 0 for v in fits.values()):
        (yc, bc, sc), (ya, ba, sa) = fits["craving"], fits["anxiety"]
        cols = [ones, x] + ([bc / sc] if bc is not None else []) + (
            [ba / sa] if ba is not None else [])
        zd = -ols(yc / sc - ya / sa, np.column_stack(cols)).z(1)
    return Evidence(z["craving"], z["anxiety"], zd)


def domain_interaction(td: TrialData) -> Evidence | None:
    return _domains(td, td.active.astype(float))


def dose_response(td: TrialData) -> Evidence | None:
    doses = {float(d) for d in td.arm_dose_mg_day if d > 0}
    if len(doses) < 2:
        return None
    return _domains(td, td.dose / max(doses))


def mediation(td: TrialData) -> Evidence | None:
    if not td.scales:
        return None
    ones, t = np.ones(td.n), td.active.astype(float)
    cols_b = [ones, t]
    a_path: dict[str, tuple[float, float]] = {}
    for s in ("craving", "anxiety"):
        y = td.rating_mean(s)
        if y is None:
            continue
        b = _baseline(td, s)
        f = ols(y, np.column_stack([ones, t] + ([b] if b is not None else [])))
        a_path[s] = (float(f.beta[1]), float(f.se[1]))
        cols_b.append(y)
    for s in a_path:
        b = _baseline(td, s)
        if b is not None:
            cols_b.append(b)
    sev = td.baseline_positive_share
    if np.isfinite(sev).any():
        cols_b.append(np.where(np.isfinite(sev), sev, np.nanmean(sev)))
    fb = ols(td.be_free_share, np.column_stack(cols_b))
    z = {s: math.nan for s in ("craving", "anxiety")}
    for j, (s, (a, se_a)) in enumerate(a_path.items()):
        z[s] = sobel_z(a, se_a, float(fb.beta[2 + j]), float(fb.se[2 + j]))
    return Evidence(z["craving"], z["anxiety"])


def moderation(td: TrialData) -> Evidence | None:
    sev = td.baseline_positive_share
    if not np.isfinite(sev).any():
        return None
    t = td.active.astype(float)
    s = zscore(sev)
    s = np.where(np.isfinite(s), s, 0.0)
    cols = [np.ones(td.n), t, s, t * s]
    anx = _baseline(td, "anxiety")
    if anx is not None:
        a = zscore(anx)
        cols += [a, t * a]
    f = ols(td.be_free_share, np.column_stack(cols))
    return Evidence(f.z(3), f.z(5) if anx is not None else math.nan)


_EVIDENCE: dict[str, Callable[[TrialData], Evidence | None]] = {
    "domain_interaction": domain_interaction, "dose_response": dose_response,
    "mediation": mediation, "moderation": moderation,
}


def evidence(rule: str, td: TrialData) -> Evidence | None:
    """The evidence of built-in rule ``rule`` (None where the design cannot give it)."""
    return _EVIDENCE[rule](td)


# ------------------------------------------------------------------ user rules
def normalise_decision(name: str, result: Any, labels: tuple[str, ...]) -> tuple[int, bool]:
    """A user rule's return value as (hypothesis index, strong); bad values refused."""
    strong = True
    if isinstance(result, tuple) and len(result) == 2:
        result, strong = result
    if result is None:
        raise DesignSpaceError(
            f"Rule {name!r} returned no decision (None) for a trial; a rule must return one "
            f"of the hypotheses' labels: {', '.join(labels)}.")
    if not isinstance(result, str) or result not in labels:
        raise DesignSpaceError(
            f"Rule {name!r} returned {result!r}; a rule must return one of the hypotheses' "
            f"labels: {', '.join(labels)} (or a (label, strong) pair).")
    return labels.index(result), bool(strong)


def load_rule(spec: str, root: Path) -> Rule:
    """A user rule from ``"package.module:function"`` or ``"file.py:function"``."""
    mod_name, sep, fn_name = spec.rpartition(":")
    if not sep or not mod_name or not fn_name:
        raise DesignSpaceError(
            f"rules: unknown rule {spec!r}; built-in rules: {', '.join(BUILTIN_RULES)}, or a "
            "user rule as 'package.module:function' or 'file.py:function'.")
    try:
        if mod_name.endswith(".py"):
            path = (root / mod_name).resolve()
            if not path.is_file():
                raise DesignSpaceError(f"rules: {spec!r}: the file {str(path)!r} does not "
                                       "exist.")
            name = f"rewardsim_user_rule_{abs(hash(str(path)))}"
            module = sys.modules.get(name)
            if module is None:
                loader = importlib.util.spec_from_file_location(name, path)
                assert loader is not None and loader.loader is not None
                module = importlib.util.module_from_spec(loader)
                loader.loader.exec_module(module)
                sys.modules[name] = module
        else:
            module = importlib.import_module(mod_name)
    except DesignSpaceError:
        raise
    except Exception as exc:  # noqa: BLE001 - any import failure of user code
        raise DesignSpaceError(f"rules: {spec!r} cannot be imported: {type(exc).__name__}: "
                               f"{exc}") from None
    fn = getattr(module, fn_name, None)
    if not callable(fn):
        raise DesignSpaceError(f"rules: {spec!r}: {mod_name} has no function {fn_name!r}.")
    return fn


def resolve_rules(specs: list[str], root: Path) -> list[str]:
    """Check the rules of a space file (built-in names or user rules that import)."""
    if not specs:
        raise DesignSpaceError("rules is empty; name at least one decision rule (built-in: "
                               f"{', '.join(BUILTIN_RULES)}).")
    if len(set(specs)) != len(specs):
        raise DesignSpaceError(f"rules repeats a rule: {specs}.")
    for s in specs:
        if s not in BUILTIN_RULES:
            load_rule(s, root)
    return list(specs)
