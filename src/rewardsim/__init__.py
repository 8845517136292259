"""rewardsim: in-silico trials of addiction medicines.

Layers, bottom up: :mod:`rewardsim.engine` (population ODE simulation),
:mod:`rewardsim.models` (drug and reward-system models), :mod:`rewardsim.io`
(NONMEM-style data sets), :mod:`rewardsim.analysis` and :mod:`rewardsim.report`.
"""

from . import models as models
from .engine import Compartment as Compartment
from .engine import Covariate as Covariate
from .engine import Derived as Derived
from .engine import Model as Model
from .engine import Omega as Omega
from .engine import Output as Output
from .engine import Param as Param
from .engine import Residual as Residual
from .engine import Solution as Solution
from .engine import compose as compose
from .engine import simulate as simulate
from .engine import simulate_chunks as simulate_chunks
from .engine import simulate_dask as simulate_dask
from .errors import RewardsimError as RewardsimError
from .io import read_dataset as read_dataset
from .io import regimen as regimen
from .io import write_dataset as write_dataset

__version__ = "0.1.0"

#: Subpackages loaded on first use (``rs.analysis``, ``rs.design``, ``rs.inference``,
#: ``rs.lab``, ``rs.population``, ``rs.report``, ``rs.trial``), so that ``import rewardsim``
#: stays quick and does not import statsmodels or DuckDB.
_LAZY = ("analysis", "cli", "design", "inference", "lab", "population", "report", "trial")


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'rewardsim' has no attribute {name!r}")

__all__ = sorted([
    "Compartment", "Covariate", "Derived", "Model", "Omega", "Output", "Param", "Residual",
    "RewardsimError", "Solution", "compose", "models", "read_dataset", "regimen", "simulate",
    "simulate_chunks", "simulate_dask", "write_dataset",
])
