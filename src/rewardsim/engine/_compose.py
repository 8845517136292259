"""Compose several models into one: drug models and a reward circuit as one simulated person.

Each part is a :class:`Model` instance under a prefix.  Every name a part declares
(compartments, parameters, covariates, derived quantities, the local variables of its
``ode`` block and its outputs) is renamed ``<PREFIX>_<NAME>``, by a word-boundary
substitution over its code strings, so that names that clash between parts (the ``Q`` of
cocaine and the ``Q`` of baclofen) become ``COC_Q`` and ``BAC_Q``.  A part under the empty
prefix keeps its names.

Compartments are numbered in the order of the parts, so a part's compartment ``i`` becomes
the composite's compartment ``offset + i``.  The automatic bioavailability and lag
parameters (``Fn``, ``ALAGn``) of the parts are dropped and the composite creates its own
for its dosable compartments; a part's *declared* ``Fn``/``ALAGn`` (cocaine's smoked and
intranasal bioavailability, baclofen's oral ``F1``) are kept, with their value, unit and
source, and renamed to the composite's compartment number (``F1`` of a part with offset 5
becomes ``F6``).

``links`` bind inputs.  A part may declare an input as an ordinary parameter (the reward
circuit's plasma cocaine ``CP_COC``, with a default for running it alone); a link replaces
that parameter by an expression in the composite's names, which may use other parts'
states, parameters and outputs (an output's name stands for its expression).  The linked
parameter disappears from the composite.  A link that uses states cannot feed a derived
quantity, which is computed once per subject.

Typical values, units, sources and between-subject CVs set on the parts (with
:meth:`Model.with_params`, :meth:`Model.with_cv`) carry over.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Mapping

from ..errors import ModelSpecError
from ._model import Compartment, Covariate, Derived, Model, Output, Param

__all__ = ["compose"]

_IDENT = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\b")
_DOSING = re.compile(r"^(F|ALAG)(\d+)$")


def _rename(code: str, mapping: Mapping[str, str]) -> str:
    """Replace whole identifiers of ``code`` by ``mapping`` (attributes like math.exp untouched)."""
    if not mapping:
        return code
    return _IDENT.sub(lambda m: mapping.get(m.group(1), m.group(1)), code)


def _ode_locals(model: Model) -> list[str]:
    """Names assigned in the ode block other than ``dxdt_*`` (intermediate quantities)."""
    tree = ast.parse(model.ode_source() or "pass")
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            if not node.id.startswith("dxdt_") and node.id not in names:
                names.append(node.id)
    return names


def _names_in(code: str) -> set[str]:
    return set(_IDENT.findall(code))


def _part_mapping(prefix: str, model: Model, offset: int) -> dict[str, str]:
    """Old name -> composite name for every name of one part."""
    mapping: dict[str, str] = {}
    for i in range(1, len(model.compartments) + 1):
        mapping[f"F{i}"] = f"F{offset + i}"
        mapping[f"ALAG{i}"] = f"ALAG{offset + i}"
    if prefix:
        own = [c.name for c in model.compartments] + [p.name for p in model.params]
        own += [c.name for c in model.covariates] + [d.name for d in model.derived]
        own += _ode_locals(model)
        for n in own:
            if not _DOSING.match(n):
                mapping[n] = f"{prefix}_{n}"
        for c in model.compartments:
            mapping[f"dxdt_{c.name}"] = f"dxdt_{prefix}_{c.name}"
    else:
        for c in model.compartments:
            mapping[f"dxdt_{c.name}"] = f"dxdt_{c.name}"
    return mapping


def _class_name(name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", name)
    out = "".join(w[:1].upper() + w[1:] for w in words if w)
    return out if out and out[0].isalpha() else f"Composite{out}"


def compose(
    name: str,
    parts: Mapping[str, Model],
    links: Mapping[str, str] | None = None,
    *,
    description: str = "",
    references: tuple[str, ...] | None = None,
    default_dose_cmt: int | None = None,
    linear: bool | None = None,
) -> type[Model]:
    """A model class made of several models, with inputs of one bound to others.

    Main arguments
    --------------
    name : str
        Registered name of the composite (e.g. ``"reward-circuit"``).
    parts : mapping of prefix to Model
        The parts, in compartment order. Names of a part are prefixed ``PREFIX_``; one
        part may use the empty prefix ``""`` and keep its names.
    links : mapping of parameter name to expression, optional
        Each key is a parameter of the composite (after prefixing) that is replaced by the
        expression, written in the composite's names; output names stand for their
        expressions.

    Other arguments
    ---------------
    description, references
        Of the composite; default: the parts' joined.
    default_dose_cmt : int, optional
        1-based dose compartment of the composite; default: the first part's.
    linear : bool, optional
        Whether the composite is linear; default: all parts linear and no links.

    Returns
    -------
    type[Model]
        A model class, constructible without arguments (so it can be registered in
        :data:`rewardsim.models.MODELS`) and holding the parts' current values as its
        typical values.

    Raises
    ------
    ModelSpecError
        Unknown prefixes or link targets, or names that still clash after prefixing.

    Examples
    --------
    >>> from rewardsim.models import pk1cmt
    >>> Two = compose("two-drugs", {"A": pk1cmt(), "B": pk1cmt().with_params(CL=2.0)})
    >>> m = Two()
    >>> m.compartment_names, m.values["B_CL"], "F3" in m.param_names
    (('A_DEPOT', 'A_CENT', 'B_DEPOT', 'B_CENT'), 2.0, True)
    """
    if not parts:
        raise ModelSpecError("compose needs at least one part; got none.")
    bad = [p for p in parts if p and not re.match(r"^[A-Za-z][A-Za-z0-9]*$", p)]
    if bad:
        raise ModelSpecError(
            f"Prefixes of compose must be letters and digits (or empty); got {bad}."
        )
    for prefix, model in parts.items():
        if not isinstance(model, Model):
            raise ModelSpecError(
                f"Part {prefix!r} of compose must be a Model instance; got "
                f"{type(model).__name__}."
            )

    compartments: list[Compartment] = []
    params: list[Param] = []
    covariates: list[Covariate] = []
    derived: list[Derived] = []
    outputs: list[Output] = []
    odes: list[str] = []
    local_names: list[str] = []
    offset = 0
    for prefix, model in parts.items():
        mp = _part_mapping(prefix, model, offset)
        values, cvs = model.values, model.cvs
        for c in model.compartments:
            init = _rename(c.init, mp) if isinstance(c.init, str) else c.init
            compartments.append(
                Compartment(mp.get(c.name, c.name), c.unit, c.doc, c.dosable, init)
            )
        for p in model.params:  # declared only: automatic Fn/ALAGn are recreated
            params.append(Param(
                mp.get(p.name, p.name), values[p.name], p.unit, p.doc, p.source,
                cvs[p.name], p.cv_source, p.lower, p.upper,
            ))
        covariates += [Covariate(mp.get(c.name, c.name), c.value, c.unit, c.doc, c.source,
                                 c.lower, c.upper) for c in model.covariates]
        derived += [Derived(mp.get(d.name, d.name), _rename(d.expr, mp), d.unit, d.doc)
                    for d in model.derived]
        outputs += [Output(f"{prefix}_{o.name}" if prefix else o.name, _rename(o.expr, mp),
                           o.unit, o.doc) for o in model.outputs]
        odes.append(_rename(model.ode_source(), mp))
        local_names += [mp.get(n, n) for n in _ode_locals(model)]
        offset += len(model.compartments)

    declared = [x.name for x in (*compartments, *params, *covariates, *derived)]
    clash = sorted({n for n in declared + local_names if (declared + local_names).count(n) > 1})
    out_names = [o.name for o in outputs]
    clash += sorted({n for n in out_names if out_names.count(n) > 1})
    if clash:
        raise ModelSpecError(
            f"compose {name!r}: names clash between parts: {clash}. Give the parts "
            "distinct prefixes."
        )

    # Bind links: each linked parameter becomes its (parenthesised) expression.
    links = dict(links or {})
    pnames = [p.name for p in params]
    unknown = [k for k in links if k not in pnames]
    if unknown:
        raise ModelSpecError(
            f"compose {name!r}: links name {unknown}, which are not parameters of the "
            f"composite; valid: {', '.join(pnames)}"
        )
    out_expr = {o.name: o.expr for o in outputs}
    states = {c.name for c in compartments}
    bound: dict[str, str] = {}
    for key, expr in links.items():
        try:
            ast.parse(expr, mode="eval")
        except SyntaxError as exc:
            raise ModelSpecError(
                f"compose {name!r}: the link for {key!r} is not valid arithmetic: {exc.msg} "
                f"in {expr!r}"
            ) from None
        text = _rename(expr, {k: f"({v})" for k, v in out_expr.items()})
        bound[key] = f"({text})"
        uses_state = bool(_names_in(text) & states)
        for d in derived:
            if key in _names_in(d.expr) and uses_state:
                raise ModelSpecError(
                    f"compose {name!r}: {key!r} feeds the derived quantity {d.name!r} "
                    "(computed once per subject) but its link uses states; use it in the "
                    "ode block or outputs only."
                )
    params = [p for p in params if p.name not in bound]
    derived = [Derived(d.name, _rename(d.expr, bound), d.unit, d.doc) for d in derived]
    outputs = [Output(o.name, _rename(o.expr, bound), o.unit, o.doc) for o in outputs]
    compartments = [
        Compartment(c.name, c.unit, c.doc, c.dosable,
                    _rename(c.init, bound) if isinstance(c.init, str) else c.init)
        for c in compartments
    ]
    ode = "\n".join(_rename(o, bound) for o in odes)

    first = next(iter(parts.values()))
    refs: list[str] = []
    for model in parts.values():
        refs += [r for r in model.references if r not in refs]
    attrs = {
        "name": name,
        "description": description
        or " + ".join(f"{m.name} ({p or 'no prefix'})" for p, m in parts.items()),
        "references": tuple(references) if references is not None else tuple(refs),
        "compartments": tuple(compartments),
        "params": tuple(params),
        "covariates": tuple(covariates),
        "derived": tuple(derived),
        "ode": textwrap.indent(ode, "    "),
        "outputs": tuple(outputs),
        "linear": bool(all(m.linear for m in parts.values()) and not links)
        if linear is None else bool(linear),
        "default_dose_cmt": int(default_dose_cmt) if default_dose_cmt is not None
        else first.default_dose_cmt,
        "parts": {p: type(m).__name__ for p, m in parts.items()},
        "links": dict(links),
    }
    cls = type(_class_name(name), (Model,), attrs)
    cls._check_declaration()
    return cls
