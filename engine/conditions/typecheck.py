"""Check a parsed condition against the names: every name known, every comparison like with like.

durable_rules compares text with numbers without complaint ("10" > 5 is false), so a
type mistake in a rule would silently never fire. It is caught here instead.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import RuleError, did_you_mean
from .parse import And, Arith, Compare, In, Known, Literal, Neg, Node, Not, Or, Pos, Ref
from .names import Catalogue


@dataclass(frozen=True)
class Type:
    kind: str  # number | bool | text
    unit: str | None = None
    choices: tuple[str, ...] = ()
    literal: bool = False


def _fail(message: str, pos: Pos, hint: str | None = None) -> RuleError:
    return RuleError(message, line=pos.line, column=pos.column, hint=hint)


def _describe(t: Type) -> str:
    if t.kind == "number" and t.unit:
        return f"a number in {t.unit}"
    return {"number": "a number", "bool": "true or false", "text": "text"}[t.kind]


def check(node: Node, names: Catalogue) -> None:
    """Raise a RuleError (line and column within the condition) for the first problem found."""
    t = type_of(node, names)
    if t.kind != "bool":
        raise _fail(f"the condition is {_describe(t)}, not true or false", _pos(node), "compare it with something")


def _pos(node: Node) -> Pos:
    return node.pos


def type_of(node: Node, names: Catalogue) -> Type:
    """The type a node evaluates to; raises on the first mistake beneath it."""
    if isinstance(node, Literal):
        if isinstance(node.value, bool):
            return Type("bool", literal=True)
        if isinstance(node.value, str):
            return Type("text", literal=True)
        return Type("number", "percent" if node.percent else None, literal=True)
    if isinstance(node, Ref):
        name = names.get(node.path)
        if name is None:
            raise _fail(f"unknown name '{node.path}'", node.pos, did_you_mean(node.path, names.paths()))
        return Type(name.kind, name.unit, name.choices)
    if isinstance(node, Neg):
        t = type_of(node.operand, names)
        _need_number(t, node.operand)
        return t
    if isinstance(node, Arith):
        left, right = type_of(node.left, names), type_of(node.right, names)
        _need_number(left, node.left)
        _need_number(right, node.right)
        return Type("number", _arith_unit(node, left, right))
    if isinstance(node, Compare):
        left, right = type_of(node.left, names), type_of(node.right, names)
        _check_comparable(node, left, right)
        return Type("bool")
    if isinstance(node, Known):
        if not isinstance(node.operand, Ref):
            raise _fail("'is known' applies to a name", node.pos)
        type_of(node.operand, names)
        return Type("bool")
    if isinstance(node, In):
        t = type_of(node.operand, names)
        if not isinstance(node.operand, Ref) or t.kind != "text":
            raise _fail("'in [...]' applies to a name whose value is text", node.pos)
        for choice in node.choices:
            _check_choice(t, choice)
        return Type("bool")
    if isinstance(node, (And, Or, Not)):
        items = node.items if isinstance(node, (And, Or)) else (node.operand,)
        word = {And: "and", Or: "or", Not: "not"}[type(node)]
        for item in items:
            t = type_of(item, names)
            if t.kind != "bool":
                raise _fail(f"'{word}' needs true or false on each side; this is {_describe(t)}", item.pos)
        return Type("bool")
    raise AssertionError(f"unhandled node {node!r}")


def _need_number(t: Type, node: Node) -> None:
    if t.kind != "number":
        raise _fail(f"arithmetic needs numbers; this is {_describe(t)}", node.pos)


def _arith_unit(node: Arith, left: Type, right: Type) -> str | None:
    if node.op in "+-":
        if left.unit and right.unit and left.unit != right.unit:
            raise _fail(f"adds {left.unit} to {right.unit}", node.pos, "both sides need the same unit")
        return left.unit or right.unit
    if left.unit and right.unit:
        return "ratio" if node.op == "/" and left.unit == right.unit else None
    if node.op == "/" and right.unit and not left.unit:
        return None
    return left.unit or right.unit


def _check_comparable(node: Compare, left: Type, right: Type) -> None:
    if left.kind != right.kind:
        raise _fail(f"compares {_describe(left)} with {_describe(right)}", node.pos)
    if left.kind in ("text", "bool") and node.op not in ("==", "!="):
        raise _fail(f"'{node.op}' compares numbers; use == or != for {_describe(left)}", node.pos)
    if left.kind == "text":
        for side, other in ((node.left, right), (node.right, left)):
            if isinstance(side, Literal):
                _check_choice(other, side)
    if left.kind == "number":
        for named, lit, lit_node in ((left, right, node.right), (right, left, node.left)):
            if named.unit == "percent" and lit.literal and not lit.unit and isinstance(lit_node, Literal) and lit_node.value:
                shown = f"{lit_node.value:g}"
                raise _fail(
                    f"compares a percentage with the plain number {shown}",
                    node.pos,
                    f"write {shown}% if you mean per cent",
                )
        if left.unit and right.unit and left.unit != right.unit and "ratio" not in (left.unit, right.unit):
            raise _fail(f"compares {left.unit} with {right.unit}", node.pos, "compare figures in the same unit")


def _check_choice(t: Type, literal: Literal) -> None:
    if not isinstance(literal.value, str):
        raise _fail("a text value must be quoted", literal.pos)
    if t.choices and literal.value not in t.choices:
        raise _fail(
            f"'{literal.value}' is not one of the values this name takes",
            literal.pos,
            did_you_mean(literal.value, t.choices) or "it takes " + ", ".join(f"'{c}'" for c in t.choices),
        )
