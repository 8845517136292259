"""Analysis commands (endpoints, report, query)."""
