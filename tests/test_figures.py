"""Figures the briefing adds: spans, scores, counts and lists, as officials write them."""
from __future__ import annotations

import pytest

from engine import figures
from engine.quantities import Range


@pytest.mark.parametrize("value, unit, expected", [
    (Range(low=7.6e6, likely=8.8e6, high=10.7e6), "pounds", "£7.6m to £10.7m"),
    (Range(low=900_000, likely=1e6, high=1.2e6), "pounds", "£0.9m to £1.2m"),
    (Range(low=9, likely=12, high=18), "months", "9 to 18 months"),
    (Range.exactly(4), "months", "4 months"),
])
def test_span_when_given_a_range_writes_low_to_high(value, unit, expected):
    """A range is written low to high in its unit; an exact value as itself."""
    assert figures.span(value, unit) == expected


def test_score_when_unknown_says_not_scored():
    """A missing quality score reads 'not scored'; a known one to one decimal place."""
    assert (figures.score(None), figures.score(10 / 3), figures.score(4.0)) == ("not scored", "3.3", "4")


def test_count_when_one_or_many_or_none_agrees_the_noun():
    """Counts agree with their noun."""
    assert [figures.count(n, "condition") for n in (0, 1, 3)] == ["no conditions", "1 condition", "3 conditions"]


def test_and_list_when_unique_drops_repeats():
    """Lists read 'a, b and c'; repeats can be dropped keeping the first."""
    assert figures.and_list(["Flex", "Flex", "Mail"], unique=True) == "Flex and Mail"
    assert figures.and_list(["a", "b", "c"]) == "a, b and c"


def test_pounds_when_tens_of_thousands_then_nearest_thousand():
    """Estimates under £1m are shown to the nearest £1,000 from £10,000, exactly below."""
    from engine.figures import pounds

    assert pounds(701_288) == "£701,000"
    assert pounds(9_876) == "£9,876"
    assert pounds(1_234_567) == "£1.2m"


@pytest.mark.parametrize("fraction, expected", [
    (0.997, "99.7%"), (0.9996, "over 99.9%"), (1.0, "100%"), (0.0004, "under 0.1%"), (0.0, "0%"), (0.59, "59%"),
    (0.035, "3.5%"),
])
def test_percent_when_a_share_is_near_all_or_none_never_rounds_to_it(fraction, expected):
    """A share of draws short of all is not printed as 100%, nor one above none as 0%."""
    assert figures.percent(fraction) == expected
