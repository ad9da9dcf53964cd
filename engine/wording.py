"""Words from facts: every sentence a reader sees about a decision, written in one place.

A decision records facts: for each reason, condition and risk, the rule's text as the
rulebook writes it (with {placeholders}) and the values it used; per service line, the
verdict. This module writes the words from them, when they are read: the terminal summary,
the briefing, `rules impact`, `rules test` and the JSON's `text` and `summary` all come from
here. So a change of wording in the rulebook, or of number formatting in joinup, changes
what is printed and never what was decided; `verify` can tell the two apart.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import figures
from .rulebook import PLACEHOLDER

if TYPE_CHECKING:  # the models read their words from here, so they are imported only for the types
    from .recommendation import Attached, LineRecommendation, Observed, Reason, Recommendation


@functools.lru_cache(maxsize=4096)
def _split(template: str) -> tuple[str, ...]:
    """Literal text and placeholder names, alternating (rule texts are few and reused)."""
    return tuple(p.strip() if i % 2 else p for i, p in enumerate(PLACEHOLDER.split(template)))


@functools.lru_cache(maxsize=4096)
def placeholders(template: str) -> tuple[str, ...]:
    """The names a template's {placeholders} read, each once, in the order first read."""
    return tuple(dict.fromkeys(_split(template)[1::2]))


def fill(template: str, values: Iterable[Observed]) -> str:
    """A template with each {placeholder} replaced by its value as the briefing prints it.

    A placeholder with no recorded value stays as written, braces and all: a reader sees
    what is missing rather than a wrong figure.
    """
    parts = _split(template)
    if len(parts) == 1:
        return parts[0]
    seen = {v.name: v for v in values}
    out = []
    for i, part in enumerate(parts):
        if not i % 2:
            out.append(part)
        elif part in seen:
            # Looked up on the module each time, so a change of formatting reaches every sentence.
            out.append(figures.figure(seen[part].value, seen[part].unit))
        else:
            out.append("{" + part + "}")
    return "".join(out)


def sentence(item: Reason | Attached) -> str:
    """A reason, condition or risk in words: its rule's text with the figures it used."""
    return fill(item.template, item.values)


VERDICT_WORDS = {"join": "joining", "go-alone": "going alone", "refer": "referring to the board"}


_TIE = {"join": "join", "go-alone": "go alone", "refer": "refer the line to the board"}


def standing(reason: Reason) -> str:
    """Where a reason stands against its line's verdict: '' for a reason why, else what it argued and what won."""
    if reason.role == "outweighed":
        return (f"argued for {VERDICT_WORDS[reason.supports or 'refer']}; outweighed at the earlier stage "
                f"'{reason.outweighed_in}' by {reason.outweighed_by}")
    if reason.role == "consideration" and reason.supports:
        return f"argues for {VERDICT_WORDS[reason.supports]}; does not decide"
    return ""


def basis(line: LineRecommendation) -> str:
    """How the order of precedence settled a line, in a clause: which stage, which rules."""
    if line.stage is None:
        return "no verdict rule fired, so the line is referred to the board"
    if line.disagreement:
        return (f"the rules of stage '{line.stage_title}' disagree ({figures.and_list(line.deciding)}), "
                f"and the stage's rule when they do is to {_TIE[line.verdict]}")
    return f"decided at stage '{line.stage_title}' by {figures.and_list(line.deciding)}"


def _names(lines: list[str]) -> str:
    """Service line names inside a sentence: 'desktops and service desk' (acronyms kept)."""
    return figures.and_list([n if n[:2].isupper() else n[:1].lower() + n[1:] for n in lines])


def summary(rec: Recommendation) -> str:
    """The recommendation in one sentence, from its per-line verdicts and offers."""
    by_verdict: dict[str, list[str]] = {}
    offers: dict[str, str] = {}
    for lr in rec.lines:
        by_verdict.setdefault(lr.verdict, []).append(lr.service_line)
        offers[lr.service_line] = lr.offer
    joined = by_verdict.get("join", [])
    parts = []
    if joined:
        names = sorted({offers[n] for n in joined})
        parts.append(f"Join {figures.and_list(names)} for {_names(joined)}")
    if by_verdict.get("go-alone"):
        parts.append(f"procure {_names(by_verdict['go-alone'])} independently")
    if by_verdict.get("refer"):
        parts.append(f"refer the decision on {_names(by_verdict['refer'])} to the board: the evidence does not settle it")
    if rec.verdict == "refer" and not joined and not by_verdict.get("go-alone"):
        parts = [f"Refer the decision on {_names(by_verdict['refer'])} to the board: the evidence does not settle it"]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
