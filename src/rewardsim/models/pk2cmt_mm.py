"""``pk2cmt_mm``: two-compartment PK with Michaelis-Menten elimination.

As mrgsolve's ``pk2cmt`` with its VMAX/KM elimination: 1 ``DEPOT``,
2 ``CENT``, 3 ``PERIPH``; elimination rate VMAX * CP / (KM + CP) (mg/h).
Nonlinear, so it is solved by the adaptive Rosenbrock solver.
"""

from __future__ import annotations

from ..engine import Compartment, Model, Output, Param

_PLACEHOLDER = "assumed: generic placeholder as in mrgsolve's model library; set for your drug"


class TwoCmtMM(Model):
    name = "pk2cmt_mm"
    description = "Two-compartment PK with first-order absorption and saturable elimination"
    references = ("Gabrielsson J, Weiner D. Pharmacokinetic and Pharmacodynamic Data "
                  "Analysis, 5th ed. (2016), ch. 2 (nonlinear, Michaelis-Menten elimination)",)
    compartments = (
        Compartment("DEPOT", "mg", "Amount at the absorption site"),
        Compartment("CENT", "mg", "Amount in the central compartment"),
        Compartment("PERIPH", "mg", "Amount in the peripheral compartment"),
    )
    params = (
        Param("VMAX", 10.0, "mg/h", "Maximum elimination rate", source=_PLACEHOLDER),
        Param("KM", 2.0, "mg/L", "Concentration at half-maximal elimination",
              source=_PLACEHOLDER),
        Param("V2", 30.0, "L", "Central volume", source=_PLACEHOLDER),
        Param("Q", 10.0, "L/h", "Intercompartmental clearance", source=_PLACEHOLDER),
        Param("V3", 60.0, "L", "Peripheral volume", source=_PLACEHOLDER),
        Param("KA", 1.0, "1/h", "First-order absorption rate constant", source=_PLACEHOLDER),
    )
    ode = """
    CP = CENT / V2
    dxdt_DEPOT = -KA * DEPOT
    dxdt_CENT = KA * DEPOT - VMAX * CP / (KM + CP) - Q / V2 * CENT + Q / V3 * PERIPH
    dxdt_PERIPH = Q / V2 * CENT - Q / V3 * PERIPH
    """
    outputs = (Output("CP", "CENT / V2", "mg/L", "Plasma concentration"),)
