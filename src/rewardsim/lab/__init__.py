"""Laboratory sessions on the reward circuit, second by second: rat and human.

A protocol file (TOML, :func:`load_protocol`) describes an experiment: species, doses and
pretreatments, microdialysis bins, an operant schedule (fixed ratio, progressive ratio,
discrete trials) or a human choice procedure under maintenance medication, and its
conditions. :func:`run_protocol` runs every condition's sessions with the species' drug
models and the one reward circuit (generated from its text); :func:`write_results` writes
the tables. ``rewardsim lab PROTOCOL.toml --out DIR`` does both.

>>> from rewardsim import lab
>>> res = lab.run_protocol("examples/lab/fr1-unit-doses.toml", n_subjects=4)  # doctest: +SKIP
"""

from ._calibrate import calibrate_rat as calibrate_rat
from ._calibrate import write_rat_calibration as write_rat_calibration
from ._protocol import LabProtocol as LabProtocol
from ._protocol import Protocol as Protocol
from ._protocol import load_protocol as load_protocol
from ._protocol import parse_protocol as parse_protocol
from ._run import LabResult as LabResult
from ._run import run_protocol as run_protocol
from ._run import write_results as write_results
from ._schedules import bin_means as bin_means
from ._schedules import progressive_ratio as progressive_ratio

__all__ = ["LabProtocol", "LabResult", "Protocol", "bin_means", "calibrate_rat",
           "load_protocol", "parse_protocol", "progressive_ratio", "run_protocol",
           "write_rat_calibration", "write_results"]
