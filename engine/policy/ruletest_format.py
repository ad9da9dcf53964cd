"""The rule-test format: YAML files beside the rules, written by the policy team, read into checked tests.

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
      decided_by: [urgency.only-offer-in-time]    # among the rules of the deciding stage
      not_why: [presumption.join]                 # not given as why the verdict
      attached: [exit.long-lock-in]               # its condition or risk is shown
      not_attached: [peers.offer-above-peers]     # its condition or risk is not shown
      lines:                                      # the same, per service line, by name
        Desktops: {verdict: join, stage: constraints, fires: [presumption.join]}
      draws: 500                                  # optional: decide with the case's ranges drawn
      seed: 7                                     #   500 times from seed 7 (as joinup decide does)

A case path is read from the test file's folder or the nearest folder above it that has
it, or else from the current folder. So `cases/...` means the repository's cases in a
checkout, and the copy inside the rulebook folder in the installed wheel (pyproject packages
cases/ as engine/_rules/cases/): one copy of each file, and the same tests run in both.
The format is checked strictly: an unknown key is an error naming the file, the line and the test.
"""
from __future__ import annotations

import copy
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..documents import line_of, parse_text, read_text, validate
from ..errors import JoinupError, RuleTestError, did_you_mean
from ..load import LoadedCase, case_from_document
from ..recommendation import LineVerdict, OverallVerdict
from ..rulebook import Rulebook

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
    decided_by: list[str] = Field(
        default_factory=list, description="Rule ids that must be among the rules of the stage that decided the line."
    )
    not_why: list[str] = Field(
        default_factory=list, description="Rule ids whose reason must not be given as why the line has its verdict."
    )
    attached: list[str] = Field(default_factory=list, description="Rule ids whose condition or risk must be shown.")
    not_attached: list[str] = Field(default_factory=list, description="Rule ids whose condition or risk must not be shown.")


class LineExpectation(Expectation):
    """The expectations for one service line, named as in the case file."""

    verdict: LineVerdict | None = Field(default=None, description="The line's verdict: join, go-alone or refer.")
    stage: str | None = Field(default=None, description="The stage of decision.yaml that must decide the line.")


class RuleTest(Expectation):
    """One named test: a case, and what deciding it must give."""

    name: str = Field(min_length=1, description="What the test shows, in a few words; unique in its file.")
    description: str = Field(default="", description="Why the test matters, for a reader.")
    case: str | dict[str, Any] = Field(description="A case file (path from the repository) or a case written inline.")
    change: dict[str, Any] = Field(
        default_factory=dict,
        description="Changes to the case: dotted paths such as service_lines[0].offer.price_per_seat; null removes.",
    )
    draws: int | None = Field(
        default=None, ge=1, le=100_000,
        description="Draw the case's ranges this many times first, as `joinup decide` and `joinup brief` do, so the "
                    "rules that read the draws (line.go_alone_share, line.refer_share, line.information_value) see them.",
    )
    seed: int | None = Field(default=None, ge=0, description="The seed for the draws (the analysis default if left out).")
    verdict: OverallVerdict | None = Field(default=None, description="The overall verdict.")
    lines: dict[str, LineExpectation] = Field(default_factory=dict, description="Expectations per service line.")

    @model_validator(mode="after")
    def _expects_something(self) -> "RuleTest":
        if not (
            self.verdict or self.lines or self.fires or self.does_not_fire or self.reasons_contain
            or self.decided_by or self.not_why or self.attached or self.not_attached
        ):
            raise ValueError(
                "expects nothing: give a verdict, lines, fires, does_not_fire, reasons_contain, decided_by, "
                "not_why, attached or not_attached"
            )
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
        for key in ("fires", "does_not_fire", "decided_by", "not_why", "attached", "not_attached"):
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
        document = _parsed_case(read_text(found, RuleTestError, "case file"), case_name)
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


@functools.lru_cache(maxsize=64)
def _parsed_case(text: str, name: str) -> Any:
    """A case file's document, parsed once per text: the shipped tests name five files 45 times, and
    parsing each time took half of what loading the tests takes. Callers copy it before changing it."""
    return parse_text(text, name, RuleTestError)


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
