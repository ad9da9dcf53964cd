"""`explain` (engine/explain.py): why a rule fired or not, clause by clause."""
from pathlib import Path

import pytest

from engine.policy import explain
from engine.conditions import clauses
from engine.api import Decider
from engine.errors import RuleError
from engine.load import load_case

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))


@pytest.fixture(scope="module")
def decider():
    return Decider(ROOT / "rules")


def test_explain_when_the_rule_fired(decider):
    """A rule that fired shows each clause true, with the values it read."""
    e = explain.explain(decider, load_case(ROOT / "cases" / "urgent-agency.yaml"), "urgency.only-offer-in-time")
    (line,) = e.lines
    assert line.fired and line.condition.holds
    first, second, no_bridge, _not_self_caused = line.condition.children
    assert first.values == [("go_alone.months_to_service", "12 months"), ("line.months_to_need", "5 months")]
    assert (second.truth, no_bridge.truth) == (True, True)


def test_explain_when_the_rule_did_not_fire_because_a_figure_is_unknown(decider):
    """An unknown figure is shown as unknown, and the clause as not holding."""
    e = explain.explain(decider, load_case(ROOT / "cases" / "large-specialist.yaml"), "exit.long-lock-in")
    text = explain.explanation_text(e)
    assert "line.break_after_years = unknown" in text
    assert "a test on an unknown figure never holds" in text
    assert "param.longest_term_without_break = 5 years, since 2026-11-25" in text


def test_explain_when_the_rule_reads_a_finding(decider):
    """A finding the rule reads names the rule that concluded it."""
    e = explain.explain(decider, load_case(ROOT / "cases" / "large-specialist.yaml"), "suffolk.go-alone-justified")
    assert e.lines[0].findings == {"go_alone_beats_offer": ["suffolk.go-alone-beats-offer"]}
    assert "did not fire" not in explain.explanation_text(e)


def test_explain_when_the_rule_id_is_unknown(decider):
    """An unknown rule id is a RuleError suggesting the closest id."""
    with pytest.raises(RuleError) as caught:
        explain.explain(decider, load_case(CASES[0]), "urgency.only-offer")
    assert "urgency.only-offer-in-time" in caught.value.hint


def test_holds_when_compared_with_the_rules_engine_on_every_rule_test(decider):
    """The Python account of every rule agrees with what durable_rules fired, on every line of every rule test's case."""
    from engine.policy import ruletest_format

    tests, errors = ruletest_format.collect(ROOT / "rules", decider.rulebook)
    assert tests and not errors
    checked = 0
    for test in tests:
        rec = decider.decide(test.case)
        for lm in rec.measures.lines:
            steps = [s for s in rec.trace if s.service_line == lm.name]
            findings = {s.concluded["finding"] for s in steps if "finding" in s.concluded}
            values = clauses.fact_values(decider.rulebook.catalogue, test.case.case, lm, rec.parameters, findings)
            fired = {s.rule_id for s in steps}
            for rule in decider.rulebook.rules:
                assert clauses.holds(rule.condition, values) == (rule.id in fired), (test.id, lm.name, rule.id)
                checked += 1
    assert checked >= 20 * 60


@pytest.mark.parametrize(
    "text",
    ["a > b + 5", "a - (b - c) > 1", "(a or b) and not c", "not (a and b)", "x in [\"p\", \"q\"]", "a > 10%", "a * (b + c) >= -d"],
)
def test_text_when_written_back(text):
    """A condition written back from its tree parses to the same tree."""
    from engine.conditions.parse import parse

    node = parse(text)
    assert clauses.text(parse(clauses.text(node))) == clauses.text(node)
    assert clauses.text(node).replace(" ", "") == text.replace(" ", "").replace("\"", '"')


def test_explain_when_the_rule_fired_but_was_outweighed(decider):
    """A rule that fired but lost says which earlier stage, and which rule of it, decided the line."""
    e = explain.explain(decider, load_case(ROOT / "cases" / "urgent-agency.yaml"), "suffolk.go-alone-justified")
    assert (
        "the line's verdict: join: this rule's go-alone (stage 'value-for-money') was outweighed by the earlier "
        "stage 'Hard constraints': urgency.only-offer-in-time (join)"
    ) in explain.explanation_text(e)
