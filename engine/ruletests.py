"""Rule tests: YAML files beside the rules, written by the policy team, run by `joinup rules test` and pytest.

A rule test file (`rules/tests/*.yaml`) is a list of named tests. Each takes a case (an
example case file, a change to one, or a case written inline), decides it with the
rulebook and compares what came with what it expects:

    - name: only the offer can deliver in time
      case: cases/urgent-agency.yaml
      change:
        need_by: 2027-09-25                      # dotted paths into the case file
        service_lines[0].offer.price_per_seat: 800
      verdict: join                               # the overall verdict
      fires: [urgency.only-offer-in-time]         # on some service line
      does_not_fire: [urgency.neither-in-time]    # on no service line
      reasons_contain: [in time]                  # words in the reasons, conditions or risks
      lines:                                      # the same, per service line, by name
        Desktops: {verdict: join, fires: [presumption.join]}

A case path is read from the test file's folder or the nearest folder above it that has
it (so `cases/...` means the repository's cases), or else from the current folder. The format is checked strictly: an
unknown key is an error naming the file, the line and the test.
"""
from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .documents import line_of, parse_text, read_text, validate
from .errors import JoinupError, RuleTestError, did_you_mean
from .load import LoadedCase, case_from_document
from .recommendation import LineVerdict, OverallVerdict, Recommendation
from .rulebook import Rulebook

TESTS_FOLDER = "tests"
_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[0-9]+\])*)")


class Expectation(BaseModel):
    """What must come of deciding the case on one service line (or on any line)."""

    model_config = ConfigDict(extra="forbid")

    fires: list[str] = Field(default_factory=list, description="Rule ids that must fire.")
    does_not_fire: list[str] = Field(default_factory=list, description="Rule ids that must not fire.")
    reasons_contain: list[str] = Field(
        default_factory=list, description="Words the reasons, conditions or risks must contain (any case)."
    )


class LineExpectation(Expectation):
    """The expectations for one service line, named as in the case file."""

    verdict: LineVerdict | None = Field(default=None, description="The line's verdict: join, go-alone or refer.")


class RuleTest(Expectation):
    """One named test: a case, and what deciding it must give."""

    name: str = Field(min_length=1, description="What the test shows, in a few words; unique in its file.")
    description: str = Field(default="", description="Why the test matters, for a reader.")
    case: str | dict[str, Any] = Field(description="A case file (path from the repository) or a case written inline.")
    change: dict[str, Any] = Field(
        default_factory=dict,
        description="Changes to the case: dotted paths such as service_lines[0].offer.price_per_seat; null removes.",
    )
    verdict: OverallVerdict | None = Field(default=None, description="The overall verdict.")
    lines: dict[str, LineExpectation] = Field(default_factory=dict, description="Expectations per service line.")

    @model_validator(mode="after")
    def _expects_something(self) -> "RuleTest":
        if not (
            self.verdict or self.lines or self.fires or self.does_not_fire or self.reasons_contain
        ):
            raise ValueError("expects nothing: give a verdict, lines, fires, does_not_fire or reasons_contain")
        return self


@dataclass
class LoadedTest:
    """A rule test as loaded: where it was written and the case it decides."""

    spec: RuleTest
    file: str
    line: int | None
    case: LoadedCase

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def id(self) -> str:
        """A readable id: `file::test name`."""
        return f"{Path(self.file).name}::{self.spec.name}"


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


# ---------------------------------------------------------------- loading


def rule_test_files(rules_dir: Path | str) -> list[Path]:
    """The rule test files of a rulebook folder, in the order they run."""
    return sorted((Path(rules_dir) / TESTS_FOLDER).glob("*.yaml"))


def load_tests(path: Path | str, rulebook: Rulebook) -> list[LoadedTest]:
    """Read one rule test file; the first problem is a RuleTestError naming the line and the test."""
    path = Path(path)
    file = str(path)
    text = read_text(path, RuleTestError, "rule test file")
    document = parse_text(text, file, RuleTestError)
    if document is None:
        return []
    if not isinstance(document, CommentedSeq):
        raise RuleTestError(
            "must be a list of tests, each starting '- name: ...'", file=file, line=1, hint="see rules/tests/ for examples"
        )
    tests: list[LoadedTest] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(document):
        line = line_of(document, (i,))[0]
        label = f"test '{item['name']}'" if isinstance(item, dict) and isinstance(item.get("name"), str) else f"test {i + 1}"
        if not isinstance(item, dict):
            raise RuleTestError("must be a mapping with a name, a case and what to expect", file=file, line=line, field=label)
        try:
            spec = validate(RuleTest, item, file, RuleTestError)
        except RuleTestError as exc:
            raise RuleTestError(
                exc.message, file=file, line=exc.line, column=exc.column, field=f"{label}: {exc.field}" if exc.field else label, hint=exc.hint
            ) from None
        if spec.name in seen:
            raise RuleTestError(
                f"the test name is used twice; first at line {seen[spec.name]}", file=file, line=line, field=label
            )
        seen[spec.name] = line
        _check_rule_ids(spec, item, rulebook, file, label)
        case = _case_for(spec, item, path, label)
        names = [sl.name for sl in case.case.service_lines]
        for name in spec.lines:
            if name not in names:
                at, column = line_of(item, ("lines", name))
                raise RuleTestError(
                    f"the case has no service line '{name}'",
                    file=file, line=at, column=column, field=f"{label}: lines",
                    hint=did_you_mean(name, names) or "its lines are " + ", ".join(names),
                )
        tests.append(LoadedTest(spec, file, line, case))
    return tests


def collect(rules_dir: Path | str, rulebook: Rulebook) -> tuple[list[LoadedTest], list[RuleTestError]]:
    """Every test of a rulebook, and a located error for each test file that cannot be loaded."""
    tests: list[LoadedTest] = []
    errors: list[RuleTestError] = []
    for path in rule_test_files(rules_dir):
        try:
            tests.extend(load_tests(path, rulebook))
        except JoinupError as exc:
            errors.append(exc if isinstance(exc, RuleTestError) else RuleTestError(str(exc), file=str(path)))
    return tests, errors


def _check_rule_ids(spec: RuleTest, item: Any, rulebook: Rulebook, file: str, label: str) -> None:
    known = [r.id for r in rulebook.rules] + [old for r in rulebook.rules for old in r.spec.replaces]
    places: list[tuple[tuple, Expectation]] = [((), spec)]
    places += [(("lines", name), exp) for name, exp in spec.lines.items()]
    for prefix, exp in places:
        for key in ("fires", "does_not_fire"):
            for j, rule_id in enumerate(getattr(exp, key)):
                if rule_id not in known:
                    line, column = line_of(item, (*prefix, key, j))
                    raise RuleTestError(
                        f"no rule with id '{rule_id}'",
                        file=file,
                        line=line,
                        column=column,
                        field=f"{label}: {'.'.join(map(str, (*prefix, key)))}",
                        hint=did_you_mean(rule_id, known),
                    )


def _find_case_file(name: str, start: Path) -> Path | None:
    for folder in [start, *start.parents, Path.cwd()]:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _case_for(spec: RuleTest, item: Any, path: Path, label: str) -> LoadedCase:
    file = str(path)
    if isinstance(spec.case, str):
        found = _find_case_file(spec.case, path.resolve().parent)
        if found is None:
            line, column = line_of(item, ("case",))
            raise RuleTestError(
                f"no case file '{spec.case}' in {path.parent}, any folder above it, or the current folder",
                file=file, line=line, column=column, field=f"{label}: case", hint="give the path from the repository, e.g. cases/new-department.yaml",
            )
        case_name = str(found)
        document = parse_text(read_text(found, RuleTestError, "case file"), case_name, RuleTestError)
    else:
        case_name = f"{file} ({label})"
        document = item["case"]
    document = copy.deepcopy(document)
    for dotted, value in spec.change.items():
        try:
            _apply(document, dotted, value)
        except ValueError as exc:
            line, column = line_of(item, ("change", dotted))
            raise RuleTestError(str(exc), file=file, line=line, column=column, field=f"{label}: change: {dotted}") from None
    try:
        case = case_from_document(document, case_name, RuleTestError)
    except RuleTestError as exc:
        if spec.change or not isinstance(spec.case, str):
            key = "change" if spec.change else "case"
            line, column = line_of(item, (key,))
            where = exc.field or "the case"
            hint = exc.hint or ("set a field to null to remove it, e.g. service_lines[0].offer.price_tiers: null" if spec.change else None)
            raise RuleTestError(
                f"gives a case that is not valid: {where}: {exc.message}",
                file=file, line=line, column=column, field=f"{label}: {key}", hint=hint,
            ) from None
        raise
    return LoadedCase(case, case_name, _dump(document))


def _apply(document: Any, dotted: str, value: Any) -> None:
    """Set (or, for null, remove) the value at a dotted path such as service_lines[0].offer.seats."""
    steps: list[str | int] = []
    for part in dotted.split("."):
        m = _STEP.fullmatch(part.strip())
        if not m:
            raise ValueError(f"'{dotted}' is not a path like service_lines[0].offer.price_per_seat")
        steps.append(m.group(1))
        steps.extend(int(i) for i in re.findall(r"\[([0-9]+)\]", m.group(2)))
    node = document
    for depth, step in enumerate(steps[:-1]):
        shown = _shown(steps[: depth + 1])
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise ValueError(f"{shown} does not exist: the list has {size} item(s)")
            node = node[step]
        else:
            if not isinstance(node, dict):
                raise ValueError(f"{_shown(steps[:depth])} is not a mapping")
            if step not in node or node[step] is None:
                node[step] = CommentedMap()
            node = node[step]
    last = steps[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise ValueError(f"{_shown(steps)} does not exist")
        if value is None:
            del node[last]
        else:
            node[last] = value
    elif not isinstance(node, dict):
        raise ValueError(f"{_shown(steps[:-1])} is not a mapping")
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


def _shown(steps: list[str | int]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else ("." if i else "") + s for i, s in enumerate(steps))


def _dump(document: Any) -> bytes:
    out = io.StringIO()
    YAML(typ="rt").dump(document, out)
    return out.getvalue().encode()


# ---------------------------------------------------------------- running


def run(test: LoadedTest, decider: Any) -> Outcome:
    """Decide the test's case with `decider` (an engine.api.Decider) and compare."""
    rec = decider.decide(test.case)
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
            by = f" (decided by {lr.decided_by})" if lr.decided_by else " (no rule reached a verdict)"
            outcome.mismatches.append(Mismatch(f"{name}: verdict", exp.verdict, lr.verdict + by))
        fired = [s.rule_id for s in rec.trace if s.service_line == name]
        outcome.mismatches += _compare(exp, f"{name}: ", fired, _texts(rec, name), canonical)
    return outcome


def _verdict_came(rec: Recommendation) -> str:
    per_line = ", ".join(f"{lr.service_line} {lr.verdict}" for lr in rec.lines)
    return f"{rec.verdict} ({per_line})"


def _texts(rec: Recommendation, line: str | None) -> str:
    items = [*rec.reasons, *rec.conditions, *rec.risks]
    return "\n".join(x.text for x in items if line is None or x.service_line == line).lower()


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
