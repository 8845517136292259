"""Four float64 lanes as one value, for the Dormand-Prince lanes' generated step.

A ``vec4`` is an LLVM ``<4 x double>``, and each function here (``vadd``, ``vmul``,
``vexp``, ...) is one vector operation for four subjects, where numba would otherwise
run each subject's arithmetic as scalar code (numba keeps LLVM's SLP vectoriser off).
The generated ``step_lanes`` (:func:`rewardsim.engine._codegen._step_vec4`) writes a
model's right-hand side once with its arithmetic as these calls, imported under names
that start with ``_`` as no model name can (``KA * DEPOT`` becomes ``_vmul(KA, DEPOT)``),
its names holding four lanes each.

Each lane's arithmetic is the scalar arithmetic, operation for operation: the same IEEE
operations with the same fast-math flags as the solver's scalar code (``contract``,
``arcp``), ``x ** n`` for a small integer constant ``n`` as numba's repeated
multiplication, and ``exp``, ``log`` and ``**`` by the same C library functions, called
lane by lane. A scalar argument (a number, ``rtol``) stands for four equal lanes.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.typing.templates import signature
from numba.extending import intrinsic, models, register_model

__all__ = ["vabs", "vadd", "vdiv", "vec4", "vexp", "vlog", "vload", "vmax", "vmul", "vneg",
           "vpow", "vsplat", "vsqrt", "vstore", "vsub"]

_N = 4
_DBL = ir.DoubleType()
_VEC = ir.VectorType(_DBL, _N)
# The scalar solver's fast-math flags (numba's fastmath={"contract", "arcp"}).
_FLAGS = ("contract", "arcp")


class Vec4(types.Type):
    """Four float64 lanes (an LLVM <4 x double>)."""

    def __init__(self) -> None:
        super().__init__(name="vec4")


vec4 = Vec4()


@register_model(Vec4)
class _Vec4Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):  # type: ignore[no-untyped-def]
        super().__init__(dmm, fe_type, _VEC)


def _splat(context, builder, v, ty):  # type: ignore[no-untyped-def]
    """A scalar of numba type ``ty`` as four equal lanes; a vec4 as it is."""
    if isinstance(ty, Vec4):
        return v
    x = context.cast(builder, v, ty, types.float64)
    vec = ir.Constant(_VEC, ir.Undefined)
    for i in range(_N):
        vec = builder.insert_element(vec, x, ir.Constant(ir.IntType(32), i))
    return vec


def _scalar(ty) -> bool:  # type: ignore[no-untyped-def]
    return isinstance(ty, types.Float | types.Integer)  # integer literals included


# ----------------------------------------------------------------- arithmetic
# Intrinsics rather than operators: typing rules added for ``+`` or ``**`` would apply to
# every function numba compiles afterwards in the process, and change how it compiles
# the solver's scalar ``x ** 2`` (measured: the multiply-add is then not fused).
def _vector_args(*tys) -> bool:  # type: ignore[no-untyped-def]
    return all(isinstance(t, Vec4) or _scalar(t) for t in tys)


def _binary(method):  # type: ignore[no-untyped-def]
    def typer(typingctx, a, b):  # type: ignore[no-untyped-def]
        if not _vector_args(a, b):
            return None

        def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
            x = _splat(context, builder, args[0], sig.args[0])
            y = _splat(context, builder, args[1], sig.args[1])
            return getattr(builder, method)(x, y, flags=_FLAGS)

        return signature(vec4, a, b), codegen

    return intrinsic(typer)


vadd = _binary("fadd")
vsub = _binary("fsub")
vmul = _binary("fmul")
vdiv = _binary("fdiv")


@intrinsic
def vneg(typingctx, a):  # pragma: no cover - compiled
    """-a, lane by lane."""
    if not _vector_args(a):
        return None

    def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
        return builder.fneg(_splat(context, builder, args[0], sig.args[0]), flags=_FLAGS)

    return signature(vec4, a), codegen


def _declare(builder, name, nargs):  # type: ignore[no-untyped-def]
    """The LLVM intrinsic ``name`` on <4 x double> (llvmlite names only scalar ones)."""
    fnty = ir.FunctionType(_VEC, [_VEC] * nargs)
    return cgutils.get_or_insert_function(builder.module, fnty, f"{name}.v{_N}f64")


def _lanewise(builder, name, *vecs):  # type: ignore[no-untyped-def]
    """The scalar LLVM intrinsic ``name`` (as numba calls it) applied lane by lane.

    Not its vector form: where numba links Intel's SVML, LLVM may map vector exp, log and
    pow to SVML's functions, whose results can differ from the C library's in the last
    place (not seen here, where numba runs without SVML; lane by lane rules it out).
    """
    fnty = ir.FunctionType(_DBL, [_DBL] * len(vecs))
    fn = cgutils.get_or_insert_function(builder.module, fnty, f"{name}.f64")
    out = ir.Constant(_VEC, ir.Undefined)
    for i in range(_N):
        lane = ir.Constant(ir.IntType(32), i)
        out = builder.insert_element(
            out, builder.call(fn, [builder.extract_element(v, lane) for v in vecs]), lane)
    return out


def _unary(llvm_name, exact):  # type: ignore[no-untyped-def]
    # numba lowers math.exp, math.log, math.sqrt and abs of a float to these LLVM
    # intrinsics. sqrt and fabs are exact in IEEE arithmetic and take one vector
    # instruction; exp and log are computed lane by lane, as the scalar code does.
    def typer(typingctx, a):  # type: ignore[no-untyped-def]
        if not _vector_args(a):
            return None

        def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
            x = _splat(context, builder, args[0], sig.args[0])
            if exact:
                return builder.call(_declare(builder, llvm_name, 1), [x])
            return _lanewise(builder, llvm_name, x)

        return signature(vec4, a), codegen

    return intrinsic(typer)


vexp = _unary("llvm.exp", exact=False)
vlog = _unary("llvm.log", exact=False)
vsqrt = _unary("llvm.sqrt", exact=True)
vabs = _unary("llvm.fabs", exact=True)


def _ipow(builder, x, n):  # type: ignore[no-untyped-def]
    """x ** n for an integer constant n >= 1, as numba's repeated squaring does it."""
    result = None
    while n:
        if n & 1:
            result = x if result is None else builder.fmul(result, x, flags=_FLAGS)
        n >>= 1
        if n:
            x = builder.fmul(x, x, flags=_FLAGS)
    return result


@intrinsic
def vpow(typingctx, a, b):  # pragma: no cover - compiled
    """a ** b, lane by lane: repeated multiplication for a small integer constant b (as
    numba computes x ** 2), the C library's pow otherwise."""
    if not _vector_args(a, b):
        return None

    def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
        x = _splat(context, builder, args[0], sig.args[0])
        if isinstance(sig.args[1], types.IntegerLiteral):
            n = sig.args[1].literal_value
            one = ir.Constant(_VEC, [1.0] * _N)
            if n == 0:
                return one
            if 0 < abs(n) <= 16:
                p = _ipow(builder, x, abs(n))
                return p if n > 0 else builder.fdiv(one, p, flags=_FLAGS)
        y = _splat(context, builder, args[1], sig.args[1])
        return _lanewise(builder, "llvm.pow", x, y)

    return signature(vec4, a, b), codegen


# ----------------------------------------------------------------- memory
@intrinsic
def vload(typingctx, ptr, offset):  # pragma: no cover - compiled
    """The four doubles at ``ptr[offset:offset + 4]`` (ptr a CPointer(float64))."""
    if not isinstance(ptr, types.CPointer) or not isinstance(offset, types.Integer):
        return None

    def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
        p = builder.gep(args[0], [args[1]])
        v = builder.load(builder.bitcast(p, _VEC.as_pointer()))
        v.align = 8
        return v

    return signature(vec4, ptr, offset), codegen


@intrinsic
def vstore(typingctx, ptr, offset, value):  # pragma: no cover - compiled
    """Store the four lanes of ``value`` at ``ptr[offset:offset + 4]``."""
    if not (isinstance(ptr, types.CPointer) and isinstance(offset, types.Integer)
            and isinstance(value, Vec4)):
        return None

    def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
        p = builder.gep(args[0], [args[1]])
        st = builder.store(args[2], builder.bitcast(p, _VEC.as_pointer()))
        st.align = 8
        return context.get_dummy_value()

    return signature(types.void, ptr, offset, value), codegen


@intrinsic
def vsplat(typingctx, x):  # pragma: no cover - compiled
    """Four lanes equal to the scalar ``x``."""
    if not _scalar(x):
        return None

    def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
        return _splat(context, builder, args[0], sig.args[0])

    return signature(vec4, x), codegen


@intrinsic
def vmax(typingctx, a, b):  # pragma: no cover - compiled
    """Lane by lane ``max(a, b)`` as Python computes it: b where b > a, else a."""
    if not (isinstance(a, Vec4) and isinstance(b, Vec4)):
        return None

    def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
        x, y = args
        return builder.select(builder.fcmp_ordered(">", y, x), y, x)

    return signature(vec4, a, b), codegen
