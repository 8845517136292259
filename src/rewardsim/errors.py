"""Exceptions raised by rewardsim.

Hierarchy::

    RewardsimError
    ├── ModelSpecError      (ValueError)  a model declaration or parameter is wrong
    ├── EventTableError     (ValueError)  a dosing/observation data set is wrong
    ├── SolverError                       the ODE solver failed for a subject
    ├── TrialDesignError    (ValueError)  a trial design file is wrong
    ├── AnalysisInputError  (ValueError)  input to the analysis layer is wrong
    ├── ProtocolError       (ValueError)  a laboratory protocol file is wrong
    ├── TargetsError        (ValueError)  a targets file (statistics to fit) is wrong
    ├── ResourceError       (ValueError)  a request needs more memory than the budget allows
    ├── PopulationError     (ValueError)  a population scenario file or run is wrong
    ├── DesignSpaceError    (ValueError)  a design-space file, hypothesis or decision rule
    │                                     is wrong
    └── OutputError         (OSError)     an output cannot be written (read-only folder,
                                          full disk, the path is a folder)

Errors about bad input subclass ``ValueError`` so that generic callers can catch
them, as scikit-learn's ``InvalidParameterError`` does.  Every message names the
field, the value received and what is allowed.  :class:`OutputError` subclasses
``OSError`` and names the path that could not be written.
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


class ProtocolError(RewardsimError, ValueError):
    """A laboratory protocol file is invalid."""


class AnalysisInputError(RewardsimError, ValueError):
    """Input to the analysis layer (use-pattern words, run folders, CSVs) is invalid."""


class ResourceError(RewardsimError, ValueError):
    """A request would need more memory than the budget allows (the message says how much,
    and how to shrink the request or raise the budget)."""


class OutputError(RewardsimError, OSError):
    """An output file or folder cannot be written; nothing partial is left behind."""


class PopulationError(RewardsimError, ValueError):
    """A population scenario file, its options or its cluster address is invalid."""


class DesignSpaceError(RewardsimError, ValueError):
    """A design-space file (candidate trial designs to compare), a hypothesis or a
    decision rule is invalid."""


class TargetsError(RewardsimError, ValueError):
    """A targets file (published trial statistics to fit) is invalid."""
