"""Assess a measured case: run the rulebook's conditions in durable_rules' Rete core.

durable_rules sits behind this module alone. What was learnt of it (shared notes) shapes
how it is driven: one host per rulebook with its timer threads switched off, one session
per case deleted afterwards, every condition opening with a test on `kind` (so the
session state, re-asserted as a fact, never matches), unique fact ids, and actions that
only append to a list. Findings chain forward by layer: the rules that read a finding
run on a later fact carrying the findings of the layers before.

durable_rules' C core has fixed-size buffers (engine/limits.py): past 64 alpha paths
matching one fact it corrupts its heap, past 511 tests after one node it spins forever.
So each layer's rules are split into fact groups, each within those limits whatever the
rulebook: a group's rules have at most MAX_PATHS_PER_FACT paths between them (each rule
counts its `or` branches and `in` choices, as compiled) and read at most
MAX_NAMES_PER_FACT names. Each group has its own `kind` and gets its own fact; groups
fill rulesets of at most MAX_GROUPS_PER_RULESET. The shipped rulebook is one group a
layer in one ruleset: what it costs is what it cost before the split.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

import durable_rules_engine
from durable.engine import Host, MessageNotHandledException, Ruleset

from . import limits
from .case import Case
from .conditions.compile import paths
from .conditions.normal import fact_key
from .measures import Measures
from .rulebook import Rulebook

_ids = itertools.count()
_SID = "case"


# durable_rules' C parser reads an exponent only after a decimal point, so "1e-05" and
# "2e+16" (how json.dumps writes such floats) fail with error 204, and the session is
# left broken. Each number outside a string gets the point it needs: "1.0e-05".
_EXPONENT_WITHOUT_POINT = re.compile(r'("(?:[^"\\]|\\.)*")|(?<![\d.])(-?\d+)(?=[eE])')
# What json.dumps(value, ensure_ascii=False, allow_nan=False) does, without making an
# encoder for every fact: json.dumps keeps one only for its default options.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def engine_json(value: Any) -> str:
    """`value` as JSON durable_rules' C core reads: every exponent after a point, no NaN or infinity."""
    text = _ENCODER.encode(value)
    # json.dumps writes every exponent with its sign ("1e-05", "1e+16"): a plain substring
    # test clears the common case far cheaper than the rewrite, or any regex.
    if "e-" not in text and "e+" not in text:
        return text
    return _EXPONENT_WITHOUT_POINT.sub(lambda m: m.group(1) or m.group(2) + ".0", text)


class _Host(Host):
    """A host without the timer threads, which race the caller (shared notes)."""

    def _run(self) -> None:  # noqa: D401 - durable_rules' hook
        return None


class _JoinupHost(_Host):
    """Holds joinup's ruleset: registered as a _RecordingRuleset, serialised with engine_json."""

    def register_rulesets(self, ruleset_definitions):
        # durable_rules' own registration serialises with json.dumps (see engine_json).
        for name, definition in ruleset_definitions.items():
            ruleset = _RecordingRuleset(name, self, definition)
            self._ruleset_directory[name] = ruleset
            self._ruleset_list.append(ruleset)


class _RecordingRuleset(Ruleset):
    """Runs actions the cheap way: our actions only record, and never change the state.

    durable_rules' own loop builds a closure, re-serialises the session state and
    re-asserts it after every action, and decodes each matched fact; an action that
    only records which rule fired needs none of that. This loop records the rule's
    index and goes straight on to the next action, through the same engine calls.
    """

    _record = staticmethod(lambda index: None)

    def __init__(self, name, host, definition):  # durable_rules' own, but through engine_json
        self._actions, self._name, self._host = {}, name, host  # no actions: do_actions only records
        self._definition = {rule: {k: v for k, v in spec.items() if k != "run"} for rule, spec in definition.items()}
        self._handle = durable_rules_engine.create_ruleset(name, engine_json(self._definition))

    def assert_fact(self, fact):
        return self._handle_result(durable_rules_engine.assert_fact(self._handle, engine_json(fact)), fact)

    def do_actions(self, state_handle, complete):
        try:
            result = durable_rules_engine.start_action_for_state(self._handle, state_handle)
            while result:
                # Every result is {"r<index>": <matched facts>}: the rule's index is all we
                # need (sink rules, "sink<layer>", are not rules of the rulebook).
                rule = _rule_name(result if isinstance(result, str) else result[1])
                if rule[0] == "r":
                    self._record(int(rule[1:]))
                result = durable_rules_engine.complete_and_start_action(self._handle, state_handle)
            complete(None, None)
        except BaseException as error:  # as durable_rules does: hand the error to the caller
            complete(error, None)


def _rule_name(message: str) -> str:
    start = message.index('"') + 1
    return message[start : message.index('"', start)]


@dataclass(frozen=True)
class Firing:
    """A rule that fired on a service line."""

    rule: int  # index in rulebook.rules
    line: int  # index in case.service_lines


@dataclass(frozen=True)
class Findings:
    """What fired, per service line, in the order layers ran."""

    firings: tuple[Firing, ...]
    findings: tuple[frozenset[str], ...]  # per line: the findings that hold


@dataclass(frozen=True)
class _Group:
    """Rules of one layer asserted against one fact: within the engine's limits together."""

    kind: str  # the fact's `kind`, which only this group's rules test
    ruleset: int  # index of the ruleset holding the group
    rules: tuple[int, ...]  # indices in rulebook.rules
    keys: tuple[str, ...]  # the fact keys of the names its rules read
    findings: tuple[tuple[str, str], ...]  # (finding, fact key) its rules read


def fact_groups(rulebook: Rulebook) -> list[list[_Group]]:
    """Each layer's rules split into groups, in rule order, none past the engine's limits.

    A rule alone is always within them: its paths and names are bounded when it loads.
    """
    names = rulebook.fact_names()
    layers: list[list[_Group]] = []
    count = 0
    for layer, indices in enumerate(rulebook.layers):
        groups: list[_Group] = []
        chunks: list[tuple[list[int], set[str]]] = []
        total = limits.MAX_PATHS_PER_FACT + 1
        for i in indices:
            rule = rulebook.rules[i]
            used = {n.path for n in rule.names}
            n_paths = paths(rule.compiled)
            if chunks:
                rules, reads = chunks[-1]
                if total + n_paths <= limits.MAX_PATHS_PER_FACT and len(reads | used) <= limits.MAX_NAMES_PER_FACT:
                    rules.append(i)
                    reads |= used
                    total += n_paths
                    continue
            chunks.append(([i], set(used)))
            total = n_paths
        for k, (rules, reads) in enumerate(chunks):
            keys = tuple(n.key for n in names if n.path in reads)
            findings = tuple((f, fact_key(f)) for f in rulebook.catalogue.findings if f in reads)
            kind = f"L{layer}" if len(chunks) == 1 else f"L{layer}.{k}"
            groups.append(_Group(kind, count // limits.MAX_GROUPS_PER_RULESET, tuple(rules), keys, findings))
            count += 1
        layers.append(groups)
    return layers


class Assessor:
    """The rulebook compiled into durable_rules rulesets (one, unless it is very large), ready to assess cases."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self._fired: list[int] = []
        names = rulebook.fact_names()
        self._names = [(n.key, n.get) for n in names]
        # Each group's fact carries only what its rules read: every key costs the engine
        # time on every firing.
        self._layers = fact_groups(rulebook)
        count = 1 + max((g.ruleset for groups in self._layers for g in groups), default=0)
        base = next(_ids)
        self.names = [f"joinup{base}" + (f"_{k}" if k else "") for k in range(count)]
        self.name = self.names[0]
        self._concludes = [r.spec.then.finding for r in rulebook.rules]
        self._host = _JoinupHost()
        self._host.set_rulesets({name: self.ruleset(k) for k, name in enumerate(self.names)})
        for name in self.names:
            self._host.get_ruleset(name)._record = self._fired.append
        self._plan = [
            [(self.names[g.ruleset], g.kind, g.keys, g.findings) for g in groups] for groups in self._layers
        ]

    def ruleset(self, index: int = 0) -> dict[str, Any]:
        """One durable_rules ruleset: one rule per rule, its condition behind its group's `kind` test.

        Its actions do nothing: joinup's ruleset records which rule fired before any
        action would run (see _RecordingRuleset).
        """
        definition = {}
        for groups in self._layers:
            for g in groups:
                if g.ruleset != index:
                    continue
                for i in g.rules:
                    condition = {"$and": [{"kind": g.kind}, self.rulebook.rules[i].compiled]}
                    definition[f"r{i}"] = {"all": [{"m": condition}], "run": _nothing}
                # A fact that no rule matches makes durable_rules raise, and deleting that
                # session then crashes the process (seen here): a sink rule per group
                # matches every fact of the group, so none goes unhandled.
                definition[f"sink{g.kind}"] = {"all": [{"m": {"kind": g.kind}}], "run": _nothing}
        return definition

    def facts(self, case: Case, measures: Measures) -> list[dict[str, Any]]:
        """The base fact for each service line: every figure the rules read, unknowns left out."""
        params = measures.parameters
        facts = []
        for line in measures.lines:
            fact = {}
            for key, get in self._names:
                value = get(case, line, params)
                if value is not None:
                    fact[key] = value
            facts.append(fact)
        return facts

    def assess(self, case: Case, measures: Measures) -> Findings:
        """Run every layer of rules over every service line of a measured case."""
        host, fired, concludes = self._host, self._fired, self._concludes
        firings: list[Firing] = []
        held: list[set[str]] = []
        unhandled = False
        lines = 0
        try:
            for li, base in enumerate(self.facts(case, measures)):
                lines += 1
                found: set[str] = set()
                for layer, groups in enumerate(self._plan):
                    fired.clear()
                    for g, (name, kind, keys, findings) in enumerate(groups):
                        fact = {k: base[k] for k in keys if k in base}
                        for f, k in findings:
                            fact[k] = f in found
                        fact.update(kind=kind, id=f"{li}.{layer}.{g}", sid=_SID)
                        try:
                            host.assert_fact(name, fact)
                        except MessageNotHandledException:
                            # Cannot happen while every group has its sink rule; if it did,
                            # deleting the session would crash the process (shared notes).
                            unhandled = True
                            raise
                    # A condition with `or` fires once per branch that holds: count it once.
                    for index in sorted(set(fired)):
                        firings.append(Firing(index, li))
                        finding = concludes[index]
                        if finding:
                            found.add(finding)
                held.append(found)
        except BaseException:
            # A failed assert can leave no state to delete (error 309): report the first error.
            # After an unhandled fact, deleting the session would crash the process.
            if not unhandled:
                for name in self.names:  # each on its own: one that was never opened raises 309
                    with contextlib.suppress(Exception):
                        self._host.delete_state(name, _SID)
            self._fired.clear()
            raise
        if lines:
            self._close()
        return Findings(tuple(firings), tuple(frozenset(f) for f in held))

    def _close(self) -> None:
        """Delete the case's sessions."""
        self._fired.clear()
        for name in self.names:
            self._host.delete_state(name, _SID)


def _nothing(c: Any) -> None:
    return None
