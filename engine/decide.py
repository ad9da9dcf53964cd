"""Decide: turn what fired into a recommendation, per service line and overall.

Per line, the order of precedence of the rulebook's decision.yaml: the first stage in which
a verdict rule fired decides; its rules' reasons are "why", a verdict rule of a later stage
that argued for something else is shown as outweighed, and everything else that fired is an
other consideration. Rules of one stage that disagree take the stage's `on_disagreement`
(refer unless it says otherwise); a line with no verdict rule is referred. Conditions attach
to a line that joins, a risk to a line whose verdict chooses what it is about. Overall: every
line joins, join; every line goes alone, go-alone; some of each, join-in-part; any line
referred, refer.
"""
from __future__ import annotations

from dataclasses import dataclass
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
from .rulebook import RISK_SHOWN_WITH, Rule, Rulebook
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


@dataclass(frozen=True)
class LineDecision:
    """How the order of precedence settled one line: the verdict, the stage and the rules that decided it."""

    verdict: str
    stage: int | None  # the deciding stage's place in decision.yaml; None: no verdict rule fired
    deciding: tuple[Rule, ...]  # the rules of that stage that fired (peers: they agree, or disagree)
    disagreement: bool  # the deciding stage's rules concluded different verdicts

    @property
    def decided_by(self) -> str | None:
        """The first rule of the deciding stage to fire (none: no verdict rule fired)."""
        return self.deciding[0].id if self.deciding else None


def line_verdict(fired: list[Rule], rulebook: Rulebook) -> LineDecision:
    """The first stage in which a verdict rule fired decides; peers that disagree take the stage's tie rule."""
    staged = sorted((r for r in fired if r.spec.then.verdict and r.stage is not None), key=lambda r: r.stage)
    if not staged:
        return LineDecision("refer", None, (), False)
    first = staged[0].stage
    deciding = tuple(r for r in staged if r.stage == first)
    verdicts = {r.spec.then.verdict for r in deciding}
    if len(verdicts) == 1:
        return LineDecision(verdicts.pop(), first, deciding, False)
    tie = rulebook.decision.stages[first].on_disagreement
    return LineDecision(tie or "refer", first, deciding, True)


def _role(rule: Rule, decision: LineDecision) -> str:
    """Why a fired rule's reason is shown: it decided, it argued for another verdict and lost, or it is context."""
    if any(rule is d for d in decision.deciding):
        return "why"
    if rule.spec.then.verdict and rule.spec.then.verdict != decision.verdict:
        return "outweighed"
    return "consideration"


# Reasons are read in this order: why the verdict, what argued otherwise and lost, then the rest.
_ROLE_ORDER = {"why": 0, "outweighed": 1, "consideration": 2}


def _shown(then: Any, verdict: str) -> bool:
    """Whether a rule's risk is shown on a line with this verdict: a risk about an option only where it is chosen."""
    return RISK_SHOWN_WITH.get(then.about, verdict) == verdict


def _stage_place(rulebook: Rulebook, stage: str | None) -> int:
    """A stage's place in the order; rules with no stage after every stage."""
    found = rulebook.decision.index(stage) if stage else None
    return len(rulebook.decision.stages) if found is None else found


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
        decision = line_verdict(fired, rulebook)
        verdict, winner = decision.verdict, decision.deciding[0] if decision.deciding else None
        reasons, conditions, risks = [], [], []
        for r in fired:
            then = r.spec.then
            role = _role(r, decision)
            reasons.append(
                Reason(
                    rule_id=r.id,
                    title=r.spec.title,
                    source=r.spec.source,
                    service_line=line.name,
                    template=r.spec.explain,
                    values=values.used(r.spec.explain),
                    supports=then.verdict or then.favours,
                    role=role,
                    stage=rulebook.decision.stages[r.stage].id if r.stage is not None else None,
                    outweighed_by=winner.id if role == "outweighed" and winner else None,
                    outweighed_in=rulebook.stage_title(winner.stage) if role == "outweighed" and winner else None,
                )
            )
            if then.condition and verdict == "join":
                conditions.append(Attached(rule_id=r.id, service_line=line.name, template=then.condition,
                                           values=values.used(then.condition)))
            if then.risk and _shown(then, verdict):
                risks.append(Attached(rule_id=r.id, service_line=line.name, template=then.risk,
                                      values=values.used(then.risk), about=then.about))
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
        # stable: within a role, stage order, then the order the rules ran
        reasons.sort(key=lambda x: (_ROLE_ORDER[x.role], _stage_place(rulebook, x.stage)))
        lines.append(
            LineRecommendation(
                service_line=line.name,
                offer=line.offer.name,
                supplier=line.offer.supplier,
                verdict=verdict,
                decided_by=decision.decided_by,
                deciding=[r.id for r in decision.deciding],
                stage=rulebook.decision.stages[decision.stage].id if decision.stage is not None else None,
                stage_title=rulebook.stage_title(decision.stage) if decision.stage is not None else None,
                disagreement=decision.disagreement,
                reasons=reasons,
                conditions=conditions,
                risks=risks,
            )
        )
        all_reasons += reasons
        all_conditions += conditions
        all_risks += risks

    verdict = overall([lr.verdict for lr in lines])
    all_reasons.sort(key=lambda x: _ROLE_ORDER[x.role])  # stable: lines stay in case-file order within a role
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

