"""Population runs: determinism, scenario signs, resume, per-person tables, intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rewardsim.population import parse_scenarios, run_population


def spec(size: int, *, days: int = 28, seed: int = 5, population: dict | None = None,
         scenarios: dict | None = None, status_quo: dict | None = None):
    return parse_scenarios({
        "seed": seed, "days": days, "population": {"size": size, **(population or {})},
        "status_quo": status_quo or {}, "scenarios": scenarios or {},
    })  # fmt: skip


def summary(run) -> pd.DataFrame:
    return pd.read_parquet(run / "summary.parquet")

TWO = {"baclofen": {"outpatient": {"baclofen_dose_mg": 20.0}},
       "admission_24h": {"residential": {"admission_delay_hours": 24}}}
# Everyone treated, so that every scenario touches people even in small populations.
TREATED = {"setting": {"outpatient": 0.5, "residential": 0.5}}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.slow
def test_same_summaries_for_threads_chunks_and_a_local_cluster(tmp_path):
    """Same seed: identical summaries with 1 thread and chunks of 10,000, 2 threads and
    chunks of 50,000, and a 2-worker dask.distributed.LocalCluster reached by its address."""
    from distributed import LocalCluster

    s = spec(55_000, population={"setting": {"none": 0.96, "outpatient": 0.02,
                                             "residential": 0.02}}, scenarios=TWO)
    ref = summary(run_population(s, tmp_path / "a", chunk_size=10_000, n_threads=1))
    _same(ref, summary(run_population(s, tmp_path / "b", chunk_size=50_000, n_threads=2)))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        _same(ref, summary(run_population(s, tmp_path / "c", chunk_size=10_000,
                                          scheduler=cluster.scheduler_address)))


def test_residential_days_have_no_use(tmp_path):
    s = spec(400, days=120, population={"setting": {"residential": 1.0}},
             status_quo={"residential": {"show_up": 1.0, "admission_delay_hours": 0}})
    d = summary(run_population(s, tmp_path / "r", chunk_size=400, n_threads=1))
    d = d[d["group"] == "all"].set_index("output")
    assert d.loc["residential_days", "total"] > 0.2 * 400 * 20  # most stay ~4 weeks
    assert d.loc["residential_use_days", "total"] == 0.0


def test_shorter_admission_delay_never_raises_use_days(tmp_path):
    delays = [0, 24, 72, 168, 336, 720]
    s = spec(1_000, days=120, population={"setting": {"residential": 1.0}},
             scenarios={f"d{h}": {"residential": {"admission_delay_hours": h}}
                        for h in delays})
    d = summary(run_population(s, tmp_path / "d", chunk_size=1_000, n_threads=2))
    use = d[(d["group"] == "all") & (d["output"] == "use_days")].set_index("scenario")
    totals = [use.loc[f"d{h}", "total"] for h in delays]
    assert all(a <= b for a, b in zip(totals, totals[1:], strict=False)), totals
    assert totals[0] < totals[-1]


def test_baclofen_with_adherence_zero_equals_the_status_quo(tmp_path):
    s = spec(600, population={"setting": {"outpatient": 1.0}}, scenarios={
        "none_taken": {"outpatient": {"baclofen_dose_mg": 20.0, "baclofen_adherence": 0.0}},
        "taken": {"outpatient": {"baclofen_dose_mg": 20.0, "baclofen_adherence": 0.8}}})
    d = summary(run_population(s, tmp_path / "b", chunk_size=600, n_threads=1))
    cols = ["total", "sd", "mean"]
    sq = d[d["scenario"] == "status_quo"].reset_index(drop=True)[cols]
    zero = d[d["scenario"] == "none_taken"].reset_index(drop=True)
    _same(sq, zero[cols])
    assert (zero["diff_total"] == 0).all()
    taken = d[(d["scenario"] == "taken") & (d["group"] == "all")].set_index("output")
    assert taken.loc["baclofen_doses", "total"] > 0  # the scenario did reach these people


def test_a_scenario_equals_a_run_with_it_as_the_status_quo(tmp_path):
    """People a scenario does not touch are simulated once; the scenario's totals equal
    those of a run simulating everyone under it."""
    change = {"residential": {"admission_delay_hours": 24, "show_up": 1.0}}
    pop = {"setting": {"none": 0.5, "residential": 0.5}}
    a = summary(run_population(spec(500, population=pop, scenarios={"s": change}),
                               tmp_path / "a", chunk_size=500, n_threads=1))
    b = summary(run_population(spec(500, population=pop, status_quo=change),
                               tmp_path / "b", chunk_size=500, n_threads=1))
    cols = ["group", "level", "output", "total", "sd"]
    _same(a[a["scenario"] == "s"].reset_index(drop=True)[cols],
          b[b["scenario"] == "status_quo"].reset_index(drop=True)[cols])


def test_killed_run_resumes_to_the_same_summaries(tmp_path):
    s = spec(2_000, population=TREATED, scenarios=TWO)
    ref = summary(run_population(s, tmp_path / "ref", chunk_size=500, n_threads=1))
    calls = []

    def kill_after_two(done, total):
        calls.append(done)
        if len(calls) == 3:  # the first call reports 0 done
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_population(s, tmp_path / "run", chunk_size=500, n_threads=1,
                       progress=kill_after_two)
    chunks = sorted(p.name for p in (tmp_path / "run" / ".chunks").glob("c*.npz"))
    assert chunks == ["c0.npz", "c1.npz"]
    resumed = []
    out = run_population(s, tmp_path / "run", chunk_size=999, n_threads=1,
                         progress=lambda d, n: resumed.append(d))
    assert resumed[0] == 1_000  # two chunks of 500 kept; the first chunk size is kept
    _same(ref, summary(out))
    assert not (out / ".chunks").exists()


def test_per_person_table_and_monte_carlo_intervals(tmp_path):
    """Totals and 95 % intervals recomputed from the per-person table with pandas."""
    s = spec(1_500, population=TREATED, scenarios=TWO)
    run = run_population(s, tmp_path / "p", chunk_size=400, n_threads=2, per_person=True)
    people = pd.read_parquet(run / "per_person.parquet")
    assert len(people) == 1_500 and people["id"].tolist() == list(range(1, 1_501))
    d = summary(run).set_index(["scenario", "group", "level", "output"])
    for scen in ("status_quo", "admission_24h"):
        y = people[f"{scen}.use_days"].astype(float)
        row = d.loc[(scen, "all", "all", "use_days")]
        assert row["total"] == y.sum()
        half = 1.959963984540054 * np.sqrt(len(y)) * y.std(ddof=1)
        assert row["total_high"] - row["total"] == pytest.approx(half, rel=1e-9)
        diff = y - people["status_quo.use_days"]
        half_d = 1.959963984540054 * np.sqrt(len(y)) * diff.std(ddof=1)
        assert row["diff_high"] - row["diff_total"] == pytest.approx(half_d, rel=1e-9,
                                                                    abs=1e-9)
    res = people[people["setting"] == "residential"]
    row = d.loc[("status_quo", "setting", "residential", "residential_days")]
    assert row["total"] == res["status_quo.residential_days"].sum()
    html = (run / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4 and "http://" not in html
