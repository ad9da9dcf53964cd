"""Decide: turn what fired into a recommendation, per service line and overall.

Per line, the verdict of the heaviest rule that gave one prevails; two opposite verdicts
of equal weight, or none at all, refer the line to people. Overall: every line joins,
join; every line goes alone, go-alone; some of each, join-in-part; any line referred,
refer.
"""
from __future__ import annotations

import functools
from typing import Any

from .assess import Findings
from .case import Case
from .figures import figure
from .measures import Measures
from .conditions.names import Name
from .recommendation import (
    Attached,
    LineRecommendation,
    Observed,
    Provenance,
    Reason,
    Recommendation,
    TraceStep,
)
from .rulebook import PLACEHOLDER, Rule, Rulebook


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _names(lines: list[str]) -> str:
    """Service line names inside a sentence: 'desktops and service desk' (acronyms kept)."""
    return _and([n if n[:2].isupper() else n[:1].lower() + n[1:] for n in lines])


class _Values:
    """Reads a name's value for one service line, findings included."""

    def __init__(self, case: Case, measures: Measures, findings: frozenset[str], line: int, rulebook: Rulebook):
        self.case, self.line, self.params = case, measures.lines[line], measures.parameters
        self.findings, self.catalogue = findings, rulebook.catalogue

    def value(self, name: Name) -> Any:
        if self.catalogue.is_finding(name.path):
            return name.path in self.findings
        return name.get(self.case, self.line, self.params)

    def text(self, template: str) -> str:
        """A rule's text with each {placeholder} replaced by its figure."""
        parts = _split(template)
        if len(parts) == 1:
            return parts[0]
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                name = self.catalogue.get(part)
                out.append(figure(self.value(name), name.unit))
            else:
                out.append(part)
        return "".join(out)


@functools.lru_cache(maxsize=4096)
def _split(template: str) -> list[str]:
    """Literal text and placeholder names, alternating (rule texts are few and reused)."""
    return [p.strip() if i % 2 else p for i, p in enumerate(PLACEHOLDER.split(template))]


def _line_verdict(fired: list[Rule]) -> tuple[str, str | None]:
    verdicts = [r for r in fired if r.spec.then.verdict]
    if not verdicts:
        return "refer", None
    top = max(r.spec.weight for r in verdicts)
    leaders = [r for r in verdicts if r.spec.weight == top]
    if len({r.spec.then.verdict for r in leaders}) > 1:
        return "refer", None
    return leaders[0].spec.then.verdict, leaders[0].id


def _summary(case: Case, lines: list[LineRecommendation], verdict: str) -> str:
    by_verdict: dict[str, list[str]] = {}
    for lr in lines:
        by_verdict.setdefault(lr.verdict, []).append(lr.service_line)
    offers = {line.name: line.offer.name for line in case.service_lines}
    joined = by_verdict.get("join", [])
    parts = []
    if joined:
        names = sorted({offers[n] for n in joined})
        parts.append(f"Join {_and(names)} for {_names(joined)}")
    if by_verdict.get("go-alone"):
        parts.append(f"procure {_names(by_verdict['go-alone'])} independently")
    if by_verdict.get("refer"):
        parts.append(f"refer the decision on {_names(by_verdict['refer'])} to the board: the evidence does not settle it")
    if verdict == "refer" and not joined and not by_verdict.get("go-alone"):
        parts = [f"Refer the decision on {_names(by_verdict['refer'])} to the board: the evidence does not settle it"]
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "."


def overall(verdicts: list[str]) -> str:
    """The overall verdict from the per-line verdicts."""
    kinds = set(verdicts)
    if "refer" in kinds:
        return "refer"
    if kinds == {"join"}:
        return "join"
    if kinds == {"go-alone"}:
        return "go-alone"
    return "join-in-part"


def decide(
    case: Case, measures: Measures, findings: Findings, rulebook: Rulebook, provenance: Provenance
) -> Recommendation:
    """The recommendation for a case from the rules that fired."""
    rules = rulebook.rules
    per_line: list[list[Rule]] = [[] for _ in case.service_lines]
    for f in findings.firings:
        per_line[f.line].append(rules[f.rule])

    lines, trace, all_reasons, all_conditions, all_risks = [], [], [], [], []
    for li, (line, fired) in enumerate(zip(case.service_lines, per_line)):
        values = _Values(case, measures, findings.findings[li], li, rulebook)
        verdict, decided_by = _line_verdict(fired)
        reasons, conditions, risks = [], [], []
        for r in fired:
            then = r.spec.then
            reasons.append(
                Reason(
                    rule_id=r.id,
                    title=r.spec.title,
                    source=r.spec.source,
                    service_line=line.name,
                    text=values.text(r.spec.explain),
                    weight=r.spec.weight,
                    supports=then.verdict,
                )
            )
            if then.condition and verdict == "join":  # conditions attach to joining only
                conditions.append(Attached(rule_id=r.id, service_line=line.name, text=values.text(then.condition)))
            if then.risk:
                risks.append(Attached(rule_id=r.id, service_line=line.name, text=values.text(then.risk)))
            trace.append(
                TraceStep(
                    rule_id=r.id,
                    title=r.spec.title,
                    service_line=line.name,
                    layer=r.layer,
                    concluded=r.concludes,
                    values=[_observed(n, values.value(n)) for n in r.names],
                )
            )
        reasons.sort(key=lambda x: -x.weight)
        lines.append(
            LineRecommendation(
                service_line=line.name,
                offer=line.offer.name,
                supplier=line.offer.supplier,
                verdict=verdict,
                decided_by=decided_by,
                reasons=reasons,
                conditions=conditions,
                risks=risks,
            )
        )
        all_reasons += reasons
        all_conditions += conditions
        all_risks += risks

    verdict = overall([lr.verdict for lr in lines])
    all_reasons.sort(key=lambda x: -x.weight)
    offers = list(dict.fromkeys(f"{line.offer.name} ({line.offer.supplier})" for line in case.service_lines))
    return Recommendation(
        verdict=verdict,
        summary=_summary(case, lines, verdict),
        organisation=case.organisation.name,
        protective_marking=case.organisation.protective_marking,
        notes=case.notes,
        offers=offers,
        decision_date=case.decision_date,
        need_by=case.need_by,
        lines=lines,
        reasons=all_reasons,
        conditions=all_conditions,
        risks=all_risks,
        trace=trace,
        measures=measures,
        parameters=measures.parameters,
        provenance=provenance,
    )


def _observed(name: Name, value: Any) -> Observed:
    return Observed(name=name.path, value=value, unit=name.unit)
