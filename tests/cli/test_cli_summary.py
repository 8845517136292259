"""The simulate summary: peak at the output times and the last-24 h mean, by hand."""

import numpy as np
from rich.console import Console

from rewardsim.cli._summary import per_subject, summary_table
from rewardsim.engine import Solution


def _grid(times, values, ids=None):
    values = np.atleast_2d(np.asarray(values, dtype=float))
    n = values.shape[0]
    return Solution(model="m", ids=np.arange(1, n + 1) if ids is None else np.asarray(ids),
                    times=np.asarray(times, dtype=float), outputs={"CP": values},
                    units={"CP": "ng/mL"}, status=np.zeros(n, dtype=int),
                    n_steps=np.zeros(n, dtype=int), grid=True)  # fmt: skip


def _text(table):
    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_linear_profiles_by_hand():
    t = np.arange(0.0, 49.0)
    # y = t: the trapezoidal rule is exact for a line; mean over [24, 48] is 36.
    # y = 2t: 72. The peak is the last value.
    peak, mean = per_subject(_grid(t, [t, 2 * t]), "CP")
    np.testing.assert_allclose(peak, [48.0, 96.0])
    np.testing.assert_allclose(mean, [36.0, 72.0], rtol=1e-14)


def test_window_start_between_output_times():
    # Times 0, 10, 30: the window [6, 30] starts between 0 and 10; y = t interpolated
    # at 6 is 6, so the mean of the line over [6, 30] is (6 + 30) / 2 = 18.
    t = np.array([0.0, 10.0, 30.0])
    _, mean = per_subject(_grid(t, t), "CP")
    assert mean[0] == 18.0
    # One grid time in the window (0, 30: [6, 30] holds only 30): no mean.
    _, mean = per_subject(_grid([0.0, 30.0], [0.0, 30.0]), "CP")
    assert np.isnan(mean[0])


def test_short_grid_has_no_24h_mean_and_one_subject_no_range():
    # One subject over 12 h: the peak alone (no [x-x] range), and no 24 h mean.
    text = _text(summary_table(_grid(np.arange(0.0, 13.0), np.arange(13.0)), 0))
    assert "m: 1 subject" in text and "percentile" not in text
    row = next(line for line in text.splitlines() if line.startswith("│ CP"))
    assert "│ 12 " in row and "n/a (output times span < 24 h)" in row and "[" not in row


def test_many_subjects_median_and_percentiles():
    t = np.arange(0.0, 25.0)
    scale = np.arange(1.0, 101.0)  # subject k: y = k (constant)
    text = _text(summary_table(_grid(t, scale[:, None] * np.ones_like(t)), 2))
    assert "m: 100 subjects, 2 failed; median [5th to 95th percentile]" in text
    # numpy's linear percentiles of 1..100: median 50.5, 5th 5.95, 95th 95.05.
    assert "50.5 [5.95 to 95.05]" in text


def test_observation_rows_per_subject():
    # Two subjects observed at their own times (no shared grid).
    sol = Solution(model="m", ids=np.array([1, 2]), times=np.array([0.0, 24.0, 0.0, 5.0]),
                   outputs={"CP": np.array([2.0, 4.0, 7.0, 1.0])}, units={"CP": "mg/L"},
                   status=np.zeros(2, dtype=int), n_steps=np.zeros(2, dtype=int), grid=False,
                   row_ids=np.array([1, 1, 2, 2]))  # fmt: skip
    peak, mean = per_subject(sol, "CP")
    np.testing.assert_array_equal(peak, [4.0, 7.0])
    # Sparse rows: no interpolated 24 h mean (the table says to give --times).
    assert np.isnan(mean).all()
    assert "n/a (observation rows; give --times for a grid)" in _text(summary_table(sol, 0))
