"""Library warnings caught and kept, one line each, instead of flooding standard error.

ruamel.yaml (a duplicate anchor), matplotlib (a glyph missing from the fonts) and
WeasyPrint or fontTools (through `logging`) each report in their own way, some over
several lines and once per drawing. `caught()` collects them while a command or a case
runs, so the caller can print each distinct one once, on one line, naming its file.
"""
from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator

# Loggers of the libraries that draw and read: they write to standard error when nothing else is set up.
LOGGERS = ("weasyprint", "fontTools", "matplotlib", "PIL", "pypdf")
# Distinct messages kept at most: a damaged PDF can make pypdf log the same few lines a million times.
KEPT = 200
# More distinct warnings than this about one file are counted, not listed.
MOST = 5
# Warnings about a library's own future, not about the user's files.
_IGNORED = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
# Messages about how the libraries are installed, the same for every file: not the user's to act on.
_ABOUT_THE_INSTALLATION = re.compile(r"Using fontTools instead of HarfBuzz")
_POSITION = re.compile(r"line (\d+), column (\d+)")
# matplotlib (charts) and WeasyPrint (text) each report a character the fonts lack, once per drawing.
_MATPLOTLIB_GLYPH = re.compile(r"^Glyph (\d+) .*missing from font")
_WEASYPRINT_GLYPH = re.compile(r"^\.notdef glyph rendered")
_CODE_POINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


def _missing_glyphs(message: str) -> list[int]:
    """The characters a missing-glyph warning is about; none if it is not one."""
    if match := _MATPLOTLIB_GLYPH.match(message):
        return [int(match.group(1))]
    if _WEASYPRINT_GLYPH.match(message):
        return [int(code, 16) for code in _CODE_POINT.findall(message)]
    return []


def one_line(message: str) -> str:
    """A library's message on one line: its first line, with any `line N, column M` positions after it."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return ""
    positions = [f"{line}:{column}" for line, column in _POSITION.findall(message)]
    where = f" (at {', '.join(dict.fromkeys(positions))})" if positions else ""
    return " ".join(lines[0].split()) + where


class _Keep(logging.Handler):
    def __init__(self, into: list[str]):
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a message that cannot be formatted is not worth a traceback
            text = one_line(record.getMessage())
            if len(self.into) < KEPT and text not in self.into:
                self.into.append(text)


def summary(found: list[str]) -> list[str]:
    """Each distinct warning once, in order, every missing glyph in one line, at most `MOST` lines and a count."""
    distinct, missing = [], []
    for text in dict.fromkeys(found):
        glyphs = _missing_glyphs(text)
        missing += glyphs
        if text and not glyphs and not _ABOUT_THE_INSTALLATION.search(text):
            distinct.append(text)
    if missing:
        codes = ", ".join(f"U+{code:04X}" for code in sorted(set(missing)))
        distinct.append(f"the fonts have no glyph for {codes}: each prints as a blank box")
    if len(distinct) <= MOST:
        return distinct
    return distinct[:MOST] + [f"and {len(distinct) - MOST} more warning(s) like these"]


@contextlib.contextmanager
def caught() -> Iterator[list[str]]:
    """Collect library warnings (and log records at WARNING and above) into the list yielded, summarised on exit."""
    found: list[str] = []
    handler = _Keep(found)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [(logger, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("default")  # each distinct message once per place, however often it is raised
            for kind in _IGNORED:
                warnings.simplefilter("ignore", kind)
            try:
                yield found
            finally:
                found.extend(one_line(str(w.message)) for w in seen)
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
        found[:] = summary(found)
