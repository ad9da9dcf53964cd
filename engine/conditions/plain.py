"""Conditions in plain English, generated from the parsed condition (never written twice).

    go_alone.months_to_service > line.months_to_need
    -> going alone's months to service is more than the line's months to need

Names become phrases from their parts (`go_alone.` is "going alone's", `param.` a named
threshold, a finding the title of the rule that concludes it); numbers are shown in the
unit of what they are compared with; `and`/`or` groups nest as "all of" / "any of".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .parse import And, Arith, Compare, In, Known, Literal, Neg, Node, Not, Or, Ref
from ..figures import figure
from .names import Catalogue

_OWNERS = {
    "go_alone": "going alone's",
    "offer": "the offer's",
    "line": "the line's",
    "org": "the organisation's",
}
_WORDS = {"npc": "net present cost", "org": "organisation", "vs": "against"}
_COMPARE = {
    ">": "is more than",
    ">=": "is at least",
    "<": "is less than",
    "<=": "is at most",
    "==": "is",
    "!=": "is not",
}
_NEGATED = {
    ">": "is not more than",
    ">=": "is less than",
    "<": "is not less than",
    "<=": "is more than",
    "==": "is not",
    "!=": "is",
}
_ARITH = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}
_ENDS = {"low": "at its low end", "high": "at its high end"}


def _words(snake: str) -> str:
    return " ".join(_WORDS.get(w, w) for w in snake.split("_"))


def name_phrase(path: str, catalogue: Catalogue) -> str:
    """A name as a phrase: `line.months_to_need` -> "the line's months to need"."""
    if catalogue.is_finding(path):
        title = catalogue.findings[path]
        return f"“{title[:1].lower() + title[1:]}”"
    parts = path.split(".")
    end = ""
    if parts[-1] in _ENDS and len(parts) > 2:
        end = " " + _ENDS[parts.pop()]
    if parts[0] == "param":
        return f"the {_words(parts[1])} threshold{end}"
    owner = _OWNERS.get(parts[0], parts[0])
    return f"{owner} {' '.join(_words(p) for p in parts[1:])}{end}"


@dataclass
class Plain:
    """A condition in plain English: a sentence for a leaf, or a group of items."""

    text: str
    group: str | None = None  # "all of", "any of", "none of", "not all of"
    items: list["Plain"] = field(default_factory=list)

    def sentence(self) -> str:
        """The whole condition in one sentence, brackets marking nested groups."""
        if not self.group:
            return self.text
        joiner = {"all of": " and ", "any of": " or ", "none of": " nor ", "not all of": " and "}[self.group]
        inner = joiner.join(f"({i.sentence()})" if i.group else i.sentence() for i in self.items)
        if self.group == "none of":
            return "neither " + inner
        if self.group == "not all of":
            return "not all of: " + inner
        return inner


class Describer:
    """Writes conditions of one rulebook in plain English."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def describe(self, node: Node, negate: bool = False) -> Plain:
        if isinstance(node, Not):
            return self.describe(node.operand, not negate)
        if isinstance(node, (And, Or)):
            items = [self.describe(item) for item in node.items]
            if not negate:
                return Plain("", "all of" if isinstance(node, And) else "any of", items)
            return Plain("", "not all of" if isinstance(node, And) else "none of", items)
        return Plain(self.leaf(node, negate))

    def leaf(self, node: Node, negate: bool = False) -> str:
        if isinstance(node, Literal):
            return "always" if bool(node.value) != negate else "never"
        if isinstance(node, Ref):
            phrase = name_phrase(node.path, self.catalogue)
            if self.catalogue.is_finding(node.path):
                return f"it is {'not ' if negate else ''}found that {phrase}"
            return f"{phrase} is {'no' if negate else 'yes'}"
        if isinstance(node, Known):
            known = node.known != negate
            return f"{self.value(node.operand)} is {'known' if known else 'not known'}"
        if isinstance(node, In):
            choices = ", ".join(f"“{c.value}”" for c in node.choices)
            verb = "is not one of" if negate else "is one of"
            return f"{self.value(node.operand)} {verb} {choices}"
        if isinstance(node, Compare):
            unit = self._unit(node.left) or self._unit(node.right)
            words = (_NEGATED if negate else _COMPARE)[node.op]
            return f"{self.value(node.left, unit)} {words} {self.value(node.right, unit)}"
        raise AssertionError(f"not a condition: {node!r}")

    def value(self, node: Node, unit: str | None = None) -> str:
        if isinstance(node, Literal):
            if isinstance(node.value, str):
                return f"“{node.value}”"
            if isinstance(node.value, bool):
                return "yes" if node.value else "no"
            if node.percent:
                return figure(node.value, "percent")
            return figure(node.value, unit) if unit in ("ratio", "percent") else figure(node.value, None)
        if isinstance(node, Ref):
            return name_phrase(node.path, self.catalogue)
        if isinstance(node, Neg):
            return f"minus {self.value(node.operand, unit)}"
        if isinstance(node, Arith):
            left, right = self.value(node.left, unit), self.value(node.right, unit)
            if isinstance(node.right, Arith):
                right = f"({right})"
            return f"{left} {_ARITH[node.op]} {right}"
        raise AssertionError(f"not a value: {node!r}")

    def _unit(self, node: Node) -> str | None:
        if isinstance(node, Ref):
            name = self.catalogue.get(node.path)
            return name.unit if name else None
        if isinstance(node, Arith):
            return self._unit(node.left) or self._unit(node.right)
        if isinstance(node, Neg):
            return self._unit(node.operand)
        return None


def sentence(node: Node, catalogue: Catalogue) -> str:
    """A condition in one plain English sentence."""
    return Describer(catalogue).describe(node).sentence()
