"""Compile a checked condition to durable_rules' condition JSON, for its Rete core to run.

durable_rules wants a single field name on the left of every test, and has no `not`
and no `in`: comparisons are turned round so a name stands on the left, `not` is pushed
down to the tests (De Morgan, inverted comparisons), and `in` becomes a chain of `or`.
A test on a figure that is unknown (absent from the fact) does not match, whichever way
round it is written.
"""
from __future__ import annotations

import math
import operator
from typing import Any

from ..errors import RuleError
from .parse import And, Arith, Compare, In, Known, Literal, Neg, Node, Not, Or, Ref
from .names import Catalogue

_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "==": "$eq", "!=": "$neq"}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}


def key(path: str) -> str:
    """A name as a fact key: durable_rules reads dots as nesting, and facts here are flat."""
    return path.replace(".", "__")


def compile_condition(node: Node, names: Catalogue, negate: bool = False) -> dict[str, Any]:
    """The durable_rules condition for a checked node (negated if `negate`)."""
    if isinstance(node, Not):
        return compile_condition(node.operand, names, not negate)
    if isinstance(node, (And, Or)):
        is_and = isinstance(node, And) != negate  # De Morgan
        parts = [compile_condition(item, names, negate) for item in node.items]
        return {"$and" if is_and else "$or": parts}
    if isinstance(node, Ref):  # a true-or-false name
        return {key(node.path): not negate}
    if isinstance(node, Literal):  # true / false on its own
        # Every fact has a kind, so these are always true and never true.
        return {"$ex" if bool(node.value) != negate else "$nex": {"kind": 1}}
    if isinstance(node, Known):
        return {("$ex" if node.known != negate else "$nex"): {key(node.operand.path): 1}}
    if isinstance(node, In):
        tests = [
            {("$neq" if negate else "$eq"): {key(node.operand.path): choice.value}} for choice in node.choices
        ]
        return {("$and" if negate else "$or"): tests}
    if isinstance(node, Compare):
        return _compare(node, negate)
    raise AssertionError(f"not a condition: {node!r}")


def _compare(node: Compare, negate: bool) -> dict[str, Any]:
    op, left, right = node.op, node.left, node.right
    if not isinstance(left, Ref):
        if not isinstance(right, Ref):
            raise RuleError(
                "one side of a comparison must be a single name",
                line=node.pos.line,
                column=node.pos.column,
                hint="move the arithmetic to the other side, e.g. 'a > b + 5' rather than 'a - b > 5'",
            )
        left, right, op = right, left, _FLIPPED[op]
    if negate:
        op = _NEGATED[op]
    return {_OPS[op]: {key(left.path): _value(right)}}


def _value(node: Node) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return {"$m": key(node.path)}
    if isinstance(node, Neg):
        operand = _value(node.operand)
        return -operand if isinstance(operand, float) else {"$mul": {"$l": -1, "$r": operand}}
    if isinstance(node, Arith):
        left, right = _value(node.left), _value(node.right)
        if node.op == "/" and right == 0:
            raise RuleError("divides by zero", line=node.pos.line, column=node.pos.column)
        if isinstance(left, float) and isinstance(right, float):
            return _fold(node, left, right)
        return {_ARITH[node.op]: {"$l": left, "$r": right}}
    raise AssertionError(f"not a value: {node!r}")


def _fold(node: Arith, left: float, right: float) -> float:
    # durable_rules never matches a test against arithmetic on numbers alone (`x >= 0 + 0`
    # is false even when x is 0), so such arithmetic is worked out here.
    result = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[node.op](left, right)
    if not math.isfinite(result):
        raise RuleError("the arithmetic gives a number too large", line=node.pos.line, column=node.pos.column)
    return result
