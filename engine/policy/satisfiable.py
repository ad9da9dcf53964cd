"""Can a condition ever hold? Can two conditions hold together? Reasoning for `joinup rules check`.

A condition is read in the normal form the compiler reads (`conditions/normal.py`:
negation pushed down to the tests, a test on an unknown figure never holding), findings are replaced by the conditions of the
rules that conclude them, and parameters by their values in force. The result, in
disjunctive normal form, is a list of alternatives, each a list of tests that must all
hold. An alternative is impossible when its tests contradict each other:

- bounds on one name that leave no interval (`org.seats > 5000 and org.seats < 1000`),
- two values for one text or true-or-false name (`kind == "email" and kind == "hosting"`),
- a name compared with another both ways (`a > b and a <= b`), or against its bounds,
- a name required known and unknown.

This is sound in one direction only: what it calls impossible is impossible; what it
cannot refute (arithmetic between names, say) it takes as possible.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from ..conditions import normal
from ..conditions.parse import Node
from ..rulebook import Rule, Rulebook

MAX_ALTERNATIVES = 4096
_NON_NEGATIVE_UNITS = frozenset({"count", "seats"})


class TooLarge(Exception):
    """The condition expands to too many alternatives to reason about."""


@dataclass(frozen=True)
class Atom:
    """One test: `name op value` (value a constant), `name op other` (two names), known, unknown, or opaque."""

    kind: str  # bound | relation | known | unknown | opaque | true | false
    name: str = ""
    op: str = ""
    value: Any = None
    other: str = ""
    names: tuple[str, ...] = ()
    origin: Node | None = None  # the clause of the rule being checked that it comes from


TRUE = Atom("true")
FALSE = Atom("false")
DNF = list[list[Atom]]


def product(parts: list[DNF]) -> DNF:
    result: DNF = [[]]
    for part in parts:
        result = [a + b for a in result for b in part]
        if len(result) > MAX_ALTERNATIVES:
            raise TooLarge
    return result


class Expander:
    """Turns a rule's condition into alternatives of tests, under one set of parameter values."""

    def __init__(self, rulebook: Rulebook, params: dict[str, float]):
        self.rulebook = rulebook
        self.params = params
        # Parameters by the names conditions read them by, for the one evaluator of terms.
        self.param_values = {f"param.{name}": value for name, value in params.items()}
        self.producers: dict[str, list[Rule]] = {}
        for r in rulebook.rules:
            if r.spec.then.finding:
                self.producers.setdefault(r.spec.then.finding, []).append(r)

    def matches(self, node: Node, negate: bool = False, origin: Node | None = None, depth: int = 0) -> DNF:
        """The alternatives under which the compiled condition (negated if `negate`) matches."""
        return self._expand(normal.normalise(node, negate), origin, depth)

    def _expand(self, form: normal.Condition, origin: Node | None, depth: int) -> DNF:
        if depth > 20:
            raise TooLarge
        if isinstance(form, normal.AllOf):
            return product([self._expand(item, origin, depth) for item in form.items])
        if isinstance(form, normal.AnyOf):
            return [alt for item in form.items for alt in self._expand(item, origin, depth)]
        if isinstance(form, normal.Always):
            return [[TRUE if form.value else FALSE]]
        where = origin or form.origin
        if isinstance(form, normal.IsKnown):
            return [[Atom("known" if form.known else "unknown", form.name, origin=where)]]
        if self.rulebook.catalogue.is_finding(form.name):
            fired = [alt for r in self.producers.get(form.name, []) for alt in self.matches(r.condition, False, where, depth + 1)]
            found = form.value == (form.op == "==")
            return fired if found else not_dnf(fired, where)
        return [[self._test(form, where)]]

    def _test(self, form: normal.Test, where: Node) -> Atom:
        op, name, value = form.op, form.name, form.value
        known = self.param_values
        here, there = known.get(name), normal.evaluate(value, known)
        if here is not None and there is not None:  # parameters and numbers alone: decided now
            return TRUE if _holds(here, op, there) else FALSE
        if here is not None and isinstance(value, normal.Name):  # a parameter on the left: turn it round
            return Atom("bound", value.path, normal.FLIPPED[op], here, origin=where)
        if here is None and there is not None:
            return Atom("bound", name, op, there, origin=where)
        if here is None and isinstance(value, normal.Name):
            return Atom("relation", name, op, other=value.path, origin=where)
        names = tuple(sorted({n for n in [name, *normal.names_in(value)] if not n.startswith("param.")}))
        return Atom("opaque", names=names, origin=where)


def _holds(a: Any, op: str, b: Any) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op]


def _not_atom(atom: Atom, origin: Node) -> list[Atom]:
    """The alternatives (each one atom) under which an atom does not hold, unknowns included."""
    if atom.kind == "true":
        return [FALSE]
    if atom.kind == "false":
        return [TRUE]
    if atom.kind == "known":
        return [Atom("unknown", atom.name, origin=origin)]
    if atom.kind == "unknown":
        return [Atom("known", atom.name, origin=origin)]
    if atom.kind == "bound":
        return [Atom("unknown", atom.name, origin=origin), Atom("bound", atom.name, normal.NEGATED[atom.op], atom.value, origin=origin)]
    if atom.kind == "relation":
        return [
            Atom("unknown", atom.name, origin=origin),
            Atom("unknown", atom.other, origin=origin),
            Atom("relation", atom.name, normal.NEGATED[atom.op], other=atom.other, origin=origin),
        ]
    return [Atom("opaque", names=(), origin=origin)]


def not_dnf(dnf: DNF, origin: Node) -> DNF:
    """The classical negation of alternatives: a finding that did not fire."""
    parts = [[[alt] for atom in conj for alt in _not_atom(atom, origin)] for conj in dnf]
    return product(parts) if parts else [[TRUE]]


@dataclass
class _Tests:
    """One alternative's tests, gathered by name: what must be known, bounds, values, relations."""

    known: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    low: dict[str, tuple[float, bool]] = field(default_factory=dict)  # name -> (bound, strict)
    high: dict[str, tuple[float, bool]] = field(default_factory=dict)
    equal: dict[str, Any] = field(default_factory=dict)
    differ: dict[str, set[Any]] = field(default_factory=dict)
    relations: list[Atom] = field(default_factory=list)
    contradicted: bool = False

    def add(self, a: Atom) -> None:
        if a.kind == "false":
            self.contradicted = True
        elif a.kind == "unknown":
            self.unknown.add(a.name)
        elif a.kind == "opaque":
            self.known.update(a.names)
        elif a.kind != "true":
            self.known.add(a.name)
            if a.kind == "relation":
                self.known.add(a.other)
                self.relations.append(a)
            elif a.kind == "bound":
                self._bound(a)

    def _bound(self, a: Atom) -> None:
        if a.op == "==":
            if a.name in self.equal and self.equal[a.name] != a.value:
                self.contradicted = True
            self.equal[a.name] = a.value
        elif a.op == "!=":
            self.differ.setdefault(a.name, set()).add(a.value)
        else:
            lower = a.op in (">", ">=")
            _tighten(self.low if lower else self.high, a.name, float(a.value), a.op in (">", "<"), lower=lower)

    def what_the_units_imply(self, units: dict[str, str | None]) -> None:
        """A range-valued figure's ends bound its likely value (x.low <= x <= x.high); counts and seats are not negative."""
        for name in list(self.known):
            for end, op in ((".low", "<="), (".high", ">=")):
                if name.endswith(end) and name[: -len(end)] in units:
                    self.relations.append(Atom("relation", name, op, other=name[: -len(end)]))
        for name, unit in units.items():
            if unit in _NON_NEGATIVE_UNITS and name in self.known:
                _tighten(self.low, name, 0.0, False, lower=True)

    def values_fit(self) -> bool:
        """No value is both required and refused, or outside its name's bounds."""
        for name, v in self.equal.items():
            if v in self.differ.get(name, set()):
                return False
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not _inside(float(v), self.low.get(name), self.high.get(name)):
                return False
        return True

    def bounds_leave_room(self) -> bool:
        """Each name's lower and upper bounds leave at least one value it may take."""
        for name in set(self.low) & set(self.high):
            (lo, lo_strict), (hi, hi_strict) = self.low[name], self.high[name]
            if lo > hi or (lo == hi and (lo_strict or hi_strict)):
                return False
            if lo == hi and lo in self.differ.get(name, set()):
                return False
        return True


def possible(atoms: list[Atom], units: dict[str, str | None]) -> bool:
    """Whether the tests of one alternative can all hold at once."""
    tests = _Tests()
    for a in atoms:
        tests.add(a)
        if tests.contradicted:
            return False
    if tests.known & tests.unknown:
        return False
    tests.what_the_units_imply(units)
    return tests.values_fit() and tests.bounds_leave_room() and _relations_possible(
        tests.relations, tests.low, tests.high, tests.equal
    )


def _tighten(bounds: dict[str, tuple[float, bool]], name: str, v: float, strict: bool, lower: bool) -> None:
    if name not in bounds:
        bounds[name] = (v, strict)
        return
    old, old_strict = bounds[name]
    if (v > old if lower else v < old) or (v == old and strict):
        bounds[name] = (v, strict or (v == old and old_strict))


def _inside(v: float, lo: tuple[float, bool] | None, hi: tuple[float, bool] | None) -> bool:
    if lo and (v < lo[0] or (v == lo[0] and lo[1])):
        return False
    if hi and (v > hi[0] or (v == hi[0] and hi[1])):
        return False
    return True


def _propagate(relations: list[Atom], low: dict, high: dict) -> bool:
    """Carry bounds along `a < b`-style relations (a's lower bound lifts b's, b's upper caps a's)."""
    for _ in range(len(relations) + 1):
        changed = False
        for r in relations:
            pairs = {"<": [(r.name, r.other)], "<=": [(r.name, r.other)], ">": [(r.other, r.name)], ">=": [(r.other, r.name)],
                     "==": [(r.name, r.other), (r.other, r.name)]}.get(r.op, [])
            for small, big in pairs:
                strict = r.op in ("<", ">")
                if small in low:
                    v, s = low[small]
                    before = low.get(big)
                    _tighten(low, big, v, s or strict, lower=True)
                    changed |= low.get(big) != before
                if big in high:
                    v, s = high[big]
                    before = high.get(small)
                    _tighten(high, small, v, s or strict, lower=False)
                    changed |= high.get(small) != before
        if not changed:
            break
    for name in set(low) & set(high):
        (lo, lo_strict), (hi, hi_strict) = low[name], high[name]
        if lo > hi or (lo == hi and (lo_strict or hi_strict)):
            return False
    return True


def _relations_possible(relations: list[Atom], low: dict, high: dict, equal: dict) -> bool:
    low, high = dict(low), dict(high)
    if not _propagate(relations, low, high):
        return False
    signs: dict[tuple[str, str], set[str]] = {}
    for r in relations:
        a, b, op = r.name, r.other, r.op
        if a > b:
            a, b, op = b, a, normal.FLIPPED[op]
        allowed = {"<": {"<"}, "<=": {"<", "="}, ">": {">"}, ">=": {">", "="}, "==": {"="}, "!=": {"<", ">"}}[op]
        # Bounds on the two names rule some signs out.
        lo_a, hi_a = _range(a, low, high, equal)
        lo_b, hi_b = _range(b, low, high, equal)
        if lo_a >= hi_b:
            allowed -= {"<"}
        if hi_a <= lo_b:
            allowed -= {">"}
        if hi_a < lo_b or lo_a > hi_b:
            allowed -= {"="}
        signs[(a, b)] = signs.get((a, b), {"<", "=", ">"}) & allowed
        if not signs[(a, b)]:
            return False
    return True


def _range(name: str, low: dict, high: dict, equal: dict) -> tuple[float, float]:
    v = equal.get(name)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v), float(v)
    return (low[name][0] if name in low else -math.inf), (high[name][0] if name in high else math.inf)


def any_possible(dnf: DNF, units: dict[str, str | None]) -> bool:
    return any(possible(alt, units) for alt in dnf)


def core(atoms: list[Atom], units: dict[str, str | None]) -> list[Atom]:
    """A smallest-by-deletion set of tests that already contradict each other."""
    kept = list(atoms)
    for a in list(kept):
        trial = [x for x in kept if x is not a]
        if not possible(trial, units):
            kept = trial
    return kept


def parameter_periods(rulebook: Rulebook) -> list[tuple[dt.date, dict[str, float]]]:
    """Each date a parameter value takes effect, with every value in force from then."""
    params = rulebook.parameters.by_name.values()
    # Cases can be decided only once every parameter has a value.
    start = max((min(v.from_ for v in p.values) for p in params), default=dt.date.min)
    dates = sorted({v.from_ for p in params for v in p.values if v.from_ >= start}) or [start]
    periods = []
    for day in dates:
        values = {}
        for name, p in rulebook.parameters.by_name.items():
            v = p.in_force(day)
            if v is not None:
                values[name] = float(v.value)
        periods.append((day, values))
    return periods


def units_of(rulebook: Rulebook) -> dict[str, str | None]:
    return {path: n.unit for path, n in rulebook.catalogue.by_path.items()}


def pairs(items: list[Any]) -> list[tuple[Any, Any]]:
    return list(itertools.combinations(items, 2))
