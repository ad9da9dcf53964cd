"""Check a rulebook without deciding anything: `joinup rules check`.

Every problem that can be found is reported, each once, with its file, line and column:

- errors (the rulebook is wrong, or would decide wrongly): a rule or parameter file that
  does not validate, an unknown name, a type mismatch, a condition that cannot be parsed,
  a parameter value with no source, a parameter the measures need that is missing, a rule
  that can never fire, two rules of equal weight that can fire together with different
  verdicts (the line would be referred whatever the case), two values of a parameter
  from the same date, a rule test file that does not load;
- warnings (worth a look, not wrong): a parameter nothing uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..conditions import clauses
from ..conditions.parse import refs
from ..errors import JoinupError, RuleError, Severity
from ..measures import PARAMETERS as MEASURE_PARAMETERS
from ..parameters import Parameters
from ..rulebook import PARAMETERS_FILE, Rule, Rulebook, load_rulebook_collecting
from . import ruletest_format, satisfiable

class Problem(RuleError):
    """A problem `rules check` finds: a RuleError with its severity and code; `field` names the rule or parameter."""

    def __init__(
        self,
        severity: Severity,
        code: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        rule: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, file=file or "<rulebook>", line=line, column=column, field=rule, hint=hint,
                         severity=severity, code=code)

    def __str__(self) -> str:
        return self.report()


@dataclass
class CheckResult:
    """Every problem found in one rulebook, in file and line order."""

    directory: Path
    problems: list[JoinupError]
    rulebook: Rulebook | None

    @property
    def errors(self) -> list[JoinupError]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[JoinupError]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        rules = len(self.rulebook.rules) if self.rulebook else 0
        return f"{self.directory}: {rules} rules checked; {len(self.errors)} error(s), {len(self.warnings)} warning(s)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rulebook": str(self.directory),
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }


def check_rulebook(directory: Path | str) -> CheckResult:
    """Load a rulebook collecting every problem, then look for what loading cannot see."""
    directory = Path(directory)
    rulebook, errors = load_rulebook_collecting(directory)
    problems: list[JoinupError] = list(errors)
    if rulebook is not None:
        problems += parameter_problems(rulebook.parameters, rulebook)
        problems += never_fires(rulebook)
        problems += conflicts(rulebook)
        _, test_errors = ruletest_format.collect(directory, rulebook)
        problems += test_errors
    problems.sort(key=lambda p: (p.file or "", p.line or 0, p.column or 0, p.message))
    unique = {p.key(): p for p in problems}
    return CheckResult(directory, list(unique.values()), rulebook)


def parameter_problems(parameters: Parameters, rulebook: Rulebook) -> list[Problem]:
    """Values with no source, parameters the measures need but lack, parameters nothing uses."""
    out = []
    file = parameters.file
    for name, p in parameters.by_name.items():
        lines = parameters.value_lines.get(name, [])
        for i, v in enumerate(p.values):
            if not v.source.strip():
                out.append(
                    Problem(
                        "error", "no-source", f"the value from {v.from_} has no source",
                        file, lines[i] if i < len(lines) else parameters.lines.get(name), None, name,
                        "say where it comes from: document, edition, paragraph or table",
                    )
                )
    for name, p in parameters.by_name.items():
        lines = parameters.value_lines.get(name, [])
        seen: dict[Any, int] = {}
        for i, v in enumerate(p.values):
            if v.from_ in seen:
                out.append(
                    Problem(
                        "error", "same-date", f"two values take effect on {v.from_}, so which applies is ambiguous",
                        file, lines[i] if i < len(lines) else None, None, name, "give each value its own date",
                    )
                )
            seen.setdefault(v.from_, i)
    for name in MEASURE_PARAMETERS if parameters.by_name else ():  # an unreadable file is reported already
        if name not in parameters:
            out.append(
                Problem("error", "missing-parameter", f"'{name}' is missing: the measures need it", file, 1, None, None,
                        "copy it from the shipped rules/parameters.yaml")
            )
    used = set(MEASURE_PARAMETERS)
    for r in rulebook.rules:
        used.update(ref.path[len("param."):] for ref in refs(r.condition) if ref.path.startswith("param."))
        used.update(ph[len("param."):] for ph in r.placeholders if ph.startswith("param."))
    for name in parameters.names():
        if name not in used:
            out.append(
                Problem("warning", "unused-parameter", "no rule uses this parameter", file, parameters.lines.get(name),
                        None, name, "remove it, or use it in a rule as param." + name)
            )
    return out


def _clause_at(rule: Rule, atoms: list[satisfiable.Atom]) -> tuple[int | None, int | None, str]:
    origins = list(dict.fromkeys(a.origin for a in atoms if a.origin is not None))
    if not origins:
        return rule.line, None, "its condition"
    last = max(origins, key=lambda n: (n.pos.line, n.pos.column))
    line, column = rule.position(last.pos)
    shown = " and ".join(f"'{clauses.text(o)}'" for o in origins)
    return line, column, shown


def never_fires(rulebook: Rulebook) -> list[Problem]:
    """Rules whose condition cannot hold under any parameter values in force at any time."""
    out = []
    units = satisfiable.units_of(rulebook)
    periods = satisfiable.parameter_periods(rulebook)
    for r in rulebook.rules:
        witness: list[satisfiable.Atom] | None = None
        try:
            for _, values in periods:
                dnf = satisfiable.Expander(rulebook, values).matches(r.condition)
                if satisfiable.any_possible(dnf, units):
                    witness = None
                    break
                witness = satisfiable.core(dnf[0], units) if dnf else []
        except satisfiable.TooLarge:
            continue
        if witness is None:
            continue
        line, column, shown = _clause_at(r, witness)
        message = f"can never fire: {shown} cannot hold together" if len(witness) > 1 else f"can never fire: {shown} cannot hold"
        out.append(Problem("error", "never-fires", message, r.file, line, column, r.id,
                           "a contradiction in the condition; check the comparisons and thresholds"))
    return out


def conflicts(rulebook: Rulebook) -> list[Problem]:
    """Pairs of rules of equal weight, with different verdicts, that can fire on the same line."""
    out = []
    units = satisfiable.units_of(rulebook)
    periods = satisfiable.parameter_periods(rulebook)
    verdict_rules = [r for r in rulebook.rules if r.spec.then.verdict]
    for a, b in satisfiable.pairs(verdict_rules):
        if a.spec.weight != b.spec.weight or a.spec.then.verdict == b.spec.then.verdict:
            continue
        together = None
        try:
            for day, values in periods:
                expander = satisfiable.Expander(rulebook, values)
                dnf = satisfiable.product([expander.matches(a.condition), expander.matches(b.condition)])
                if satisfiable.any_possible(dnf, units):
                    together = day
                    break
        except satisfiable.TooLarge:
            continue
        if together is None:
            continue
        out.append(
            Problem(
                "error", "conflict",
                f"can fire together with {a.id} ({a.file}:{a.line}), of the same weight {a.spec.weight}, "
                f"and concludes '{b.spec.then.verdict}' against its '{a.spec.then.verdict}': the line would be referred",
                b.file, b.line, None, b.id,
                "give one rule a higher weight, or make their conditions exclusive",
            )
        )
    return out


def problems_text(result: CheckResult) -> str:
    """What `joinup rules check` prints: one line per problem, then a summary."""
    lines = [p.report() for p in result.problems]
    lines.append(result.summary())
    return "\n".join(lines)


__all__ = ["Problem", "CheckResult", "check_rulebook", "problems_text", "PARAMETERS_FILE"]
