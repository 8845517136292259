"""Calibration of the rat laboratory: the values no paper gives directly, and their record.

``rewardsim lab-calibrate`` runs three fits in this order, each with the values before it,
and writes the record (values, the data fitted, residuals, method) that the rat models
read, ``rewardsim/models/data/rat_calibration.json``:

``V1, CL, Q, V2`` (:class:`rewardsim.models.rat_cocaine_pk.RatCocainePK`)
    Serum cocaine Cmax and Cmin during self-administration of 0.5 and 1 mg/kg per infusion
    (Lau & Sun 2002: 0.82/0.34 and 1.47/0.28 µg/mL), each session taken as regular
    infusions at the mean interval implied by the reported intake (150 min x unit dose /
    25.75 mg/kg) at pseudo steady state, with the terminal half-life set to the functional
    half-life of Tsibulsky & Norman 1999 (8.2 min).
``KP_COC`` of the rat (:mod:`rewardsim.models.species`)
    Not a fit: the ratio of brain extracellular to blood cocaine measured together at
    steady state (i.v. infusion, no-net-flux microdialysis of the rat medial prefrontal
    cortex: 17.7 and 24.3 µM, :data:`STEADY`), divided by the circuit's unbound fraction.
    Measured in the same animals, the ratio does not depend on their clearance, which
    chloral hydrate lowers (the blood level is 4 times what the awake-rat plasma model
    gives at that infusion rate).
``ST`` (the satiety threshold of :mod:`rewardsim.lab._rule`)
    Infusions per 2.5-h session at 1 mg/kg per infusion, 25.75 (Lau & Sun 2002, the middle
    of the reported 24.5-27.0 mg/kg per session), 200 simulated rats (common random
    numbers), ``scipy.optimize.brentq``.

Out-of-sample checks written with the record (not fitted): rat mPFC extracellular cocaine
after i.v. bolus doses (:data:`MPFC`, under chloral hydrate: expected too low with the
awake-rat clearance), the 0.5 mg/kg group of Lau &
Sun 2002 (intake in the same 24.5-27.0 mg/kg), the dose-interval relation of Tsibulsky &
Norman 1999 (interval = t1/2 log2((ST + D)/ST), ST 1.7 mg/kg, t1/2 8.2 min), and Fadda
2003's 7.5 mg/kg i.p. microdialysis peak (470 % of baseline; 20-min bins assumed) with the
rat's brain DAT occupancy at that peak, against the 0.5 the reward circuit's ``G_PH``
calibration assumes (the human calibration is not changed: see docs/lab.md).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq, least_squares

from ..models.cocaine_pk import BASE_PER_HCL
from ..models.rat_cocaine_pk import RatCocainePK
from ..models.reward_circuit import RewardCircuit
from ._kernel import linear_system
from ._protocol import parse_protocol
from ._session import run_condition

__all__ = ["LAU_SUN", "MPFC", "STEADY", "TSIBULSKY", "calibrate_rat", "write_rat_calibration"]

LAU_SUN = {
    "source": "Lau CE, Sun L 2002, Drug Metab Dispos 30:254-261, doi:10.1124/dmd.30.3.254 "
              "(abstract read)",
    "data": "i.v. self-administration, continuous reinforcement, 2.5-h sessions, 0.5 and 1 "
            "mg/kg per infusion: 24.5-27.0 mg/kg per session in both groups; serum cocaine "
            "Cmax 0.82 and 1.47 µg/mL, Cmin 0.34 and 0.28 µg/mL",
    "session_min": 150.0, "intake_mg_kg": (24.5, 27.0),
    "serum": {0.5: (0.82, 0.34), 1.0: (1.47, 0.28)},
}
TSIBULSKY = {
    "source": "Tsibulsky VL, Norman AB 1999, Brain Res 839:85-93, "
              "doi:10.1016/s0006-8993(99)01717-5 (abstract read)",
    "half_life_min": 8.2, "satiety_mg_kg": 1.7,
    "data": "satiety threshold ~1.7 mg/kg and functional elimination half-life ~8.2 min "
            "from the intervals between self-injections",
}
STEADY = {
    "source": "'Determination of microdialysis extraction fraction of cocaine by the no-net-"
              "flux method under high, low and zero steady-state cocaine concentrations in "
              "rats' (English abstract read; authors, journal and year not in the record "
              "read)",
    "data": "i.v. infusion 0.6 mg/kg/min under chloral hydrate: steady-state blood cocaine "
            "24.3 +/- 2.3 µM, medial prefrontal cortex extracellular cocaine 17.7 +/- 1.3 µM "
            "(no-net-flux microdialysis)",
    "blood_um": 24.3, "ecf_um": 17.7, "ecf_alt_um": 11.3,
    "reading": "the abstract gives one blood value for two groups ('24.3 +/- 2.3 microM, "
               "respectively'); it is read as the first group's (0.6 mg/kg/min, ECF 17.7 "
               "µM); read as the second group's (0.3 mg/kg/min, ECF 11.3 µM) the ratio "
               "would be 0.47 (other_reading)",
}
MPFC = {
    "source": "lawdata.com.tw record 331892 (rat mPFC microdialysis of cocaine and dopamine "
              "after i.v. cocaine under chloral hydrate; English abstract read; authors, "
              "journal and year not in the record read)",
    "data": "extracellular cocaine 1.84 +/- 0.64 and 4.00 +/- 0.94 µM (first 20-min "
            "dialysate, in vivo recovery 33 +/- 5 %) after 1.5 and 3.0 mg/kg i.v.",
    "doses_mg_kg": (1.5, 3.0), "ecf_um": (1.84, 4.00), "sd_um": (0.64, 0.94), "bin_min": 20.0,
}
FADDA = {
    "source": "Fadda P et al. 2003, Synapse 50:1-6, PMID 12872287 (reference file §14D)",
    "peak_pct": 470.0, "sem_pct": 30.7, "dose_mg_kg": 7.5, "bin_min": 20.0,
    "note": "bin length assumed (20 min; not in the abstract)",
}
TARGET_INTAKE = 0.5 * sum(LAU_SUN["intake_mg_kg"])  # 25.75 mg/kg per 2.5 h
_FR1 = {"type": "FR", "ratio": 1, "salt": "hcl", "infusion_s": 5.0, "timeout_s": 20.0,
        "priming": True}


def _pk_values(x: np.ndarray) -> dict[str, float]:
    """Two-compartment constants (per kg, per h) from (V1, alpha, k21) and the fixed beta."""
    beta = math.log(2.0) / (TSIBULSKY["half_life_min"] / 60.0)
    v1, alpha, k21 = (float(v) for v in np.exp(x))
    k10 = alpha * beta / k21
    k12 = alpha + beta - k10 - k21
    return {"V1": v1, "CL": k10 * v1, "Q": k12 * v1, "V2": k12 * v1 / k21}


def _cycle(values: dict[str, float], dose: float, tau_h: float) -> tuple[float, float]:
    """Serum Cmax and Cmin (mg/L) at pseudo steady state, a bolus ``dose`` every ``tau_h``."""
    sys_ = linear_system(RatCocainePK().with_params(**values))
    a = sys_.A[2:, 2:]  # CENT, PERIPH
    b = np.array([dose, 0.0])
    x = np.linalg.solve(np.eye(2) - expm(a * tau_h), b)
    step = expm(a * tau_h / 600.0)
    c = np.empty(601)
    for k in range(601):
        c[k] = x[0]
        x = step @ x
    c *= sys_.outputs["CP"][2]
    return float(c.max()), float(c.min())


def _fit_pk() -> dict[str, Any]:
    def resid(x: np.ndarray) -> np.ndarray:
        v = _pk_values(x)
        if v["Q"] <= 0.0:
            return np.full(4, 10.0)
        out = []
        for d, (cmax, cmin) in LAU_SUN["serum"].items():
            tau = LAU_SUN["session_min"] / (TARGET_INTAKE / d) / 60.0
            hi, lo = _cycle(v, d * BASE_PER_HCL, tau)
            out += [math.log(hi / cmax), math.log(lo / cmin)]
        return np.array(out)

    best = None
    for a0 in (1.0, 3.0, 10.0):  # alpha, 1/min, converted to 1/h below
        for k0 in (0.1, 0.5):
            x0 = np.log([0.5, a0 * 60.0, k0 * 60.0])
            fit = least_squares(resid, x0, xtol=1e-12, ftol=1e-12)
            if best is None or fit.cost < best.cost:
                best = fit
    assert best is not None
    v = _pk_values(best.x)
    r = resid(best.x)
    sim = {}
    for d in LAU_SUN["serum"]:
        tau = LAU_SUN["session_min"] / (TARGET_INTAKE / d) / 60.0
        sim[f"{d:g} mg/kg"] = dict(zip(("Cmax", "Cmin"), _cycle(v, d * BASE_PER_HCL, tau),
                                       strict=True))
    common = {
        "source": LAU_SUN["source"] + "; " + TSIBULSKY["source"],
        "fitted_to": LAU_SUN["data"] + "; terminal half-life " +
                     f"{TSIBULSKY['half_life_min']} min (Tsibulsky & Norman 1999)",
        "target": {f"{d:g} mg/kg": {"Cmax": c[0], "Cmin": c[1]}
                   for d, c in LAU_SUN["serum"].items()},
        "simulated": sim, "residual": float(np.sqrt(np.mean(r ** 2))),
        "residual_unit": "root mean square of log(simulated / target)",
        "method": "scipy.optimize.least_squares on log V1, log alpha, log k21 (beta fixed); "
                  "regular bolus infusions at pseudo steady state, doses as HCl",
    }
    units = {"V1": "L/kg", "CL": "L/h/kg", "Q": "L/h/kg", "V2": "L/kg"}
    return {k: {"value": v[k], "unit": units[k], **common} for k in units}


def _protocol(kind: str, name: str, duration: float, extra: dict[str, Any]
              ) -> Any:
    data = {"protocol": {"name": name, "species": "rat", "kind": kind,
                         "sources": [LAU_SUN["source"]]},
            "session": {"duration_min": duration, "record_subjects": 0}, **extra}
    return parse_protocol(data).conditions[0][1]


def _kp_rat(fu: float) -> dict[str, Any]:
    """Rat KP_COC from the steady-state brain-extracellular / blood ratio (one reading)."""
    ratio = STEADY["ecf_um"] / STEADY["blood_um"]
    alt = STEADY["ecf_alt_um"] / STEADY["blood_um"]
    return {"value": ratio / fu, "unit": "1", "source": STEADY["source"],
            "fitted_to": STEADY["data"], "target": ratio, "simulated": ratio,
            "residual": 0.0, "residual_unit": "brain extracellular / blood at steady state",
            "method": f"derived: KP_COC = (ECF / blood) / FU_COC = {ratio:.3f} / {fu:g} "
                      "(FU_COC of the circuit, not a rat value); the product KP_COC FU_COC "
                      "is what the data identify",
            "reading": STEADY["reading"],
            "other_reading": {"ratio": alt, "KP_COC": alt / fu}}


def _mpfc(pk: dict[str, float], kp: float) -> dict[str, Any]:
    """Unbound brain cocaine over the first 20 min after i.v. doses (out of sample)."""
    sim = {}
    for dose in MPFC["doses_mg_kg"]:
        proto = _protocol("doses", "mpfc", 30.0, {
            "session": {"duration_min": 30.0, "record_subjects": 1, "record_every_s": 1.0},
            "subject": {"circuit": {"KP_COC": kp}},
            "dose": [{"drug": "cocaine", "route": "iv", "amount": dose, "unit": "mg/kg",
                      "salt": "hcl", "time_min": 0.0}]})
        run = run_condition("mpfc", proto, cocaine=pk)
        k = run.traj[0]
        m = k[:, 0] <= MPFC["bin_min"] + 1e-9
        ce = k[m, 1 + len(run.obs_names) + 2]
        sim[f"{dose:g} mg/kg"] = float(np.trapezoid(ce, k[m, 0]) / MPFC["bin_min"])
    return {"source": MPFC["source"], "data": MPFC["data"],
            "target_um": dict(zip(sim, MPFC["ecf_um"], strict=True)),
            "sd_um": dict(zip(sim, MPFC["sd_um"], strict=True)), "simulated_um": sim,
            "note": "out of sample; rats under chloral hydrate, whose clearance is lower "
                    "than the awake rats' of the plasma model (see STEADY), so the awake "
                    "model is expected to fall short"}


def _intake(st: float, dose: float, pk: dict[str, float], kp: float, n: int = 200,
            **rule: float) -> np.ndarray:
    proto = _protocol("self_administration", "fr1", LAU_SUN["session_min"], {
        "session": {"duration_min": LAU_SUN["session_min"], "n_subjects": n, "seed": 2002,
                    "record_subjects": 0},
        "subject": {"circuit": {"KP_COC": kp}},
        "schedule": {**_FR1, "unit_dose": dose}, "rule": {"ST": st, **rule}})
    run = run_condition("fr1", proto, cocaine=pk)
    return run.res[:, 0] * dose


def _fit_st(pk: dict[str, float], kp: float) -> dict[str, Any]:
    def f(st: float) -> float:
        return float(_intake(st, 1.0, pk, kp).mean()) - TARGET_INTAKE

    lo, hi = 1.05, 4.0
    while f(hi) < 0.0 and hi < 1000.0:  # intake rises with ST while the rat can reach it
        lo, hi = hi, 2.0 * hi
    st = brentq(f, lo, hi, xtol=1e-3)
    got = f(st) + TARGET_INTAKE
    return {"value": float(st), "unit": "DA/DA0", "source": LAU_SUN["source"],
            "fitted_to": "cocaine intake at 1 mg/kg per infusion, 25.75 mg/kg per 2.5-h "
                         "session (middle of the reported 24.5-27.0), FR1, 5-s infusions, "
                         "20-s time-out, a priming infusion (assumed design details)",
            "target": TARGET_INTAKE, "tolerance": list(LAU_SUN["intake_mg_kg"]),
            "simulated": got, "residual": got - TARGET_INTAKE, "residual_unit": "mg/kg",
            "method": "scipy.optimize.brentq on the mean intake of 200 simulated rats "
                      "(seed 2002, common random numbers)"}


def _checks(pk: dict[str, float], kp: float, st: float) -> dict[str, Any]:
    out: dict[str, Any] = {"mpfc_bolus": _mpfc(pk, kp)}
    half = _intake(st, 0.5, pk, kp)
    out["lau_sun_0.5_mg_kg"] = {
        "source": LAU_SUN["source"], "target_range_mg_kg": list(LAU_SUN["intake_mg_kg"]),
        "simulated_mean_mg_kg": float(half.mean()),
        "within": bool(LAU_SUN["intake_mg_kg"][0] <= half.mean() <= LAU_SUN["intake_mg_kg"][1]),
        "note": "out of sample: only the 1 mg/kg group's intake was fitted"}
    rows = {}
    for dose in (0.25, 0.5, 1.0, 2.0):
        proto = _protocol("self_administration", "tn", 180.0, {
            "session": {"duration_min": 180.0, "n_subjects": 100, "seed": 1999,
                        "record_subjects": 0},
            "subject": {"circuit": {"KP_COC": kp}},
            "schedule": {**_FR1, "unit_dose": dose}, "rule": {"ST": st, "ST_CV": 0.0}})
        run = run_condition("tn", proto, cocaine=pk)
        gaps = []
        for e in run.ev:
            e = e[e >= 0]
            if e.size > 6:  # the maintained phase: after the first five infusions
                gaps.append(np.diff(e[5:]).mean() * proto.session.step_s / 60.0)
        tn = TSIBULSKY["half_life_min"] * math.log2(
            (TSIBULSKY["satiety_mg_kg"] + dose) / TSIBULSKY["satiety_mg_kg"])
        rows[f"{dose:g} mg/kg"] = {"simulated_interval_min": float(np.mean(gaps)),
                                   "tsibulsky_norman_min": tn}
    out["tsibulsky_norman_intervals"] = {
        "source": TSIBULSKY["source"], "rows": rows,
        "note": "out of sample; their curve from the abstract's parameter values, interval "
                "= t1/2 log2((ST + D)/ST) (first-order decline from ST + D to ST)"}
    proto = _protocol("microdialysis", "fadda", 180.0, {
        "session": {"duration_min": 180.0, "start_min": -60.0, "record_subjects": 1,
                    "record_every_s": 10.0},
        "subject": {"circuit": {"KP_COC": kp}},
        "dose": [{"drug": "cocaine", "route": "ip", "amount": FADDA["dose_mg_kg"],
                  "unit": "mg/kg", "salt": "hcl", "time_min": 0.0}],
        "dialysis": {"bin_min": FADDA["bin_min"], "recovery": 0.65, "start_min": -60.0,
                     "n_bins": 12, "baseline_bins": 3,
                     "recovery_source": "Parsons & Justice 1992 (reference file §5)"}})
    run = run_condition("fadda", proto, cocaine=pk)
    base = run.bins[0, :3].mean()
    occ = run.traj[0][:, 1 + len(run.obs_names) + 3]
    out["fadda_2003_ip_peak"] = {
        "source": FADDA["source"], "target_pct": FADDA["peak_pct"], "sem_pct": FADDA["sem_pct"],
        "simulated_peak_bin_pct": float(100.0 * run.bins[0].max() / base),
        "simulated_peak_occupancy": float(occ.max()),
        "assumed_occupancy_in_circuit_calibration": 0.5, "note": FADDA["note"] +
        "; i.p. absorption of the rat model is assumed (no rat i.p. figure found), so this "
        "check does not replace the assumed occupancy of the G_PH calibration"}
    return out


def calibrate_rat() -> dict[str, Any]:
    """Rerun every rat fit and check; returns the calibration record (JSON-serialisable)."""
    fits = _fit_pk()
    pk = {k: fits[k]["value"] for k in ("V1", "CL", "Q", "V2")}
    fits["KP_COC_RAT"] = _kp_rat(RewardCircuit().values["FU_COC"])
    kp = fits["KP_COC_RAT"]["value"]
    fits["ST_DA"] = _fit_st(pk, kp)
    return {"generated_by": "rewardsim lab-calibrate", "model": "rat laboratory",
            "parameters": fits, "checks": _checks(pk, kp, fits["ST_DA"]["value"])}


def write_rat_calibration(record: dict[str, Any], path: str | Path) -> Path:
    """Write a calibration record as indented JSON."""
    path = Path(path)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
