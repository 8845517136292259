"""Run a protocol: every condition's sessions, read into tables, written to a folder.

Tables (one row per ...):

``sessions``    condition x subject: doses taken, presses, breakpoint, intake, mean
                inter-infusion interval, when the session ended
``events``      dose taken (infusion, sample, chosen dose): its time
``dialysis``    condition x subject x bin: extracellular and dialysate dopamine, % of the
                subject's baseline bins
``choices``     condition x subject x choice trial: alternative, probability, choice
``trajectory``  recorded subjects, every ``session.record_every_s``: plasma, brain cocaine,
                DAT occupancy, dopamine, 'high', brain baclofen
``summary``     condition: means over subjects
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProtocolError
from ._kernel import lab_module
from ._protocol import LabProtocol, load_protocol
from ._session import ConditionRun, run_condition

__all__ = ["LabResult", "run_protocol", "write_results"]

_TRAJ = ("cocaine_arterial_uM", "baclofen_brain_uM", "cocaine_brain_unbound_uM", "dat_occupancy",
         "dopamine_nM", "high")
TABLES = ("sessions", "events", "dialysis", "choices", "trajectory", "summary")


@dataclass
class LabResult:
    """The tables of a protocol run (:data:`TABLES`) and the protocol itself."""

    protocol: LabProtocol
    tables: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k} {len(v)}" for k, v in self.tables.items() if len(v))
        return f"LabResult({self.protocol.info.name!r}: {sizes})"


def _times(run: ConditionRun, steps: np.ndarray) -> np.ndarray:
    return run.t0_min + steps * run.step_s / 60.0


def _tables(run: ConditionRun) -> dict[str, pd.DataFrame]:
    k = lab_module()
    proto = run.protocol
    n = run.res.shape[0]
    subj = np.arange(1, n + 1)
    sched, prime = proto.schedule, bool(proto.schedule and proto.schedule.priming)
    rows, ev_rows = [], []
    for i in range(n):
        steps = run.ev[i][run.ev[i] >= 0]
        t = _times(run, steps)
        kinds = ["infusion"] * len(t)
        if prime and len(t):
            kinds[0] = "priming"
        if proto.choice is not None and len(t):
            kinds = ["chosen dose"] * len(t)
            kinds[0] = "sample"
        contingent = t[1:] if (prime or proto.choice is not None) else t
        for j, (tt, kk) in enumerate(zip(t, kinds, strict=True)):
            ev_rows.append((run.name, i + 1, j + 1, float(tt), kk))
        gaps = np.diff(contingent)
        row: dict[str, Any] = {"condition": run.name, "subject": i + 1}
        if sched is not None:
            row.update({
                "infusions": int(run.res[i, k.O_NEV]), "contingent": int(len(contingent)),
                "presses": int(run.res[i, k.O_PRESS]),
                "timeout_presses": int(run.res[i, k.O_TOPRESS]),
                "intake_mg_kg": float(run.res[i, k.O_NEV]) * sched.unit_dose,
                "mean_interval_min": float(gaps.mean()) if gaps.size else np.nan,
                "threshold_multiplier": float(run.res[i, k.O_STMULT])})
            if sched.type == "PR":
                row["breakpoint"] = int(run.res[i, k.O_BREAK])
        if proto.choice is not None:
            row["doses_chosen"] = int(len(contingent))
        row.update({
            "end_min": float(_times(run, np.array([run.res[i, k.O_END]]))[0]),
            "peak_dopamine_nM": float(run.res[i, k.O_DAPK]),
            "peak_high": float(run.res[i, k.O_HIGHPK]),
            "peak_dat_occupancy": float(run.res[i, k.O_OCCPK]),
            "reward_h": float(run.res[i, k.O_REWARD]),
            "a_da_end": float(run.res[i, k.O_ADA])})
        rows.append(row)
    out = {"sessions": pd.DataFrame(rows),
           "events": pd.DataFrame(ev_rows, columns=["condition", "subject", "event",
                                                    "time_min", "kind"])}
    if proto.dialysis is not None:
        dl = proto.dialysis
        nb = run.bins.shape[1]
        start = dl.start_min + dl.bin_min * np.arange(nb)
        base = (np.nanmean(run.bins[:, :dl.baseline_bins], axis=1) if dl.baseline_bins
                else np.full(n, np.nan))
        out["dialysis"] = pd.DataFrame({
            "condition": run.name, "subject": np.repeat(subj, nb),
            "bin": np.tile(np.arange(1, nb + 1), n), "start_min": np.tile(start, n),
            "end_min": np.tile(start + dl.bin_min, n), "dopamine_nM": run.bins.ravel(),
            "dialysate_nM": dl.recovery * run.bins.ravel(),
            "pct_baseline": (100.0 * run.bins / base[:, None]).ravel()})
    if proto.choice is not None:
        ch = proto.choice
        nt = run.choice.shape[1]
        alt = np.r_[np.nan, ch.alternative]
        out["choices"] = pd.DataFrame({
            "condition": run.name, "subject": np.repeat(subj, nt),
            "trial": np.tile(np.arange(nt), n), "time_min": np.tile(ch.trials_min, n),
            "alternative": np.tile(alt, n), "p_dose": run.choice[:, :, 1].ravel(),
            "took_dose": run.choice[:, :, 0].ravel().astype(bool)})
    if run.traj.shape[0]:
        m, r = run.traj.shape[:2]
        cols = ["time_min", *run.obs_names, *_TRAJ]
        tr = pd.DataFrame(run.traj.reshape(m * r, -1), columns=cols)
        tr.insert(0, "subject", np.repeat(np.arange(1, m + 1), r))
        tr.insert(0, "condition", run.name)
        end = run.res[:m, k.O_END]
        last = _times(run, end)
        out["trajectory"] = tr[tr["time_min"] <= np.repeat(last, r) + 1e-9].reset_index(
            drop=True)
    return out


def _summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    s = tables["sessions"]
    agg = s.drop(columns=["subject"]).groupby("condition", sort=False).mean(numeric_only=True)
    agg.insert(0, "subjects", s.groupby("condition", sort=False).size())
    out = agg.reset_index()
    if "dialysis" in tables and len(tables["dialysis"]):
        d = tables["dialysis"]
        peak = d.groupby(["condition", "subject"], sort=False)["pct_baseline"].max()
        out["peak_pct_baseline"] = out["condition"].map(peak.groupby(level=0).mean())
    if "choices" in tables and len(tables["choices"]):
        c = tables["choices"]
        c = c[c["trial"] > 0]
        out["choice_rate"] = out["condition"].map(
            c.groupby("condition", sort=False)["took_dose"].mean())
    return out


def run_protocol(protocol: LabProtocol | str | Path, *, n_subjects: int | None = None,
                 seed: int | None = None) -> LabResult:
    """Run every condition of a protocol (subjects 1..n, the same seed in every condition,
    so the same subjects meet every condition).

    Parameters
    ----------
    protocol
        A :class:`LabProtocol` or the path of a protocol file.
    n_subjects, seed
        Override ``session.n_subjects`` and ``session.seed``.

    Examples
    --------
    >>> res = run_protocol("examples/lab/fr1-unit-doses.toml", n_subjects=4)  # doctest: +SKIP
    >>> res["summary"][["condition", "doses_taken"]]  # doctest: +SKIP
    """
    lp = protocol if isinstance(protocol, LabProtocol) else load_protocol(protocol)
    if n_subjects is not None and n_subjects < 1:
        raise ProtocolError(f"n_subjects must be a positive integer. Got {n_subjects} instead.")
    if seed is not None and seed < 0:
        raise ProtocolError(f"seed must be >= 0. Got {seed} instead.")
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES[:-1]}
    for name, proto in lp.conditions:
        for key, df in _tables(run_condition(name, proto, n_subjects=n_subjects,
                                             seed=seed)).items():
            parts[key].append(df)
    tables = {k: (pd.concat(v, ignore_index=True) if v else pd.DataFrame())
              for k, v in parts.items()}
    tables["summary"] = _summary(tables)
    return LabResult(lp, tables)


def _atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def write_results(result: LabResult, out: str | Path, *, source: str | Path | None = None
                  ) -> list[Path]:
    """Write the non-empty tables as CSV, the protocol and a manifest into ``out``.

    Each file is written to a temporary name and renamed, so a killed run leaves whole
    files only.
    """
    from .. import __version__
    from ..models.rat_cocaine_pk import load_rat_calibration

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in result.tables.items():
        if len(df):
            path = folder / f"{name}.csv"
            _atomic(path, lambda p, df=df: df.to_csv(p, index=False))
            written.append(path)
    if source is not None:
        path = folder / "protocol.toml"
        _atomic(path, lambda p: shutil.copyfile(source, p))
        written.append(path)
    lp = result.protocol
    text = json.dumps(lp.data, sort_keys=True, default=str)
    cal = load_rat_calibration()
    manifest = {
        "rewardsim": __version__, "protocol": lp.info.name, "species": lp.info.species,
        "kind": lp.info.kind, "design_sources": lp.info.sources,
        "protocol_sha256": hashlib.sha256(text.encode()).hexdigest()[:16],
        "conditions": [name for name, _ in lp.conditions],
        "rat_calibration": {k: v["value"] for k, v in cal["parameters"].items()},
        "tables": [p.name for p in written if p.suffix == ".csv"],
    }
    path = folder / "manifest.json"
    _atomic(path, lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n",
                                         encoding="utf-8"))
    written.append(path)
    return written
