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

    def _shape_text(self) -> str:
        n = self.ids.shape[0]
        if self.grid:
            t = self.times
            span = f"{t[0]:g}-{t[-1]:g} h" if t.size else "no times"
            return f"{n} subjects x {t.shape[0]} times ({span})"
        return f"{n} subjects, {self.times.shape[0]} observation rows"

    def __repr__(self) -> str:
        # Short on purpose: the arrays are what to_frame() or to_xarray() are for.
        outs = ", ".join(f"{k} [{self.units.get(k, '')}]" for k in self.outputs)
        failed = int(np.count_nonzero(self.status))
        return (f"Solution(model={self.model!r}, {self._shape_text()}, outputs: {outs}"
                + (f", {failed} failed" if failed else "") + ")")

    def _repr_html_(self) -> str:
        """A small table for Jupyter: outputs with their unit and range, and failures."""
        from html import escape

        rows = []
        for k, v in self.outputs.items():
            finite = v[np.isfinite(v)]
            lo, hi = (f"{finite.min():.4g}", f"{finite.max():.4g}") if finite.size else ("-", "-")
            rows.append(f"<tr><td>{escape(k)}</td><td>{escape(self.units.get(k, ''))}</td>"
                        f"<td>{lo}</td><td>{hi}</td></tr>")
        failed = int(np.count_nonzero(self.status))
        note = (f"<p>{failed} subject(s) failed; see <code>.failed</code>.</p>"
                if failed else "")
        return (f"<div><b>Solution</b> of model <code>{escape(self.model)}</code>: "
                f"{escape(self._shape_text())}<table><thead><tr><th>output</th><th>unit</th>"
                f"<th>min</th><th>max</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
                f"{note}</div>")

    def to_xarray(self):  # -> xarray.Dataset (optional dependency)
        """The outputs as an :class:`xarray.Dataset` with units in each variable's attrs.

        On a shared grid the dimensions are ``(ID, TIME)``; at a data set's observation
        rows they are ``(row,)`` with ``ID`` and ``TIME`` as coordinates. Needs xarray:
        ``pip install xarray`` (or ``pip install 'rewardsim[xarray]'``).

        Examples
        --------
        >>> import rewardsim as rs
        >>> sol = rs.simulate(rs.models.pk1cmt(), rs.regimen(100.0, n=2), times=[0, 1, 2],
        ...                   omega=False)
        >>> sol.to_xarray()["CP"].dims
        ('ID', 'TIME')
        """
        try:
            import xarray as xr
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Solution.to_xarray needs xarray. Make sure you've installed it with: "
                "pip install 'rewardsim[xarray]'"
            ) from None
        attrs = {"model": self.model}
        if self.grid:
            data = {k: (("ID", "TIME"), v, {"units": self.units.get(k, "")})
                    for k, v in self.outputs.items()}
            coords = {"ID": self.ids, "TIME": ("TIME", self.times, {"units": "h"})}
        else:
            data = {k: (("row",), v, {"units": self.units.get(k, "")})
                    for k, v in self.outputs.items()}
            coords = {"ID": ("row", self.row_ids), "TIME": ("row", self.times, {"units": "h"})}
        ds = xr.Dataset(data, coords=coords, attrs=attrs)
        if self.grid:
            ds["status"] = xr.DataArray(self.status, dims=("ID",))
        else:
            ds["status"] = xr.DataArray(self.status, dims=("subject",),
                                        coords={"subject": self.ids})
        return ds

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
