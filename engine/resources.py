"""Where the shipped rulebook and briefing templates live: inside the installed package,
or in the checkout beside it. A module of its own so that finding a folder imports nothing."""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _shipped(packaged: str, checkout: str) -> Path:
    inside = _HERE / packaged
    return inside if inside.is_dir() else _HERE.parent / checkout


def default_rules_dir() -> Path:
    """The shipped rulebook: inside the installed package, or the checkout's rules/."""
    return _shipped("_rules", "rules")


def default_templates_dir() -> Path:
    """The shipped briefing templates: inside the installed package, or the checkout's templates/."""
    return _shipped("_templates", "templates")
