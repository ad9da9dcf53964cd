"""Assess a measured case: run the rulebook's conditions in durable_rules' Rete core.

durable_rules sits behind this module alone. What was learnt of it (shared notes) shapes
how it is driven: one host per rulebook with its timer threads switched off, one session
per case deleted afterwards, every condition opening with a test on `kind` (so the
session state, re-asserted as a fact, never matches), unique fact ids, and actions that
only append to a list. Findings chain forward by layer: the rules that read a finding
run on a later fact carrying the findings of the layers before.
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

from .case import Case
from .measures import Measures
from .rulebook import Rulebook

_ids = itertools.count()
_SID = "case"


# durable_rules' C parser reads an exponent only after a decimal point, so "1e-05" and
# "2e+16" (how json.dumps writes such floats) fail with error 204, and the session is
# left broken. Each number outside a string gets the point it needs: "1.0e-05".
_EXPONENT_WITHOUT_POINT = re.compile(r'("(?:[^"\\]|\\.)*")|(?<![\d.])(-?\d+)(?=[eE])')


def engine_json(value: Any) -> str:
    """`value` as JSON durable_rules' C core reads: every exponent after a point, no NaN or infinity."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
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


class Assessor:
    """The rulebook compiled into one durable_rules ruleset, ready to assess cases."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.name = f"joinup{next(_ids)}"
        self._fired: list[int] = []
        names = rulebook.fact_names()
        self._names = [(n.key, n.get) for n in names]
        # Each layer's fact carries only what that layer's rules read: every key costs
        # the engine time on every firing.
        self._layer_keys = []
        self._layer_findings = []
        for layer in rulebook.layers:
            used = {n.path for i in layer for n in rulebook.rules[i].names}
            self._layer_keys.append([n.key for n in names if n.path in used])
            self._layer_findings.append([f for f in rulebook.catalogue.findings if f in used])
        self._concludes = [r.spec.then.finding for r in rulebook.rules]
        self._host = _JoinupHost()
        self._host.set_rulesets({self.name: self.ruleset()})
        ruleset = self._host.get_ruleset(self.name)
        ruleset._record = self._fired.append

    def ruleset(self) -> dict[str, Any]:
        """The durable_rules ruleset: one rule per rule, its condition behind a `kind` test.

        Its actions do nothing: joinup's ruleset records which rule fired before any
        action would run (see _RecordingRuleset).
        """
        definition = {}
        for i, r in enumerate(self.rulebook.rules):
            condition = {"$and": [{"kind": f"L{r.layer}"}, r.compiled]}
            definition[f"r{i}"] = {"all": [{"m": condition}], "run": _nothing}
        # A fact that no rule matches makes durable_rules raise, and deleting that
        # session then crashes the process (seen here): a sink rule per layer matches
        # every fact of the layer, so none goes unhandled.
        for layer in range(len(self.rulebook.layers)):
            definition[f"sink{layer}"] = {"all": [{"m": {"kind": f"L{layer}"}}], "run": _nothing}
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
        host, name, fired = self._host, self.name, self._fired
        firings: list[Firing] = []
        held: list[set[str]] = []
        unhandled = False
        try:
            for li, base in enumerate(self.facts(case, measures)):
                found: set[str] = set()
                for layer, (keys, findings) in enumerate(zip(self._layer_keys, self._layer_findings)):
                    fact = {k: base[k] for k in keys if k in base}
                    for f in findings:
                        fact[f] = f in found
                    fact.update(kind=f"L{layer}", id=f"{li}.{layer}", sid=_SID)
                    fired.clear()
                    try:
                        host.assert_fact(name, fact)
                    except MessageNotHandledException:
                        # Cannot happen while every layer has its sink rule; if it did,
                        # deleting the session would crash the process (shared notes).
                        unhandled = True
                        raise
                    # A condition with `or` fires once per branch that holds: count it once.
                    for index in sorted(set(fired)):
                        firings.append(Firing(index, li))
                        finding = self._concludes[index]
                        if finding:
                            found.add(finding)
                held.append(found)
        except BaseException:
            # A failed assert can leave no state to delete (error 309): report the first error.
            # After an unhandled fact, deleting the session would crash the process.
            if not unhandled:
                with contextlib.suppress(Exception):
                    self._close()
            raise
        self._close()
        return Findings(tuple(firings), tuple(frozenset(f) for f in held))

    def _close(self) -> None:
        """Delete the case's session."""
        self._fired.clear()
        self._host.delete_state(self.name, _SID)


def _nothing(c: Any) -> None:
    return None
