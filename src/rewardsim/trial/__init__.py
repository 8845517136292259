"""Virtual trials: design files, virtual patients, the daily simulation, run folders.

Design
    :func:`load_design`, :func:`parse_design`, :class:`Design`, :func:`design_hash`.
Running
    :func:`run_trial` (run folder with Parquet tables and a manifest),
    :func:`simulate_trial` (one replicate in memory, as pandas tables).
Calibration
    :func:`calibrate_behaviour`, :func:`calibration_table`, :func:`ctn0094_statistics`.
"""

from ..models.circuit_daily import TRIAL_HYPOTHESES
from ._calibration import calibrate_behaviour as calibrate_behaviour
from ._calibration import calibration_table as calibration_table
from ._calibration import ctn0094_statistics as ctn0094_statistics
from ._design import Design as Design
from ._design import design_hash as design_hash
from ._design import load_design as load_design
from ._design import parse_design as parse_design
from ._run import run_trial as run_trial
from ._run import simulate_trial as simulate_trial

#: Baclofen hypotheses a design can name (the reward circuit's, and ``none``).
HYPOTHESES = TRIAL_HYPOTHESES

__all__ = sorted([
    "Design", "HYPOTHESES", "calibrate_behaviour", "calibration_table", "ctn0094_statistics",
    "design_hash", "load_design", "parse_design", "run_trial", "simulate_trial",
])  # fmt: skip
