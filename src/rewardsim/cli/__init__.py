"""The ``rewardsim`` command line: a thin layer over the public API."""

from . import (  # noqa: F401  (each module registers its commands)
    _analysis,
    _circuit,
    _compile,
    _design,
    _fit,
    _lab,
    _population,
    _simulate,
    _trial,
)
from ._main import app as app
from ._main import main as main

__all__ = ["app", "main"]
