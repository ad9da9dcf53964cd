"""Compile a checked condition to durable_rules' condition JSON, for its Rete core to run.

durable_rules wants a single field name on the left of every test, and has no `not`
and no `in`: the condition's normal form (`normal.py`) already has the name on the left,
`not` pushed down and `in` expanded, so compiling is a walk that writes each part in the
engine's JSON. A test on a figure that is unknown (absent from the fact) does not match,
whichever way round it is written.
"""
from __future__ import annotations

from typing import Any

from .. import limits
from ..errors import RuleError
from . import normal
from .names import Catalogue
from .normal import fact_key
from .parse import Node

_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "==": "$eq", "!=": "$neq"}
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
    """The durable_rules condition for a checked node (negated if `negate`), from its normal form."""
    return engine_condition(normal.normalise(node, negate))


def engine_condition(form: normal.Condition) -> dict[str, Any]:
    """A condition in normal form, in durable_rules' condition language."""
    if isinstance(form, (normal.AllOf, normal.AnyOf)):
        return {"$and" if isinstance(form, normal.AllOf) else "$or": [engine_condition(i) for i in form.items]}
    if isinstance(form, normal.Test):
        if form.op == "==" and isinstance(form.value, bool):  # a true-or-false name, as the engine writes it
            return {fact_key(form.name): form.value}
        test = {_OPS[form.op]: {fact_key(form.name): _value(form.value)}}
        # durable_rules holds `0 > b` when b is absent from the fact; an unknown on either side must never hold
        # (normal.py), so each name read on the right is tested present. Parameters are always present.
        present = [{"$ex": {fact_key(n): 1}} for n in normal.names_in(form.value) if not n.startswith("param.")]
        return {"$and": [test, *present]} if present else test
    if isinstance(form, normal.IsKnown):
        return {("$ex" if form.known else "$nex"): {fact_key(form.name): 1}}
    # Every fact has a kind, so these are always true and never true.
    return {"$ex" if form.value else "$nex": {"kind": 1}}


def _value(term: normal.Term) -> Any:
    if isinstance(term, normal.Name):
        return {"$m": fact_key(term.path)}
    if isinstance(term, normal.Calc):
        return {_ARITH[term.op]: {"$l": _value(term.left), "$r": _value(term.right)}}
    return term
