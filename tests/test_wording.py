"""wording: the sentences a reader sees, written from the facts a decision recorded."""
from __future__ import annotations

from engine import wording
from engine.recommendation import Attached, LineRecommendation, Observed


def _line(name: str, verdict: str, offer: str = "Flex") -> LineRecommendation:
    return LineRecommendation(service_line=name, offer=offer, verdict=verdict, decided_by=None,
                              reasons=[], conditions=[], risks=[])


class _Rec:
    """The two things a summary is written from."""

    def __init__(self, verdict: str, lines: list[LineRecommendation]):
        self.verdict, self.lines = verdict, lines


def test_fill_when_values_are_recorded_writes_each_figure_as_officials_do():
    """Each placeholder becomes its recorded value in its unit, as the briefing prints figures."""
    values = [Observed(name="offer.npc", value=1_234_567.0, unit="pounds"), Observed(name="line.npc_ratio", value=0.8, unit="ratio")]
    assert wording.fill("It costs {offer.npc}, {line.npc_ratio} of { offer.npc }.", values) == "It costs £1.2m, 80% of £1.2m."


def test_fill_when_a_placeholder_has_no_recorded_value_keeps_it_as_written():
    """A figure the record lacks shows as its placeholder, never as a wrong or empty figure."""
    assert wording.fill("Needed in {line.months_to_need}.", []) == "Needed in {line.months_to_need}."


def test_placeholders_when_a_name_repeats_lists_it_once_in_first_use_order():
    """The names a text reads, each once, in the order it first reads them."""
    assert wording.placeholders("{b} then {a} then { b }") == ("b", "a")


def test_sentence_when_an_item_is_given_fills_its_template_from_its_values():
    """A condition's words are its template with its own recorded values."""
    item = Attached(rule_id="r", service_line="Desktops", template="Agree a break after {offer.break_after_years}.",
                    values=[Observed(name="offer.break_after_years", value=3, unit="years")])
    assert wording.sentence(item) == "Agree a break after 3 years."
    assert item.text == wording.sentence(item)


def test_summary_when_lines_join_go_alone_and_refer_names_each():
    """One sentence names the offer joined and every line by what happens to it."""
    rec = _Rec("refer", [_line("Desktops", "join"), _line("HR", "go-alone"), _line("Service desk", "refer")])
    assert wording.summary(rec) == ("Join Flex for desktops; procure HR independently; refer the decision on "
                                    "service desk to the board: the evidence does not settle it.")


def test_summary_when_every_line_is_referred_starts_with_refer():
    """With nothing joined or procured, the sentence is the referral alone."""
    rec = _Rec("refer", [_line("Desktops", "refer"), _line("Service desk", "refer")])
    assert wording.summary(rec) == ("Refer the decision on desktops and service desk to the board: "
                                    "the evidence does not settle it.")
