"""Kernel inputs of a design (parameter vector, per-arm day schedules) and randomisation.

Randomisation is permuted blocks within strata, each block shuffled by a generator keyed
by (seed, replicate, stratum, block), so a patient's arm does not depend on chunking.
Without stratification the last block is filled from the remaining quota of each arm, so
the arm sizes are exactly those of the design; with stratification each stratum ends with
a partial block and arm sizes may differ from the design by up to half a block per stratum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..models.baclofen_pk import BaclofenPK
from ..models.behaviour import ROUTES, behaviour_values
from ..models.care import CARE_KINDS, care_values
from ..models.circuit_daily import DailyCircuit
from ..models.measurement import measurement_values
from ..models.reward_circuit import RewardCircuit
from . import _kernel as K
from ._design import REGIMENS, WEEKDAYS, Design
from ._exposure import baclofen_points, cocaine_unit_responses

__all__ = ["KernelInputs", "allocate", "kernel_inputs", "strata"]

_MED = {"none": 0, "placebo": 1, "baclofen": 2}
_CIRCUIT = {p.name for p in RewardCircuit.params}


@dataclass
class KernelInputs:
    """Everything the trial kernel's ``simulate_chunk`` needs besides the patients."""

    P: np.ndarray
    circuit: DailyCircuit
    decay: np.ndarray  # rest factors of A_DA, A_ST, A_GLU, A_PFC: 08-10 h, 10-20 h, night
    burn: int
    first_day: int
    n_days: int
    visit_days: np.ndarray  # study day of each scheduled visit
    visit_kinds: list[str]
    visit_kind: np.ndarray  # per recorded day: 0 none, 1 urine, 2 rating, 3 both
    visit_index: np.ndarray  # per recorded day: visit number or -1
    be_unit: np.ndarray
    csf_unit: np.ndarray
    arm_cue: np.ndarray
    arm_access: np.ndarray
    arm_sess: np.ndarray
    arm_emax: np.ndarray
    arm_n50: np.ndarray
    arm_att: np.ndarray
    arm_dose: np.ndarray
    arm_hours: np.ndarray
    arm_med: np.ndarray
    arm_adh: np.ndarray

    def circuit_args(self) -> tuple:
        c = self.circuit
        return (c.p, c.tables, c.axes, self.decay)

    def args(self) -> tuple:
        return (self.burn, self.first_day, self.n_days, self.visit_kind, self.visit_index,
                self.be_unit, self.csf_unit, self.arm_cue, self.arm_access,
                self.arm_sess, self.arm_emax, self.arm_n50, self.arm_att, self.arm_dose,
                self.arm_hours, self.arm_med, self.arm_adh)  # fmt: skip


def _logit_days(days: float) -> float:
    return -math.inf if days <= 0.0 else math.log(days / (30.0 - days))


def split_overrides(overrides: dict[str, float] | None
                    ) -> tuple[dict[str, float], dict[str, float]]:
    """(kernel, circuit) parameter overrides; an unknown name is refused."""
    kernel: dict[str, float] = {}
    circuit: dict[str, float] = {}
    for key, value in (overrides or {}).items():
        if key in _CIRCUIT:
            circuit[key] = float(value)
        elif key in K.NAMES:
            kernel[key] = float(value)
        else:
            raise KeyError(f"Unknown parameter {key!r}; valid: the trial kernel's "
                           f"{', '.join(K.NAMES)} and the reward circuit's "
                           f"{', '.join(sorted(_CIRCUIT))}")
    return kernel, circuit


def parameter_vector(design: Design, overrides: dict[str, float] | None = None) -> np.ndarray:
    """The kernel's parameter vector (names: :data:`rewardsim.trial._layout.NAMES`);
    ``overrides`` replace any value by name (tests, calibration, sensitivity analyses)."""
    v: dict[str, float] = behaviour_values()
    v.update(measurement_values())
    v.update(care_values())
    weekly = design.dropout.weekly_hazard
    shares = design.population.route_shares
    bac = BaclofenPK()
    crcl = design.population.creatinine_clearance_ml_min
    clr = bac.values["CLR"] * crcl / bac.values["CRCL_REF"]
    v.update(
        CUTOFF=design.urine_cutoff_ng_ml, VISIT_ATT=design.visits.attendance,
        H0=-math.log1p(-weekly) / 7.0, DROP_USE=design.dropout.use_log_hr,
        DROP_W=design.dropout.withdrawal_log_hr, P_DOSE=design.adherence.p_dose,
        ADH_SD=design.adherence.between_patient_sd,
        B_MIN=_logit_days(design.population.min_use_days_per_month),
        MIN_POS=float(design.population.min_positive_baseline_urines),
        SHARE_SMOKED=shares.get("smoked", 0.0), SHARE_INTRANASAL=shares.get("intranasal", 0.0),
        SHARE_IV=shares.get("iv", 0.0), CLNR=bac.values["CLNR"], CLR=clr,
        OM_CLNR=math.sqrt(math.log1p((bac.cvs["CLNR"] or 0.0) ** 2)),
        OM_CLR=math.sqrt(math.log1p((bac.cvs["CLR"] or 0.0) ** 2)),
        MAX_ATTEMPTS=1000.0,
    )  # fmt: skip
    if v["B_MIN"] == -math.inf:
        v["B_MIN"] = -1e308
    kernel, _ = split_overrides(overrides)
    v.update(kernel)
    return np.array([v[n] for n in K.NAMES], dtype=np.float64)


def kernel_inputs(design: Design, overrides: dict[str, float] | None = None) -> KernelInputs:
    """Build the kernel inputs of ``design`` (``overrides`` replace parameter values of the
    trial kernel or of the reward circuit, by name)."""
    P = parameter_vector(design, overrides)
    _, circuit_overrides = split_overrides(overrides)
    circuit = DailyCircuit(design.hypothesis, **circuit_overrides)
    decay = np.array([circuit.decay(2.0), circuit.decay(10.0), circuit.decay(12.0)])
    burn = int(P[K.BURN_IN])
    first, last = design.first_day, design.last_day
    n_days = last - first + 1
    sched = design.schedule()
    visit_days = np.array(sorted(sched), dtype=np.int64)
    kinds = [sched[d] for d in visit_days]
    code = {"urine": 1, "rating": 2, "urine+rating": 3}
    visit_kind = np.zeros(n_days, dtype=np.int64)
    visit_index = np.full(n_days, -1, dtype=np.int64)
    for j, d in enumerate(visit_days):
        visit_kind[d - first] = code[kinds[j]]
        visit_index[d - first] = j
    be = cocaine_unit_responses()
    csf = baclofen_points(design.population.creatinine_clearance_ml_min,
                          [circuit.baclofen_weights(r) for r in ROUTES])
    n_arms, n_treat = len(design.arms), last
    cv = care_values()
    cue = np.ones((n_arms, n_treat))
    access = np.ones((n_arms, n_treat))
    sess = np.zeros((n_arms, n_treat, len(CARE_KINDS)), dtype=np.int64)
    emax = np.zeros((n_arms, len(CARE_KINDS)))
    n50 = np.ones((n_arms, len(CARE_KINDS)))
    att = np.zeros((n_arms, len(CARE_KINDS)))
    dose = np.zeros(n_arms)
    hours = np.full((n_arms, 4), -1, dtype=np.int64)
    med = np.zeros(n_arms, dtype=np.int64)
    adh = np.full(n_arms, -1.0)
    days = np.arange(1, n_treat + 1)
    for a, arm in enumerate(design.arms):
        s = arm.setting
        if s.kind == "residential":
            start = s.admission_delay_days
            stop = n_treat if s.stay_days is None else min(n_treat, start + s.stay_days)
            cue[a, start:stop] = P[K.CUE_RESIDENTIAL]
            access[a, start:stop] = 0.0
        for lo, hi in s.travel:
            inside = (days >= lo) & (days <= hi) & (access[a] > 0)
            cue[a, inside] = np.minimum(cue[a, inside], P[K.CUE_TRAVEL])
        for ct in arm.cotreatment:
            k = CARE_KINDS.index(ct.kind)
            wd = [WEEKDAYS.index(x) for x in ct.days]
            sess[a, np.isin((days - 1) % 7, wd), k] = 1
            emax[a, k] = cv["EMAX"] if ct.effect_log_odds is None else ct.effect_log_odds
            n50[a, k] = cv["N50"] if ct.sessions_50 is None else ct.sessions_50
            att[a, k] = ct.attendance
        med[a] = _MED[arm.medication]
        if arm.regimen is not None and med[a] > 0:
            h = REGIMENS[arm.regimen]
            hours[a, : len(h)] = h
        dose[a] = arm.dose_mg if arm.medication == "baclofen" else 0.0
        if arm.adherence is not None:
            adh[a] = arm.adherence
    return KernelInputs(
        P=P, circuit=circuit, decay=decay, burn=burn, first_day=first, n_days=n_days,
        visit_days=visit_days, visit_kinds=kinds, visit_kind=visit_kind,
        visit_index=visit_index, be_unit=be, csf_unit=np.ascontiguousarray(csf),
        arm_cue=cue, arm_access=access, arm_sess=sess, arm_emax=emax, arm_n50=n50,
        arm_att=att, arm_dose=dose, arm_hours=hours, arm_med=med, arm_adh=adh,
    )  # fmt: skip


def strata(design: Design, out_s: np.ndarray) -> np.ndarray:
    """Stratum code of each patient from the screening outputs (0 without stratification)."""
    code = np.zeros(out_s.shape[0], dtype=np.int64)
    for factor in design.allocation.stratify_by:
        if factor == "route":
            level, n = out_s[:, K.S_ROUTE].astype(np.int64), len(ROUTES)
        elif factor == "baseline_use":  # at least half the baseline urines positive
            level = (2 * out_s[:, K.S_BPOS] >= np.maximum(out_s[:, K.S_BURINE], 1)).astype(
                np.int64)
            n = 2
        else:  # "use_days": at least 15 use days a month before randomisation
            level, n = (out_s[:, K.S_USE28] * 30.0 / 28.0 >= 15.0).astype(np.int64), 2
        code = code * n + level
    return code


def allocate(design: Design, rep: int, stratum: np.ndarray) -> np.ndarray:
    """Arm index of patients 1..N (``stratum[i]`` for patient i + 1)."""
    r = design.ratio
    unit = sum(r)
    bs = design.allocation.block_size or 2 * unit
    template = np.repeat(np.arange(len(r)), [x * bs // unit for x in r])
    sizes = np.array(design.arm_sizes())
    arms = np.empty(stratum.shape[0], dtype=np.int64)
    single = len(design.allocation.stratify_by) == 0
    for s in np.unique(stratum):
        idx = np.flatnonzero(stratum == s)
        for b, lo in enumerate(range(0, idx.size, bs)):
            rng = np.random.default_rng([design.seed, rep, int(s), b, 0xA110C])
            block = template
            if single and lo + bs > idx.size:  # last block: the remaining quota
                done = np.bincount(arms[idx[:lo]], minlength=len(r))
                block = np.repeat(np.arange(len(r)), sizes - done)
            part = rng.permutation(block)[: idx.size - lo]
            arms[idx[lo : lo + bs]] = part
    return arms
