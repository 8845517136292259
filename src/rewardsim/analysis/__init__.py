"""Trial analysis: use-pattern words, endpoints, statistics, power."""
