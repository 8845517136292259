"""Populations: US adults with cocaine use disorder over a year of care, under scenarios.

:func:`load_scenarios` reads a scenario file (population, status quo of care, scenarios as
differences from it); :func:`run_population` simulates every scenario over the synthetic
population (:func:`synthesize`, fitted to published tables: :data:`SOURCES`) on threads or
a Dask cluster into a run folder of summaries, a report and, on request, per-person tables.
Each person is one reward circuit stepped with the trial's daily model.
"""

from ._run import margins_table as margins_table
from ._run import run_population as run_population
from ._run import simulate_chunk as simulate_chunk
from ._scenarios import Care as Care
from ._scenarios import ScenarioFile as ScenarioFile
from ._scenarios import load_scenarios as load_scenarios
from ._scenarios import parse_scenarios as parse_scenarios
from ._synth import synthesize as synthesize
from ._tables import ATTRIBUTES as ATTRIBUTES
from ._tables import DEFAULT_MARGINS as DEFAULT_MARGINS
from ._tables import SOURCES as SOURCES

__all__ = sorted([
    "ATTRIBUTES", "Care", "DEFAULT_MARGINS", "SOURCES", "ScenarioFile", "load_scenarios",
    "margins_table", "parse_scenarios", "run_population", "simulate_chunk", "synthesize",
])
