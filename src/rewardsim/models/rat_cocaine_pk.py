"""``rat-cocaine``: cocaine in the rat by route (i.p., s.c., i.v. bolus and self-infusion).

Methods
-------
Structure. Linear compartments, amounts in mg of cocaine **base** per kg of body weight,
volumes in L/kg, time in h, so that concentrations are mg/L (= µg/mL, the unit of the rat
serum data below). Doses given as cocaine hydrochloride, as rat studies give them, are
converted with :func:`rewardsim.models.cocaine_pk.hcl_to_base`. Routes are dosing
compartments: 1 ``IP`` (intraperitoneal depot), 2 ``SC`` (subcutaneous depot) and
3 ``CENT`` (intravenous: a bolus is a dose record, a self-infusion a zero-order infusion
over the pump time). Disposition is two-compartment (``CENT``, ``PERIPH``).

Disposition: calibrated, not read. No rat half-life or clearance of an intravenous bolus
was found in the material consulted, so the two-compartment constants are fitted
(``rewardsim lab-calibrate``; record in ``models/data/rat_calibration.json``) to two rat
sources that were read:

* Lau & Sun 2002: rats self-administering 0.5 or 1 mg/kg per infusion (continuous
  reinforcement, 2.5-h sessions, 24.5-27.0 mg/kg per session in both groups) held serum
  cocaine between Cmax 0.82 and Cmin 0.34 µg/mL (0.5 mg/kg) and Cmax 1.47 and Cmin
  0.28 µg/mL (1 mg/kg); serum cocaine decayed bi-exponentially. The fit treats each
  session as regular infusions at the mean interval (150 min x unit dose / 25.75 mg/kg,
  the middle of the reported totals) at pseudo steady state. These four figures fix the
  central volume and the fast phase; they do not identify the slow phase.
* Tsibulsky & Norman 1999: the functional elimination half-life of cocaine in rats that
  self-administer it, 8.2 min, read off the intervals between self-injections. It is used
  as the terminal half-life (beta), the phase that sets the decline between infusions.

So the figures of both sources are fitted; tests/lab/test_rat_pk.py holds the model to
them within the sources' spread, and the sources' inter-infusion intervals and the dose
dependence of intake (tests/lab) are used only by the self-administration rule's own
calibration and checks (see :mod:`rewardsim.lab`).

Absorption: assumed. No rat i.p. or s.c. absorption figure was found. What the sources
read say is qualitative: after i.p. cocaine (15 mg/kg) rat plasma cocaine declines more
slowly than after i.v. (Nobiletti, Jatlow & Bradberry, abstract read), as when absorption
limits the decline; after s.c. injection peak levels are lower and sustained for longer
than after i.v. (dog; J Pharmacol Exp Ther 1951, 101:200, abstract read) and rat s.c.
dosing gives higher levels than oral (Dow-Edwards et al. 1989, Pharmacol Biochem Behav
33:167). The absorption half-times, 10 min i.p. and 30 min s.c., and complete
bioavailability are assumptions that respect those statements (tests check the orderings,
not numbers).

References
----------
Lau CE, Sun L 2002, Drug Metab Dispos 30:254-261, doi:10.1124/dmd.30.3.254 (abstract read).
Tsibulsky VL, Norman AB 1999, Brain Res 839:85-93, doi:10.1016/s0006-8993(99)01717-5
(abstract read).
Nobiletti JB, Jatlow PI, Bradberry CW, "Differences in bioavailability between cocaine and
cocaethylene and their implications for drug-reward studies" (abstract read; journal and
year not in the record read).
J Pharmacol Exp Ther 1951, 101:200 (cocaine in the dog by route; abstract read, authors not
in the record read).
Dow-Edwards D, Fico TA, Osman M, Gamagaris Z, Hutchings DE 1989, Pharmacol Biochem Behav
33:167-173 (abstract read).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

from ..engine import Compartment, Model, Output, Param
from ..errors import ModelSpecError
from .cocaine_pk import MW_COCAINE

__all__ = ["RAT_CALIBRATION_FILE", "RAT_ROUTE_CMT", "RatCocainePK", "load_rat_calibration"]

#: Dosing compartment of each rat route (1-based CMT of a dose record).
RAT_ROUTE_CMT: dict[str, int] = {"ip": 1, "sc": 2, "iv": 3}
#: The rat calibration record, written by ``rewardsim lab-calibrate``.
RAT_CALIBRATION_FILE = "rat_calibration.json"


@lru_cache(maxsize=1)
def _shipped() -> str:
    return (resources.files("rewardsim.models") / "data" / RAT_CALIBRATION_FILE).read_text()


def load_rat_calibration(path: Any = None) -> dict[str, Any]:
    """The rat calibration record (values, data, residuals); the shipped one by default."""
    try:
        if path is None:
            text = _shipped()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        record = json.loads(text)
        record["parameters"]["CL"]["value"]  # noqa: B018 - the record must hold the fits
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelSpecError(
            f"Cannot read the rat calibration {path or RAT_CALIBRATION_FILE!r}: {exc}. "
            "Regenerate it with `rewardsim lab-calibrate --out FILE`."
        ) from None
    return record


def _cal(name: str) -> float:
    return float(load_rat_calibration()["parameters"][name]["value"])


_FILE = "value in rewardsim/models/data/" + RAT_CALIBRATION_FILE + ", by `rewardsim lab-calibrate`"
_LAU = ("Lau CE, Sun L 2002, Drug Metab Dispos 30:254-261 (serum Cmax/Cmin during "
        "self-administration of 0.5 and 1 mg/kg per infusion)")
_TN = "Tsibulsky VL, Norman AB 1999, Brain Res 839:85-93 (functional half-life 8.2 min)"
_DISPO = "calibrated: to " + _LAU + " with the terminal half-life of " + _TN + "; " + _FILE


#: Two depots (i.p., s.c.) absorbed first order into a two-compartment disposition; the
#: rat baclofen model has the same structure (``rat_baclofen_pk``).
RAT_PK_ODE = """
    dxdt_IP = -KA_IP * IP
    dxdt_SC = -KA_SC * SC
    dxdt_CENT = KA_IP * IP + KA_SC * SC - (CL + Q) / V1 * CENT + Q / V2 * PERIPH
    dxdt_PERIPH = Q / V1 * CENT - Q / V2 * PERIPH
    """


class RatCocainePK(Model):
    name = "rat-cocaine"
    description = (
        "Cocaine in the rat, per kg: i.p., s.c., i.v. bolus or self-infusion; "
        "two-compartment disposition (arterial/serum concentration)"
    )
    references = (_LAU, _TN)
    compartments = (
        Compartment("IP", "mg/kg", "Cocaine in the peritoneal cavity, not yet absorbed"),
        Compartment("SC", "mg/kg", "Cocaine at a subcutaneous injection site"),
        Compartment("CENT", "mg/kg", "Cocaine in the central compartment (i.v. doses here)"),
        Compartment("PERIPH", "mg/kg", "Cocaine in the peripheral compartment",
                    dosable=False),
    )
    params = (  # name, typical value, unit, meaning, source
        Param("V1", _cal("V1"), "L/kg", "Central volume", _DISPO),
        Param("CL", _cal("CL"), "L/h/kg", "Clearance", _DISPO),
        Param("Q", _cal("Q"), "L/h/kg", "Intercompartmental clearance", _DISPO),
        Param("V2", _cal("V2"), "L/kg", "Peripheral volume", _DISPO),
        Param("KA_IP", math.log(2.0) / (10.0 / 60.0), "1/h", "Absorption rate constant, i.p.",
              "assumed: 10 min absorption half-time; no rat i.p. figure found; slower than "
              "the i.v. decline, as Nobiletti et al. report for i.p. cocaine in rats"),
        Param("F1", 1.0, "1", "Bioavailability, i.p.",
              "assumed: complete; no rat i.p. bioavailability of cocaine found", upper=1.0),
        Param("KA_SC", math.log(2.0) / (30.0 / 60.0), "1/h", "Absorption rate constant, s.c.",
              "assumed: 30 min absorption half-time (cocaine constricts the vessels at the "
              "site; lower, sustained peaks after s.c. than i.v. in the dog, J Pharmacol "
              "Exp Ther 1951, 101:200)"),
        Param("F2", 1.0, "1", "Bioavailability, s.c.",
              "assumed: complete; no figure found", upper=1.0),
    )
    ode = RAT_PK_ODE
    outputs = (
        Output("CP", "CENT / V1", "mg/L", "Serum/arterial cocaine (base), = µg/mL"),
        Output("CP_UM", f"1000.0 * CENT / V1 / {MW_COCAINE}", "uM",
               "Arterial cocaine, molar (the reward circuit's input)"),
    )
    linear = True
    default_dose_cmt = RAT_ROUTE_CMT["iv"]
