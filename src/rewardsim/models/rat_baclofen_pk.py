"""``rat-baclofen``: baclofen in the rat (i.p., s.c., i.v.), scaled from the human model.

Methods
-------
No rat plasma half-life, clearance or volume of baclofen was found in the material
consulted (van Bree et al. 1991 measured its blood-brain barrier clearance in rats, 1.0
µL/min for the racemate, and report that plasma and CSF elimination do not differ between
the enantiomers, without the figures themselves in the abstract). The rat model is
therefore the human model (:class:`rewardsim.models.baclofen_pk.BaclofenPK`, Kochak 1985)
translated by body weight, a translation this module states rather than hides: clearances
scale with weight to the power 0.75 and volumes with weight (the usual allometric
exponents, assumed), from the 70 kg adult of the human model to a 0.3 kg rat
(:data:`rewardsim.models.species.RAT_WEIGHT_KG`). Rate constants then scale with weight to
the power -0.25: the terminal half-life, 3.6 h in the human model, becomes 55 min.
Amounts are mg/kg and volumes L/kg, as in :mod:`rewardsim.models.rat_cocaine_pk`.

Brain. As in the human model, brain extracellular baclofen (the reward circuit's
``CB_BAC``) is taken as CSF, 12 % of plasma (Knutsson 1974, human), with no delay: the
ratio is assumed to hold in the rat.

Routes: 1 ``IP`` and 2 ``SC`` depots (absorption half-times 5 and 15 min, assumed:
baclofen is small and water-soluble; no rat figure found) and 3 ``CENT`` (i.v.).
Bioavailability complete (assumed).

What goes to the reward circuit is the brain concentration (µM), never the dose in mg/kg:
the circuit's baclofen potency (EC50 0.27 µM, rat VTA slice, Chen 2005) is a concentration.

References
----------
van Bree JB, Heijligers-Feijen CD, de Boer AG, Danhof M, Breimer DD 1991, Pharm Res
8:259-262, doi:10.1023/a:1015812725011 (abstract read).
Kochak GM et al. 1985, Clin Pharmacol Ther 38:251-257 (via the human model).
"""

from __future__ import annotations

import math

from ..engine import Compartment, Derived, Model, Output, Param
from .baclofen_pk import MW_BACLOFEN, BaclofenPK
from .rat_cocaine_pk import RAT_PK_ODE
from .species import HUMAN_WEIGHT_KG, RAT_WEIGHT_KG

__all__ = ["RAT_BACLOFEN_CMT", "RatBaclofenPK"]

#: Dosing compartment of each rat route (1-based CMT of a dose record).
RAT_BACLOFEN_CMT: dict[str, int] = {"ip": 1, "sc": 2, "iv": 3}

_H = BaclofenPK().values
_RATIO = RAT_WEIGHT_KG / HUMAN_WEIGHT_KG
_PER_KG_CL = _RATIO ** 0.75 / RAT_WEIGHT_KG  # human L/h -> rat L/h per kg
_PER_KG_V = 1.0 / HUMAN_WEIGHT_KG  # human L -> L/kg (volumes scale with weight)
_ALLO = (f"derived: human BaclofenPK value scaled from {HUMAN_WEIGHT_KG:g} kg to a "
         f"{RAT_WEIGHT_KG:g} kg rat, clearances x (W ratio)^0.75, volumes x W ratio, per kg "
         "(allometric exponents assumed; no rat value found)")


class RatBaclofenPK(Model):
    name = "rat-baclofen"
    description = (
        "Baclofen in the rat, per kg: i.p., s.c., i.v.; human two-compartment model "
        "scaled allometrically; brain (CSF) 12 % of plasma"
    )
    references = (
        "van Bree JB et al. 1991, Pharm Res 8:259-262, doi:10.1023/a:1015812725011",
        "Kochak GM et al. 1985, Clin Pharmacol Ther 38:251-257, PMID 4028618",
    )
    compartments = (
        Compartment("IP", "mg/kg", "Baclofen in the peritoneal cavity, not yet absorbed"),
        Compartment("SC", "mg/kg", "Baclofen at a subcutaneous injection site"),
        Compartment("CENT", "mg/kg", "Baclofen in the central compartment (i.v. doses here)"),
        Compartment("PERIPH", "mg/kg", "Baclofen in the peripheral compartment",
                    dosable=False),
    )
    params = (  # name, typical value, unit, meaning, source
        Param("CL", (_H["CLNR"] + _H["CLR"]) * _PER_KG_CL, "L/h/kg", "Clearance", _ALLO),
        Param("V1", _H["V2"] * _PER_KG_V, "L/kg", "Central volume", _ALLO),
        Param("Q", _H["Q"] * _PER_KG_CL, "L/h/kg", "Intercompartmental clearance", _ALLO),
        Param("V2", _H["V3"] * _PER_KG_V, "L/kg", "Peripheral volume", _ALLO),
        Param("KA_IP", math.log(2.0) / (5.0 / 60.0), "1/h", "Absorption rate constant, i.p.",
              "assumed: 5 min absorption half-time (small water-soluble molecule); no rat "
              "figure found"),
        Param("KA_SC", math.log(2.0) / (15.0 / 60.0), "1/h", "Absorption rate constant, s.c.",
              "assumed: 15 min absorption half-time; no rat figure found"),
        Param("RCSF", _H["RCSF"], "1", "CSF (brain extracellular) / plasma ratio",
              "assumed: the human ratio (Knutsson E, Lindblom U, Mårtensson A 1974, J Neurol "
              "Sci 23:473-484) holds in the rat"),
    )
    derived = (Derived("KEL", "CL / V1", "1/h", "Elimination rate constant"),)
    ode = RAT_PK_ODE  # the rat cocaine model's structure
    outputs = (
        Output("CP", "CENT / V1", "mg/L", "Plasma baclofen (racemate)"),
        Output("CSF_UM", f"RCSF * 1000.0 * CENT / V1 / {MW_BACLOFEN}", "uM",
               "Brain extracellular (CSF) baclofen, molar (the reward circuit's input)"),
    )
    linear = True
    default_dose_cmt = RAT_BACLOFEN_CMT["ip"]
