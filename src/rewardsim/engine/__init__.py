"""Population ODE engine: model declarations, dosing events, solvers, variability."""

from ._compose import compose as compose
from ._dask import simulate_dask as simulate_dask
from ._model import Compartment as Compartment
from ._model import Covariate as Covariate
from ._model import Derived as Derived
from ._model import Model as Model
from ._model import Output as Output
from ._model import Param as Param
from ._population import simulate as simulate
from ._population import simulate_chunks as simulate_chunks
from ._solution import Solution as Solution
from ._variability import Omega as Omega
from ._variability import Residual as Residual

__all__ = ["Compartment", "Covariate", "Derived", "Model", "Omega", "Output", "Param",
           "Residual", "Solution", "compose", "simulate", "simulate_chunks", "simulate_dask"]
