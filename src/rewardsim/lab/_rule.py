"""Decision rules of laboratory subjects: a rat at the lever, a person at a choice trial.

Rat: the satiety-threshold rule, dose by dose
---------------------------------------------
Tsibulsky & Norman 1999 showed that the intervals between a rat's self-injections of
cocaine follow from three quantities only: the unit dose, the elimination half-life and a
drug level they named the satiety threshold, "the maximal level of cocaine at which the
probability of self-administration approximates one and above which the probability of
self-administration is low". Norman & Tsibulsky 2006 added a lower bound: rats respond at a
high rate "only when cocaine levels were above the priming threshold but below the satiety
threshold" (the compulsion zone), whether the drug comes contingently or not.

Here the drug level the rule reads is the circuit's accumbens dopamine, ``DAR = DA / DA0``
(the reward circuit run with the rat's own cocaine exposure), so everything that moves the
dopamine response (dose, route, baclofen at the VTA, adaptation) moves behaviour through
one pathway. Per step of ``h`` s a rat presses as a Poisson process of rate

    0                 if DAR >= ST        (sated)
    RESP              if PT < DAR < ST    (the compulsion zone)
    OPER              if DAR <= PT        (operant level, the drug-free rate)

``ST`` is calibrated (below); ``PT`` sits at a fixed fraction of the satiety excess,
``PT = 1 + PT_FRACTION (ST - 1)``. Between rats, ``ST - 1`` and ``PT - 1`` scale together,
log-normally (``ST_CV``). With a zero unit dose dopamine never leaves baseline, the rat
presses at the operant level only and takes few infusions (extinction); with cocaine each
infusion lifts dopamine above ``ST`` and the next comes when it has fallen back, so the
interval grows with the unit dose; on a progressive ratio, once a ratio takes longer to
complete than dopamine stays above ``PT``, responding stops (the breakpoint).

Calibration (``rewardsim lab-calibrate``): ``ST`` only, to the number of infusions in Lau &
Sun 2002 at 1 mg/kg per infusion (2.5-h sessions, continuous reinforcement: 25.75, the
middle of their 24.5-27.0 mg/kg per session). The 0.5 mg/kg group of the same study, the
dose-interval relation of Tsibulsky & Norman and every progressive-ratio, discrete-trial,
microdialysis and baclofen result are out of sample.

Person: the choice procedure
----------------------------
At each choice trial (cocaine dose or an alternative reinforcer, as in Donny et al. 2003 and
Haney et al. 2006) the person takes the dose with probability
``1 / (1 + exp(-(B0 + B_HIGH H - B_ALT V)))``, where ``H`` is the peak subjective 'high'
(0-10, the circuit's ``HIGH``, calibrated to Volkow 1997) after the last dose taken (the
sample dose at the first trial) and ``V`` the alternative's value in dollars. The three
coefficients are assumed, not fitted, so that the published choice data stay an
out-of-sample test.

References
----------
Tsibulsky VL, Norman AB 1999, Brain Res 839:85-93, doi:10.1016/s0006-8993(99)01717-5.
Norman AB, Tsibulsky VL 2006, Brain Res 1116:143-152, doi:10.1016/j.brainres.2006.07.092.
Lau CE, Sun L 2002, Drug Metab Dispos 30:254-261, doi:10.1124/dmd.30.3.254.
Donny EC, Bigelow GE, Walsh SL 2003, Drug Alcohol Depend 69:289-301 (design).
Haney M, Hart CL, Foltin RW 2006, Neuropsychopharmacology 31:1814-1821,
doi:10.1038/sj.npp.1300999 (design).
"""

from __future__ import annotations

from ..engine import Param
from ..models.rat_cocaine_pk import RAT_CALIBRATION_FILE, load_rat_calibration

__all__ = ["CHOICE_PARAMS", "RAT_RULE_PARAMS", "choice_values", "rat_rule_values"]

_ST = load_rat_calibration()["parameters"]["ST_DA"]

RAT_RULE_PARAMS: tuple[Param, ...] = (  # name, typical value, unit, meaning, source
    Param("ST", float(_ST["value"]), "DA/DA0",
          "Satiety threshold: accumbens dopamine above which the rat does not respond",
          "calibrated: " + _ST["fitted_to"] + " (" + _ST["source"] + "); value in "
          "rewardsim/models/data/" + RAT_CALIBRATION_FILE + ", by `rewardsim lab-calibrate`",
          lower=1.0),
    Param("PT_FRACTION", 0.25, "1",
          "Priming threshold as a fraction of the satiety threshold's dopamine excess",
          "assumed: the priming threshold lies below the satiety threshold (Norman AB, "
          "Tsibulsky VL 2006, Brain Res 1116:143-152, abstract read: no value in it); a "
          "quarter of the excess", upper=1.0),
    Param("RESP", 1.0, "1/s", "Response rate inside the compulsion zone",
          "assumed: 'a high rate of responding' between the thresholds (Norman & Tsibulsky "
          "2006, no figure in the abstract); one press per second"),
    Param("OPER", 2.0 / 3600.0, "1/s", "Response rate below the priming threshold",
          "assumed: two presses per hour, the drug-free operant level of a trained rat "
          "(no figure found)"),
    Param("ST_CV", 0.25, "1", "Between-rat CV of the thresholds' dopamine excess",
          "assumed: no between-rat spread of the satiety threshold found; 25 %"),
)

CHOICE_PARAMS: tuple[Param, ...] = (
    Param("B0", -2.0, "logit", "Log-odds of taking the dose with no 'high' and no alternative",
          "assumed: placebo is rarely chosen over money (Donny EC, Bigelow GE, Walsh SL 2003, "
          "Drug Alcohol Depend 69:289-301, abstract read: 'most volunteers exclusively chose "
          "... money when placebo was available')", lower=-50.0, upper=50.0),
    Param("B_HIGH", 1.0, "logit/point", "Log-odds per point of the last dose's peak 'high'",
          "assumed: one point of 'high' (0-10) is worth one unit of log-odds"),
    Param("B_ALT", 0.1, "logit/USD", "Log-odds lost per dollar of the alternative",
          "assumed: 'little relationship between the value of the alternative reinforcer "
          "and the choice to take cocaine' ($1-16, Donny 2003, abstract read): a weak "
          "weight, $10 per unit of log-odds"),
)


def rat_rule_values(**overrides: float) -> dict[str, float]:
    """The rat rule's values, with some changed (names of :data:`RAT_RULE_PARAMS`)."""
    return _values(RAT_RULE_PARAMS, overrides, "rat self-administration rule")


def choice_values(**overrides: float) -> dict[str, float]:
    """The choice rule's values, with some changed (names of :data:`CHOICE_PARAMS`)."""
    return _values(CHOICE_PARAMS, overrides, "choice rule")


def _values(params: tuple[Param, ...], overrides: dict[str, float], what: str
            ) -> dict[str, float]:
    out = {p.name: float(p.value) for p in params}
    for key, v in overrides.items():
        if key not in out:
            raise KeyError(f"Unknown parameter {key!r} of the {what}; valid: "
                           f"{', '.join(out)}")
        out[key] = float(v)
    return out
