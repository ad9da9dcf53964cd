"""A condition's clauses, evaluated in Python for reporting: coverage and `explain`.

The decision itself is always made by durable_rules (engine/assess.py). This module
re-evaluates a condition over the same fact values so a person can see which clause held
and which did not, through the same normal form the compiler reads (`normal.py`), so it
means exactly what durable_rules runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..case import Case
from . import normal
from .parse import And, Arith, Compare, In, Known, Literal, Neg, Node, Not, Or, Ref
from ..measures import LineMeasures
from .names import Catalogue
from ..parameters import InForce

Leaf = (Compare, Known, In, Ref, Literal)
_PRECEDENCE = {Or: 1, And: 2, Not: 3, Compare: 4, Known: 4, In: 4}


def fact_values(
    catalogue: Catalogue, case: Case, line: LineMeasures, params: dict[str, InForce], findings: frozenset[str] | set[str]
) -> dict[str, Any]:
    """Every name's value for one service line, as the rules see it (None: unknown)."""
    values: dict[str, Any] = {}
    for path, name in catalogue.by_path.items():
        if catalogue.is_finding(path):
            values[path] = path in findings
        else:
            values[path] = name.get(case, line, params)
    return values


def holds(node: Node, values: dict[str, Any], negate: bool = False) -> bool:
    """Whether the compiled condition (negated if `negate`) matches these values."""
    return normal.holds(normal.normalise(node, negate), values)


def truth(node: Node, values: dict[str, Any]) -> bool | None:
    """A clause's truth as written: True, False, or None when a figure it reads is unknown."""
    if isinstance(node, (Compare, In)) and any(values.get(r.path) is None for r in refs_in(node)):
        return None
    if isinstance(node, Ref) and values.get(node.path) is None:
        return None
    return holds(node, values)


def leaves(node: Node) -> list[Node]:
    """The clauses of a condition: its tests, left to right."""
    if isinstance(node, (And, Or)):
        return [leaf for item in node.items for leaf in leaves(item)]
    if isinstance(node, Not):
        return leaves(node.operand)
    return [node]


def refs_in(node: Node) -> list[Ref]:
    """The names a node reads, each once, in order."""
    from .parse import refs

    seen: dict[str, Ref] = {}
    for r in refs(node):
        seen.setdefault(r.path, r)
    return list(seen.values())


def text(node: Node) -> str:
    """A node written back in the condition language, with only the brackets it needs."""
    if isinstance(node, Literal):
        if isinstance(node.value, bool):
            return "true" if node.value else "false"
        if isinstance(node.value, str):
            return f'"{node.value}"'
        if node.percent:
            return f"{node.value * 100:g}%"
        return f"{node.value:g}"
    if isinstance(node, Ref):
        return node.path
    if isinstance(node, Neg):
        return f"-{_wrap(node.operand, 6)}"
    if isinstance(node, Arith):
        level = 5 if node.op in "+-" else 6
        return f"{_wrap(node.left, level)} {node.op} {_wrap(node.right, level + 0.5)}"
    if isinstance(node, Compare):
        return f"{text(node.left)} {node.op} {text(node.right)}"
    if isinstance(node, Known):
        return f"{text(node.operand)} is {'known' if node.known else 'unknown'}"
    if isinstance(node, In):
        return f"{text(node.operand)} in [{', '.join(text(c) for c in node.choices)}]"
    if isinstance(node, Not):
        return f"not {_wrap(node.operand, 3)}"
    if isinstance(node, (And, Or)):
        word = " and " if isinstance(node, And) else " or "
        level = _PRECEDENCE[type(node)]
        return word.join(_wrap(item, level + 0.5) for item in node.items)
    raise AssertionError(f"unhandled node {node!r}")


def _level(node: Node) -> float:
    if isinstance(node, Arith):
        return 5 if node.op in "+-" else 6
    if isinstance(node, Neg):
        return 7
    return _PRECEDENCE.get(type(node), 8)


def _wrap(node: Node, at_least: float) -> str:
    inner = text(node)
    return f"({inner})" if _level(node) < at_least else inner


@dataclass
class ClauseTally:
    """How often one clause of a rule's condition was seen true, false and unknown."""

    node: Node
    true: int = 0
    false: int = 0
    unknown: int = 0

    def see(self, value: bool | None) -> None:
        if value is None:
            self.unknown += 1
        elif value:
            self.true += 1
        else:
            self.false += 1

    @property
    def covered(self) -> bool:
        return self.true > 0 and self.false > 0


@dataclass
class RuleTally:
    """How often a rule fired and how each of its clauses came out, over many line assessments."""

    rule_id: str
    fired: int = 0
    clauses: list[ClauseTally] = field(default_factory=list)
