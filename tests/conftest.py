"""Shared fixtures: the shipped rulebook compiled once, example cases, and briefings (about a
second each to render) rendered once per session."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from pypdf import PdfReader

from engine.api import Decider
from engine.briefing.briefer import Briefer, Briefing
from engine.load import load_case

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


EXAMPLES = ["new-department", "large-specialist", "part-join", "urgent-agency", "refer-thin-evidence", "close-call"]


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace folded to single spaces (text extraction breaks lines anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


# Fixtures that render PDFs (the example briefings take ten seconds or more together): every test
# that uses one, directly or through another fixture, is marked slow here rather than one by one,
# so a new test on the briefings cannot pull the rendering into the fast suite (`-m "not slow"`).
RENDERING_FIXTURES = {"briefings"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if RENDERING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def briefer() -> Briefer:
    # Switching values only: the shared briefings' recommendations are then the plain decisions, which the
    # tests alter and re-brief; drawing the ranges is tested on its own (test_briefing_sure).
    return Briefer(draws=None)


@pytest.fixture(scope="session")
def briefings(briefer: Briefer) -> dict[str, Briefing]:
    """Every example case, briefed once."""
    return {name: briefer.brief(load_case(CASES / f"{name}.yaml")) for name in EXAMPLES}


@pytest.fixture(scope="session")
def pages(briefings: dict[str, Briefing]) -> dict[str, list[str]]:
    """Every example briefing's page texts."""
    return {name: pdf_pages(b.pdf) for name, b in briefings.items()}


def crash_this_process() -> None:
    """Die by SIGSEGV, as native code would, without faulthandler printing a traceback to the test log."""
    import faulthandler
    import signal

    faulthandler.disable()
    os.kill(os.getpid(), signal.SIGSEGV)

