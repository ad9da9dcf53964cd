"""Charts: vector SVG from matplotlib, reproducible to the byte, with figures formatted as the briefing's."""
from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import CASES, ROOT
from engine.briefing import charts
from engine.api import Decider


@pytest.fixture(scope="module")
def line():
    return Decider().decide_file(CASES / "new-department.yaml").measures.lines[0]


@pytest.mark.parametrize("draw", [charts.whole_life_cost, charts.timeline])
def test_chart_when_drawn_twice_gives_identical_svg(line, draw):
    """The same figures give the same SVG text."""
    assert draw(line, "Flex") == draw(line, "Flex")


@pytest.mark.parametrize("draw", [charts.whole_life_cost, charts.timeline])
def test_chart_carries_no_date_and_keeps_text_as_text(line, draw):
    """No date metadata, and labels stay <text> (searchable, drawn in the document's font)."""
    svg = draw(line, "Flex")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "<dc:date>" not in svg
    assert "<text" in svg


@pytest.mark.slow
def test_chart_when_drawn_in_a_fresh_process_gives_identical_svg(line):
    """Element ids come from a fixed salt, not the process: a fresh process draws the same bytes."""
    code = ("from engine.api import Decider; from engine.briefing import charts; "
            f"l = Decider().decide_file({str(CASES / 'new-department.yaml')!r}).measures.lines[0]; "
            "print(charts.timeline(l, 'Flex'), end='')")
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert fresh.stdout == charts.timeline(line, "Flex")


def test_whole_life_cost_labels_each_option_with_its_expected_cost(line):
    """Each bar is labelled with its option and its expected whole-life cost over the appraisal period."""
    svg = charts.whole_life_cost(line, "Flex")
    assert "£7.8m" in svg and "£12.8m" in svg and "Going alone" in svg
    assert "Whole-life cost over 10 years" in svg


def test_timeline_marks_the_date_needed_and_each_routes_months(line):
    """The timeline names the need-by date and each route's likely months to service."""
    svg = charts.timeline(line, "Flex")
    assert "needed by 25 May 2027" in svg
    assert "4.2 months" in svg and "16.4 months" in svg


@pytest.mark.parametrize("draw", [charts.whole_life_cost, charts.timeline])
def test_chart_when_a_name_holds_dollars_keeps_them_as_plain_text(line, draw):
    """"$5 or $10" is drawn as written: no math text eats the dollars and sets the text between them in italics."""
    assert ">$5 or $10<" in draw(line, "$5 or $10")


@pytest.mark.parametrize("draw", [charts.whole_life_cost, charts.timeline])
def test_chart_when_a_name_is_not_valid_math_text_draws_it(line, draw):
    """A name such as "A $^$ B" is drawn as it is, not a ValueError from the math text parser."""
    assert "A $^$ B" in draw(line, "A $^$ B")
