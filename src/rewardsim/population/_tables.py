"""Published tables the synthetic population is built from, and how they are joined.

Every margin has a source or says it is assumed; :data:`SOURCES` lists them (the report and
``population_margins.csv`` print them next to the simulated margins).

Method
------
The attributes of a person are route (smoked = crack, intranasal = powder), sex, age band,
frequency of use, treatment setting in the year and co-occurring anxiety disorder. Their
joint distribution is fitted by iterative proportional fitting (IPF, Deming & Stephan 1940):
the seed table carries every published cross-tab (route x sex and route x age of cocaine
treatment admissions, TEDS 2010), and IPF rakes it to the one-way margins (the defaults below,
or a scenario file's ``[population]`` values). IPF keeps the seed's odds ratios, so where a
cross-tab exists the association is the published one; attributes without a cross-tab are
independent given the others. With the default margins IPF returns the seed's own joint.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ATTRIBUTES", "DEFAULT_MARGINS", "SOURCES", "ipf", "joint", "seed_table"]

#: Attributes and their levels, in the order of the joint table's axes.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "route": ("smoked", "intranasal"),
    "sex": ("male", "female"),
    "age": ("18-25", "26-35", "36-45", "46+"),
    "frequency": ("under 4 days/month", "4-15 days/month", "over 15 days/month"),
    "setting": ("none", "outpatient", "twelve_step", "psychotherapy", "residential"),
    "anxiety": ("no", "yes"),
}

_TEDS = ("SAMHSA, Treatment Episode Data Set (TEDS): Substance Abuse Treatment Admissions by "
         "Primary Substance of Abuse, According to Sex, Age Group, Race, and Ethnicity, Year "
         "= 2010, United States (DASIS quick-link table US10): primary cocaine, smoked "
         "(114,302 admissions) vs other route (47,146)")

# TEDS 2010, primary cocaine admissions: percent by sex and by age at admission, per route.
# Age percentages as printed (5-year bands); 12-17 and unknown ages are left out and the
# adult bands renormalised.
_TEDS_N = {"smoked": 114_302, "intranasal": 47_146}
_TEDS_MALE = {"smoked": 56.9, "intranasal": 67.0}
_TEDS_AGE = {  # 18-20, 21-25, 26-30, 31-35, 36-40, 41-45, 46-50, 51-55, 56-60, 61-65, 66+
    "smoked": (1.2, 5.3, 9.2, 11.2, 15.8, 20.9, 19.0, 10.6, 3.6, 0.9, 0.3),
    "intranasal": (4.0, 12.1, 16.7, 15.0, 14.0, 14.1, 11.7, 6.5, 2.2, 0.6, 0.2),
}
_BANDS = ((0, 2), (2, 4), (4, 6), (6, 11))  # 18-25, 26-35, 36-45, 46+

# Anxiety: 12-month independent anxiety disorder in the US population (Grant 2004) raised by
# the odds ratio of any anxiety disorder with a drug use disorder.
_ANX_POP = 0.1108
_ANX_OR = math.sqrt(1.4 * 4.9)  # geometric middle of the 1.4-4.9 range
_ANX = _ANX_POP / (1.0 - _ANX_POP) * _ANX_OR
_ANX_SHARE = _ANX / (1.0 + _ANX)

# Treatment: 7.5 % of adults with a past-year SUD were treated at a specialty facility
# (NSDUH 2014); TEDS 2009 type of service splits specialty care into ambulatory (outpatient
# 45.7 % + intensive outpatient 11.3 %) and residential (short-term 9.2 % + long-term 7.6 %
# + hospital non-detox 0.3 %) admissions.
_SPECIALTY = 0.075
_RESIDENTIAL = (9.2 + 7.6 + 0.3) / (45.7 + 11.3 + 9.2 + 7.6 + 0.3)
_SELF_HELP = 0.03
_PSYCHOTHERAPY = 0.02

SOURCES: dict[str, str] = {
    "size": ("1.7 million: 'cocaine addiction affects 1.7 million American adults', UCLA news "
             "release 15 Dec 2003 attributed to SAMHSA (no survey year given). For scale: "
             "NSDUH 2018 counted about 977,000 people aged 12 or older with a past-year "
             "cocaine use disorder and NSDUH 2019 about 1.0 million"),
    "route": _TEDS + "; assumed: people with a cocaine use disorder use by the routes of "
                     "cocaine treatment admissions, and 'other route' is intranasal",
    "sex": _TEDS + " (percent male per route); the cross-tab route x sex enters the seed",
    "age": _TEDS + " (age at admission per route, 5-year bands pooled into 18-25, 26-35, "
                   "36-45, 46+); the cross-tab route x age enters the seed",
    "frequency": ("assumed: 30 % under 4 use days a month, 40 % 4-15, 30 % over 15; NSDUH "
                  "reports frequency for past-year users, not for people with a use "
                  "disorder, and no such table was found. A class bounds the person's "
                  "baseline use propensity b (days/month = 30 / (1 + exp(-b)) with every "
                  "drive at 0)"),
    "setting": ("treated at a specialty facility 7.5 %: adults with a past-year SUD, NSDUH "
                "2014 (Lipari & Van Horn 2017, The CBHSQ Report, Trends in substance use "
                "disorders among adults aged 18 or older); split into outpatient 76.9 % and "
                "residential 23.1 % by TEDS 2009 type of service at admission (Table 2.1, "
                "detoxification and opioid treatment left out); assumed: the same for "
                "cocaine; self-help (12-step) only 3 % and psychotherapy without specialty "
                "treatment 2 % assumed"),
    "anxiety": ("derived: 12-month independent anxiety disorder 11.08 % of US adults "
                "(Grant BF et al. 2004, Arch Gen Psychiatry 61:807-816, NESARC) with the "
                "odds ratio 2.62 for a drug use disorder, the geometric middle of the 1.4-4.9 "
                "range across ECA, NCS and NESARC (review in Psychiatric Times, 'drug use "
                "disorders and comorbidity', Table 2): 24.6 %"),
}


def _route_sex_age() -> np.ndarray:
    """TEDS 2010 joint of route x sex x age (shares), sex and age independent given route."""
    total = sum(_TEDS_N.values())
    out = np.zeros((2, 2, 4))
    for r, route in enumerate(ATTRIBUTES["route"]):
        pr = _TEDS_N[route] / total
        male = _TEDS_MALE[route] / 100.0
        pct = np.array(_TEDS_AGE[route])
        age = np.array([pct[a:b].sum() for a, b in _BANDS])
        age /= age.sum()
        out[r] = pr * np.outer([male, 1.0 - male], age)
    return out


def _default_margins() -> dict[str, np.ndarray]:
    rsa = _route_sex_age()
    treated = _SPECIALTY
    return {
        "route": rsa.sum(axis=(1, 2)),
        "sex": rsa.sum(axis=(0, 2)),
        "age": rsa.sum(axis=(0, 1)),
        "frequency": np.array([0.3, 0.4, 0.3]),
        "setting": np.array([1.0 - treated - _SELF_HELP - _PSYCHOTHERAPY,
                             treated * (1.0 - _RESIDENTIAL), _SELF_HELP, _PSYCHOTHERAPY,
                             treated * _RESIDENTIAL]),
        "anxiety": np.array([1.0 - _ANX_SHARE, _ANX_SHARE]),
    }


#: One-way margins (shares) of every attribute, each summing to 1.
DEFAULT_MARGINS: dict[str, np.ndarray] = _default_margins()


def seed_table() -> np.ndarray:
    """The IPF seed: the TEDS route x sex x age joint, uniform over the other attributes."""
    shape = tuple(len(v) for v in ATTRIBUTES.values())
    seed = np.broadcast_to(_route_sex_age()[:, :, :, None, None, None], shape).copy()
    return seed / seed.sum()


def ipf(seed: np.ndarray, margins: list[np.ndarray], *, tol: float = 1e-13,
        max_iter: int = 1000) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` to one-way ``margins`` (one per axis).

    Each sweep scales the table along every axis in turn so that its margin on that axis
    equals the target; it stops when no margin is off by more than ``tol``.

    >>> t = ipf(np.ones((2, 2)), [np.array([0.3, 0.7]), np.array([0.5, 0.5])])
    >>> np.round(t, 3).tolist()
    [[0.15, 0.15], [0.35, 0.35]]
    """
    t = seed / seed.sum()
    axes = range(t.ndim)
    for _ in range(max_iter):
        worst = 0.0
        for ax in axes:
            other = tuple(a for a in axes if a != ax)
            cur = t.sum(axis=other)
            target = margins[ax]
            worst = max(worst, float(np.max(np.abs(cur - target))))
            scale = np.divide(target, cur, out=np.zeros_like(cur), where=cur > 0)
            shape = [1] * t.ndim
            shape[ax] = -1
            t = t * scale.reshape(shape)
        if worst <= tol:
            break
    return t


def joint(margins: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The joint distribution of :data:`ATTRIBUTES`: the seed raked to ``margins`` (the
    defaults where not given)."""
    m = {**DEFAULT_MARGINS, **(margins or {})}
    return ipf(seed_table(), [np.asarray(m[k], dtype=float) for k in ATTRIBUTES])
