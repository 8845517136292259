"""Calibration of the reward circuit: the parameters no paper gives directly.

Each fit uses ``scipy.optimize`` against data named in the reference file or in the
sources cited (docs/reward_circuit.md lists them), in this order, each with the values fitted
before it:

``KE0``
    Time to the peak of the subjective high, which follows brain cocaine, after IV (3.1 +/-
    0.9 min) and smoked (1.4 +/- 0.5 min) cocaine (Volkow 2000); intranasal (14.6 +/- 8 min)
    and the striatal [11C]cocaine PET curve (peak 4-10 min, Fowler 1989; half-clearance ~20
    min, Volkow 1995) are checks.
``KP_COC``
    Human striatal DAT occupancy 60 % and 77 % after 0.3 and 0.6 mg/kg IV (Volkow 1997).
``G_PH``
    Peak NAc shell DA 470 % of baseline (+370 +/- 30.7 %) after cocaine 7.5 mg/kg i.p. in
    rats (Fadda 2003), at the rat brain DAT occupancy assumed for that peak,
    :data:`RAT_PEAK_OCCUPANCY`: translation from rat to human goes through occupancy, a
    function of the unbound brain concentration, never through mg/kg.
``KON_ST``, ``KON_ADAPT``
    Not data: set to the onset rates stated as assumptions in the parameter table (one
    100 mg intranasal dose brings the stress state to 6 %; 100 mg a day brings dopamine
    adaptation to half its maximum in 17.5 days), with the human brain exposure above.
``RWD50_HIGH``, ``N_HIGH``
    The 34 (occupancy, 'high') pairs of Volkow 1997, through the circuit's reward signal.
``N_BURST``
    1 µM baclofen abolishes NMDA-induced bursting in the slice ('abolishes' read as >= 95 %
    suppression; no endogenous GABA in the slice).
``T12_PFC``
    Frontal hypometabolism persisting ~3-4 months after detoxification (Volkow 1992/1993),
    read as half the deficit state left 3.5 months into abstinence.

The brain side is integrated with the circuit's own right-hand side
(:func:`rewardsim.models.circuit_daily.circuit_module`) on the cocaine model's exact
arterial plasma curve. ``rewardsim calibrate`` runs in seconds once the kernels are
compiled.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq, least_squares

from ..engine import simulate
from ..io._atomic import atomic_write_text
from .baclofen_pk import MW_BACLOFEN, BaclofenPK
from .behaviour import BINGE
from .circuit_daily import binge_records, circuit_module, circuit_params, window_grid
from .cocaine_pk import MW_COCAINE_HCL, ROUTE_CMT, CocainePK, hcl_to_base
from .reward_circuit import RewardCircuit, circuit_algebra

__all__ = ["RAT_PEAK_OCCUPANCY", "calibrate", "volkow_1997_pairs", "write_calibration"]

#: Rat NAc DAT occupancy at the peak after 7.5 mg/kg i.p. (ASSUMED; see the source text).
RAT_PEAK_OCCUPANCY = 0.5
_RAT_DOSE_UMOL_KG = 7.5 / MW_COCAINE_HCL * 1000.0  # 7.5 mg/kg HCl in µmol/kg = 22.1
#: Body weight (kg) of the typical adult of the cocaine model, for doses given per kg.
WEIGHT_KG = 70.0
#: Dopamine adaptation of the regular users of Volkow 1997 (ASSUMED: mid-range).
A_DA_USERS = 0.5

FADDA = {"source": "Fadda P et al. 2003, Synapse 50:1-6, PMID 12872287 (reference §14D)",
         "peak_pct": 470.0, "sem_pct": 30.7,
         "data": "NAc shell microdialysis, cocaine 7.5 mg/kg i.p., rat: maximum +370 +/- "
                 "30.7 % over baseline (470 % of baseline)"}
VOLKOW_2000 = {
    "source": "Volkow ND et al. 2000, Life Sci 67:1507-1515 (32 cocaine users; abstract read)",
    "data": "time to the peak self-report of 'high': smoked 1.4 +/- 0.5 min, IV 3.1 +/- 0.9 "
            "min, intranasal 14.6 +/- 8 min (mean +/- SD)",
    "fitted": {"iv": (3.1, 0.9), "smoked": (1.4, 0.5)},
    "check": {"intranasal": (14.6, 8.0)},
}
VOLKOW_1997 = {
    "source": "Volkow ND et al. 1997, Nature 386:827-830, doi:10.1038/386827a0 (abstract read)",
    "data": "IV cocaine 0.3-0.6 mg/kg blocked between 60 and 77 % of striatal DAT (PET, "
            "[11C]cocaine); at least 47 % occupancy needed to perceive a high",
    "occupancy": {0.3: 0.60, 0.6: 0.77}, "tolerance": 0.05, "threshold": 0.47,
}
PET_BRAIN = {
    "source": "Fowler JS et al. 1989, Synapse 4:371-377 (peak; from memory, unverified "
              "here; medium, reference §14E); Volkow ND et al. 1995, Arch Gen Psychiatry "
              "52:456-463 (clearance of [11C]cocaine from striatum 20 min; abstract read)",
    "peak_min": (4.0, 10.0), "half_clear_min": 20.0,
}
ONSET = {"source": "assumed (parameter table): no onset time constant in the reference file",
         "st_per_dose": 0.06, "da_half_days": 17.5, "dose_mg": 100.0, "route": "intranasal"}
SLICE_BURST = {"source": "Neuroscience 1994 58:201-206 (OHSU group; reference §6)",
               "conc_um": 1.0, "residual_burst": 0.05,
               "data": "1 µM baclofen abolishes NMDA-induced bursting (read as >= 95 % "
                       "suppression, assumed)"}
VOLKOW_PFC = {"source": "Volkow ND et al. 1992 Synapse 11:184-190; 1993 Synapse 14:169-177 "
                        "— from memory, unverified here; medium (reference §10)",
              "months": 3.5, "fraction_left": 0.5,
              "data": "frontal hypometabolism persisting ~3-4 months after detoxification "
                      "(read as half the deficit state left at 3.5 months)"}
CROSS_CHECK = {"source": "reference file §4, derived cross-check (Chen 2005 EC50 0.27 µM; "
                         "CSF ~0.13 µM racemate at 20 mg t.i.d.)", "band": (0.20, 0.35)}
DAYS_PER_MONTH = 365.25 / 12.0
_SINGLE = np.arange(0.0, 90.0 * 60.0 + 1e-9, 2.0) / 3600.0  # h: 90 min on a 2 s grid


def volkow_1997_pairs() -> pd.DataFrame:
    """The 34 (DAT occupancy, 'high') pairs of Volkow 1997 shipped with the package."""
    path = resources.files("rewardsim.models") / "data" / "volkow1997_occupancy_high.csv"
    with path.open(encoding="utf-8") as fh:
        t = pd.read_csv(fh, comment="#")
    return pd.DataFrame({"occupancy": t["percent.blocked"] / 100.0, "high": t["high"]})


@lru_cache(maxsize=4)
def _single_dose_plasma(route: str) -> np.ndarray:
    """Arterial plasma cocaine (µM) of a single 1 mg base dose on :data:`_SINGLE`."""
    data = pd.DataFrame({"ID": [1], "TIME": [0.0], "AMT": [1.0], "CMT": [ROUTE_CMT[route]]})
    return np.ascontiguousarray(
        simulate(CocainePK(), data, times=_SINGLE, omega=False)["CP_UM"][0])


def _brain(values: dict[str, float], route: str, mg: float) -> np.ndarray:
    """Unbound brain cocaine (µM) after a single dose, from the circuit's own equations."""
    traj = np.zeros((_SINGLE.size, 6 + 13))
    circuit_module().window(circuit_params(values), _SINGLE, _single_dose_plasma(route) * mg,
                            0.0, 0.0, np.zeros(6), traj)
    return traj[:, 0]


def _tmax_min(values: dict[str, float], route: str) -> float:
    """Time (min) of the brain cocaine peak: the vertex of the parabola through the grid
    maximum and its neighbours (continuous in the parameters, so the fits are smooth)."""
    ce = _brain(values, route, 1.0)
    k = int(np.clip(np.argmax(ce), 1, ce.size - 2))
    y0, y1, y2 = ce[k - 1 : k + 2]
    h = _SINGLE[1] - _SINGLE[0]
    shift = 0.5 * h * (y0 - y2) / (y0 - 2.0 * y1 + y2) if y0 - 2.0 * y1 + y2 < 0 else 0.0
    return float((_SINGLE[k] + shift) * 60.0)


def _half_clear_min(values: dict[str, float]) -> float:
    ce = _brain(values, "iv", 1.0)
    k = int(np.argmax(ce))
    after = np.flatnonzero(ce[k:] <= 0.5 * ce[k])
    return float((_SINGLE[k + after[0]] - _SINGLE[k]) * 60.0) if after.size else math.inf


def _fit_ke0(values: dict[str, float]) -> dict[str, Any]:
    fitted = VOLKOW_2000["fitted"]

    def resid(x: np.ndarray) -> np.ndarray:
        v = {**values, "KE0": math.exp(x[0])}
        return np.array([(_tmax_min(v, r) - m) / sd for r, (m, sd) in fitted.items()])

    # start from the best of a coarse scan
    starts = np.log(np.array([10.0, 20.0, 40.0, 80.0, 160.0, 320.0]))
    x0 = starts[int(np.argmin([np.sum(resid(np.array([x])) ** 2) for x in starts]))]
    fit = least_squares(resid, x0=[x0], diff_step=1e-2, xtol=1e-10)
    ke0 = float(math.exp(fit.x[0]))
    v = {**values, "KE0": ke0}
    sim = {r: _tmax_min(v, r) for r in ("iv", "smoked", "intranasal")}
    return {
        "value": ke0, "unit": "1/h", "fitted_to": VOLKOW_2000["data"],
        "source": VOLKOW_2000["source"],
        "target": {r: m for r, (m, _) in fitted.items()},
        "tolerance": {r: sd for r, (_, sd) in fitted.items()},
        "simulated": {r: sim[r] for r in fitted},
        "residual": float(np.sqrt(np.mean(resid(fit.x) ** 2))),
        "residual_unit": "root mean square of (simulated - target) / SD",
        "checks": {
            "intranasal_time_to_peak_min": {"target": VOLKOW_2000["check"]["intranasal"][0],
                                            "sd": VOLKOW_2000["check"]["intranasal"][1],
                                            "simulated": sim["intranasal"]},
            "pet_striatal_peak_min": {"target": list(PET_BRAIN["peak_min"]),
                                      "simulated_unbound_brain_peak": sim["iv"],
                                      "source": PET_BRAIN["source"],
                                      "note": "the tracer's striatal radioactivity includes "
                                              "DAT-bound cocaine, which lags the unbound "
                                              "concentration; the unbound peak must not be "
                                              "later than 10 min"},
            "pet_half_clearance_min": {
                "target": PET_BRAIN["half_clear_min"], "simulated": _half_clear_min(v),
                "source": PET_BRAIN["source"],
                "note": "not reproduced: brain cocaine follows arterial plasma, the well-mixed "
                        "central compartment of the cocaine model (Chow 1985, fitted to venous "
                        "samples), which clears more slowly than the [11C]cocaine tracer"},
        },
        "method": "scipy.optimize.least_squares on log KE0; the circuit's equations on the "
                  "cocaine model's arterial plasma curves (2 s grid)",
    }


def _fit_kp(values: dict[str, float]) -> dict[str, Any]:
    occ_t = VOLKOW_1997["occupancy"]
    peaks = {d: _brain({**values, "KP_COC": 1.0}, "iv",
                       float(hcl_to_base(d * WEIGHT_KG))).max() for d in occ_t}

    def occ(kp: float, d: float) -> float:
        c = kp * peaks[d]
        return c / (c + values["KI_DAT"])

    def resid(x: np.ndarray) -> np.ndarray:
        return np.array([occ(math.exp(x[0]), d) - o for d, o in occ_t.items()])

    fit = least_squares(resid, x0=[0.0], xtol=1e-14, ftol=1e-14)
    kp = float(math.exp(fit.x[0]))
    return {
        "value": kp, "unit": "1", "fitted_to": VOLKOW_1997["data"],
        "source": VOLKOW_1997["source"],
        "target": {f"{d} mg/kg": o for d, o in occ_t.items()},
        "tolerance": VOLKOW_1997["tolerance"],
        "simulated": {f"{d} mg/kg": occ(kp, d) for d in occ_t},
        "residual": float(np.sqrt(np.mean(resid(fit.x) ** 2))),
        "residual_unit": "root mean square occupancy difference",
        "before": {f"{d} mg/kg": occ(1.0, d) for d in occ_t},
        "method": "scipy.optimize.least_squares on log KP_COC, peak occupancy of the "
                  f"model after IV cocaine HCl given per kg of a {WEIGHT_KG:.0f} kg adult",
    }


def _fit_g_ph(values: dict[str, float]) -> dict[str, Any]:
    ce = values["KI_DAT"] * RAT_PEAK_OCCUPANCY / (1.0 - RAT_PEAK_OCCUPANCY)

    def resid(x: np.ndarray) -> np.ndarray:
        out = circuit_algebra({**values, "G_PH": x[0]}, CE=ce, CB_BAC=0.0)
        return np.array([(100.0 * float(out["DAR"]) - FADDA["peak_pct"]) / FADDA["sem_pct"]])

    fit = least_squares(resid, x0=[10.0], bounds=([0.0], [1e3]), xtol=1e-14, ftol=1e-14)
    sim = 100.0 * float(circuit_algebra({**values, "G_PH": fit.x[0]}, CE=ce)["DAR"])
    return {
        "value": float(fit.x[0]), "unit": "1",
        "fitted_to": FADDA["data"], "source": FADDA["source"],
        "target": FADDA["peak_pct"], "tolerance": FADDA["sem_pct"], "simulated": sim,
        "residual": sim - FADDA["peak_pct"],
        "assumption": (
            f"rat brain DAT occupancy at the peak = {RAT_PEAK_OCCUPANCY} (unbound brain "
            f"cocaine = Ki): the dose, {_RAT_DOSE_UMOL_KG:.1f} µmol/kg HCl, equals the IV ED50 "
            "of 22.3 µmol/kg for NAc DA uptake inhibition (Wang 2006, rat, ex vivo); i.p. "
            "dosing lowers the peak (first pass, slower absorption) while ex vivo assays "
            "underestimate in vivo inhibition, biases of opposite sign; no rat brain "
            "concentration is in the reference file. The human side reaches its occupancy "
            "through the human PK and KP_COC (anchored to human PET), so the gain is "
            "translated through occupancy, not through dose"),
        "method": "scipy.optimize.least_squares on the quasi-steady-state DA algebra",
    }


def _onset_days(values: dict[str, float], days: int) -> float:
    """A_DA after ``days`` of the ONSET regimen from drug-naive, the circuit integrated."""
    data = binge_records(ONSET["route"], ONSET["dose_mg"], 0.0).assign(ID=1)
    grid = window_grid(ONSET["route"], 24.0)
    cp = simulate(CocainePK(), data, times=grid, omega=False)["CP_UM"][0]
    mod, p = circuit_module(), circuit_params(values)
    y = np.zeros(6)
    none = np.empty((0, 0))
    for _ in range(days):
        y = np.array(mod.window(p, grid, cp, 0.0, 1.0, y, none)[0])
        y[0] = 0.0  # brain cocaine of the previous day has gone (checked: < 1e-6 µM)
    return float(y[1])


def _fit_onset(values: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any]]:
    rec = binge_records(ONSET["route"], ONSET["dose_mg"], 0.0).assign(ID=1)
    grid = window_grid(ONSET["route"], 24.0)
    cp = simulate(CocainePK(), rec, times=grid, omega=False)["CP_UM"][0]
    mod = circuit_module()
    none = np.empty((0, 0))

    def st_after(kon: float) -> float:
        p = circuit_params({**values, "KON_ST": kon})
        return float(mod.window(p, grid, cp, 0.0, 1.0, np.zeros(6), none)[0][2])

    kon_st = brentq(lambda k: st_after(k) - ONSET["st_per_dose"], 1e-5, 100.0, xtol=1e-12)
    whole, frac = int(ONSET["da_half_days"]), ONSET["da_half_days"] % 1.0

    def da_after(kon: float) -> float:
        v = {**values, "KON_ST": kon_st, "KON_ADAPT": kon}
        lo, hi = _onset_days(v, whole), _onset_days(v, whole + 1)
        return lo + frac * (hi - lo)

    kon_da = brentq(lambda k: da_after(k) - 0.5, 1e-5, 10.0, xtol=1e-10)
    common = {"source": ONSET["source"], "method": "scipy.optimize.brentq; the circuit's "
              "equations on the cocaine model's arterial plasma (100 mg intranasal, "
              f"{BINGE[ONSET['route']][0]} hits)"}
    return (
        {"value": float(kon_st), "unit": "1/h", **common,
         "fitted_to": "assumed onset: one 100 mg intranasal dose brings A_ST from 0 to 0.06",
         "target": ONSET["st_per_dose"], "simulated": st_after(kon_st),
         "residual": st_after(kon_st) - ONSET["st_per_dose"], "before": 0.1},
        {"value": float(kon_da), "unit": "1/h", **common,
         "fitted_to": "assumed onset: 100 mg intranasal a day brings A_DA from 0 to 0.5 in "
                      "17.5 days",
         "target": 0.5, "simulated": da_after(kon_da), "residual": da_after(kon_da) - 0.5,
         "before": 0.02},
    )


def _fit_high(values: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any]]:
    pairs = volkow_1997_pairs()
    occ = pairs["occupancy"].to_numpy()
    ce = values["KI_DAT"] * occ / (1.0 - occ)
    rwd = np.asarray(circuit_algebra(values, CE=ce, A_DA=A_DA_USERS, CB_BAC=0.0)["RWD"])

    def model(x: np.ndarray, r: np.ndarray) -> np.ndarray:
        r50, n = math.exp(x[0]), math.exp(x[1])
        return values["H_MAX"] * r**n / (r**n + r50**n)

    def resid(x: np.ndarray) -> np.ndarray:
        return model(x, rwd) - pairs["high"].to_numpy()

    x0 = [math.log(float(np.median(rwd))), math.log(4.0)]
    fit = least_squares(resid, x0=x0, xtol=1e-12, ftol=1e-12)
    r50, n = (float(math.exp(v)) for v in fit.x)
    thr = VOLKOW_1997["threshold"]
    ce_t = values["KI_DAT"] * thr / (1.0 - thr)
    rwd_t = float(circuit_algebra(values, CE=ce_t, A_DA=A_DA_USERS)["RWD"])
    rms = float(np.sqrt(np.mean(resid(fit.x) ** 2)))
    common = {"source": VOLKOW_1997["source"] + "; the 34 pairs as tabulated from its figure "
              "(Whitlock & Schluter 2009, data set 16q21, R package abd 0.2-8)",
              "fitted_to": "34 (occupancy, 'high' 0-10) pairs; A_DA = "
              f"{A_DA_USERS} (regular users, assumed)",
              "tolerance": "least squares; root mean square residual in points",
              "residual": rms, "residual_unit": "points of 'high' (rms)",
              "method": "scipy.optimize.least_squares on log RWD50 and log N, "
                        "HIGH = H_MAX RWD^N / (RWD^N + RWD50^N)",
              "check_threshold": {"occupancy": thr,
                                  "high_at_threshold": float(model(fit.x, np.array([rwd_t]))[0]),
                                  "note": "'at least 47 % of the transporters had to be "
                                          "blocked for subjects to perceive cocaine's "
                                          "effects'"}}
    return ({"value": r50, "unit": "1", "target": None, "simulated": None, **common},
            {"value": n, "unit": "1", "target": None, "simulated": None, **common})


def _fit_n_burst(values: dict[str, float]) -> dict[str, Any]:
    xb = SLICE_BURST["conc_um"] / values["EC50_BAC"]
    d = xb / (1.0 + xb)  # no endogenous GABA in the slice

    def resid(x: np.ndarray) -> np.ndarray:
        return np.array([math.log((1.0 - d) ** x[0]) - math.log(SLICE_BURST["residual_burst"])])

    fit = least_squares(resid, x0=[1.0], bounds=([0.1], [20.0]), xtol=1e-14, ftol=1e-14)
    n = float(fit.x[0])
    return {
        "value": n, "unit": "1",
        "fitted_to": SLICE_BURST["data"], "source": SLICE_BURST["source"],
        "target": SLICE_BURST["residual_burst"], "simulated": (1.0 - d) ** n,
        "residual": (1.0 - d) ** n - SLICE_BURST["residual_burst"],
        "method": "scipy.optimize.least_squares, burst factor (1 - D)^N at 1 µM, "
                  "D = x/(1 + x), x = 1 µM / EC50_BAC",
    }


def _fit_t12_pfc() -> dict[str, Any]:
    days = VOLKOW_PFC["months"] * DAYS_PER_MONTH

    def resid(x: np.ndarray) -> np.ndarray:
        return np.array([-math.log(2.0) / x[0] * days - math.log(VOLKOW_PFC["fraction_left"])])

    fit = least_squares(resid, x0=[30.0], bounds=([1.0], [3650.0]), xtol=1e-14, ftol=1e-14)
    t12 = float(fit.x[0])
    left = 2.0 ** (-days / t12)
    return {
        "value": t12, "unit": "d",
        "fitted_to": VOLKOW_PFC["data"], "source": VOLKOW_PFC["source"],
        "target": VOLKOW_PFC["fraction_left"], "simulated": left,
        "residual": left - VOLKOW_PFC["fraction_left"],
        "method": "scipy.optimize.least_squares on first-order recovery in abstinence",
    }


def _cross_check(values: dict[str, float], n_burst: float) -> dict[str, Any]:
    bac = BaclofenPK().values
    cl = bac["CLNR"] + bac["CLR"]  # L/h at the reference creatinine clearance
    css = bac["F1"] * 20.0 / (cl * 8.0)  # mg/L, 20 mg every 8 h
    csf_um = bac["RCSF"] * css * 1000.0 / MW_BACLOFEN
    out = circuit_algebra({**values, "N_BURST": n_burst}, CB_BAC=csf_um)
    slice_d = csf_um / (csf_um + values["EC50_BAC"])
    lo, hi = CROSS_CHECK["band"]
    return {
        "source": CROSS_CHECK["source"], "band": [lo, hi],
        "csf_um": csf_um,
        "vta_gabab_in_vivo": float(out["D_BAC"]),
        "slice_inhibition": slice_d,
        "firing_reduction_in_vivo_anti_craving": 1.0 - float(out["FIRE"]) / values["FR0"],
        "within_band": bool(lo <= float(out["D_BAC"]) <= hi and lo <= slice_d <= hi),
        "note": "steady-state average CSF of 20 mg t.i.d. from the baclofen model (F CL "
                "closed form); firing reduction uses the parameters' default hypothesis",
    }


def calibrate() -> dict[str, Any]:
    """Rerun every fit and check; returns the calibration record (JSON-serialisable)."""
    values = RewardCircuit().values
    fits: dict[str, Any] = {}
    fits["KE0"] = _fit_ke0(values)
    values["KE0"] = fits["KE0"]["value"]
    fits["KP_COC"] = _fit_kp(values)
    values["KP_COC"] = fits["KP_COC"]["value"]
    fits["G_PH"] = _fit_g_ph(values)
    values["G_PH"] = fits["G_PH"]["value"]
    fits["KON_ST"], fits["KON_ADAPT"] = _fit_onset(values)
    values["KON_ST"], values["KON_ADAPT"] = fits["KON_ST"]["value"], fits["KON_ADAPT"]["value"]
    fits["RWD50_HIGH"], fits["N_HIGH"] = _fit_high(values)
    fits["N_BURST"] = _fit_n_burst(values)
    fits["T12_PFC"] = _fit_t12_pfc()
    return {
        "generated_by": "rewardsim calibrate",
        "model": "reward-circuit",
        "parameters": fits,
        "checks": {"baclofen_clinical_vta": _cross_check(values, fits["N_BURST"]["value"])},
    }


def write_calibration(record: dict[str, Any], path: str | Path) -> Path:
    """Write a calibration record as indented JSON."""
    path = Path(path)
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(path, text, what="calibration record")
    return path
