"""Turn a model declaration into the compiled functions the shared solver calls.

The solver (:mod:`rewardsim.engine._solve`) is compiled once per machine for every model.
A model adds only its own arithmetic: its blocks are written into a small Python module of
numba ``cfunc`` functions (derived quantities, initial amounts, dose modifiers, right-hand
side, outputs; see :mod:`rewardsim.engine._fcall`) under the kernel cache folder, named by
a hash of its text, and imported. ``cache=True``: a model is compiled once per machine (in
about a second) and later processes load the machine code from disk.

The cache folder is ``$REWARDSIM_CACHE_DIR`` or ``~/.cache/rewardsim``. Before a cached
module is imported its content is checked against the hash in its name; a module that
does not match is written anew from the model, never imported.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import re
import sys
import types
from pathlib import Path

import numba
import numpy as np

from ..errors import ModelSpecError, OutputError
from ..io._atomic import atomic_write_text, make_folder
from ._compile_notice import compiling
from ._fcall import LANES, N_FNS
from ._model import Model

_LOADED: dict[str, types.ModuleType] = {}
# Kernels by model declaration: generating and hashing the source takes about a
# millisecond, as long as simulating a thousand subjects of a small model.
_BY_DECLARATION: dict[tuple[object, ...], ModelKernel] = {}
# Models with at most LANES_MAX_STATES states advance LANES subjects at a time in the
# Dormand-Prince loop, their stages interleaved (see :mod:`rewardsim.engine._lanes`);
# larger models go one subject at a time.
LANES_MAX_STATES = 8
_MATH = "from math import exp, log, log10, sqrt, pi, tanh, sin, cos, floor, ceil, erf\n"
# Argument names of the generated functions start with an underscore, which no model
# name can (names are letters, digits and underscores, starting with a letter).
_HEAD = (
    "import math\n" + _MATH + "from numba import cfunc, types\n\n"
    "_D = types.float64\n_I = types.int64\n_P = types.CPointer(types.float64)\n"
    "_JIT = dict(cache=True, nopython=True, error_model=\"numpy\")\n"
    # As the solver's hot loops: fused multiply-add, x / c as x * (1 / c) for a c that does
    # not change in a loop; never nnan/ninf, which would drop the solver's NaN checks.
    "_FAST = dict(_JIT, fastmath={\"contract\", \"arcp\"})\n\n\n"
)


def cache_dir() -> Path:
    """Folder holding generated kernel modules and numba's cache of them."""
    root = os.environ.get("REWARDSIM_CACHE_DIR") or Path.home() / ".cache" / "rewardsim"
    return Path(root) / "kernels"


def _lines(assigns: list[str], indent: str = "    ") -> str:
    return "".join(f"{indent}{a}\n" for a in assigns)


def _used(unpacks: list[str], body: list[str]) -> list[str]:
    """The ``NAME = array[i]`` lines whose NAME the body uses."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", "\n".join(body)))
    return [u for u in unpacks if u.split(" = ", 1)[0] in words]


def _check_expr(model: Model, where: str, code: str, mode: str) -> None:
    try:
        ast.parse(code, mode=mode)
    except SyntaxError as exc:
        raise ModelSpecError(
            f"Model {model.name!r}: {where} is not valid Python arithmetic: {exc.msg} "
            f"in {code.strip()!r}"
        ) from None


def _unpack(names: tuple[str, ...], array: str, lanes: bool = False,
            row: str = "") -> list[str]:
    """``NAME = array[i]`` lines (lane-minor ``array[i * LANES + _l]`` with ``lanes``)."""
    if lanes:
        return [f"{n} = {array}[{i * LANES} + _l]" for i, n in enumerate(names)]
    return [f"{n} = {array}[{row}{i}]" for i, n in enumerate(names)]


def _fn(sig: str, flags: str, head: str, body: list[str], indent: str = "    ") -> str:
    return (f"@cfunc(types.void({sig}), **{flags})\ndef {head}:\n" + _lines(body, indent)
            + "    return\n\n\n")


def model_source(model: Model, method: int) -> str:
    """The generated module text: the model's C-callable functions for ``method``.

    Each function is a numba ``cfunc`` (see :mod:`rewardsim.engine._fcall` for what each
    computes); the solver that calls them is compiled once for all models. The
    Dormand-Prince method (2) of a model of up to ``LANES_MAX_STATES`` states also gets
    a whole step for LANES subjects at once (:func:`_step_lanes`).
    """
    pnames = model.param_names
    cnames = model.covariate_names
    dnames = tuple(x.name for x in model.derived)
    xnames = model.compartment_names
    nx = len(xnames)
    unpack_p, unpack_c = _unpack(pnames, "_p"), _unpack(cnames, "_cov")
    unpack_d, unpack_y = _unpack(dnames, "_d"), _unpack(xnames, "_y")

    derive_body = []
    for i, x in enumerate(model.derived):
        _check_expr(model, f"derived quantity {x.name!r}", x.expr, "eval")
        derive_body += [f"{x.name} = {x.expr}", f"_d[{i}] = {x.name}"]
    ode = model.ode_source()
    _check_expr(model, "the ode block", ode, "exec")
    ode_lines = ode.splitlines()
    rhs_body = ode_lines + [f"_dy[{i}] = dxdt_{n} + _r[{i}]" for i, n in enumerate(xnames)]
    obs_exprs = []
    for o in model.outputs:
        _check_expr(model, f"output {o.name!r}", o.expr, "eval")
        obs_exprs.append(o.expr)
    obs_body = ["t = _ts[_k]"] + [f"_out[{j} * _st + _k] = {e}"
                                   for j, e in enumerate(obs_exprs)]
    init_body = [f"_y0[{i}] = {c.init!r}" if not isinstance(c.init, str) else f"_y0[{i}] = {c.init}"
                 for i, c in enumerate(model.compartments)]
    # Dose modifiers per compartment, the rows of DMOD: 0 bioavailability (1 unless
    # dosable), 1 lag, 2 modelled rate, 3 modelled duration (0: none).  Fn and ALAGn are
    # parameters of every dosable compartment n; Rn and Dn exist where the model declares
    # them.
    declared = set(pnames) | set(cnames) | set(dnames)
    dose_body = []
    for i, c in enumerate(model.compartments, start=1):
        dose_body += [f"_m[{k * nx + i - 1}] = {name}{i}"
                      if c.dosable and f"{name}{i}" in declared
                      else f"_m[{k * nx + i - 1}] = {float(k == 0)}"
                      for k, name in enumerate(("F", "ALAG", "R", "D"))]
    # Outputs are evaluated for a run of states: the parameters are read once.
    obs_unpack = _used(unpack_p + unpack_d, obs_body)
    obs_state = [f"{n} = _Y[_k * {nx} + {i}]" for i, n in enumerate(xnames)]
    funcs = (
        _fn("_P, _P, _P", "_JIT", "derive(_p, _cov, _d)",
            _used(unpack_p + unpack_c, derive_body) + derive_body)
        + _fn("_P, _P, _P", "_JIT", "init(_p, _d, _y0)",
              _used(unpack_p + unpack_d, init_body) + init_body)
        + _fn("_P, _P, _P, _P", "_JIT", "dosemods(_p, _cov, _d, _m)",
              _used(unpack_p + unpack_c + unpack_d, dose_body) + dose_body)
        + _fn("_D, _P, _P, _P, _P, _P", "_FAST", "rhs(t, _y, _p, _d, _r, _dy)",
              _used(unpack_p + unpack_d + unpack_y, rhs_body) + rhs_body)
        + _fn("_I, _P, _P, _P, _P, _P, _I", "_FAST", "observe(_n, _ts, _Y, _p, _d, _out, _st)",
              obs_unpack + ["for _k in range(_n):"]
              + ["    " + x for x in _used(obs_state, obs_body) + obs_body])
    )
    names = ["derive", "init", "dosemods", "rhs", "observe"]
    if method == 2 and nx <= LANES_MAX_STATES:
        funcs += _step_lanes(model, pnames, dnames, xnames)
        names.append("step_lanes")
    return (f"# Generated by rewardsim for model {model.name!r}; do not edit.\n"
            + _HEAD + funcs + f"NAMES = {tuple(names)!r}\n")


# Dormand-Prince 5(4) stages: (c, a-row) of stages 2..7, the last two giving u and yn.
_DP_STAGES = (("D_C2", ("D_A21",)), ("D_C3", ("D_A31", "D_A32")),
              ("D_C4", ("D_A41", "D_A42", "D_A43")),
              ("D_C5", ("D_A51", "D_A52", "D_A53", "D_A54")),
              (None, ("D_A61", "D_A62", "D_A63", "D_A64", "D_A65")),
              (None, ("D_B1", None, "D_B3", "D_B4", "D_B5", "D_B6")))
_DP_ERR = ("D_E1", None, "D_E3", "D_E4", "D_E5", "D_E6", "D_E7")


def _step_lanes(model: Model, pnames: tuple[str, ...], dnames: tuple[str, ...],
                xnames: tuple[str, ...]) -> str:
    """``step_lanes``: one Dormand-Prince step of LANES subjects, stage by stage.

    The arithmetic of :func:`rewardsim.engine._lanes.dopri_lanes` before this function
    took it over, with the model's right-hand side written into each stage: one call a
    step instead of one a stage. Arrays lane-minor (see :mod:`rewardsim.engine._fcall`);
    K holds the seven stages, stage 1 given. Compiled with the right-hand side's fast-math
    flags (fused multiply-add; 6 % of the W2 benchmark against none).
    """
    from . import _dopri

    nx, L = len(xnames), LANES
    consts = sorted({c for st in _DP_STAGES for c in (st[0], *st[1]) if c} | {
        c for c in _DP_ERR if c})
    head = "".join(f"{c} = {getattr(_dopri, c)!r}\n" for c in consts)
    ode = model.ode_source().splitlines()
    unpack = (_unpack(pnames, "_P", True) + _unpack(dnames, "_D", True))
    body: list[str] = []
    for s, (c, row) in enumerate(_DP_STAGES, start=1):
        dest = "_Z" if s < 5 else ("_U" if s == 5 else "_YN")
        lane = ["_h = _H[_l]", "t = _T[_l]" + (f" + {c} * _h" if c else " + _h")]
        for i, n in enumerate(xnames):
            terms = " + ".join(f"{a} * _K[{k * nx * L + i * L} + _l]"
                               for k, a in enumerate(row) if a)
            lane.append(f"{n} = _Y[{i * L} + _l] + _h * ({terms})")
            if dest != "_Z":
                lane.append(f"{dest}[{i * L} + _l] = {n}")
        lane += _used(unpack, ode) + ode
        lane += [f"_K[{s * nx * L + i * L} + _l] = dxdt_{n} + _R[{i * L} + _l]"
                 for i, n in enumerate(xnames)]
        body += [f"for _l in range({L}):"] + ["    " + x for x in lane]
    # Squared RMS error norm, and the stiffness estimate's two sums.
    err = ["_h = _H[_l]", "_e2 = 0.0", "_sn = 0.0", "_sd = 0.0"]
    for i in range(nx):
        terms = " + ".join(f"{a} * _K[{k * nx * L + i * L} + _l]" for k, a in enumerate(_DP_ERR)
                           if a)
        err += [f"_e = _h * ({terms})",
                f"_sc = _atol + _rtol * max(abs(_Y[{i * L} + _l]), abs(_YN[{i * L} + _l]))",
                "_e2 += (_e / _sc) ** 2",
                f"_sn += (_K[{6 * nx * L + i * L} + _l] - _K[{5 * nx * L + i * L} + _l]) ** 2",
                f"_sd += (_YN[{i * L} + _l] - _U[{i * L} + _l]) ** 2"]
    err += ["_ERR[_l] = _e2", "_SN[_l] = _sn", "_SD[_l] = _sd"]
    body += [f"for _l in range({L}):"] + ["    " + x for x in err]
    return head + "\n\n" + _fn(
        "_P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _D, _D", "_FAST",
        "step_lanes(_T, _H, _Y, _K, _U, _YN, _R, _P, _D, _ERR, _SN, _SD, _rtol, _atol)",
        body)


class ModelKernel:
    """A model's compiled functions and the shared solver's arguments for them.

    ``head`` = (function table, sizes, method) is what :func:`rewardsim.engine._solve.run_chunk`
    takes before the subjects' data.
    """

    def __init__(self, model: Model, method: int, module: types.ModuleType) -> None:
        self.model = model
        self.method = method
        self.module = module
        fns = np.zeros(N_FNS, dtype=np.int64)
        for k, name in enumerate(("derive", "init", "dosemods", "rhs", "observe", "step_lanes",
                                  "jac")):
            if name in module.NAMES:
                fns[k] = getattr(module, name).address
        self.fns = fns
        self.dims = np.array([len(model.compartments), len(model.param_names),
                              len(model.derived), len(model.outputs)], dtype=np.int64)
        self.head = (self.fns, self.dims, int(method))


def _declaration(model: Model, method: int) -> tuple[object, ...]:
    """Everything the generated source depends on (not the parameter values)."""
    return (model.name, tuple(model.compartments), model.param_names, tuple(model.covariates),
            tuple(model.derived), model.ode_source(), tuple(model.outputs), int(method))


def compile_model(model: Model, method: int) -> ModelKernel:
    """Generate, write and import the compiled functions of ``model`` for a solver (cached).

    ``method`` is 0 (exact, linear models), 1 (Rodas4) or 2 (Dormand-Prince with a
    switch to Rodas4).
    """
    try:
        decl: tuple[object, ...] | None = _declaration(model, method)
        hash(decl)
    except TypeError:  # a declaration field that is not hashable: no shortcut
        decl = None
    if decl is not None and decl in _BY_DECLARATION:
        return _BY_DECLARATION[decl]
    kernel = ModelKernel(model, method, _load(model, method))
    if decl is not None:
        _BY_DECLARATION[decl] = kernel
    return kernel


def _digest(src: str) -> str:
    """The hash that names a kernel module: its source and the numba version."""
    return hashlib.sha256((src + numba.__version__).encode()).hexdigest()[:16]


def _ensure_module(path: Path, src: str, digest: str) -> None:
    """Make the module at ``path`` hash to ``digest`` (the one in its name) before import.

    A cached module whose content does not hash to its name's digest (edited, truncated,
    or planted in the cache folder) is never imported: it is written anew from ``src``.
    """
    try:
        current: str | None = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    if current is None or _digest(current) != digest:
        make_folder(path.parent, what="kernel cache folder")
        atomic_write_text(path, src, what="kernel module")


def _load(model: Model, method: int) -> types.ModuleType:
    src = model_source(model, method)
    loaded: list[types.ModuleType] = []

    def compiled() -> bool:
        """Whether any function of the module was compiled rather than loaded."""
        return bool(loaded) and any(getattr(loaded[0], n)._cache_hits == 0
                                    for n in loaded[0].NAMES)

    try:
        with compiling(f"model {model.name}", compiled, cache_dir()):
            loaded.append(load_source(
                f"rewardsim_kernel_{model.name.replace('-', '_')}_m{method}", src))
    except OutputError:  # the kernel cache folder cannot be written (full disk, ...)
        raise
    except Exception as exc:  # a name error in a model block surfaces here
        raise ModelSpecError(f"Model {model.name!r} could not be compiled: {exc}") from exc
    return loaded[0]


def load_source(prefix: str, src: str) -> types.ModuleType:
    """Write generated numba source under the cache folder, named ``prefix`` + a hash of
    the text (and numba's version), and import it; numba caches its machine code there.

    A change of the text gives a new module name, so a stale compiled copy is never
    loaded, and a cached module whose content does not match its name is written anew
    (:func:`_ensure_module`). Also used for the reward circuit's reduced forms and the
    trial kernel.
    """
    digest = _digest(src)
    key = f"{prefix}_{digest}"
    if key in _LOADED:
        return _LOADED[key]
    path = cache_dir() / f"{key}.py"
    _ensure_module(path, src, digest)
    spec = importlib.util.spec_from_file_location(key, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[key]
        raise
    _LOADED[key] = module
    return module
