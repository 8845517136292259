"""``RewardCircuit``: VTA firing, accumbens dopamine, noradrenaline, glutamate, prefrontal
metabolism and their adaptation to cocaine, with baclofen acting at GABA-B receptors.

Methods
-------
Scope. The circuit alone is driven by three inputs declared as parameters: plasma cocaine
``CP_COC`` (µM, total), brain baclofen ``CB_BAC`` (µM racemate, taken equal to CSF) and
drug-cue exposure ``CUE`` (0-1). Run alone they are constants; :func:`rewardsim.models.person`
links the first two to the cocaine and baclofen models. Time is in hours.

Brain cocaine. An effect compartment ``CE`` (µM, unbound) follows unbound arterial plasma
cocaine, ``dCE/dt = KE0 (KP_COC FU_COC CP_COC - CE)``. FU_COC 0.16 is the low-
concentration free fraction of Parker 1995; ``KP_COC``, the unbound brain-to-plasma ratio,
is calibrated to human PET: IV cocaine 0.3-0.6 mg/kg blocks 60-77 % of striatal DAT
(Volkow 1997). With the in vitro Ki and passive equilibrium (``KP_COC`` = 1) the model
occupied 27 % and 43 %; the ratio, 4.1, lumps what the in vitro potency and the well-mixed
arterial compartment leave out (the arterial first pass, in vivo vs in vitro potency,
whose published values differ up to 60-fold, or uptake of cocaine into brain beyond
passive equilibrium; which one is not identified). KE0 is calibrated to the time to the peak of the
subjective high, which follows brain cocaine (Volkow 1997), after IV and smoked cocaine
(Volkow 2000; intranasal is a check). DAT occupancy is ``OCC_DAT = CE / (CE + KI_DAT)``
(Han & Gu 2006).

Accumbens dopamine. Extracellular DA obeys ``dDA/dt = REL - VMAX DA / (KM (1 + CE/KI) + DA)``
(release, Michaelis-Menten uptake by DAT, cocaine a competitive inhibitor). Its time
constant, KM/VMAX ~ 0.16 s (up to ~1 s at high occupancy), is 10^2-10^3 times shorter than
anything that drives it (brain cocaine changes over minutes), so the model uses the
quasi-steady state ``DA = REL KM (1 + CE/KI) / (VMAX - REL)``; the error is of the order of
the ratio of the time scales (tests/models/test_reward_circuit.py compares it with the fast
ODE). VMAX follows from KM and the 113 ms half-decay of evoked DA in the accumbens (Suaud-
Chagny 1995): VMAX = KM ln2 / 0.113 s = 1.23 µM/s, inside the 1-2.5 µM/s of Jones 1995 /
Wu 2001. The basal level is the microdialysis 4.2 nM (Parsons & Justice 1992), not a
voltammetric 20-100 nM, because the calibration data (Fadda 2003) are dialysis data in %
of baseline; the basal release rate follows, ``R0 = VMAX DA0 / (KM + DA0)``.

Release is split into a tonic part (share ``1 - PHI_B`` of the basal release) and a burst
(phasic) part (share ``PHI_B``): ``REL = R0 TONE [(1 - PHI_B) FT + PHI_B FB (1 + G_PH
OCC_DAT)]``. Burst-released DA is mostly taken up near its release sites while DAT works,
so it contributes little to the dialysate; blocking DAT lets it spill over, and cocaine
also mobilises a reserve pool of vesicles (Venton 2006, §7). ``G_PH`` lumps both and is the
one parameter fitted to the rat peak (Fadda 2003). Consequences used below: the cocaine-
evoked rise is burst-dependent, the basal level mostly tonic.

VTA firing and baclofen. Baclofen activates GABA-B receptors on VTA DA neurons with the slice
EC50 of 0.27 µM (Chen 2005, racemate presumed; the racemate note says only R(-) is active,
which a racemate EC50 already includes). Endogenous GABA occupies a fraction ``OCC_GABA0``
of the receptors in vivo (X0 = OCC_GABA0 / (1 - OCC_GABA0)), so baclofen's added activation
is ``D_BAC = XB / (1 + X0 + XB)`` with ``XB = CB_BAC / EC50_BAC``. Burst firing is
suppressed steeply, ``FB = (1 - EMAX_BAC_VTA D_BAC)^N_BURST``, with N_BURST calibrated so
that 1 µM abolishes (>= 95 % suppression) NMDA-driven bursting in the slice (Neuroscience
1994, §6). Tonic firing is partly protected, ``FT = 1 - EMAX_BAC_TONIC D_BAC``, because
baclofen also inhibits VTA GABA neurons, disinhibiting DA neurons (Cruz 2004). Firing is
``FR0 [(1 - SB0) FT + SB0 FB]`` Hz.

Noradrenaline. LC firing rises with the stress system, ``LCR = 1 + G_LC_ST STRESS``;
extracellular NA relative to baseline is ``LCR (1 + CE / KI_NET)`` (NET block by cocaine,
uptake linear at low NA, Han & Gu Ki).

Neuroadaptation. Four slow states in [0, 1] recover with first-order half-lives (``T12_*``).
Three rise with the dopamine excess ``EXC = max(DA/DA0 - 1, 0)``,
``dA/dt = KON_ADAPT EXC (1 - A) - ln2 / T12 A``: ``A_DA`` lowers release (dopamine tone,
``TONE = 1 - AMAX_TONE A_DA``) and D2 signalling (``D2F = 1 - AMAX_D2 A_DA``); ``A_GLU`` is
the glutamate homeostasis (basal NAc glutamate down, Baker 2003; cue- and prime-evoked
PFC->NAc glutamate surge up, McFarland 2003); ``A_PFC`` the prefrontal metabolic deficit,
whose recovery half-life is calibrated to the frontal hypometabolism persisting ~3-4
months after detoxification (Volkow 1992/1993). The stress/anxiety system ``A_ST``
(CRF/NA) rises with cocaine's noradrenergic action, the NET block ``NEX = CE / KI_NET``:
``dA_ST/dt = KON_ST NEX (1 - A_ST) - ln2 / T12_ST A_ST``. Driving it by NA rather than DA
keeps the two baclofen routes apart: lowering cocaine's DA surge (anti-craving) does not
change the stress adaptation, and calming its expression (anti-anxiety) does not change DA.

Drives (dimensionless, 0 in a drug-naive person at rest).
``CRAVING = A_GLU max(1 - DA/DA0 D2F, 0) + W_GLU_CRAVE A_GLU (G_CUE CUE + G_PRIME EXC)
+ W_ST_CRAVE A_GLU STRESS``: the DA signal deficit below the naive set point, the
glutamate (cue, prime) drive and stress-induced craving (Sinha 1999, 2000), each scaled by
the glutamate (drug-memory) state, because craving needs a learned drug association (so
baclofen's small fall of basal DA is no craving in a drug-naive person).
``ANXIETY = STRESS + W_NE_ANX max(NA/NA0 - 1, 0)``, ``STRESS = A_ST (1 - EMAX_BAC_ANX
D_BAC)``: GABA-B-mediated calming of the withdrawal stress systems under the anti-anxiety
hypothesis, which also lowers stress-induced craving. ``REWARD_RATE = D2F max(DA -
DA_no_cocaine, 0) / DA0``: phasic DA above the current (adapted) tone, read through D2;
``REWARD_CUM`` integrates it, so the reward of a dose is the rise of ``REWARD_CUM`` over a
window after it (:func:`reward_per_dose`).
Subjective effect: ``HIGH = H_MAX RWD^N / (RWD^N + RWD50^N)`` (0-10), calibrated to the 34
pairs of DAT occupancy and self-reported high of Volkow 1997 through the circuit's reward
signal of regular users (A_DA 0.5, assumed); read through the adapted tone, it shows
tolerance, and anti-craving baclofen lowers it.
Prefrontal glucose metabolism ``PFC_MET = CMR0 (1 - AMAX_PFC A_PFC) (1 - E_ACUTE_PFC
OCC_DAT) (1 + G_PFC_CRAVE CDEF)``, ``CDEF = A_GLU max(1 - DA/DA0 D2F, 0)`` (the withdrawal
part of craving): a chronic deficit that outlasts the other adaptations, an acute lowering
by cocaine, and withdrawal-linked activation, so that metabolism is higher than in
controls in the first week of abstinence (Volkow 1991) and lower after 1-4 months
(Volkow 1992/1993).

Baclofen hypotheses. ``EMAX_BAC_VTA`` and ``EMAX_BAC_TONIC`` (anti-craving: VTA firing) and
``EMAX_BAC_ANX`` (anti-anxiety) are ordinary parameters; :data:`HYPOTHESES` holds their
values under each hypothesis as plain dicts, applied with ``with_params``.

Limitations. No somatodendritic D2 autoreceptor feedback of cocaine on VTA firing; no
dialysis-sample averaging (the model's peak is instantaneous); the rat-to-human translation
assumes the rat brain occupancy at the calibration dose (see ``G_PH``); the adaptation
onsets are assumptions (no time constants in the reference file); the brain effect
compartment follows arterial plasma, so it cannot clear faster than plasma (27.5 min to
half the peak after IV against ~20 min for [11C]cocaine, Volkow 1995; see
docs/reward_circuit.md); the IV and smoked times to peak high differ in humans (3.1 vs
1.4 min) but not in the model (both 1.8 min).

References
----------
Parsons LH, Justice JB Jr 1992, J Neurochem 58:212-218 (authors/pages from memory).
Suaud-Chagny MF et al. 1995, J Neurochem 65:2603-2611 (authors from memory).
Han DD, Gu HH 2006, BMC Pharmacology 6:6, doi:10.1186/1471-2210-6-6.
Chen Y, Phillips K, Minton G, Sher E 2005, Br J Pharmacol, doi:10.1038/sj.bjp.0706100.
Fadda P et al. 2003, Synapse 50:1-6, PMID 12872287 (calibration).
Wang Z, Ordway GA, Woolverton W 2006, Neurosci Lett 413:191-195 (calibration translation).
Volkow ND et al. 1997, Nature 386:827-830, doi:10.1038/386827a0 (DAT occupancy, high).
Volkow ND et al. 2000, Life Sci 67:1507-1515 (time to peak high by route).
Volkow ND et al. 1995, Arch Gen Psychiatry 52:456-463 (striatal [11C]cocaine clearance).
Sinha R, Catapano D, O'Malley S 1999, Psychopharmacology 142:343-351 (stress craving).
Sinha R et al. 2000, Psychopharmacology 152:140-148 (stress vs cue craving).
Volkow ND et al. 1991, 1992, 1993 (prefrontal metabolism, from memory, unverified here).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import numpy as np

from ..engine import Compartment, Derived, Model, Output, Param
from ..errors import ModelSpecError

__all__ = ["ALGEBRA_OUTPUTS", "CALIBRATION_FILE", "HYPOTHESES", "INPUTS", "STATES",
           "RewardCircuit", "circuit_algebra", "load_calibration", "numba_source"]

#: Shipped calibration, written by ``rewardsim calibrate``.
CALIBRATION_FILE = "reward_circuit_calibration.json"
CALIBRATED = ("G_PH", "KE0", "KP_COC", "N_BURST", "T12_PFC", "RWD50_HIGH", "N_HIGH",
              "KON_ADAPT", "KON_ST")


def load_calibration(path: Any = None) -> dict[str, Any]:
    """The calibration record (values, data, residuals); the shipped one by default."""
    try:
        if path is None:
            text = (resources.files("rewardsim.models") / "data" / CALIBRATION_FILE).read_text()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        record = json.loads(text)
        missing = [k for k in CALIBRATED if k not in record["parameters"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelSpecError(
            f"Cannot read the reward-circuit calibration {path or CALIBRATION_FILE!r}: {exc}. "
            "Regenerate it with `rewardsim calibrate --out FILE`."
        ) from None
    if missing:
        raise ModelSpecError(
            f"The reward-circuit calibration lacks {missing}; rerun `rewardsim calibrate`."
        )
    return record


_CAL = {k: float(v["value"]) for k, v in load_calibration()["parameters"].items()}
_CALFILE = "value in rewardsim/models/data/" + CALIBRATION_FILE + ", by `rewardsim calibrate`"

_HAN = ("Han DD, Gu HH 2006, BMC Pharmacology 6:6, doi:10.1186/1471-2210-6-6 — individual "
        "numbers from memory, unverified here (range 0.2-0.7 µM verified)")
_CHEN = "Chen Y, Phillips K, Minton G, Sher E 2005, Br J Pharmacol, doi:10.1038/sj.bjp.0706100"
_ADAPT = ("assumed: no adaptation time constant in the reference file (§15); a recovery "
          "half-life of weeks is the issue's stated scale of abstinence recovery")
_INPUT = "default: input, 0 when the circuit runs alone; linked by person()"

#: Baclofen mechanism under each hypothesis: plain parameter values, edit freely.
HYPOTHESES: dict[str, dict[str, float]] = {
    "anti_craving": {"EMAX_BAC_VTA": 1.0, "EMAX_BAC_TONIC": 0.05, "EMAX_BAC_ANX": 0.0},
    "anti_anxiety": {"EMAX_BAC_VTA": 0.0, "EMAX_BAC_TONIC": 0.0, "EMAX_BAC_ANX": 1.0},
    "both": {"EMAX_BAC_VTA": 1.0, "EMAX_BAC_TONIC": 0.05, "EMAX_BAC_ANX": 1.0},
}

# Algebraic quantities (the quasi-steady-state part), in evaluation order. The ode block
# computes them as local variables; outputs inline them (outputs cannot see ode locals).
_ALG: tuple[tuple[str, str], ...] = (
    # CE decays to 0 after a dose; the solver leaves noise of the order of atol around it.
    ("CEP", "max(CE, 0.0)"),
    ("OCC_DAT", "CEP / (CEP + KI_DAT)"),
    ("XB", "CB_BAC / EC50_BAC"),
    ("D_BAC", "XB / (1.0 + X0 + XB)"),
    ("FT", "1.0 - EMAX_BAC_TONIC * D_BAC"),
    ("FB", "(1.0 - EMAX_BAC_VTA * D_BAC) ** N_BURST"),
    ("TONE", "1.0 - AMAX_TONE * A_DA"),
    ("D2F", "1.0 - AMAX_D2 * A_DA"),
    ("RNC", "R0 * TONE * ((1.0 - PHI_B) * FT + PHI_B * FB)"),
    ("REL", "R0 * TONE * ((1.0 - PHI_B) * FT + PHI_B * FB * (1.0 + G_PH * OCC_DAT))"),
    ("DA", "REL * KM_DAT * (1.0 + CEP / KI_DAT) / (VMAX_DAT - REL)"),
    ("DANC", "RNC * KM_DAT / (VMAX_DAT - RNC)"),
    ("DAR", "DA / DA0"),
    ("EXC", "max(DAR - 1.0, 0.0)"),
    ("NEX", "CEP / KI_NET"),
    ("RWD", "D2F * max(DAR - DANC / DA0, 0.0)"),
    ("STRESS", "A_ST * (1.0 - EMAX_BAC_ANX * D_BAC)"),
    ("LCR", "1.0 + G_LC_ST * STRESS"),
    ("NER", "LCR * (1.0 + CEP / KI_NET)"),
    ("ANX", "STRESS + W_NE_ANX * max(NER - 1.0, 0.0)"),
    ("GLU_EV", "A_GLU * (G_CUE * CUE + G_PRIME * EXC)"),
    ("GLUR", "1.0 - AMAX_GLU_B * A_GLU + GLU_EV"),
    ("CDEF", "A_GLU * max(1.0 - DAR * D2F, 0.0)"),
    ("CRAVE", "CDEF + W_GLU_CRAVE * GLU_EV + W_ST_CRAVE * A_GLU * STRESS"),
    ("PFCM", "CMR0 * (1.0 - AMAX_PFC * A_PFC) * (1.0 - E_ACUTE_PFC * OCC_DAT)"
             " * (1.0 + G_PFC_CRAVE * CDEF)"),
    ("FIRE", "FR0 * ((1.0 - SB0) * FT + SB0 * FB)"),
    ("RWDN", "RWD ** N_HIGH"),
    ("HIGH", "H_MAX * RWDN / (RWDN + H50N)"),
)


def _inline(expr: str) -> str:
    """Expand the algebraic names of ``expr`` into their definitions (for outputs)."""
    defs = dict(_ALG)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(sorted(defs, key=len, reverse=True))
                         + r")\b")
    for _ in range(len(_ALG) + 1):
        new = pattern.sub(lambda m: "(" + defs[m.group(1)] + ")", expr)
        if new == expr:
            return expr
        expr = new
    raise RuntimeError("circular algebraic definitions")  # pragma: no cover


_DXDT = (
    "dxdt_CE = KE0 * (KP_COC * FU_COC * CP_COC - CE)",
    "dxdt_A_DA = KON_ADAPT * EXC * (1.0 - A_DA) - KOFF_DA * A_DA",
    "dxdt_A_ST = KON_ST * NEX * (1.0 - A_ST) - KOFF_ST * A_ST",
    "dxdt_A_GLU = KON_ADAPT * EXC * (1.0 - A_GLU) - KOFF_GLU * A_GLU",
    "dxdt_A_PFC = KON_ADAPT * EXC * (1.0 - A_PFC) - KOFF_PFC * A_PFC",
    "dxdt_REWARD = RWD",
)


def _ode() -> str:
    """The ode block: only the algebraic quantities the derivatives need, then dxdt_*."""
    word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    defs = dict(_ALG)
    need: set[str] = set()
    todo = [w for line in _DXDT for w in word.findall(line.split("=", 1)[1])]
    while todo:
        w = todo.pop()
        if w in defs and w not in need:
            need.add(w)
            todo += word.findall(defs[w])
    lines = [f"{n} = {e}" for n, e in _ALG if n in need]
    return "\n".join(lines + list(_DXDT))


def _p(name: str, value: float, unit: str, doc: str, source: str, **kw: float) -> Param:
    return Param(name, value, unit, doc, source, **kw)


class RewardCircuit(Model):
    name = "reward-circuit-alone"
    description = (
        "VTA DA firing, NAc dopamine (quasi-steady state), NA, glutamate, PFC metabolism and "
        "slow neuroadaptation; inputs: plasma cocaine, brain baclofen, cues"
    )
    references = (
        "Volkow ND et al. 1997, Nature 386:827-830, doi:10.1038/386827a0",
        "Volkow ND et al. 2000, Life Sci 67:1507-1515",
        "Sinha R, Catapano D, O'Malley S 1999, Psychopharmacology 142:343-351",
        "Parsons LH, Justice JB Jr 1992, J Neurochem 58:212-218",
        "Suaud-Chagny MF et al. 1995, J Neurochem 65:2603-2611",
        _HAN,
        _CHEN,
        "Fadda P et al. 2003, Synapse 50:1-6, PMID 12872287",
        "Wang Z, Ordway GA, Woolverton W 2006, Neurosci Lett 413:191-195, PMID 17169488",
    )
    compartments = (
        Compartment("CE", "uM", "Unbound brain cocaine (effect compartment)", dosable=False),
        Compartment("A_DA", "1", "Dopamine-system adaptation (tone, D2), 0 naive",
                    dosable=False, init="A_DA0"),
        Compartment("A_ST", "1", "Stress/anxiety-system (CRF/NA) up-regulation, 0 naive",
                    dosable=False, init="A_ST0"),
        Compartment("A_GLU", "1", "Glutamate homeostasis dysregulation, 0 naive",
                    dosable=False, init="A_GLU0"),
        Compartment("A_PFC", "1", "Prefrontal metabolic deficit state, 0 naive",
                    dosable=False, init="A_PFC0"),
        Compartment("REWARD", "h", "Cumulative reward (integral of REWARD_RATE)",
                    dosable=False),
    )
    params = (
        # ---- inputs
        _p("CP_COC", 0.0, "uM", "Plasma cocaine (total, arterial)", _INPUT),
        _p("CB_BAC", 0.0, "uM", "Brain extracellular baclofen (racemate), = CSF", _INPUT),
        _p("CUE", 0.0, "1", "Drug-cue exposure (0 none, 1 strong)",
           "default: input, 0 = no cues; set per subject or scenario", upper=1.0),
        # ---- brain cocaine
        _p("FU_COC", 0.16, "1", "Unbound fraction of plasma cocaine",
           "Parker RB et al. 1995, J Pharmacol Exp Ther 275:605-610, PMID 7473145 "
           "(0.16 +/- 0.05 at low concentration; reference file: use 0.1-0.2 at abuse "
           "concentrations)", upper=1.0),
        _p("KE0", _CAL["KE0"], "1/h", "Plasma-to-brain equilibration rate of cocaine",
           "calibrated: time to the peak of the subjective 'high' after IV (3.1 +/- 0.9 min) "
           "and smoked (1.4 +/- 0.5 min) cocaine, which follows brain cocaine (Volkow ND et "
           "al. 2000, Life Sci 67:1507-1515, 32 users, abstract read; Volkow 1997 Nature "
           "386:827-830: the high's time course paralleled striatal cocaine), with the "
           "cocaine model's arterial plasma curves; intranasal (14.6 +/- 8 min) is a check; "
           + _CALFILE),
        _p("KP_COC", _CAL["KP_COC"], "1",
           "Unbound brain-to-plasma concentration ratio of cocaine (in vivo exposure factor)",
           "calibrated: human striatal DAT occupancy 60 % and 77 % after 0.3 and 0.6 mg/kg IV "
           "cocaine HCl, 'between 60 and 77 %' over that range (Volkow ND et al. 1997, Nature "
           "386:827-830, doi:10.1038/386827a0, PET with [11C]cocaine in cocaine users, abstract "
           "read), peak occupancy of the model; lumps every in vivo factor that the unbound "
           "plasma fraction and the in vitro Ki leave out (the arterial first pass not in the "
           "cocaine model, in vivo vs in vitro potency, whose published values differ up to "
           "60-fold, Han & Gu 2006, or brain uptake beyond passive equilibrium; not "
           "identified); " + _CALFILE),
        _p("KI_DAT", 0.23, "uM", "Cocaine inhibition constant at hDAT", _HAN),
        _p("KI_NET", 0.48, "uM", "Cocaine inhibition constant at hNET", _HAN),
        # ---- dopamine kinetics
        _p("DA0", 4.2, "nM", "Basal extracellular NAc dopamine (drug-naive)",
           "Parsons LH, Justice JB Jr 1992, J Neurochem 58:212-218 (no-net-flux "
           "microdialysis, awake rat; authors/pages from memory, values read); dialysis "
           "value chosen because the calibration data are dialysis % of baseline"),
        _p("KM_DAT", 200.0, "nM", "Apparent Km of DAT uptake",
           "Wu Q, Reith MEA, Wightman RM, Kawagoe KT, Garris PA 2001, J Neurosci Methods "
           "112:119-133 (~0.16-0.2 µM; from memory, unverified here; medium), upper value"),
        _p("VMAX_DAT", 200.0 * math.log(2.0) / 0.113, "nM/s", "Vmax of DAT uptake, NAc",
           "derived: KM_DAT x ln2 / 0.113 s, the NAc half-decay of evoked DA (Suaud-Chagny "
           "MF et al. 1995, J Neurochem 65:2603-2611, high) with linear uptake; 1.23 µM/s is "
           "inside the NAc 1-2.5 µM/s of Jones SR, Garris PA, Wightman RM 1995 JPET "
           "274:396-403 / Wu 2001 (from memory, unverified here)"),
        _p("PHI_B", 0.1, "1", "Burst share of basal extrasynaptic DA release",
           "assumed: burst-released DA is mostly taken up near release sites while DAT "
           "works, so it adds little to the dialysate; Owesson-White 2012 (§5) notes "
           "transients contribute substantially to average NAc DA, so 0.1 is uncertain; "
           "kept small so that baclofen's burst suppression leaves basal DA nearly intact",
           upper=1.0),
        _p("G_PH", _CAL["G_PH"], "1", "Gain of burst release with DAT occupancy "
           "(spillover + reserve pool)",
           "calibrated: peak NAc shell DA +370 +/- 30.7 % (470 % of baseline) after cocaine "
           "7.5 mg/kg i.p. in rats (Fadda P et al. 2003, Synapse 50:1-6); the rat brain DAT "
           "occupancy at that peak is ASSUMED 0.5 (translation through concentration: the "
           "dose, 22.1 µmol/kg HCl, equals the IV ED50 of 22.3 µmol/kg for NAc DA uptake "
           "inhibition of Wang 2006, so unbound brain cocaine ~ Ki; no rat brain "
           "concentration is in the reference file); " + _CALFILE),
        _p("FR0", 4.5, "Hz", "Basal VTA DA neuron firing rate",
           "Grace AA, Bunney BS 1984, J Neurosci 4:2877-2890 (mean ~4-5 Hz; from memory, "
           "unverified here; medium)"),
        _p("SB0", 0.3, "1", "Share of spikes fired in bursts at baseline",
           "assumed: no burst share in the reference file; 0.3 for a population mixing "
           "pacemaker and bursting neurons (bursting example 7.2 Hz vs mean 4-5 Hz, Grace "
           "2000 ACNP chapter)", upper=1.0),
        # ---- baclofen at the VTA
        _p("EC50_BAC", 0.27, "uM", "Baclofen EC50, depression of VTA DA neuron firing",
           _CHEN + " (rat slice, n = 11; racemate presumed per reference file)"),
        _p("OCC_GABA0", 0.3, "1", "GABA-B occupancy by endogenous GABA at the VTA, in vivo",
           "assumed: GABA's IC50 at GABA-B sites is 0.04 µM (Bowery 1983) and ambient GABA "
           "is of that order (not in the reference file), so a modest fraction; it shifts "
           "baclofen's in vivo EC50 by 1/(1 - 0.3)", upper=0.99),
        _p("N_BURST", _CAL["N_BURST"], "1", "Steepness of burst suppression by baclofen",
           "calibrated: 1 µM baclofen abolishes NMDA-induced bursting in the slice "
           "(Neuroscience 1994 58:201-206, OHSU group; 'abolishes' read as >= 95 % "
           "suppression, assumed; no endogenous GABA in the slice); " + _CALFILE),
        _p("EMAX_BAC_VTA", HYPOTHESES["both"]["EMAX_BAC_VTA"], "1",
           "Anti-craving: efficacy of baclofen on burst firing",
           "assumed: hypothesis switch (HYPOTHESES); 1 = bursting fully suppressible, as "
           "1 µM abolishes it in the slice (§6)", upper=1.0),
        _p("EMAX_BAC_TONIC", HYPOTHESES["both"]["EMAX_BAC_TONIC"], "1",
           "Anti-craving: net efficacy of baclofen on tonic firing",
           "assumed: hypothesis switch (HYPOTHESES); small because baclofen also inhibits "
           "VTA GABA neurons and disinhibits DA neurons, low concentrations even raising DA "
           "neuron activity (Cruz HG et al. 2004, Nat Neurosci 7:153-159, qualitative); 0.05 "
           "chosen so that baclofen alone at 20 mg t.i.d. changes basal DA by < 10 % (the "
           "issue's 'barely changes basal dopamine')", upper=1.0),
        _p("EMAX_BAC_ANX", HYPOTHESES["both"]["EMAX_BAC_ANX"], "1",
           "Anti-anxiety: efficacy of baclofen on the expressed stress system",
           "assumed: hypothesis switch (HYPOTHESES); same GABA-B potency as at the VTA",
           upper=1.0),
        # ---- neuroadaptation
        _p("KON_ADAPT", _CAL["KON_ADAPT"], "1/h", "Adaptation onset rate per unit DA excess",
           "calibrated: to an assumption, no onset time constant being in the reference "
           "file (§15); "
           "set so that 100 mg intranasal a day brings a drug-naive person's A_DA to half its "
           "maximum in 17.5 days (the middle of 2-3 weeks of regular use); " + _CALFILE),
        _p("KON_ST", _CAL["KON_ST"], "1/h", "Stress-system onset rate per unit NA-uptake block",
           "calibrated: to an assumption, set so that one 100 mg intranasal dose in a drug-"
           "naive person brings A_ST to 6 % of its maximum, the per-dose onset of A_DA in "
           "its first week (assumed equal; no stress-system time constant in the reference "
           "file); " + _CALFILE),
        _p("T12_DA", 14.0, "d", "Recovery half-life of dopamine tone / D2 function",
           _ADAPT),
        _p("T12_ST", 10.0, "d", "Recovery half-life of the stress/anxiety system", _ADAPT),
        _p("T12_GLU", 21.0, "d", "Recovery half-life of glutamate homeostasis", _ADAPT),
        _p("T12_PFC", _CAL["T12_PFC"], "d", "Recovery half-life of the PFC metabolic deficit",
           "calibrated: frontal hypometabolism persisting ~3-4 months after detoxification "
           "(Volkow ND et al. 1992 Synapse 11:184-190; 1993 Synapse 14:169-177 — from "
           "memory, unverified here; medium), read as half the deficit left at 3.5 months; "
           + _CALFILE),
        _p("AMAX_TONE", 0.5, "1", "Maximal fractional loss of DA release (tone)",
           "assumed: no magnitude in the reference file; half-maximal loss gives a "
           "withdrawal DA deficit of ~25 %", upper=1.0),
        _p("AMAX_D2", 0.3, "1", "Maximal fractional loss of D2 signalling",
           "assumed: D2 availability is decreased in detoxified abusers (Volkow 1996, §10), "
           "magnitude not in the reference file", upper=1.0),
        _p("A_DA0", 0.0, "1", "Initial A_DA", "default: drug-naive", upper=1.0),
        _p("A_ST0", 0.0, "1", "Initial A_ST", "default: drug-naive", upper=1.0),
        _p("A_GLU0", 0.0, "1", "Initial A_GLU", "default: drug-naive", upper=1.0),
        _p("A_PFC0", 0.0, "1", "Initial A_PFC", "default: drug-naive", upper=1.0),
        # ---- noradrenaline and anxiety
        _p("LC0", 2.0, "Hz", "Basal LC firing rate (waking)",
           "assumed: middle of the tonic ~1-3 Hz of quiet/active waking in the reference "
           "file §8 (from memory, unverified here; low-medium; no citation given); sets the "
           "LC output's scale only"),
        _p("G_LC_ST", 1.0, "1", "Rise of LC firing per unit stress-system activity",
           "assumed: full stress adaptation doubles LC firing (withdrawal noradrenergic "
           "hyperactivity; magnitude not in the reference file)"),
        _p("W_NE_ANX", 0.5, "1", "Weight of NA excess in the anxiety drive",
           "assumed: arousal contributes half as much as the stress system itself"),
        # ---- glutamate and craving
        _p("AMAX_GLU_B", 0.3, "1", "Maximal fall of basal NAc glutamate",
           "assumed: reduced after withdrawal from repeated cocaine (Baker DA et al. 2003 "
           "Nat Neurosci 6:743-749, qualitative, from memory); magnitude not in the "
           "reference file (§15 gap)", upper=1.0),
        _p("G_CUE", 1.0, "1", "Cue-evoked PFC->NAc glutamate surge at full adaptation",
           "assumed: McFarland K, Lapish CC, Kalivas PW 2003 J Neurosci 23:3531-3537 "
           "(qualitative, from memory); a strong cue doubles glutamate in an adapted user"),
        _p("G_PRIME", 0.3, "1", "Prime-evoked glutamate surge per unit DA excess",
           "assumed: cocaine-primed reinstatement depends on a PFC->NAc glutamate surge "
           "(McFarland 2003, qualitative); ~+100 % at a ~3-fold DA rise"),
        _p("W_GLU_CRAVE", 1.0, "1", "Weight of the glutamate surge in craving",
           "assumed: glutamate drive and DA deficit weigh equally"),
        _p("W_ST_CRAVE", 1.0, "1", "Weight of the stress system in craving (stress-induced "
           "craving)",
           "assumed: personalised stress imagery induces cocaine craving in cocaine-dependent "
           "people (Sinha R, Catapano D, O'Malley S 1999, Psychopharmacology 142:343-351, "
           "doi:10.1007/s002130050898) of a size comparable with drug-cue imagery (Sinha R et "
           "al. 2000, Psychopharmacology 152:140-148, doi:10.1007/s002130000499), and little "
           "in people without a drug history: weight equal to the cue drive's, gated by the "
           "drug memory A_GLU"),
        # ---- subjective effect
        _p("H_MAX", 10.0, "points", "Top of the 'high' rating scale",
           "default: the 0-10 self-report of 'high' of Volkow ND et al. 1997, Nature "
           "386:827-830"),
        _p("RWD50_HIGH", _CAL["RWD50_HIGH"], "1", "Reward signal giving half the top 'high'",
           "calibrated: the 34 (DAT occupancy, 'high') pairs of Volkow 1997 (IV cocaine "
           "0.1-0.6 mg/kg; at least 47 % occupancy needed to perceive a high), evaluated "
           "through the circuit at A_DA = 0.5 (regular users; assumed); " + _CALFILE),
        _p("N_HIGH", _CAL["N_HIGH"], "1", "Steepness of the 'high' in the reward signal",
           "calibrated: with RWD50_HIGH, to Volkow 1997 (see RWD50_HIGH); " + _CALFILE),
        # ---- prefrontal metabolism
        _p("CMR0", 0.30, "umol/g/min", "Baseline cortical glucose metabolism",
           "assumed: middle of the cortical CMRglc ~0.25-0.35 µmol/g/min of the reference "
           "file §10 (human FDG-PET, 'Sokoloff/Phelps tradition' — from memory, unverified "
           "here; low-medium; no single citation); sets the PFC_MET output's scale only"),
        _p("AMAX_PFC", 0.15, "1", "Maximal chronic prefrontal hypometabolism",
           "assumed: magnitude not in the reference file; frontal hypometabolism in "
           "detoxified users (Volkow 1992/1993) is qualitative here", upper=1.0),
        _p("E_ACUTE_PFC", 0.2, "1", "Acute fall of PFC metabolism at full DAT occupancy",
           "assumed: the acute effect of cocaine on glucose metabolism is kept for "
           "validation (reference §10), so its size is not fitted", upper=1.0),
        _p("G_PFC_CRAVE", 1.5, "1", "PFC activation per unit withdrawal (deficit) craving",
           "assumed: orbitofrontal metabolism is higher than controls in the first week of "
           "abstinence (Volkow ND et al. 1991, Am J Psychiatry 148:621-626 — from memory, "
           "unverified here); 1.5 chosen by hand so that this early excess outweighs the "
           "chronic deficit after 8 weeks of daily use (qualitative target, not a fit)"),
        _p("W_CA_DA", 0.5, "1", "Weight of DA in the catecholamine tone output",
           "assumed: equal weights of DA and NA (each % of its own baseline)", upper=1.0),
    )
    derived = (
        Derived("R0", "VMAX_DAT * DA0 / (KM_DAT + DA0)", "nM/s", "Basal DA release rate"),
        Derived("X0", "OCC_GABA0 / (1.0 - OCC_GABA0)", "1", "Endogenous GABA / its KD"),
        Derived("KOFF_DA", "log(2.0) / (24.0 * T12_DA)", "1/h", "Recovery rate of A_DA"),
        Derived("KOFF_ST", "log(2.0) / (24.0 * T12_ST)", "1/h", "Recovery rate of A_ST"),
        Derived("KOFF_GLU", "log(2.0) / (24.0 * T12_GLU)", "1/h", "Recovery rate of A_GLU"),
        Derived("KOFF_PFC", "log(2.0) / (24.0 * T12_PFC)", "1/h", "Recovery rate of A_PFC"),
        Derived("H50N", "RWD50_HIGH ** N_HIGH", "1", "RWD50_HIGH to the power N_HIGH"),
    )
    ode = _ode()
    outputs = (
        Output("CE", "max(CE, 0.0)", "uM", "Unbound brain cocaine"),
        Output("OCC_DAT", _inline("OCC_DAT"), "1", "DAT occupancy by cocaine"),
        Output("DA", _inline("DA"), "nM", "NAc extracellular dopamine"),
        Output("DA_PCT", _inline("100.0 * DAR"), "%", "NAc dopamine, % of naive baseline"),
        Output("FIRING", _inline("FIRE"), "Hz", "VTA DA neuron firing (tonic + burst)"),
        Output("BURST", _inline("FR0 * SB0 * FB"), "Hz", "VTA DA spikes fired in bursts"),
        Output("VTA_GABAB", _inline("D_BAC"), "1",
               "Added GABA-B activation by baclofen at the VTA (fraction of receptors)"),
        Output("LC", _inline("LC0 * LCR"), "Hz", "Locus coeruleus firing"),
        Output("NE_PCT", _inline("100.0 * NER"), "%", "Extracellular noradrenaline, % baseline"),
        Output("GLU_PCT", _inline("100.0 * GLUR"), "%", "NAc glutamate, % of naive baseline"),
        Output("PFC_MET", _inline("PFCM"), "umol/g/min", "Prefrontal glucose metabolism"),
        Output("CATECHOL_PCT", _inline("100.0 * (W_CA_DA * DAR + (1.0 - W_CA_DA) * NER)"),
               "%", "Catecholamine tone (DA and NA), % of baseline"),
        Output("REWARD_RATE", _inline("RWD"), "1", "Phasic DA above adapted tone, via D2"),
        Output("REWARD_CUM", "REWARD", "h", "Cumulative reward"),
        Output("CRAVING", _inline("CRAVE"), "1", "Craving drive (0 naive at rest)"),
        Output("HIGH", _inline("HIGH"), "points",
               "Subjective 'high' (0-10 self-report, Volkow 1997)"),
        Output("ANXIETY", _inline("ANX"), "1", "Anxiety/withdrawal drive (0 naive)"),
        Output("ADAPT_DA", "A_DA", "1", "Dopamine-system adaptation state"),
        Output("ADAPT_ST", "A_ST", "1", "Stress-system adaptation state"),
        Output("ADAPT_GLU", "A_GLU", "1", "Glutamate adaptation state"),
        Output("ADAPT_PFC", "A_PFC", "1", "Prefrontal deficit state"),
    )
    linear = False
    default_dose_cmt = 1


def circuit_algebra(values: Mapping[str, float], **given: Any) -> dict[str, Any]:
    """Evaluate the circuit's algebraic quantities (the ode block's locals) in Python.

    Parameters
    ----------
    values
        Parameter values by name (e.g. ``RewardCircuit().values``).
    **given
        States (``CE``, ``A_DA``, ...) and inputs (``CB_BAC``, ...), scalars or arrays;
        states default to 0 and inputs to their parameter values.

    Returns
    -------
    dict
        Every derived and algebraic quantity (``DA``, ``DAR``, ``FB``, ``CRAVE``, ...).

    Examples
    --------
    >>> out = circuit_algebra(RewardCircuit().values, CE=0.23)
    >>> round(float(out["OCC_DAT"]), 3)
    0.5
    """
    ns: dict[str, Any] = {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "max": np.maximum,
                          "min": np.minimum}
    ns.update(values)
    for c in RewardCircuit.compartments:
        ns[c.name] = 0.0
    ns.update(given)
    for d in RewardCircuit.derived:
        ns[d.name] = eval(d.expr, {"__builtins__": {}}, ns)  # noqa: S307 - our own text
    for name, expr in _ALG:
        ns[name] = eval(expr, {"__builtins__": {}}, ns)  # noqa: S307 - our own text
    return {k: v for k, v in ns.items() if not callable(v)}


#: The circuit's inputs (parameters set by the person or the trial, not fixed values).
INPUTS: tuple[str, ...] = ("CP_COC", "CB_BAC", "CUE")
#: States, in compartment order.
STATES: tuple[str, ...] = tuple(c.name for c in RewardCircuit.compartments)
#: Algebraic quantities returned by the generated ``circuit_algebra_nb``, in this order.
ALGEBRA_OUTPUTS: tuple[str, ...] = (
    "OCC_DAT", "DAR", "EXC", "RWD", "HIGH", "CRAVE", "ANX", "D_BAC", "STRESS", "PFCM",
    "FIRE", "NER", "GLUR",
)  # fmt: skip


def _closure(names: list[str]) -> list[str]:
    """The algebraic definitions ``names`` need, in evaluation order."""
    word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    defs = dict(_ALG)
    need: set[str] = set()
    todo = list(names)
    while todo:
        w = todo.pop()
        if w in defs and w not in need:
            need.add(w)
            todo += word.findall(defs[w])
    return [f"{n} = {e}" for n, e in _ALG if n in need]


def numba_source() -> str:
    """Python source of numba functions evaluating the circuit from its own text.

    ``circuit_derived_nb(p)`` returns the derived quantities (``RewardCircuit.derived``, in
    order) as an array ``d``; ``circuit_rhs_nb(p, d, CP_COC, CB_BAC, CUE, CE, A_DA, A_ST,
    A_GLU, A_PFC)`` returns the derivatives of the six states (the ode block);
    ``circuit_algebra_nb(p, d, CB_BAC, CUE, CE, A_DA, A_ST, A_GLU, A_PFC)`` returns
    :data:`ALGEBRA_OUTPUTS`. ``p`` holds the values of ``RewardCircuit.params`` in
    declaration order (inputs included, unused). The text is generated from the same
    definitions as the engine's kernel, so a reduced form built on these functions cannot
    drift from the model (:mod:`rewardsim.models.circuit_daily`).
    """
    word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    names = [q.name for q in RewardCircuit.params]
    derived = [(d.name, d.expr) for d in RewardCircuit.derived]

    def body(lines: list[str], with_derived: bool = True) -> str:
        used = set(word.findall("\n".join(lines)))
        dl = [f"{n} = d[{i}]" for i, (n, _) in enumerate(derived) if n in used] \
            if with_derived else []
        unpack = [f"{n} = p[{i}]" for i, n in enumerate(names)
                  if n in used and n not in INPUTS]
        return "".join(f"    {x}\n" for x in unpack + dl + lines)

    dxdt = list(_DXDT)
    rhs_lines = _closure([w for line in dxdt for w in word.findall(line.split("=", 1)[1])])
    alg_lines = _closure(list(ALGEBRA_OUTPUTS))
    der_lines = [f"{n} = {e}" for n, e in derived]
    states = ", ".join(STATES[:-1])  # REWARD feeds nothing back
    jit = "@njit(cache=True, nogil=True, inline=\"always\")\n"
    return (
        "from math import exp, log, sqrt\n\nimport numpy as np\nfrom numba import njit\n\n\n"
        + jit + "def circuit_derived_nb(p):\n" + body(der_lines, with_derived=False)
        + "    return np.array([" + ", ".join(n for n, _ in derived) + "])\n\n\n"
        + jit + f"def circuit_rhs_nb(p, d, CP_COC, CB_BAC, CUE, {states}):\n"
        + body(rhs_lines + dxdt)
        + "    return (" + ", ".join(f"dxdt_{n}" for n in STATES) + ")\n\n\n"
        + jit + f"def circuit_algebra_nb(p, d, CB_BAC, CUE, {states}):\n"
        + body(alg_lines)
        + "    return (" + ", ".join(ALGEBRA_OUTPUTS) + ")\n"
    )
