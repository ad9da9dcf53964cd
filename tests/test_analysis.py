"""The analysis of issue 11: switching values, confidence from the ranges, the value of information."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine.analysis.analyse import analyse
from engine import wording
from engine.measures import measure

from .analysis_cases import YEAR_ONE_LOST, box15, vfm_decider

# Green Book 2003 Box 15: 10 years of savings at 3.5%, year 0 undiscounted (8.316605: NPV £247,491, the
# saving switching at £120,241); here less the one day of year 1 before the line is needed.
BOX15 = sum(1.035 ** -t for t in range(1, 11))
ANNUITY = BOX15 - YEAR_ONE_LOST / 1.035


@pytest.fixture(scope="module")
def decider():
    return vfm_decider()


def _switch(analysis, name):
    return next(v for v in analysis.sensitivity.estimates if v.input == name)


def test_box15_when_measured_has_the_green_book_npv(decider):
    """Box 15 (£247,491; the Green Book's "£247,000") less one day's saving (£397): £247,094."""
    case = box15()
    params = decider.rulebook.parameters.in_force(case.decision_date)
    assert round(150_000 * BOX15 - 1_000_000) == 247_491
    assert round(measure(case, params).lines[0].go_alone_advantage) == 247_094 == round(150_000 * ANNUITY - 1_000_000)


def test_switching_value_when_the_annual_saving_falls_to_120241(decider):
    """The saving switches at £120,241 in Box 15 (1,000,000 / 8.316605); here, one day short, at £120,279."""
    found = _switch(analyse(decider, box15(), draws=None), "Desktops: go_alone.annual_running_cost")
    assert found.direction == "rise" and found.verdict_then == "join"
    assert abs(found.value - (400_000 - 1_000_000 / ANNUITY)) < 1
    assert round(1_000_000 / BOX15) == 120_241
    assert round(400_000 - found.value) == 120_279


def test_switching_value_when_read_by_a_board_member(decider):
    """The sentence names the verdict it switches to, the figure, today's figure and the size of the move."""
    found = _switch(analyse(decider, box15(), draws=None), "Desktops: go_alone.annual_running_cost")
    assert found.sentence == (
        "Joining would be recommended if going alone's annual running cost (Desktops) rose above "
        "£280,000 (now £250,000, a 12% rise)."
    )


def test_sensitivity_when_no_switch_in_range_lists_the_input_apart(decider):
    """An input whose whole plausible range keeps the verdict is listed as having no switching value."""
    analysis = analyse(decider, box15(), draws=None)
    assert "Desktops: offer.contract_years" in {n.input for n in analysis.sensitivity.no_switch}


def test_sensitivity_when_a_parameter_switches_it_is_listed_apart_from_estimates(decider):
    """The discount rate's switching value is among the parameters, never among the case's estimates."""
    analysis = analyse(decider, box15(price=380), draws=None)  # saving £130,000 a year: it pays back at about 5%
    assert "parameter: discount_rate" in {v.input for v in analysis.sensitivity.parameters}
    assert all(v.kind == "estimate" for v in analysis.sensitivity.estimates)


def test_confidence_when_every_figure_is_a_single_value(decider):
    """A case with no ranges gives its verdict 100% of the time and says there was nothing to draw."""
    confidence = analyse(decider, box15()).confidence
    assert confidence.draws == 0 and confidence.agreement == 1.0
    assert [(s.verdict, s.share) for s in confidence.overall] == [("go-alone", 1.0)]
    assert "single value" in confidence.statement


def test_confidence_when_ranges_straddle_the_decision(decider):
    """Running costs either side of the switching value give both verdicts, with the share of each and its precision."""
    case = box15(running={"low": 150_000, "likely": 250_000, "high": 450_000})
    confidence = analyse(decider, case, draws=400, seed=1).confidence
    shares = {s.verdict: s for s in confidence.overall}
    assert set(shares) == {"join", "go-alone"}
    assert sum(s.draws for s in shares.values()) == 400
    assert all(s.low < s.share < s.high for s in shares.values())


def test_confidence_when_seeded_twice_gives_the_same_figures(decider):
    """The same case, rulebook and seed give the same report."""
    case = box15(running={"low": 150_000, "likely": 250_000, "high": 450_000})
    first = analyse(decider, case, draws=200, seed=5).confidence.model_dump_json()
    assert analyse(decider, case, draws=200, seed=5).confidence.model_dump_json() == first


def test_information_when_one_range_decides_it_ranks_first(decider):
    """The input whose range straddles the switching value is worth most to firm up; the advice names it."""
    case = box15(running={"low": 150_000, "likely": 250_000, "high": 450_000},
                 one_off={"low": 950_000, "likely": 1_000_000, "high": 1_050_000})
    confidence = analyse(decider, case, draws=1000, seed=2).confidence
    assert confidence.firm_up[0].inputs == ["Desktops: go_alone.annual_running_cost"]
    assert confidence.firm_up[0].value > 10 * confidence.firm_up[1].value
    assert "annual running cost" in confidence.advice


def test_information_when_an_input_moves_no_advantage_is_zero(decider):
    """Going alone's months to service move nothing a rule reads here (a new body, no quality): no value to firm up."""
    case = box15(running={"low": 150_000, "likely": 250_000, "high": 450_000}, months={"low": 3, "likely": 6, "high": 30})
    confidence = analyse(decider, case, draws=300, seed=3).confidence
    value = {tuple(f.inputs): f.value for f in confidence.firm_up}
    assert value[("Desktops: go_alone.procurement_months",)] == 0.0
    assert value[("Desktops: go_alone.annual_running_cost",)] > 0


def test_draws_when_declared_to_move_together_are_ranked_alike(decider):
    """Two estimates grouped in move_together sit at the same place in their ranges in every draw."""
    case = box15(running={"low": 150_000, "likely": 250_000, "high": 450_000},
                 one_off={"low": 500_000, "likely": 1_000_000, "high": 1_500_000},
                 move_together=[{"inputs": ["Desktops: go_alone.annual_running_cost", "Desktops: go_alone.one_off_costs"],
                                 "reason": "one supplier's estimate"}])
    confidence = analyse(decider, case, draws=200, seed=4).confidence
    assert [f.inputs for f in confidence.firm_up] == [
        ["Desktops: go_alone.annual_running_cost", "Desktops: go_alone.one_off_costs"]]
    assert "move together" in confidence.dependence


def test_confidence_when_ranges_shrink_converges_to_the_verdict_without_them(decider):
    """Shrinking every range towards its mean drives the leading share to 100%, on the verdict of the case without ranges."""
    mean = (150_000 + 4 * 250_000 + 450_000) / 6  # PERT: the figure the case without ranges holds
    exact = analyse(decider, box15(running=mean), draws=None).sensitivity.verdict
    leading = []
    for width in (1.0, 0.3, 0.03, 0.0001):
        low, high = mean - (mean - 150_000) * width, mean + (450_000 - mean) * width
        likely = mean + (250_000 - mean) * width
        case = box15(running={"low": low, "likely": likely, "high": high})
        top = analyse(decider, case, draws=300, seed=6).confidence.overall[0]
        leading.append((top.verdict, top.share))
    assert leading[-1] == (exact, 1.0)
    assert [share for _, share in leading] == sorted(share for _, share in leading)


@pytest.mark.slow
def test_decide_confidence_when_run_in_two_processes_gives_identical_json(tmp_path):
    """`joinup decide --confidence --json` with a seed prints the same bytes in two fresh processes."""
    command = [sys.executable, "-m", "engine.cli", "decide", "cases/refer-thin-evidence.yaml", "--confidence",
               "--draws", "300", "--seed", "11", "--json"]
    runs = [subprocess.run(command, capture_output=True, text=True, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    assert json.loads(runs[0])["confidence"]["draws"] == 300


PRESUMPTION_RULES = """
description: The presumption reads the share of draws in which going alone wins.
rules:
  - id: vfm.go-alone
    title: Going alone gives more value for money in enough draws
    source: analysis tests
    when: line.go_alone_advantage > 0 and (line.go_alone_share is unknown or line.go_alone_share >= param.go_alone_share_needed)
    then: {verdict: go-alone}
    stage: value-for-money
    explain: Going alone gives more value for money in {line.go_alone_share} of the draws.
  - id: vfm.join
    title: The presumption to join
    source: analysis tests
    when: line.go_alone_advantage <= 0 or line.go_alone_share < param.go_alone_share_needed
    then: {verdict: join}
    stage: presumption
    explain: Going alone wins in only {line.go_alone_share} of the draws; joining is the presumption.
"""
SHARE_NEEDED = """
go_alone_share_needed:
  description: Share of draws in which going alone must win to rebut the presumption.
  unit: percent
  values:
    - from: 2007-01-01
      value: 80%
      source: analysis tests (a rule owners' judgement in a real rulebook)
"""


def test_decide_sure_when_going_alone_wins_too_few_draws_joins_quoting_the_share(tmp_path):
    """Expected figures favour going alone, but it wins in under 80% of draws: the line joins and its reason quotes the share."""
    import shutil

    from engine.api import Decider
    from engine.analysis.analyse import decide_sure
    from .analysis_cases import VFM_RULES

    rules = tmp_path / "rules"
    shutil.copytree(VFM_RULES, rules)
    (rules / "vfm.yaml").write_text(PRESUMPTION_RULES)
    with open(rules / "parameters.yaml", "a") as params:
        params.write(SHARE_NEEDED)
    decider = Decider(rules)
    case = box15(running={"low": 100_000, "likely": 250_000, "high": 420_000})
    assert decider.decide(_loaded(case)).verdict == "go-alone"  # on the expected figures alone
    rec, analysis = decide_sure(decider, _loaded(case), draws=500, seed=8)
    share = analysis.confidence.lines[0].go_alone_share
    assert 0.2 < share < 0.8
    assert rec.verdict == "join"
    assert f"{share * 100:.0f}%" in wording.sentence(rec.lines[0].why[0])


def _loaded(case):
    from engine.load import LoadedCase

    return LoadedCase(case, "box15.yaml", case.model_dump_json().encode())


def test_information_when_firming_up_costs_more_than_it_is_worth_advises_nothing(decider):
    """A stated cost of firming up above every figure's value of information leaves no figure worth firming up."""
    case = box15(running={"low": 150_000, "likely": 250_000, "high": 450_000}, cost_to_firm_up=10_000_000)
    confidence = analyse(decider, case, draws=300, seed=2).confidence
    assert confidence.firm_up[0].value > 0
    assert not any(f.worth_it for f in confidence.firm_up) and confidence.advice == ""


def test_value_of_information_when_reckoned_starts_from_the_margin_to_clear():
    """The close call's margin is £30 a seat-year (the rule owners' judgement) x 2,500 seats x 10 years = £750,000,
    the pool's saving weighed at 0%; each draw's net advantage, from which the value of information is reckoned,
    is going alone's advantage less that."""
    from engine.analysis.verdicts import Verdicts
    from engine.api import Decider
    from engine.load import load_case
    from .conftest import CASES

    shipped = Decider()
    case = load_case(CASES / "close-call.yaml").case
    params = shipped.rulebook.parameters.in_force(case.decision_date)
    assert measure(case, params).lines[0].margin_to_clear == 750_000
    outcome = Verdicts(shipped).outcome(case, params)
    assert outcome.net[0] == pytest.approx(outcome.advantage[0] - 750_000, abs=0.01)


def _close_call(price: int):
    """The example close call at another offer price, as a loaded case."""
    from engine.load import parse_case
    from .conftest import CASES

    text = (CASES / "close-call.yaml").read_text().replace("price_per_seat: 450", f"price_per_seat: {price}")
    assert f"price_per_seat: {price}" in text
    return parse_case(text.encode(), "close-call.yaml")


@pytest.fixture(scope="module")
def shipped():
    from engine.api import Decider

    return Decider()


def test_decide_sure_when_the_draws_change_the_advice_measures_confidence_against_the_advice_given(shipped):
    """At £480 a seat the close call joins on its figures as given but goes alone on the draws (about 84% ahead):
    the confidence is measured against going alone, and the switching values say what they are worked on."""
    from engine.analysis.analyse import decide_sure

    loaded = _close_call(480)
    assert shipped.decide(loaded).verdict == "join"
    rec, analysis = decide_sure(shipped, loaded, draws=1000)
    assert rec.verdict == "go-alone" == analysis.confidence.verdict
    assert analysis.confidence.agreement == analysis.confidence.lines[0].go_alone_share > 0.8
    assert analysis.sensitivity.verdict == "join" and "the advice would be join" in analysis.sensitivity.basis


def test_information_when_no_cost_is_stated_advises_only_what_passes_the_rule_owners_floor(shipped):
    """At £520 a seat going alone clears the margin in nearly every draw: knowing its running cost is worth a few
    thousand pounds, under the £10,000 the rule owners think worth advising, so nothing is advised."""
    loaded = _close_call(520)
    confidence = analyse(shipped, loaded.case, draws=1000).confidence
    first = confidence.firm_up[0]
    assert 0 < first.value < 10_000 and first.cost_to_firm_up == 10_000 and not first.cost_stated
    assert not first.worth_it and confidence.advice == ""
