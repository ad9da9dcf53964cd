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
    """One variant's verdicts, and each line's value for money of going alone (pounds): as measured, and net of the
    margin the presumption asks it to clear, which is where the value of information is reckoned from."""

    overall: str
    lines: tuple[str, ...]
    advantage: tuple[float, ...]
    net: tuple[float, ...]
    deciding: tuple[tuple[str, ...], ...]  # per line, the titles of the rules that decided it
    referring: tuple[tuple[str, ...], ...]  # per line, those of them whose own verdict is refer


class Verdicts:
    """Decides variants of a case (figures or parameters changed) under one rulebook."""

    def __init__(self, decider: Decider):
        self.decider = decider
        self.rules = decider.rulebook.rules
        self.count = 0  # decisions made, for the benchmark
        self.reuse = Reuse()
        # A line's verdict by the rules that fired on it: variants fire few distinct sets.
        self._settled: dict[tuple[int, ...], _Settled] = {}

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
        settled = [self._settled_line(tuple(rules)) for rules in fired]
        lines = tuple(s.verdict for s in settled)
        self.count += 1
        return Outcome(overall(list(lines)), lines, tuple(m.go_alone_advantage for m in measures.lines),
                       tuple(m.go_alone_advantage - m.margin_to_clear for m in measures.lines),
                       tuple(s.deciding for s in settled), tuple(s.referring for s in settled))

    def _settled_line(self, fired: tuple[int, ...]) -> "_Settled":
        """A line's verdict from the rules that fired on it (indices, in firing order), by decide's precedence."""
        settled = self._settled.get(fired)
        if settled is None:
            d = line_verdict([self.rules[i] for i in fired], self.decider.rulebook)
            settled = self._settled[fired] = _Settled(
                d.verdict, tuple(r.spec.title for r in d.deciding),
                tuple(r.spec.title for r in d.deciding if r.spec.then.verdict == "refer"),
            )
        return settled


@dataclass(frozen=True)
class _Settled:
    """A line's verdict, with the titles of the rules that decided it and of those among them that refer."""

    verdict: str
    deciding: tuple[str, ...]
    referring: tuple[str, ...]
