"""The result of a population simulation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

STATUS_MESSAGES = {
    0: "ok",
    1: "The maximum number of solver steps was reached. Try increasing `max_steps` "
       "or loosening `rtol`.",
    2: "The step size fell below 1e-14 h: the system may be singular or blow up. "
       "Check the parameters of this subject.",
    3: "No steady state: (I - exp(A*II)) is singular or the SS iteration did not "
       "converge. A model without elimination has no steady state.",
    4: "The state became non-finite. Check the parameters of this subject.",
    5: "A dose record with RATE=-1 or -2 met a modelled infusion rate (R<n>) or duration "
       "(D<n>) that is not > 0. Check how the model computes it for this subject.",
}


@dataclass
class Solution:
    """Outputs of a population simulation.

    Attributes
    ----------
    model : str
        Name of the simulated model.
    ids : ndarray, shape (n_subjects,)
        Subject IDs, in the order of the rows of the outputs.
    times : ndarray
        Output times (h): the shared grid, shape (n_times,), when ``grid`` is
        True; otherwise the time of each output row, shape (n_rows,).
    outputs : dict of str to ndarray
        Each output, shape (n_subjects, n_times) on a grid, or (n_rows,) at
        the data set's observation rows.
    status : ndarray, shape (n_subjects,)
        0 where the subject solved; see :data:`STATUS_MESSAGES`.
    """

    model: str
    ids: np.ndarray
    times: np.ndarray
    outputs: dict[str, np.ndarray]
    units: dict[str, str]
    status: np.ndarray
    n_steps: np.ndarray
    grid: bool
    row_ids: np.ndarray | None = None
    params: pd.DataFrame | None = field(default=None, repr=False)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.outputs[name]

    @property
    def failed(self) -> dict[int, str]:
        """IDs of subjects that failed, with what to do about it."""
        bad = np.flatnonzero(self.status != 0)
        return {int(self.ids[i]): STATUS_MESSAGES[int(self.status[i])] for i in bad}

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per subject and time, columns ID, TIME and outputs."""
        if self.grid:
            nt = self.times.shape[0]
            cols = {
                "ID": np.repeat(self.ids, nt),
                "TIME": np.tile(self.times, self.ids.shape[0]),
            }
            for k, v in self.outputs.items():
                cols[k] = v.reshape(-1)
        else:
            cols = {"ID": self.row_ids, "TIME": self.times}
            cols.update(self.outputs)
        return pd.DataFrame(cols)
