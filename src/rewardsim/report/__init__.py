"""Self-contained HTML reports of trial and population runs, and of design spaces.

The report only renders: :func:`rewardsim.analysis.analyse_run` computes the
tables from the run folder and :func:`render_html` lays them out with jinja2
templates (``report/templates``) into one HTML file with inline CSS and figures.
Nothing is simulated here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..analysis import TrialAnalysis, analyse_run
from ..io._atomic import atomic_write_text, check_output_path, make_folder
from ._design import discriminate_html as discriminate_html
from ._html import SECTIONS as SECTIONS
from ._html import render_html as render_html
from ._population import population_report as population_report

__all__ = ["SECTIONS", "build_report", "discriminate_html", "population_report", "render_html"]


def build_report(
    run: str | Path,
    out: str | Path,
    *,
    replicate: int | None = None,
    power_replicates: int | None = 200,
    seed: int = 0,
    endpoints: str | Sequence[str] = "substance",
    template_dir: str | Path | None = None,
) -> Path:
    """Analyse the run folder ``run`` and write the report to ``out``.

    ``endpoints`` is ``"substance"`` (those defined in trials of the run's substance),
    ``"all"`` or a list of names; ``template_dir`` holds templates that replace the
    shipped ones (``report.html.j2``, ``report.css``, ...).

    Raises
    ------
    rewardsim.errors.AnalysisInputError
        If the run folder lacks ``manifest.json``, the ``subjects`` or ``visits`` table
        or a required column (the message names it).
    rewardsim.errors.OutputError
        If ``out`` cannot be written (nothing partial is left).
    """
    path = Path(out)
    make_folder(path.parent)
    check_output_path(path, what="report")  # before the analysis, which takes a while
    analysis: TrialAnalysis = analyse_run(
        run, replicate=replicate, power_replicates=power_replicates, seed=seed,
        endpoints=endpoints,
    )
    atomic_write_text(path, render_html(analysis, template_dir=template_dir), what="report")
    return path
