"""The HTML report: self-contained, every section present, numbers from the run."""

import json
from html.parser import HTMLParser

import pandas as pd
import pytest

from rewardsim.analysis import compare_arms, compute_endpoints, use_pattern_words
from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.errors import AnalysisInputError
from rewardsim.io._runfolder import seal_run
from rewardsim.report import SECTIONS, build_report


class Resources(HTMLParser):
    """Collect ids and every attribute that could make the browser load something."""

    def __init__(self):
        super().__init__()
        self.ids, self.loads, self.tags = set(), [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("src", "srcset", "data", "poster"):
            if key in a:
                self.loads.append((tag, a[key]))
        if tag == "link" or (tag == "script" and "src" in a):
            self.loads.append((tag, a.get("href") or a.get("src")))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return write_synthetic_run(
        tmp_path_factory.mktemp("run") / "run", n_per_arm=25, weeks=6, replicates=4, seed=9
    )


@pytest.fixture(scope="module")
def page(run, tmp_path_factory):
    out = build_report(run, tmp_path_factory.mktemp("out") / "report.html")
    return out.read_text(encoding="utf-8")


def test_every_section_is_present(page):
    p = Resources()
    p.feed(page)
    assert set(SECTIONS) <= p.ids
    for heading in SECTIONS.values():
        assert heading in page or heading.replace("&", "&amp;") in page


def test_self_contained(page):
    p = Resources()
    p.feed(page)
    # Only inline images; no stylesheet, script file, frame or font is fetched.
    assert p.loads and all(src.startswith("data:image/png;base64,") for _, src in p.loads)
    assert "link" not in p.tags and "iframe" not in p.tags
    assert "@import" not in page and "url(" not in page


def test_flow_numbers_come_from_the_run(run, page):
    subjects = pd.read_parquet(run / "subjects.parquet")
    first = subjects[subjects["replicate"] == 0]
    for arm, s in first.groupby("arm"):
        completed = int(s["completed"].sum())
        assert f"<b>{arm}</b>: allocated {len(s)}" in page
        assert f"Completed {completed}; dropped out {len(s) - completed}" in page


def test_consort_has_screening_when_the_run_records_it(tmp_path):
    run = write_synthetic_run(tmp_path / "scr", n_per_arm=10, weeks=3, seed=5)
    subjects = pd.read_parquet(run / "subjects.parquet")
    subjects["screened"] = [1 + (i % 3) for i in range(len(subjects))]  # 1, 2 or 3 attempts
    subjects.to_parquet(run / "subjects.parquet", index=False)
    manifest = json.loads((run / "manifest.json").read_text())
    seal_run(run, {k: v for k, v in manifest.items() if k != "tables"})  # a run that did so
    text = build_report(run, tmp_path / "r.html").read_text(encoding="utf-8")
    assessed = int(subjects["screened"].sum())
    assert f"Assessed for eligibility (screened)<br><b>{assessed}</b>" in text
    assert f"(baseline use)<br><b>{assessed - len(subjects)}</b>" in text
    assert f"Randomised<br><b>{len(subjects)}</b>" in text


def test_only_the_substance_endpoints_by_default(page, tmp_path):
    # The run is a cocaine trial: the four cocaine-trial endpoints, not CTNote's opioid ones
    # ("weeks from first naltrexone dose" has no place in a cocaine trial).
    assert "Coc_eotAbstinence3" in page and "Coc_propNegative" in page
    assert "Ab_shufman_1994" not in page and "naltrexone" not in page
    assert "the 54 others of the library" in page and "--endpoints all" in page
    donovan = '<a href="https://doi.org/10.1111/j.1360-0443.2011.03473.x">Donovan et al., 2012</a>'
    assert donovan in page
    small = write_synthetic_run(tmp_path / "all", n_per_arm=10, weeks=4, seed=3)  # no power
    every = build_report(small, tmp_path / "all.html", endpoints="all").read_text("utf-8")
    assert "Ab_shufman_1994" in every and "Rs_ctnNinetyFour_2023" in every
    assert (
        '<a href="https://doi.org/10.1046/j.1360-0443.1998.9344753.x">Ling et al., 1998</a>'
        in every
    )


def test_endpoint_rows_show_estimate_and_confidence_interval(run, page):
    # The first replicate's Coc_propNegative comparison, recomputed from the run folder.
    v = pd.read_parquet(run / "visits.parquet")
    v = v[v["replicate"] == 0]
    values = compute_endpoints(use_pattern_words(v, weeks=6), endpoints=["Coc_propNegative"])
    row = compare_arms(values, values["arm"], "active", "placebo", ["Coc_propNegative"]).iloc[0]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    cell = f"{100 * row['ci_low']:.3g} to {100 * row['ci_high']:.3g}"  # percentage points
    assert f'<td class="num">{cell}</td>' in page


def test_forest_plots_km_and_power_curve(page):
    sections = {k: page.split(f'<section id="{k}">')[1].split("</section>")[0] for k in SECTIONS}
    for key in ("sensitivity", "subgroups", "endpoints"):
        assert "Forest plot" in sections[key] and "95% confidence intervals" in sections[key]
    assert "Number at risk, by study day" in sections["retention"]
    assert "censoring" in sections["retention"] and "Greenwood" in sections["retention"]
    assert "Power against sample size" in sections["power"]
    assert "95% Monte Carlo interval" in sections["power"]
    assert "Wilson" in sections["urine"]
    assert "BSCS, 0-12" in sections["ratings"] and "HAM-A, 0-56" in sections["ratings"]


def test_headers_are_human_labels(page):
    class Headers(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.found = False, []

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "th"

        def handle_data(self, data):
            if self.inside:
                self.found.append(data)

        def handle_endtag(self, tag):
            self.inside = False

    h = Headers()
    h.feed(page)
    raw = {"std_error", "negative_missing_positive", "p_value", "ci_low", "n_obs",
           "share_favouring", "median_days", "mean_estimate"}  # fmt: skip
    assert not raw & set(h.found)
    assert "Negative, % of scheduled" in h.found and "Standard error" in h.found


def test_templates_can_be_replaced(run, tmp_path):
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "report.css").write_text("body{background:#fffbe6}")
    text = build_report(run, tmp_path / "c.html", template_dir=custom).read_text("utf-8")
    assert "body{background:#fffbe6}" in text and 'id="methods"' in text


def test_single_replicate_has_no_power_table(tmp_path):
    run = write_synthetic_run(tmp_path / "one", n_per_arm=15, weeks=4, replicates=1, seed=2)
    text = build_report(run, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "single replicate trial, so power cannot be estimated" in text


def test_missing_table_is_named(tmp_path):
    run = write_synthetic_run(tmp_path / "bad", n_per_arm=5, weeks=2, seed=0)
    (run / "visits.parquet").unlink()
    with pytest.raises(AnalysisInputError, match="has no visits.parquet"):
        build_report(run, tmp_path / "r.html")


def test_names_from_the_run_are_escaped(tmp_path):
    run = write_synthetic_run(
        tmp_path / "esc", arms=("placebo", "<i>active</i>"), n_per_arm=15, weeks=4, seed=1
    )
    text = build_report(run, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<i>active</i>" not in text
    assert "&lt;i&gt;active&lt;/i&gt;" in text


def test_trial_without_positive_urines_still_reports(tmp_path):
    # Every urine negative: no GEE estimate, but the other sections still render.
    run = write_synthetic_run(tmp_path / "neg", n_per_arm=10, weeks=3, seed=1, intercept=-50.0)
    text = build_report(run, tmp_path / "r.html").read_text(encoding="utf-8")
    # Missed urines count as positive, so the primary GEE is estimable; the analysis that
    # ignores them is not, and the report says so instead of failing.
    assert "The sensitivity analyses could not be estimated for this trial" in text
    assert "GEE needs both positive and negative urine results" in text
    assert 'id="endpoints"' in text and 'id="retention"' in text
