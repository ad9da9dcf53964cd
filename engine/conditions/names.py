"""The names a rule may use, generated from the case and measure models.

`org.*` comes from the case's organisation, `line.*`, `go_alone.*` and `offer.*` from the
measures of the service line being judged, `param.*` from the parameters, and bare names
are findings concluded by other rules. A range-valued figure `x` also gives `x.low` and
`x.high`; `x` alone is the likely value.
"""
from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from ..case import Case, Organisation
from ..measures import LineMeasures, OptionMeasures
from ..parameters import InForce, Parameters
from ..quantities import Range
from .normal import fact_key

Kind = Literal["number", "bool", "text"]
# What a getter reads: the case, the service line's measures, the parameters in force.
Getter = Callable[[Case, LineMeasures, dict[str, InForce]], Any]


@dataclass(frozen=True)
class Name:
    """A name a rule can use: its type, unit, meaning and how to read its value."""

    path: str
    kind: Kind
    unit: str | None
    description: str
    get: Getter = field(compare=False, repr=False)
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The name as a key in a durable_rules fact (no dots)."""
        return fact_key(self.path)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without Optional, and whether it was optional."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _kind(annotation: Any) -> tuple[Kind | None, tuple[str, ...]]:
    if annotation is bool:
        return "bool", ()
    if annotation in (int, float):
        return "number", ()
    if annotation is str:
        return "text", ()
    if typing.get_origin(annotation) is Literal:
        return "text", tuple(typing.get_args(annotation))
    return None, ()


def _fields(model: type[BaseModel], prefix: str, read: Callable[..., Any]) -> list[Name]:
    """Names for the scalar and range fields of `model`, read from the object `read` returns."""
    names = []
    for attr, info in model.model_fields.items():
        annotation, _ = _unwrap(info.annotation)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = extra.get("unit")
        description = info.description or ""
        path = f"{prefix}.{attr}"
        if annotation is Range:
            for point, label in (("likely", ""), ("low", ".low"), ("high", ".high")):
                names.append(
                    Name(
                        path + label,
                        "number",
                        unit,
                        description + ("" if not label else f" ({point} end)"),
                        _range_getter(read, attr, point),
                    )
                )
            continue
        kind, choices = _kind(annotation)
        if kind is None:
            continue
        names.append(Name(path, kind, unit, description, _attr_getter(read, attr), choices))
    return names


def _attr_getter(read: Callable[..., Any], attr: str) -> Getter:
    return lambda case, line, params: getattr(read(case, line, params), attr)


def _range_getter(read: Callable[..., Any], attr: str, point: str) -> Getter:
    def get(case: Case, line: LineMeasures, params: dict[str, InForce]) -> Any:
        value = getattr(read(case, line, params), attr)
        return None if value is None else getattr(value, point)

    return get


def _param_getter(name: str) -> Getter:
    return lambda case, line, params: params[name].value


_BASE: list[Name] = (
    _fields(Organisation, "org", lambda case, line, params: case.organisation)
    + [n for n in _fields(LineMeasures, "line", lambda case, line, params: line) if n.path != "line.need_by"]
    + _fields(OptionMeasures, "go_alone", lambda case, line, params: line.go_alone)
    + _fields(OptionMeasures, "offer", lambda case, line, params: line.offer)
)


class Catalogue:
    """Every name the rules of one rulebook can use."""

    def __init__(self, parameters: Parameters, findings: dict[str, str]):
        self.by_path: dict[str, Name] = {n.path: n for n in _BASE}
        for pname, p in parameters.by_name.items():
            self.by_path[f"param.{pname}"] = Name(
                f"param.{pname}", "number", p.unit, p.description, _param_getter(pname)
            )
        self.findings = findings
        for finding, description in findings.items():
            self.by_path[finding] = Name(finding, "bool", None, description, lambda c, l, p: False)

    def get(self, path: str) -> Name | None:
        return self.by_path.get(path)

    def paths(self) -> list[str]:
        return list(self.by_path)

    def is_finding(self, path: str) -> bool:
        return path in self.findings


def base_names() -> list[Name]:
    """The names every rulebook has, before parameters and findings."""
    return list(_BASE)
