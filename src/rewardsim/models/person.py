"""``reward-circuit``: one simulated person, cocaine PK + baclofen PK + the reward circuit.

The person is :func:`rewardsim.engine.compose` of three parts, in this compartment order:

=====  ===========  =============================================================
CMT    name         part
=====  ===========  =============================================================
1      COC_LUNG     cocaine, smoked doses (mg base)
2      COC_NASAL    cocaine, intranasal doses (mg base)
3      COC_CENT     cocaine, IV doses (mg base); its concentration is arterial
4-6    COC_PERIPH, COC_BE, COC_VEN (forearm venous sampling compartment, mg/L)
7      BAC_DEPOT    baclofen, oral doses (mg racemate)
8-9    BAC_CENT, BAC_PERIPH
10-15  CE, A_DA, A_ST, A_GLU, A_PFC, REWARD   (reward circuit, unprefixed)
=====  ===========  =============================================================

Links: the circuit's plasma cocaine input ``CP_COC`` is the cocaine model's ``CP_UM``, the
arterial concentration (``COC_CENT / COC_VC``): the brain is perfused with arterial blood,
which peaks seconds after a smoked or IV dose while the forearm venous blood that PK studies
sample (``COC_CP``) peaks minutes later (Evans 1996; :mod:`rewardsim.models.cocaine_pk`).
The reward circuit's calibration uses the same arterial curve. The circuit's brain baclofen
``CB_BAC`` is the baclofen model's ``CSF_UM`` (CSF taken as the VTA extracellular
concentration). Bioavailabilities keep their sources: ``F1`` (smoked), ``F2`` (intranasal)
from the cocaine model and ``F7`` (oral baclofen, Agarwal 2015).

>>> import rewardsim as rs
>>> p = person("anti_craving", KI_DAT=0.3)
>>> p.values["EMAX_BAC_ANX"], p.values["KI_DAT"], p.compartment_names[6]
(0.0, 0.3, 'BAC_DEPOT')
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..engine import Model, Solution, compose, simulate
from ..errors import ModelSpecError
from ..io import parse_regimen, regimen
from .baclofen_pk import BaclofenPK
from .cocaine_pk import ROUTE_CMT, CocainePK
from .reward_circuit import HYPOTHESES as HYPOTHESES
from .reward_circuit import RewardCircuit

__all__ = ["BACLOFEN_CMT", "COCAINE_CMT", "LINKS", "Person", "person", "person_doses",
           "reward_per_dose", "scenarios"]

#: Links of the person: circuit input -> expression of the drug models.
LINKS: dict[str, str] = {"CP_COC": "COC_CP_UM", "CB_BAC": "BAC_CSF_UM"}
#: Dose compartment of each cocaine route, and of oral baclofen, in the person.
COCAINE_CMT: dict[str, int] = dict(ROUTE_CMT)
BACLOFEN_CMT = len(CocainePK.compartments) + 1


def _build(cocaine: Model, baclofen: Model, circuit: Model) -> type[Model]:
    return compose(
        "reward-circuit",
        {"COC": cocaine, "BAC": baclofen, "": circuit},
        LINKS,
        description="One person: cocaine PK + baclofen PK + reward circuit (VTA, NAc DA, NA, "
        "glutamate, PFC, neuroadaptation); baclofen hypotheses in HYPOTHESES",
        default_dose_cmt=COCAINE_CMT["intranasal"],
    )


#: The person with default parts (baclofen hypothesis ``both``), registered in MODELS.
Person = _build(CocainePK(), BaclofenPK(), RewardCircuit())


def person(
    hypothesis: str = "both",
    *,
    cocaine: Model | None = None,
    baclofen: Model | None = None,
    circuit: Model | None = None,
    **overrides: float,
) -> Model:
    """A person built from the parts, with a baclofen hypothesis and any parameter changed.

    Parameters
    ----------
    hypothesis : {"anti_craving", "anti_anxiety", "both"}
        Which of :data:`HYPOTHESES` sets baclofen's efficacies.
    cocaine, baclofen, circuit : Model, optional
        Parts with changed values (e.g. ``CocainePK().with_params(CL=100.0)``); their
        values carry over under the prefixes ``COC_``, ``BAC_`` and none.
    **overrides
        Composite parameter values (``KI_DAT=0.3``, ``COC_CL=100.0``), applied last.

    Raises
    ------
    ModelSpecError
        Unknown hypothesis or parameter.
    """
    if hypothesis not in HYPOTHESES:
        raise ModelSpecError(
            f"Unknown baclofen hypothesis {hypothesis!r}; valid: {', '.join(HYPOTHESES)}."
        )
    if cocaine is None and baclofen is None and circuit is None:
        model = Person()
    else:
        model = _build(cocaine or CocainePK(), baclofen or BaclofenPK(),
                       circuit or RewardCircuit())()
    return model.with_params(**HYPOTHESES[hypothesis]).with_params(**overrides)


def person_doses(
    cocaine: str | None = "100 mg daily for 28 days",
    *,
    route: str = "intranasal",
    baclofen: str | None = "20 mg tid for 28 days",
    cocaine_start: float = 0.0,
    baclofen_start: float = 0.0,
    ids: Sequence[int] = (1,),
) -> pd.DataFrame:
    """Dose records of a person: cocaine (mg base) by route and oral baclofen, in words.

    >>> d = person_doses("100 mg daily for 2 days", baclofen="20 mg tid for 1 day")
    >>> d[["CMT", "AMT", "ADDL", "II"]].values.tolist()
    [[2.0, 100.0, 1.0, 24.0], [7.0, 20.0, 2.0, 8.0]]
    """
    if route not in COCAINE_CMT:
        raise ModelSpecError(f"Unknown cocaine route {route!r}; valid: {', '.join(COCAINE_CMT)}.")
    frames = []
    for text, cmt, start in ((cocaine, COCAINE_CMT[route], cocaine_start),
                             (baclofen, BACLOFEN_CMT, baclofen_start)):
        if text:
            spec = parse_regimen(text)
            frames.append(regimen(spec["amt"], every=spec["every"], n_doses=spec["n_doses"],
                                  rate=spec["rate"], cmt=cmt, start=start, ids=list(ids)))
    if not frames:
        raise ModelSpecError("person_doses needs a cocaine or a baclofen regimen.")
    return pd.concat(frames, ignore_index=True).sort_values(["ID", "TIME"], kind="stable") \
        .reset_index(drop=True)


def reward_per_dose(
    model: Model,
    data: pd.DataFrame,
    dose_times: Sequence[float],
    *,
    window: float = 2.0,
    **simulate_kw: object,
) -> np.ndarray:
    """Reward delivered by each dose: the rise of ``REWARD_CUM`` over ``window`` h after it.

    Returns
    -------
    ndarray, shape (n_subjects, n_doses)
        In h (hours at one baseline-DA unit of phasic excess, read through D2).
    """
    t0 = np.asarray(dose_times, dtype=float)
    if window <= 0 or t0.ndim != 1 or t0.size == 0:
        raise ModelSpecError("reward_per_dose needs dose times and a window > 0 h.")
    grid = np.unique(np.r_[t0, t0 + window])
    sol: Solution = simulate(model, data, times=grid, **simulate_kw)  # type: ignore[arg-type]
    cum = sol["REWARD_CUM"]
    i0 = np.searchsorted(grid, t0)
    i1 = np.searchsorted(grid, t0 + window)
    return cum[:, i1] - cum[:, i0]


def scenarios(
    days: float = 28.0,
    *,
    cocaine: str = "100 mg daily",
    route: str = "intranasal",
    baclofen: str = "20 mg tid",
    hypotheses: Sequence[str] = tuple(HYPOTHESES),
    step: float = 0.05,
    **overrides: float,
) -> tuple[dict[str, Solution], dict[str, np.ndarray]]:
    """One person over ``days``: without baclofen and with it under each hypothesis.

    Regimens are written in words without a duration ("100 mg daily", "20 mg tid"); they
    run for the whole period. Returns the solutions by label (``"no baclofen"`` and the
    hypothesis names) on a grid of ``step`` h, and the dose times by drug.
    """
    if not days > 0 or not step > 0:
        raise ModelSpecError(f"days and step must be > 0; got days={days!r}, step={step!r}.")
    for h in hypotheses:
        if h not in HYPOTHESES:
            raise ModelSpecError(
                f"Unknown baclofen hypothesis {h!r}; valid: {', '.join(HYPOTHESES)}.")
    span = f" for {days:g} days"
    coc = None if cocaine.strip().lower() in ("", "none") else _with_span(cocaine, span)
    bac = None if baclofen.strip().lower() in ("", "none") else _with_span(baclofen, span)
    grid = np.arange(0.0, days * 24.0 + 1e-9, step)
    out: dict[str, Solution] = {}
    without = person_doses(coc, route=route, baclofen=None) if coc else None
    if without is not None:
        out["no baclofen"] = simulate(person(**overrides), without, times=grid, omega=False)
    if bac:
        data = person_doses(coc, route=route, baclofen=bac)
        for h in hypotheses:
            out[h] = simulate(person(h, **overrides), data, times=grid, omega=False)
    if not out:
        raise ModelSpecError("scenarios needs a cocaine regimen or a baclofen regimen.")
    times: dict[str, np.ndarray] = {}
    for key, text in (("cocaine", coc), ("baclofen", bac)):
        if text:
            spec = parse_regimen(text)
            times[key] = np.arange(spec["n_doses"]) * (spec["every"] or 0.0)
    return out, times


def _with_span(text: str, span: str) -> str:
    """Add the period to a regimen written without a duration."""
    if re.search(r"\b(for|x|once|single)\b", text.lower()):
        return text
    return text + span
