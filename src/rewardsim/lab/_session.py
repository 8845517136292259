"""One condition of a protocol: its inputs built for the kernel, its sessions run.

:func:`run_condition` is the whole chain for one condition, in the order the data flows:
the species' drug models read off their declarations (:func:`._kernel.linear_system`),
the doses and the medication taken before the session put into their states, the circuit's
parameters for the species (:func:`rewardsim.models.species.circuit_values`), the schedule
and the decision rule as vectors, and one compiled call that runs every session
(:func:`._kernel.lab_module`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine._compile_notice import ensure_compiled
from ..models.baclofen_pk import BaclofenPK
from ..models.circuit_daily import circuit_params
from ..models.cocaine_pk import BASE_PER_HCL, ROUTE_CMT, CocainePK
from ..models.rat_baclofen_pk import RAT_BACLOFEN_CMT, RatBaclofenPK
from ..models.rat_cocaine_pk import RAT_ROUTE_CMT, RatCocainePK
from ..models.reward_circuit import HYPOTHESES
from ..models.species import HUMAN_WEIGHT_KG, circuit_values
from ._kernel import LinearSystem, lab_module, linear_system, step_matrices
from ._protocol import Protocol
from ._rule import CHOICE_PARAMS, RAT_RULE_PARAMS, choice_values, rat_rule_values

__all__ = ["ConditionRun", "build_inputs", "run_condition"]

_KINDS = {"FR": 1, "PR": 2, "DT": 3}
#: Regular users' dopamine adaptation, the reward circuit's assumption for Volkow 1997's
#: participants (see ``rewardsim.models._calibrate.A_DA_USERS``); drug-naive rats.
_A_DA_DEFAULT = {"human": 0.5, "rat": 0.0}


@dataclass
class ConditionRun:
    """The sessions of one condition: kernel outputs and what is needed to read them."""

    name: str
    protocol: Protocol
    start_step: int
    step_s: float
    t0_min: float
    obs_names: list[str]
    ev: np.ndarray
    res: np.ndarray
    bins: np.ndarray
    choice: np.ndarray
    traj: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)


def _models(proto: Protocol, cocaine: dict[str, float] | None
            ) -> tuple[LinearSystem, dict[str, dict[str, int]]]:
    if proto.protocol.species == "rat":
        coc = RatCocainePK().with_params(**(cocaine or {}))
        system = LinearSystem(linear_system(coc), linear_system(RatBaclofenPK()))
        cmts = {"cocaine": RAT_ROUTE_CMT, "baclofen": RAT_BACLOFEN_CMT}
    else:
        crcl = {"CRCL": proto.subject.crcl_ml_min}
        coc = CocainePK().with_params(**(cocaine or {}))
        system = LinearSystem(linear_system(coc), linear_system(BaclofenPK(), crcl))
        cmts = {"cocaine": ROUTE_CMT, "baclofen": {"oral": 1}}
    return system, cmts


@dataclass
class Inputs:
    """The kernel's arguments for one condition (see ``session`` in the template)."""

    args: dict[str, Any]
    obs_names: list[str]
    start_step: int
    n_steps: int
    n_trials: int
    n_bins: int
    max_ev: int


def build_inputs(proto: Protocol, *, cocaine: dict[str, float] | None = None) -> Inputs:
    """The kernel inputs of one condition (arrays, vectors, initial states); ``cocaine``
    changes values of the species' cocaine model (as the calibration does)."""
    kernel = lab_module()
    species = proto.protocol.species
    ses = proto.session
    h = ses.step_s
    system, cmts = _models(proto, cocaine)
    n = system.n
    t0 = ses.start_min
    n_steps = round((ses.duration_min - t0) * 60.0 / h)
    start = round(-t0 * 60.0 / h)

    def step_of(t_min: float) -> int:
        return round((t_min - t0) * 60.0 / h)

    def per_unit(amount: float, unit: str, salt: str | None) -> float:
        a = amount * (BASE_PER_HCL if salt == "hcl" else 1.0)
        return a * HUMAN_WEIGHT_KG if (species == "human" and unit == "mg/kg") else a

    # Doses: (time in min, state index, amount into the state).
    doses: list[tuple[float, int, float]] = []
    for d in proto.dose:
        idx, f = system.index(d.drug, cmts[d.drug][d.route])
        for k in range(d.n):
            doses.append((d.time_min + k * (d.every_min or 0.0), idx,
                          f * per_unit(d.amount, d.unit, d.salt)))
    if proto.maintenance is not None:
        m = proto.maintenance
        idx, f = system.index("baclofen", cmts["baclofen"][m.route])
        every = m.every_h * 60.0
        first = -m.days * 24.0 * 60.0
        t = m.last_dose_min
        while t >= first - 1e-9:
            doses.append((t, idx, f * m.dose_mg))
            t -= every
        t = m.last_dose_min + every
        while t < ses.duration_min - 1e-9:
            doses.append((t, idx, f * m.dose_mg))
            t += every
    doses.sort()
    before = [x for x in doses if x[0] < t0 - 1e-9]
    during = [x for x in doses if x[0] >= t0 - 1e-9 and step_of(x[0]) <= n_steps]
    x0 = np.zeros(n)
    t_prev = before[0][0] if before else t0
    for t, idx, amt in before:
        x0 = system.propagate(x0, (t - t_prev) / 60.0)
        x0[idx] += amt
        t_prev = t
    x0 = system.propagate(x0, (t0 - t_prev) / 60.0)

    # The circuit of this species and subject.
    subj = proto.subject
    values = circuit_values(species, **HYPOTHESES[subj.hypothesis], **subj.circuit)
    p = circuit_params(values)
    a_da = _A_DA_DEFAULT[species] if subj.A_DA is None else subj.A_DA
    y0 = np.array([0.0, a_da, subj.A_ST, subj.A_GLU, subj.A_PFC, 0.0])

    # Schedule, rule and choice vectors.
    S = np.zeros(kernel.N_S)
    S[kernel.S_START] = start
    S[kernel.S_STOP] = n_steps
    S[kernel.S_MAXINF] = 1e9
    central = system.index("cocaine", cmts["cocaine"]["iv"])[0]
    c_step = np.zeros(0, dtype=np.int64)
    c_alt = np.zeros(0)
    max_ev = 1
    if proto.schedule is not None:
        sc = proto.schedule
        S[kernel.S_KIND] = _KINDS[sc.type]
        S[kernel.S_RATIO] = sc.ratio
        S[kernel.S_UNIT] = per_unit(sc.unit_dose, "mg/kg", sc.salt)
        S[kernel.S_CMT] = central
        S[kernel.S_INF] = round(sc.infusion_s / h)
        S[kernel.S_TO] = round(sc.timeout_s / h)
        S[kernel.S_END] = 0 if sc.end_after_min is None else round(sc.end_after_min * 60 / h)
        S[kernel.S_EVERY] = 0 if sc.trial_every_min is None else round(
            sc.trial_every_min * 60 / h)
        S[kernel.S_LEN] = 0 if sc.trial_length_min is None else round(
            sc.trial_length_min * 60 / h)
        S[kernel.S_PRIME] = 1.0 if sc.priming else 0.0
        S[kernel.S_MAXINF] = sc.max_infusions + (1 if sc.priming else 0)
        max_ev = int(S[kernel.S_MAXINF])
    if proto.choice is not None:
        ch = proto.choice
        idx, f = system.index("cocaine", cmts["cocaine"][ch.route])
        S[kernel.S_KIND] = kernel.K_CHOICE
        S[kernel.S_UNIT] = f * per_unit(ch.dose, ch.unit, ch.salt)
        S[kernel.S_CMT] = idx
        c_step = np.array([step_of(t) for t in ch.trials_min], dtype=np.int64)
        c_alt = np.r_[0.0, ch.alternative]
        max_ev = len(ch.trials_min)
    rule = rat_rule_values(**proto.rule.values(tuple(q.name for q in RAT_RULE_PARAMS)))
    R = np.zeros(kernel.N_R)
    R[kernel.R_ST] = rule["ST"]
    R[kernel.R_PT] = 1.0 + rule["PT_FRACTION"] * (rule["ST"] - 1.0)
    R[kernel.R_RESP] = rule["RESP"]
    R[kernel.R_OPER] = rule["OPER"]
    R[kernel.R_STCV] = rule["ST_CV"]
    cv = choice_values(**proto.rule.values(tuple(q.name for q in CHOICE_PARAMS)))
    C = np.array([cv["B0"], cv["B_HIGH"], cv["B_ALT"]])

    # What is recorded besides the circuit: plasma of both drugs in the models' units.
    if species == "rat":
        obs = {"cocaine_plasma_mg_L": system.weights("cocaine", "CP"),
               "baclofen_plasma_mg_L": system.weights("baclofen", "CP")}
    else:
        obs = {"cocaine_venous_ng_mL": system.weights("cocaine", "CP"),
               "cocaine_arterial_ng_mL": system.weights("cocaine", "CP_ART"),
               "baclofen_plasma_ng_mL": system.weights("baclofen", "CP")}
    E, G = step_matrices(system.A, h / 3600.0, central)
    dl = proto.dialysis
    n_bins = 0 if dl is None else dl.n_bins
    args = {
        "p": p, "E": E, "G": G, "wcp": system.weights("cocaine", "CP_UM"),
        "wcb": system.weights("baclofen", "CSF_UM"),
        "wobs": np.ascontiguousarray(np.array(list(obs.values())).reshape(len(obs), n)),
        "x0": x0, "y0": y0, "h_s": float(h), "n_steps": int(n_steps),
        "b_step": np.array([step_of(t) for t, _, _ in during], dtype=np.int64),
        "b_cmt": np.array([i for _, i, _ in during], dtype=np.int64),
        "b_amt": np.array([a for _, _, a in during], dtype=np.float64),
        "S": S, "R": R, "C": C, "c_step": c_step, "c_alt": c_alt, "cue": float(subj.cue),
        "bin_first": 0 if dl is None else step_of(dl.start_min),
        "bin_len": 1 if dl is None else round(dl.bin_min * 60.0 / h),
        "rec_every": round(ses.record_every_s / h),
    }
    return Inputs(args, list(obs), start, n_steps, len(c_step), n_bins, max_ev)


def run_condition(name: str, proto: Protocol, *, n_subjects: int | None = None,
                  seed: int | None = None, record_subjects: int | None = None,
                  cocaine: dict[str, float] | None = None) -> ConditionRun:
    """Run the sessions of one condition (subjects 1..n, one seed)."""
    kernel = lab_module()
    inp = build_inputs(proto, cocaine=cocaine)
    ses = proto.session
    n = ses.n_subjects if n_subjects is None else int(n_subjects)
    keep = min(n, ses.record_subjects if record_subjects is None else record_subjects)
    n_rec = inp.n_steps // inp.args["rec_every"] + 1
    ev = np.full((n, inp.max_ev), -1, dtype=np.int64)
    res = np.zeros((n, kernel.N_O))
    bins = np.zeros((n, inp.n_bins))
    choice = np.zeros((n, inp.n_trials, 2))
    traj = np.zeros((keep, n_rec, 1 + len(inp.obs_names) + kernel.N_T))
    sids = np.arange(1, n + 1, dtype=np.int64)
    a = inp.args
    call = (a["p"], a["E"], a["G"], a["wcp"], a["wcb"], a["wobs"], a["x0"], a["y0"],
            a["h_s"], a["n_steps"], a["b_step"], a["b_cmt"], a["b_amt"], a["S"], a["R"],
            a["C"], a["c_step"], a["c_alt"], a["cue"], int(ses.seed if seed is None else seed),
            sids, a["bin_first"], a["bin_len"], ev, res, bins, choice, traj, a["rec_every"])
    ensure_compiled(kernel.sessions, call, "the laboratory session kernel")
    kernel.sessions(*call)
    return ConditionRun(name, proto, inp.start_step, ses.step_s, ses.start_min,
                        inp.obs_names, ev, res, bins, choice, traj)
