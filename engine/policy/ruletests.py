"""Run rule tests and report: decide each test's case and compare what came with what it expects.

The format and its loading live in ruletest_format.py; `joinup rules test` and pytest run
the tests through `run` and `run_all` here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import wording
from ..analysis.analyse import DEFAULT_SEED, decide_sure
from ..errors import RuleTestError
from ..recommendation import LineRecommendation, Recommendation
from .ruletest_format import Expectation, LoadedTest, collect


@dataclass(frozen=True)
class Mismatch:
    """One expectation that did not hold."""

    what: str
    expected: str
    came: str


@dataclass
class Outcome:
    """A test that ran: its recommendation and what did not match."""

    test: LoadedTest
    recommendation: Recommendation
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def report(self) -> str:
        """The failure as a person reads it: file, test name, then expected and came, indented."""
        where = self.test.file + (f":{self.test.line}" if self.test.line else "")
        out = [f"{where}: {self.test.name}"]
        for m in self.mismatches:
            out.append(f"    {m.what}")
            out.append(f"        expected: {m.expected}")
            out.append(f"        came:     {m.came}")
        return "\n".join(out)


def run(test: LoadedTest, decider: Any) -> Outcome:
    """Decide the test's case with `decider` (an engine.api.Decider) and compare."""
    rec = _decided(test, decider)
    outcome = Outcome(test, rec)
    spec, rulebook = test.spec, decider.rulebook
    canonical = {old: r.id for r in rulebook.rules for old in [r.id, *r.spec.replaces]}
    line_names = [lr.service_line for lr in rec.lines]

    if spec.verdict and rec.verdict != spec.verdict:
        outcome.mismatches.append(Mismatch("overall verdict", spec.verdict, _verdict_came(rec)))
    fired_any = [s.rule_id for s in rec.trace]
    outcome.mismatches += _compare(spec, "", fired_any, _texts(rec, None), canonical)
    for name, exp in spec.lines.items():
        if name not in line_names:
            outcome.mismatches.append(
                Mismatch(f"service line '{name}'", "a service line of that name", "the case has " + ", ".join(line_names))
            )
            continue
        lr = rec.lines[line_names.index(name)]
        if exp.verdict and lr.verdict != exp.verdict:
            outcome.mismatches.append(Mismatch(f"{name}: verdict", exp.verdict, f"{lr.verdict} ({wording.basis(lr)})"))
        if exp.stage and lr.stage != exp.stage:
            outcome.mismatches.append(Mismatch(f"{name}: stage", exp.stage, f"{lr.stage or 'none'} ({wording.basis(lr)})"))
        fired = [s.rule_id for s in rec.trace if s.service_line == name]
        outcome.mismatches += _compare(exp, f"{name}: ", fired, _texts(rec, name), canonical)
        outcome.mismatches += _compare_roles(exp, f"{name}: ", [lr], canonical)
    outcome.mismatches += _compare_roles(spec, "", rec.lines, canonical)
    return outcome


def _decided(test: LoadedTest, decider: Any) -> Recommendation:
    """The test's case decided as the test asks: on its figures, or with its ranges drawn first."""
    if test.spec.draws is None:
        return decider.decide(test.case)
    seed = DEFAULT_SEED if test.spec.seed is None else test.spec.seed
    return decide_sure(decider, test.case, draws=test.spec.draws, seed=seed)[0]


def _compare_roles(exp: Expectation, prefix: str, lines: list[LineRecommendation], canonical: dict[str, str]) -> list[Mismatch]:
    """Which rules decided, which reasons are given as why, which conditions and risks are shown (on any of `lines`)."""
    out = []
    deciding = list(dict.fromkeys(r for lr in lines for r in lr.deciding))
    why = list(dict.fromkeys(r.rule_id for lr in lines for r in lr.why))
    attached = list(dict.fromkeys(a.rule_id for lr in lines for a in [*lr.conditions, *lr.risks]))
    checks = (
        ("decided by", exp.decided_by, deciding, True),
        ("not why", exp.not_why, why, False),
        ("attached", exp.attached, attached, True),
        ("not attached", exp.not_attached, attached, False),
    )
    for what, wanted, came, present in checks:
        wrong = [r for r in wanted if (canonical[r] in came) != present]
        if wrong:
            expected = ", ".join(wrong) if present else "none of " + ", ".join(wrong)
            out.append(Mismatch(f"{prefix}{what}", expected, ", ".join(came) or "none"))
    return out


def _verdict_came(rec: Recommendation) -> str:
    per_line = ", ".join(f"{lr.service_line} {lr.verdict}" for lr in rec.lines)
    return f"{rec.verdict} ({per_line})"


def _texts(rec: Recommendation, line: str | None) -> str:
    items = [*rec.reasons, *rec.conditions, *rec.risks]
    return "\n".join(wording.sentence(x) for x in items if line is None or x.service_line == line).lower()


def _compare(exp: Expectation, prefix: str, fired: list[str], texts: str, canonical: dict[str, str]) -> list[Mismatch]:
    out = []
    fired_set = list(dict.fromkeys(fired))
    shown = ", ".join(fired_set) or "no rule fired"
    missing = [r for r in exp.fires if canonical[r] not in fired_set]
    if missing:
        out.append(Mismatch(f"{prefix}fires", ", ".join(missing), f"fired: {shown}"))
    unwanted = [r for r in exp.does_not_fire if canonical[r] in fired_set]
    if unwanted:
        out.append(Mismatch(f"{prefix}does not fire", "none of " + ", ".join(exp.does_not_fire), "fired: " + ", ".join(unwanted)))
    absent = [w for w in exp.reasons_contain if w.lower() not in texts]
    if absent:
        out.append(Mismatch(f"{prefix}reasons contain", ", ".join(f"'{w}'" for w in absent), _clip(texts) or "no reasons"))
    return out


def _clip(text: str, width: int = 300) -> str:
    flat = " | ".join(t for t in text.splitlines() if t)
    return flat if len(flat) <= width else flat[: width - 3] + "..."


@dataclass
class RuleTestRun:
    """Every rule test of a rulebook, run."""

    outcomes: list[Outcome]
    errors: list[RuleTestError]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failed

    def text(self) -> str:
        """What `joinup rules test` prints: unreadable files, each failure, then the count."""
        out = [f"error: {e}" for e in self.errors]
        out += [o.report() for o in self.failed]
        out.append(self.summary())
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON-ready data, for tools."""
        return {
            "passed": len(self.outcomes) - len(self.failed),
            "failed": len(self.failed),
            "errors": [e.to_dict() for e in self.errors],
            "tests": [
                {
                    "id": o.test.id,
                    "file": o.test.file,
                    "line": o.test.line,
                    "passed": o.passed,
                    "mismatches": [m.__dict__ for m in o.mismatches],
                }
                for o in self.outcomes
            ],
        }

    def summary(self) -> str:
        passed = len(self.outcomes) - len(self.failed)
        text = f"{passed} passed, {len(self.failed)} failed"
        if self.errors:
            text += f", {len(self.errors)} test file(s) could not be read"
        return text


def run_all(rules_dir: Path | str, decider: Any, match: str | None = None) -> RuleTestRun:
    """Load and run every rule test of the rulebook folder with `decider` (built on that rulebook).

    `match` keeps only the tests whose id (`file::name`) contains it, ignoring case.
    """
    tests, errors = collect(rules_dir, decider.rulebook)
    if match:
        tests = [t for t in tests if match.lower() in t.id.lower()]
    return RuleTestRun([run(t, decider) for t in tests], errors)
