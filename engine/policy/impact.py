"""What a rulebook change would flip: `joinup rules impact --base OLD`.

Every case under a folder is decided under the old rulebook and the new one; each verdict
that changes (overall, and per service line) is listed with the rules whose firing
changed and the reasons before and after. The old rulebook is a folder, or a git revision
whose rules folder is extracted with `git archive` into a temporary folder.
"""
from __future__ import annotations

import contextlib
import io
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import JoinupError, RuleError
from ..load import load_case
from ..recommendation import LineRecommendation, Recommendation
from .. import wording

CASE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class LineChange:
    """One service line whose verdict or firing changed."""

    service_line: str
    before: str
    after: str
    now_fire: list[str]
    no_longer_fire: list[str]
    reasons_before: list[str]
    reasons_after: list[str]
    decided_before: str | None = None
    decided_after: str | None = None

    @property
    def flipped(self) -> bool:
        return self.before != self.after


@dataclass
class CaseImpact:
    """One case decided under both rulebooks."""

    case: str
    before: str
    after: str
    lines: list[LineChange] = field(default_factory=list)
    error: str | None = None

    @property
    def flipped(self) -> bool:
        return self.before != self.after or any(lc.flipped for lc in self.lines)


@dataclass
class Impact:
    """Every case under both rulebooks."""

    base: str
    new: str
    cases: list[CaseImpact]

    @property
    def flips(self) -> list[CaseImpact]:
        return [c for c in self.cases if c.flipped]

    @property
    def errors(self) -> list[CaseImpact]:
        return [c for c in self.cases if c.error]

    @property
    def changed(self) -> bool:
        return bool(self.flips or self.errors)

    def summary(self) -> str:
        overall = sum(1 for c in self.cases if c.before != c.after)
        lines = sum(1 for c in self.cases for lc in c.lines if lc.flipped)
        quiet = sum(1 for c in self.cases for lc in c.lines if not lc.flipped)
        text = (
            f"{len(self.cases)} case(s) decided under both rulebooks: {overall} overall verdict(s) and "
            f"{lines} service line verdict(s) flipped"
        )
        if quiet:
            text += f"; {quiet} line(s) had rules fire differently with the same verdict"
        if self.errors:
            text += f"; {len(self.errors)} case(s) could not be decided"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "new": self.new,
            "flipped": len(self.flips),
            "cases": [
                {
                    "case": c.case,
                    "before": c.before,
                    "after": c.after,
                    "flipped": c.flipped,
                    "error": c.error,
                    "lines": [lc.__dict__ | {"flipped": lc.flipped} for lc in c.lines],
                }
                for c in self.cases
            ],
        }


def case_files(folder: Path) -> list[Path]:
    """The case files under a folder (JSON Schemas left out)."""
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix in CASE_SUFFIXES and not p.name.endswith(".schema.json")
    )


def _reasons(lr: LineRecommendation) -> list[str]:
    """The reasons that argue for a verdict, each with its place in the decision (why, outweighed, consideration)."""
    return [f"[{r.rule_id}, {r.role}, {r.supports}] {wording.sentence(r)}" for r in lr.reasons if r.supports]


def compare(case: str, old: Recommendation, new: Recommendation, renamed: dict[str, str] | None = None) -> CaseImpact:
    """What changed for one case between two recommendations.

    `renamed` maps ids the new rulebook lists under `replaces` to the new id, so a renamed
    rule is not reported as one rule stopping and another starting.
    """
    renamed = renamed or {}
    impact = CaseImpact(case, old.verdict, new.verdict)
    after = {lr.service_line: lr for lr in new.lines}
    for lr in old.lines:
        nr = after.get(lr.service_line)
        if nr is None:
            continue
        fired_before = [renamed.get(s.rule_id, s.rule_id) for s in old.trace if s.service_line == lr.service_line]
        fired_after = [s.rule_id for s in new.trace if s.service_line == lr.service_line]
        now = [r for r in fired_after if r not in fired_before]
        gone = [r for r in fired_before if r not in fired_after]
        if lr.verdict != nr.verdict or now or gone:
            impact.lines.append(
                LineChange(lr.service_line, lr.verdict, nr.verdict, now, gone, _reasons(lr), _reasons(nr), lr.decided_by, nr.decided_by)
            )
    return impact


def impact(base_rules: Path, new_rules: Path, cases: Path) -> Impact:
    """Decide every case under `cases` with both rulebooks and compare."""
    from ..api import Decider  # the API builds on this module's callers, not the other way round

    if not cases.is_dir():
        raise RuleError("no such folder of cases", file=str(cases), hint="give --cases a folder of case files")
    paths = case_files(cases)
    if not paths:
        raise RuleError("holds no case files (*.yaml, *.yml, *.json)", file=str(cases))
    old, new = Decider(base_rules), Decider(new_rules)
    renamed = {alias: r.id for r in new.rulebook.rules for alias in r.spec.replaces}
    results = []
    for path in paths:
        try:
            loaded = load_case(path)
            results.append(compare(str(path), old.decide(loaded), new.decide(loaded), renamed))
        except JoinupError as exc:
            results.append(CaseImpact(str(path), "?", "?", error=str(exc)))
    return Impact(str(base_rules), str(new_rules), results)


@contextlib.contextmanager
def base_rulebook(base: str, new_rules: Path) -> Iterator[Path]:
    """The old rulebook as a folder: `base` itself if it is one, else the rules folder at git revision `base`.

    `base` comes from the command line, so it never reaches git as an argument of its own:
    it is resolved to a commit hash first (`--end-of-options` keeps `--output=FILE` or
    `--remote=HOST` from being read as an option), and only the hash is used after that.
    """
    if base and Path(base).is_dir():  # Path("") is the current folder
        yield Path(base)
        return
    folder = new_rules.resolve()
    root = Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip())
    commit = resolve_commit(base, root)
    relative = folder.relative_to(root).as_posix()
    tree = commit if relative == "." else f"{commit}:{relative}"
    # The tree starts with the hash, so it cannot be read as an option; `--` ends the (empty) paths.
    data = _git(["archive", "--format=tar", tree, "--"], root, base)
    with tempfile.TemporaryDirectory(prefix="joinup-base-") as tmp:
        # The short hash, not `base`: a revision such as origin/main holds a slash.
        target = Path(tmp) / f"{relative.replace('/', '-')}@{commit[:12]}"
        target.mkdir()
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            try:
                tar.extractall(target, filter="data")  # refuses links and paths out of the folder
            except TypeError:  # Python before 3.11.4: git archive writes plain files only
                tar.extractall(target)
        yield target


# A commit hash as `git rev-parse` prints it (SHA-1 or SHA-256).
_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


def resolve_commit(base: str, root: Path) -> str:
    """The full hash of the commit `base` names in the repository at `root`; RuleError for anything else."""
    if not base or any(c in base for c in "\0\n\r"):
        raise RuleError(f"{base!r} is neither a folder nor a git revision", file="--base",
                        hint="give a folder or a revision such as HEAD~1 or a tag")
    out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}"], root, base)
    commit = out.decode(errors="replace").strip()
    if not _COMMIT.match(commit):
        raise RuleError(f"'{base}' does not name one git commit", file="--base",
                        hint="give a folder or a revision such as HEAD~1 or a tag")
    return commit


def _git(args: list[str], cwd: Path, rev: str | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise RuleError("git is not installed, so a revision cannot be read", hint="give the old rulebook as a folder") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise RuleError(
            f"'{rev}' is neither a folder nor a git revision holding the rules" if rev else "is not inside a git repository",
            file=str(cwd) if not rev else "--base",
            hint=(message[-1] if message else None) or "give a folder or a revision such as HEAD~1 or a tag",
        )
    return done.stdout


def impact_text(result: Impact) -> str:
    """What `joinup rules impact` prints: each flip, then the summary line."""
    out = []
    for c in result.cases:
        if c.error:
            out += [f"{c.case}: could not be decided", f"    {c.error}"]
            continue
        if not c.flipped:
            continue
        out.append(f"{c.case}: {c.before} -> {c.after}" if c.before != c.after else f"{c.case}: {c.before} (unchanged overall)")
        for lc in c.lines:
            if not lc.flipped:
                continue
            out.append(f"  {lc.service_line}: {lc.before} -> {lc.after}")
            out.append(f"    decided by:     {lc.decided_before or 'no rule'} -> {lc.decided_after or 'no rule'}")
            if lc.now_fire:
                out.append(f"    now fire:       {', '.join(lc.now_fire)}")
            if lc.no_longer_fire:
                out.append(f"    no longer fire: {', '.join(lc.no_longer_fire)}")
            out.append("    reasons before:")
            out += [f"      {r}" for r in lc.reasons_before] or ["      none"]
            out.append("    reasons after:")
            out += [f"      {r}" for r in lc.reasons_after] or ["      none"]
    out.append(result.summary())
    return "\n".join(out)
