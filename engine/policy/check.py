"""Check a rulebook without deciding anything: `joinup rules check`.

Every problem that can be found is reported, each once, with its file, line and column:

- errors (the rulebook is wrong, or would decide wrongly): a rule or parameter file that
  does not validate, an unknown name, a type mismatch, a condition that cannot be parsed,
  a parameter value with no source, a parameter the measures need that is missing, a rule
  that can never fire, two rules of one stage that can fire together with different
  verdicts where the stage declares no `on_disagreement` (the line would be referred
  whatever the case), two values of a parameter from the same date, a rule test file that
  does not load;
- warnings (worth a look, not wrong): a parameter nothing uses; a verdict rule that can
  never decide a line (whenever it fires, a verdict rule of an earlier stage fires too); a
  finding no rule reads; a condition or risk for an option the line can never choose when
  its rule fires (it would contradict the verdict, so it is never shown).
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
from ..rulebook import PARAMETERS_FILE, RISK_SHOWN_WITH, Rule, Rulebook, load_rulebook_collecting
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
        problems += never_decides(rulebook)
        problems += unread_findings(rulebook)
        problems += hidden_reasons(rulebook)
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


def _possible_together(rulebook: Rulebook, fired: list[Rule], silent: list[Rule]) -> bool | None:
    """Whether, under the parameters in force at some time, every rule of `fired` can fire and none of `silent`.

    None when the conditions expand too far to tell (then nothing is reported: the check is
    sound in one direction only, never warning about what it could not prove).
    """
    units = satisfiable.units_of(rulebook)
    try:
        for _, values in satisfiable.parameter_periods(rulebook):
            expander = satisfiable.Expander(rulebook, values)
            parts = [expander.matches(r.condition) for r in fired]
            parts += [expander.matches(r.condition, negate=True) for r in silent]
            if satisfiable.any_possible(satisfiable.product(parts), units):
                return True
    except satisfiable.TooLarge:
        return None
    return False


def _verdict_rules(rulebook: Rulebook) -> list[Rule]:
    return [r for r in rulebook.rules if r.spec.then.verdict and r.stage is not None]


def _earlier(rulebook: Rulebook, stage: int) -> list[Rule]:
    """The verdict rules of the stages before `stage`: any one of them firing decides the line first."""
    return [r for r in _verdict_rules(rulebook) if r.stage < stage]


def conflicts(rulebook: Rulebook) -> list[Problem]:
    """Pairs of rules of one stage, with different verdicts, that can fire on the same line, where the stage declares no tie rule."""
    out = []
    stages = rulebook.decision.stages
    for a, b in satisfiable.pairs(_verdict_rules(rulebook)):
        if a.stage != b.stage or a.spec.then.verdict == b.spec.then.verdict or stages[a.stage].on_disagreement:
            continue
        if not _possible_together(rulebook, [a, b], []):
            continue
        out.append(
            Problem(
                "error", "conflict",
                f"can fire together with {a.id} ({a.file}:{a.line}), of the same stage '{a.spec.stage}', "
                f"and concludes '{b.spec.then.verdict}' against its '{a.spec.then.verdict}': the line would be referred",
                b.file, b.lines.get("stage") or b.line, None, b.id,
                "move one rule to another stage, make their conditions exclusive, or declare the stage's "
                "`on_disagreement` in decision.yaml",
            )
        )
    return out


def never_decides(rulebook: Rulebook) -> list[Problem]:
    """Verdict rules that can fire only when a verdict rule of an earlier stage fires too: they never decide a line."""
    out = []
    for r in _verdict_rules(rulebook):
        earlier = _earlier(rulebook, r.stage)
        if not earlier or _possible_together(rulebook, [r], earlier) is not False:
            continue
        out.append(
            Problem(
                "warning", "never-decides",
                f"can never decide a line: whenever it fires, a verdict rule of an earlier stage fires too "
                f"(stage '{r.spec.stage}' comes after {', '.join(sorted({e.spec.stage or '' for e in earlier}))})",
                r.file, r.lines.get("stage") or r.line, None, r.id,
                "move it to an earlier stage where it should win, or make it a consideration: replace "
                "`verdict:` with `favours:` and delete `stage:`",
            )
        )
    return out


def unread_findings(rulebook: Rulebook) -> list[Problem]:
    """Findings that no rule's condition or text reads: they change nothing."""
    read = {ref.path for r in rulebook.rules for ref in refs(r.condition)}
    read |= {ph for r in rulebook.rules for ph in r.placeholders}
    return [
        Problem(
            "warning", "unread-finding", f"no rule reads the finding '{r.spec.then.finding}'",
            r.file, r.lines.get("then.finding") or r.line, None, r.id,
            "use it in a rule's `when`, or delete the finding (a rule that argues for a verdict without "
            "deciding one can say `favours: join` or `favours: go-alone`)",
        )
        for r in rulebook.rules
        if r.spec.then.finding and r.spec.then.finding not in read
    ]


# What each attached text needs of the line's verdict to be shown (engine.decide attaches them so).
_SHOWN_WITH = {"condition": "join", **RISK_SHOWN_WITH}


def hidden_reasons(rulebook: Rulebook) -> list[Problem]:
    """Conditions and risks a rule gives for an option its line can never choose when the rule fires.

    A condition attaches to joining and a risk about the offer is shown only on a line that
    joins; a risk about going alone only on one that goes alone. The text would contradict the
    verdict wherever the rule fires, so it is never shown: precisely, for no verdict rule V of
    that verdict can this rule, V, and no verdict rule of a stage before V's all hold together.
    (A verdict rule's `explain` is shown under "why" only on a line its own stage decides, so
    it cannot contradict its line's verdict: engine.decide makes that so, and needs no check.)
    """
    out = []
    for r in rulebook.rules:
        then = r.spec.then
        texts = [("condition", "condition", "then.condition")] if then.condition else []
        if then.risk and then.about in _SHOWN_WITH:
            texts.append((then.about, "risk", "then.risk"))
        for key, kind, where in texts:
            verdict = _SHOWN_WITH[key]
            deciders = [v for v in _verdict_rules(rulebook) if v.spec.then.verdict == verdict]
            results = [_possible_together(rulebook, [r, v], _earlier(rulebook, v.stage)) for v in deciders]
            if any(x is not False for x in results):
                continue
            subject = {"condition": "a condition of joining", "offer": "about the offer",
                       "go_alone": "about going alone"}[key]
            chooses = "join" if verdict == "join" else "go alone"
            out.append(
                Problem(
                    "warning", "hidden-reason",
                    f"its {kind} is {subject}, shown only on a line that chooses to {chooses}, but whenever the "
                    f"rule fires the line cannot {chooses}: the {kind} would contradict the verdict, so it is never shown",
                    r.file, r.lines.get(where) or r.line, None, r.id,
                    "say which option it is about (`about: offer`, `about: go_alone` or `about: line`), "
                    "or change the condition so it can fire on a line that chooses that option",
                )
            )
    return out


def problems_text(result: CheckResult) -> str:
    """What `joinup rules check` prints: one line per problem, then a summary."""
    lines = [p.report() for p in result.problems]
    lines.append(result.summary())
    return "\n".join(lines)


__all__ = ["Problem", "CheckResult", "check_rulebook", "problems_text", "PARAMETERS_FILE"]
