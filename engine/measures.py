"""Measure a case: per-seat costs, whole-life net present cost, quality, time, peers.

Plain arithmetic on the case and the parameters in force; no judgement. Every figure a
rule or a briefing uses is a field here, with its unit, so it can be traced.
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .case import MAX_UPLIFT, Case, ExitTerms, GoAlone, Met, Offer, Requirement, ServiceKind, ServiceLine
from .errors import ParameterError
from .parameters import InForce, Parameters
from .quantities import Range

DAYS_PER_MONTH = 365.25 / 12
# The parameters the arithmetic reads, and the values it can use (as fractions). A rate
# of -100% divides by zero, a negative uplift reverses a range, and a rulebook without
# one of them would fail on the first case (KeyError): each is checked as it loads.
PARAMETERS = {
    "discount_rate": (0.0, 1.0),
    "optimism_bias_capital_cost": (0.0, MAX_UPLIFT),
    "optimism_bias_operating_cost": (0.0, MAX_UPLIFT),
    "optimism_bias_duration": (0.0, MAX_UPLIFT),
}


def check_parameters(parameters: Parameters) -> None:
    """Raise a ParameterError (file, line, name) unless every parameter the measures read is there and usable."""
    for name, (low, high) in PARAMETERS.items():
        if name not in parameters:
            raise ParameterError(
                "is required by the measures but missing",
                file=parameters.file,
                field=name,
                hint=f"add {name} with a dated value",
            )
        for v in parameters.by_name[name].values:
            if not low <= v.value <= high:
                raise ParameterError(
                    f"must be from {low:.0%} to {high:.0%}; got {v.value * 100:.6g}% from {v.from_}",
                    file=parameters.file,
                    line=parameters.lines.get(name),
                    field=name,
                )


def _f(description: str, unit: str | None = None, **kw: Any) -> Any:
    extra = {"unit": unit} if unit else None
    return Field(description=description, json_schema_extra=extra, **kw)


class OptionMeasures(BaseModel):
    """Figures for one option (go alone, or the offer) on one service line."""

    model_config = ConfigDict(frozen=True)

    cost_per_seat: float = _f("Running cost per seat per year (likely), optimism bias included.", "pounds per seat")
    cost_per_seat_before_bias: float = _f("Running cost per seat per year (likely), before optimism bias.", "pounds per seat")
    annual_cost: Range = _f("Running cost per year for the line, optimism bias included.", "pounds")
    one_off_costs: Range = _f("One-off costs in year 0, optimism bias included.", "pounds")
    npc: Range = _f("Whole-life net present cost over the appraisal period, optimism bias included.", "pounds")
    npc_before_bias: Range = _f("Whole-life net present cost before optimism bias.", "pounds")
    optimism_bias: float = _f("What optimism bias adds to the likely net present cost.", "pounds")
    npc_per_seat_year: float = _f("Likely net present cost per seat per year of the appraisal period.", "pounds per seat")
    months_to_service: Range = _f("Months from the decision until the service could start, optimism bias included.", "months")
    quality_score: float | None = _f("Mean quality score over the scored dimensions (0 to 5); unknown if none scored.", "score")


class DimensionScores(BaseModel):
    """One quality dimension as both options score it (0 to 5), for the briefing's comparison."""

    model_config = ConfigDict(frozen=True)

    dimension: str = Field(description="The quality dimension, as the case file names it.")
    go_alone: float | None = _f("Going alone's score, if scored.", "score")
    offer: float | None = _f("The offer's score, if scored.", "score")


class RequirementStatus(BaseModel):
    """One specific requirement and whether the offer meets it, for the briefing's comparison."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The requirement, as the case file names it.")
    met: Met = Field(description="Whether the offer meets it: yes, partly or no.")
    essential: bool = Field(description="True if the organisation cannot work without it.")
    note: str = Field(description="How it is met, or what is missing.")


class BiasApplied(BaseModel):
    """The optimism bias uplifts applied to going alone on one line, and where they come from."""

    model_config = ConfigDict(frozen=True)

    capital_cost: float = _f("Uplift on one-off costs.", "percent")
    operating_cost: float = _f("Uplift on annual running costs.", "percent")
    duration: float = _f("Uplift on procurement time.", "percent")
    reason: str | None = Field(
        default=None, description="The case's evidence for its own uplifts; none when the rulebook's defaults apply."
    )


class LineMeasures(BaseModel):
    """Figures for one service line, comparing its two options."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The service line's name.")
    kind: ServiceKind = Field(description="What sort of service it is.")
    seats: int = _f("Seats the line serves.", "seats")
    appraisal_years: int = _f("Years appraised: the offer's contract term.", "years")
    months_to_need: float = _f("Months from the decision date to the date the line is needed by.", "months")
    need_by: dt.date = Field(description="The date the line is needed by.")
    go_alone: OptionMeasures = Field(description="Going alone.")
    offer: OptionMeasures = Field(description="The shared offer.")
    npc_ratio: Range | None = _f("Going alone's whole-life cost as a share of the offer's (1 is equal; above 1 the offer is cheaper).", "ratio")
    saving_by_joining: float = _f("Likely net present cost of going alone less that of the offer (positive: joining saves).", "pounds")
    quality_gap: float | None = _f("Going alone's mean quality score less the offer's (positive: going alone is better).", "score")
    dimensions_go_alone_better: int = _f("Quality dimensions on which going alone scores higher.", "count")
    dimensions_offer_better: int = _f("Quality dimensions on which the offer scores higher.", "count")
    quality_dimensions: int = _f("Quality dimensions scored for both options.", "count")
    value_for_money_ratio: float | None = _f("Going alone's quality per pound as a share of the offer's (above 1: going alone gives more for the money).", "ratio")
    requirements: int = _f("Specific requirements listed.", "count")
    requirements_met: int = _f("Requirements the offer meets.", "count")
    requirements_partly_met: int = _f("Requirements the offer meets in part.", "count")
    requirements_unmet: int = _f("Requirements the offer does not meet.", "count")
    essential_requirements_unmet: int = _f("Essential requirements the offer does not meet.", "count")
    unmet_requirements: str = Field(description="The requirements the offer does not meet, by name.")
    unmet_essential_requirements: str = Field(description="The essential requirements the offer does not meet, by name.")
    partly_met_requirements: str = Field(description="The requirements the offer meets in part, by name.")
    peers_known: int = _f("Peer prices given.", "count")
    peer_median_price: float | None = _f("Median price per seat per year that peers pay.", "pounds per seat")
    discount_on_peer_price: float | None = _f("How far the offer's price is below the peer median (negative: above it).", "percent")
    pool_seats_after_joining: int = _f("The pool's total seats once this line joins.", "seats")
    price_before_joining: float = _f("The offer's likely price per seat at the pool's size before this organisation joins.", "pounds per seat")
    price_drop_from_joining: float = _f("How much this organisation's joining lowers the price for every member.", "percent")
    exit_terms_stated: bool = Field(description="True if the offer states its exit terms.")
    break_after_years: float | None = _f("Years after which the organisation may leave without penalty.", "years")
    data_returned_on_exit: bool = Field(description="True if the supplier must return data in an open format on exit.")
    exit_cost: float = _f("Cost of leaving at the end of the term.", "pounds")
    cost_uncertainty: float = _f("Spread of going alone's whole-life cost (high less low) as a share of its likely value.", "percent")
    cost_comparison_uncertain: bool = Field(description="True if the cost ratio's range runs from below 1 to above 1: the estimates cannot say which option is cheaper.")
    # Lists, not figures: the names catalogue skips them, so rules cannot read them; the briefing does.
    quality_by_dimension: list[DimensionScores] = Field(
        default_factory=list, description="Each quality dimension scored, with both options' scores, in case-file order."
    )
    requirement_status: list[RequirementStatus] = Field(
        default_factory=list, description="Each specific requirement and whether the offer meets it, in case-file order."
    )
    optimism_bias_applied: BiasApplied | None = Field(
        default=None, description="The optimism bias uplifts applied to going alone, and their source."
    )


class Measures(BaseModel):
    """Every figure for a case, per service line and overall."""

    model_config = ConfigDict(frozen=True)

    lines: list[LineMeasures] = Field(description="Per service line, in case-file order.")
    seats: int = _f("The organisation's seats.", "seats")
    go_alone_npc: float = _f("Likely whole-life net present cost of going alone on every line.", "pounds")
    offer_npc: float = _f("Likely whole-life net present cost of joining on every line.", "pounds")
    parameters: dict[str, InForce] = Field(description="The parameters in force on the decision date.")


def discount_factors(rate: float, years: int) -> list[float]:
    """Green Book discount factors 1/(1+r)^t for t = 0..years (year 0 undiscounted)."""
    return [1.0 / (1.0 + rate) ** t for t in range(years + 1)]


def net_present_cost(one_off: float, annual: float, rate: float, years: int, final: float = 0.0) -> float:
    """One-off cost in year 0, `annual` in years 1..years, `final` at the end, discounted."""
    factors = discount_factors(rate, years)
    return one_off + annual * sum(factors[1:]) + final * factors[-1]


def price_at(offer: Offer, pool_seats: int) -> Range:
    """The offer's price per seat for a pool of `pool_seats`."""
    if offer.price_per_seat is not None:
        return offer.price_per_seat
    applicable = [t for t in offer.price_tiers if t.min_pool_seats <= pool_seats]
    tier = max(applicable, key=lambda t: t.min_pool_seats) if applicable else min(
        offer.price_tiers, key=lambda t: t.min_pool_seats
    )
    return Range.exactly(tier.price_per_seat)


def _mean(scores: dict[str, float]) -> float | None:
    return sum(scores.values()) / len(scores) if scores else None


def _npc_range(one_off: Range, annual: Range, annuity: float, final: float = 0.0) -> Range:
    return Range.derived(
        one_off.low + annual.low * annuity + final,
        one_off.likely + annual.likely * annuity + final,
        one_off.high + annual.high * annuity + final,
    )


def _ratio(a: Range, b: Range) -> Range | None:
    if b.low <= 0:
        return None
    return Range.derived(a.low / b.high, a.likely / b.likely, a.high / b.low)


def measure_line(line: ServiceLine, case: Case, params: dict[str, InForce]) -> LineMeasures:
    """Measure one service line: each option on its own, then the two side by side."""
    seats = line.seats or case.organisation.seats
    years = line.offer.contract_years
    factors = discount_factors(params["discount_rate"].value, years)
    uplifts = _optimism_bias(line.go_alone, params)
    # The price after joining: this line's seats join the pool and may reach a cheaper tier.
    price = price_at(line.offer, line.offer.pool_seats + seats)
    go_alone = _go_alone_figures(line.go_alone, uplifts, seats, years, factors)
    offer = _offer_figures(line.offer, price, seats, years, factors)
    return LineMeasures(
        name=line.name,
        kind=line.kind,
        seats=seats,
        appraisal_years=years,
        go_alone=go_alone,
        offer=offer,
        optimism_bias_applied=uplifts,
        **_timing(line, case),
        **_cost_comparison(go_alone, offer),
        **_quality_comparison(line.go_alone.quality, line.offer.quality, go_alone, offer),
        **_requirement_figures(line.requirements),
        **_price_figures(line, seats, price),
        **_exit_figures(line.offer.exit_terms),
    )


def _optimism_bias(go: GoAlone, params: dict[str, InForce]) -> BiasApplied:
    """The uplifts for going alone: the case's own where it gives evidence for them, else the rulebook's."""
    own = go.optimism_bias

    def uplift(kind: str) -> float:
        value = getattr(own, kind) if own else None
        return value if value is not None else params[f"optimism_bias_{kind}"].value

    return BiasApplied(
        capital_cost=uplift("capital_cost"),
        operating_cost=uplift("operating_cost"),
        duration=uplift("duration"),
        reason=own.reason if own else None,
    )


def _go_alone_figures(
    go: GoAlone, uplifts: BiasApplied, seats: int, years: int, factors: list[float]
) -> OptionMeasures:
    """Going alone's costs, time and quality, with optimism bias applied and shown apart."""
    annuity = sum(factors[1:])
    one_off = go.one_off_costs.scaled(1 + uplifts.capital_cost)
    annual = go.annual_running_cost.scaled(1 + uplifts.operating_cost)
    npc = _npc_range(one_off, annual, annuity)
    npc_raw = _npc_range(go.one_off_costs, go.annual_running_cost, annuity)
    return OptionMeasures(
        cost_per_seat=annual.likely / seats,
        cost_per_seat_before_bias=go.annual_running_cost.likely / seats,
        annual_cost=annual,
        one_off_costs=one_off,
        npc=npc,
        npc_before_bias=npc_raw,
        optimism_bias=npc.likely - npc_raw.likely,
        npc_per_seat_year=npc.likely / seats / years,
        months_to_service=go.procurement_months.scaled(1 + uplifts.duration),
        quality_score=_mean(go.quality),
    )


def _offer_figures(offer: Offer, price: Range, seats: int, years: int, factors: list[float]) -> OptionMeasures:
    """The offer's costs at `price` per seat, time and quality; the exit cost is paid at the end of the term."""
    annual = price.scaled(seats)
    npc = _npc_range(offer.onboarding_cost, annual, sum(factors[1:]), offer.exit_terms.exit_cost * factors[-1])
    return OptionMeasures(
        cost_per_seat=price.likely,
        cost_per_seat_before_bias=price.likely,
        annual_cost=annual,
        one_off_costs=offer.onboarding_cost,
        npc=npc,
        npc_before_bias=npc,
        optimism_bias=0.0,
        npc_per_seat_year=npc.likely / seats / years,
        months_to_service=offer.procurement_months,
        quality_score=_mean(offer.quality),
    )


def _timing(line: ServiceLine, case: Case) -> dict[str, Any]:
    """When the line is needed, and how many months from the decision that is."""
    need_by = line.need_by or case.need_by
    return {"need_by": need_by, "months_to_need": (need_by - case.decision_date).days / DAYS_PER_MONTH}


def _cost_comparison(go: OptionMeasures, offer: OptionMeasures) -> dict[str, Any]:
    """Going alone's whole-life cost against the offer's, and how sure the estimates let us be."""
    ratio = _ratio(go.npc, offer.npc)
    return {
        "npc_ratio": ratio,
        "saving_by_joining": go.npc.likely - offer.npc.likely,
        "cost_uncertainty": (go.npc.high - go.npc.low) / go.npc.likely if go.npc.likely else 0.0,
        "cost_comparison_uncertain": ratio is not None and ratio.low < 1 < ratio.high,
        "value_for_money_ratio": _value_for_money(go.quality_score, offer.quality_score, ratio),
    }


def _value_for_money(go_quality: float | None, offer_quality: float | None, ratio: Range | None) -> float | None:
    """Going alone's quality per pound as a share of the offer's; unknown unless both are scored and costed."""
    if go_quality is None or offer_quality is None or ratio is None or not offer_quality or ratio.likely <= 0:
        return None
    vfm = (go_quality / offer_quality) / ratio.likely
    return vfm if math.isfinite(vfm) else None  # an offer scored a hair above 0 (1e-320): no finite comparison


def _quality_comparison(
    go_scores: dict[str, float], offer_scores: dict[str, float], go: OptionMeasures, offer: OptionMeasures
) -> dict[str, Any]:
    """The quality gap, and dimension by dimension which option scores higher."""
    both_scored = go.quality_score is not None and offer.quality_score is not None
    dims = sorted(set(go_scores) & set(offer_scores))
    return {
        "quality_gap": go.quality_score - offer.quality_score if both_scored else None,
        "dimensions_go_alone_better": sum(go_scores[d] > offer_scores[d] for d in dims),
        "dimensions_offer_better": sum(go_scores[d] < offer_scores[d] for d in dims),
        "quality_dimensions": len(dims),
        "quality_by_dimension": [
            DimensionScores(dimension=d, go_alone=go_scores.get(d), offer=offer_scores.get(d))
            for d in dict.fromkeys([*go_scores, *offer_scores])
        ],
    }


def _requirement_figures(reqs: list[Requirement]) -> dict[str, Any]:
    """How many specific requirements the offer meets, in part or not at all, and which."""
    unmet = [r for r in reqs if r.met == "no"]
    partly = [r for r in reqs if r.met == "partly"]
    return {
        "requirements": len(reqs),
        "requirements_met": sum(r.met == "yes" for r in reqs),
        "requirements_partly_met": len(partly),
        "requirements_unmet": len(unmet),
        "essential_requirements_unmet": sum(r.essential for r in unmet),
        "unmet_requirements": ", ".join(r.name for r in unmet),
        "unmet_essential_requirements": ", ".join(r.name for r in unmet if r.essential),
        "partly_met_requirements": ", ".join(r.name for r in partly),
        "requirement_status": [
            RequirementStatus(name=r.name, met=r.met, essential=r.essential, note=r.note) for r in reqs
        ],
    }


def _price_figures(line: ServiceLine, seats: int, price: Range) -> dict[str, Any]:
    """The price after joining against what peers pay, and how far this line's joining lowers it for all."""
    peers = [p.price_per_seat for p in line.peer_prices]
    median = statistics.median(peers) if peers else None
    before = price_at(line.offer, line.offer.pool_seats).likely
    return {
        "peers_known": len(peers),
        "peer_median_price": median,
        "discount_on_peer_price": (median - price.likely) / median if median else None,
        "pool_seats_after_joining": line.offer.pool_seats + seats,
        "price_before_joining": before,
        "price_drop_from_joining": (before - price.likely) / before if before else 0.0,
    }


def _exit_figures(terms: ExitTerms) -> dict[str, Any]:
    """What leaving the offer would take."""
    return {
        "exit_terms_stated": terms.stated,
        "break_after_years": terms.break_after_years,
        "data_returned_on_exit": terms.data_returned,
        "exit_cost": terms.exit_cost,
    }


def measure(case: Case, params: dict[str, InForce]) -> Measures:
    """Measure every service line of a case with the parameters in force."""
    lines = [measure_line(line, case, params) for line in case.service_lines]
    return Measures(
        lines=lines,
        seats=case.organisation.seats,
        go_alone_npc=sum(m.go_alone.npc.likely for m in lines),
        offer_npc=sum(m.offer.npc.likely for m in lines),
        parameters=params,
    )
