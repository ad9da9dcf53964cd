"""Numbers a person may only know roughly: a single value, or low / likely / high."""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator


class Range(BaseModel):
    """An estimate with its uncertainty: low <= likely <= high."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # strict: `true` is not a number (pydantic would read it as 1).
    low: float = Field(strict=True, description="The lowest value you think plausible.")
    likely: float = Field(strict=True, description="Your best estimate.")
    high: float = Field(strict=True, description="The highest value you think plausible.")

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if not self.low <= self.likely <= self.high:
            raise ValueError(
                f"a range must have low <= likely <= high; got {self.low:g}, {self.likely:g}, {self.high:g}"
            )
        return self

    @classmethod
    def exactly(cls, value: float) -> "Range":
        """A range with no uncertainty."""
        return cls(low=value, likely=value, high=value)

    @property
    def is_exact(self) -> bool:
        return self.low == self.high

    @classmethod
    def derived(cls, low: float, likely: float, high: float) -> "Range":
        """A range computed from checked ranges by arithmetic that keeps their order.

        Not validated again: measuring builds a couple of dozen of these per service line,
        and validating each would cost more than the arithmetic it records.
        """
        r = cls.__new__(cls)
        object.__setattr__(r, "__dict__", {"low": low, "likely": likely, "high": high})
        object.__setattr__(r, "__pydantic_fields_set__", _RANGE_FIELDS)
        object.__setattr__(r, "__pydantic_extra__", None)
        object.__setattr__(r, "__pydantic_private__", None)
        return r

    def scaled(self, factor: float) -> "Range":
        """Every point multiplied by `factor` (which must not be negative)."""
        return Range.derived(self.low * factor, self.likely * factor, self.high * factor)

    def plus(self, other: "Range | float") -> "Range":
        """Point-wise sum with another range or a number."""
        o = other if isinstance(other, Range) else Range.exactly(other)
        return Range.derived(self.low + o.low, self.likely + o.likely, self.high + o.high)


_RANGE_FIELDS = frozenset({"low", "likely", "high"})


# The largest figure a case may give (pounds, months): no public-sector budget comes near
# a trillion pounds, and a bigger number is a slip that would overflow the arithmetic.
MAX_FIGURE = 1e12
# The smallest figure above zero: nothing costs less than a penny. Fractions of a penny
# (1e-300) are slips too, and dividing by one overflows the cost ratios.
MIN_FIGURE = 0.01


def plausible(value: float) -> float:
    """A figure between a penny and a trillion, or zero; ValueError otherwise."""
    if value > MAX_FIGURE:
        raise ValueError(f"must be at most {MAX_FIGURE:,.0f}; got {value:g}")
    if 0 < value < MIN_FIGURE:
        raise ValueError(f"must be 0 or at least {MIN_FIGURE:g}; got {value:g}")
    return value


def _as_range(value: Any) -> Any:
    if isinstance(value, Range):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Range.exactly(float(value))
    return value


def _non_negative(value: Range) -> Range:
    if value.low < 0:
        raise ValueError(f"cannot be negative; got {value.low:g}")
    for point in (value.low, value.likely, value.high):
        plausible(point)
    return value


def _percent(value: Any) -> Any:
    """Accept `25%` or a plain number of percent (25); store the fraction (0.25)."""
    if isinstance(value, str):
        text = value.strip()
        if not text.endswith("%"):
            raise ValueError(f"a percentage is written like 25%; got '{value}'")
        try:
            number = float(text[:-1].strip())
        except ValueError:
            raise ValueError(f"a percentage is written like 25%; got '{value}'") from None
        if not math.isfinite(number):  # float() reads 400 digits as infinity
            raise ValueError(f"is too large a percentage; got '{text[:20]}...'")
        return number / 100
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) / 100
    return value


# A plain amount (a price, an exit cost): zero, or between a penny and a trillion.
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True), AfterValidator(plausible)]

# A number or a low/likely/high range, never negative: money, months, seats.
Estimate = Annotated[
    Union[Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)], Range],
    AfterValidator(_as_range),
    AfterValidator(_non_negative),
]

def _percent_text(fraction: float) -> str:
    """A fraction written back as the case file writes it (0.25 as `25%`), so a case dumped to JSON reads the same."""
    return f"{round(fraction * 100, 12)!r}%"


# A percentage, written `25%` or `25`; held as a fraction, and written back to JSON as `25.0%`.
Percent = Annotated[
    Union[Annotated[float, Field(strict=True)], Annotated[str, Field(pattern=r"^\s*-?[0-9]+(\.[0-9]+)?\s*%\s*$")]],
    AfterValidator(_percent),
    PlainSerializer(_percent_text, when_used="json"),
]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_only(value: Any) -> Any:
    """A date as YAML writes it (2026-11-25) or JSON quotes it ("2026-11-25"); nothing else.

    pydantic alone reads a number as a Unix timestamp (1764028800 would be 2025-11-25) and
    a date and time as a date; either is a slip in a case or parameters file.
    """
    if isinstance(value, dt.datetime):
        raise ValueError(f"a date is written YYYY-MM-DD, without a time; got {value.isoformat()}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if not _ISO_DATE.match(value.strip()):
            raise ValueError(f"a date is written YYYY-MM-DD; got '{value[:30]}'")
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"a date is written YYYY-MM-DD, not as a number; got {str(value)[:30]}")
    return value  # anything else: pydantic's own "valid date" message


# A calendar date, written YYYY-MM-DD (quoted or not); never a number or a date and time.
Date = Annotated[dt.date, BeforeValidator(_date_only)]
