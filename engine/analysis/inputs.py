"""Which inputs of a case can move a verdict: each with its value today, its kind and a plausible search range.

An input is a figure of the case (an estimate: a cost, a score, months, seats) or a
parameter of the rulebook (the discount rate, an optimism bias bound, a rule owners'
threshold such as a margin or a rate per quality point). Each can be set on a copy of the
case or of the parameters, never on the originals: a setter returns new objects.

Found by walking the case, not from a list of fields, so a new field or rule needs no code
here. A figure that is zero, absent or a yes/no is not an input: there is no "half or
twice" of nothing to search, and a yes/no is no switching value.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from ..case import Case, input_name
from ..estimates import mean
from ..measures import PARAMETERS
from ..parameters import InForce
from ..quantities import Range

Kind = Literal["estimate", "parameter"]
Path = tuple[Any, ...]  # attribute names, list indices and dict keys from the case (or a service line) down

# A plausible move is between half and twice today's figure (the reading of "plausible").
LOW_FACTOR, HIGH_FACTOR = 0.5, 2.0
# Scores run 0 to 5 (Case.problems); a probability 0 to 1.
SCORE_BOUNDS = (0.0, 5.0)
PROBABILITY_BOUNDS = (0.0, 1.0)
# A parameter that is zero today (a margin of 0%) is searched up to this share: a margin of
# half the offer's cost is beyond any the rule owners would set.
ZERO_PERCENT_CEILING = 0.5
# Parts of the case that are not figures of the appraisal: dates and names are not searched.
_SKIPPED = {"price_base_year", "staff"}


@dataclass(frozen=True)
class Input:
    """One input that can move a verdict, with how to read and set it."""

    name: str  # 'Desktops: go_alone.annual_running_cost', or 'parameter: go_alone_cost_margin'
    kind: Kind
    unit: str
    value: float  # today's figure: a range's mean, as the appraisal uses it
    bounds: tuple[float, float]  # the plausible search range
    integer: bool
    path: Path  # from the case root for an estimate; (name,) for a parameter
    spread: Range | None = None  # the case's range, if it is one that is uncertain
    judgement: bool = False  # a parameter the rule owners set by judgement, not from a published source
    source: str = ""  # a parameter's source, as the rulebook states it

    @property
    def uncertain(self) -> bool:
        return self.spread is not None and not self.spread.is_exact

    def set(self, case: Case, params: dict[str, InForce], value: float) -> tuple[Case, dict[str, InForce]]:
        """A copy of the case and parameters with this input at `value` (a range scaled to that mean)."""
        value = round(value) if self.integer else value
        if self.kind == "parameter":
            (name,) = self.path
            return case, {**params, name: params[name].model_copy(update={"value": value})}
        old = _at(case, self.path)
        if isinstance(old, Range):
            factor = value / self.value if self.value else 0.0
            new: Any = Range.derived(old.low * factor, old.likely * factor, old.high * factor)
        else:
            new = int(value) if self.integer else float(value)
        return replace(case, self.path, new), params


def replace(obj: Any, path: Path, value: Any) -> Any:
    """A copy of `obj` with the item at `path` replaced; only the objects along the path are copied."""
    return replace_all(obj, {path: value})


def replace_all(obj: Any, changes: dict[Path, Any]) -> Any:
    """A copy of `obj` with the item at each path replaced; each object along the paths is copied once."""
    if () in changes:
        return changes[()]
    below: dict[Any, dict[Path, Any]] = {}
    for path, value in changes.items():
        below.setdefault(path[0], {})[path[1:]] = value
    if isinstance(obj, list):
        out = list(obj)
        for head, rest in below.items():
            out[head] = replace_all(obj[head], rest)
        return out
    if isinstance(obj, dict):
        return {**obj, **{head: replace_all(obj[head], rest) for head, rest in below.items()}}
    return obj.model_copy(update={head: replace_all(getattr(obj, head), rest) for head, rest in below.items()})


def _at(obj: Any, path: Path) -> Any:
    for step in path:
        obj = obj[step] if isinstance(obj, (list, dict)) else getattr(obj, step)
    return obj


def _unit(model: BaseModel, field: str) -> str:
    info = type(model).model_fields.get(field)
    extra = info.json_schema_extra if info and isinstance(info.json_schema_extra, dict) else {}
    if extra.get("unit"):
        return str(extra["unit"])
    if "months" in field:
        return "months"
    if "seats" in field:
        return "seats"
    if field == "probability":
        return "percent"
    if "years" in field:
        return "years"
    return "pounds"


def _leaves(obj: Any, path: Path, unit: str) -> list[tuple[Path, Any, str]]:
    """Every numeric figure under `obj`: (path, value, unit)."""
    out: list[tuple[Path, Any, str]] = []
    if isinstance(obj, Range):
        out.append((path, obj, unit))
    elif isinstance(obj, bool) or obj is None:
        pass
    elif isinstance(obj, (int, float)):
        out.append((path, obj, unit))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            out += _leaves(item, path + (i,), unit)
    elif isinstance(obj, dict):
        scored = path and path[-1] == "quality"
        for key, item in obj.items():
            out += _leaves(item, path + (key,), "score" if scored else unit)
    elif isinstance(obj, BaseModel):
        for field in type(obj).model_fields:
            if field in _SKIPPED:
                continue
            out += _leaves(getattr(obj, field), path + (field,), "score" if field == "minimum" else _unit(obj, field))
    return out


def _bounds(value: float, unit: str, field: Any) -> tuple[float, float]:
    if unit == "score":
        return SCORE_BOUNDS
    if field == "probability":
        return PROBABILITY_BOUNDS
    return value * LOW_FACTOR, value * HIGH_FACTOR


def case_inputs(case: Case) -> list[Input]:
    """The case's figures that could move a verdict: every non-zero number of each line, and the organisation's seats."""
    found: list[Input] = []
    seats = case.organisation.seats
    found.append(Input("organisation: seats", "estimate", "seats", float(seats), _bounds(seats, "seats", "seats"),
                       True, ("organisation", "seats")))
    for i, line in enumerate(case.service_lines):
        for path, value, unit in _leaves(line, (), "pounds"):
            spread = value if isinstance(value, Range) else None
            today = mean(value, case.ranges) if spread else float(value)
            if not today and unit != "score":
                continue
            found.append(Input(
                name=input_name(line.name, tuple(str(p) for p in path)),
                kind="estimate",
                unit=unit,
                value=today,
                bounds=_bounds(today, unit, path[-1]),
                integer=isinstance(value, int) and not spread,
                path=("service_lines", i) + path,
                spread=spread,
            ))
    return found


def parameter_inputs(params: dict[str, InForce]) -> list[Input]:
    """The rulebook's parameters in force: published ones (the discount rate) and the rule owners' thresholds."""
    found = []
    for name, p in params.items():
        if p.value:
            bounds = (p.value * LOW_FACTOR, p.value * HIGH_FACTOR)
        elif p.unit == "percent":
            bounds = (0.0, ZERO_PERCENT_CEILING)
        else:
            continue
        if name in PARAMETERS:  # the measures accept only these values
            low, high = PARAMETERS[name]
            bounds = (max(bounds[0], low), min(bounds[1], high))
        judged = "judgement" in p.source.lower() or "policy team" in p.source.lower()
        found.append(Input(f"parameter: {name}", "parameter", p.unit, p.value, bounds,
                           p.unit in ("seats", "years", "count"), (name,), judgement=judged, source=p.source))
    return found


def uncertain(inputs: list[Input]) -> list[Input]:
    """The inputs the case gives as a range with some width: the ones drawn."""
    return [i for i in inputs if i.uncertain]


__all__ = ["Input", "case_inputs", "parameter_inputs", "uncertain", "replace", "replace_all"]
