"""Deciding many variants of one case fast: the verdicts only, by the real rulebook.

One Decider (its durable_rules host and compiled rulesets) is reused for every variant;
each variant is measured afresh, but for the parts it shares with an earlier variant (those
no changed input reaches: engine.reuse), and assessed in the same session the Assessor reuses.
The reasons, trace and wording that `decide` builds for a reader are skipped: a variant
needs only its verdicts, and these come from the same `line_verdict` and `overall`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..api import Decider
from ..case import Case
from ..decide import line_verdict, overall
from ..measures import measure
from ..parameters import InForce
from ..reuse import Reuse


@dataclass(frozen=True)
class Outcome:
    """One variant's verdicts, and each line's value for money of going alone (pounds) for the value of information."""

    overall: str
    lines: tuple[str, ...]
    advantage: tuple[float, ...]


class Verdicts:
    """Decides variants of a case (figures or parameters changed) under one rulebook."""

    def __init__(self, decider: Decider):
        self.decider = decider
        self.rules = decider.rulebook.rules
        self.count = 0  # decisions made, for the benchmark
        self.reuse = Reuse()
        # A line's verdict by the rules that fired on it: variants fire few distinct sets.
        self._settled: dict[tuple[int, ...], str] = {}

    def outcome(self, case: Case, params: dict[str, InForce]) -> Outcome | None:
        """The verdicts of a variant: measured, assessed and settled as `decide` does; None if it cannot be measured.

        A variant can leave what the case file allows (a pool moved below its lowest price
        tier has no price): it has no verdict, and a search stops short of it.
        """
        try:
            measures = measure(case, params, self.reuse)
        except (ValueError, ZeroDivisionError, OverflowError):
            return None
        findings = self.decider.assessor.assess(case, measures)
        fired: list[list[int]] = [[] for _ in case.service_lines]
        for f in findings.firings:
            fired[f.line].append(f.rule)
        lines = tuple(self._verdict(tuple(rules)) for rules in fired)
        self.count += 1
        return Outcome(overall(list(lines)), lines, tuple(m.go_alone_advantage for m in measures.lines))

    def _verdict(self, fired: tuple[int, ...]) -> str:
        """A line's verdict from the rules that fired on it (indices, in firing order), by decide's precedence."""
        verdict = self._settled.get(fired)
        if verdict is None:
            verdict = self._settled[fired] = line_verdict([self.rules[i] for i in fired], self.decider.rulebook).verdict
        return verdict
