"""Measures: the Green Book arithmetic behind every figure a rule or a briefing uses."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.load import load_case
from engine.measures import LineMeasures, discount_factors, measure, net_present_cost, price_at
from engine.parameters import InForce, Parameters

from .conftest import CASES, ROOT


def _params(**overrides: float) -> dict[str, InForce]:
    """The shipped parameters in force on the examples' decision date, with some values changed."""
    shipped = Parameters.load(ROOT / "rules" / "parameters.yaml").in_force(dt.date(2026, 11, 25))
    return {**shipped, **{k: shipped[k].model_copy(update={"value": v}) for k, v in overrides.items()}}


def test_net_present_cost_when_green_book_worked_example_then_npv_about_247k():
    """A £1m system saving £150k a year for 10 years at 3.5% has an NPV of about +£247,000 (Green Book Box 15)."""
    npv = -net_present_cost(1_000_000, -150_000, 0.035, 10)
    assert npv == pytest.approx(247_000, abs=1_000)


def test_discount_factors_when_year_zero_then_undiscounted():
    """Year 0 is not discounted; year t is 1/(1+r)^t."""
    factors = discount_factors(0.035, 3)
    assert factors[0] == 1.0
    assert factors[3] == pytest.approx(1 / 1.035**3)


def test_price_at_when_pool_grows_then_lower_tier_applies():
    """The offer's price falls when the pool reaches the next tier."""
    offer = load_case(CASES / "new-department.yaml").case.service_lines[0].offer
    assert price_at(offer, 2499).likely == 1150
    assert price_at(offer, 2500).likely == 1000
    assert price_at(offer, 3500).likely == 900


def test_measure_when_joining_crosses_a_tier_then_price_drop_recorded():
    """Joining with 1,000 seats takes a 2,500-seat pool to 3,500 and the price from £1,000 to £900."""
    case = load_case(CASES / "new-department.yaml").case
    line = measure(case, _params()).lines[0]
    assert line.pool_seats_after_joining == 3500
    assert line.price_before_joining == 1000
    assert line.price_per_seat == 900
    assert line.price_drop_from_joining == pytest.approx(0.10)


def test_measure_line_when_assembled_from_its_parts_then_every_field_is_set():
    """Each part of measure_line sets its fields by name; none is left to its default by a misspelt key."""
    for name in ("new-department", "large-specialist", "part-join"):
        for line in measure(load_case(CASES / f"{name}.yaml").case, _params()).lines:
            assert line.model_fields_set == set(LineMeasures.model_fields)


def test_measure_when_defaults_then_a_build_on_a_market_sounding_takes_its_mitigated_uplifts():
    """A build on a market sounding (mitigation 40%): 10% + 190% x 0.6 = 124% one-off, 24.6% running, 36.4% time."""
    case = load_case(CASES / "new-department.yaml").case
    bias = measure(case, _params()).lines[0].go_alone.bias
    assert (bias.one_off, bias.running, bias.duration) == pytest.approx((1.24, 0.246, 0.364))
    assert bias.reason is None


def test_measure_when_case_gives_its_own_bias_then_it_replaces_the_default():
    """A case with evidence for lower uplifts uses them."""
    case = load_case(CASES / "large-specialist.yaml").case
    line = measure(case, _params()).lines[0]
    assert line.go_alone.one_off_costs.likely == pytest.approx(1_000_000 * 1.20)
    assert line.go_alone.cost_per_seat == pytest.approx(9_000_000 * 1.05 / 15_000)
    assert line.go_alone.months_to_service.likely == pytest.approx(12 * 1.20)


def test_measure_when_offer_has_exit_cost_then_it_is_discounted_from_the_end_of_the_period():
    """The offer's £50,000 exit cost falls at the end of the 10-year appraisal period, not of its 5-year term."""
    case = load_case(CASES / "new-department.yaml").case
    assert measure(case, _params()).lines[0].offer.exit_cost == pytest.approx(50_000 / 1.035**10)


def test_measure_when_ranges_given_then_ratio_spans_worst_to_best():
    """The cost ratio's range runs from going alone's low over the offer's high to its high over the offer's low."""
    case = load_case(CASES / "refer-thin-evidence.yaml").case
    line = measure(case, _params()).lines[0]
    assert line.npc_ratio.low == pytest.approx(line.go_alone.npc.low / line.offer.npc.high)
    assert line.npc_ratio.high == pytest.approx(line.go_alone.npc.high / line.offer.npc.low)
    assert line.cost_comparison_uncertain is True


def test_measure_when_peers_known_then_discount_against_median():
    """Peers paying £1,150, £1,200 and £1,250 put a £900 offer 25% below their median."""
    case = load_case(CASES / "new-department.yaml").case
    line = measure(case, _params()).lines[0]
    assert line.peer_median_price == 1200
    assert line.discount_on_peer_price == pytest.approx(0.25)


def test_measure_when_no_peers_then_peer_figures_unknown():
    """With no peer prices, the comparison is unknown, not zero."""
    case = load_case(CASES / "urgent-agency.yaml").case
    line = measure(case, _params()).lines[0]
    assert line.peer_median_price is None and line.discount_on_peer_price is None


def test_measure_when_quality_scored_then_gap_and_dimension_counts():
    """Quality gap is the difference of mean scores; dimensions are counted each way."""
    case = load_case(CASES / "large-specialist.yaml").case
    line = measure(case, _params()).lines[0]
    assert line.quality_gap == pytest.approx(4.5 - 3.0)
    assert (line.dimensions_go_alone_better, line.dimensions_offer_better, line.quality_dimensions) == (3, 0, 4)


def test_measure_when_quality_not_scored_then_gap_unknown():
    """No quality scores: the gap is unknown, and no dimension is counted."""
    case = load_case(CASES / "refer-thin-evidence.yaml").case
    line = measure(case, _params()).lines[0]
    assert line.quality_gap is None and line.quality_dimensions == 0


def test_measure_when_requirements_listed_then_counted_by_status():
    """Requirements are counted as met, partly met and unmet, essentials apart."""
    case = load_case(CASES / "part-join.yaml").case
    line = measure(case, _params()).lines[1]
    assert (line.requirements_met, line.requirements_partly_met, line.requirements_unmet) == (0, 1, 1)
    assert line.essential_requirements_unmet == 1
    assert line.unmet_essential_requirements == "Secure statistical compute cluster"


def test_measure_when_line_has_own_seats_then_costs_per_seat_use_them():
    """A line serving 300 seats divides its costs by 300, not the organisation's 4,000."""
    case = load_case(CASES / "part-join.yaml").case
    line = measure(case, _params()).lines[1]
    assert line.seats == 300
    assert line.go_alone.cost_per_seat == pytest.approx(1_500_000 * 1.10 / 300)


def test_measure_when_need_by_six_months_away_then_months_to_need_about_six():
    """Months to need count from the decision date."""
    case = load_case(CASES / "new-department.yaml").case
    assert measure(case, _params()).lines[0].months_to_need == pytest.approx(6, abs=0.1)


def test_measure_when_discount_rate_changes_then_npc_changes():
    """A higher discount rate lowers the present cost of future running costs."""
    case = load_case(CASES / "new-department.yaml").case
    low = measure(case, _params()).lines[0].offer.npc.likely
    high = measure(case, _params(discount_rate=0.06)).lines[0].offer.npc.likely
    assert high < low


def test_range_derived_when_built_unchecked_then_equal_and_serialised_like_a_checked_one():
    """Ranges from arithmetic skip validation but behave like validated ones."""
    from engine.quantities import Range

    derived = Range.derived(1.0, 2.0, 3.0)
    checked = Range(low=1.0, likely=2.0, high=3.0)
    assert derived == checked
    assert derived.model_dump_json() == checked.model_dump_json()
    assert derived.scaled(2) == Range(low=2.0, likely=4.0, high=6.0)
