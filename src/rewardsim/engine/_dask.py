"""Run a population simulation as Dask tasks, on a laptop or a cluster.

Subjects are split into partitions by ID; each partition is one task calling
:func:`rewardsim.simulate`.  Every subject's random numbers are keyed by
(seed, ID), so the result is identical to a single in-process run whatever the
number of partitions, workers or machines.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelSpecError
from ._model import Model
from ._population import simulate
from ._solution import Solution


def _run_part(model: Model, part: pd.DataFrame, kwargs: dict[str, Any]) -> Solution:
    return simulate(model, part, **kwargs)


def simulate_dask(
    model: Model,
    data: pd.DataFrame,
    *,
    partitions: int = 4,
    scheduler: str | None = "processes",
    client: Any = None,
    **kwargs: Any,
) -> Solution:
    """:func:`rewardsim.simulate` split into Dask tasks by subject.

    Parameters
    ----------
    model, data, **kwargs
        As for :func:`rewardsim.simulate`.
    partitions : int
        Number of tasks (subjects are split into this many groups by ID).
    scheduler : str or None
        Dask scheduler for ``dask.compute`` ("processes", "threads",
        "synchronous"); ignored when ``client`` is given.
    client : dask.distributed.Client, optional
        Run on a cluster through this client.

    Returns
    -------
    Solution
        Identical to ``rewardsim.simulate(model, data, **kwargs)``.
    """
    import dask

    if not isinstance(partitions, int) or partitions < 1:
        raise ModelSpecError(f"partitions must be a positive integer. Got {partitions!r}.")
    if "ID" not in data.columns:
        raise ModelSpecError("The data set has no ID column; see rewardsim.io.validate_dataset.")
    ids = pd.unique(data["ID"])
    groups = np.array_split(ids, min(partitions, len(ids)))
    tasks = [dask.delayed(_run_part)(model, data[data["ID"].isin(g)], kwargs) for g in groups]
    if client is not None:
        parts = client.gather(client.compute(tasks))
    else:
        parts = dask.compute(*tasks, scheduler=scheduler)
    return _concat(list(parts))


def _concat(parts: list[Solution]) -> Solution:
    first = parts[0]
    if first.grid:
        outputs = {k: np.concatenate([p.outputs[k] for p in parts], axis=0) for k in first.outputs}
        row_ids = None
    else:
        outputs = {k: np.concatenate([p.outputs[k] for p in parts]) for k in first.outputs}
        row_ids = np.concatenate([p.row_ids for p in parts])  # type: ignore[misc]
    params = pd.concat([p.params for p in parts], ignore_index=True)  # type: ignore[misc]
    return Solution(
        model=first.model,
        ids=np.concatenate([p.ids for p in parts]),
        times=first.times if first.grid else np.concatenate([p.times for p in parts]),
        outputs=outputs,
        units=first.units,
        status=np.concatenate([p.status for p in parts]),
        n_steps=np.concatenate([p.n_steps for p in parts]),
        grid=first.grid,
        row_ids=row_ids,
        params=params,
    )
