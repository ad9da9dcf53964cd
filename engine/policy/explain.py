"""Why a rule fired, or did not, on a case: `joinup explain CASE RULE_ID`.

Whether the rule fired comes from the decision itself (durable_rules). The clause-by-clause
account beneath it re-evaluates the condition over the same values (engine/clauses.py),
with each figure it read, the parameters in force and, for a finding, the rule that
concluded it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..conditions import clauses
from ..conditions.parse import And, Node, Not, Or
from ..figures import figure
from ..load import LoadedCase
from ..recommendation import Recommendation
from ..rulebook import Rule, Rulebook


@dataclass
class ClauseView:
    """One node of a condition as evaluated: its text, whether it held, the values it read."""

    text: str
    holds: bool
    truth: bool | None  # for a single test: True, False, or None when a figure it reads is unknown
    values: list[tuple[str, str]] = field(default_factory=list)  # (name, value as shown)
    word: str | None = None  # all of / any of / not, for a group
    children: list["ClauseView"] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "holds": self.holds,
            "truth": self.truth,
            "values": [{"name": n, "value": v} for n, v in self.values],
            "group": self.word,
            "children": [c.to_dict() for c in self.children],
        }


@dataclass
class LineExplanation:
    """The rule on one service line."""

    service_line: str
    fired: bool
    condition: ClauseView
    findings: dict[str, list[str]]  # finding read -> rules that concluded it on this line
    verdict: str = ""  # the line's verdict
    decided_by: str | None = None  # the first rule of the stage that decided the line
    stage_title: str | None = None  # that stage's title
    deciding: list[str] = field(default_factory=list)  # every rule of that stage that fired
    disagreement: bool = False  # the stage's rules disagreed, so its tie rule gave the verdict


@dataclass
class Explanation:
    """A rule, what it concludes, and why it fired or not on each service line of a case."""

    rule: Rule
    recommendation: Recommendation
    lines: list[LineExplanation]
    parameters: list[dict[str, Any]]
    rulebook: Rulebook | None = None  # for naming the rule that outweighed this one

    def to_dict(self) -> dict[str, Any]:
        r = self.rule
        return {
            "rule": r.id,
            "title": r.spec.title,
            "file": r.file,
            "line": r.line,
            "when": clauses.text(r.condition),
            "concludes": {k: v for k, v in r.spec.then.model_dump().items() if v},
            "stage": r.spec.stage,
            "decision_date": self.recommendation.decision_date.isoformat(),
            "lines": [
                {
                    "service_line": le.service_line,
                    "fired": le.fired,
                    "condition": le.condition.to_dict(),
                    "findings": le.findings,
                    "verdict": le.verdict,
                    "decided_by": le.decided_by,
                    "stage": le.stage_title,
                }
                for le in self.lines
            ],
            "parameters": self.parameters,
        }


def _view(node: Node, values: dict[str, Any], rule: Rule, catalogue: Any) -> ClauseView:
    held = clauses.holds(node, values)
    if isinstance(node, (And, Or)):
        kids = [_view(item, values, rule, catalogue) for item in node.items]
        return ClauseView(clauses.text(node), held, None, word="all of" if isinstance(node, And) else "any of", children=kids)
    if isinstance(node, Not):
        return ClauseView(clauses.text(node), held, None, word="not", children=[_view(node.operand, values, rule, catalogue)])
    shown = []
    for ref in clauses.refs_in(node):
        name = catalogue.get(ref.path)
        shown.append((ref.path, figure(values.get(ref.path), name.unit if name else None)))
    return ClauseView(clauses.text(node), held, clauses.truth(node, values), shown)


def explain(decider: Any, loaded: LoadedCase, rule_id: str) -> Explanation:
    """Decide the case with `decider` (an engine.api.Decider) and explain one rule on each line.

    An unknown rule id raises RuleError with the closest ids as a hint.
    """
    rulebook = decider.rulebook
    rule = rulebook.rule(rule_id)
    rec = decider.decide(loaded)
    lines = []
    for li, lm in enumerate(rec.measures.lines):
        steps = [s for s in rec.trace if s.service_line == lm.name]
        findings = {s.concluded["finding"] for s in steps if "finding" in s.concluded}
        values = clauses.fact_values(rulebook.catalogue, loaded.case, lm, rec.parameters, findings)
        read = [r.path for r in clauses.refs_in(rule.condition) if rulebook.catalogue.is_finding(r.path)]
        by = {f: [s.rule_id for s in steps if s.concluded.get("finding") == f] for f in read}
        lr = rec.lines[li]
        lines.append(
            LineExplanation(
                lm.name,
                any(s.rule_id == rule.id for s in steps),
                _view(rule.condition, values, rule, rulebook.catalogue),
                by,
                lr.verdict,
                lr.decided_by,
                lr.stage_title,
                lr.deciding,
                lr.disagreement,
            )
        )
    used = [r.path[len("param."):] for r in clauses.refs_in(rule.condition) if r.path.startswith("param.")]
    used += [p[len("param."):] for p in rule.placeholders if p.startswith("param.") and p[len("param."):] not in used]
    params = []
    for name in used:
        p = rec.parameters[name]
        params.append(
            {"name": f"param.{name}", "value": p.value, "shown": figure(p.value, p.unit), "since": p.since.isoformat(), "source": p.source}
        )
    return Explanation(rule, rec, lines, params, rulebook)


def _lines(view: ClauseView, indent: str) -> list[str]:
    mark = "yes" if view.holds else "no "
    if view.word:
        out = [f"{indent}[{mark}] {view.word}:"]
        for child in view.children:
            out += _lines(child, indent + "    ")
        return out
    out = [f"{indent}[{mark}] {view.text}"]
    if view.values:
        out.append(f"{indent}      " + "; ".join(f"{n} = {v}" for n, v in view.values))
    if view.truth is None:
        out.append(f"{indent}      a figure here is unknown, and a test on an unknown figure never holds")
    return out


def _outcome(e: Explanation, le: LineExplanation) -> str:
    """What the rule's firing (or not) meant for the line's verdict."""
    r = e.rule
    if le.stage_title is None:
        by = "no verdict rule fired, so it is referred"
    else:
        by = f"stage '{le.stage_title}', by {', '.join(le.deciding)}" + (" (they disagree)" if le.disagreement else "")
    verdict = r.spec.then.verdict
    mine = f"this rule's {verdict} (stage '{r.spec.stage}')"
    if not verdict:
        return f"the line's verdict: {le.verdict} ({by}); this rule gives no verdict, so its reason is a consideration"
    if not le.fired:
        return f"the line's verdict: {le.verdict} ({by}); {mine} did not apply"
    if r.id in le.deciding:
        how = "; its stage's rules disagree, so the stage's tie rule gives the verdict" if le.disagreement else ""
        return f"the line's verdict: {le.verdict}, decided by this rule at stage '{le.stage_title}'{how}"
    if verdict == le.verdict:
        return f"the line's verdict: {le.verdict} ({by}); {mine} agrees but an earlier stage decided"
    winner = e.rulebook.rule(le.decided_by)
    return (
        f"the line's verdict: {le.verdict}: {mine} was outweighed by the earlier stage '{le.stage_title}': "
        f"{winner.id} ({winner.spec.then.verdict})"
    )


def explanation_text(e: Explanation) -> str:
    """What `joinup explain` prints."""
    r, rec = e.rule, e.recommendation
    concludes = ", ".join(f"{k} {v}" for k, v in r.spec.then.model_dump().items() if v and k in ("finding", "verdict"))
    for k in ("condition", "risk"):
        if getattr(r.spec.then, k):
            concludes += (", " if concludes else "") + f"a {k}"
    out = [
        f"{r.id}: {r.spec.title}",
        f"  {r.file}:{r.line}; stage {r.spec.stage or 'none (not a verdict rule)'}; concludes {concludes or 'nothing'}",
        f"  source: {r.spec.source}",
        f"  when: {clauses.text(r.condition)}",
        "",
        f"{rec.organisation}, decided {rec.decision_date.isoformat()}:",
    ]
    for le in e.lines:
        out.append(f"{le.service_line}: {'FIRED' if le.fired else 'did not fire'}")
        out += _lines(le.condition, "  ")
        for finding, rules in le.findings.items():
            out.append(
                f"  finding {finding}: " + (f"concluded by {', '.join(rules)}" if rules else "no rule concluded it on this line")
            )
        out.append("  " + _outcome(e, le))
        if le.fired != le.condition.holds:
            out.append("  note: the clause-by-clause account disagrees with the rules engine; please report this")
        out.append("")
    if e.parameters:
        out.append(f"Parameters in force on {rec.decision_date.isoformat()}:")
        for p in e.parameters:
            out.append(f"  {p['name']} = {p['shown']}, since {p['since']} ({p['source']})")
    return "\n".join(out).rstrip() + "\n"


__all__ = ["explain", "explanation_text", "Explanation"]
