"""Switching values (Green Book 2018 paras 5.59-5.61, Box 12): how far each input must move to change a verdict.

Each input is moved from today's figure towards each end of its plausible range: first a
scan at a few steps (a verdict may change more than once along an input that is not
monotone), then bisection between the last step with today's verdicts and the first
without, to a pound (or a millionth of the range). Every point is decided by the real
rulebook (engine.analysis.verdicts). What changes is any line's verdict or the overall one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..case import Case
from ..parameters import InForce
from .inputs import Input
from .verdicts import Outcome, Verdicts

# Steps of the scan on each side of today's figure, before bisecting the first change.
SCAN_STEPS = 4
# Bisection stops within this many pounds; other units within this share of the range.
POUND_TOLERANCE = 0.5
RELATIVE_TOLERANCE = 1e-6
_MAX_HALVINGS = 80


@dataclass(frozen=True)
class Switch:
    """Where one input changes the verdicts: the last value with today's, the first with others, and those."""

    input: Input
    direction: str  # "fall" or "rise"
    value: float  # the switching value: the first value (reached from today) at which a verdict changes
    kept: float  # the nearest value on today's side that keeps today's verdicts
    outcome: Outcome  # the verdicts at the switching value

    @property
    def move(self) -> float:
        """How far the input moves, as a share of today's figure (of the range searched when today is zero)."""
        today = self.input.value
        scale = abs(today) if today else (self.input.bounds[1] - self.input.bounds[0]) or 1.0
        return abs(self.value - today) / scale


def _key(outcome: Outcome | None) -> tuple | None:
    return None if outcome is None else (outcome.overall, outcome.lines)


def _decide_at(verdicts: Verdicts, case: Case, params: dict[str, InForce], item: Input) -> Callable[[float], Outcome | None]:
    def at(value: float) -> Outcome | None:
        return verdicts.outcome(*item.set(case, params, value))
    return at


def _close_enough(item: Input, a: float, b: float) -> bool:
    if item.integer:
        return abs(round(b) - round(a)) <= 1
    if item.unit.startswith("pounds"):
        return abs(b - a) <= POUND_TOLERANCE
    return abs(b - a) <= RELATIVE_TOLERANCE * (item.bounds[1] - item.bounds[0] or 1.0)


def _bisect(item: Input, at: Callable[[float], Outcome | None], today: tuple, same: float, other: float,
            found: Outcome) -> tuple[float, float, Outcome]:
    """Narrow [same, other] to where the verdicts change; (kept, switching value, verdicts there)."""
    for _ in range(_MAX_HALVINGS):
        if _close_enough(item, same, other):
            break
        middle = (same + other) / 2
        if item.integer:
            middle = round(middle)
            if middle in (round(same), round(other)):
                break
        outcome = at(middle)
        if _key(outcome) == today:
            same = middle
        else:
            if outcome is None:  # cannot be measured: the search stops short of it
                return same, other, found
            other, found = middle, outcome
    return same, other, found


def switch_towards(item: Input, at: Callable[[float], Outcome | None], base: Outcome, end: float) -> Switch | None:
    """The nearest change of verdicts from today's figure towards `end`, or None within the range searched."""
    today, start = _key(base), item.value
    previous = start
    for k in range(1, SCAN_STEPS + 1):
        point = start + (end - start) * k / SCAN_STEPS
        if item.integer and round(point) == round(previous):
            continue
        outcome = at(point)
        if outcome is None:
            return None  # past what the case allows: no verdict to switch to
        if _key(outcome) != today:
            kept, value, found = _bisect(item, at, today, previous, point, outcome)
            if _key(found) == today:
                return None
            return Switch(item, "fall" if end < start else "rise", round(value) if item.integer else value,
                          round(kept) if item.integer else kept, found)
        previous = point
    return None


def switching_values(verdicts: Verdicts, case: Case, params: dict[str, InForce], inputs: list[Input],
                     base: Outcome) -> list[tuple[Input, list[Switch]]]:
    """Per input, the switches found falling and rising from today's figure (none: no switch in its range)."""
    out = []
    for item in inputs:
        at = _decide_at(verdicts, case, params, item)
        found = [s for end in item.bounds if end != item.value
                 for s in [switch_towards(item, at, base, end)] if s is not None]
        out.append((item, found))
    return out
