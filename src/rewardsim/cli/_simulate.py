"""Simulation commands (simulate, models)."""
