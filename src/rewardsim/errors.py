"""Exceptions raised by rewardsim.

Hierarchy::

    RewardsimError
    ├── ModelSpecError      (ValueError)  a model declaration or parameter is wrong
    ├── EventTableError     (ValueError)  a dosing/observation data set is wrong
    ├── SolverError                       the ODE solver failed for a subject
    ├── TrialDesignError    (ValueError)  a trial design file is wrong
    ├── AnalysisInputError  (ValueError)  input to the analysis layer is wrong
    └── TargetsError        (ValueError)  a targets file (statistics to fit) is wrong

Errors about bad input subclass ``ValueError`` so that generic callers can catch
them, as scikit-learn's ``InvalidParameterError`` does.  Every message names the
field, the value received and what is allowed.
"""

from __future__ import annotations


class RewardsimError(Exception):
    """Base class of all rewardsim errors."""


class ModelSpecError(RewardsimError, ValueError):
    """A model, parameter, covariate or variability specification is invalid."""


class EventTableError(RewardsimError, ValueError):
    """A NONMEM-style event data set or dosing regimen is invalid."""


class SolverError(RewardsimError):
    """The ODE solver could not advance a subject (see the message for what to do)."""


class TrialDesignError(RewardsimError, ValueError):
    """A trial design file is invalid."""


class AnalysisInputError(RewardsimError, ValueError):
    """Input to the analysis layer (use-pattern words, run folders, CSVs) is invalid."""


class TargetsError(RewardsimError, ValueError):
    """A targets file (published trial statistics to fit) is invalid."""
