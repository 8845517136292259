"""The public surface of rewardsim.design is small and explicit."""

import rewardsim as rs
from rewardsim import design


def test_exports():
    assert design.__all__ == sorted(design.__all__)
    assert set(design.__all__) == {"BUILTIN_RULES", "DesignPoint", "DesignSpace",
                                   "DiscriminationResult", "RULE_DOCS", "TrialData",
                                   "discriminate", "load_space", "parse_space"}
    for name in design.__all__:
        assert getattr(design, name) is not None
    assert rs.design is design
    assert design.BUILTIN_RULES == ("domain_interaction", "mediation", "dose_response",
                                    "moderation", "synthetic_likelihood")
