"""``baclofen``: oral baclofen, renal clearance by creatinine clearance, CSF exposure.

Methods
-------
Structure. Two-compartment disposition with first-order absorption and linear
elimination (NONMEM ADVAN4 numbering: 1 ``DEPOT``, 2 ``CENT``, 3 ``PERIPH``); amounts in
mg of racemic baclofen, time in h.

Disposition. Kochak et al. 1985 fitted a two-compartment model to healthy men after
intestinal infusion and oral bolus and report apparent (oral) values: CL/F 180 mL/min,
renal clearance 103 mL/min, Vc/F 28.8 L, Varea/F 59.0 L, alpha 1.29 /h, beta 0.191 /h.
They are converted to systemic values with the absolute oral bioavailability F = 0.74
(Agarwal et al. 2015), which is declared as ``F1``, so that the model's CL/F is again
180 mL/min:

* CL = 0.74 x 180 mL/min = 133.2 mL/min = 7.992 L/h; Vc = 0.74 x 28.8 L = 21.31 L.
* Renal clearance (urinary amount / plasma AUC) needs no F correction: CLR = 103 mL/min
  = 6.18 L/h. The non-renal part is CLNR = 7.992 - 6.18 = 1.812 L/h, so 77 % of
  systemic clearance is renal, inside the 70-80 % urinary fraction of the MIMS monograph
  (Wuis 1989 found 69 +/- 14 % of the oral dose unchanged in urine; the model gives
  0.74 x 0.77 = 57 %).
* Q and V3 follow from CL/Vc and Kochak's alpha and beta: k10 = CL/Vc = 0.375 /h,
  k21 = alpha beta / k10 = 0.657 /h, k12 = alpha + beta - k10 - k21 = 0.449 /h,
  Q = k12 Vc, V3 = Q / k21. The implied Varea/F, (CL/F)/beta = 56.5 L, is 4 % below
  Kochak's reported 59.0 L (their means of individual fits need not agree exactly).

Terminal t1/2 is ln2 / 0.191 = 3.6 h, within the 3-4 h of the MIMS monograph and below
the 6.8 h of Wuis 1989 (plasma and urine modelling).

Renal function. Wuis et al. 1989 found baclofen's renal clearance about equal to the
creatinine clearance. Renal clearance is therefore proportional to the covariate
``CRCL``: ``CLR * CRCL / CRCL_REF``, the non-renal part fixed. The creatinine clearance
of Kochak's volunteers was not retrieved; by Wuis' equality their renal clearance of
103 mL/min implies a creatinine clearance of about 100 mL/min, used as ``CRCL_REF`` and
as the default ``CRCL``.

Absorption. No absorption rate constant was found; KA = 2 /h is assumed, giving a
simulated Tmax of about 0.8 h inside the reported 0.5-3 h (MIMS monograph). The label
notes that absorption may fall at higher doses; the model is dose-linear, as Kochak
found over their range.

Central nervous system. CSF concentration is 12 % of plasma (Knutsson et al. 1974, as
quoted by the MIMS monograph), taken as instantaneous: the CSF half-life of 1-5 h (MIMS)
is not modelled. ``CSF_UM`` is the CSF concentration of racemate in uM (MW 213.66 g/mol,
FDA label), the input of the reward-circuit model.

References
----------
Kochak GM et al. 1985, Clin Pharmacol Ther 38:251-257, PMID 4028618.
Agarwal SK et al. 2015, J Child Neurol 30:37-41, PMID 25028414.
Wuis EW et al. 1989, Eur J Clin Pharmacol 37:181-184 (pages from memory),
doi:10.1007/BF00558228.
Knutsson E, Lindblom U, Mårtensson A 1974, J Neurol Sci 23:473-484,
doi:10.1016/0022-510X(74)90163-4.
MIMS monograph (baclofen): Tmax, protein binding, urinary fraction, t1/2, CSF t1/2.
"""

from __future__ import annotations

from ..engine import Compartment, Covariate, Derived, Model, Output, Param

__all__ = ["MW_BACLOFEN", "BaclofenPK"]

#: Molar mass of baclofen (g/mol), FDA label via the reference file.
MW_BACLOFEN = 213.66

_KOCHAK = "Kochak GM et al. 1985, Clin Pharmacol Ther 38:251-257, PMID 4028618"
_AGARWAL = "Agarwal SK et al. 2015, J Child Neurol 30:37-41, PMID 25028414"

_F = 0.74
_CL = _F * 180.0 * 60.0 / 1000.0  # L/h, from CL/F 180 mL/min
_CLR = 103.0 * 60.0 / 1000.0  # L/h
_CV_SOURCE = (
    "assumed: no population PK CV found; the AUC CV of 18-24 % in 12 healthy adults "
    "(Agarwal 2015) is attributed to clearance, 20 % on each of its renal and non-renal parts"
)
_VC = _F * 28.8  # L, from Vc/F
_ALPHA, _BETA = 1.29, 0.191  # 1/h
_K10 = _CL / _VC
_K21 = _ALPHA * _BETA / _K10
_K12 = _ALPHA + _BETA - _K10 - _K21
_Q = _K12 * _VC
_V3 = _Q / _K21
_MICRO = (
    f"derived: Kochak 1985 alpha 1.29 /h, beta 0.191 /h with k10 = CL/Vc = {_K10:.4f} /h; "
    f"k21 = alpha*beta/k10 = {_K21:.4f} /h; k12 = alpha + beta - k10 - k21 = {_K12:.4f} /h; "
)


class BaclofenPK(Model):
    name = "baclofen"
    description = (
        "Oral baclofen: two-compartment PK, renal clearance scaled by creatinine clearance, "
        "CSF concentration"
    )
    references = (
        _KOCHAK,
        _AGARWAL,
        "Wuis EW et al. 1989, Eur J Clin Pharmacol 37:181-184, doi:10.1007/BF00558228",
        "Knutsson E, Lindblom U, Mårtensson A 1974, J Neurol Sci 23:473-484",
    )
    compartments = (
        Compartment("DEPOT", "mg", "Baclofen in the gut, not yet absorbed"),
        Compartment("CENT", "mg", "Baclofen in the central compartment"),
        Compartment("PERIPH", "mg", "Baclofen in the peripheral compartment", dosable=False),
    )
    params = (  # name, typical value, unit, meaning, source
        Param(
            "KA",
            2.0,
            "1/h",
            "First-order absorption rate constant",
            source="assumed: no absorption rate constant found; 2 /h gives a Tmax of "
            "~0.8 h within the reported 0.5-3 h (MIMS monograph)",
        ),
        Param("F1", _F, "1", "Absolute oral bioavailability", source=_AGARWAL, upper=1.0),
        Param(
            "CLR",
            _CLR,
            "L/h",
            "Renal clearance at CRCL = CRCL_REF",
            source="derived: 103 mL/min x 60 / 1000 (" + _KOCHAK + "); urinary amount / "
            "AUC, so no F correction",
            cv=0.2,
            cv_source=_CV_SOURCE,
        ),
        Param(
            "CLNR",
            _CL - _CLR,
            "L/h",
            "Non-renal clearance (fixed)",
            source="derived: 0.74 x 180 mL/min (CL/F, Kochak 1985; F, Agarwal 2015) "
            "= 7.992 L/h systemic CL, minus CLR 6.18 L/h",
            cv=0.2,
            cv_source=_CV_SOURCE,
        ),
        Param(
            "CRCL_REF",
            100.0,
            "mL/min",
            "Creatinine clearance at which CLR applies",
            source="assumed: Kochak 1985 volunteers' creatinine clearance not retrieved; "
            "renal clearance ~ creatinine clearance (Wuis 1989) and their CLR of "
            "103 mL/min imply ~100 mL/min",
        ),
        Param(
            "V2",
            _VC,
            "L",
            "Central volume",
            source="derived: 0.74 (Agarwal 2015) x Vc/F 28.8 L (Kochak 1985)",
        ),
        Param("Q", _Q, "L/h", "Intercompartmental clearance", source=_MICRO + "Q = k12*Vc"),
        Param("V3", _V3, "L", "Peripheral volume", source=_MICRO + "V3 = k12*Vc/k21"),
        Param(
            "RCSF",
            0.12,
            "1",
            "CSF / plasma concentration ratio",
            source="Knutsson E, Lindblom U, Mårtensson A 1974, J Neurol Sci 23:473-484, "
            "doi:10.1016/0022-510X(74)90163-4 (ratio quoted by the MIMS monograph; "
            "medium confidence)",
        ),
    )
    covariates = (
        Covariate(
            "CRCL",
            100.0,
            "mL/min",
            "Creatinine clearance",
            source="assumed: healthy adult reference, equal to CRCL_REF",
        ),
    )
    derived = (Derived("CL", "CLNR + CLR * CRCL / CRCL_REF", "L/h", "Systemic clearance"),)
    ode = """
    dxdt_DEPOT = -KA * DEPOT
    dxdt_CENT = KA * DEPOT - (CL + Q) / V2 * CENT + Q / V3 * PERIPH
    dxdt_PERIPH = Q / V2 * CENT - Q / V3 * PERIPH
    """
    outputs = (
        Output("CP", "1000.0 * CENT / V2", "ng/mL", "Plasma baclofen (racemate)"),
        Output("CSF", "RCSF * 1000.0 * CENT / V2", "ng/mL", "CSF baclofen (racemate)"),
        Output(
            "CSF_UM",
            f"RCSF * 1000.0 * CENT / V2 / {MW_BACLOFEN}",
            "uM",
            "CSF baclofen (racemate), molar",
        ),
    )
    linear = True
    default_dose_cmt = 1
