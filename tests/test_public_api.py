"""The public surface is small and explicit (as httpx's tests/test_exported_members.py)."""

import rewardsim


def test_all_is_sorted_and_complete():
    assert rewardsim.__all__ == sorted(rewardsim.__all__)
    for name in rewardsim.__all__:
        assert hasattr(rewardsim, name), name
    public = {n for n in dir(rewardsim) if not n.startswith("_")}
    # Subpackages are importable but only `models` is part of the flat surface.
    assert public - set(rewardsim.__all__) <= {
        "analysis", "cli", "engine", "errors", "io", "report", "trial",
    }
