"""Self-contained HTML reports of trial runs."""
