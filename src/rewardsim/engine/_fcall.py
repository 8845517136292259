"""Calls from the shared solver into a model's compiled functions.

The solver (:mod:`rewardsim.engine._solve` and the modules it uses) is compiled once per
machine and shared by every model. A model contributes a handful of small C-callable
functions (numba ``cfunc``, generated from its text by :mod:`rewardsim.engine._codegen`);
the solver receives their addresses in an int64 array, the function table ``fns``, and
calls them through ``call<n>(fns[F_*], ...)`` (n arguments; ``F_*`` below). Each function
takes doubles, int64 values and pointers to float64 data, in that C ABI (floats pass as
doubles, integers as int64, arrays as the address of their data):

=============== =====================================================================
``F_DERIVE``    ``derive(p, cov, d)``: derived quantities d from parameters/covariates
``F_INIT``      ``init(p, d, y0)``: initial amounts
``F_DOSEMODS``  ``dosemods(p, cov, d, DMOD)``: F, ALAG, R, D per compartment (4 x NX)
``F_RHS``       ``rhs(t, y, p, d, r, dy)``: dy = f(t, y) + r (r: infusion rates)
``F_OBS``       ``observe(n, ts, Y, p, d, out, stride)``: outputs of n states (Y is n x
                NX), output j of state k into ``out[j * stride + k]``
``F_STEP_LANES`` ``step_lanes(T, H, Y, K, U, YN, R, P, D, ERR, SN, SD, rtol, atol)``:
                one Dormand-Prince step of LANES subjects (stages 2-7, the error and
                stiffness sums; :mod:`rewardsim.engine._lanes`), each array lane-minor
                (Y[i, l] at ``Y[i * LANES + l]``); 0 when absent
``F_JAC``       ``jac(t, y, p, d, J)``: the Jacobian df/dy (NX x NX, row-major); 0 when
                absent (the solver then takes forward differences)
=============== =====================================================================

A pointer argument is given as an array (its data) or as an int64 address from
:func:`addr` (an element inside an array, without making a view: a view costs two
atomic reference counts, more than a small model's right-hand side).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["F_DERIVE", "F_DOSEMODS", "F_INIT", "F_JAC", "F_OBS", "F_RHS", "F_STEP_LANES",
           "LANES", "N_FNS", "addr", "bits", "call3", "call4", "call5", "call6", "call7",
           "call14", "from_bits"]

F_DERIVE, F_INIT, F_DOSEMODS, F_RHS, F_OBS, F_STEP_LANES, F_JAC = range(7)
N_FNS = 7
#: Subjects stepped together by the Dormand-Prince lanes (models of up to 8 states).
LANES = 4


def _codegen_call(context, builder, signature, llargs):
    """LLVM for a call of the C function at address llargs[0] with llargs[1:]."""
    dbl = ir.DoubleType()
    kinds, values = [], []
    for ty, v in zip(signature.args[1:], llargs[1:], strict=True):
        if isinstance(ty, types.Array):
            ary = context.make_array(ty)(context, builder, v)
            kinds.append(dbl.as_pointer())
            values.append(builder.bitcast(ary.data, dbl.as_pointer()))
        elif isinstance(ty, types.Float):
            kinds.append(dbl)
            values.append(context.cast(builder, v, ty, types.float64))
        else:
            kinds.append(ir.IntType(64))
            values.append(context.cast(builder, v, ty, types.int64))
    fnty = ir.FunctionType(ir.VoidType(), kinds)
    builder.call(builder.inttoptr(llargs[0], fnty.as_pointer()), values)
    return context.get_dummy_value()


def _typer(fptr, *args):  # type: ignore[no-untyped-def]
    ok = isinstance(fptr, types.Integer) and all(
        isinstance(a, types.Array | types.Float | types.Integer) for a in args)
    return (types.void(fptr, *args), _codegen_call) if ok else None


# One intrinsic per number of arguments: the arguments are passed as they are (packing
# arrays into a tuple would count a reference to each, two atomic operations a call).
@intrinsic
def call3(typingctx, fptr, a, b, c):  # pragma: no cover - compiled
    """Call the C function at address ``fptr`` with three arguments (see :func:`call`)."""
    return _typer(fptr, a, b, c)


@intrinsic
def call4(typingctx, fptr, a, b, c, d):  # pragma: no cover - compiled
    return _typer(fptr, a, b, c, d)


@intrinsic
def call5(typingctx, fptr, a, b, c, d, e):  # pragma: no cover - compiled
    return _typer(fptr, a, b, c, d, e)


@intrinsic
def call6(typingctx, fptr, a, b, c, d, e, f):  # pragma: no cover - compiled
    return _typer(fptr, a, b, c, d, e, f)


@intrinsic
def call7(typingctx, fptr, a, b, c, d, e, f, g):  # pragma: no cover - compiled
    return _typer(fptr, a, b, c, d, e, f, g)


@intrinsic
def call14(typingctx, fptr, a, b, c, d, e, f, g, h, i, j, k, m, n, o):  # pragma: no cover
    return _typer(fptr, a, b, c, d, e, f, g, h, i, j, k, m, n, o)


@intrinsic
def addr(typingctx, arr, offset):  # pragma: no cover - compiled
    """Address (int64) of element ``offset`` of the C-contiguous array ``arr`` (flat)."""
    if not isinstance(arr, types.Array) or not isinstance(offset, types.Integer):
        return None
    sig = types.int64(arr, offset)

    def codegen(context, builder, signature, llargs):
        a, off = llargs
        ary = context.make_array(signature.args[0])(context, builder, a)
        off64 = context.cast(builder, off, signature.args[1], types.int64)
        ptr = builder.gep(ary.data, [off64])
        return builder.ptrtoint(ptr, ir.IntType(64))

    return sig, codegen


@intrinsic
def bits(typingctx, x):  # pragma: no cover - compiled
    """The IEEE 754 bits of the float64 ``x`` as an int64 (no instruction: a bit cast)."""
    if not isinstance(x, types.Float) or x.bitwidth != 64:
        return None

    def codegen(context, builder, signature, llargs):  # type: ignore[no-untyped-def]
        return builder.bitcast(llargs[0], ir.IntType(64))

    return types.int64(x), codegen


@intrinsic
def from_bits(typingctx, i):  # pragma: no cover - compiled
    """The float64 whose IEEE 754 bits are the int64 ``i`` (the inverse of :func:`bits`)."""
    if not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, signature, llargs):  # type: ignore[no-untyped-def]
        v = context.cast(builder, llargs[0], signature.args[0], types.int64)
        return builder.bitcast(v, ir.DoubleType())

    return types.float64(i), codegen
