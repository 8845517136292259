"""One simulated trial of one design, as its analysis sees it: :class:`TrialData`.

What a decision rule receives: the records the design keeps (urines on its urine days,
the scales it measures on its rating days, drowsiness reported at those ratings, time in
study), per patient, never the simulated truth behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

__all__ = ["TrialData"]


def _row_means(x: np.ndarray | None) -> np.ndarray | None:
    """Mean of each row over its recorded values (NaN for a row with none)."""
    if x is None:
        return None
    n = np.sum(~np.isnan(x), axis=1)
    s = np.nansum(x, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


@dataclass(eq=False)
class TrialData:
    """The records of one trial of one design (arrays per patient, rows = patients).

    Attributes
    ----------
    arms : tuple of str
        Arm names, the comparator (placebo or no medication) first.
    arm_dose_mg_day : (arms,)
        Daily baclofen dose of each arm (0 for the comparator).
    arm : (n,) int
        Arm of each patient (index into ``arms``).
    urine : (n, u)
        Treatment-phase urines: 1 BE-positive, 0 BE-free, NaN missed; ``urine_days`` (u,).
    baseline_urine : (n, b)
        Baseline urines, as ``urine``; ``baseline_urine_days`` (b,).
    craving, anxiety : (n, r) or None
        BSCS (0-12) and HAM-A (0-56) at the treatment-phase rating visits (NaN missed), or
        None when the design does not measure the scale; ``rating_days`` (r,).
    baseline_craving, baseline_anxiety : (n, q) or None
        The same at baseline rating visits (None if the design has none);
        ``baseline_rating_days`` (q,).
    drowsiness : (n, r) or None
        Drowsiness reported (1/0) at treatment ratings (None without rating visits).
    dropout_day : (n,)
        Study day of dropout, NaN for patients who completed the design's weeks.
    weeks : int
        Treatment weeks.
    labels, mechanisms : tuple of str
        The hypotheses a rule may name, and the mechanism of each.
    ids : (n,) or None
        The patients' ids in the simulation (for checks; a rule has no use for them).
    """

    arms: tuple[str, ...]
    arm_dose_mg_day: np.ndarray
    arm: np.ndarray
    urine: np.ndarray
    urine_days: np.ndarray
    baseline_urine: np.ndarray
    baseline_urine_days: np.ndarray
    craving: np.ndarray | None
    anxiety: np.ndarray | None
    rating_days: np.ndarray
    baseline_rating_days: np.ndarray
    baseline_craving: np.ndarray | None
    baseline_anxiety: np.ndarray | None
    drowsiness: np.ndarray | None
    dropout_day: np.ndarray
    weeks: int
    labels: tuple[str, ...] = ()
    mechanisms: tuple[str, ...] = ()
    ids: np.ndarray | None = None

    # ------------------------------------------------------------ per patient
    @property
    def n(self) -> int:
        return int(self.arm.shape[0])

    @cached_property
    def dose(self) -> np.ndarray:
        """Daily baclofen dose of each patient's arm (mg/day)."""
        return np.asarray(self.arm_dose_mg_day, dtype=float)[self.arm]

    @cached_property
    def active(self) -> np.ndarray:
        """In a baclofen arm."""
        return self.dose > 0.0

    @cached_property
    def be_free_share(self) -> np.ndarray:
        """BE-free urines over the scheduled treatment urines (a missed urine is not
        BE-free)."""
        return np.sum(self.urine == 0.0, axis=1) / max(1, self.urine.shape[1])

    @cached_property
    def baseline_positive_share(self) -> np.ndarray:
        """BE-positive baseline urines over those given (NaN if none given)."""
        return _row_means(self.baseline_urine) if self.baseline_urine.shape[1] else \
            np.full(self.n, np.nan)

    @cached_property
    def completed(self) -> np.ndarray:
        return np.isnan(self.dropout_day)

    def rating_mean(self, scale: str, baseline: bool = False) -> np.ndarray | None:
        """Each patient's mean rating of ``scale`` (``craving``/``anxiety``), treatment
        phase or baseline; None if the design does not measure it there."""
        return self._means[(scale, baseline)]

    @cached_property
    def _means(self) -> dict[tuple[str, bool], np.ndarray | None]:
        return {("craving", False): _row_means(self.craving),
                ("anxiety", False): _row_means(self.anxiety),
                ("craving", True): _row_means(self.baseline_craving),
                ("anxiety", True): _row_means(self.baseline_anxiety)}

    @property
    def scales(self) -> tuple[str, ...]:
        """Scales the design measures."""
        return tuple(s for s, x in (("craving", self.craving), ("anxiety", self.anxiety))
                     if x is not None)

    # ------------------------------------------------------------ for users
    def to_frames(self) -> dict[str, pd.DataFrame]:
        """``{"subjects": ..., "visits": ...}``: the records as long tables (one row per
        patient; one row per patient and visit day, with ``urine_positive``, ``craving``,
        ``anxiety``, ``drowsiness``)."""
        ids = np.arange(1, self.n + 1)
        subjects = pd.DataFrame({"id": ids, "arm": np.asarray(self.arms)[self.arm],
                                 "dose_mg_day": self.dose, "dropout_day": self.dropout_day,
                                 "completed": self.completed})
        cols: dict[int, dict[str, np.ndarray]] = {}
        for days, block in ((self.urine_days, {"urine_positive": self.urine}),
                            (self.baseline_urine_days, {"urine_positive": self.baseline_urine}),
                            (self.rating_days, {"craving": self.craving, "anxiety": self.anxiety,
                                                "drowsiness": self.drowsiness}),
                            (self.baseline_rating_days, {"craving": self.baseline_craving,
                                                         "anxiety": self.baseline_anxiety})):
            for j, d in enumerate(np.asarray(days).tolist()):
                for name, mat in block.items():
                    if mat is not None:
                        cols.setdefault(d, {})[name] = mat[:, j]
        rows = []
        for d in sorted(cols):
            frame: dict[str, object] = {"id": ids, "day": np.full(self.n, d)}
            for name in ("urine_positive", "craving", "anxiety", "drowsiness"):
                frame[name] = cols[d].get(name, np.full(self.n, np.nan))
            rows.append(pd.DataFrame(frame))
        visits = (pd.concat(rows, ignore_index=True) if rows else
                  pd.DataFrame(columns=["id", "day", "urine_positive", "craving", "anxiety",
                                        "drowsiness"]))
        return {"subjects": subjects, "visits": visits.sort_values(["id", "day"],
                                                                   ignore_index=True)}

    def subset(self, n_per_arm: int) -> TrialData:
        """The first ``n_per_arm`` patients of each arm (a smaller trial of the same
        patients: the nested designs of a sample-size curve)."""
        keep = np.zeros(self.n, dtype=bool)
        for a in range(len(self.arms)):
            idx = np.flatnonzero(self.arm == a)[:n_per_arm]
            keep[idx] = True

        def cut(x: np.ndarray | None) -> np.ndarray | None:
            return None if x is None else x[keep]

        return TrialData(
            arms=self.arms, arm_dose_mg_day=self.arm_dose_mg_day, arm=self.arm[keep],
            urine=self.urine[keep], urine_days=self.urine_days,
            baseline_urine=self.baseline_urine[keep],
            baseline_urine_days=self.baseline_urine_days, craving=cut(self.craving),
            anxiety=cut(self.anxiety), rating_days=self.rating_days,
            baseline_rating_days=self.baseline_rating_days,
            baseline_craving=cut(self.baseline_craving),
            baseline_anxiety=cut(self.baseline_anxiety), drowsiness=cut(self.drowsiness),
            dropout_day=self.dropout_day[keep], weeks=self.weeks, labels=self.labels,
            mechanisms=self.mechanisms, ids=None if self.ids is None else self.ids[keep],
        )  # fmt: skip
