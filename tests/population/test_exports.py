"""The population package's public surface."""

import rewardsim.population as pop


def test_all_is_sorted_and_complete():
    assert pop.__all__ == sorted(pop.__all__)
    for name in pop.__all__:
        assert hasattr(pop, name), name


def test_every_attribute_has_a_source_that_says_where_it_comes_from():
    for attr in pop.ATTRIBUTES:
        text = pop.SOURCES[attr]
        assert "assumed" in text or any(w in text for w in ("TEDS", "NSDUH", "Grant"))
