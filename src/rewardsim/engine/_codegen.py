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


# Functions an invariant expression may call: those _MATH imports, and abs, min, max.
_PURE = frozenset({"exp", "log", "log10", "sqrt", "tanh", "sin", "cos", "floor", "ceil", "erf",
                   "abs", "min", "max"})


def hoist_invariants(ode: str, invariant: frozenset[str]) -> tuple[str, list[tuple[str, str]]]:
    """The ODE block with its subject-constant arithmetic taken out.

    A subexpression made only of parameters and derived quantities (``invariant``),
    numbers and pure math functions, such as ``Q / V2``, is the same at every evaluation
    of a subject's right-hand side: it is computed once, with the derived quantities, as
    a hidden derived quantity ``_h<k>``, and the block reads it. A quotient by such an
    expression becomes a product with its reciprocal (``CENT / V2`` -> ``CENT * _h0``,
    ``_h0 = 1.0 / V2``; the fast-math flag ``arcp`` already allows the compiler this).
    Names the block assigns are never invariant. Returns the new block and the hidden
    quantities, (name, expression) in order.
    """
    tree = ast.parse(ode or "pass")
    assigned = {t.id for node in ast.walk(tree) for t in ast.walk(node)
                if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    names = invariant - assigned
    hidden: dict[str, str] = {}

    def pure(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        if isinstance(node, ast.Name):
            return node.id in names
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return pure(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(
                node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            return pure(node.left) and pure(node.right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return (node.func.id in _PURE and not node.keywords
                    and all(pure(a) for a in node.args))
        return False

    def name_for(expr: str) -> ast.Name:
        if expr not in hidden:
            hidden[expr] = f"_h{len(hidden)}"
        return ast.Name(id=hidden[expr], ctx=ast.Load())

    class Hoist(ast.NodeTransformer):
        def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
            if pure(node):
                return name_for(ast.unparse(node))
            if isinstance(node.op, ast.Div) and pure(node.right):
                recip = ast.BinOp(ast.Constant(1.0), ast.Div(), node.right)
                return ast.BinOp(self.visit(node.left), ast.Mult(),
                                 name_for(ast.unparse(recip)))
            return self.generic_visit(node)

        def visit_Call(self, node: ast.Call) -> ast.AST:
            return name_for(ast.unparse(node)) if pure(node) else self.generic_visit(node)

    new = ast.fix_missing_locations(Hoist().visit(tree))
    return ast.unparse(new), [(n, e) for e, n in hidden.items()]


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
    # Arithmetic of parameters alone, out of the right-hand side: once a subject.
    ode, hidden = hoist_invariants(ode, frozenset(pnames) | frozenset(dnames))
    for i, (h, expr) in enumerate(hidden, start=len(dnames)):
        derive_body += [f"{h} = {expr}", f"_d[{i}] = {h}"]
    dnames = dnames + tuple(h for h, _ in hidden)
    unpack_d = _unpack(dnames, "_d")
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
    dose_body = [f"for _i in range({4 * nx}):", f"    _m[_i] = 1.0 if _i < {nx} else 0.0"]
    for i, c in enumerate(model.compartments, start=1):
        dose_body += [f"_m[{k * nx + i - 1}] = {name}{i}"
                      for k, name in enumerate(("F", "ALAG", "R", "D"))
                      if c.dosable and f"{name}{i}" in declared]
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
        if lane_vectors(ode):
            funcs += _step_vec4(ode_lines, pnames, dnames, xnames)
        else:
            funcs += _step_lanes(ode_lines, pnames, dnames, xnames)
        names.append("step_lanes")
    return (f"# Generated by rewardsim for model {model.name!r}; do not edit.\n"
            + _HEAD + funcs + f"NAMES = {tuple(names)!r}\nN_DERIVED = {len(dnames)}\n")


# Dormand-Prince 5(4) stages: (c, a-row) of stages 2..7, the last two giving u and yn.
_DP_STAGES = (("D_C2", ("D_A21",)), ("D_C3", ("D_A31", "D_A32")),
              ("D_C4", ("D_A41", "D_A42", "D_A43")),
              ("D_C5", ("D_A51", "D_A52", "D_A53", "D_A54")),
              (None, ("D_A61", "D_A62", "D_A63", "D_A64", "D_A65")),
              (None, ("D_B1", None, "D_B3", "D_B4", "D_B5", "D_B6")))
_DP_ERR = ("D_E1", None, "D_E3", "D_E4", "D_E5", "D_E6", "D_E7")


def _step_lanes(ode: list[str], pnames: tuple[str, ...], dnames: tuple[str, ...],
                xnames: tuple[str, ...]) -> str:
    """``step_lanes``: one Dormand-Prince step of LANES subjects, stage by stage.

    Arrays lane-minor (see :mod:`rewardsim.engine._fcall`); K holds the seven stages,
    stage 1 given. Stage s's input for every state and lane is one loop over the
    lane-minor array (its coefficients written in), then the model's right-hand side,
    written once, runs for each lane; last, the error and stiffness sums. The stages are
    a loop rather than written out six times: numba's front end (typing, lowering) takes
    time in proportion to the statements, nearly all of a model's compile time, and the
    model's block once instead of six times keeps an 8-state model's compile under 3 s
    (7 s written out), with the same numbers and speed. The arithmetic, and its order, is that of
    :func:`rewardsim.engine._dopri.dopri_advance`. Compiled with the right-hand side's
    fast-math flags (fused multiply-add).
    """
    from . import _dopri

    nx, L = len(xnames), LANES
    c_of = [0.0] + [getattr(_dopri, c) if c else 1.0 for c, _ in _DP_STAGES]
    e_row = [getattr(_dopri, e) if e else 0.0 for e in _DP_ERR]
    head = f"_DPC = {tuple(c_of)!r}\n_DPE = {tuple(e_row)!r}\n"
    unpack = _unpack(pnames, "_P", True) + _unpack(dnames, "_D", True)
    # Stage s (1..6) of K from the input Y + h * sum_k a_sk K_k, held in U for s < 6
    # (U ends as stage 6's input, u) and in YN for s = 6.
    body = ["for _s in range(1, 7):", "    _Z = _U if _s < 6 else _YN"]
    for s, (_, row) in enumerate(_DP_STAGES, start=1):
        terms = " + ".join(f"{getattr(_dopri, a)!r} * _K[{k * nx * L} + _j]"
                           for k, a in enumerate(row) if a)
        body += [f"    {'if' if s == 1 else 'elif'} _s == {s}:",
                 f"        for _j in range({nx * L}):",
                 f"            _Z[_j] = _Y[_j] + _H[_j % {L}] * ({terms})"]
    lane = (["t = _T[_l] + _DPC[_s] * _H[_l]"]
            + [f"{n} = _Z[{i * L} + _l]" for i, n in enumerate(xnames)]
            + _used(unpack, ode) + ode
            + [f"_K[_s * {nx * L} + {i * L} + _l] = dxdt_{n} + _R[{i * L} + _l]"
               for i, n in enumerate(xnames)])
    body += [f"    for _l in range({L}):"] + ["        " + x for x in lane]
    # Squared RMS error norm, and the stiffness estimate's two sums. Stage 2's error
    # weight is 0: adding 0 * k2 changes nothing (a k2 that is not finite has made yn
    # not finite, and the step is rejected either way).
    body += [f"for _l in range({L}):",
             "    _h = _H[_l]", "    _e2 = 0.0", "    _sn = 0.0", "    _sd = 0.0",
             f"    for _i in range({nx}):",
             "        _e = 0.0",
             "        for _k in range(7):",
             f"            _e += _DPE[_k] * _K[(_k * {nx} + _i) * {L} + _l]",
             "        _e = _h * _e",
             f"        _sc = _atol + _rtol * max(abs(_Y[_i * {L} + _l]), "
             f"abs(_YN[_i * {L} + _l]))",
             "        _q = _e / _sc",
             "        _e2 += _q * _q",
             f"        _q = _K[(6 * {nx} + _i) * {L} + _l] - _K[(5 * {nx} + _i) * {L} + _l]",
             "        _sn += _q * _q",
             f"        _q = _YN[_i * {L} + _l] - _U[_i * {L} + _l]",
             "        _sd += _q * _q",
             "    _ERR[_l] = _e2", "    _SN[_l] = _sn", "    _SD[_l] = _sd"]
    return head + "\n\n" + _fn(
        "_P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _D, _D", "_FAST",
        "step_lanes(_T, _H, _Y, _K, _U, _YN, _R, _P, _D, _ERR, _SN, _SD, _rtol, _atol)",
        body)


# What the four-lane vector step (``vec4``, :mod:`rewardsim.engine._vec4`) computes:
# assignments of names, numbers, + - * / **, unary minus, exp, log, sqrt and abs.
_VEC_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)
_VEC_CALLS = frozenset({"exp", "log", "sqrt", "abs"})


def lane_vectors(ode: str) -> bool:
    """Whether the (hoisted) ODE block can run on ``vec4`` lanes: plain assignments of
    arithmetic that :mod:`rewardsim.engine._vec4` computes. A block with anything else
    (a condition, min or max, another function) keeps the scalar lane loop."""
    tree = ast.parse(ode or "pass")

    def ok(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        if isinstance(node, ast.Name):
            return True
        if isinstance(node, ast.BinOp):
            return isinstance(node.op, _VEC_OPS) and ok(node.left) and ok(node.right)
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, _VEC_OPS) and ok(node.operand)
        if isinstance(node, ast.Call):
            return (isinstance(node.func, ast.Name) and node.func.id in _VEC_CALLS
                    and len(node.args) == 1 and not node.keywords and ok(node.args[0]))
        return False

    return all(isinstance(st, ast.Assign) and len(st.targets) == 1
               and isinstance(st.targets[0], ast.Name) and ok(st.value)
               for st in tree.body if not isinstance(st, ast.Pass))


_VEC_BINARY = {ast.Add: "_vadd", ast.Sub: "_vsub", ast.Mult: "_vmul", ast.Div: "_vdiv",
               ast.Pow: "_vpow"}


class _ToVec4(ast.NodeTransformer):
    """Arithmetic as :mod:`rewardsim.engine._vec4` calls (``a * b`` -> ``_vmul(a, b)``);
    ``_vload`` offsets and ``_vstore`` addresses, integers, are left as they are."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        return ast.Call(ast.Name(_VEC_BINARY[type(node.op)], ast.Load()),
                        [node.left, node.right], [])

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.UAdd):
            return node.operand
        if isinstance(node.operand, ast.Constant):  # -2.5 is a number, as Python folds it
            return ast.Constant(-node.operand.value)
        return ast.Call(ast.Name("_vneg", ast.Load()), [node.operand], [])

    def visit_Call(self, node: ast.Call) -> ast.AST:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name == "_vload":
            return node
        if name == "_vstore":
            node.args[2] = self.visit(node.args[2])
            return node
        self.generic_visit(node)
        if name in _VEC_CALLS:
            node.func = ast.Name("_v" + name, ast.Load())
        return node


def _vec4_line(line: str) -> str:
    """One statement (``name = expr`` or ``_vstore(...)``) with its arithmetic as calls."""
    indent = line[:len(line) - len(line.lstrip())]
    tree = ast.fix_missing_locations(_ToVec4().visit(ast.parse(line.strip())))
    return indent + ast.unparse(tree)


def _vec4_tag() -> str:
    from . import _vec4

    return hashlib.sha256(Path(_vec4.__file__).read_bytes()).hexdigest()[:16]


def _step_vec4(ode: list[str], pnames: tuple[str, ...], dnames: tuple[str, ...],
               xnames: tuple[str, ...]) -> str:
    """``step_lanes`` with every quantity a ``vec4`` (the four lanes in one vector).

    The same step as :func:`_step_lanes`, operation for operation in each lane, for a
    block :func:`lane_vectors` accepts: the model's names hold four lanes each, loaded
    from the lane-minor arrays, and its block, written once in a loop over the stages as
    there, runs as vector arithmetic: a step of four ``pk2cmt_mm`` subjects in 0.6 of the
    scalar lanes' time, the results bit for bit the same. Each stage's inputs, and the
    error sums, are a loop over the states: one statement, as numba's typing takes time
    in proportion to the statements (an 8-state model compiled in 4.3 s with a statement
    a state, 2.4 s so).
    """
    from . import _dopri

    nx, L = len(xnames), LANES
    body = ["_h = _vload(_H, 0)", "_t = _vload(_T, 0)"]
    unpack = ([f"{n} = _vload(_P, {i * L})" for i, n in enumerate(pnames)]
              + [f"{n} = _vload(_D, {i * L})" for i, n in enumerate(dnames)])
    body += _used(unpack, ode)
    # Stage s's time and input z = y + h * sum_k a_sk k_k (the last two: u and yn), a
    # loop over the states: numba's typing takes time in proportion to the statements.
    body += ["for _s in range(1, 7):", "    _Z = _U if _s < 6 else _YN"]
    for s, (c, row) in enumerate(_DP_STAGES, start=1):
        body += ["    if _s == 1:" if s == 1 else f"    elif _s == {s}:" if s < 6 else "    else:"]
        body += [f"        t = _t + {getattr(_dopri, c) if c else 1.0!r} * _h"]
        terms = " + ".join(f"{getattr(_dopri, a)!r} * _vload(_K, _i + {k * nx * L})"
                           for k, a in enumerate(row) if a)
        body += [f"        for _i in range(0, {nx * L}, {L}):",
                 f"            _vstore(_Z, _i, _vload(_Y, _i) + _h * ({terms}))"]
    body += [f"    {n} = _vload(_Z, {i * L})" for i, n in enumerate(xnames)]
    body += ["    " + x for x in ode]
    body += [f"    _vstore(_K, _s * {nx * L} + {i * L}, dxdt_{n} + _vload(_R, {i * L}))"
             for i, n in enumerate(xnames)]
    # The squared error norm and the stiffness sums, in _step_lanes' order (k2 has no
    # error weight).
    e_row = [getattr(_dopri, e) if e else 0.0 for e in _DP_ERR]
    terms = " + ".join(f"{e_row[k]!r} * _vload(_K, _i + {k * nx * L})"
                       for k in range(7) if e_row[k])
    body += ["_e2 = _vsplat(0.0)", "_sn = _vsplat(0.0)", "_sd = _vsplat(0.0)",
             f"for _i in range(0, {nx * L}, {L}):",
             f"    _e = _h * ({terms})", "    _yn = _vload(_YN, _i)",
             "    _sc = _atol + _rtol * _vmax(abs(_vload(_Y, _i)), abs(_yn))", "    _q = _e / _sc",
             "    _e2 = _e2 + _q * _q",
             f"    _d = _vload(_K, _i + {6 * nx * L}) - _vload(_K, _i + {5 * nx * L})",
             "    _sn = _sn + _d * _d", "    _d = _yn - _vload(_U, _i)", "    _sd = _sd + _d * _d"]
    body += ["_vstore(_ERR, 0, _e2)", "_vstore(_SN, 0, _sn)", "_vstore(_SD, 0, _sd)"]
    body = [_vec4_line(x) if re.match(r"\s*(\w+ = |_vstore\()", x) else x for x in body]
    # The vector type's source is part of the text: a change to it compiles anew.
    # The operations under names that start with "_", which no model name can: a model
    # may well name a parameter vmax.
    from . import _vec4

    imports = ", ".join(f"{n} as _{n}" for n in _vec4.__all__ if n != "vec4")
    return (f"from rewardsim.engine._vec4 import {imports}  # {_vec4_tag()}\n\n\n" + _fn(
        "_P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _D, _D", "_FAST",
        "step_lanes(_T, _H, _Y, _K, _U, _YN, _R, _P, _D, _ERR, _SN, _SD, _rtol, _atol)",
        body))


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
        # Derived quantities: the model's, then those hoisted from its ODE block.
        self.dims = np.array([len(model.compartments), len(model.param_names),
                              module.N_DERIVED, len(model.outputs)], dtype=np.int64)
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
