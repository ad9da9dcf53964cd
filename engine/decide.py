"""Decide: turn what fired into a recommendation, per service line and overall.

Per line, the verdict of the heaviest rule that gave one prevails; two opposite verdicts
of equal weight, or none at all, refer the line to people. Overall: every line joins,
join; every line goes alone, go-alone; some of each, join-in-part; any line referred,
refer.
"""
from __future__ import annotations

from typing import Any

from .assess import Findings
from .case import Case
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
from .rulebook import Rule, Rulebook
from .wording import placeholders


class _Values:
    """Reads a name's value for one service line, findings included, each name once."""

    def __init__(self, case: Case, measures: Measures, findings: frozenset[str], line: int, rulebook: Rulebook):
        self.case, self.line, self.params = case, measures.lines[line], measures.parameters
        self.findings, self.catalogue = findings, rulebook.catalogue
        self.seen: dict[str, Observed] = {}

    def value(self, name: Name) -> Any:
        if self.catalogue.is_finding(name.path):
            return name.path in self.findings
        return name.get(self.case, self.line, self.params)

    def observed(self, name: Name) -> Observed:
        """The value as recorded; shared by every reason and trace step that read it (they are frozen)."""
        found = self.seen.get(name.path)
        if found is None:
            found = self.seen[name.path] = Observed(name=name.path, value=self.value(name), unit=name.unit)
        return found

    def used(self, template: str) -> list[Observed]:
        """The values a rule's text reads: facts now, words when a reader wants them (engine.wording)."""
        return [self.observed(self.catalogue.get(path)) for path in placeholders(template)]


def _line_verdict(fired: list[Rule]) -> tuple[str, str | None]:
    verdicts = [r for r in fired if r.spec.then.verdict]
    if not verdicts:
        return "refer", None
    top = max(r.spec.weight for r in verdicts)
    leaders = [r for r in verdicts if r.spec.weight == top]
    if len({r.spec.then.verdict for r in leaders}) > 1:
        return "refer", None
    return leaders[0].spec.then.verdict, leaders[0].id


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
                    template=r.spec.explain,
                    values=values.used(r.spec.explain),
                    weight=r.spec.weight,
                    supports=then.verdict,
                )
            )
            if then.condition and verdict == "join":  # conditions attach to joining only
                conditions.append(Attached(rule_id=r.id, service_line=line.name, template=then.condition,
                                           values=values.used(then.condition)))
            if then.risk:
                risks.append(Attached(rule_id=r.id, service_line=line.name, template=then.risk,
                                      values=values.used(then.risk)))
            trace.append(
                TraceStep(
                    rule_id=r.id,
                    title=r.spec.title,
                    service_line=line.name,
                    layer=r.layer,
                    concluded=r.concludes,
                    values=[values.observed(n) for n in r.names],
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

