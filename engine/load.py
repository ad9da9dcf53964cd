"""Load a case file (YAML or JSON) into a Case; every problem names the file, line and field."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .case import Case
from .documents import line_of, parse_text, read_bytes, validate
from .errors import CaseFileError, JoinupError

MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class LoadedCase:
    """A validated case and the exact bytes it came from."""

    case: Case
    path: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def name(self) -> str:
        return Path(self.path).name

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """The line of a field, read again from the bytes: for a problem found after loading."""
        return line_of(parse_text(self.data.decode("utf-8"), self.path, CaseFileError), loc)[0]


def parse_case(data: bytes, path: str = "<case>") -> LoadedCase:
    """Validate case-file bytes; raise CaseFileError naming the line and field of the first problem."""
    if len(data) > MAX_BYTES:
        raise CaseFileError(f"is larger than {MAX_BYTES // 1_000_000} MB; a case file is a few kilobytes", file=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError("is not UTF-8 text", file=path) from None
    document = parse_text(text, path, CaseFileError)
    if not isinstance(document, dict):
        raise CaseFileError(
            "must be a mapping with organisation, decision_date, need_by and service_lines",
            file=path,
            line=1,
            hint="see cases/new-department.yaml for the shape",
        )
    return LoadedCase(case_from_document(document, path), path, data)


def case_from_document(document: Any, path: str = "<case>", error: type[JoinupError] = CaseFileError) -> Case:
    """Validate a parsed case document (line numbers kept); raise `error` naming the line and field."""
    case = validate(Case, document, path, error)
    for loc, message in case.problems():
        line, column = line_of(document, loc)
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        raise error(message, file=path, line=line, column=column, field=field)
    return case


def load_case(path: Path | str) -> LoadedCase:
    """Read and validate a case file."""
    path = Path(path)
    return parse_case(read_bytes(path, CaseFileError, "case file", MAX_BYTES), str(path))
