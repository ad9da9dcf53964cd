"""Load a rulebook: rule files and parameters, each rule parsed, checked and compiled.

A rulebook is a folder: `*.yaml` rule files, `parameters.yaml`, and `tests/` beside them.
Everything is checked as it loads, so a policy team's mistake is reported with the file,
the line and a suggestion before any case is decided with it.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from .conditions import compile as compiler
from .conditions import parse as expressions
from .conditions import typecheck
from .documents import line_of, parse_text, read_bytes, read_text, validate
from .errors import JoinupError, RuleError, did_you_mean
from .measures import PARAMETERS as MEASURE_LIMITS
from .measures import check_parameters
from .conditions.names import Catalogue, Name
from .parameters import Parameters

Verdict = Literal["join", "go-alone", "refer"]
About = Literal["offer", "go_alone", "line"]
PARAMETERS_FILE = "parameters.yaml"
DECISION_FILE = "decision.yaml"
# The verdict a line needs for a risk about an option to be shown: a risk about the option the line
# does not choose would contradict its verdict. A risk about the line is shown whatever the verdict.
RISK_SHOWN_WITH: dict[str, str] = {"offer": "join", "go_alone": "go-alone"}
RESERVED = frozenset({"kind", "id", "sid", "true", "false", "and", "or", "not", "is", "in", "known", "unknown"})
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class Then(BaseModel):
    """What a rule concludes when its condition holds."""

    model_config = ConfigDict(extra="forbid")

    finding: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="A named finding later rules can use (e.g. urgent).",
    )
    verdict: Verdict | None = Field(default=None, description="A verdict for the service line: join, go-alone or refer.")
    condition: str | None = Field(
        default=None, description="A condition to attach to joining, with {placeholders}: shown only for a line that joins."
    )
    risk: str | None = Field(default=None, description="A risk to weigh, with {placeholders}.")
    about: About = Field(
        default="offer",
        description=(
            "Which option the risk is about: offer (shown only for a line that joins), go_alone (only for a "
            "line that goes alone) or line (for every line, whatever its verdict)."
        ),
    )
    favours: Literal["join", "go-alone"] | None = Field(
        default=None,
        description=(
            "For a rule that gives no verdict: the verdict its reason argues for, shown among the other "
            "considerations, never deciding the line."
        ),
    )


class RuleSpec(BaseModel):
    """A rule as a policy team writes it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        pattern=r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$",
        description="A stable id, group.name (e.g. suffolk.cannot-beat-offer); never changed once published.",
    )
    title: str = Field(min_length=1, description="What the rule says, in a line.")
    source: str = Field(min_length=1, description="The policy it encodes: document, edition, paragraph.")
    when: str = Field(min_length=1, description="The condition, in joinup's condition language.")
    then: Then = Field(description="What the rule concludes.")
    stage: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9-]*$",
        description=(
            "For a verdict rule: the stage of decision.yaml it belongs to. The first stage in which a "
            "verdict rule fires decides the line."
        ),
    )
    explain: str = Field(min_length=1, description="The reason as a board member reads it, with {placeholders} for figures.")
    replaces: list[str] = Field(default_factory=list, description="Earlier ids this rule was published under.")


class Stage(BaseModel):
    """One step of the order of precedence: a group of verdict rules a reader can name."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="The stage's id, as verdict rules name it in `stage:`.")
    title: str = Field(min_length=1, description="The stage in a few words, as the rule document and briefing show it.")
    explain: str = Field(min_length=1, description="What the stage decides and why it comes where it does.")
    on_disagreement: Verdict | None = Field(
        default=None,
        description=(
            "The line's verdict when verdict rules of this stage fire together with different verdicts. "
            "Unset, such a pair is an error of `rules check` (and the line is referred)."
        ),
    )


class Decision(BaseModel):
    """The order of precedence (decision.yaml): which verdict rules decide a line, stage by stage.

    Why an ordered list of stages rather than weights or per-rule overrides: a weight says
    nothing a reader can check without comparing it with every other weight (a rule of weight
    30 could never decide while one of 50 fired on every line, and nobody could see it);
    Catala-style `overrides:` links say it rule by rule but scatter the structure across files.
    An ordered list of named stages, read top to bottom as DMN's "first" hit policy applied to
    groups, is the shape of the policy itself: hard constraints, then whether the evidence can
    compare the options, then value for money, then the presumption to join. Within a stage
    rules are peers: agreeing rules decide together, disagreeing ones refer the line (or take
    the stage's declared `on_disagreement`), and `rules check` proves every verdict rule can
    decide some line.
    """

    model_config = ConfigDict(extra="forbid")

    description: str = Field(default="", description="The order of precedence in words, for the rule document.")
    stages: list[Stage] = Field(min_length=1, description="The stages, first to decide first.")

    def index(self, stage_id: str) -> int | None:
        """A stage's place in the order (0 first), or None for an unknown id."""
        return next((i for i, s in enumerate(self.stages) if s.id == stage_id), None)


class RuleFile(BaseModel):
    """A rule file: a description and a list of rules."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(default="", description="What the rules in this file are about.")
    rules: list[RuleSpec] = Field(description="The rules.")


@dataclass
class Rule:
    """A loaded rule: the spec, where it was written, its parsed condition and its compiled form."""

    spec: RuleSpec
    file: str
    line: int | None
    condition: expressions.Node
    names: list[Name]
    placeholders: list[str]
    compiled: dict[str, Any] = field(default_factory=dict)
    layer: int = 0
    stage: int | None = None  # its stage's place in decision.yaml (0 first); None: it gives no verdict
    lines: dict[str, int | None] = field(default_factory=dict)  # where its fields are written, for located warnings
    locate: Callable[[expressions.Pos], tuple[int | None, int | None]] | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @functools.cached_property
    def concludes(self) -> dict[str, str]:
        """What the rule concludes, as given: finding, verdict, condition, risk (and what it is about), favours."""
        given = {k: v for k, v in self.spec.then.model_dump().items() if v}
        if not self.spec.then.risk:
            given.pop("about", None)  # a default that means nothing without a risk
        return given

    def position(self, pos: expressions.Pos) -> tuple[int | None, int | None]:
        """The rule file's line and column of a position inside this rule's condition."""
        if self.locate is None:
            return self.line, None
        return self.locate(pos)


@dataclass
class Rulebook:
    """Rules, parameters and the names they use, ready to compile into durable_rules."""

    directory: Path
    rules: list[Rule]
    parameters: Parameters
    catalogue: Catalogue
    layers: list[list[int]]
    sha256: str
    files: dict[str, bytes]
    decision: Decision

    def stage_title(self, index: int | None) -> str:
        """A stage's title by its place in the order ('no stage' for a rule giving no verdict)."""
        return self.decision.stages[index].title if index is not None else "no stage"

    def rule(self, rule_id: str) -> Rule:
        """A rule by id (or an id it replaces); RuleError with a suggestion otherwise."""
        for r in self.rules:
            if r.id == rule_id or rule_id in r.spec.replaces:
                return r
        raise RuleError(
            f"no rule with id '{rule_id}'",
            file=str(self.directory),
            hint=did_you_mean(rule_id, [r.id for r in self.rules]),
        )

    def fact_names(self) -> list[Name]:
        """Every non-finding name some rule's condition reads, once each."""
        seen: dict[str, Name] = {}
        for r in self.rules:
            for n in r.names:
                if not self.catalogue.is_finding(n.path):
                    seen.setdefault(n.path, n)
        return list(seen.values())


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a rulebook folder, in the order they load."""
    return sorted(p for p in directory.glob("*.yaml") if p.name not in (PARAMETERS_FILE, DECISION_FILE))


def _where_in_text(text: str, document: Any, loc: tuple, pos: expressions.Pos) -> tuple[int | None, int | None]:
    """Map a position inside a condition to the rule file's line and column."""
    line, column = line_of(document, loc)
    if line is None:
        return None, None
    container = document
    for part in loc[:-1]:
        container = container[part]
    value = container[loc[-1]]
    vline, vcol = container.lc.value(loc[-1])
    lines = text.splitlines()
    if isinstance(value, LiteralScalarString):
        target = vline + 1 + pos.line
        raw = lines[target - 1] if 0 < target <= len(lines) else ""
        return target, len(raw) - len(raw.lstrip()) + pos.column
    raw = lines[vline] if vline < len(lines) else ""
    quoted = raw[vcol : vcol + 1] in ("'", '"')
    if isinstance(value, FoldedScalarString):
        segments = []  # (0-based line, 1-based column where its text starts, length); None for a blank line
    else:
        start = vcol + (1 if quoted else 0)
        segments = [(vline, start + 1, len(raw) - start)]
    key_indent = len(raw) - len(raw.lstrip())
    for i in range(vline + 1, len(lines)):
        body = lines[i]
        indent = len(body) - len(body.lstrip())
        if body.strip() and indent <= key_indent:
            break
        segments.append((i, indent + 1, len(body.strip())) if body.strip() else None)
    # Folding joins the lines of a paragraph with one space; a blank line starts a new line.
    fold_line, offset = 1, 1
    for seg in segments:
        if seg is None:
            fold_line, offset = fold_line + 1, 1
            continue
        i, start, length = seg
        if fold_line == pos.line and offset <= pos.column <= offset + length:
            return i + 1, start + pos.column - offset
        offset += length + 1
    return vline + 1, vcol + pos.column + (1 if quoted else 0)


class _Problems:
    """Where loading problems go: raised at once (load_rulebook) or collected (check)."""

    def __init__(self, collect: bool):
        self.collect = collect
        self.errors: list[JoinupError] = []
        self.old_weights: set[str] = set()  # rules told already to write a stage for their weight

    def add(self, error: JoinupError) -> None:
        if not self.collect:
            raise error
        self.errors.append(error)


def load_rulebook(directory: Path | str) -> Rulebook:
    """Load, check and order every rule in a rulebook folder; the first problem is raised."""
    rulebook = _load(Path(directory), _Problems(collect=False))
    assert rulebook is not None
    return rulebook


def load_rulebook_collecting(directory: Path | str) -> tuple[Rulebook | None, list[JoinupError]]:
    """Load what can be loaded of a rulebook folder, and every problem found on the way.

    The same steps as `load_rulebook`, but a rule with a problem is left out and loading
    goes on, so `joinup rules check` reports every problem in one run. The rulebook is
    None when nothing usable could be loaded (no such folder, or no rule files in it).
    """
    problems = _Problems(collect=True)
    try:
        rulebook = _load(Path(directory), problems)
    except JoinupError as exc:  # a problem that stops loading altogether
        problems.errors.append(exc)
        rulebook = None
    return rulebook, problems.errors


# A rule as read, before its condition is compiled: its spec, file, the file's text and
# parsed document, and its position in the file's list of rules.
_Read = tuple[RuleSpec, str, str, Any, int]


def _load(directory: Path, problems: _Problems) -> Rulebook | None:
    """Parameters, the order of precedence and the rules, each checked, then compiled and layered."""
    if not directory.is_dir():
        raise RuleError("no such rulebook folder", file=str(directory), hint="give the folder holding the rule files")
    files: dict[str, bytes] = {}  # what the rulebook's hash is taken over
    parameters = _load_parameters(directory, problems, files)
    decision = _load_decision(directory, problems)
    if decision is not _NONE and decision is not _FALLBACK:  # read already: an unreadable one is reported
        files[DECISION_FILE] = read_bytes(directory / DECISION_FILE, RuleError, "decision file")
    read = _read_rules(directory, problems, files)
    good, findings = _checked(read, decision, problems)
    catalogue = Catalogue(parameters, findings)
    for finding in findings:
        if "." not in finding and any(p.startswith(finding + ".") for p in catalogue.paths()):
            problems.add(RuleError(f"the finding '{finding}' would hide the names under {finding}.", file=str(directory)))
    rules = _compiled(good, catalogue, decision, problems)
    try:
        layers = _layer(rules, catalogue)
    except RuleError as exc:
        problems.add(exc)  # collecting: the rulebook is for analysis only, not for deciding
        layers = [list(range(len(rules)))]
    return Rulebook(directory, rules, parameters, catalogue, layers, _digest(files), files, decision)


def _load_parameters(directory: Path, problems: _Problems, files: dict[str, bytes]) -> Parameters:
    params_path = directory / PARAMETERS_FILE
    if problems.collect:
        parameters, errors = Parameters.load_collecting(params_path, MEASURE_LIMITS)
        problems.errors.extend(errors)
    else:
        parameters = Parameters.load(params_path, MEASURE_LIMITS)
        check_parameters(parameters)
    if params_path.is_file():
        files[PARAMETERS_FILE] = read_bytes(params_path, RuleError, "parameters file")
    return parameters


def _read_rules(directory: Path, problems: _Problems, files: dict[str, bytes]) -> list[_Read]:
    """Every rule of every rule file that parses and validates, in file order."""
    paths = rule_files(directory)
    if not paths:
        raise RuleError("holds no rule files (*.yaml)", file=str(directory))
    read: list[_Read] = []
    for path in paths:
        try:
            text = read_text(path, RuleError, "rule file")
            files[path.name] = text.encode("utf-8")  # the bytes just read, not a second read
            document = parse_text(text, str(path), RuleError)
        except RuleError as exc:
            problems.add(exc)
            continue
        for i, spec in _rule_specs(document, str(path), problems):
            read.append((spec, str(path), text, document, i))
    return read


def _checked(read: list[_Read], decision: Decision, problems: _Problems) -> tuple[list[_Read], dict[str, str]]:
    """The rules fit to compile (unique ids, a conclusion, a valid stage), and the findings they conclude."""
    ids: dict[str, str] = {}
    findings: dict[str, str] = {}
    good: list[_Read] = []
    for spec, path, text, document, i in read:
        line = line_of(document, ("rules", i, "id"))[0]
        ok = True
        for rid in [spec.id, *spec.replaces]:
            if rid in ids:
                problems.add(
                    RuleError(f"the id '{rid}' is used twice; first at {ids[rid]}", file=path, line=line, field="id")
                )
                ok = False
            ids.setdefault(rid, f"{path}:{line}")
        if spec.then.finding in RESERVED:
            problems.add(
                RuleError(
                    f"'{spec.then.finding}' is reserved and cannot name a finding",
                    file=path,
                    line=line_of(document, ("rules", i, "then", "finding"))[0],
                    field="then.finding",
                )
            )
            continue
        if spec.then.finding:
            findings.setdefault(spec.then.finding, spec.title)
        if not any((spec.then.finding, spec.then.verdict, spec.then.condition, spec.then.risk, spec.then.favours)):
            problems.add(
                RuleError(
                    "concludes nothing",
                    file=path,
                    line=line_of(document, ("rules", i, "then"))[0],
                    field="then",
                    hint="give a finding, a verdict, a condition, a risk, or the verdict it favours",
                )
            )
            ok = False
        if not _stage_ok(spec, path, document, i, decision, problems):
            ok = False
        if ok:
            good.append((spec, path, text, document, i))
    return good, findings


def _compiled(good: list[_Read], catalogue: Catalogue, decision: Decision, problems: _Problems) -> list[Rule]:
    """Each rule's condition parsed, checked and compiled once."""
    rules = []
    for spec, path, text, document, i in good:
        try:
            rule = _load_rule(spec, path, text, document, i, catalogue)
        except RuleError as exc:
            problems.add(exc)
            continue
        rule.stage = decision.index(spec.stage) if spec.stage else None
        rules.append(rule)
    return rules


def _digest(files: dict[str, bytes]) -> str:
    """SHA-256 over the rulebook's files, by name: what a recommendation records it was decided under."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


# Loads with a decision.yaml that cannot be read still check the rules: one stage, taking any name.
_FALLBACK = Decision(stages=[Stage(id="unreadable", title="(decision.yaml unreadable)", explain="-")])
# A rulebook of findings, conditions and risks only needs no order of precedence.
_NONE = Decision.model_construct(description="", stages=[])


def _load_decision(directory: Path, problems: _Problems) -> Decision:
    """The order of precedence, from decision.yaml beside the rule files."""
    path = directory / DECISION_FILE
    if not path.is_file():
        return _NONE  # an error at the first verdict rule, if there is one (_stage_ok)
    try:
        document = parse_text(read_text(path, RuleError), str(path), RuleError)
        decision = validate(Decision, document, str(path), RuleError)
    except RuleError as exc:
        problems.add(exc)
        return _FALLBACK
    seen: set[str] = set()
    for i, stage in enumerate(decision.stages):
        if stage.id in seen:
            problems.add(RuleError(f"the stage '{stage.id}' is named twice", file=str(path),
                                   line=line_of(document, ("stages", i, "id"))[0], field="id"))
        seen.add(stage.id)
    return decision


def _stage_ok(spec: RuleSpec, path: str, document: Any, i: int, decision: Decision, problems: _Problems) -> bool:
    """A verdict rule names a known stage; a rule with no verdict has none (it can only be a consideration)."""
    stages = [s.id for s in decision.stages]
    if spec.then.verdict and decision is _NONE:
        problems.add(RuleError(
            f"a rule that gives a verdict needs the rulebook's {DECISION_FILE}: the order of precedence that says "
            "which verdict rules decide",
            file=path, line=line_of(document, ("rules", i, "then", "verdict"))[0], field=f"{spec.id}: then.verdict",
            hint=f"copy rules/{DECISION_FILE} from joinup beside the rule files and give each verdict rule one of "
                 "its stages (`stage:`)"))
        return False
    if spec.then.verdict and not spec.stage:
        if spec.id in problems.old_weights:
            return False  # its weight's error says to write a stage already
        problems.add(RuleError(
            "a rule that gives a verdict needs a stage: the step of the order of precedence it decides in",
            file=path, line=line_of(document, ("rules", i, "then", "verdict"))[0], field=f"{spec.id}: stage",
            hint="add `stage:` with one of " + ", ".join(stages) + f" (see {DECISION_FILE})"))
        return False
    if spec.stage and not spec.then.verdict:
        problems.add(RuleError(
            "only a rule that gives a verdict has a stage; this one can only be a consideration",
            file=path, line=line_of(document, ("rules", i, "stage"))[0], field=f"{spec.id}: stage",
            hint="remove `stage:`, or give the rule a verdict (`then: {verdict: ...}`)"))
        return False
    if spec.stage and decision is not _FALLBACK and decision.index(spec.stage) is None:
        problems.add(RuleError(
            f"no stage '{spec.stage}' in {DECISION_FILE}",
            file=path, line=line_of(document, ("rules", i, "stage"))[0], field=f"{spec.id}: stage",
            hint=did_you_mean(spec.stage, stages) or "one of " + ", ".join(stages)))
        return False
    if spec.then.verdict and spec.then.favours:
        problems.add(RuleError(
            "a verdict rule argues for its verdict already; `favours` is for a rule that gives none",
            file=path, line=line_of(document, ("rules", i, "then", "favours"))[0], field=f"{spec.id}: then.favours",
            hint="remove `favours`"))
        return False
    return True


def _no_weights(document: Any, path: str, problems: _Problems) -> None:
    """A rule written for the old "heaviest weight wins" is told what to write instead, at its weight.

    When collecting, the weight is then dropped so the rest of the rule is still checked.
    """
    rules = document.get("rules") if isinstance(document, dict) else None
    for item in rules if isinstance(rules, list) else ():
        if isinstance(item, dict) and "weight" in item:
            rid = item.get("id")
            problems.add(RuleError(
                "`weight` is no longer used: verdicts are decided by the order of precedence in "
                f"{DECISION_FILE}, stage by stage",
                file=path, line=line_of(item, ("weight",))[0], field=f"{rid}: weight" if rid else "weight",
                hint="a verdict rule: replace `weight:` with `stage:` and a stage of decision.yaml "
                     "(the first stage with a verdict decides); any other rule: delete the weight "
                     "(its reason is shown among the other considerations)"))
            del item["weight"]
            if isinstance(rid, str):
                problems.old_weights.add(rid)


def _rule_specs(document: Any, path: str, problems: _Problems) -> list[tuple[int, RuleSpec]]:
    """The valid rules of a rule file, by position; when collecting, each bad rule is its own problem."""
    _no_weights(document, path, problems)
    try:
        parsed = validate(RuleFile, document, path, RuleError)
        return list(enumerate(parsed.rules))
    except RuleError as exc:
        if not problems.collect:
            raise
        first = exc
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list):
        problems.add(first)
        return []
    for key in document:
        if key not in RuleFile.model_fields:
            line, column = line_of(document, (key,))
            problems.add(
                RuleError("is not a field here", file=path, line=line, column=column, field=str(key),
                          hint=did_you_mean(str(key), list(RuleFile.model_fields)))
            )
    specs = []
    for i, item in enumerate(rules):
        try:
            specs.append((i, validate(RuleSpec, item, path, RuleError)))
        except RuleError as exc:
            rid = item.get("id") if isinstance(item, dict) else None
            where = f"rules[{i}]" + (f" ({rid})" if rid else "")
            problems.add(
                RuleError(exc.message, file=path, line=exc.line, column=exc.column,
                          field=f"{where}.{exc.field}" if exc.field else where, hint=exc.hint)
            )
    return specs


def _load_rule(spec: RuleSpec, path: str, text: str, document: Any, i: int, catalogue: Catalogue) -> Rule:
    loc = ("rules", i, "when")
    try:
        node = expressions.parse(spec.when)
        typecheck.check(node, catalogue)
        compiled = compiler.compile_rule(node, catalogue)
    except RuleError as exc:
        line, column = _where_in_text(text, document, loc, expressions.Pos(exc.line or 1, exc.column or 1))
        raise RuleError(exc.message, file=path, line=line, column=column, field=f"{spec.id}: when", hint=exc.hint) from None
    names = []
    for ref in expressions.refs(node):
        name = catalogue.get(ref.path)
        if name is not None and name not in names:
            names.append(name)
    placeholders = []
    for key in ("explain", "then"):
        texts = [spec.explain] if key == "explain" else [t for t in (spec.then.condition, spec.then.risk) if t]
        for t in texts:
            for m in PLACEHOLDER.finditer(t):
                ph = m.group(1).strip()
                if catalogue.get(ph) is None:
                    raise RuleError(
                        f"unknown name '{{{ph}}}' in the text",
                        file=path,
                        line=line_of(document, ("rules", i, key))[0],
                        field=f"{spec.id}: {key}",
                        hint=did_you_mean(ph, catalogue.paths()),
                    )
                if ph not in placeholders:
                    placeholders.append(ph)
    rule = Rule(spec, path, line_of(document, ("rules", i, "id"))[0], node, names, placeholders, compiled)
    rule.lines = {key: line_of(document, ("rules", i, *key.split(".")))[0]
                  for key in ("stage", "explain", "then.finding", "then.verdict", "then.condition", "then.risk")}
    rule.locate = lambda pos: _where_in_text(text, document, ("rules", i, "when"), pos)
    return rule


def _layer(rules: list[Rule], catalogue: Catalogue) -> list[list[int]]:
    """Order rules so each runs after the rules whose findings it reads."""
    producers: dict[str, list[int]] = {}
    for i, r in enumerate(rules):
        if r.spec.then.finding:
            producers.setdefault(r.spec.then.finding, []).append(i)
    needs: list[list[int]] = [
        [j for n in r.names if catalogue.is_finding(n.path) for j in producers.get(n.path, [])] for r in rules
    ]
    # A walk with its own stack, not recursion: a chain of findings a thousand rules long
    # is as deep as a rulebook may go, and Python's stack would not be.
    depth: dict[int, int] = {}
    for first in range(len(rules)):
        if first in depth:
            continue
        path, on_path = [first], {first}
        stack = [iter(needs[first])]
        while stack:
            for j in stack[-1]:
                if j in depth:
                    continue
                if j in on_path:
                    cycle = " -> ".join(rules[k].id for k in path[path.index(j) :] + [j])
                    raise RuleError(
                        f"rules depend on each other's findings in a loop: {cycle}",
                        file=rules[j].file,
                        line=rules[j].line,
                        field=rules[j].id,
                    )
                path.append(j)
                on_path.add(j)
                stack.append(iter(needs[j]))
                break
            else:
                i = path.pop()
                on_path.discard(i)
                stack.pop()
                depth[i] = max((depth[j] + 1 for j in needs[i]), default=0)
    for i, r in enumerate(rules):
        r.layer = depth[i]
    count = max(depth.values()) + 1 if depth else 0
    return [[i for i, r in enumerate(rules) if r.layer == n] for n in range(count)]
