"""The public surface of rewardsim.analysis and rewardsim.report."""

import rewardsim.analysis as analysis
import rewardsim.report as report


def test_analysis_exports_are_sorted_and_importable():
    assert analysis.__all__ == sorted(analysis.__all__)
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None
    assert {"compute_endpoints", "fit_gee", "replicate_power", "analyse_run"} <= set(
        analysis.__all__
    )


def test_report_exports():
    assert report.__all__ == ["SECTIONS", "build_report", "discriminate_html", "population_report",
                              "render_html"]
