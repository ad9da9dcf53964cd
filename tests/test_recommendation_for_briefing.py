"""What the Recommendation carries for the briefing: offer per line, quality per dimension, requirements, bias."""
from __future__ import annotations

from .conftest import CASES
from engine.api import Decider
from engine.conditions.names import base_names


def test_line_recommendation_names_its_offer_and_supplier():
    """Each line says which offer and supplier it is about."""
    rec = Decider().decide_file(CASES / "refer-thin-evidence.yaml")
    assert (rec.lines[0].offer, rec.lines[0].supplier) == ("Government Collaboration Service", "Crown Hosting Partners")


def test_line_measures_when_both_options_are_scored_give_each_dimension_in_case_order():
    """Quality per dimension keeps the case file's order, with both scores."""
    m = Decider().decide_file(CASES / "part-join.yaml").measures.lines[1]
    assert [(d.dimension, d.go_alone, d.offer) for d in m.quality_by_dimension] == [
        ("performance", 5, 2), ("security", 5, 4), ("adaptability", 5, 2)]


def test_line_measures_give_each_requirement_with_its_status():
    """Requirements are listed by name with met, essential and note."""
    m = Decider().decide_file(CASES / "new-department.yaml").measures.lines[0]
    assert [(r.name, r.met, r.essential, r.note) for r in m.requirement_status] == [
        ("Screen reader support", "yes", False, ""),
        ("Single sign-on with the department's directory", "partly", False, "needs a federation gateway")]


def test_line_measures_when_the_case_gives_no_bias_record_each_options_class_and_evidence():
    """Without the case's own uplifts, each option's record names its reference class and evidence, and no reason."""
    m = Decider().decide_file(CASES / "new-department.yaml").measures.lines[0]
    go, offer = m.go_alone.bias, m.offer.bias
    assert (go.one_off_class, go.evidence, go.reason) == ("equipment and development, capital", "market sounding", None)
    assert (offer.one_off_class, offer.evidence, offer.reason) == ("outsourcing, operating", "firm quote", None)


def test_recommendation_carries_the_cases_marking_and_notes():
    """The protective marking and notes travel to the briefing."""
    rec = Decider().decide_file(CASES / "part-join.yaml")
    assert rec.protective_marking == "OFFICIAL-SENSITIVE"
    assert Decider().decide_file(CASES / "new-department.yaml").notes.startswith("Figures for going alone")


def test_briefing_lists_are_not_names_a_rule_can_read():
    """The lists added for the briefing stay out of the rules' names: rules read figures only."""
    paths = {n.path for n in base_names()}
    assert not {"line.quality_by_dimension", "line.requirement_status", "go_alone.bias", "offer.bias"} & paths
