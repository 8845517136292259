"""``pk1cmt``: one-compartment PK, first-order absorption, linear elimination.

The generic model of mrgsolve's model library (``pk1cmt``; Baron KT 2024,
mrgsolve user guide, "Model library"), with the same compartment order:
1 ``DEPOT`` (absorption site), 2 ``CENT`` (central). Amounts in mg, time in h.
The default values are the library's placeholders: set them for your drug.
"""

from __future__ import annotations

from ..engine import Compartment, Model, Output, Param

_PLACEHOLDER = "assumed: generic placeholder as in mrgsolve's model library; set for your drug"


class OneCmt(Model):
    name = "pk1cmt"
    description = "One-compartment PK with first-order absorption"
    references = ("Gabrielsson J, Weiner D. Pharmacokinetic and Pharmacodynamic Data "
                  "Analysis, 5th ed. (2016), ch. 2 (one-compartment oral model)",)
    compartments = (
        Compartment("DEPOT", "mg", "Amount at the absorption site"),
        Compartment("CENT", "mg", "Amount in the central compartment"),
    )
    params = (
        Param("CL", 1.0, "L/h", "Clearance", source=_PLACEHOLDER),
        Param("V", 20.0, "L", "Central volume", source=_PLACEHOLDER),
        Param("KA", 1.0, "1/h", "First-order absorption rate constant", source=_PLACEHOLDER),
    )
    ode = """
    dxdt_DEPOT = -KA * DEPOT
    dxdt_CENT = KA * DEPOT - CL / V * CENT
    """
    outputs = (Output("CP", "CENT / V", "mg/L", "Plasma concentration"),)
    linear = True
