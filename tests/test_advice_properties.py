"""Properties of the advice over cases generated from the examples (issue 10, "Done when"):
invariance, symmetry and monotonicity. Verdicts are ordered join < refer < go-alone: refer sits
between because it withholds the presumption to join without rebutting it, so evidence that
favours going alone may move a line from join to refer or from refer to go-alone, never back."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from engine.api import Decider
from engine.errors import CaseFileError
from engine.load import LoadedCase, case_from_document
from engine.measures import LineMeasures
from engine.recommendation import Recommendation
from tests.conftest import CASES, EXAMPLES, fuzz

RANK = {"join": 0, "refer": 1, "go-alone": 2}
LATE = "2029-11-25"  # both routes in time, so value for money decides


def _example(name: str) -> dict[str, Any]:
    return YAML(typ="safe").load((CASES / f"{name}.yaml").read_text(encoding="utf-8"))


def _decide(decider: Decider, document: dict[str, Any]) -> tuple[Recommendation, list[LineMeasures]]:
    loaded = LoadedCase(case=case_from_document(copy.deepcopy(document)), path="<generated>", data=b"")
    return decider.decide(loaded), decider.measure(loaded).lines


def _verdicts(decider: Decider, document: dict[str, Any]) -> list[str]:
    return [line.verdict for line in _decide(decider, document)[0].lines]


def _scale(estimate: Any, k: float) -> Any:
    """An estimate (a figure or low / likely / high) times k."""
    if isinstance(estimate, dict):
        return {key: value * k for key, value in estimate.items()}
    return estimate * k


def _add(estimate: Any, amount: float) -> Any:
    """An estimate (a figure or low / likely / high) plus a sure amount."""
    if isinstance(estimate, dict):
        return {key: value + amount for key, value in estimate.items()}
    return estimate + amount


def _price_scaled(offer: dict[str, Any], k: float) -> None:
    if "price_per_seat" in offer:
        offer["price_per_seat"] *= k
    for tier in offer.get("price_tiers", []):
        tier["price_per_seat"] *= k


def _advantages(lines: list[LineMeasures]) -> list[tuple[float, float, float]]:
    return [(m.go_alone_advantage, m.go_alone_advantage_low, m.go_alone_advantage_high) for m in lines]


def _close(a: list[tuple[float, ...]], b: list[tuple[float, ...]]) -> bool:
    return all(x == pytest.approx(y, rel=1e-9, abs=1e-3) for pa, pb in zip(a, b) for x, y in zip(pa, pb))


SAME_BIAS = {"capital_cost": "20%", "operating_cost": "10%", "duration": "10%", "reason": "the same on both, for the test"}

cases = st.sampled_from(EXAMPLES).map(_example)


@st.composite
def varied(draw: st.DrawFn) -> dict[str, Any]:
    """An example case with each line's running costs, price and dates moved within a plausible band."""
    doc = draw(cases)
    for line in doc["service_lines"]:
        line["go_alone"]["annual_running_cost"] = _scale(
            line["go_alone"]["annual_running_cost"], draw(st.floats(0.6, 1.4))
        )
        _price_scaled(line["offer"], draw(st.floats(0.6, 1.4)))
    doc["need_by"] = draw(st.sampled_from(["2027-04-25", "2027-11-25", "2028-11-25", LATE]))
    return doc


@given(doc=varied(), transition=st.integers(0, 5_000_000), exit_cost=st.integers(0, 2_000_000))
@fuzz(25)
def test_verdict_when_the_same_cost_is_added_to_both_options_then_unchanged(decider, doc, transition, exit_cost):
    """A transition cost at the start and an exit cost at the end, the same on both options, change no verdict."""
    for line in doc["service_lines"]:
        line["go_alone"]["optimism_bias"] = dict(SAME_BIAS)
        line["offer"]["optimism_bias"] = dict(SAME_BIAS)
    before_rec, before = _decide(decider, doc)
    for line in doc["service_lines"]:
        for side in ("go_alone", "offer"):
            line[side]["transition_cost"] = _add(line[side].get("transition_cost", 0), transition)
        line["go_alone"]["exit_cost"] = line["go_alone"].get("exit_cost", 0) + exit_cost
        terms = line["offer"]["exit_terms"]
        terms["exit_cost"] = terms.get("exit_cost", 0) + exit_cost
    after_rec, after = _decide(decider, doc)
    assert _close(_advantages(before), _advantages(after))
    assert [x.verdict for x in after_rec.lines] == [x.verdict for x in before_rec.lines]


@pytest.mark.parametrize("where", [(), ("service_lines", 0), ("service_lines", 0, "go_alone"), ("service_lines", 0, "offer")])
def test_case_when_a_sunk_cost_is_given_then_refused_at_its_field(where):
    """There is no field for a sunk cost: one given anywhere is refused, by name, the same on either option."""
    doc = _example("urgent-agency")
    target = doc
    for step in where:
        target = target[step]
    target["sunk_cost"] = 250000
    with pytest.raises(CaseFileError) as info:
        case_from_document(doc)
    assert info.value.field.endswith("sunk_cost")


@given(doc=varied(), base=st.integers(2015, 2026))
@fuzz(20)
def test_verdict_when_the_price_base_year_moves_then_unchanged(decider, doc, base):
    """Prices stated in real terms give the same comparison whatever year they are based in."""
    before = _verdicts(decider, doc)
    doc["price_base_year"] = base
    assert _verdicts(decider, doc) == before


@given(doc=varied())
@fuzz(20)
def test_verdict_when_a_real_price_is_restated_as_indexed_with_inflation_then_unchanged(decider, doc):
    """A price that rises with the GDP deflator (2%) is the same price in real terms: same figures, same verdict."""
    before_rec, before = _decide(decider, doc)
    for line in doc["service_lines"]:
        for side in ("go_alone", "offer"):
            line[side]["price_basis"] = {"kind": "indexed", "rate": "2%"}
    after_rec, after = _decide(decider, doc)
    assert _close(_advantages(before), _advantages(after))
    assert [x.verdict for x in after_rec.lines] == [x.verdict for x in before_rec.lines]


def _mirror_ready(doc: dict[str, Any], seats: int) -> dict[str, Any]:
    """The first line of a case, stated so that either option's figures can stand for the other's."""
    line = doc["service_lines"][0]
    go, offer = line["go_alone"], line["offer"]
    running = go["annual_running_cost"]
    go["annual_running_cost"] = running["likely"] if isinstance(running, dict) else running
    offer.pop("price_tiers", None)
    offer["price_per_seat"] = offer.get("price_per_seat", 800)
    offer["contract_years"] = 10
    offer["reprocurement_cost"] = 0
    go.pop("asset_life_years", None)
    offer["exit_terms"]["exit_cost"] = offer["exit_terms"].get("exit_cost", 0)
    doc["service_lines"] = [line]
    # Accreditation is the offer's alone (going alone is built to the case's marking): level it.
    doc["organisation"]["protective_marking"] = offer["accredited_marking"]
    doc["organisation"]["seats"] = seats
    line.pop("seats", None)
    return doc


def _swapped(doc: dict[str, Any]) -> dict[str, Any]:
    """The same line with the two options' nature, evidence, figures and scores exchanged."""
    out = copy.deepcopy(doc)
    seats = doc["organisation"]["seats"]
    go, offer = doc["service_lines"][0]["go_alone"], doc["service_lines"][0]["offer"]
    new_go, new_offer = out["service_lines"][0]["go_alone"], out["service_lines"][0]["offer"]
    for key in ("nature", "evidence", "procurement_months", "quality", "optimism_bias"):
        new_go.pop(key, None), new_offer.pop(key, None)
        if key in offer:
            new_go[key] = copy.deepcopy(offer[key])
        if key in go:
            new_offer[key] = copy.deepcopy(go[key])
    new_go["annual_running_cost"] = offer["price_per_seat"] * seats
    new_offer["price_per_seat"] = go["annual_running_cost"] / seats
    new_go["one_off_costs"] = copy.deepcopy(offer.get("onboarding_cost", 0))
    new_offer["onboarding_cost"] = copy.deepcopy(go.get("one_off_costs", 0))
    for req in out["service_lines"][0].get("requirements", []):
        req["met"], req["met_by_go_alone"] = req.get("met_by_go_alone", "yes"), req["met"]
    new_go["exit_cost"] = offer["exit_terms"]["exit_cost"]
    new_offer["exit_terms"]["exit_cost"] = go.get("exit_cost", 0)
    return out


@given(
    name=st.sampled_from(EXAMPLES),
    seats=st.integers(200, 20000),
    go_k=st.floats(0.5, 1.5),
    offer_k=st.floats(0.5, 1.5),
    need=st.sampled_from(["2027-04-25", "2028-11-25", LATE]),
)
@fuzz(25)
def test_comparison_when_the_options_swap_sides_then_mirrored(decider, name, seats, go_k, offer_k, need):
    """Swapping the two options' nature, evidence, figures and scores turns going alone's advantage round."""
    doc = _mirror_ready(_example(name), seats)
    doc["need_by"] = need
    line = doc["service_lines"][0]
    line["go_alone"]["annual_running_cost"] *= go_k
    line["offer"]["price_per_seat"] *= offer_k
    rec, (m,) = _decide(decider, doc)
    swapped_rec, (s,) = _decide(decider, _swapped(doc))
    assert s.go_alone_advantage == pytest.approx(-m.go_alone_advantage, rel=1e-9, abs=1e-3)
    assert s.go_alone_advantage_low == pytest.approx(-m.go_alone_advantage_high, rel=1e-9, abs=1e-3)
    assert (s.go_alone.months_to_service, s.offer.months_to_service) == (m.offer.months_to_service, m.go_alone.months_to_service)
    if rec.lines[0].verdict == "go-alone":
        assert swapped_rec.lines[0].verdict == "join"
    if swapped_rec.lines[0].verdict == "go-alone":
        assert rec.lines[0].verdict == "join"


def _better_go_alone(line: dict[str, Any], step: float, kind: str) -> None:
    """Make going alone better (step > 0) or worse (step < 0) in one respect."""
    go = line["go_alone"]
    if kind == "cheaper":
        go["annual_running_cost"] = _scale(go["annual_running_cost"], 1 - 0.3 * step)
    elif kind == "sooner":
        go["procurement_months"] = _scale(go["procurement_months"], 1 - 0.5 * step)
    else:
        go["quality"] = {d: min(5.0, max(0.0, q + 2 * step)) for d, q in go.get("quality", {}).items()}


def _worse_offer(line: dict[str, Any], step: float, kind: str) -> None:
    """Make the offer worse (step > 0) or better (step < 0) in one respect."""
    offer = line["offer"]
    if kind == "cheaper":
        _price_scaled(offer, 1 + 0.3 * step)
    elif kind == "sooner":
        offer["procurement_months"] = _scale(offer["procurement_months"], 1 + 0.5 * step)
    else:
        offer["quality"] = {d: min(5.0, max(0.0, q - 2 * step)) for d, q in offer.get("quality", {}).items()}


@given(
    doc=varied(),
    side=st.sampled_from([_better_go_alone, _worse_offer]),
    kind=st.sampled_from(["cheaper", "sooner", "better"]),
    step=st.floats(0.05, 0.9),
)
@fuzz(40)
def test_verdict_when_going_alone_gains_then_never_moves_towards_join(decider, doc, side, kind, step):
    """Going alone cheaper, sooner or better, or the offer dearer, later or worse: no line moves towards join."""
    before = _verdicts(decider, doc)
    for line in doc["service_lines"]:
        side(line, step, kind)
    after = _verdicts(decider, doc)
    assert all(RANK[a] >= RANK[b] for a, b in zip(after, before)), (before, after)


@given(
    doc=varied(),
    side=st.sampled_from([_better_go_alone, _worse_offer]),
    kind=st.sampled_from(["cheaper", "sooner", "better"]),
    step=st.floats(0.05, 0.9),
)
@fuzz(40)
def test_verdict_when_going_alone_loses_then_never_moves_towards_go_alone(decider, doc, side, kind, step):
    """Going alone dearer, later or worse, or the offer cheaper, sooner or better: no line moves towards going alone."""
    before = _verdicts(decider, doc)
    for line in doc["service_lines"]:
        side(line, -step, kind)
    after = _verdicts(decider, doc)
    assert all(RANK[a] <= RANK[b] for a, b in zip(after, before)), (before, after)
