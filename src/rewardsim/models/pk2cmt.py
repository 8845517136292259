"""``pk2cmt``: two-compartment PK, first-order absorption, linear elimination.

As mrgsolve's library model ``pk2cmt``: 1 ``DEPOT``, 2 ``CENT``, 3 ``PERIPH``;
amounts in mg, time in h. The default values are placeholders.
"""

from __future__ import annotations

from ..engine import Compartment, Model, Output, Param

_PLACEHOLDER = "assumed: generic placeholder as in mrgsolve's model library; set for your drug"


class TwoCmt(Model):
    name = "pk2cmt"
    description = "Two-compartment PK with first-order absorption"
    references = ("Gabrielsson J, Weiner D. Pharmacokinetic and Pharmacodynamic Data "
                  "Analysis, 5th ed. (2016), ch. 2 (two-compartment models)",)
    compartments = (
        Compartment("DEPOT", "mg", "Amount at the absorption site"),
        Compartment("CENT", "mg", "Amount in the central compartment"),
        Compartment("PERIPH", "mg", "Amount in the peripheral compartment"),
    )
    params = (
        Param("CL", 1.0, "L/h", "Clearance", source=_PLACEHOLDER),
        Param("V2", 20.0, "L", "Central volume", source=_PLACEHOLDER),
        Param("Q", 2.0, "L/h", "Intercompartmental clearance", source=_PLACEHOLDER),
        Param("V3", 10.0, "L", "Peripheral volume", source=_PLACEHOLDER),
        Param("KA", 1.0, "1/h", "First-order absorption rate constant", source=_PLACEHOLDER),
    )
    ode = """
    dxdt_DEPOT = -KA * DEPOT
    dxdt_CENT = KA * DEPOT - (CL + Q) / V2 * CENT + Q / V3 * PERIPH
    dxdt_PERIPH = Q / V2 * CENT - Q / V3 * PERIPH
    """
    outputs = (Output("CP", "CENT / V2", "mg/L", "Plasma concentration"),)
    linear = True
