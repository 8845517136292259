"""The compiled population kernel: the circuit's functions + the shared day + the template.

:func:`kernel` writes the reward circuit's generated functions, its daily reduced form
(:mod:`rewardsim.models.circuit_daily`), the day's steps shared with the trial kernel
(``rewardsim/trial/_day_template.py``) and ``_kernel_template.py`` into one module under
the kernel cache folder, named by a hash of the text, and imports it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType

from ..engine._codegen import load_source
from ..models import care
from ..models.circuit_daily import circuit_source
from ..trial import _layout as trial_layout
from ..trial._kernel import DAY_TEMPLATE
from . import _layout

__all__ = ["kernel"]

_TEMPLATE = Path(__file__).with_name("_kernel_template.py")
_MODULE: list[ModuleType] = []


def kernel() -> ModuleType:
    """The compiled population kernel module (``simulate_people``)."""
    if not _MODULE:
        # Constants and functions read from imported modules are part of the hash.
        deps = "".join(Path(f).read_text(encoding="utf-8") for f in (
            care.__file__, trial_layout.__file__, _layout.__file__))
        digest = hashlib.sha256(deps.encode()).hexdigest()[:16]
        src = (circuit_source() + "\n\n" + DAY_TEMPLATE.read_text(encoding="utf-8") + "\n\n"
               + _TEMPLATE.read_text(encoding="utf-8")
               + f"\n# care.py and the layouts: {digest}\n")
        _MODULE.append(load_source("rewardsim_population", src))
    return _MODULE[0]
