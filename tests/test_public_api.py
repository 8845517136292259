"""The public surface is small and explicit (as httpx's tests/test_exported_members.py)."""

import pytest

import rewardsim


def test_all_is_sorted_and_complete():
    assert rewardsim.__all__ == sorted(rewardsim.__all__)
    for name in rewardsim.__all__:
        assert hasattr(rewardsim, name), name
    public = {n for n in dir(rewardsim) if not n.startswith("_")}
    # Subpackages are importable but only `models` is part of the flat surface.
    assert public - set(rewardsim.__all__) <= {
        "analysis", "cli", "design", "engine", "errors", "inference", "io", "lab", "population",
        "report", "trial",
    }


def test_subpackages_are_attributes():
    # `import rewardsim as rs; rs.analysis` works without importing it by hand.
    import rewardsim as rs

    assert rs.analysis.compute_endpoints is not None
    assert rs.report.build_report is not None and rs.trial.load_design is not None
    assert rs.population.run_population is not None
    assert rs.design.discriminate is not None and rs.design.load_space is not None
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        rs.nothing_here  # noqa: B018
