"""``rewardsim plot``'s figure: every line in a legend, doses marked, coinciding curves
told apart by their markers (drawn from hand-made solutions, no simulation)."""

import numpy as np

from rewardsim.engine import Solution
from rewardsim.report._person_plot import person_figure

T = np.arange(0.0, 48.0, 0.5)


def _solution(scale):
    outputs = {"COC_CP": 100 * np.exp(-T % 24)[None, :], "BAC_CSF_UM": 0.1 + 0 * T[None, :],
               "DA_PCT": 100 + scale * T[None, :], "CRAVING": scale + 0 * T[None, :],
               "ANXIETY": 0.2 + 0 * T[None, :]}  # fmt: skip
    return Solution(model="person", ids=np.array([1]), times=T, outputs=outputs,
                    units={k: "" for k in outputs}, status=np.zeros(1, int),
                    n_steps=np.zeros(1, int), grid=True)  # fmt: skip


def test_legends_doses_and_coinciding_curves():
    # anti_anxiety coincides with no baclofen in every panel here (same scale).
    sols = {"no baclofen": _solution(1.0), "anti_craving": _solution(0.5),
            "anti_anxiety": _solution(1.0)}  # fmt: skip
    doses = {"cocaine": np.array([0.0, 24.0]), "baclofen": np.array([0.0, 8.0, 16.0, 24.0])}
    fig = person_figure(sols, doses)
    top = fig.axes[0]
    legend = [t.get_text() for t in top.get_legend().get_texts()]
    assert legend == ["plasma cocaine", "cocaine dose", "CSF baclofen", "baclofen dose"]
    twin = next(a for a in fig.axes if a is not top and a.get_ylabel().startswith("CSF"))
    marks = [ln for ln in twin.get_lines() if ln.get_label() == "baclofen dose"][0]
    assert marks.get_xdata().tolist() == [0.0, 8 / 24, 16 / 24, 1.0]  # days
    da = fig.axes[1]
    lines = {ln.get_label(): ln for ln in da.get_lines() if not ln.get_label().startswith("_")}
    assert set(lines) == {"no baclofen", "baclofen, anti_craving", "baclofen, anti_anxiety"}
    # Coinciding curves: different markers at different positions, the widest drawn first.
    a, b = lines["no baclofen"], lines["baclofen, anti_anxiety"]
    assert a.get_marker() != b.get_marker() and a.get_markevery() != b.get_markevery()
    assert a.get_linewidth() > b.get_linewidth() and a.get_zorder() < b.get_zorder()
