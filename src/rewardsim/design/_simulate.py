"""Simulate every design of a space once per replicate, sharing patients between designs.

A virtual patient's trajectory depends on their random numbers, their arm and the
eligibility rules, and on nothing a design only *records*: visits, ratings and urines feed
nothing back into use, dropout or care (the trial kernel's measurement step writes outputs
only), and a shorter trial is the first weeks of a longer one. So the designs of a space
that share a population (the trial layer's eligibility fields) form one **group**, and
each group is simulated once per hypothesis and replicate:

* every distinct arm (treatment content, whatever its name) of the group's designs is
  simulated for as many patients as its largest design needs, over the longest duration,
  with a visit on every treatment day (urine and both scales) and ratings on every
  baseline day; baseline urines keep the base design's schedule, which screening reads;
* a design takes, in each of its arms, the first ``n_per_arm`` eligible patients of that
  arm's pool, and keeps the records of its own visit days, scales and weeks.

Patients of an arm are keyed by the arm's content (:func:`arm_patient_base`), so the same
arm holds the same patients in every design (common random numbers across designs), and
the arms of one trial hold different patients, as randomisation gives. A design with
fixed arm sizes drawn this way has the distribution of the trial layer's unstratified
permuted-block trial (patients are independent and identically distributed given their
arm); ``tests/design/test_simulate.py`` checks the records against the trial kernel run on
each design's own schedule.

Enrichment on baseline anxiety (``min_baseline_hama``, which the trial layer cannot
express) keeps, per arm, the first patients whose mean HAM-A over the base design's
baseline rating visits reaches the threshold: as screening them and replacing the others
by new candidates would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import numpy as np

from ..errors import DesignSpaceError
from ..trial import Design, parse_design
from ..trial import _kernel as K
from ..trial._cohort import KernelInputs, kernel_inputs
from ..trial._efficacy import with_efficacy
from ..trial._run import simulate_patients
from ..trial._tables import ChunkOutput
from ._data import TrialData
from ._hypotheses import key32, replicate_key
from ._space import DesignSpace, _arm_key

__all__ = ["Plan", "arm_patient_base"]

_MAX_POOL = 200  # a pool of at most this many times the patients needed


def arm_patient_base(arm: dict) -> int:
    """Patient ids of an arm are ``base + 1, base + 2, ...`` (keyed by its content)."""
    return key32("arm:" + _arm_key(arm)) << 24


@dataclass
class _Group:
    trial: Design
    inp: KernelInputs
    arm_keys: list[str]
    pid_base: np.ndarray
    designs: list[int]
    need: np.ndarray  # per arm of the group: patients needed
    column: dict[int, int]  # study day -> visit column of the group's kernel output
    baseline_rating_cols: np.ndarray


@dataclass
class _Pool:
    """Patients simulated in one arm of a group for one replicate."""

    out: ChunkOutput
    hama: np.ndarray  # mean baseline HAM-A (base design's rating days), NaN if none


class Plan:
    """How a space is simulated: groups, their kernel inputs, each design's records.

    Parameters
    ----------
    space
        A validated design space.
    """

    def __init__(self, space: DesignSpace) -> None:
        self.space = space
        self.draws = [h.draws(space.spec.replicates, space.seed) for h in space.hypotheses]
        base = space.base
        self.base_urine = sorted(d for d, k in base.schedule().items() if d <= 0 and "urine" in k)
        self.base_rating = sorted(d for d, k in base.schedule().items()
                                  if d <= 0 and "rating" in k)
        groups: dict[str, list[int]] = {}
        for d in space.designs:
            groups.setdefault(json.dumps(d.trial.population.model_dump(mode="json"),
                                         sort_keys=True), []).append(d.index)
        self.groups = [self._group(idx) for idx in groups.values()]
        self.group_of = {d: g for g, grp in enumerate(self.groups) for d in grp.designs}
        # Compile (or load) the kernel and the efficacy reference table before any thread.
        g = self.groups[0]
        inp = with_efficacy(g.inp, 0.5, 0.5)
        simulate_patients(g.trial, inp, 0, np.array([1]), np.array([0]), np.array([-1]),
                          n_threads=1)

    def _group(self, designs: list[int]) -> _Group:
        space = self.space
        pts = [space.designs[i] for i in designs]
        keys: list[str] = []
        arms: list[dict] = []
        for p in pts:
            for name in p.arms:
                k = _arm_key(space.arm_library[name])
                if k not in keys:
                    keys.append(k)
                    arms.append(dict(space.arm_library[name], name=f"arm{len(keys)}"))
        need = np.zeros(len(keys), dtype=np.int64)
        for p in pts:
            for name in p.arms:
                a = keys.index(_arm_key(space.arm_library[name]))
                need[a] = max(need[a], p.n_per_arm)
        weeks = max(p.weeks for p in pts)
        data = pts[0].trial.model_dump(mode="python")
        data.update(name="design-space group", hypothesis="none", weeks=weeks, arms=arms)
        data["allocation"] = {**data["allocation"], "n": len(arms), "ratio": None,
                              "block_size": None, "stratify_by": []}
        first = space.base.first_day
        data["visits"] = {**data["visits"],
                          "urine_study_days": self.base_urine + list(range(1, 7 * weeks + 1)),
                          "rating_study_days": list(range(first, 7 * weeks + 1))}
        data["output"] = {"daily_use": False, "doses": False}
        trial = parse_design(data)
        inp = kernel_inputs(trial)
        column = {int(d): j for j, d in enumerate(inp.visit_days)}
        return _Group(trial=trial, inp=inp, arm_keys=keys,
                      pid_base=np.array([arm_patient_base(a) for a in arms], dtype=np.int64),
                      designs=designs, need=need, column=column,
                      baseline_rating_cols=np.array([column[d] for d in self.base_rating],
                                                    dtype=np.int64))

    # ------------------------------------------------------------ simulation
    def _inputs(self, g: _Group, h: int, r: int) -> KernelInputs:
        e_c, e_a = self.draws[h][r]
        inp = with_efficacy(g.inp, float(e_c), float(e_a))
        over = self.space.hypotheses[h].overrides
        if over:
            P = inp.P.copy()
            for k, v in over.items():
                P[K.NAMES.index(k)] = v
            inp = replace(inp, P=P)
        return inp

    def _run(self, g: _Group, inp: KernelInputs, rep: int, a: int, lo: int, hi: int
             ) -> ChunkOutput:
        n = hi - lo
        ids = g.pid_base[a] + np.arange(lo + 1, hi + 1, dtype=np.int64)
        out = ChunkOutput(n, inp, g.trial.weeks)
        K.kernel().simulate_chunk(
            inp.P, *inp.circuit_args(), np.uint64(self.space.seed), rep, ids,
            np.full(n, a, dtype=np.int64), np.full(n, -1, dtype=np.int64), False,
            *inp.args(), *out.rows(0, n))
        if np.any(out.s[:, K.S_ELIG] < 0.5):
            raise DesignSpaceError(
                "population.min_positive_baseline_urines = "
                f"{g.trial.population.min_positive_baseline_urines}: no eligible patient after "
                "1000 screenings for some patients; lower it (enrichment) or lengthen the base "
                "design's baseline_weeks.")
        return out

    def _hama(self, g: _Group, out: ChunkOutput) -> np.ndarray:
        x = out.vanx[:, g.baseline_rating_cols]
        n = np.sum(~np.isnan(x), axis=1)
        with np.errstate(invalid="ignore"):
            return np.where(n > 0, np.nansum(x, axis=1) / np.maximum(n, 1), np.nan)

    def _thresholds(self, g: _Group, a: int) -> list[tuple[float | None, int]]:
        out = []
        for i in g.designs:
            p = self.space.designs[i]
            if any(_arm_key(self.space.arm_library[x]) == g.arm_keys[a] for x in p.arms):
                out.append((self.space.enrichments[p.enrichment].min_baseline_hama,
                            p.n_per_arm))
        return out

    def _pool(self, g: _Group, inp: KernelInputs, rep: int, a: int) -> _Pool:
        need = int(g.need[a])
        out = self._run(g, inp, rep, a, 0, need)
        parts = [out]
        hama = self._hama(g, out)
        rules = self._thresholds(g, a)
        done = need
        while True:
            short = 0
            for th, n in rules:
                if th is not None:
                    short = max(short, n - int(np.sum(hama >= th)))
            if short <= 0:
                break
            if done >= _MAX_POOL * need:
                raise DesignSpaceError(
                    f"enrichment: fewer than {need} of {done} candidates reach a baseline "
                    "HAM-A threshold; lower min_baseline_hama.")
            rate = max(np.mean(hama >= max(th for th, _ in rules if th is not None)), 0.02)
            more = int(np.ceil(short / rate)) + 4
            o = self._run(g, inp, rep, a, done, done + more)
            parts.append(o)
            hama = np.concatenate([hama, self._hama(g, o)])
            done += more
        if len(parts) > 1:
            out = _concat(parts, inp, g.trial.weeks)
        return _Pool(out=out, hama=hama)

    def simulate(self, h: int, r: int) -> tuple[dict[int, TrialData], dict[int, np.ndarray],
                                                 tuple[int, int]]:
        """Replicate ``r`` of hypothesis ``h`` of every design: the full-size trial of each
        design; per design the screened candidates behind its ``k``-th patient of each
        arm (``(n_per_arm,)``, summed over arms); and the patients and patient-days
        simulated (burn-in, screening repeats and treatment included)."""
        rep = replicate_key(self.space.hypotheses[h].label, r)
        trials: dict[int, TrialData] = {}
        screened: dict[int, np.ndarray] = {}
        patients = days = 0
        for g in self.groups:
            inp = self._inputs(g, h, r)
            pools = [self._pool(g, inp, rep, a) for a in range(len(g.arm_keys))]
            screen_days = inp.burn + 1 - inp.first_day
            for pool in pools:
                att = pool.out.s[:, K.S_ATTEMPT]
                patients += att.size
                days += int(att.sum()) * screen_days + att.size * (inp.burn + inp.n_days)
            for i in g.designs:
                trials[i], screened[i] = self._records(g, pools, i)
        return trials, screened, (patients, days)

    def _records(self, g: _Group, pools: list[_Pool], i: int) -> tuple[TrialData, np.ndarray]:
        space = self.space
        p = space.designs[i]
        th = space.enrichments[p.enrichment].min_baseline_hama
        meas = space.measure_sets[p.measures]
        sel: list[np.ndarray] = []
        ids: list[np.ndarray] = []
        arm_code: list[np.ndarray] = []
        screened = np.zeros(p.n_per_arm)
        doses = []
        parts: list[ChunkOutput] = []
        for j, name in enumerate(p.arms):
            lib = space.arm_library[name]
            a = g.arm_keys.index(_arm_key(lib))
            pool = pools[a]
            ok = np.ones(pool.hama.shape[0], dtype=bool) if th is None else pool.hama >= th
            idx = np.flatnonzero(ok)[: p.n_per_arm]
            attempts = pool.out.s[:, K.S_ATTEMPT] + 1.0
            screened += np.cumsum(attempts)[idx]  # candidates up to the k-th patient
            sel.append(idx)
            ids.append(g.pid_base[a] + idx + 1)
            arm_code.append(np.full(idx.size, j))
            parts.append(pool.out)
            doses.append(_daily_dose(lib))
        def take(attr: str, cols: list[int]) -> np.ndarray:
            return np.concatenate([getattr(o, attr)[s][:, cols] for o, s in
                                   zip(parts, sel, strict=True)])
        sched = p.trial.schedule()
        u_days = [d for d, k in sched.items() if d >= 1 and "urine" in k]
        b_days = [d for d, k in sched.items() if d <= 0 and "urine" in k]
        r_days = [d for d, k in sched.items() if d >= 1 and "rating" in k]
        q_days = [d for d, k in sched.items() if d <= 0 and "rating" in k]
        col = g.column
        cutoff = p.trial.urine_cutoff_ng_ml

        def urine(days: list[int]) -> np.ndarray:
            be = take("vbe", [col[d] for d in days])
            return np.where(np.isnan(be), np.nan, (be >= cutoff).astype(float))

        def scale(name: str, attr: str, days: list[int]) -> np.ndarray | None:
            if name not in meas.scales or not days:
                return None
            return take(attr, [col[d] for d in days])

        drop = np.concatenate([o.s[s, K.S_DROP] for o, s in zip(parts, sel, strict=True)])
        drop = np.where(drop > 7 * p.weeks, np.nan, drop)
        td = TrialData(
            arms=p.arms, arm_dose_mg_day=np.array(doses), arm=np.concatenate(arm_code),
            urine=urine(u_days), urine_days=np.array(u_days), baseline_urine=urine(b_days),
            baseline_urine_days=np.array(b_days),
            craving=scale("craving", "vcrave", r_days), anxiety=scale("anxiety", "vanx", r_days),
            rating_days=np.array(r_days), baseline_rating_days=np.array(q_days),
            baseline_craving=scale("craving", "vcrave", q_days),
            baseline_anxiety=scale("anxiety", "vanx", q_days),
            drowsiness=take("vdrowsy", [col[d] for d in r_days]) if (
                r_days and meas.scales) else None,
            dropout_day=drop, weeks=p.weeks, labels=tuple(space.labels),
            mechanisms=tuple(h.mechanism for h in space.hypotheses), ids=np.concatenate(ids),
        )  # fmt: skip
        return td, screened


def _daily_dose(arm: dict) -> float:
    from ..trial._design import REGIMENS

    if arm["medication"] != "baclofen":
        return 0.0
    return float(arm["dose_mg"]) * len(REGIMENS[arm["regimen"]])


def _concat(parts: list[ChunkOutput], inp: KernelInputs, weeks: int) -> ChunkOutput:
    out = ChunkOutput(0, inp, weeks)
    for attr in ("s", "vatt", "vbe", "vcrave", "vanx", "vdrowsy"):
        setattr(out, attr, np.concatenate([getattr(p, attr) for p in parts]))
    return out
