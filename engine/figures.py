"""Figures as officials write them: £1.2m, £845 per seat, 3.5%, "9 to 18 months"."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .quantities import Range


def _trim(value: float, places: int) -> str:
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def pounds(value: float, millions: bool = False) -> str:
    """£1.2m, £701,000, £845; `millions` forces £0.9m (for a range that reaches £1m).

    Estimates are not known to the pound: from £10,000 they are shown to the nearest £1,000.
    """
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000 or millions:
        return f"{sign}£{_trim(value / 1_000_000, 1)}m"
    if value >= 10_000:
        value = round(value, -3)
    return f"{sign}£{value:,.0f}"


def percent(fraction: float) -> str:
    """0.035 -> 3.5%; 0.25 -> 25%; 0.997 -> 99.7% (a share short of all never reads as 100%, nor one above none as 0%)."""
    value = fraction * 100
    if 99.5 <= value < 100:
        return "over 99.9%" if round(value, 1) == 100 else f"{_trim(value, 1)}%"
    if 0 < value < 0.05:
        return "under 0.1%"
    return f"{_trim(value, 1 if abs(value) < 10 else 0)}%"


def number(value: float) -> str:
    """1,000; 3.2."""
    return _trim(value, 0 if abs(value) >= 100 else 1)


def months(value: float) -> str:
    """4 months; 1 month; 18.5 months."""
    text = _trim(value, 1)
    return f"{text} month" if text == "1" else f"{text} months"


def date(value: dt.date) -> str:
    """25 November 2026."""
    return f"{value.day} {value:%B %Y}"


_POINT = {
    "pounds": pounds,
    "pounds per seat": lambda v: f"{pounds(v)} per seat",
    "percent": percent,
    "ratio": percent,
    "months": months,
    "years": lambda v: f"{_trim(v, 1)} year" if v == 1 else f"{_trim(v, 1)} years",
    "seats": number,
    "count": number,
    "score": lambda v: _trim(v, 1),
}


def figure(value: Any, unit: str | None = None) -> str:
    """A value in its unit as a briefing prints it; ranges as "£0.9m to £1.4m (likely £1.1m)"."""
    kind = type(value)
    if kind is float or kind is int:  # most figures: checked first (bool is not int here)
        return _POINT.get(unit or "", number)(value)
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return date(value)
    if isinstance(value, Range):
        if value.is_exact:
            return figure(value.likely, unit)
        if unit == "months":
            return f"{_trim(value.low, 1)} to {_trim(value.high, 1)} months (likely {_trim(value.likely, 1)})"
        if unit == "pounds" and value.high >= 1_000_000:
            low, likely, high = (pounds(v, millions=True) for v in (value.low, value.likely, value.high))
            return f"{low} to {high} (likely {likely})"
        return f"{figure(value.low, unit)} to {figure(value.high, unit)} (likely {figure(value.likely, unit)})"
    if isinstance(value, (int, float)):
        return _POINT.get(unit or "", number)(value)
    return str(value)


def span(value: Range, unit: str | None = None) -> str:
    """A range's low to high without its likely value: "£7.5m to £11m"; an exact value as itself."""
    if value.is_exact:
        return figure(value.likely, unit)
    if unit == "months":
        return f"{_trim(value.low, 1)} to {months(value.high)}"
    millions = unit == "pounds" and value.high >= 1_000_000
    if unit == "pounds":
        return f"{pounds(value.low, millions)} to {pounds(value.high, millions)}"
    return f"{figure(value.low, unit)} to {figure(value.high, unit)}"


def score(value: float | None) -> str:
    """A quality score out of 5: "4", "3.3"; "not scored" when unknown."""
    return "not scored" if value is None else _trim(value, 1)


def count(value: int, noun: str, plural: str | None = None) -> str:
    """"1 requirement", "3 requirements", "no requirements"."""
    many = plural or noun + "s"
    if value == 0:
        return f"no {many}"
    return f"{number(value)} {noun if value == 1 else many}"


def and_list(items: list[str], unique: bool = False) -> str:
    """"a", "a and b", "a, b and c"; `unique` drops repeats, keeping the first."""
    items = list(dict.fromkeys(items)) if unique else list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
