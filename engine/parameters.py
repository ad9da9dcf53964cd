"""Policy parameters: thresholds and rates, each value dated and sourced.

Policy moves (the discount rate is under review; thresholds change with spending
reviews), so a parameter holds every value it has had, and a case is decided with the
values in force on its decision date.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from .documents import line_of, parse_text, read_text, validate
from .errors import ParameterError
from .quantities import Percent
from .units import Unit


class DatedValue(BaseModel):
    """One value of a parameter, from the date it took effect."""

    # NaN or infinity as a threshold would reach the rules engine, which cannot compare them.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    from_: dt.date = Field(alias="from", description="The date this value took effect (YYYY-MM-DD).")
    value: Union[float, Percent] = Field(description="The value; percentages are written like 3.5%.")
    source: str = Field(default="", description="Where the value comes from: document, edition, paragraph or table.")


class Parameter(BaseModel):
    """A named policy parameter and its history."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, description="What the parameter means, for a reader of the rulebook.")
    unit: Unit = Field(description="The unit of its values.")
    values: list[DatedValue] = Field(min_length=1, description="Its values, each from the date it took effect.")

    @model_validator(mode="before")
    @classmethod
    def _percent_values(cls, data: Any) -> Any:
        # A percent parameter's plain numbers are percent (3.5 means 3.5%), as in a case file.
        if isinstance(data, dict) and data.get("unit") == "percent":
            values = []
            for v in data.get("values") or []:
                if isinstance(v, dict) and isinstance(v.get("value"), (int, float)) and not isinstance(v.get("value"), bool):
                    # Written out in full: f"{1e-05}%" would be "1e-05%", which Percent does not read.
                    v = {**v, "value": f"{Decimal(repr(v['value'])):f}%"}
                values.append(v)
            data = {**data, "values": values}
        return data

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
        self._in_force: dict[dt.date, dict[str, InForce]] = {}

    @classmethod
    def load(cls, path: Path) -> "Parameters":
        """Read and validate a parameters file."""
        text = read_text(path, ParameterError, "parameters file")
        document = parse_text(text, str(path), ParameterError)
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise ParameterError("must be a mapping of parameter names to parameters", file=str(path), line=1)
        parsed = validate(ParameterFile, document, str(path), ParameterError).root
        return cls(parsed, str(path), *_lines(document, parsed))

    @classmethod
    def load_collecting(cls, path: Path) -> tuple["Parameters", list[ParameterError]]:
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
        return cls(parsed, str(path), *_lines(document, parsed)), errors

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def names(self) -> list[str]:
        return list(self.by_name)

    def in_force(self, on: dt.date) -> dict[str, InForce]:
        """Every parameter's value in force on a date; one clear error if one has none yet."""
        if on not in self._in_force:
            self._in_force[on] = self._values_on(on)
        return self._in_force[on]

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
