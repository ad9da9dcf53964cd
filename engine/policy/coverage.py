"""Rule coverage: which rules the rule tests make fire, and which clauses they try both ways.

Each test's case is decided by durable_rules as usual; for reporting, every clause of
every rule is then evaluated in Python over the same fact values (engine/clauses.py). A
rule is covered when some test makes it fire; a clause when some test sees it true and
some test sees it false. A clause never seen false is one no test shows to matter. A
verdict rule is also counted when some test shows it deciding a line (among the rules of
the deciding stage): a verdict rule that fires in every test but never decides is one no
test shows to matter either.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..conditions import clauses
from ..rulebook import Rulebook
from .ruletests import Outcome


@dataclass
class Coverage:
    """Rule and clause tallies over a set of rule-test outcomes."""

    rulebook: Rulebook
    tallies: list[clauses.RuleTally]
    assessments: int  # service lines decided
    decided: dict[str, int]  # verdict rule id -> lines on which it was among the deciding rules

    @property
    def never_decided(self) -> list[str]:
        return [rid for rid, n in self.decided.items() if not n]

    @property
    def rules_fired(self) -> int:
        return sum(1 for t in self.tallies if t.fired)

    @property
    def clauses_total(self) -> int:
        return sum(len(t.clauses) for t in self.tallies)

    @property
    def clauses_covered(self) -> int:
        return sum(1 for t in self.tallies for c in t.clauses if c.covered)

    @property
    def never_fired(self) -> list[str]:
        return [t.rule_id for t in self.tallies if not t.fired]

    @property
    def complete(self) -> bool:
        return not self.never_fired and not self.never_decided and self.clauses_covered == self.clauses_total

    def gaps(self) -> list[str]:
        """One line per gap: `file:line:column: rule: what no test shows`."""
        out = []
        for rule, tally in zip(self.rulebook.rules, self.tallies):
            if not tally.fired:
                out.append(f"{rule.file}:{rule.line}: {rule.id}: no test makes this rule fire")
            elif self.decided.get(rule.id) == 0:
                out.append(f"{rule.file}:{rule.line}: {rule.id}: no test shows this verdict rule deciding a line")
            for c in tally.clauses:
                if c.covered:
                    continue
                line, column = rule.position(c.node.pos)
                where = ":".join(str(x) for x in (rule.file, line, column) if x is not None)
                missing = "never seen true or false" if not (c.true or c.false) else (
                    "never seen false" if c.true else "never seen true"
                )
                seen = f"true {c.true}, false {c.false}, unknown {c.unknown}"
                out.append(f"{where}: {rule.id}: clause '{clauses.text(c.node)}' {missing} ({seen})")
        return out

    def summary(self) -> str:
        rules = len(self.tallies)
        return (
            f"rules fired: {self.rules_fired}/{rules} ({_pct(self.rules_fired, rules)}); "
            f"clauses seen both true and false: {self.clauses_covered}/{self.clauses_total} "
            f"({_pct(self.clauses_covered, self.clauses_total)}); verdict rules seen deciding: "
            f"{len(self.decided) - len(self.never_decided)}/{len(self.decided)}; "
            f"over {self.assessments} service line assessments"
        )

    def text(self) -> str:
        """What `joinup rules test --coverage` adds: each gap, then the figures."""
        return "\n".join([*self.gaps(), self.summary()])

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": len(self.tallies),
            "rules_fired": self.rules_fired,
            "clauses": self.clauses_total,
            "clauses_covered": self.clauses_covered,
            "never_fired": self.never_fired,
            "never_decided": self.never_decided,
            "gaps": self.gaps(),
        }


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "100%"


def measure_coverage(rulebook: Rulebook, outcomes: list[Outcome]) -> Coverage:
    """Tally, over every service line of every test, which rules fired and how each clause came out."""
    tallies = [
        clauses.RuleTally(r.id, clauses=[clauses.ClauseTally(leaf) for leaf in clauses.leaves(r.condition)])
        for r in rulebook.rules
    ]
    index = {r.id: i for i, r in enumerate(rulebook.rules)}
    decided = {r.id: 0 for r in rulebook.rules if r.spec.then.verdict}
    assessments = 0
    for outcome in outcomes:
        rec, case = outcome.recommendation, outcome.test.case.case
        for li, lm in enumerate(rec.measures.lines):
            assessments += 1
            steps = [s for s in rec.trace if s.service_line == lm.name]
            findings = {s.concluded["finding"] for s in steps if "finding" in s.concluded}
            values = clauses.fact_values(rulebook.catalogue, case, lm, rec.parameters, findings)
            for s in steps:
                tallies[index[s.rule_id]].fired += 1
            for rid in rec.lines[li].deciding:
                decided[rid] += 1
            for tally in tallies:
                for c in tally.clauses:
                    c.see(clauses.truth(c.node, values))
    return Coverage(rulebook, tallies, assessments, decided)
