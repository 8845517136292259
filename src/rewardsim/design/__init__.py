"""Which trial would tell the mechanisms apart: simulate candidate designs under each
hypothesis and rank them by how often their pre-specified analysis names the true one.

Design space
    :func:`load_space`, :func:`parse_space`, :class:`DesignSpace`, :class:`DesignPoint`.
Running
    :func:`discriminate` (threads or a Dask cluster) -> :class:`DiscriminationResult`.
Rules
    :data:`BUILTIN_RULES`, :data:`RULE_DOCS`; a user rule is a function of a
    :class:`TrialData` returning a hypothesis label.

See ``docs/design.md``.
"""

from ._data import TrialData as TrialData
from ._rules import BUILTIN_RULES as BUILTIN_RULES
from ._rules import RULE_DOCS as RULE_DOCS
from ._run import DiscriminationResult as DiscriminationResult
from ._run import discriminate as discriminate
from ._space import DesignPoint as DesignPoint
from ._space import DesignSpace as DesignSpace
from ._space import load_space as load_space
from ._space import parse_space as parse_space

__all__ = sorted([
    "BUILTIN_RULES", "DesignPoint", "DesignSpace", "DiscriminationResult", "RULE_DOCS",
    "TrialData", "discriminate", "load_space", "parse_space",
])  # fmt: skip
