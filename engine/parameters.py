"""Policy parameters: thresholds and rates, each value dated and sourced.

Policy moves (the discount rate is under review; thresholds change with spending
reviews), so a parameter holds every value it has had, and a case is decided with the
values in force on its decision date.
"""
from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from .documents import line_of, parse_text, read_text, validate
from .errors import ParameterError
from .quantities import MAX_FIGURE, Date, Percent
from .units import UNITS, Unit

# The values a parameter of each unit may plausibly take, as held (a percentage as a
# fraction: 0.035 for 3.5%). A value outside is a slip (a discount rate of 150%, a
# threshold of -1 seat) that would make every decision fail or come out wrong; `rules
# check` and loading both refuse it at its line. The measures' own parameters have
# narrower limits of their own (engine/measures.py, PARAMETERS).
# A reader's limits on the parameters it needs: name -> (least, most) it can use.
Limits = Mapping[str, tuple[float, float]]

PLAUSIBLE: dict[str, tuple[float, float]] = {
    "percent": (-1.0, 10.0),  # -100% to 1,000%: a margin may be negative, an uplift reach 200%
    "pounds": (0.0, MAX_FIGURE),
    "pounds per seat": (0.0, MAX_FIGURE),
    "months": (0.0, 1200.0),  # a century
    "years": (0.0, 100.0),
    "seats": (0.0, 10_000_000.0),  # the case file's own limit on seats
    "count": (0.0, 10_000_000.0),
    "score": (0.0, 5.0),  # quality is scored 0 to 5
    "ratio": (0.0, 1000.0),
}
assert set(PLAUSIBLE) == set(UNITS), "every unit needs its plausible range"


class _Misfit(str):
    """A value written in a form its parameter's unit does not take; refused at its own line."""

    reason: str

    def __new__(cls, text: str, reason: str) -> "_Misfit":
        made = super().__new__(cls, text)
        made.reason = reason
        return made


class DatedValue(BaseModel):
    """One value of a parameter, from the date it took effect."""

    # NaN or infinity as a threshold would reach the rules engine, which cannot compare them.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    from_: Date = Field(alias="from", description="The date this value took effect (YYYY-MM-DD).")
    # strict: a quoted "10" is not quietly read as the number 10 (for a percentage, 1,000%).
    value: Union[Annotated[float, Field(strict=True)], Percent] = Field(
        description="The value; percentages are written like 3.5% (or 3.5, meaning 3.5%)."
    )
    source: str = Field(default="", description="Where the value comes from: document, edition, paragraph or table.")

    @field_validator("value", mode="before")
    @classmethod
    def _as_written(cls, value: Any) -> Any:
        if isinstance(value, _Misfit):
            raise ValueError(value.reason)
        return value


class Parameter(BaseModel):
    """A named policy parameter and its history."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, description="What the parameter means, for a reader of the rulebook.")
    unit: Unit = Field(description="The unit of its values.")
    values: list[DatedValue] = Field(min_length=1, description="Its values, each from the date it took effect.")

    @model_validator(mode="before")
    @classmethod
    def _values_as_their_unit(cls, data: Any) -> Any:
        """One rule for percentages, whatever the quoting, as in a case file: a number is
        percent (3.5 means 3.5%), text must end in % ('3.5%'); text without % ('10') is
        refused, not read as 10 = 1,000%. A parameter of any other unit takes plain numbers."""
        if not isinstance(data, dict) or not isinstance(data.get("values"), list):
            return data
        percent = data.get("unit") == "percent"
        values = []
        for v in data["values"]:
            if isinstance(v, dict) and "value" in v:
                x = v["value"]
                if percent and isinstance(x, (int, float)) and not isinstance(x, bool):
                    # Written out in full: f"{1e-05}%" would be "1e-05%", which Percent does not read.
                    v = {**v, "value": f"{Decimal(repr(x)):f}%" if not isinstance(x, float) or math.isfinite(x) else x}
                elif percent and isinstance(x, str) and not x.strip().endswith("%"):
                    v = {**v, "value": _Misfit(x, f"a percentage is written like 3.5% (or 3.5 unquoted); got '{x[:30]}'")}
                elif not percent and isinstance(x, str):
                    unit = data.get("unit")
                    v = {**v, "value": _Misfit(x, f"a value in {unit} is a plain number, unquoted and without %; got '{x[:30]}'")}
            values.append(v)
        return {**data, "values": values}

    def in_force(self, on: dt.date) -> DatedValue | None:
        """The value in force on a date, or None before the first value took effect."""
        current = None
        for v in sorted(self.values, key=lambda v: v.from_):
            if v.from_ <= on:
                current = v
        return current


class ParameterFile(RootModel[dict[str, Parameter]]):
    """A parameters file: names mapped to parameters."""


def _lines(document: Any, parsed: dict[str, Parameter]) -> tuple[dict[str, int | None], dict[str, list[int | None]]]:
    lines = {name: line_of(document, (name,))[0] for name in parsed}
    value_lines = {
        name: [line_of(document, (name, "values", i))[0] for i in range(len(p.values))] for name, p in parsed.items()
    }
    return lines, value_lines


class InForce(BaseModel):
    """A parameter's value as used for one case."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float
    unit: Unit
    since: dt.date
    source: str
    description: str


class Parameters:
    """Every parameter of a rulebook, with where each was defined."""

    def __init__(
        self,
        parameters: dict[str, Parameter],
        file: str,
        lines: dict[str, int | None],
        value_lines: dict[str, list[int | None]] | None = None,
    ):
        self.by_name = parameters
        self.file = file
        self.lines = lines
        self.value_lines = value_lines or {}
        # Values change only on their effective dates, so what is in force on a date is
        # cached by the period it falls in (the number of effective dates on or before
        # it), not by the date: at most one entry per effective date, however many
        # decision dates are asked about.
        self._changes = sorted({v.from_ for p in parameters.values() for v in p.values})
        self._in_force: dict[int, dict[str, InForce]] = {}

    @classmethod
    def load(cls, path: Path, limits: Limits | None = None) -> "Parameters":
        """Read and validate a parameters file; `limits` are what the parameters' readers can use."""
        text = read_text(path, ParameterError, "parameters file")
        document = parse_text(text, str(path), ParameterError)
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise ParameterError("must be a mapping of parameter names to parameters", file=str(path), line=1)
        parsed = validate(ParameterFile, document, str(path), ParameterError).root
        loaded = cls(parsed, str(path), *_lines(document, parsed))
        for problem in loaded.implausible(limits):
            raise problem
        return loaded

    @classmethod
    def load_collecting(cls, path: Path, limits: Limits | None = None) -> tuple["Parameters", list[ParameterError]]:
        """Read a parameters file, keeping every valid parameter and a located error for each bad one."""
        try:
            text = read_text(path, ParameterError, "parameters file")
            document = parse_text(text, str(path), ParameterError)
        except ParameterError as exc:
            return cls({}, str(path), {}), [exc]
        if document is None:
            document = {}
        if not isinstance(document, dict):
            error = ParameterError("must be a mapping of parameter names to parameters", file=str(path), line=1)
            return cls({}, str(path), {}), [error]
        parsed: dict[str, Parameter] = {}
        errors: list[ParameterError] = []
        for name, item in document.items():
            try:
                parsed[name] = validate(Parameter, item, str(path), ParameterError)
            except ParameterError as exc:
                field = f"{name}.{exc.field}" if exc.field else str(name)
                errors.append(
                    ParameterError(exc.message, file=str(path), line=exc.line or line_of(document, (name,))[0],
                                   column=exc.column, field=field, hint=exc.hint)
                )
        loaded = cls(parsed, str(path), *_lines(document, parsed))
        return loaded, errors + loaded.implausible(limits)

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def names(self) -> list[str]:
        return list(self.by_name)

    def in_force(self, on: dt.date) -> dict[str, InForce]:
        """Every parameter's value in force on a date; one clear error if one has none yet."""
        period = bisect.bisect_right(self._changes, on)
        if period not in self._in_force:
            self._in_force[period] = self._values_on(on)
        return self._in_force[period]

    def implausible(self, limits: Limits | None = None) -> list[ParameterError]:
        """A located error for each value outside what it can be: the limits its readers give
        (the measures' own, passed in by the rulebook), else what its unit can plausibly be."""
        NEEDED = limits or {}
        out = []
        for name, p in self.by_name.items():
            low, high = PLAUSIBLE[p.unit]
            lines = self.value_lines.get(name, [])
            for i, v in enumerate(p.values):
                if name in NEEDED and not NEEDED[name][0] <= v.value <= NEEDED[name][1]:
                    least, most = NEEDED[name]
                    out.append(ParameterError(
                        f"must be from {least:.0%} to {most:.0%}; got {v.value * 100:.6g}% from {v.from_}",
                        file=self.file, line=self.lines.get(name), field=name,
                        hint="every decision would fail with this value; check it against its source",
                    ))
                    continue
                if low <= v.value <= high:
                    continue
                if p.unit == "percent":
                    shown, bounds = f"{v.value * 100:.6g}%", f"{low:.0%} to {high:,.0%}"
                else:
                    shown, bounds = f"{v.value:,.6g}", f"{low:,.6g} to {high:,.6g}"
                out.append(ParameterError(
                    f"the value from {v.from_} is {shown}, outside the plausible {bounds} for {p.unit}",
                    file=self.file, line=lines[i] if i < len(lines) else self.lines.get(name), field=name,
                    hint="check the value and its unit; a percentage is written like 3.5%",
                ))
        return out

    def _values_on(self, on: dt.date) -> dict[str, InForce]:
        result = {}
        for name, p in self.by_name.items():
            v = p.in_force(on)
            if v is None:
                first = min(x.from_ for x in p.values)
                raise ParameterError(
                    f"has no value in force on {on}; its first value takes effect on {first}",
                    file=self.file,
                    line=self.lines.get(name),
                    field=name,
                    hint="add a value dated on or before the case's decision_date",
                )
            result[name] = InForce(
                name=name, value=float(v.value), unit=p.unit, since=v.from_, source=v.source, description=p.description
            )
        return result
