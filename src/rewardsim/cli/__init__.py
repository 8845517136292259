"""The ``rewardsim`` command line: a thin layer over the public API."""

from ._main import app as app
from ._main import main as main

__all__ = ["app", "main"]
