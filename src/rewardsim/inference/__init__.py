"""Fitting drug efficacy to published trials by simulation (likelihood-free inference).

Targets
    :func:`load_targets`, :func:`parse_targets`, :data:`STATISTICS`.
Fitting
    :func:`fit_trial` (ABC-SMC, pyabc), :class:`FitResult`, :class:`TrialSimulator`.
"""

from ._fit import FIT_HYPOTHESES as FIT_HYPOTHESES
from ._fit import PRIORS as PRIORS
from ._fit import FitResult as FitResult
from ._fit import fit_trial as fit_trial
from ._simulator import TrialSimulator as TrialSimulator
from ._targets import STATISTICS as STATISTICS
from ._targets import load_targets as load_targets
from ._targets import parse_targets as parse_targets

__all__ = sorted(["FIT_HYPOTHESES", "FitResult", "PRIORS", "STATISTICS", "TrialSimulator",
                  "fit_trial", "load_targets", "parse_targets"])
