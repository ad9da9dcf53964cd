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

from .. import limits
from ..errors import RuleError
from .parse import And, Arith, Compare, In, Known, Literal, Neg, Node, Not, Or, Ref
from .names import Catalogue
from .names import fact_key as key  # the one mapping from a name to a fact key

_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "==": "$eq", "!=": "$neq"}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}


def compile_rule(node: Node, names: Catalogue) -> dict[str, Any]:
    """A rule's condition compiled, refused with a located RuleError if the engine could not hold it.

    durable_rules keeps each rule's `$and`/`$or` groups in a fixed array, and walks the
    paths that match one fact on a fixed stack (engine/limits.py); `not` pushed down by
    De Morgan can turn one group into many, so both are counted on the compiled form.
    """
    compiled = compile_condition(node, names)
    count = paths(compiled)
    if count > limits.MAX_PATHS_PER_RULE:
        raise RuleError(
            f"the condition has more alternatives than the rules engine's limit of {limits.MAX_PATHS_PER_RULE} "
            "(each 'or' branch and 'in' choice is one, and 'and' multiplies them)",
            line=node.pos.line, column=node.pos.column,
            hint="split it into several rules, or into rules that conclude findings",
        )
    count = groups(compiled)
    if count > limits.MAX_GROUPS_PER_RULE:
        raise RuleError(
            f"the condition compiles to {count} nested and/or groups, more than the rules engine's "
            f"limit of {limits.MAX_GROUPS_PER_RULE}",
            line=node.pos.line, column=node.pos.column,
            hint="split it into rules that conclude findings, and use the findings here",
        )
    return compiled


def paths(compiled: dict[str, Any]) -> int:
    """How many alpha paths of durable_rules' network a compiled condition takes (its DNF terms).

    Each is a slot of the engine's stack when it matches; counted up to one past the limit.
    """
    if "$or" in compiled:
        return min(sum(paths(c) for c in compiled["$or"]), limits.MAX_PATHS_PER_FACT + 1)
    if "$and" in compiled:
        total = 1
        for c in compiled["$and"]:
            total = min(total * paths(c), limits.MAX_PATHS_PER_FACT + 1)
        return total
    return 1


def groups(compiled: dict[str, Any]) -> int:
    """How many `$and`/`$or` groups a compiled condition holds."""
    for op in ("$and", "$or"):
        if op in compiled:
            return 1 + sum(groups(c) for c in compiled[op])
    return 0


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
        # A choice listed twice is one branch, not two: each branch is a path of the engine's.
        tests = [
            {("$neq" if negate else "$eq"): {key(node.operand.path): value}}
            for value in dict.fromkeys(choice.value for choice in node.choices)
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
