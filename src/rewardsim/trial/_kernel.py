"""The compiled daily trial kernel: the circuit's generated functions + the kernel template.

:func:`kernel` writes the reward circuit's functions (generated from its text), its daily
reduced form (:mod:`rewardsim.models.circuit_daily`), the day's steps shared with the
population kernel (``_day_template.py``) and ``_kernel_template.py`` into one
module under the kernel cache folder, named by a hash of the text, and imports it (numba
compiles it once per machine). The names and positions of its inputs and outputs are in
:mod:`._layout`, re-exported here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType

from ..engine._codegen import load_source
from ..models import care
from ..models.circuit_daily import circuit_source
from . import _layout
from ._layout import *  # noqa: F403
from ._layout import NAMES, SUBJECT_COLUMNS

__all__ = ["NAMES", "SUBJECT_COLUMNS", "kernel"]

_TEMPLATE = Path(__file__).with_name("_kernel_template.py")
#: The steps of a person's day shared with the population kernel.
DAY_TEMPLATE = Path(__file__).with_name("_day_template.py")
_MODULE: list[ModuleType] = []


def kernel() -> ModuleType:
    """The compiled trial kernel module (``simulate_chunk``)."""
    if not _MODULE:
        # The kernel calls care.care_effect and reads _layout's constants: their text is
        # part of the module's hash, so editing them cannot leave a stale kernel behind.
        deps = "".join(Path(f).read_text(encoding="utf-8")
                       for f in (care.__file__, _layout.__file__))
        digest = hashlib.sha256(deps.encode()).hexdigest()[:16]
        src = (circuit_source() + "\n\n" + DAY_TEMPLATE.read_text(encoding="utf-8") + "\n\n"
               + _TEMPLATE.read_text(encoding="utf-8")
               + f"\n# care.py and _layout.py: {digest}\n")
        _MODULE.append(load_source("rewardsim_trial", src))
    return _MODULE[0]
