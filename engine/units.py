"""The units figures carry, so rules compare like with like and briefings print them right."""
from __future__ import annotations

from typing import Literal

Unit = Literal["pounds", "pounds per seat", "percent", "months", "years", "seats", "score", "ratio", "count"]

UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]
