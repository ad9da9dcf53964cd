"""The appraisal model (issue 10): one period per line, expected values, risk on both options,
like-for-like costs, quality in pounds and the pool, each worked by hand to the pound
(/work/shared/notes/appraisal-model.md, Tests A to E)."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from engine.api import decide_file
from engine.case import Case
from engine.errors import CaseFileError
from engine.estimates import Ranges, beta_pert, mean, triangle_from_p10_p90
from engine.load import load_case
from engine.measures import LineMeasures, measure
from engine.parameters import InForce, Parameters
from engine.quantities import Range

from .conftest import ROOT

DECIDED = dt.date(2026, 11, 25)
NO_BIAS = {"capital_cost": 0, "operating_cost": 0, "duration": 0, "reason": "a test of the arithmetic alone"}
# A build's uplifts at the reference classes' lower bounds (Mott MacDonald 2002, Table 2).
BUILD_LOWER_BOUNDS = {"capital_cost": "10%", "operating_cost": 0, "duration": "10%", "reason": "the least the classes allow"}


def _params(**overrides: float) -> dict[str, InForce]:
    shipped = Parameters.load(ROOT / "rules" / "parameters.yaml").in_force(DECIDED)
    return {**shipped, **{k: shipped[k].model_copy(update={"value": v}) for k, v in overrides.items()}}


def _case(**line: Any) -> dict[str, Any]:
    """A one-line case of 100 seats whose options cost nothing and start at once, needed at once, changed by `line`.

    Needed on the decision date, which only the arithmetic accepts (a case file must need it later:
    `_write` moves it a day on), so every year of the period counts from year 1.
    """
    base: dict[str, Any] = {
        "name": "Desktops",
        "appraisal_years": 10,
        "go_alone": {"nature": "to be built", "evidence": "estimate", "annual_running_cost": 0.0, "procurement_months": 0.0},
        "offer": {
            "name": "Flex", "supplier": "A supplier", "nature": "framework call-off", "evidence": "firm quote",
            "accredited_marking": "OFFICIAL", "price_per_seat": 0.0, "procurement_months": 0.0, "contract_years": 10,
            "reprocurement_cost": 0.0,
        },
    }
    for key, value in line.items():
        if key in ("go_alone", "offer"):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return {
        "organisation": {"name": "A test body", "kind": "agency", "staff": 100, "seats": 100},
        "decision_date": "2026-11-25",
        "need_by": "2026-11-25",
        "vat": "excluded",
        "service_lines": [base],
    }


def _line(data: dict[str, Any], **params: float) -> LineMeasures:
    return measure(Case.model_validate(data), _params(**params)).lines[0]


# Test A: from low / likely / high to a mean.
A = Range(low=80_000, likely=100_000, high=160_000)


def test_mean_when_pert_then_low_plus_four_likely_plus_high_over_six():
    """£80,000 / £100,000 / £160,000 has a PERT mean of £106,667 (Test A)."""
    assert round(mean(A, Ranges())) == 106_667


def test_mean_when_triangular_then_the_three_points_over_three():
    """The same range read as a triangle has a mean of £113,333 (Test A)."""
    assert round(mean(A, Ranges(distribution="triangular"))) == 113_333


def test_mean_when_ends_are_p10_p90_then_the_fitted_triangle_has_mean_117_260():
    """Read as P10 / P90, the fitted triangle runs from £54,522 to £197,259, mean £117,260 (Test A)."""
    fitted = triangle_from_p10_p90(A)
    assert (round(fitted.low), round(fitted.high)) == (54_522, 197_259)
    assert round(mean(A, Ranges(ends="p10_p90"))) == 117_260


def test_beta_pert_when_test_a_then_alpha_2_beta_4():
    """The Beta-PERT shape of Test A's range is alpha 2, beta 4 (for issue 11's draws)."""
    assert beta_pert(A) == (2.0, 4.0)


def test_measure_when_a_range_is_skewed_then_the_npc_uses_its_mean_not_its_likely_value():
    """A one-off cost of £80,000 / £100,000 / £160,000 enters the expected NPC as £106,667."""
    one_off = {"low": 80_000.0, "likely": 100_000.0, "high": 160_000.0}
    line = _line(_case(go_alone={"one_off_costs": one_off, "optimism_bias": NO_BIAS}))
    assert round(line.go_alone.npc_mean) == 106_667
    assert line.go_alone.npc.likely == 100_000


# Test B: optimism bias by what the option is, displaced by a costed risk register.


def test_measure_when_a_build_is_estimated_then_its_one_off_cost_takes_200_percent():
    """A £500,000 estimate for something to be built is uplifted 200%: £1,500,000 (Test B, no register)."""
    line = _line(_case(go_alone={"one_off_costs": 500_000.0}))
    assert round(line.go_alone.npc_mean) == 1_500_000
    assert line.go_alone.bias.one_off == pytest.approx(2.0)


def test_measure_when_a_risk_register_prices_risks_then_it_displaces_the_uplift_as_far_as_it_goes():
    """A £150,000 register leaves £850,000 of the £1,000,000 uplift: still £1,500,000 in all (Test B)."""
    register = [{"name": "Data migration overruns", "probability": "50%", "impact": 300_000.0}]
    line = _line(_case(go_alone={"one_off_costs": 500_000.0, "risk_register": register}))
    assert round(line.go_alone.npc_mean) == 1_500_000
    assert (round(line.go_alone.bias.risk_register), round(line.go_alone.bias.residual)) == (150_000, 850_000)


def test_measure_when_a_register_exceeds_the_uplift_then_the_register_counts_instead():
    """Costed risks of £1.2m on a £500,000 build outweigh its £1m uplift: £1,700,000."""
    register = [{"name": "Supplier failure", "probability": "100%", "impact": 1_200_000.0}]
    line = _line(_case(go_alone={"one_off_costs": 500_000.0, "risk_register": register}))
    assert round(line.go_alone.npc_mean) == 1_700_000


def test_measure_when_the_offer_is_a_firm_quote_then_its_running_cost_takes_8_point_2_percent():
    """£100,000 a year on a firm quote for a call-off: 41% x (1 - 0.8) = 8.2%, so £108,200 a year (Test B)."""
    line = _line(_case(offer={"price_per_seat": 1_000.0}))
    assert line.offer.annual_cost.likely == pytest.approx(108_200)
    assert line.offer.bias.running == pytest.approx(0.082)


def test_measure_when_joining_a_running_service_then_its_one_off_costs_are_not_a_build():
    """Onboarding onto a call-off takes the outsourcing class (8.2% on a firm quote), never the 200% of a build."""
    line = _line(_case(offer={"onboarding_cost": 100_000.0}))
    assert line.offer.one_off_costs.likely == pytest.approx(108_200)
    assert line.offer.bias.one_off_class == "outsourcing, operating"


def test_measure_when_both_options_are_the_same_kind_then_their_uplifts_are_the_same():
    """Symmetry: an option's uplift depends on what it is and its evidence, not on its side."""
    same = {"nature": "to be built", "evidence": "market sounding"}
    line = _line(_case(go_alone=same, offer=same))
    assert line.go_alone.bias == line.offer.bias


def test_measure_when_the_uplift_applies_then_it_scales_low_likely_and_high_alike():
    """Optimism bias corrects bias, not spread: every point of the range is multiplied by (1 + uplift)."""
    one_off = {"low": 100_000.0, "likely": 200_000.0, "high": 400_000.0}
    line = _line(_case(go_alone={"one_off_costs": one_off}))
    assert line.go_alone.one_off_costs == Range(low=300_000, likely=600_000, high=1_200_000)


# Test C: refresh on the asset life, residual value at the end of the period.


def test_measure_when_assets_outlive_the_period_then_a_straight_line_residual_is_credited():
    """£500,000 of kit on a 5-year life over 12 years: bought at 0, 5, 10; £300,000 left, PV £198,535; net £1,076,911."""
    go = {"one_off_costs": 500_000.0, "asset_life_years": 5, "optimism_bias": NO_BIAS, "residual": "straight_line"}
    line = _line(_case(appraisal_years=12, go_alone=go))
    assert round(line.go_alone.residual_value) == 198_535
    assert round(line.go_alone.npc_mean) == 1_076_911


# Test D: a price fixed in cash is worth less each year in real terms.


def test_measure_when_a_price_is_fixed_in_cash_then_it_is_deflated_to_real_terms():
    """£100,000 a year fixed in cash for 7 years at 2% deflator and 3.5%: NPC £566,872, not £611,454 (Test D)."""
    offer = {"price_per_seat": 1_000.0, "price_basis": {"kind": "cash_fixed"}, "optimism_bias": NO_BIAS, "contract_years": 7}
    line = _line(_case(appraisal_years=7, offer=offer))
    assert round(line.offer.npc_mean) == 566_872


def test_measure_when_a_price_is_real_then_it_is_discounted_only():
    """The same £100,000 a year stated in real terms: £611,454 (Test D's comparison)."""
    offer = {"price_per_seat": 1_000.0, "optimism_bias": NO_BIAS, "contract_years": 7}
    assert round(_line(_case(appraisal_years=7, offer=offer)).offer.npc_mean) == 611_454


def test_measure_when_the_price_base_year_is_earlier_then_a_cash_price_is_deflated_from_it():
    """Real figures in 2025 prices: a cash price paid from 2027 is deflated by one more year than from a 2026 base."""
    offer = {"price_per_seat": 1_000.0, "price_basis": {"kind": "cash_fixed"}, "optimism_bias": NO_BIAS, "contract_years": 7}
    data = _case(appraisal_years=7, offer=offer)
    later = _line(data).offer.npc_mean
    data["price_base_year"] = 2025
    assert _line(data).offer.npc_mean == pytest.approx(later / 1.02)


# Test E: quality in pounds.


def test_measure_when_going_alone_is_half_a_point_better_then_quality_is_worth_41_583():
    """500 seats, 0.5 points on one dimension at £20 a point per seat-year, 10 years: £41,583 (Test E)."""
    data = _case(go_alone={"quality": {"support": 4.5}}, offer={"quality": {"support": 4.0}})
    data["service_lines"][0]["seats"] = 500
    assert round(_line(data).quality_value) == 41_583


def test_measure_when_going_alone_costs_30_000_more_then_its_advantage_is_11_583():
    """The same quality advantage less £30,000 of extra cost leaves £11,583 of value for money (Test E)."""
    go = {"quality": {"support": 4.5}, "one_off_costs": 30_000.0, "optimism_bias": NO_BIAS}
    data = _case(go_alone=go, offer={"quality": {"support": 4.0}})
    data["service_lines"][0]["seats"] = 500
    assert round(_line(data).go_alone_advantage) == 11_583


def test_measure_when_a_dimension_weighs_double_then_it_counts_double_in_the_weighted_mean():
    """Half a point on support weighted 2 beside an even usability weighted 1: 1/3 point of the mean, £27,722."""
    data = _case(go_alone={"quality": {"support": 4.5, "usability": 4.0}}, offer={"quality": {"support": 4.0, "usability": 4.0}})
    data["service_lines"][0].update(seats=500, quality_dimensions={"support": {"weight": 2}})
    assert round(_line(data).quality_value) == 27_722


def test_measure_when_the_same_criteria_are_listed_twice_then_quality_is_worth_the_same():
    """Weights are normalised (review 01b against 01c): three dimensions one point apart, or each split in two, £83,166."""
    three = {d: 4.0 for d in ("security", "usability", "support")}
    six = {f"{d} {half}": 4.0 for d in three for half in ("a", "b")}
    worse = lambda q: {d: 3.0 for d in q}  # noqa: E731
    values = []
    for dims in (three, six):
        data = _case(go_alone={"quality": dims}, offer={"quality": worse(dims)})
        data["service_lines"][0]["seats"] = 500
        values.append(round(_line(data).quality_value))
    assert values == [83_166, 83_166]


def test_measure_when_an_option_scores_0_on_a_dimension_then_it_fails_a_must_have():
    """A score of 0 (absent) fails though no minimum is listed; a stated minimum of 0 accepts it (review 12a)."""
    data = _case(go_alone={"quality": {"security": 3.0}}, offer={"quality": {"security": 0.0}})
    line = _line(data)
    assert (line.offer.fails_minimum, line.offer.failed_minimums, line.go_alone.fails_minimum) == (True, "security", False)
    data["service_lines"][0]["quality_dimensions"] = {"security": {"minimum": 0}}
    assert not _line(data).offer.fails_minimum


def test_measure_when_an_option_is_below_a_must_have_minimum_then_it_fails_by_name():
    """An offer scoring 2 on a dimension whose minimum is 3 fails on it; going alone at 4 does not."""
    data = _case(go_alone={"quality": {"security": 4}}, offer={"quality": {"security": 2}})
    data["service_lines"][0]["quality_dimensions"] = {"security": {"minimum": 3}}
    line = _line(data)
    assert (line.offer.fails_minimum, line.offer.failed_minimums, line.go_alone.fails_minimum) == (True, "security", False)


def test_measure_when_the_offer_is_free_and_unscored_then_the_comparison_is_defined():
    """A free offer with no quality scores gives a finite advantage and share, not an undefined ratio (failure 10)."""
    line = _line(_case(go_alone={"annual_running_cost": 1_000.0, "optimism_bias": NO_BIAS}))
    assert line.quality_value == 0
    assert line.go_alone_advantage < 0 and line.go_alone_advantage_share == -1.0


def test_measure_when_ranges_on_both_options_then_the_advantage_spans_them():
    """The advantage runs from going alone at its high and the offer at its low, to the reverse (failure 10)."""
    cost = {"low": 1_000.0, "likely": 2_000.0, "high": 3_000.0}
    go = {"annual_running_cost": cost, "optimism_bias": NO_BIAS}
    offer = {"price_per_seat": {"low": 15.0, "likely": 20.0, "high": 25.0}, "optimism_bias": NO_BIAS}
    line = _line(_case(go_alone=go, offer=offer))
    assert line.go_alone_advantage_low == pytest.approx(line.offer.npc.low - line.go_alone.npc.high)
    assert line.go_alone_advantage_high == pytest.approx(line.offer.npc.high - line.go_alone.npc.low)
    assert line.go_alone_advantage_low < line.go_alone_advantage < line.go_alone_advantage_high


# One appraisal period: the offer's term only sets when it is re-let (failure 1).

FAILURE_1 = {
    "go_alone": {"one_off_costs": 1_000_000.0, "annual_running_cost": 100_000.0, "optimism_bias": NO_BIAS,
                 "quality": {"support": 3}},
    "offer": {"price_per_seat": 2_500.0, "optimism_bias": NO_BIAS, "quality": {"support": 3}},
}


def test_measure_when_the_offer_term_is_shorter_than_the_period_then_it_is_re_let_at_each_term_end():
    """A 3-year term over 10 years is re-let at years 3, 6 and 9, each at the £20,000 default."""
    data = _case(offer={**FAILURE_1["offer"], "contract_years": 3})
    del data["service_lines"][0]["offer"]["reprocurement_cost"]
    line = _line(data)
    assert line.offer.reprocurement_cost == pytest.approx(20_000 * (1 / 1.035**3 + 1 / 1.035**6 + 1 / 1.035**9))


def _write(tmp_path: Path, data: dict[str, Any], name: str) -> Path:
    if data["need_by"] == data["decision_date"]:
        data = {**data, "need_by": "2026-11-26"}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("term", [3, 5, 7, 10])
def test_decide_when_only_the_offer_term_differs_then_the_verdict_is_the_same(tmp_path: Path, term: int):
    """A build at £1m then £100,000 a year against an offer at £250,000 a year goes alone on every term (failure 1)."""
    data = _case(**copy.deepcopy(FAILURE_1))
    data["service_lines"][0]["offer"]["contract_years"] = term
    data["service_lines"][0]["go_alone"]["optimism_bias"] = BUILD_LOWER_BOUNDS  # a case file may not go below them
    del data["service_lines"][0]["appraisal_years"]  # the rulebook's 10 years, whatever the term
    rec = decide_file(_write(tmp_path, data, f"term-{term}"))
    assert rec.lines[0].verdict == "go-alone"
    assert rec.measures.lines[0].appraisal_years == 10


def test_measure_when_the_term_changes_then_only_re_procurement_costs_change():
    """Between a 3-year and a 10-year term, the offer's NPC differs by exactly its re-letting costs."""
    def offer_npc(term: int, relet: float) -> float:
        data = _case(**copy.deepcopy(FAILURE_1))
        data["service_lines"][0]["offer"].update(contract_years=term, reprocurement_cost=relet)
        return _line(data).offer.npc_mean

    assert offer_npc(3, 50_000.0) - offer_npc(10, 50_000.0) == pytest.approx(
        50_000 * (1 / 1.035**3 + 1 / 1.035**6 + 1 / 1.035**9)
    )
    assert offer_npc(3, 0.0) == pytest.approx(offer_npc(10, 0.0))


# Optimism bias on both options (failure 2).


def test_measure_when_the_offer_is_still_to_be_built_then_it_takes_the_build_uplifts():
    """A shared service still to be built, on an estimate, is uplifted like any build: 200% one-off, 54% time."""
    offer = {"nature": "to be built", "evidence": "estimate", "onboarding_cost": 100_000.0, "procurement_months": 10.0}
    line = _line(_case(offer=offer))
    assert line.offer.one_off_costs.likely == pytest.approx(300_000)
    assert line.offer.months_to_service.likely == pytest.approx(15.4)


def test_measure_when_evidence_is_audited_accounts_then_running_costs_take_4_point_1_percent():
    """Audited accounts mitigate 90% of the 41% operating uplift: 4.1%."""
    go = {"nature": "status quo", "evidence": "audited accounts", "annual_running_cost": 100_000.0}
    line = _line(_case(go_alone=go))
    assert line.go_alone.bias.running == pytest.approx(0.041)
    assert line.go_alone.bias.duration == 0


# Like-for-like costs (failure 7).


def test_measure_when_an_option_starts_later_then_its_running_costs_start_later_and_bau_bridges():
    """Going alone in service after 18 months pays £100,000 a year from then, and the current £120,000 until then."""
    go = {"annual_running_cost": 100_000.0, "procurement_months": 18.0, "optimism_bias": NO_BIAS}
    data = _case(go_alone=go)
    data["service_lines"][0]["business_as_usual"] = {
        "annual_cost": 120_000.0, "can_extend": True, "basis": "PCR 2015 reg. 72(1)(a): an option to extend"}
    line = _line(data)
    f = [1 / 1.035**t for t in range(11)]
    assert line.go_alone.bridging_cost == pytest.approx(120_000 * (f[1] + 0.5 * f[2]))
    assert line.go_alone.npc_mean == pytest.approx(
        120_000 * (f[1] + 0.5 * f[2]) + 100_000 * (0.5 * f[2] + sum(f[3:])))


def test_measure_when_the_current_contract_cannot_be_extended_then_a_late_option_is_flagged():
    """A bridge the law does not allow is flagged for the rules, for the option that needs it only."""
    go = {"procurement_months": 18.0}
    data = _case(go_alone=go)
    data["need_by"] = "2027-05-25"
    data["service_lines"][0]["business_as_usual"] = {
        "annual_cost": 120_000.0, "can_extend": False, "basis": "reg. 72 limits already used"}
    line = _line(data)
    assert (line.go_alone.bridge_unlawful, line.offer.bridge_unlawful) == (True, False)


def test_measure_when_both_options_have_exit_and_transition_costs_then_each_pays_its_own():
    """Exit costs fall at the end of the period and transition costs at the start, on both options alike."""
    go = {"exit_cost": 50_000.0, "transition_cost": 20_000.0, "optimism_bias": NO_BIAS}
    offer = {"exit_terms": {"exit_cost": 50_000.0}, "transition_cost": 20_000.0, "optimism_bias": NO_BIAS}
    line = _line(_case(go_alone=go, offer=offer))
    assert line.go_alone.npc_mean == pytest.approx(20_000 + 50_000 / 1.035**10)
    assert line.offer.npc_mean == pytest.approx(line.go_alone.npc_mean)


def test_measure_when_contract_management_is_costed_then_it_runs_every_year_in_service():
    """£10,000 a year of contract management over 10 years: £83,166."""
    offer = {"contract_management_cost": 10_000.0, "optimism_bias": NO_BIAS}
    assert round(_line(_case(offer=offer)).offer.npc_mean) == 83_166


# The pool (failure 8).

TIERS = [{"min_pool_seats": 1_000, "price_per_seat": 1_000.0}, {"min_pool_seats": 1_100, "price_per_seat": 900.0}]


def test_load_case_when_the_pool_is_below_the_lowest_tier_then_a_located_error(tmp_path: Path):
    """A pool with no price is a case-file error naming pool_seats, not a price at the lowest tier."""
    data = _case(offer={"price_per_seat": None, "price_tiers": TIERS, "pool_seats": 800})
    with pytest.raises(CaseFileError) as info:
        load_case(_write(tmp_path, data, "small-pool"))
    assert info.value.field == "service_lines[0].offer.pool_seats"
    assert "below the lowest price tier" in info.value.message


def test_measure_when_joining_drops_the_tier_then_pass_through_members_save_over_their_terms():
    """A £100 drop for a 1,000-seat member passing it through for 2 more years: £100,000 x (1/1.035 + 1/1.035^2)."""
    members = [
        {"name": "Passes through", "seats": 1_000, "pass_through": True, "remaining_years": 2.0},
        {"name": "Fixed price", "seats": 500, "pass_through": False, "remaining_years": 5.0},
    ]
    offer = {"price_per_seat": None, "price_tiers": TIERS, "pool_seats": 1_000, "pool_members": members}
    line = _line(_case(offer=offer))
    assert line.pool_saving == pytest.approx(100_000 * (1 / 1.035 + 1 / 1.035**2))
    assert line.pool_social_saving == 0


def test_measure_when_scale_share_is_evidenced_then_only_that_share_is_a_social_saving():
    """With 40% of the drop evidenced as economies of scale, 40% of the pool saving counts to society."""
    members = [{"name": "A member", "seats": 1_000, "pass_through": True, "remaining_years": 10.0}]
    offer = {"price_per_seat": None, "price_tiers": TIERS, "pool_seats": 1_000, "pool_members": members}
    line = _line(_case(offer=offer), pool_scale_share=0.4)
    assert line.pool_social_saving == pytest.approx(0.4 * line.pool_saving)


# Requirements on both options (failure 9, measures half).


def test_measure_when_requirements_are_stated_for_both_options_then_each_is_counted():
    """Essentials missed by the offer only, by going alone only, and by both are counted apart."""
    reqs = [
        {"name": "Linux build", "met": "no", "met_by_go_alone": "yes", "essential": True},
        {"name": "GPU workstations", "met": "no", "met_by_go_alone": "no", "essential": True, "cost_to_meet_otherwise": 40_000.0},
        {"name": "24-hour desk", "met": "yes", "met_by_go_alone": "no", "essential": True},
    ]
    line = _line(_case(requirements=reqs))
    assert (line.essential_requirements_unmet, line.essential_requirements_unmet_by_go_alone) == (2, 2)
    assert (line.essential_requirements_unmet_by_neither, line.essential_requirements_unmet_by_offer_only) == (1, 1)
    assert line.cost_to_meet_unmet == 40_000


def test_measure_when_the_case_is_marked_above_the_offers_accreditation_then_an_essential_is_unmet():
    """SECRET information on an offer accredited for OFFICIAL is an essential requirement the offer misses."""
    data = _case()
    data["organisation"]["protective_marking"] = "SECRET"
    line = _line(data)
    assert line.marking_above_accreditation and line.essential_requirements_unmet == 1
    assert line.unmet_essential_requirements == "accreditation for SECRET"


def test_measure_when_official_sensitive_on_an_official_offer_then_no_mismatch():
    """OFFICIAL-SENSITIVE is a handling caveat within OFFICIAL: an OFFICIAL accreditation covers it."""
    data = _case()
    data["organisation"]["protective_marking"] = "OFFICIAL-SENSITIVE"
    assert not _line(data).marking_above_accreditation


# Old case files (item 8).


def test_load_case_when_an_old_file_lacks_the_offers_nature_then_the_error_says_what_to_add_and_why(tmp_path: Path):
    """A case file from before issue 10 fails on the first new field, with why it is now needed."""
    data = _case()
    del data["service_lines"][0]["offer"]["nature"]
    with pytest.raises(CaseFileError) as info:
        load_case(_write(tmp_path, data, "old"))
    assert info.value.field == "service_lines[0].offer.nature"
    assert "optimism bias now depends on it" in info.value.message


def test_load_case_when_an_old_file_lacks_vat_then_the_error_asks_for_the_basis(tmp_path: Path):
    """The VAT basis is stated once for the case: missing, the error says both options must share it."""
    data = _case()
    del data["vat"]
    with pytest.raises(CaseFileError) as info:
        load_case(_write(tmp_path, data, "old-vat"))
    assert info.value.field == "vat" and "same basis" in info.value.message


# Review of 25 Nov 2026 (/tmp/review/REVIEW.md), the model's findings, each worked by hand.

F = [1 / 1.035**t for t in range(31)]
OFFER_100K = {"price_per_seat": 1_000.0, "optimism_bias": NO_BIAS}  # £100,000 a year for the 100 seats


def test_measure_when_the_term_runs_past_the_need_then_the_committed_years_count():
    """Need 3 years, a 7-year term with no break: years 4 to 7 are committed, 100,000 x (f4 + ... + f7) = £331,291 (finding 4)."""
    line = _line(_case(appraisal_years=3, offer={**OFFER_100K, "contract_years": 7}))
    assert round(line.offer.committed_after_period) == 331_291
    assert round(line.offer.npc_mean) == round(100_000 * sum(F[1:8]))


def test_measure_when_the_early_exit_charge_is_cheaper_then_it_counts_instead():
    """The same term with a stated £50,000 early exit charge: £50,000 at year 3, £45,097."""
    line = _line(_case(appraisal_years=3, offer={**OFFER_100K, "contract_years": 7, "early_exit_cost": 50_000.0}))
    assert round(line.offer.committed_after_period) == 45_097


def test_measure_when_the_contract_breaks_at_year_5_then_only_years_4_and_5_are_committed():
    """A break after 5 years ends the commitment there: 100,000 x (f4 + f5) = £171,342."""
    offer = {**OFFER_100K, "contract_years": 7, "exit_terms": {"stated": True, "break_after_years": 5.0}}
    assert round(_line(_case(appraisal_years=3, offer=offer)).offer.committed_after_period) == 171_342


def test_measure_when_the_need_runs_on_past_the_default_period_then_nothing_is_committed_after_it():
    """With the rulebook's working period the service is still needed after it: later years buy what is needed."""
    data = _case(offer={**OFFER_100K, "contract_years": 12})
    del data["service_lines"][0]["appraisal_years"]
    assert _line(data).offer.committed_after_period == 0


def test_measure_when_the_need_ends_with_the_period_then_no_straight_line_residual_is_credited():
    """Test C's kit with the need stated as 12 years and no resale value: no residual, net PV £1,275,446 (finding 4)."""
    go = {"one_off_costs": 500_000.0, "asset_life_years": 5, "optimism_bias": NO_BIAS}
    line = _line(_case(appraisal_years=12, go_alone=go))
    assert (line.go_alone.residual_value, round(line.go_alone.npc_mean)) == (0, 1_275_446)


def test_measure_when_a_resale_value_is_stated_then_it_is_credited_at_the_end():
    """A stated £100,000 from sale at year 12: 100,000 / 1.035^12 = £66,178 (Green Book 2018 para 6.11)."""
    go = {"one_off_costs": 500_000.0, "asset_life_years": 5, "optimism_bias": NO_BIAS, "residual": {"value": 100_000.0}}
    assert round(_line(_case(appraisal_years=12, go_alone=go)).go_alone.residual_value) == 66_178


def test_measure_when_a_cash_fixed_price_is_re_let_then_its_deflation_restarts_each_term():
    """Review case 13a: £745 a seat fixed in cash for 3 years, re-let at the same real price: running £12,386,685, not £11,581,910 (finding 5)."""
    offer = {"price_per_seat": 745.0, "price_basis": {"kind": "cash_fixed"}, "contract_years": 3,
             "onboarding_cost": 200_000.0, "procurement_months": 4.0}
    del (data := _case(seats=2_000, offer=offer))["service_lines"][0]["offer"]["reprocurement_cost"]
    data["service_lines"][0]["business_as_usual"] = {"annual_cost": 1_500_000.0, "can_extend": True, "basis": "s.74"}
    offer = _line(data).offer
    running = offer.npc_mean - offer.one_off_costs.likely - offer.bridging_cost - offer.reprocurement_cost
    assert round(running) == 12_386_685
    share = [min(1, max(0, t - 4.16 / 12)) for t in range(1, 11)]
    by_hand = 745 * 2_000 * 1.082 * sum(s * F[t] / 1.02 ** ((t - 1) % 3 + 1) for t, s in zip(range(1, 11), share))
    assert running == pytest.approx(by_hand)


def _late(months: float, bau: float, lawful: bool) -> LineMeasures:
    """Going alone at £100,000 a year in service after `months`, needed in 365 days, the current service at `bau`."""
    data = _case(go_alone={"annual_running_cost": 100_000.0, "procurement_months": months, "optimism_bias": NO_BIAS})
    data["need_by"] = "2027-11-25"
    data["service_lines"][0]["business_as_usual"] = {"annual_cost": bau, "can_extend": lawful, "basis": "a test"}
    return _line(data)


NEED_SHARE = 365 / 365.25  # of year 1 before the date needed


def test_measure_when_an_option_is_later_then_it_never_costs_less():
    """A cheap £80,000 current service lawfully bridging: in service at 24 or 36 months, going alone costs the same,
    80,000 x 0.9993 x f1 + 100,000 x (0.0007 x f1 + f2 + ... + f10) = £812,350 (finding 6; review case 14)."""
    by_hand = 80_000 * NEED_SHARE * F[1] + 100_000 * ((1 - NEED_SHARE) * F[1] + sum(F[2:11]))
    assert round(by_hand) == 812_350
    assert _late(24.0, 80_000.0, True).go_alone.npc_mean == pytest.approx(by_hand)
    assert _late(36.0, 80_000.0, True).go_alone.npc_mean == pytest.approx(by_hand)


def test_measure_when_the_bridge_costs_more_than_the_option_then_lateness_costs_more():
    """A £120,000 current service bridging the two late years costs £20,000 a year more than the option: £36,722."""
    on_time, late = _late(11.0, 120_000.0, True).go_alone.npc_mean, _late(36.0, 120_000.0, True).go_alone.npc_mean
    assert late - on_time == pytest.approx(20_000 * ((1 - NEED_SHARE) * F[1] + F[2] + F[3]))
    assert round(late - on_time) == 36_722


def test_measure_when_no_bridge_is_lawful_then_the_late_months_are_a_gap_not_a_cheap_bridge():
    """The late months are measured and flagged, priced at the option's own cost, never at the current service's."""
    line = _late(24.0, 80_000.0, False)
    assert line.go_alone.late_months == pytest.approx(24 - 365 / (365.25 / 12))
    assert (line.go_alone.gap_unbridgeable, line.offer.gap_unbridgeable) == (True, False)
    assert line.go_alone.npc_mean == pytest.approx(_late(24.0, 80_000.0, True).go_alone.npc_mean)


def test_measure_when_an_option_arrives_before_the_need_then_it_gains_nothing():
    """In service at once or at 11 months, needed at 12: the months before the need are common, the same cost."""
    assert _late(0.0, 80_000.0, True).go_alone.npc_mean == pytest.approx(_late(11.0, 80_000.0, True).go_alone.npc_mean)


def test_measure_when_going_alone_is_a_contract_with_a_term_then_it_is_re_let_like_the_offer():
    """A 3-year go-alone term over 10 years pays the £20,000 default at years 3, 6 and 9: £48,983, as the offer would (finding 8)."""
    data = _case(go_alone={"contract_years": 3}, offer={"contract_years": 3})
    del data["service_lines"][0]["offer"]["reprocurement_cost"]
    line = _line(data)
    assert round(line.go_alone.reprocurement_cost) == round(line.offer.reprocurement_cost) == 48_983


def test_measure_when_the_offer_is_uncertain_then_its_spread_is_measured_as_going_alones_is():
    """An offer at £450 to £1,400 a seat (likely £800) spreads (1,400 - 450) / 800 = 118.75% with no other cost (finding 8)."""
    offer = {"price_per_seat": {"low": 450.0, "likely": 800.0, "high": 1_400.0}, "optimism_bias": NO_BIAS}
    line = _line(_case(offer=offer))
    assert line.offer_cost_uncertainty == pytest.approx(1.1875)
    assert line.offer.npc_spread == line.offer_cost_uncertainty


def test_measure_when_going_alone_states_no_accreditation_then_it_is_unknown_and_a_lower_one_is_unmet():
    """SECRET work: going alone unstated is measured unknown; stated OFFICIAL, an essential it misses, as for the offer."""
    data = _case()
    data["organisation"]["protective_marking"] = "SECRET"
    data["service_lines"][0]["offer"]["accredited_marking"] = "SECRET"
    assert _line(data).go_alone_accreditation_unknown
    data["service_lines"][0]["go_alone"]["accredited_marking"] = "OFFICIAL"
    line = _line(data)
    assert (line.go_alone_marking_above_accreditation, line.essential_requirements_unmet_by_go_alone) == (True, 1)


def test_measure_when_a_case_sets_its_own_uplift_then_it_is_flagged():
    """A case's own optimism bias is flagged on the option it is set for, for the rules and the briefing (finding 12)."""
    line = _line(_case(go_alone={"optimism_bias": NO_BIAS}))
    assert (line.go_alone.optimism_bias_overridden, line.offer.optimism_bias_overridden) == (True, False)


def test_decide_when_an_own_uplift_goes_below_the_class_floor_then_a_located_error(tmp_path: Path):
    """A build's one-off uplift at 0%, below the class's 10%, with no risk register: refused, naming the field (finding 12)."""
    data = _case(go_alone={"one_off_costs": 100_000.0, "optimism_bias": {**BUILD_LOWER_BOUNDS, "capital_cost": 0}})
    with pytest.raises(CaseFileError) as info:
        decide_file(_write(tmp_path, data, "below-floor"))
    assert info.value.field == "service_lines[0].go_alone.optimism_bias"
    assert "£10,000" in info.value.message and "risk_register" in info.value.hint


def test_decide_when_a_risk_register_covers_the_floor_then_an_own_uplift_below_it_stands(tmp_path: Path):
    """The same 0% with a costed risk of £20,000 at 50% (£10,000 at year 0) covers the £10,000 shortfall (Green Book 2018 para 5.44)."""
    go = {"one_off_costs": 100_000.0, "optimism_bias": {**BUILD_LOWER_BOUNDS, "capital_cost": 0},
          "risk_register": [{"name": "Overrun", "probability": "50%", "impact": 20_000.0, "year": 0}]}
    rec = decide_file(_write(tmp_path, _case(go_alone=go), "covered"))
    assert rec.measures.lines[0].go_alone.bias.risk_register == pytest.approx(10_000)


def test_measure_when_a_risk_states_its_year_then_it_is_discounted_from_it():
    """£100,000 at 50% in year 2: 50,000 / 1.035^2 = £46,676, not £50,000 (finding 13)."""
    go = {"optimism_bias": NO_BIAS, "risk_register": [{"name": "Overrun", "probability": "50%", "impact": 100_000.0, "year": 2}]}
    assert round(_line(_case(go_alone=go)).go_alone.bias.risk_register) == 46_676


def test_measure_when_a_risk_states_no_year_then_it_is_spread_like_the_options_costs():
    """The same risk on an option costing £100,000 a year for 10 years: 50,000 x 8.316605 / 10 = £41,583."""
    go = {"annual_running_cost": 100_000.0, "optimism_bias": NO_BIAS,
          "risk_register": [{"name": "Overrun", "probability": "50%", "impact": 100_000.0}]}
    assert round(_line(_case(go_alone=go)).go_alone.bias.risk_register) == 41_583
