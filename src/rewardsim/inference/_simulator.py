"""One replicate of a two-arm design under given efficacy and population values, reduced to
its statistics: the simulator a fit calls thousands of times.

The kernel inputs are built once per design; each call applies the efficacy by
:func:`rewardsim.trial._efficacy.with_efficacy` (no table rebuild) and any trial-kernel
parameter (such as ``B_MU``, the population's propensity) by name, runs the trial kernel
for one replicate on one thread and computes the statistics straight from the kernel's
output arrays.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..trial import Design
from ..trial import _kernel as K
from ..trial._cohort import kernel_inputs
from ..trial._efficacy import FINE, with_efficacy
from ..trial._run import _allocation, simulate_patients
from ..trial._tables import ChunkOutput
from ._statistics import TrialSummary, summarise

__all__ = ["TrialSimulator"]


class TrialSimulator:
    """Simulate replicates of ``design`` (one baclofen and one placebo arm) to statistics.

    Parameters
    ----------
    design
        A validated design; its hypothesis is ignored (efficacy comes with each call).
    fine
        Refinement of the reference table's baclofen axis
        (:data:`rewardsim.models.circuit_efficacy.FINE`).
    """

    def __init__(self, design: Design, *, fine: int = FINE) -> None:
        self.design = design.with_overrides(hypothesis="none")
        self.fine = fine
        meds = [a.medication for a in design.arms]
        self.medication_arm = meds.index("baclofen")
        self.inp = kernel_inputs(self.design)
        days = self.inp.visit_days
        kinds = np.array(self.inp.visit_kinds)
        urine = np.char.find(kinds.astype(str), "urine") >= 0
        rating = np.char.find(kinds.astype(str), "rating") >= 0
        self.treat_urine = np.flatnonzero(urine & (days >= 1))
        self.treat_rating = np.flatnonzero(rating & (days >= 1))
        self.ids = np.arange(1, self.design.allocation.n + 1, dtype=np.int64)
        self._compiled = False

    def simulate(self, params: dict[str, float], replicate: int) -> TrialSummary:
        """Statistics of replicate ``replicate`` under ``params``: ``e_craving``,
        ``e_anxiety`` (efficacy scales, default 0) and trial-kernel parameters by name."""
        out, arm = self.outputs(params, replicate)
        inp = self._last
        be = out.vbe[:, self.treat_urine]
        free = np.where(np.isnan(be), np.nan, (be < inp.P[K.CUTOFF]).astype(float))
        treated = arm == self.medication_arm
        drop = out.s[:, K.S_DROP]
        dropped = ~np.isnan(drop)
        time = np.where(dropped, drop, 7.0 * self.design.weeks)
        return summarise(free, treated, out.s[:, K.S_BPOS], time, dropped,
                         out.vcrave[:, self.treat_rating], out.vdrowsy[:, self.treat_rating])

    def outputs(self, params: dict[str, float], replicate: int):
        """Kernel output arrays and arm codes of one replicate (see :meth:`simulate`)."""
        e_c = float(params.get("e_craving", 0.0))
        e_a = float(params.get("e_anxiety", 0.0))
        inp = with_efficacy(self.inp, e_c, e_a, fine=self.fine)
        kernel = {k: v for k, v in params.items() if k not in ("e_craving", "e_anxiety")}
        if kernel:
            P = inp.P.copy()
            for k, v in kernel.items():
                if k not in K.NAMES:
                    raise KeyError(f"Unknown parameter {k!r}; valid: e_craving, e_anxiety and "
                                   f"the trial kernel's {', '.join(K.NAMES)}")
                P[K.NAMES.index(k)] = float(v)
            inp = replace(inp, P=P)
        self._last = inp
        n = self.design.allocation.n
        arm, attempt = _allocation(self.design, inp, replicate, n, 1)
        if not self._compiled:  # once: compile (or load) the kernel, saying so if slow
            simulate_patients(self.design, inp, replicate, self.ids[:1], arm[:1],
                              attempt[:1], n_threads=1)
            self._compiled = True
        out = ChunkOutput(n, inp, self.design.weeks)
        K.kernel().simulate_chunk(inp.P, *inp.circuit_args(), np.uint64(self.design.seed),
                                  replicate, self.ids, arm, attempt, False, *inp.args(),
                                  *out.rows(0, n))
        return out, arm
