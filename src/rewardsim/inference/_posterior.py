"""Posterior files: a fit's particles with their data source, written and read as JSON.

The package ships the fits of the baclofen hypotheses to Shoptaw et al. 2003
(``rewardsim/inference/data/shoptaw2003_<hypothesis>.json``, made by
``benchmarks/fit_trial.py``); :func:`posterior_draws` gives a trial's replicates their
efficacy values from them (``rewardsim trial --uncertainty posterior``).
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import TargetsError
from ._fit import FitResult, summarise_particles
from ._targets import Targets

__all__ = ["SHIPPED", "load_posterior", "posterior_draws", "write_posterior"]

FORMAT = "rewardsim-posterior-1"
#: Shipped posterior file of each hypothesis.
SHIPPED = {h: f"shoptaw2003_{h}.json" for h in ("anti_craving", "anti_anxiety", "both")}
METHOD = ("ABC-SMC (pyabc {version}): adaptive L1 distance with mad_or_cmad scales, median "
          "epsilon schedule, noisy ABC for the targets' uncertainties; uniform priors")


def _version() -> str:
    from .. import __version__

    return __version__


def write_posterior(result: FitResult, targets: Targets, path: str | Path) -> Path:
    """Write ``result`` with its data source (the targets and design) to ``path`` (JSON),
    atomically."""
    import pyabc

    from ..trial import design_hash

    record: dict[str, Any] = {
        "format": FORMAT,
        "hypothesis": result.hypothesis,
        "data_source": {
            "name": targets.name, "source": targets.source,
            "design": targets.design.name,
            "design_hash": design_hash(targets.design, _version()),
            "statistics": [{"name": t.name, "value": t.value, "relation": t.relation,
                            "uncertainty": t.uncertainty, "source": t.source}
                           for t in targets.targets],
        },
        "method": METHOD.format(version=pyabc.__version__),
        "rewardsim_version": _version(),
        "settings": result.settings,
        "simulations": result.simulations,
        "wall_s": round(result.wall_s, 1),
        "generations": result.generations.to_dict(orient="list"),
        "model_probabilities": result.model_probabilities,
        "parameters": list(result.parameters),
        "summary": (result.summary().to_dict(orient="records") if result.parameters else []),
        "particles": {k: v.to_dict(orient="list") for k, v in result.per_model.items()},
    }
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(tmp, p)
    return p


def load_posterior(source: str | Path) -> dict[str, Any]:
    """A posterior record: a file path, or a hypothesis name for the shipped fit."""
    try:
        if str(source) in SHIPPED:
            text = (resources.files("rewardsim.inference") / "data"
                    / SHIPPED[str(source)]).read_text(encoding="utf-8")
        else:
            text = Path(source).read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, ValueError) as exc:
        raise TargetsError(f"Cannot read the posterior {str(source)!r}: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise TargetsError(f"{str(source)!r} is not a rewardsim posterior file "
                           f"(format {FORMAT!r}).")
    return record


def particles(record: dict[str, Any], hypothesis: str | None = None) -> pd.DataFrame:
    """The weighted particles of ``hypothesis`` (default: the record's own)."""
    h = hypothesis or record["hypothesis"]
    if h not in record["particles"]:
        raise TargetsError(f"The posterior holds no particles of {h!r}; it has "
                           f"{', '.join(record['particles']) or 'none'}.")
    return pd.DataFrame(record["particles"][h])


def posterior_summary(record: dict[str, Any], hypothesis: str | None = None) -> pd.DataFrame:
    df = particles(record, hypothesis)
    return summarise_particles(df, tuple(c for c in df.columns if c != "weight"))


def posterior_draws(hypothesis: str, n: int, seed: int | np.random.Generator = 0,
                    *, source: str | Path | None = None) -> pd.DataFrame:
    """``n`` draws of the efficacy parameters of ``hypothesis`` (resampled by weight) from
    its shipped posterior (or the file ``source``): columns ``e_craving``/``e_anxiety``."""
    record = load_posterior(source or hypothesis)
    df = particles(record, hypothesis)
    w = df["weight"].to_numpy()
    idx = np.random.default_rng(seed).choice(w.size, size=n, p=w / w.sum())
    cols = [c for c in df.columns if c in ("e_craving", "e_anxiety")]
    return df.iloc[idx][cols].reset_index(drop=True)
