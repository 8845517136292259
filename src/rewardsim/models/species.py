"""Species as parameter sets on one reward circuit: the values that differ, with sources.

The rat and the human run the same :class:`~rewardsim.models.reward_circuit.RewardCircuit`
(the same equations, generated from the same text). Most of its brain-side values are rat
measurements already (accumbens dopamine kinetics, VTA firing, the baclofen EC50 of the rat
slice), used for the human by concentration; what differs between the species is how
cocaine gets from the blood into the brain, the exposure side of the circuit:

``KE0``
    Plasma-to-brain equilibration rate. The human value is calibrated to the time to
    peak 'high' (Volkow 2000). No rat value was found; it is translated by the usual
    allometric rule for rate constants, ``KE0_rat = KE0_human (W_rat / W_human)^-0.25``,
    stated here as the one allometric step on the circuit's side.
``KP_COC``
    Unbound brain-to-plasma ratio. The human value is calibrated to PET occupancy
    (Volkow 1997); the rat value is calibrated to rat brain extracellular cocaine measured
    by microdialysis after i.v. doses (``rewardsim lab-calibrate``,
    :func:`rewardsim.lab.calibrate_rat`), with the rat's own plasma model.

Translation between the species otherwise goes through concentrations: a rat and a human
with the same unbound brain cocaine have the same DAT occupancy and the same dopamine
response; a dose in mg/kg is never carried across.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rat_cocaine_pk import load_rat_calibration
from .reward_circuit import RewardCircuit

__all__ = ["HUMAN_WEIGHT_KG", "RAT_WEIGHT_KG", "SPECIES", "SpeciesValue", "circuit_values"]

#: Body weight (kg) of the typical adult of the human models.
HUMAN_WEIGHT_KG = 70.0
#: Body weight (kg) of the typical adult rat (assumed: the middle of the 250-350 g of
#: adult Sprague-Dawley and Wistar rats used in the self-administration literature).
RAT_WEIGHT_KG = 0.3


@dataclass(frozen=True)
class SpeciesValue:
    """A circuit parameter value of one species, with its unit and source."""

    name: str
    value: float
    unit: str
    source: str


def _rat() -> tuple[SpeciesValue, ...]:
    human = RewardCircuit().values
    kp = load_rat_calibration()["parameters"]["KP_COC_RAT"]
    return (
        SpeciesValue("KE0", human["KE0"] * (RAT_WEIGHT_KG / HUMAN_WEIGHT_KG) ** -0.25, "1/h",
                     f"derived: human KE0 x (W_rat / W_human)^-0.25 ({RAT_WEIGHT_KG:g} kg, "
                     f"{HUMAN_WEIGHT_KG:g} kg): allometric scaling of a rate constant "
                     "(exponent assumed; no rat plasma-brain equilibration rate found)"),
        SpeciesValue("KP_COC", float(kp["value"]), "1",
                     "calibrated: " + kp["fitted_to"] + " (" + kp["source"] + "); value in "
                     "rewardsim/models/data/rat_calibration.json, by `rewardsim lab-calibrate`"),
    )


#: Circuit values by species (only those that differ from the declared, human values).
SPECIES: dict[str, tuple[SpeciesValue, ...]] = {"human": (), "rat": _rat()}


def circuit_values(species: str, **overrides: float) -> dict[str, float]:
    """The circuit's parameter values for a species, then ``overrides``.

    >>> v = circuit_values("rat")
    >>> v["KI_DAT"] == circuit_values("human")["KI_DAT"]
    True
    """
    if species not in SPECIES:
        raise KeyError(f"Unknown species {species!r}; valid: {', '.join(SPECIES)}")
    changed = {s.name: s.value for s in SPECIES[species]}
    return RewardCircuit().with_params(**changed).with_params(**overrides).values
