"""A condition's normal form: what a condition means, written once.

Every consumer of a condition reads this form, never the parse tree's `not`s and
turned-round comparisons: the compiler (to durable_rules), the Python evaluator (coverage,
`explain`, the property test that the two agree), the satisfiability checker and the
plain-English renderer. In normal form:

- `not` is pushed down to the tests (De Morgan; each comparison inverted);
- every test has a single name on its left (`5 < x` is `x > 5`);
- `in [...]` is an `any` of equality tests (`not in`, an `all` of inequalities);
- arithmetic on numbers alone is worked out (durable_rules never matches a test
  against it: `x >= 0 + 0` is false even when x is 0);
- a true-or-false name on its own is a test that it equals true (or false);
- every name reaches the engine through the one fact key (`fact_key`).

A test on a name that is unknown (absent from the fact) never holds, whichever way round
it is written, so `not x > 5` is false when x is unknown: durable_rules' semantics, kept
by the evaluator here.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Union

from ..errors import RuleError
from .parse import And, Arith, Compare, In, Known, Literal, Neg, Node, Not, Or, Ref

FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
COMPARE = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def fact_key(path: str) -> str:
    """A name as a key in a durable_rules fact: the one mapping every module uses.

    durable_rules reads a dot in a key as nesting, and joinup's facts are flat, so each dot
    becomes a colon, which no name a condition can write contains. The mapping is
    injective for any text (a percent sign and a colon are escaped first, as in a URL), so
    `param.a.b`, `param.a__b` and a finding `org__seats` beside `org.seats` each get their
    own key, and a rule cannot silently read another name's value.
    """
    return path.replace("%", "%25").replace(":", "%3A").replace(".", ":")


# Value terms: a constant, a name, or arithmetic over them with at least one name.
@dataclass(frozen=True)
class Name:
    path: str


@dataclass(frozen=True)
class Calc:
    op: str  # + - * /
    left: "Term"
    right: "Term"


Constant = Union[float, int, str, bool]
Term = Union[Constant, Name, Calc]


# Conditions. `origin` is the clause as written (the leaf of the parse tree), so a report
# about a test can point at the text the policy official wrote.
@dataclass(frozen=True)
class Test:
    name: str
    op: str  # < <= > >= == !=
    value: Term
    origin: Node


@dataclass(frozen=True)
class IsKnown:
    name: str
    known: bool
    origin: Node


@dataclass(frozen=True)
class Always:
    value: bool
    origin: Node


@dataclass(frozen=True)
class AllOf:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple["Condition", ...]


Condition = Union[Test, IsKnown, Always, AllOf, AnyOf]


def normalise(node: Node, negate: bool = False) -> Condition:
    """The normal form of a checked condition (of its negation, if `negate`)."""
    if isinstance(node, Not):
        return normalise(node.operand, not negate)
    if isinstance(node, (And, Or)):
        items = tuple(normalise(item, negate) for item in node.items)
        return AllOf(items) if isinstance(node, And) != negate else AnyOf(items)
    if isinstance(node, Ref):
        return Test(node.path, "==", not negate, node)
    if isinstance(node, Literal):
        return Always(bool(node.value) != negate, node)
    if isinstance(node, Known):
        return IsKnown(_name_of(node.operand), node.known != negate, node)
    if isinstance(node, In):
        name = _name_of(node.operand)
        # A choice listed twice is one test, not two: each is a path of the engine's (engine/limits.py).
        choices = dict.fromkeys(choice.value for choice in node.choices)
        tests = tuple(Test(name, "!=" if negate else "==", value, node) for value in choices)
        return AllOf(tests) if negate else AnyOf(tests)
    if isinstance(node, Compare):
        return _compare(node, negate)
    raise AssertionError(f"not a condition: {node!r}")


def _name_of(node: Node) -> str:
    if not isinstance(node, Ref):
        raise AssertionError(f"the type checker lets only a name stand here: {node!r}")
    return node.path


def _compare(node: Compare, negate: bool) -> Test:
    op, left, right = node.op, term(node.left), term(node.right)
    if not isinstance(left, Name):
        if not isinstance(right, Name):
            raise RuleError(
                "one side of a comparison must be a single name",
                line=node.pos.line,
                column=node.pos.column,
                hint="move the arithmetic to the other side, e.g. 'a > b + 5' rather than 'a - b > 5'",
            )
        left, right, op = right, left, FLIPPED[op]
    return Test(left.path, NEGATED[op] if negate else op, right, node)


def term(node: Node) -> Term:
    """A value node as a term, with arithmetic on numbers alone worked out."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return Name(node.path)
    if isinstance(node, Neg):
        operand = term(node.operand)
        return -operand if _is_number(operand) else Calc("*", -1, operand)
    if isinstance(node, Arith):
        left, right = term(node.left), term(node.right)
        if node.op == "/" and right == 0 and _is_number(right):
            raise RuleError("divides by zero", line=node.pos.line, column=node.pos.column)
        if _is_number(left) and _is_number(right):
            result = ARITHMETIC[node.op](left, right)
            if not math.isfinite(result):
                raise RuleError("the arithmetic gives a number too large", line=node.pos.line, column=node.pos.column)
            return result
        return Calc(node.op, left, right)
    raise AssertionError(f"not a value: {node!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def evaluate(value: Term, values: dict[str, Any]) -> Any:
    """A term's value, or None when a name it reads is unknown or it divides by zero."""
    if isinstance(value, Name):
        return values.get(value.path)
    if isinstance(value, Calc):
        left, right = evaluate(value.left, values), evaluate(value.right, values)
        if left is None or right is None or (value.op == "/" and right == 0):
            return None
        return ARITHMETIC[value.op](left, right)
    return value


def holds(condition: Condition, values: dict[str, Any]) -> bool:
    """Whether a condition matches these values, as durable_rules matches it (unknown: None or absent)."""
    if isinstance(condition, Test):
        left, right = values.get(condition.name), evaluate(condition.value, values)
        return left is not None and right is not None and COMPARE[condition.op](left, right)
    if isinstance(condition, IsKnown):
        return (values.get(condition.name) is not None) == condition.known
    if isinstance(condition, Always):
        return condition.value
    if isinstance(condition, AllOf):
        return all(holds(item, values) for item in condition.items)
    return any(holds(item, values) for item in condition.items)


def names_in(value: Term) -> list[str]:
    """The names a term reads, left to right."""
    if isinstance(value, Name):
        return [value.path]
    if isinstance(value, Calc):
        return names_in(value.left) + names_in(value.right)
    return []


def tests(condition: Condition) -> list[Condition]:
    """The leaves of a condition (tests, known-tests, constants), left to right."""
    if isinstance(condition, (AllOf, AnyOf)):
        return [leaf for item in condition.items for leaf in tests(item)]
    return [condition]
