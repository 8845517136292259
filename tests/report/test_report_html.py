"""The HTML report: self-contained, every section present, numbers from the run."""

from html.parser import HTMLParser

import pandas as pd
import pytest

from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.errors import AnalysisInputError
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
        assert f"<b>{arm}</b>: randomised {len(s)}" in page
        assert f"completed {completed}; dropped out {len(s) - completed}" in page


def test_endpoint_citations_are_linked(page):
    assert (
        '<a href="https://doi.org/10.1046/j.1360-0443.1998.9344753.x">Ling et al., 1998</a>' in page
    )
    assert "Rs_ctnNinetyFour_2023" in page and "Coc_eotAbstinence3" in page


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
    assert "The GEE model could not be estimated" in text
    assert 'id="endpoints"' in text and 'id="retention"' in text
