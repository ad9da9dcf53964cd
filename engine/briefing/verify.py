"""Verify a briefing: decide its embedded case again under its embedded rulebook, and compare.

A briefing PDF carries the case file, the Recommendation as JSON and the rulebook's files.
`verify_pdf` writes the rulebook files to a temporary folder, loads it, decides the case
bytes again and reports every way the new recommendation differs from the embedded one:
verdict, per-line verdicts, the firings behind reasons, conditions and risks and the values
they used, then any other figure. Words are written from those facts (engine.wording), so a
change of wording alone, in the rulebook or in joinup's formatting, is a note, not a failure.
The PDF is untrusted input, read under limits: its size before it is parsed, pypdf in
strict mode with its logging silenced and its decompression bounded, the recommendation's
nesting before it is parsed, and every attachment name before anything is written. The
embedded rulebook loads through `load_rulebook` like any other, under the same limits.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import re
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..api import Decider
from ..documents import MAX_DOCUMENT_BYTES, read_bytes
from ..errors import BriefingError
from ..isolated import ChildDied, run_in_child
from ..load import MAX_BYTES as MAX_CASE_BYTES
from ..load import parse_case
from ..recommendation import Recommendation
from ..write import write_output
from ..analysis.analyse import MAX_DRAWS, decide_sure
from .briefer import ANALYSIS, RECOMMENDATION, RULEBOOK_FOLDER, SAFE_RULE_FILE, analysis_json, case_attachment_name

# Provenance fields that name where and with what a recommendation was made, not what it says.
# The rulebook's hash is judged by verify_pdf: a failure when the embedded rulebook is not the one
# recorded, a note under --rules (another rulebook differs by design; what it decides is compared).
_CIRCUMSTANTIAL = {("provenance", "rulebook"), ("provenance", "joinup_version"), ("provenance", "rulebook_sha256")}
MAX_LISTED = 12

# A briefing of the largest case allowed (50 service lines) is about 1 MB; twenty times
# that is not a briefing, and parsing it would only cost time.
MAX_BRIEFING_BYTES = 20_000_000
# No attachment joinup writes comes near this once decompressed (a 50-line recommendation
# is under 1 MB): a stream that inflates past it is a compression bomb, refused by pypdf.
MAX_ATTACHMENT_BYTES = max(MAX_CASE_BYTES, MAX_DOCUMENT_BYTES, 10_000_000)
# A recommendation nests six deep; json.loads recurses once per level, so a hostile one
# nested thousands deep would be a RecursionError. Checked before it is parsed.
MAX_JSON_DEPTH = 32
# A rulebook file name as written to the temporary folder: well inside any file system's
# 255-byte limit, and a shipped rulebook has 7 files.
MAX_NAME_LENGTH = 100
MAX_RULEBOOK_FILES = 200
# A case file's name as the briefing records it (it is shown, never written).
MAX_CASE_NAME_LENGTH = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Evidence:
    """What a briefing carries: the case bytes and name, the recommendation JSON, the rulebook's files."""

    case_name: str
    case_file: str
    case: bytes
    recommendation: dict[str, Any]
    rulebook: dict[str, bytes]
    analysis: dict[str, Any] | None = None  # analysis.json: how sure the advice is, with its draws and seed


@dataclass(frozen=True)
class Verification:
    """The outcome: whether the briefing holds, and if not, what differs."""

    holds: bool
    differences: list[str]
    embedded: dict[str, Any]
    decided: Recommendation
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf's logging and warnings off, and its decompression bounded, while a briefing is read.

    A few flipped bytes make pypdf's lenient mode log a line per object it tries to
    recover (over a million lines, for seconds); strict mode raises at the first instead.
    """
    logger = logging.getLogger("pypdf")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    limits = getattr(pypdf, "apply_configuration", None)  # pypdf 6.4 and later; older ones keep their 75 MB
    bounded = (limits(zlib_maximum_output_length=MAX_ATTACHMENT_BYTES) if limits is not None
               else contextlib.nullcontext())
    try:
        with warnings.catch_warnings(), bounded:
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


def _attachments(data: bytes, source: str) -> dict[str, bytes]:
    try:
        with _quiet_pypdf():
            reader = PdfReader(io.BytesIO(data), strict=True)
            found = reader.attachments
            return {name: contents[0] for name, contents in found.items() if contents}
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            OverflowError, UnicodeError, MemoryError) as exc:
        reason = "it holds more than joinup reads" if "Limit" in type(exc).__name__ else "it is damaged"
        raise BriefingError(f"is not a PDF joinup can read: {reason} ({type(exc).__name__})", file=source,
                            hint="it may have been damaged or altered; ask for the briefing again") from None


def _json_depth(text: bytes) -> int:
    """How deep arrays and objects nest in JSON text, counted without parsing it."""
    depth = deepest = 0
    for bracket in re.findall(rb"[\[\]{}]", re.sub(rb'"(?:[^"\\]|\\.)*"', b"", text)):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _recommendation(raw: bytes, source: str) -> dict[str, Any]:
    """The embedded recommendation as data, refused if it nests too deep or lacks what verify compares."""
    unreadable = BriefingError("carries a recommendation.json joinup cannot read", file=source)
    if _json_depth(raw) > MAX_JSON_DEPTH:
        raise BriefingError(f"carries a recommendation.json nested more than {MAX_JSON_DEPTH} deep", file=source)
    try:
        embedded = json.loads(raw)
    except (ValueError, RecursionError):
        raise unreadable from None
    if not (isinstance(embedded, dict) and isinstance(embedded.get("provenance"), dict)
            and isinstance(embedded["provenance"].get("case_file"), str)):
        raise unreadable
    for key in ("lines", "reasons", "conditions", "risks"):
        items = embedded.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise unreadable
        if key == "lines" and not all(isinstance(i.get("service_line"), str) for i in items):
            raise unreadable
    return embedded


def _analysis(raw: bytes, source: str) -> dict[str, Any]:
    """The embedded analysis as data, refused unless its draws and seed are what joinup would have run."""
    unreadable = BriefingError(f"carries an {ANALYSIS} joinup cannot read", file=source)
    if _json_depth(raw) > MAX_JSON_DEPTH:
        raise unreadable
    try:
        found = json.loads(raw)
    except (ValueError, RecursionError):
        raise unreadable from None
    draws, seed = (found.get("draws"), found.get("seed")) if isinstance(found, dict) else (None, None)
    if not (draws is None or (type(draws) is int and 1 <= draws <= MAX_DRAWS)) or not (type(seed) is int and seed >= 0):
        raise unreadable
    return found


def _check_names(files: dict[str, bytes], source: str) -> None:
    """Refuse a rulebook file name joinup would not write, before anything is written."""
    rulebook = [name for name in files if name.startswith(RULEBOOK_FOLDER)]
    if len(rulebook) > MAX_RULEBOOK_FILES:
        raise BriefingError(f"carries {len(rulebook)} rulebook files; at most {MAX_RULEBOOK_FILES} are read",
                            file=source)
    for name in rulebook:
        short = name.removeprefix(RULEBOOK_FOLDER)
        if len(short) > MAX_NAME_LENGTH or not SAFE_RULE_FILE.match(short):
            shown = name if len(name) <= 60 else name[:57] + "..."
            raise BriefingError(f"carries a rulebook file with an unsafe name: {shown!r}", file=source,
                                hint=f"joinup writes plain names of at most {MAX_NAME_LENGTH} characters ending .yaml")


def read_evidence(data: bytes, source: str = "<briefing>") -> Evidence:
    """The case, recommendation and rulebook embedded in a briefing PDF."""
    if not data.startswith(b"%PDF-"):
        raise BriefingError("is not a PDF", file=source)
    if len(data) > MAX_BRIEFING_BYTES:
        raise BriefingError(f"is larger than {MAX_BRIEFING_BYTES // 1_000_000} MB; a briefing is far smaller",
                            file=source)
    files = _attachments(data, source)
    _check_names(files, source)
    if RECOMMENDATION not in files:
        raise BriefingError("carries no recommendation.json: it is not a joinup briefing", file=source,
                            hint="brief the case with `joinup brief` to get a briefing that can be verified")
    embedded = _recommendation(files[RECOMMENDATION], source)
    case_file = embedded["provenance"]["case_file"]
    if len(case_file) > MAX_CASE_NAME_LENGTH or _CONTROL.search(case_file):
        raise BriefingError("records a case file name joinup would not write", file=source)
    case_name = case_attachment_name(case_file)
    if case_name not in files:
        raise BriefingError(f"does not carry its case file '{case_name}'", file=source)
    rulebook = {name.removeprefix(RULEBOOK_FOLDER): contents
                for name, contents in files.items() if name.startswith(RULEBOOK_FOLDER)}
    if not rulebook:
        raise BriefingError("carries no rulebook files", file=source)
    analysis = _analysis(files[ANALYSIS], source) if ANALYSIS in files else None
    return Evidence(case_name, Path(str(case_file)).name, files[case_name], embedded, rulebook, analysis)


def _decide(evidence: Evidence, rules: Path | None) -> tuple[Recommendation, dict[str, Any] | None]:
    """The case decided again; with its analysis run again, with the embedded draws and seed, if it had one."""
    loaded = parse_case(evidence.case, evidence.case_file)
    if rules is not None:
        return _decided_with(Decider(rules), loaded, evidence.analysis)
    # The embedded rulebook is untrusted: it loads from a private folder through the same
    # loader, checks and limits as any rulebook given with --rules.
    with tempfile.TemporaryDirectory(prefix="joinup-verify-") as folder:
        for name, contents in evidence.rulebook.items():
            write_output(Path(folder) / name, contents)
        return _decided_with(Decider(Path(folder)), loaded, evidence.analysis)


def _decided_with(decider: Decider, loaded, embedded: dict[str, Any] | None) -> tuple[Recommendation, dict[str, Any] | None]:
    if embedded is None:
        return decider.decide(loaded), None
    draws, seed = embedded["draws"], embedded["seed"]
    rec, analysis = decide_sure(decider, loaded, draws=draws, seed=seed)
    return rec, json.loads(analysis_json(analysis, draws, seed))


# The analysis's words, written from its figures (engine.analysis.words): a change in these alone is wording.
_ANALYSIS_WORDS = {"sentence", "statement", "advice", "label", "dependence", "searched"}


def _analysis_differences(embedded: dict[str, Any] | None, found: dict[str, Any] | None,
                          notes: list[str]) -> list[str]:
    """Where the analysis run again with the embedded seed differs from the one the briefing carries.

    Figures and verdicts are compared; the words written from them only note a difference.
    """
    if embedded is None or found is None:
        return []
    changed = _walk(embedded, found, ())
    worded = [c for c in changed if c[0][-1:] and c[0][-1] in _ANALYSIS_WORDS]
    if worded:
        notes.append(f"{len(worded)} sentence(s) of the analysis are worded differently now")
    changed = [c for c in changed if c not in worded]
    shown = [f"analysis {_dotted(p)}: {'absent' if a is _MISSING else a!r} in the briefing, "
             f"{'absent' if b is _MISSING else b!r} now" for p, a, b in changed[:MAX_LISTED]]
    if len(changed) > MAX_LISTED:
        shown.append(f"... and {len(changed) - MAX_LISTED} more differences in the analysis")
    return shown


def _decided_apart(evidence: Evidence, rules: Path | None, source: str) -> tuple[Recommendation, dict[str, Any] | None]:
    """The embedded case decided in a child process: a rulebook or case that crashed the rules
    engine's native code would otherwise take joinup with it, with no word of which briefing."""
    try:
        return run_in_child(_decide, evidence, rules)
    except ChildDied as died:
        raise BriefingError(
            f"the rules engine {died} deciding this briefing's case", file=source,
            hint="the embedded case or rulebook is beyond what joinup can decide; please report it with this briefing",
        ) from None


# Words written from the facts beside them (engine.wording: the `text`, `summary` and `shown` the JSON
# carries for tools) and the rule texts they are written from. A difference in these alone is a change
# of wording, in the rulebook or in joinup's formatting, not of what was decided: a note, not a failure.
_WORDING = frozenset({"text", "summary", "shown", "template"})


_ITEMS = (("reasons", "reason"), ("conditions", "condition"), ("risks", "risk"))


def _firings(rec: dict[str, Any], key: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Reasons, conditions or risks by the firing that gave them: (service line, rule id)."""
    items = rec.get(key)
    return {(str(i.get("service_line")), str(i.get("rule_id"))): i
            for i in (items if isinstance(items, list) else []) if isinstance(i, dict)}


def _said(item: dict[str, Any]) -> str:
    return f"{item.get('service_line')}: {item.get('text', '')} [{item.get('rule_id')}]"


def _facts(values: list[Any]) -> dict[str, tuple[Any, Any]]:
    """Recorded values by name: what each placeholder read, and in what unit."""
    return {str(v.get("name")): (v.get("value"), v.get("unit")) for v in values if isinstance(v, dict)}


def _compared(what: str, old: dict[str, Any], new: dict[str, Any], notes: list[str]) -> list[str]:
    """How one reason, condition or risk given both times differs: its values fail, its words are noted."""
    where = f"{what} {old.get('service_line')} [{old.get('rule_id')}]"
    if not isinstance(old.get("values"), list):  # recorded before decisions kept their facts: words are all there is
        if old.get("text") != new.get("text"):
            return [f"{where}: the briefing says '{old.get('text')}', deciding again gives '{new.get('text')}'"]
        return []
    reworded = old.get("template") != new.get("template")
    before, after = _facts(old["values"]), _facts(new.get("values", []))
    out = []
    for name in [*before, *(n for n in after if n not in before)]:
        if name in before and name in after:
            if before[name] != after[name]:
                out.append(f"{where}: {name} {before[name][0]!r} in the briefing, {after[name][0]!r} now")
        elif not reworded:  # the same text reads the same names: one missing is a changed record
            out.append(f"{where}: {name} {'recorded only in the briefing' if name in before else 'recorded only now'}")
    if reworded:  # a figure the new words read and the old did not (or back) is part of the rewording
        notes.append(f"{where}: worded differently by the rulebook now: '{new.get('text')}'")
    elif old.get("text") != new.get("text"):
        notes.append(f"{where}: the same figures, written differently now: '{new.get('text')}'")
    return out


def _given(old: dict[str, Any], new: dict[str, Any], notes: list[str]) -> list[str]:
    """Reasons, conditions and risks given in one record or its line, compared firing by firing."""
    out = []
    for key, what in _ITEMS:
        before, after = _firings(old, key), _firings(new, key)
        out += [f"{what} no longer given: {_said(i)}" for k, i in before.items() if k not in after]
        out += [f"{what} now given: {_said(i)}" for k, i in after.items() if k not in before]
        for k in (k for k in before if k in after):
            out += _compared(what, before[k], after[k], notes)
    return out


def _compared_above(path: tuple) -> bool:
    """Whether `differences` has already judged what sits at `path`: words, and the values of an item."""
    if path[-1:] and path[-1] in _WORDING:
        return True
    return any(path[i] in ("reasons", "conditions", "risks") and isinstance(path[i + 1], int)
               and path[i + 2] == "values" for i in range(len(path) - 2))


def _walk(old: Any, new: Any, path: tuple) -> list[tuple[tuple, Any, Any]]:
    """Paths where `old` differs from `new`; keys only `new` has (fields added since) are not differences."""
    if path[:2] in _CIRCUMSTANTIAL:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for k in old for d in _walk(old[k], new.get(k, _MISSING), path + (k,))]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new)) for d in _walk(a, b, path + (i,))]
    return [] if old == new else [(path, old, new)]


_MISSING = object()


def _dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def differences(embedded: dict[str, Any], decided: Recommendation, notes: list[str] | None = None) -> list[str]:
    """Every way a new recommendation differs from the embedded one in what it decided, most important first.

    Verdicts, firings (which rule gave which reason, condition or risk on which line) and the
    values they used are compared; a difference in wording alone is appended to `notes`.
    """
    notes = [] if notes is None else notes
    new = json.loads(decided.model_dump_json())
    out = []
    if embedded.get("verdict") != new["verdict"]:
        out.append(f"verdict: the briefing says {embedded.get('verdict')}, deciding again gives {new['verdict']}")
    old_lines = {line["service_line"]: line for line in embedded.get("lines", [])}
    new_lines = {line["service_line"]: line for line in new["lines"]}
    for name, line in old_lines.items():
        if name not in new_lines:
            out.append(f"service line {name}: no longer in the case")
        elif line.get("verdict") != new_lines[name]["verdict"]:
            out.append(f"service line {name}: the briefing says {line.get('verdict')}, "
                       f"deciding again gives {new_lines[name]['verdict']}")
    out += [f"service line {name}: new in the case" for name in new_lines if name not in old_lines]
    # Each line carries its own copy of its reasons, conditions and risks (the briefing prints
    # section 1 from it), so those are compared too; a difference in both is reported once.
    worded: list[str] = []
    given = _given(embedded, new, worded)
    for name in (n for n in old_lines if n in new_lines):
        given += _given(old_lines[name], new_lines[name], worded)
    out += dict.fromkeys(given)
    if embedded.get("summary", new["summary"]) != new["summary"]:
        worded.append(f"summary: worded differently now: '{new['summary']}'")
    notes += dict.fromkeys(worded)
    if out:
        return out
    changed = _walk(embedded, new, ())
    # Reasons, conditions, risks and the summary are compared above; a figure shown differently
    # anywhere else (the trace) with the same value is joinup's formatting.
    restyled = sum(1 for p, _, _ in changed if p[-1:] == ("shown",) and not _compared_above(p[:-1]))
    if restyled:
        notes.append(f"{restyled} recorded figure(s) with the same values are written differently now")
    changed = [c for c in changed if not _compared_above(c[0])]
    shown = [f"{_dotted(p)}: {'absent' if a is _MISSING else a!r} in the briefing, "
             f"{'absent' if b is _MISSING else b!r} now" for p, a, b in changed[:MAX_LISTED]]
    if len(changed) > MAX_LISTED:
        shown.append(f"... and {len(changed) - MAX_LISTED} more differences")
    return shown


def verify_pdf(data: bytes, source: str = "<briefing>", rules: Path | str | None = None) -> Verification:
    """Decide a briefing's embedded case again (under its embedded rulebook unless `rules` is given) and compare."""
    evidence = read_evidence(data, source)
    notes, problems = [], []
    recorded = evidence.recommendation.get("provenance", {})
    if hashlib.sha256(evidence.case).hexdigest() != recorded.get("case_sha256"):
        problems.append("case file: the embedded case file's SHA-256 is not the one the briefing records")
    decided, analysis = _decided_apart(evidence, Path(rules) if rules is not None else None, source)
    if rules is None and decided.provenance.rulebook_sha256 != recorded.get("rulebook_sha256"):
        problems.append("rulebook: the embedded rulebook's SHA-256 is not the one the briefing records")
    if rules is not None and decided.provenance.rulebook_sha256 != recorded.get("rulebook_sha256"):
        notes.append(f"decided under {rules}, not the rulebook the briefing was made with")
    if recorded.get("joinup_version") != decided.provenance.joinup_version:
        notes.append(f"briefed with joinup {recorded.get('joinup_version')}, "
                     f"verified with {decided.provenance.joinup_version}")
    found = problems + differences(evidence.recommendation, decided, notes)
    found += _analysis_differences(evidence.analysis, analysis, notes)
    return Verification(not found, found, evidence.recommendation, decided, notes)


def verify_file(path: Path | str, rules: Path | str | None = None) -> Verification:
    """Verify a briefing PDF on disk."""
    path = Path(path)
    return verify_pdf(read_bytes(path, BriefingError, "briefing PDF", MAX_BRIEFING_BYTES), str(path), rules)
