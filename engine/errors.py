"""Error types: each carries the stage it comes from, where, and what to do about it."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Literal

Severity = Literal["error", "warning"]


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """A "did you mean ...?" hint naming the closest known names, or None."""
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


# Every character str.splitlines() breaks at, written as an escape: an error quoting the
# input (a key or a name with a newline in it) still prints as the one line it promises.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


def location(file: str, line: int | None, column: int | None) -> str:
    """`file:line:column`, as far as it is known (no column without a line)."""
    parts = [file]
    if line is not None:
        parts.append(str(line))
        if column is not None:
            parts.append(str(column))
    return ":".join(parts)


def one_line(where: str, label: str | None, message: str, hint: str | None) -> str:
    """`where: label: message (hint)` on one line, whatever line breaks the parts hold."""
    text = f"{where}: "
    if label:
        text += f"{label}: "
    text += message
    if hint:
        text += f" ({hint})"
    return text.translate(_LINE_BREAKS)


class JoinupError(Exception):
    """Base of every problem joinup reports to a person: one line, with where and a hint.

    Raised, it stops what was being done (an error). Collected, as `rules check` collects
    them, it may be only a warning: worth a look, not wrong. `code` names the kind of
    problem for tools (by default, the stage it comes from).
    """

    stage = "joinup"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        severity: Severity = "error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint
        self.severity = severity
        self.code = code or self.stage

    def __reduce__(self):
        # Pickled whole (file, line, hint, ...), so an error raised in a child process
        # (engine/isolated.py, folder mode) reaches the parent as the same error.
        return (_restored, (type(self), self.message, dict(self.__dict__)))

    def location(self) -> str:
        """`file:line:column`, as far as it is known."""
        return location(self.file or "<input>", self.line, self.column)

    def __str__(self) -> str:
        return one_line(self.location(), self.field, self.message, self.hint)

    def report(self) -> str:
        """The one line with its severity, as a list of problems prints it: `where: warning: field: message`."""
        return one_line(f"{self.location()}: {self.severity}", self.field, self.message, self.hint)

    def key(self) -> tuple:
        """What makes two reports of a problem the same report (exceptions compare by identity)."""
        return (self.severity, self.code, self.file, self.line, self.column, self.field, self.message, self.hint)

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data, for tools."""
        return {
            "severity": self.severity,
            "code": self.code,
            "stage": self.stage,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def _restored(cls: type[JoinupError], message: str, state: dict[str, Any]) -> JoinupError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class CaseFileError(JoinupError):
    """A case file that cannot be read or does not describe a valid case."""

    stage = "case"


class RuleError(JoinupError):
    """A rule file, a rule or a rule condition that cannot be loaded."""

    stage = "rules"


class ParameterError(JoinupError):
    """A parameters file or a parameter value that cannot be used."""

    stage = "parameters"


class RuleTestError(JoinupError):
    """A rule test file that is not a valid list of tests."""

    stage = "rule-tests"


class OutputError(JoinupError):
    """A file joinup was asked to write that cannot be written there."""

    stage = "output"


class BriefingError(JoinupError):
    """A briefing that cannot be rendered, written or verified."""

    stage = "briefing"
