"""Conditions in plain English, generated from the parsed condition (never written twice).

    go_alone.months_to_service > line.months_to_need
    -> going alone's months to service is more than the line's months to need

Names become phrases from their parts (`go_alone.` is "going alone's", `param.` a named
threshold, a finding the title of the rule that concludes it); numbers are shown in the
unit of what they are compared with; `and`/`or` groups nest as "all of" / "any of";
`not` is already pushed down to the tests, as the engine runs it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import normal
from .parse import Node
from ..figures import figure
from .names import Catalogue

# Whose figure a name's first part says it is, as a board member reads it (also used by the
# analysis's sentences about a case's inputs).
OWNERS = {
    "go_alone": "going alone's",
    "offer": "the offer's",
    "business_as_usual": "the current service's",
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
    owner = OWNERS.get(parts[0], parts[0])
    return f"{owner} {' '.join(_words(p) for p in parts[1:])}{end}"


@dataclass
class Plain:
    """A condition in plain English: a sentence for a leaf, or a group of items."""

    text: str
    group: str | None = None  # "all of" or "any of"
    items: list["Plain"] = field(default_factory=list)

    def sentence(self) -> str:
        """The whole condition in one sentence, brackets marking nested groups."""
        if not self.group:
            return self.text
        joiner = " and " if self.group == "all of" else " or "
        return joiner.join(f"({i.sentence()})" if i.group else i.sentence() for i in self.items)


class Describer:
    """Writes conditions of one rulebook in plain English, from their normal form.

    Reading the normal form (`normal.py`) means the English says what durable_rules runs:
    `not (x > 10 or y > 10)` reads "x is at most 10 and y is at most 10", which, like the
    engine, is false when x is unknown.
    """

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def describe(self, node: Node) -> Plain:
        return self._describe(normal.normalise(node))

    def _describe(self, form: normal.Condition) -> Plain:
        if isinstance(form, (normal.AllOf, normal.AnyOf)):
            listed = self._choices(form)
            if listed:
                return Plain(listed)
            return Plain("", "all of" if isinstance(form, normal.AllOf) else "any of",
                         [self._describe(item) for item in form.items])
        return Plain(self.leaf(form))

    def leaf(self, form: normal.Condition) -> str:
        if isinstance(form, normal.Always):
            return "always" if form.value else "never"
        phrase = name_phrase(form.name, self.catalogue)
        if isinstance(form, normal.IsKnown):
            return f"{phrase} is {'known' if form.known else 'not known'}"
        if isinstance(form.value, bool) and form.op in ("==", "!="):
            yes = form.value == (form.op == "==")
            if self.catalogue.is_finding(form.name):
                return f"it is {'' if yes else 'not '}found that {phrase}"
            return f"{phrase} is {'yes' if yes else 'no'}"
        return f"{phrase} {_COMPARE[form.op]} {self.value(form.value, self._unit(form.name))}"

    def value(self, term: normal.Term, unit: str | None = None) -> str:
        if isinstance(term, normal.Name):
            return name_phrase(term.path, self.catalogue)
        if isinstance(term, normal.Calc):
            if term.op == "*" and term.left == -1:
                return f"minus {self.value(term.right, unit)}"
            left, right = self.value(term.left, unit), self.value(term.right, unit)
            if isinstance(term.right, normal.Calc):
                right = f"({right})"
            return f"{left} {_ARITH[term.op]} {right}"
        if isinstance(term, str):
            return f"“{term}”"
        if isinstance(term, bool):
            return "yes" if term else "no"
        return figure(term, unit) if unit in ("ratio", "percent") else figure(term, None)

    def _unit(self, path: str) -> str | None:
        name = self.catalogue.get(path)
        return name.unit if name else None

    def _choices(self, form: normal.AllOf | normal.AnyOf) -> str | None:
        """`x is one of a, b` for an `in` list: any of equalities on one name (all of inequalities: `not in`)."""
        op = "==" if isinstance(form, normal.AnyOf) else "!="
        items = form.items
        if len(items) < 2 or not all(isinstance(i, normal.Test) and i.op == op and isinstance(i.value, str) for i in items):
            return None
        if len({i.name for i in items}) != 1:
            return None
        verb = "is one of" if op == "==" else "is not one of"
        return f"{name_phrase(items[0].name, self.catalogue)} {verb} " + ", ".join(f"“{i.value}”" for i in items)


def sentence(node: Node, catalogue: Catalogue) -> str:
    """A condition in one plain English sentence."""
    return Describer(catalogue).describe(node).sentence()
