"""Shared fixtures: the shipped rulebook compiled once, and example cases."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.api import Decider

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


@pytest.fixture(scope="session")
def decider() -> Decider:
    """One compiled rulebook for the whole run (each Decider holds a durable_rules host)."""
    return Decider()


@pytest.fixture
def case_text() -> str:
    """The new-department example as text, for tests that break it."""
    return (CASES / "new-department.yaml").read_text(encoding="utf-8")
