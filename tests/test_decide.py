"""Deciding cases end to end under the shipped rulebook, with durable_rules for real."""
from __future__ import annotations

import dataclasses
import json

import pytest

from engine import wording
from engine.api import Decider
from engine.decide import line_verdict, overall
from engine.load import load_case, parse_case

from .conftest import CASES

EXPECTED = {
    "new-department.yaml": "join",
    "large-specialist.yaml": "go-alone",
    "part-join.yaml": "join-in-part",
    "urgent-agency.yaml": "join",
    "refer-thin-evidence.yaml": "refer",
}


@pytest.mark.parametrize("name,verdict", sorted(EXPECTED.items()))
def test_decide_when_example_case_then_expected_verdict(decider: Decider, name: str, verdict: str):
    """Each example case gets the verdict it was written to show."""
    assert decider.decide_file(CASES / name).verdict == verdict


def test_decide_when_part_join_then_verdict_per_line(decider: Decider):
    """Desktops join; specialist computing goes alone."""
    rec = decider.decide_file(CASES / "part-join.yaml")
    assert [(l.service_line, l.verdict) for l in rec.lines] == [("Desktops", "join"), ("Specialist computing", "go-alone")]
    assert wording.summary(rec) == "Join Flex for desktops; procure specialist computing independently."


def test_decide_when_urgent_then_urgency_outweighs_a_cheaper_go_alone(decider: Decider):
    """Going alone beats the offer on paper, but only the offer is in time: join, decided by urgency."""
    rec = decider.decide_file(CASES / "urgent-agency.yaml")
    line = rec.lines[0]
    fired = {r.rule_id for r in line.reasons}
    assert {"suffolk.go-alone-beats-offer", "urgency.only-offer-in-time"} <= fired
    assert line.decided_by == "urgency.only-offer-in-time"


def test_decide_when_reasons_listed_then_why_first_then_outweighed_then_considerations(decider: Decider):
    """Each line's reasons come in the order a reader needs: why the verdict, what lost, the rest."""
    rec = decider.decide_file(CASES / "urgent-agency.yaml")
    roles = [r.role for r in rec.lines[0].reasons]
    assert roles[0] == "why" and "outweighed" in roles
    assert roles == sorted(roles, key=["why", "outweighed", "consideration"].index)


def _fired(decider: Decider, *ids: str) -> list:
    return [decider.rulebook.rule(i) for i in ids]


def test_line_verdict_when_two_stages_fire_then_the_first_decides(decider: Decider):
    """A hard constraint decides before the presumption to join, whatever order the rules ran in."""
    decision = line_verdict(_fired(decider, "presumption.join", "requirements.essential-unmet"), decider.rulebook)
    assert (decision.verdict, decision.decided_by, decision.disagreement) == ("go-alone", "requirements.essential-unmet", False)


def test_line_verdict_when_rules_of_one_stage_disagree_then_refer_naming_both(decider: Decider):
    """Only the offer is in time but misses an essential requirement: both hard constraints, so refer, naming both."""
    decision = line_verdict(_fired(decider, "urgency.only-offer-in-time", "requirements.essential-unmet"), decider.rulebook)
    assert (decision.verdict, decision.disagreement) == ("refer", True)
    assert [r.id for r in decision.deciding] == ["urgency.only-offer-in-time", "requirements.essential-unmet"]


def test_line_verdict_when_a_stage_declares_a_tie_verdict_then_it_applies(decider: Decider):
    """A stage whose on_disagreement is go-alone gives go-alone when its rules disagree."""
    stages = [s.model_copy(update={"on_disagreement": "go-alone"}) if s.id == "constraints" else s
              for s in decider.rulebook.decision.stages]
    rulebook = dataclasses.replace(decider.rulebook, decision=decider.rulebook.decision.model_copy(update={"stages": stages}))
    decision = line_verdict(_fired(decider, "urgency.only-offer-in-time", "requirements.essential-unmet"), rulebook)
    assert (decision.verdict, decision.disagreement) == ("go-alone", True)


def test_line_verdict_when_no_verdict_rule_fired_then_refer(decider: Decider):
    """Considerations alone decide nothing: the line is referred, with no deciding stage."""
    decision = line_verdict(_fired(decider, "size.small-organisation", "exit.long-lock-in"), decider.rulebook)
    assert (decision.verdict, decision.stage, decision.decided_by) == ("refer", None, None)


def test_decide_when_stage_rules_disagree_then_the_line_names_both(decider: Decider):
    """The referred line says which stage's rules disagreed, by id."""
    text = (CASES / "urgent-agency.yaml").read_text().replace(
        "    kind: desktop\n", '    kind: desktop\n    requirements: [{name: Offline working, met: "no", essential: true}]\n', 1)
    rec = decider.decide(parse_case(text.encode()))
    text = wording.basis(rec.lines[0])
    assert "urgency.only-offer-in-time" in text and "requirements.essential-unmet" in text and "disagree" in text


def test_decide_when_a_line_joins_by_a_constraint_then_the_value_for_money_verdict_is_outweighed_not_why(
    decider: Decider,
):
    """Going alone's better value for money fires on the urgent line but is shown as outweighed by the hard constraint."""
    rec = decider.decide_file(CASES / "urgent-agency.yaml")
    (justified,) = [r for r in rec.lines[0].reasons if r.rule_id == "suffolk.go-alone-justified"]
    assert (justified.role, justified.outweighed_by) == ("outweighed", "urgency.only-offer-in-time")
    assert wording.standing(justified) == (
        "argued for going alone; outweighed at the earlier stage 'Hard constraints' by urgency.only-offer-in-time")


def test_decide_when_reason_has_placeholders_then_figures_formatted(decider: Decider):
    """Explanations carry figures as officials write them."""
    rec = decider.decide_file(CASES / "new-department.yaml")
    peers = next(r for r in rec.reasons if r.rule_id == "peers.offer-below-peers")
    assert wording.sentence(peers).startswith("The offer's price of £900 per seat a year is 25% below the £1,200 per seat")


def test_decide_when_a_reason_is_recorded_then_it_keeps_the_rules_text_and_values(decider: Decider):
    """A reason records its rule's text as written, placeholders and all, and the value of each placeholder."""
    rec = decider.decide_file(CASES / "new-department.yaml")
    peers = next(r for r in rec.reasons if r.rule_id == "peers.offer-below-peers")
    assert peers.template == decider.rulebook.rule("peers.offer-below-peers").spec.explain
    assert [v.name for v in peers.values] == list(wording.placeholders(peers.template))
    assert next(v for v in peers.values if v.name == "line.price_per_seat").value == 900


def test_decide_when_serialised_then_the_words_ride_along_for_tools(decider: Decider):
    """The JSON carries each reason's words and the summary, written from the facts, for tools that read it."""
    rec = decider.decide_file(CASES / "part-join.yaml")
    record = json.loads(rec.model_dump_json())
    assert record["summary"] == wording.summary(rec)
    assert [r["text"] for r in record["reasons"]] == [wording.sentence(r) for r in rec.reasons]


def test_decide_when_rule_fires_then_trace_has_the_values_it_matched(decider: Decider):
    """The trace records each name the condition used, with its value."""
    rec = decider.decide_file(CASES / "new-department.yaml")
    step = next(s for s in rec.trace if s.rule_id == "urgency.only-offer-in-time" and s.service_line == "Desktops")
    seen = {v.name: v.value for v in step.values}
    assert seen["offer.months_to_service"] == pytest.approx(4 * 1.04)  # a call-off on a firm quote: 20% x 0.2
    assert seen["go_alone.months_to_service"] == pytest.approx(12 * 1.364)  # a build on a market sounding
    assert seen["line.months_to_need"] == pytest.approx(6, abs=0.1)


def test_decide_when_condition_reads_a_finding_then_it_runs_in_a_later_layer(decider: Decider):
    """Chained findings: the presumption rule runs after the Suffolk test it reads."""
    rec = decider.decide_file(CASES / "new-department.yaml")
    layers = {s.rule_id: s.layer for s in rec.trace}
    assert layers["presumption.join"] > 0
    beats = next(v for s in rec.trace if s.rule_id == "presumption.join" for v in s.values)
    assert beats.name == "go_alone_beats_offer" and beats.value is False


def test_decide_when_an_or_condition_holds_both_ways_then_rule_fires_once(decider: Decider):
    """A condition with two true branches is one firing, not two."""
    rec = decider.decide_file(CASES / "large-specialist.yaml")
    ids = [s.rule_id for s in rec.trace]
    assert ids.count("suffolk.go-alone-beats-offer") == 1


def test_decide_when_line_verdict_not_join_then_no_conditions_attached(decider: Decider):
    """Conditions attach to joining; a line that goes alone carries none."""
    rec = decider.decide_file(CASES / "large-specialist.yaml")
    assert rec.lines[0].verdict == "go-alone" and rec.lines[0].conditions == []
    assert rec.conditions == []


def test_decide_when_join_with_unmet_terms_then_conditions_attached(decider: Decider):
    """A joined line with partly met requirements carries a condition naming them."""
    rec = decider.decide_file(CASES / "new-department.yaml")
    assert any("Single sign-on" in wording.sentence(c) for c in rec.conditions)


def test_decide_when_peer_prices_unknown_then_peer_rules_do_not_fire(decider: Decider):
    """An unknown figure satisfies no comparison, whichever way round."""
    rec = decider.decide_file(CASES / "urgent-agency.yaml")
    assert not {s.rule_id for s in rec.trace} & {"peers.offer-below-peers", "peers.offer-above-peers"}


def test_decide_when_decided_twice_then_identical_json(decider: Decider):
    """The same case and rulebook give the same recommendation."""
    first = decider.decide_file(CASES / "part-join.yaml").model_dump_json()
    second = Decider().decide_file(CASES / "part-join.yaml").model_dump_json()
    assert first == second


def test_decide_when_json_then_verdict_at_top_level(decider: Decider):
    """The JSON output starts from the verdict."""
    data = json.loads(decider.decide_file(CASES / "refer-thin-evidence.yaml").model_dump_json())
    assert data["verdict"] == "refer"
    assert data["provenance"]["case_sha256"] == load_case(CASES / "refer-thin-evidence.yaml").sha256


def test_decide_when_small_organisation_grows_past_threshold_then_size_rule_stops(decider: Decider):
    """The size threshold comes from the parameters: 1,500 seats."""
    text = (CASES / "new-department.yaml").read_text()
    small = decider.decide(parse_case(text.encode()))
    large = decider.decide(parse_case(text.replace("seats: 1000", "seats: 1500", 1).encode()))
    assert "size.small-organisation" in {s.rule_id for s in small.trace}
    assert "size.small-organisation" not in {s.rule_id for s in large.trace}


def test_decide_when_many_cases_then_sessions_do_not_leak(decider: Decider):
    """Past durable_rules' 1,024 live sessions, decisions still work (each case's state is deleted)."""
    loaded = load_case(CASES / "part-join.yaml")
    for _ in range(1100):
        rec = decider.decide(loaded)
    assert rec.verdict == "join-in-part"


@pytest.mark.parametrize(
    "verdicts,expected",
    [
        (["join", "join"], "join"),
        (["go-alone"], "go-alone"),
        (["join", "go-alone"], "join-in-part"),
        (["join", "refer"], "refer"),
    ],
)
def test_overall_when_line_verdicts_then_combined(verdicts: list[str], expected: str):
    """Overall: all join, join; all go alone, go-alone; a mix, join-in-part; any refer, refer."""
    assert overall(verdicts) == expected


def test_decide_when_no_rule_matches_a_line_then_refer_and_process_survives(tmp_path, decider: Decider):
    """A rulebook whose rules match nothing still decides (durable_rules crashes on an unhandled fact)."""
    import shutil

    from .conftest import ROOT

    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(ROOT / "rules" / "parameters.yaml", folder)
    shutil.copy(ROOT / "rules" / "decision.yaml", folder)
    (folder / "never.yaml").write_text(
        "rules:\n"
        "  - id: never.fires\n"
        "    title: Never fires\n"
        "    source: test\n"
        "    when: org.seats < 0\n"
        "    then: {verdict: join}\n"
        "    stage: presumption\n"
        "    explain: never\n"
    )
    quiet = Decider(folder)
    for _ in range(50):
        rec = quiet.decide_file(CASES / "part-join.yaml")
    assert rec.verdict == "refer" and rec.trace == []
    assert all(line.decided_by is None for line in rec.lines)


def _with_quality_risk_about(tmp_path, about: str) -> Decider:
    import shutil

    from .conftest import ROOT

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder, ignore=shutil.ignore_patterns("tests"))
    path = folder / "requirements.yaml"
    text = path.read_text()
    assert text.count("      about: offer\n") == 1
    path.write_text(text.replace("      about: offer\n", f"      about: {about}\n"))
    return Decider(folder)


def test_decide_when_a_risk_is_about_going_alone_then_shown_only_on_a_line_that_goes_alone(tmp_path):
    """A risk about going alone is put to the board for the line kept in house, and for no line that joins."""
    quiet = _with_quality_risk_about(tmp_path, "go_alone")
    alone = quiet.decide_file(CASES / "large-specialist.yaml")
    assert [r.rule_id for r in alone.risks] == ["quality.offer-worse-on-some-dimensions"]
    text = (CASES / "urgent-agency.yaml").read_text().replace("support: 3}", "support: 4}", 1)
    joins = quiet.decide(parse_case(text.encode()))
    assert joins.lines[0].verdict == "join" and joins.risks == []


def test_decide_when_a_risk_is_about_the_line_then_shown_whatever_the_verdict(tmp_path):
    """A risk about the line is put to the board on a line that goes alone as on one that joins."""
    quiet = _with_quality_risk_about(tmp_path, "line")
    alone = quiet.decide_file(CASES / "large-specialist.yaml")
    assert [(r.rule_id, r.about) for r in alone.risks] == [("quality.offer-worse-on-some-dimensions", "line")]


POOLED_AGENCY = {
    "need_by: 2027-04-25": "need_by: 2029-11-25",
    "      price_per_seat: 760\n": (
        "      price_tiers:\n"
        "        - {min_pool_seats: 0, price_per_seat: 800}\n"
        "        - {min_pool_seats: 7000, price_per_seat: 760}\n"
        "      pool_members: [{name: HMRC, seats: 6000, pass_through: true, remaining_years: 10}]\n"
    ),
}


def _pooled_agency() -> bytes:
    """The urgent agency needed late (going alone clears the margin), its joining taking a 6,000-seat pool past a tier."""
    text = (CASES / "urgent-agency.yaml").read_text()
    for old, new in POOLED_AGENCY.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text.encode()


def _weighing_the_pool(tmp_path) -> Decider:
    """The shipped rulebook with the pool's saving all social and weighed in full."""
    import shutil

    from ruamel.yaml import YAML

    from .conftest import ROOT

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder, ignore=shutil.ignore_patterns("tests"))
    yaml = YAML()
    path = folder / "parameters.yaml"
    params = yaml.load(path.read_text())
    for name in ("pool_weight_in_verdict", "pool_scale_share"):
        params[name]["values"][-1]["value"] = "100%"
    with path.open("w") as out:
        yaml.dump(params, out)
    return Decider(folder)


def test_decide_when_the_pool_is_not_weighed_then_its_saving_is_shown_beside(decider: Decider):
    """With the shipped weight of 0 the pool's saving, 40 x 6,000 x 8.316605 = £1,995,985, leaves going alone's verdict."""
    loaded = parse_case(_pooled_agency())
    (line,) = decider.measure(loaded).lines
    assert round(line.pool_saving) == 1_995_985
    assert decider.decide(loaded).lines[0].verdict == "go-alone"


def test_decide_when_the_rule_owners_weigh_the_pool_then_its_social_saving_counts_against_going_alone(tmp_path):
    """Weighed in full, the £1,995,985 the pool would save outweighs going alone's least advantage (about £1.4m)."""
    weighing = _weighing_the_pool(tmp_path)
    loaded = parse_case(_pooled_agency())
    (line,) = weighing.measure(loaded).lines
    assert round(line.pool_social_saving) == 1_995_985
    rec = weighing.decide(loaded)
    assert rec.lines[0].verdict == "join"
