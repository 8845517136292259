"""Turn a model declaration into a compiled population kernel.

The model's blocks are written into one Python module (the model's functions
followed by :mod:`rewardsim.engine._kernel_template`) under the kernel cache
folder, named by a hash of its text, and imported.  Every function in it is a
numba ``njit(cache=True)`` function, so a model is compiled once per machine
and later processes load the machine code from disk.

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
import textwrap
import types
from pathlib import Path

import numba

from ..errors import ModelSpecError
from ..io._atomic import atomic_write_text, make_folder
from ._model import Model

_TEMPLATE = Path(__file__).with_name("_kernel_template.py")
_LOADED: dict[str, types.ModuleType] = {}
# Kernels by model declaration: generating and hashing the source takes about a
# millisecond, as long as simulating a thousand subjects of a small model.
_BY_DECLARATION: dict[tuple[object, ...], types.ModuleType] = {}
# Models with at most LANES_MAX_STATES states advance LANES subjects at a time in the
# Dormand-Prince loop, their stages interleaved (see the kernel template's lanes section);
# larger models go one subject at a time.  Models with at most INLINE_MAX_STATES states
# have their right-hand side inlined into each solver stage.
LANES = 4
LANES_MAX_STATES = 8
INLINE_MAX_STATES = 8
_MATH = "from math import exp, log, log10, sqrt, pi, tanh, sin, cos, floor, ceil, erf\n"


def cache_dir() -> Path:
    """Folder holding generated kernel modules and numba's cache of them."""
    root = os.environ.get("REWARDSIM_CACHE_DIR") or Path.home() / ".cache" / "rewardsim"
    return Path(root) / "kernels"


def _lines(assigns: list[str], indent: str = "    ") -> str:
    return "".join(f"{indent}{a}\n" for a in assigns)


def _used(unpacks: list[str], body: list[str]) -> list[str]:
    """The ``NAME = array[i]`` lines whose NAME the body uses (compile time grows with
    every unpacked name, since the small functions are inlined at each call site)."""
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


def _vector_helpers(model: Model, unpack: list[str], ode_body: list[str], jit_rhs: str) -> str:
    """Functions on the state as a tuple of NX floats, which numba keeps in registers.

    The hot loops (exact propagation, Dormand-Prince stages) work on tuples: a
    state held in an array round-trips through memory at every step, and that
    latency, not the arithmetic, bounds a small model's step.  They take no
    arrays, whose reference counting would cost more than the step.  Building a
    tuple needs its length written out, hence generated code:

    * ``_ft(t, y, p, d, rates)``: the right-hand side plus infusion rates;
    * ``_vload(a)``: the first NX entries of an array as a tuple; ``_mload(M, s)``:
      the matrix M[s] as the flat tuple of its rows;
    * ``_vmat(m, y)`` = M y and ``_vmatadd(m, y, g)`` = M y + g, for M as the flat
      tuple ``m`` of its rows;
    * ``_vlin<m>(y, h, a1, k1, ..., am, km)`` = y + h (a1 k1 + ... + am km).
    """
    nx = len(model.compartments)
    jit = '@njit(cache=True, nogil=True, error_model="numpy", inline="always")\n'

    def tup(items: list[str]) -> str:
        return "(\n" + "".join(f"        {x},\n" for x in items) + "    )"

    xnames = model.compartment_names
    out = [
        jit_rhs + "def _ft(t, y, p, d, rates):\n" + _lines(_used(unpack, ode_body) + ode_body)
        + "    return " + tup([f"dxdt_{n} + rates[{i}]" for i, n in enumerate(xnames)])
        + "\n\n\n",
        jit + "def _vload(a):\n    return " + tup([f"a[{i}]" for i in range(nx)]) + "\n\n\n",
        jit + "def _mload(M, s):\n    return "
        + tup([f"M[s, {r}, {c}]" for r in range(nx) for c in range(nx)]) + "\n\n\n",
        jit + "def _vmat(m, y):\n    return "
        + tup([" + ".join(f"m[{r * nx + c}] * y[{c}]" for c in range(nx)) for r in range(nx)])
        + "\n\n\n",
        jit + "def _vmatadd(m, y, g):\n    return "
        + tup([" + ".join(f"m[{r * nx + c}] * y[{c}]" for c in range(nx)) + f" + g[{r}]"
               for r in range(nx)])
        + "\n\n\n",
    ]
    for m in range(1, 7):
        args = ", ".join(f"a{j}, k{j}" for j in range(1, m + 1))
        comps = [f"y[{i}] + h * (" + " + ".join(f"a{j} * k{j}[{i}]" for j in range(1, m + 1))
                 + ")" for i in range(nx)]
        out.append(jit + f"def _vlin{m}(y, h, {args}):\n    return " + tup(comps) + "\n\n\n")
    return "".join(out)


def _lane_rhs(model: Model, ode_body: list[str]) -> str:
    """``_fl(ts, y, p, d, r, dy, s)``: the right-hand side plus rates for every lane,
    into dy[s].

    Arrays are (names, lanes): y[i, l] is state i of lane l, ts[l] its time.  Also
    ``_ol(t, y, p, d, l, out, row)``: the outputs of lane l from its state y (1-d).
    """
    pnames = model.param_names
    dnames = tuple(x.name for x in model.derived)
    unpack = ([f"{n} = p[{i}, l]" for i, n in enumerate(pnames)]
              + [f"{n} = d[{i}, l]" for i, n in enumerate(dnames)]
              + [f"{n} = y[{i}, l]" for i, n in enumerate(model.compartment_names)])
    body = ["t = ts[l]", *_used(unpack, ode_body), *ode_body] + [
        f"dy[s, {i}, l] = dxdt_{n} + r[{i}, l]" for i, n in enumerate(model.compartment_names)]
    obs = [f"out[{j}, row] = {o.expr}" for j, o in enumerate(model.outputs)]
    unpack_o = ([f"{n} = p[{i}, l]" for i, n in enumerate(pnames)]
                + [f"{n} = d[{i}, l]" for i, n in enumerate(dnames)]
                + [f"{n} = y[{i}]" for i, n in enumerate(model.compartment_names)])
    jit = '@njit(cache=True, nogil=True, error_model="numpy", inline="always")\n'
    jit_fast = ('@njit(cache=True, nogil=True, error_model="numpy", inline="always", '
                'fastmath={"contract", "arcp"})\n')
    return (jit_fast
            + "def _fl(ts, y, p, d, r, dy, s):\n    for l in range(LANES):\n"
            + _lines(body, "        ") + "\n\n"
            # Outputs of lane l at time t from its state y, into out[:, row].
            + jit + "def _ol(t, y, p, d, l, out, row):\n"
            + _lines(_used(unpack_o, obs) + obs) + "\n\n")


def model_source(model: Model, method: int) -> str:
    """The generated module text (model functions + kernel template)."""
    pnames = model.param_names
    cnames = model.covariate_names
    dnames = tuple(x.name for x in model.derived)
    xnames = model.compartment_names
    unpack_p = [f"{n} = p[{i}]" for i, n in enumerate(pnames)]
    unpack_c = [f"{n} = cov[{i}]" for i, n in enumerate(cnames)]
    unpack_d = [f"{n} = d[{i}]" for i, n in enumerate(dnames)]
    unpack_y = [f"{n} = y[{i}]" for i, n in enumerate(xnames)]

    derive_body = []
    for i, x in enumerate(model.derived):
        _check_expr(model, f"derived quantity {x.name!r}", x.expr, "eval")
        derive_body += [f"{x.name} = {x.expr}", f"d[{i}] = {x.name}"]
    ode = model.ode_source()
    _check_expr(model, "the ode block", ode, "exec")
    ode_body = ode.splitlines() + [f"dy[{i}] = dxdt_{n}" for i, n in enumerate(xnames)]
    obs_body = []
    for j, o in enumerate(model.outputs):
        _check_expr(model, f"output {o.name!r}", o.expr, "eval")
        obs_body.append(f"o[{j}] = {o.expr}")
    init_body = [f"y0[{i}] = {c.init!r}" if not isinstance(c.init, str) else f"y0[{i}] = {c.init}"
                 for i, c in enumerate(model.compartments)]
    # Dose modifiers per compartment, the rows of DMOD: 0 bioavailability (1 unless
    # dosable), 1 lag, 2 modelled rate, 3 modelled duration (0: none).  Fn and ALAGn are
    # parameters of every dosable compartment n; Rn and Dn exist where the model declares
    # them.
    declared = set(pnames) | set(cnames) | set(dnames)
    dose_body = []
    for i, c in enumerate(model.compartments, start=1):
        dose_body += [f"DMOD[{k}, {i - 1}] = {name}{i}" if c.dosable and f"{name}{i}" in declared
                      else f"DMOD[{k}, {i - 1}] = {float(k == 0)}"
                      for k, name in enumerate(("F", "ALAG", "R", "D"))]
    jit = '@njit(cache=True, nogil=True, error_model="numpy")\n'
    jit_inline = '@njit(cache=True, nogil=True, error_model="numpy", inline="always")\n'
    # The right-hand side and outputs are inlined where small models use them; a large
    # model's are compiled once and called (compile time grows with each inlined copy).
    jit_rhs = jit_inline if len(xnames) <= INLINE_MAX_STATES else jit
    head = (
        f"# Generated by rewardsim for model {model.name!r}; do not edit.\n"
        "import math\n" + _MATH + "import numpy as np\nfrom numba import njit\n\n"
        f"NX = {len(xnames)}\nNP = {len(pnames)}\nND = {len(dnames)}\n"
        f"NO = {len(model.outputs)}\n"
        # The solver is fixed per module so numba prunes (never compiles) the other one.
        f"METHOD = {int(method)}\n"
        # Small models step LANES subjects at a time (see the template's lanes section).
        f"LANES = {LANES if len(xnames) <= LANES_MAX_STATES else 1}\n\n\n"
    )
    funcs = (
        jit + "def _derive(p, cov, d):\n"
        + _lines(_used(unpack_p + unpack_c, derive_body) + derive_body) + "    return\n\n\n"
        + jit + "def _init(p, d, y0):\n"
        + _lines(_used(unpack_p + unpack_d, init_body) + init_body) + "    return\n\n\n"
        + jit + "def _dosemods(p, cov, d, DMOD):\n"
        + _lines(_used(unpack_p + unpack_c + unpack_d, dose_body) + dose_body)
        + "    return\n\n\n"
        + jit_rhs + "def _rhs(t, y, p, d, dy):\n"
        + _lines(_used(unpack_p + unpack_d + unpack_y, ode_body) + ode_body) + "    return\n\n\n"
        + jit_rhs + "def _observe(t, y, p, d, o):\n"
        + _lines(_used(unpack_p + unpack_d + unpack_y, obs_body) + obs_body) + "    return\n\n\n"
        + _vector_helpers(model, unpack_p + unpack_d + unpack_y, ode.splitlines(), jit_rhs)
        + _lane_rhs(model, ode.splitlines())
    )
    template = _TEMPLATE.read_text()
    return head + funcs + textwrap.dedent(template)


def _declaration(model: Model, method: int) -> tuple[object, ...]:
    """Everything the generated source depends on (not the parameter values)."""
    return (model.name, tuple(model.compartments), model.param_names, tuple(model.covariates),
            tuple(model.derived), model.ode_source(), tuple(model.outputs), int(method),
            str(_TEMPLATE))


def compile_model(model: Model, method: int) -> types.ModuleType:
    """Generate, write and import the kernel of ``model`` for a solver (cached).

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
    module = _load(model, method)
    if decl is not None:
        _BY_DECLARATION[decl] = module
    return module


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
    try:
        return load_source(f"rewardsim_kernel_{model.name.replace('-', '_')}_m{method}", src)
    except Exception as exc:  # a name error in a model block surfaces here
        raise ModelSpecError(f"Model {model.name!r} could not be compiled: {exc}") from exc


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
