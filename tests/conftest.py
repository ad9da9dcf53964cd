"""Shared fixtures: briefings are slow to render (about a second each), so each is rendered once per session."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from engine.briefing import Briefer, Briefing
from engine.load import load_case

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
EXAMPLES = ["new-department", "large-specialist", "part-join", "urgent-agency", "refer-thin-evidence"]


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace folded to single spaces (text extraction breaks lines anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


@pytest.fixture(scope="session")
def briefer() -> Briefer:
    return Briefer()


@pytest.fixture(scope="session")
def briefings(briefer: Briefer) -> dict[str, Briefing]:
    """Every example case, briefed once."""
    return {name: briefer.brief(load_case(CASES / f"{name}.yaml")) for name in EXAMPLES}


@pytest.fixture(scope="session")
def pages(briefings: dict[str, Briefing]) -> dict[str, list[str]]:
    """Every example briefing's page texts."""
    return {name: pdf_pages(b.pdf) for name, b in briefings.items()}
