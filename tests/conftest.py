"""Shared fixtures: the shipped rulebook compiled once, and example cases."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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


def fuzz(max_examples: int) -> settings:
    """Hypothesis settings for the bad-input hunts: derandomized and without a database, so
    CI runs the same examples every time. JOINUP_FUZZ=N runs N fresh random examples per
    test instead, for a deeper hunt on a workstation."""
    deeper = int(os.environ.get("JOINUP_FUZZ", "0"))
    return settings(
        max_examples=deeper or max_examples,
        deadline=None,
        derandomize=not deeper,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
