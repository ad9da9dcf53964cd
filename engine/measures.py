"""Measure a case: per-seat costs, whole-life net present cost, quality, time, peers.

Plain arithmetic on the case and the parameters in force; no judgement. Every figure a
rule or a briefing uses is a field here, with its unit, so it can be traced.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, replace
import statistics
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from .case import (
    MARKING_RANK, MAX_UPLIFT, BusinessAsUsual, Case, Evidence, ExitTerms, GoAlone, Met, Nature, Offer, OptimismBias,
    PeerPrice, PriceBasis, QualityDimension, Requirement, Residual, ResidualValue, ServiceKind, ServiceLine, Option,
)
from .errors import ParameterError
from .estimates import Ranges, extremes, mean
from .parameters import InForce, Parameters
from .quantities import MAX_FIGURE, Range
from .reuse import Part, each_time

DAYS_PER_MONTH = 365.25 / 12
# The parameters the arithmetic reads, and the values it can use. A rate of -100% divides
# by zero, a negative uplift reverses a range, and a rulebook without one of them would
# fail on the first case (KeyError): each is checked as it loads.
PARAMETERS = {
    "discount_rate": (0.0, 1.0),
    "gdp_deflator": (0.0, 1.0),
    "optimism_bias_capital_cost": (0.0, MAX_UPLIFT),
    "optimism_bias_capital_cost_lower": (0.0, MAX_UPLIFT),
    "optimism_bias_operating_cost": (0.0, MAX_UPLIFT),
    "optimism_bias_operating_cost_lower": (0.0, MAX_UPLIFT),
    "optimism_bias_duration": (0.0, MAX_UPLIFT),
    "optimism_bias_duration_lower": (0.0, MAX_UPLIFT),
    "optimism_bias_outsourcing_duration": (0.0, MAX_UPLIFT),
    "optimism_bias_outsourcing_duration_lower": (0.0, MAX_UPLIFT),
    "mitigation_audited_accounts": (0.0, 1.0),
    "mitigation_firm_quote": (0.0, 1.0),
    "mitigation_market_sounding": (0.0, 1.0),
    "mitigation_estimate": (0.0, 1.0),
    "pool_scale_share": (0.0, 1.0),
    "appraisal_period_years": (1, 30),
    "reprocurement_cost": (0, MAX_FIGURE),
    "quality_value_per_point_per_seat_year": (0, MAX_FIGURE),
    "go_alone_margin": (0, MAX_FIGURE),
    "pool_weight_in_verdict": (0.0, 1.0),
    # Read by the analysis (engine.analysis), not the arithmetic: checked here with the rest.
    "least_worth_firming_up": (0, MAX_FIGURE),
}
# Reference classes by what an option is (Mott MacDonald 2002, Table 2): the parameter
# stem for its one-off costs and for its time to service. Running costs take the
# outsourcing operating class on every option; the status quo is already in service.
_ONE_OFF_CLASS = {
    "to be built": "capital_cost",
    "running service": "operating_cost",
    "framework call-off": "operating_cost",
    "status quo": "operating_cost",
}
_DURATION_CLASS = {
    "to be built": "duration",
    "running service": "outsourcing_duration",
    "framework call-off": "outsourcing_duration",
    "status quo": None,
}
_CLASS_LABEL = {
    "capital_cost": "equipment and development, capital",
    "operating_cost": "outsourcing, operating",
    "duration": "equipment and development, duration",
    "outsourcing_duration": "outsourcing, duration (rule owners' judgement)",
}
_MITIGATION = {
    "audited accounts": "mitigation_audited_accounts",
    "firm quote": "mitigation_firm_quote",
    "market sounding": "mitigation_market_sounding",
    "estimate": "mitigation_estimate",
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
        percent = parameters.by_name[name].unit == "percent"
        for v in parameters.by_name[name].values:
            if not low <= v.value <= high:
                shown = (lambda x: f"{x * 100:.6g}%") if percent else (lambda x: f"{x:,.6g}")
                raise ParameterError(
                    f"must be from {shown(low)} to {shown(high)}; got {shown(v.value)} from {v.from_}",
                    file=parameters.file,
                    line=parameters.lines.get(name),
                    field=name,
                )


def _f(description: str, unit: str | None = None, **kw: Any) -> Any:
    extra = {"unit": unit} if unit else None
    return Field(description=description, json_schema_extra=extra, **kw)


class OptionBias(BaseModel):
    """The optimism bias on one option: its reference classes, evidence and uplifts, and the risks that displace it."""

    model_config = ConfigDict(frozen=True)

    nature: Nature = Field(description="What the option is, which picks its reference classes.")
    evidence: Evidence = Field(description="What its figures rest on, which mitigates the uplift.")
    mitigation: float = _f("How far the evidence moves the uplift from the upper bound to the lower.", "percent")
    one_off_class: str = Field(description="The reference class of its one-off costs.")
    duration_class: str | None = Field(description="The reference class of its time to service; none for the status quo.")
    one_off: float = _f("Uplift on one-off costs.", "percent")
    running: float = _f("Uplift on running costs.", "percent")
    duration: float = _f("Uplift on months to service.", "percent")
    amount: float = _f("What the uplifts add to the mean net present cost.", "pounds")
    risk_register: float = _f("Expected value of the option's costed risks (probability x impact).", "pounds")
    residual: float = _f("What is left of the uplift once the costed risks displace it: max(0, amount - risk_register).", "pounds")
    reason: str | None = Field(
        default=None, description="The case's evidence for its own uplifts; none when the rulebook's apply."
    )
    below_class_floor: list[str] = Field(
        default_factory=list, description="The uplifts the case sets below its reference class's lower bound."
    )
    floor_shortfall: float = _f("What the case's own uplifts take off the net present cost below the class lower bounds (mean).", "pounds")


class OptionMeasures(BaseModel):
    """Figures for one option (go alone, or the offer) on one service line, over the line's appraisal period."""

    model_config = ConfigDict(frozen=True)

    cost_per_seat: float = _f("Running cost per seat per year (likely), optimism bias included.", "pounds per seat")
    cost_per_seat_before_bias: float = _f("Running cost per seat per year (likely), before optimism bias.", "pounds per seat")
    annual_cost: Range = _f("Running cost per year for the line, optimism bias included.", "pounds")
    one_off_costs: Range = _f("One-off costs in year 0, optimism bias included.", "pounds")
    npc: Range = _f("Whole-life net present cost over the appraisal period, optimism bias or costed risks included.", "pounds")
    npc_mean: float = _f("Mean (expected) whole-life net present cost: the figure the comparison uses.", "pounds")
    npc_before_bias: Range = _f("Whole-life net present cost before optimism bias and costed risks.", "pounds")
    optimism_bias: float = _f("What optimism bias, or the costed risks that displace it, add to the mean net present cost.", "pounds")
    npc_per_seat_year: float = _f("Mean net present cost per seat per year of the appraisal period.", "pounds per seat")
    months_to_service: Range = _f("Months from the decision until the option is in service, optimism bias included.", "months")
    quality_score: float | None = _f("Mean quality score over the scored dimensions (0 to 5); unknown if none scored.", "score")
    bridging_cost: float = _f("Net present cost of the months after the line is needed before this option is in service (mean): the current service where it can lawfully run on and costs more, else the option's own running cost, so lateness never saves money.", "pounds")
    bridge_unlawful: bool = Field(description="True if the option is in service after the line is needed and the current contract cannot lawfully be extended to bridge the gap.")
    late_months: float = _f("Months after the date needed before the option is in service (mean, optimism bias included); 0 if in time.", "months")
    gap_unbridgeable: bool = Field(description="True if the option is late and nothing can lawfully cover the late months (no current service, or one that cannot lawfully be extended).")
    reprocurement_cost: float = _f("Net present cost of re-letting the contract at the end of each term within the period.", "pounds")
    committed_after_period: float = _f("Net present cost of the payments the first contract commits the body to after the need ends (to its term or first break), or its early exit charge if that is cheaper and stated.", "pounds")
    asset_life_years: int | None = _f("Years between refreshes of what the one-off costs buy; unknown if spent once.", "years")
    residual_value: float = _f("Net present value credited for assets outliving the appraisal period (straight line, a stated value, or none).", "pounds")
    exit_cost: float = _f("Net present cost of leaving or winding down at the end of the appraisal period.", "pounds")
    npc_spread: float = _f("Spread of the option's whole-life cost (high less low) as a share of its likely value.", "percent")
    optimism_bias_overridden: bool = Field(description="True if the case sets its own optimism bias uplift for this option instead of the rulebook's.")
    fails_minimum: bool = Field(description="True if the option scores below a must-have minimum on any quality dimension.")
    failed_minimums: str = Field(description="The quality dimensions on which the option is below its minimum, by name.")
    # A model, not a figure: the names catalogue skips it, so rules cannot read it; the briefing does.
    bias: OptionBias = Field(description="The optimism bias applied to this option, and why.")


class DimensionScores(BaseModel):
    """One quality dimension as both options score it (0 to 5), for the briefing's comparison."""

    model_config = ConfigDict(frozen=True)

    dimension: str = Field(description="The quality dimension, as the case file names it.")
    go_alone: float | None = _f("Going alone's score, if scored.", "score")
    offer: float | None = _f("The offer's score, if scored.", "score")
    weight: float = _f("Its weight in the value of quality.", "ratio")
    minimum: float | None = _f("The least an option must score on it, if a must-have.", "score")


class RequirementStatus(BaseModel):
    """One specific requirement and whether each option meets it, for the briefing's comparison."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The requirement, as the case file names it.")
    met: Met = Field(description="Whether the offer meets it: yes, partly or no.")
    met_by_go_alone: Met = Field(default="yes", description="Whether going alone meets it: yes, partly or no.")
    essential: bool = Field(description="True if the organisation cannot work without it.")
    note: str = Field(description="How it is met, or what is missing.")


class LineMeasures(BaseModel):
    """Figures for one service line, comparing its two options over one appraisal period."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The service line's name.")
    kind: ServiceKind = Field(description="What sort of service it is.")
    seats: int = _f("Seats the line serves.", "seats")
    appraisal_years: int = _f("Years appraised: how long the service is needed, the same for both options.", "years")
    seat_years: int = _f("Seats times years appraised: the scale of the decision, for margins stated per seat per year.", "count")
    appraisal_years_stated: bool = Field(description="True if the case states how long the line is needed (the need ends with the period); else the rulebook's default period applies and the need runs on.")
    contract_years: int = _f("The offer's contract term, re-let at its end within the appraisal period.", "years")
    months_to_need: float = _f("Months from the decision date to the date the line is needed by.", "months")
    need_by: dt.date = Field(description="The date the line is needed by.")
    urgency_self_caused: bool = Field(description="True if the case says the organisation's own acts or delay made the date tight.")
    go_alone: OptionMeasures = Field(description="Going alone.")
    offer: OptionMeasures = Field(description="The shared offer.")
    npc_ratio: Range | None = _f("Going alone's whole-life cost as a share of the offer's (1 is equal; above 1 the offer is cheaper).", "ratio")
    saving_by_joining: float = _f("Mean net present cost of going alone less that of the offer (positive: joining saves).", "pounds")
    quality_value: float = _f("Going alone's advantage in the weighted mean quality score, in pounds per point per seat-year from the date needed to the end of the period, discounted (negative: the offer is better).", "pounds")
    go_alone_advantage: float = _f("Value for money of going alone over the offer: the offer's mean net present cost less going alone's, plus the value of quality (positive favours going alone).", "pounds")
    go_alone_advantage_share: float = _f("Going alone's advantage as a share of the offer's mean net present cost (0 if the offer costs nothing and there is no advantage).", "percent")
    go_alone_advantage_low: float = _f("Going alone's advantage at its least: going alone at its high cost, the offer at its low.", "pounds")
    margin_to_clear: float = _f(
        "What going alone's advantage must exceed to rebut the presumption to join: the rule owners' margin a seat a "
        "year over the seat-years appraised, plus the pool's social saving as far as they weigh it.", "pounds",
    )
    go_alone_advantage_high: float = _f("Going alone's advantage at its most: going alone at its low cost, the offer at its high.", "pounds")
    quality_gap: float | None = _f("Going alone's mean quality score less the offer's (positive: going alone is better).", "score")
    dimensions_go_alone_better: int = _f("Quality dimensions on which going alone scores higher.", "count")
    dimensions_offer_better: int = _f("Quality dimensions on which the offer scores higher.", "count")
    quality_dimensions: int = _f("Quality dimensions scored for both options.", "count")
    requirements: int = _f("Specific requirements listed.", "count")
    requirements_met: int = _f("Requirements the offer meets.", "count")
    requirements_partly_met: int = _f("Requirements the offer meets in part.", "count")
    requirements_unmet: int = _f("Requirements the offer does not meet.", "count")
    essential_requirements_unmet: int = _f("Essential requirements the offer does not meet, its accreditation included.", "count")
    essential_requirements_unmet_by_go_alone: int = _f("Essential requirements going alone does not meet.", "count")
    essential_requirements_unmet_by_neither: int = _f("Essential requirements neither option meets.", "count")
    essential_requirements_unmet_by_offer_only: int = _f("Essential requirements the offer does not meet and going alone does.", "count")
    essential_requirements_unmet_by_go_alone_only: int = _f("Essential requirements going alone does not meet and the offer does.", "count")
    cost_to_meet_unmet: float = _f("What meeting the offer's unmet requirements another way would cost, where the case says.", "pounds")
    marking_above_accreditation: bool = Field(description="True if the case's protective marking is above what the offer is accredited for.")
    go_alone_marking_above_accreditation: bool = Field(description="True if the case's protective marking is above what going alone states it would be accredited for.")
    go_alone_accreditation_unknown: bool = Field(description="True if the case does not say what going alone would be accredited for.")
    unmet_requirements: str = Field(description="The requirements the offer does not meet, by name.")
    unmet_essential_requirements: str = Field(description="The essential requirements the offer does not meet, by name.")
    essential_requirements_unmet_by_neither_names: str = Field(description="The essential requirements neither option meets, by name.")
    essential_requirements_unmet_by_go_alone_only_names: str = Field(description="The essential requirements going alone does not meet and the offer does, by name.")
    partly_met_requirements: str = Field(description="The requirements the offer meets in part, by name.")
    peers_known: int = _f("Peer prices given.", "count")
    peer_median_price: float | None = _f("Median price per seat per year that peers pay.", "pounds per seat")
    discount_on_peer_price: float | None = _f("How far the offer's price is below the peer median (negative: above it).", "percent")
    price_per_seat: float = _f("The offer's likely price per seat per year once this line joins, as quoted (before optimism bias).", "pounds per seat")
    pool_seats_after_joining: int = _f("The pool's total seats once this line joins.", "seats")
    price_before_joining: float = _f("The offer's likely price per seat at the pool's size before this organisation joins.", "pounds per seat")
    price_drop_from_joining: float = _f("How much this organisation's joining lowers the price for every member.", "percent")
    pool_saving: float = _f("What this organisation's joining saves the other members whose contracts pass the price through, over their remaining terms, discounted: a saving to the Exchequer.", "pounds")
    pool_social_saving: float = _f("The share of the pool saving that is a real saving of resources (economies of scale), not a transfer from the supplier.", "pounds")
    draws: int = _f("Draws of the case's ranges behind the shares below (issue 11's confidence); 0 when not drawn.", "count")
    go_alone_share: float | None = _f(
        "Share of the draws of the case's ranges in which the line goes alone; unknown when the ranges were not "
        "drawn (then the expected figures and the ends of their ranges decide).", "percent",
    )
    refer_share: float | None = _f(
        "Share of the draws of the case's ranges in which the line is referred; unknown when not drawn.", "percent",
    )
    ahead_share: float | None = _f(
        "Share of the draws in which going alone's advantage clears the margin to clear (whatever the verdict of "
        "the draw); unknown when not drawn.", "percent",
    )
    referred_by: str | None = Field(
        default=None, description="What referred the line in the draws that refer it, commonest first (rule titles); "
                                  "unknown when not drawn or no draw refers it.",
    )
    information_value: float | None = _f(
        "What knowing the line's most telling uncertain figure exactly would be worth to the decision: its expected "
        "value of partial perfect information, in pounds; unknown when the ranges were not drawn.", "pounds",
    )
    firm_up_first: str | None = Field(
        default=None, description="That figure, in words; unknown when the ranges were not drawn or no figure is worth anything.",
    )
    cost_to_firm_up: float | None = _f(
        "What the case says firming up one uncertain figure would cost (a firm quote, a survey); unknown if it does "
        "not say.", "pounds",
    )
    exit_terms_stated: bool = Field(description="True if the offer states its exit terms.")
    break_after_years: float | None = _f("Years after which the organisation may leave without penalty.", "years")
    data_returned_on_exit: bool = Field(description="True if the supplier must return data in an open format on exit.")
    exit_cost: float = _f("The offer's cost of leaving.", "pounds")
    cost_uncertainty: float = _f("Spread of going alone's whole-life cost (high less low) as a share of its likely value.", "percent")
    offer_cost_uncertainty: float = _f("Spread of the offer's whole-life cost (high less low) as a share of its likely value, measured as going alone's is.", "percent")
    cost_comparison_uncertain: bool = Field(description="True if the cost ratio's range runs from below 1 to above 1: the estimates cannot say which option is cheaper.")
    # Lists, not figures: the names catalogue skips them, so rules cannot read them; the briefing does.
    quality_by_dimension: list[DimensionScores] = Field(
        default_factory=list, description="Each quality dimension scored, with both options' scores, in case-file order."
    )
    requirement_status: list[RequirementStatus] = Field(
        default_factory=list, description="Each specific requirement and whether each option meets it, in case-file order."
    )


class Measures(BaseModel):
    """Every figure for a case, per service line and overall."""

    model_config = ConfigDict(frozen=True)

    lines: list[LineMeasures] = Field(description="Per service line, in case-file order.")
    seats: int = _f("The organisation's seats.", "seats")
    go_alone_npc: float = _f("Mean whole-life net present cost of going alone on every line.", "pounds")
    offer_npc: float = _f("Mean whole-life net present cost of joining on every line.", "pounds")
    parameters: dict[str, InForce] = Field(description="The parameters in force on the decision date.")


def discount_factors(rate: float, years: int) -> list[float]:
    """Green Book discount factors 1/(1+r)^t for t = 0..years (year 0 undiscounted)."""
    return [1.0 / (1.0 + rate) ** t for t in range(years + 1)]


def net_present_cost(one_off: float, annual: float, rate: float, years: int, final: float = 0.0) -> float:
    """One-off cost in year 0, `annual` in years 1..years, `final` at the end, discounted."""
    factors = discount_factors(rate, years)
    return one_off + annual * sum(factors[1:]) + final * factors[-1]


def price_at(offer: Offer, pool_seats: int) -> Range | None:
    """The offer's price per seat for a pool of `pool_seats`; None below its lowest tier (it has no price there)."""
    if offer.price_per_seat is not None:
        return offer.price_per_seat
    applicable = [t for t in offer.price_tiers if t.min_pool_seats <= pool_seats]
    if not applicable:
        return None
    return Range.exactly(max(applicable, key=lambda t: t.min_pool_seats).price_per_seat)


class Period:
    """One appraisal period: its discount factors and the real value of a pound of each option's prices.

    Shared by every measurement with the same figures (see appraisal_period()) and never changed, so
    what it works out for an option's price basis is kept for the next draw of the case.
    """

    def __init__(self, years: int, rate: float, deflator: float, base_shift: int):
        self.years = years
        self.rate = rate
        self.factors = discount_factors(rate, years)
        self.annual_factors = self.factors[1:]  # years 1..N, where annual amounts fall
        self.deflator = deflator
        self.base_shift = base_shift
        self._indices: dict[tuple[Any, ...], tuple[float, ...]] = {}

    def in_service(self, months: float) -> list[float]:
        """Share of each year t = 1..N the option is in service, once it starts `months` after the decision."""
        start = months / 12
        # min(1.0, max(0.0, t - start)), written out: worked for every option at every point of every draw.
        return [1.0 if (x := t - start) >= 1.0 else x if x > 0.0 else 0.0 for t in range(1, self.years + 1)]

    def price_index(self, basis: PriceBasis, term: int | None, years: range | None = None) -> tuple[float, ...]:
        """Real value in each year (t = 1..N unless `years`) of a pound of the option's annual price.

        A price fixed in cash or indexed holds for its contract's term only: each re-letting resets it
        to the same real price, so the deflation restarts (Green Book 2018 paras 5.11-5.12; re-letting at
        the same real price is the rule owners' judgement, appraisal-model.md section 3). The first
        letting runs from the price base year.
        """
        key = (basis.kind, basis.rate, term, years)
        found = self._indices.get(key)
        if found is None:
            found = self._indices[key] = self._price_index(basis.kind, basis.rate, term, years)
        return found

    def _price_index(self, kind: str, rate: float, term: int | None, years: range | None) -> tuple[float, ...]:
        growth = {"real": 1.0 + self.deflator, "cash_fixed": 1.0, "indexed": 1.0 + rate}[kind]
        step = growth / (1 + self.deflator)

        def since_letting(t: int) -> int:
            start = (t - 1) // term * term if term and t <= self.years else 0
            return t - start + (self.base_shift if start == 0 else 0)

        return tuple(step ** since_letting(t) for t in (years or range(1, self.years + 1)))

    def every(self, cycle: int | None) -> list[int]:
        """Years 0, cycle, 2 x cycle, ... within the period (just year 0 without a cycle)."""
        return list(range(0, self.years, cycle)) if cycle else [0]

    def annual(self, amounts: list[float]) -> float:
        """Present value of amounts paid at the end of years 1..N."""
        return sum(a * f for a, f in zip(amounts, self.annual_factors))

    def undiscounted(self) -> "Period":
        """The same period with every year's factor 1: what its costs come to in pounds, undiscounted."""
        return Period(self.years, 0.0, self.deflator, self.base_shift)

    def factor(self, t: float) -> float:
        """The discount factor of year t, within the period or after it."""
        return 1.0 / (1.0 + self.rate) ** t


@functools.lru_cache(maxsize=256)
def _period(years: int, rate: float, deflator: float, base_shift: int) -> Period:
    return Period(years, rate, deflator, base_shift)


def appraisal_period(years: int, params: dict[str, InForce], base_shift: int) -> Period:
    """The appraisal period for these figures: made once, then shared (a case's draws all use the same)."""
    return _period(years, params["discount_rate"].value, params["gdp_deflator"].value, base_shift)


class Point(NamedTuple):
    """One option's inputs at one point of their ranges (low, likely, high or mean): equal points cost the same."""

    one_off: float
    running: float
    months: float
    management: float
    transition: float
    bau: float


def _by_point(points: dict[str, Point], cost: Any) -> dict[str, dict[str, float]]:
    """`cost` at each point, worked once per distinct point: a figure without a range has all four the same."""
    worked: dict[Point, dict[str, float]] = {}
    return {k: worked[p] if p in worked else worked.setdefault(p, cost(p)) for k, p in points.items()}


def _points(option: Option, one_off: Range, running: Range, bau: Range, ranges: Ranges) -> dict[str, Point]:
    """The option's inputs at low, likely, high (the distribution's ends) and mean."""
    rs = (one_off, running, option.procurement_months, option.contract_management_cost, option.transition_cost, bau)
    ends = [extremes(r, ranges) for r in rs]
    return {
        "low": Point(*[r.low for r in ends]),
        "likely": Point(*[r.likely for r in ends]),
        "high": Point(*[r.high for r in ends]),
        "mean": Point(*[mean(r, ranges) for r in rs]),
    }


# Each reference class's parameters: its upper and its lower bound.
_BOUNDS = {stem: (f"optimism_bias_{stem}", f"optimism_bias_{stem}_lower") for stem in _CLASS_LABEL}


def _by_class(nature: Nature, mitigation: float, params: dict[str, InForce], bound: str) -> tuple[float, float, float]:
    """(one-off, running, duration) uplifts of the option's reference classes at a bound: 'mitigated' or 'lower'."""
    def one(stem: str | None) -> float:
        if stem is None:
            return 0.0
        upper, lower = (params[name].value for name in _BOUNDS[stem])
        return lower if bound == "lower" else lower + (upper - lower) * (1 - mitigation)

    return one(_ONE_OFF_CLASS[nature]), one("operating_cost"), one(_DURATION_CLASS[nature])


_OWN_KINDS = ("capital_cost", "operating_cost", "duration")


@dataclass(frozen=True)
class Uplifts:
    """An option's optimism bias: the uplifts applied, its classes' lower bounds, and its own set below them."""

    mitigation: float  # how far its evidence moves the uplift from the upper bound to the lower
    one_off: float
    running: float
    duration: float
    lower: tuple[float, float, float]  # (one-off, running, duration) at its classes' lower bounds
    below_floor: list[str]  # the kinds of uplift the case sets below those (Green Book 2018 para 5.44)


def _uplifts(nature: Nature, evidence: Evidence, own: OptimismBias | None, params: dict[str, InForce]) -> Uplifts:
    """The uplifts of an option of this nature and evidence: the case's own where it gives evidence, else by class."""
    mitigation = params[_MITIGATION[evidence]].value
    by_class = _by_class(nature, mitigation, params, "mitigated")
    lower = _by_class(nature, mitigation, params, "lower")
    picked = [
        v if (v := getattr(own, kind) if own else None) is not None else default
        for kind, default in zip(_OWN_KINDS, by_class)
    ]
    below = [k for k, floor in zip(_OWN_KINDS, lower)
             if own and getattr(own, k) is not None and getattr(own, k) < floor]
    return Uplifts(mitigation, *picked, lower, below)


class OptionFlows:
    """What one option costs over the period, apart from its figures' uplift: the parts each point shares.

    Everything that does not depend on the point (low, likely, high, mean) or the uplift is
    discounted once here: each option is costed at several points, on every decision and draw.

    Time is read from the date needed (monotone in time, and the same for both options): the
    months before it are common to both (the current service, or nothing for a new body), so
    neither gains from arriving earlier than needed; from it, an option in service pays its own
    running cost, and one not yet in service pays for each late month the higher of the current
    service (where it can lawfully run on) and its own running cost, so lateness never saves money.
    A late month nothing can lawfully cover is priced at the option's own cost, never at an
    unlawful bridge, and measured (late_months, gap_unbridgeable) for the rules.
    """

    def __init__(self, basis: PriceBasis, residual: Residual | None, asset_life: int | None, early_exit: float | None,
                 relet: tuple[int, float] | None, exit_cost: float, break_years: float | None, at: "Setting"):
        period = at.period
        self.period, self.basis, self.residual, self.asset_life = period, basis, residual, asset_life
        self.lawful_bridge = bool(at.bau and at.bau.can_extend)
        self.months_to_need = at.months_to_need
        self.need = period.in_service(at.months_to_need)
        years = period.factors[1:]
        term = relet[0] if relet else None
        self.index = period.price_index(basis, term)
        self.before_need = sum((1 - n) * f for n, f in zip(self.need, years))
        # One-off costs, repeated on the asset life within the period (Green Book 2018 para 5.14).
        self.one_off_factor = sum(period.factors[t] for t in period.every(asset_life))
        self.residual_factor, self.residual_stated = self._residual(at.need_ends)
        self.relets = self._relets(relet)
        self.exit = exit_cost * period.factors[-1]
        self.tail = self._tail(term, break_years, at.need_ends)
        self.early_exit = early_exit

    def _residual(self, need_ends: bool) -> tuple[float, float]:
        """(share of the last purchase credited at year N, discounted; a stated value, discounted).

        Green Book 2018 paras 5.14 and 6.11 count the value an asset would fetch "from its sale, lease
        or alternative use". Straight line is the rule owners' proxy for an asset still in use; where
        the need ends with the period it is nil unless the case states what the asset would fetch.
        """
        basis = self.residual or ("none" if need_ends else "straight_line")
        end = self.period.factors[-1]
        if isinstance(basis, ResidualValue):
            return 0.0, basis.value * end
        life = self.asset_life
        if basis == "none" or not life:
            return 0.0, 0.0
        last = self.period.every(life)[-1]
        return (life - (self.period.years - last)) / life * end, 0.0

    def _relets(self, relet: tuple[int, float] | None) -> float:
        """Re-letting the contract at the end of each term within the period."""
        if not relet:
            return 0.0
        term, cost = relet
        return cost * sum(self.period.factors[t] for t in range(term, self.period.years, term))

    def _tail(self, term: int | None, break_years: float | None, need_ends: bool) -> list[tuple[float, float, float]]:
        """(share of the year, real price index, discount factor) for each year the first contract commits
        the body to after the need ends: to its term or first break (Green Book 2018 para 5.14, costs over
        the intervention's lifetime). Later lettings are the body's own choice, let to fit the need."""
        if not (need_ends and term):
            return []
        end = min(term, break_years) if break_years is not None else term
        n = self.period.years
        years = range(n + 1, math.ceil(end) + 1)
        index = self.period.price_index(self.basis, None, years)
        return [(min(1.0, end - (t - 1)), i, self.period.factor(t)) for t, i in zip(years, index)]

    def npc(self, p: Point, one_off_up: float, running_up: float, duration_up: float) -> dict[str, float]:
        """Net present cost at one point with the given uplifts, and its parts."""
        years = self.period.annual_factors
        active = self.period.in_service(max(p.months * (1 + duration_up), self.months_to_need))
        up = 1 + running_up
        running, management = p.running, p.management
        own = [(running * i + management) * up for i in self.index]
        bau = p.bau
        # max(bau, o) written out (the same choice, ties to bau), and lists, not generators, for sum():
        # npc runs for every point of every option of every decision.
        late_rate = [o if o > bau else bau for o in own] if self.lawful_bridge else own
        one_off = p.one_off * (1 + one_off_up)
        committed = sum([s * (running * i + management) * up * f for s, i, f in self.tail])
        if self.early_exit is not None:
            committed = min(committed, self.early_exit * self.period.factors[-1])
        parts = {
            "one_off": one_off * self.one_off_factor + p.transition * (1 + one_off_up),
            "before_need": p.bau * self.before_need,
            "running": sum([a * o * f for a, o, f in zip(active, own, years)]),
            "bridging": sum([(n - a) * r * f for n, a, r, f in zip(self.need, active, late_rate, years)]),
            "reprocurement": self.relets,
            "committed": committed,
            "exit": self.exit,
        }
        residual = one_off * self.residual_factor + self.residual_stated
        parts["total"] = sum(parts.values()) - residual
        parts["residual"] = residual
        return parts


@dataclass(frozen=True)
class Side:
    """One option's figures as the appraisal reads them: the same for either side."""

    option: Option
    one_off: Range
    running: Range
    exit_cost: float
    relet: tuple[int, float] | None = None  # (term in years, cost of each re-letting), for an option that is a contract
    break_years: float | None = None  # the first break, if the contract has one


@dataclass(frozen=True)
class Setting:
    """What both options of a line are measured against: all that measuring an option reads of its line and case.

    Only that, so that an option's measures are a part (engine.reuse) of exactly these and its own figures.
    """

    bau: BusinessAsUsual | None  # the current service, if any
    dimensions: dict[str, QualityDimension]  # the line's quality dimensions: their minimums
    ranges: Ranges  # how the case's ranges are read
    period: Period
    params: dict[str, InForce]
    seats: int
    months_to_need: float
    need_ends: bool  # the case states how long the line is needed: nothing is needed after the period


def _register(option: Option, flows: OptionFlows, spread: float) -> float:
    """Present value of the costed risks: each at its stated year, else spread like the option's own costs."""
    return sum(
        r.probability * r.impact * (flows.period.factor(r.year) if r.year is not None else spread)
        for r in option.risk_register
    )


def _flows(side: Side, at: Setting, part: Part = each_time) -> OptionFlows:
    """The option's flows, from what they read of it: its figures aside, so the same for every draw of those."""
    o = side.option
    return part(OptionFlows, o.price_basis, o.residual, o.asset_life_years, o.early_exit_cost, side.relet,
                side.exit_cost, side.break_years, at)


def _spread(side: Side, at: Setting, p: Point) -> float:
    """How the option's own costs fall over time: their present value per undiscounted pound (1 if none)."""
    keys = ("one_off", "running", "bridging")
    present = _flows(side, at).npc(p, 0.0, 0.0, 0.0)
    flat = _flows(side, replace(at, period=at.period.undiscounted())).npc(p, 0.0, 0.0, 0.0)
    total = sum(flat[k] for k in keys)
    return sum(present[k] for k in keys) / total if total > 0 else 1.0


# The current service's cost where there is none (a new body): one range, shared.
_NOTHING = Range.exactly(0.0)


def measure_option(side: Side, at: Setting, part: Part = each_time) -> OptionMeasures:
    """One option over the period: each point's cost with and without bias, the register's displacement, the parts."""
    option, one_off, running, period, params, seats = side.option, side.one_off, side.running, at.period, at.params, at.seats
    bau = at.bau
    points = _points(option, one_off, running, bau.annual_cost if bau else _NOTHING, at.ranges)
    up = part(_uplifts, option.nature, option.evidence, option.optimism_bias, params)
    mitigation, up_one_off, up_running, up_duration = up.mitigation, up.one_off, up.running, up.duration
    flows = _flows(side, at, part)
    biased = _by_point(points, lambda p: flows.npc(p, up_one_off, up_running, up_duration))
    raw = _by_point(points, lambda p: flows.npc(p, 0.0, 0.0, 0.0))
    register = _register(option, flows, _spread(side, at, points["mean"])) if option.risk_register else 0.0
    # Costed risks displace the generic uplift as far as they go, never more: base + max(OB, register).
    total = {k: raw[k]["total"] + max(biased[k]["total"] - raw[k]["total"], register) for k in points}
    amount = biased["mean"]["total"] - raw["mean"]["total"]
    floor = flows.npc(points["mean"], *up.lower)["total"] - raw["mean"]["total"]
    months_mean = points["mean"].months * (1 + up_duration)
    late = max(0.0, months_mean - at.months_to_need)
    fails = _failed_minimums(option, at.dimensions)
    return OptionMeasures(
        cost_per_seat=running.likely * (1 + up_running) / seats,
        cost_per_seat_before_bias=running.likely / seats,
        annual_cost=running.scaled(1 + up_running),
        one_off_costs=one_off.scaled(1 + up_one_off),
        npc=_ordered(total),
        npc_mean=total["mean"],
        npc_before_bias=_ordered({k: v["total"] for k, v in raw.items()}),
        optimism_bias=total["mean"] - raw["mean"]["total"],
        npc_per_seat_year=total["mean"] / seats / period.years,
        months_to_service=option.procurement_months.scaled(1 + up_duration),
        quality_score=_mean(option.quality),
        bridging_cost=biased["mean"]["bridging"],
        bridge_unlawful=bool(bau and not bau.can_extend and late > 0),
        late_months=late,
        gap_unbridgeable=late > 0 and not flows.lawful_bridge,
        reprocurement_cost=biased["mean"]["reprocurement"],
        committed_after_period=biased["mean"]["committed"],
        asset_life_years=option.asset_life_years,
        residual_value=biased["mean"]["residual"],
        exit_cost=biased["mean"]["exit"],
        npc_spread=(total["high"] - total["low"]) / total["likely"] if total["likely"] else 0.0,
        optimism_bias_overridden=option.optimism_bias is not None,
        fails_minimum=bool(fails),
        failed_minimums=", ".join(fails),
        bias=OptionBias(
            nature=option.nature,
            evidence=option.evidence,
            mitigation=mitigation,
            one_off_class=_CLASS_LABEL[_ONE_OFF_CLASS[option.nature]],
            duration_class=_CLASS_LABEL.get(_DURATION_CLASS[option.nature] or ""),
            one_off=up_one_off,
            running=up_running,
            duration=up_duration,
            amount=amount,
            risk_register=register,
            residual=max(0.0, amount - register),
            reason=option.optimism_bias.reason if option.optimism_bias else None,
            below_class_floor=up.below_floor,
            floor_shortfall=max(0.0, floor - amount),
        ),
    )


def _ordered(points: dict[str, float]) -> Range:
    """A range from point costs; later service can lower a point's cost (less running, more bridging), so re-ordered."""
    ends = (points["low"], points["likely"], points["high"])
    return Range.derived(min(ends), points["likely"], max(ends))


def _failed_minimums(option: Option, dimensions: dict[str, QualityDimension]) -> list[str]:
    """The dimensions on which the option scores below the minimum: a stated one, else any score of 0
    (absent), which no must-have list needs to name; a case that accepts it states minimum 0."""
    def fails(d: str, score: float) -> bool:
        spec = dimensions.get(d)
        return score < spec.minimum if spec and spec.minimum is not None else score == 0
    return [d for d, score in option.quality.items() if fails(d, score)]


def _mean(scores: dict[str, float]) -> float | None:
    return sum(scores.values()) / len(scores) if scores else None


def _ratio(a: Range, b: Range) -> Range | None:
    if b.low <= 0:
        return None
    return Range.derived(a.low / b.high, a.likely / b.likely, a.high / b.low)


def _go_alone(go: GoAlone, at: Setting, part: Part) -> OptionMeasures:
    """Going alone over the period: its own costs, contract and exit."""
    return measure_option(
        Side(go, go.one_off_costs, go.annual_running_cost, go.exit_cost,
             _relet(go, go.contract_years, at.params), go.break_after_years),
        at,
        part,
    )


def _offer(deal: Offer, price: Range, at: Setting, part: Part) -> OptionMeasures:
    """The offer over the period: its price per seat once the line joins, for the line's seats."""
    return measure_option(
        Side(deal, deal.onboarding_cost, price.scaled(at.seats), deal.exit_terms.exit_cost,
             _relet(deal, deal.contract_years, at.params), deal.exit_terms.break_after_years),
        at,
        part,
    )


def measure_line(line: ServiceLine, case: Case, params: dict[str, InForce], part: Part = each_time) -> LineMeasures:
    """Measure one service line: each option over one appraisal period, then the two side by side.

    Each part of it that reads only some of the line is worked out by `part` (engine.reuse).
    """
    seats = line.seats or case.organisation.seats
    years = line.appraisal_years or int(params["appraisal_period_years"].value)
    base_year = case.price_base_year or case.decision_date.year
    period = appraisal_period(years, params, case.decision_date.year - base_year)
    timing = _timing(line, case)
    # The price after joining: this line's seats join the pool and may reach a cheaper tier.
    price = part(price_at, line.offer, line.offer.pool_seats + seats)
    if price is None:  # Case.problems refuses this; measuring an unchecked case must not price it at a tier
        raise ValueError(f"service line '{line.name}': the pool is below the offer's lowest price tier")
    at = part(Setting, line.business_as_usual, line.quality_dimensions, case.ranges, period, params, seats,
              timing["months_to_need"], line.appraisal_years is not None)
    go, deal = line.go_alone, line.offer
    go_alone = part(_go_alone, go, at, part)
    offer = part(_offer, deal, price, at, part)
    quality = part(_quality_value, go.quality, deal.quality, line.quality_dimensions, seats, period, params,
                   timing["months_to_need"])
    return LineMeasures(
        name=line.name,
        kind=line.kind,
        seats=seats,
        appraisal_years=years,
        seat_years=seats * years,
        appraisal_years_stated=line.appraisal_years is not None,
        contract_years=line.offer.contract_years,
        go_alone=go_alone,
        offer=offer,
        quality_value=quality,
        # Undrawn: engine.analysis fills in the shares and the value of information from the draws.
        draws=0,
        go_alone_share=None,
        refer_share=None,
        ahead_share=None,
        referred_by=None,
        information_value=None,
        firm_up_first=None,
        cost_to_firm_up=case.cost_to_firm_up,
        **timing,
        **_cost_comparison(go_alone, offer, quality),
        **part(_quality_comparison, go.quality, deal.quality, line.quality_dimensions, go_alone.quality_score,
               offer.quality_score),
        **part(_requirement_figures, line.requirements, case.organisation.protective_marking, deal.accredited_marking,
               go.accredited_marking),
        **part(_price_figures, deal, line.peer_prices, seats, price, period, params),
        **_exit_figures(line.offer.exit_terms),
    )


def _relet(option: Option, term: int | None, params: dict[str, InForce]) -> tuple[int, float] | None:
    """(term, cost of each re-letting) for an option that is a contract with a term, on either side alike."""
    if term is None:
        return None
    cost = params["reprocurement_cost"].value if option.reprocurement_cost is None else option.reprocurement_cost
    return term, cost


def _quality_value(go_q: dict[str, float], offer_q: dict[str, float], dimensions: dict[str, QualityDimension],
                   seats: int, period: Period, params: dict[str, InForce], months_to_need: float) -> float:
    """Going alone's lead in the weighted mean score x rate x seats, per year from the date needed, discounted.

    The rate is per point of the weighted mean (weights normalised, as in price per quality point
    scoring: Cabinet Office Bid Evaluation Guidance Note, May 2021, s.7.3), so listing the same
    criteria twice does not double it. It runs from the date needed for both options alike, so a
    later option neither gains nor loses quality value by being late: lateness is weighed as time.
    """
    weights = {d: dimensions[d].weight if d in dimensions else 1.0 for d in set(go_q) & set(offer_q)}
    total = sum(weights.values())
    if not total:
        return 0.0
    points = sum(w * (go_q[d] - offer_q[d]) for d, w in weights.items()) / total
    years = period.annual(period.in_service(months_to_need))
    return points * params["quality_value_per_point_per_seat_year"].value * seats * years


def _share(amount: float, of: float) -> float:
    """`amount` as a share of `of`; a free offer has no share, so any advantage counts in full (as +/-100%)."""
    if of > 0:
        return amount / of
    return math.copysign(1.0, amount) if amount else 0.0


def _timing(line: ServiceLine, case: Case) -> dict[str, Any]:
    """When the line is needed, and how many months from the decision that is."""
    need_by = line.need_by or case.need_by
    return {
        "need_by": need_by,
        "months_to_need": (need_by - case.decision_date).days / DAYS_PER_MONTH,
        "urgency_self_caused": case.urgency_self_caused,
    }


def _cost_comparison(go: OptionMeasures, offer: OptionMeasures, quality: float) -> dict[str, Any]:
    """Going alone's whole-life cost against the offer's, its value for money in pounds, and how sure we can be."""
    ratio = _ratio(go.npc, offer.npc)
    advantage = offer.npc_mean - go.npc_mean + quality
    return {
        "npc_ratio": ratio,
        "saving_by_joining": go.npc_mean - offer.npc_mean,
        "go_alone_advantage": advantage,
        "go_alone_advantage_share": _share(advantage, offer.npc_mean),
        "go_alone_advantage_low": offer.npc.low - go.npc.high + quality,
        "go_alone_advantage_high": offer.npc.high - go.npc.low + quality,
        "cost_uncertainty": go.npc_spread,
        "offer_cost_uncertainty": offer.npc_spread,
        "cost_comparison_uncertain": ratio is not None and ratio.low < 1 < ratio.high,
    }


def _quality_comparison(go_scores: dict[str, float], offer_scores: dict[str, float], spec: dict[str, QualityDimension],
                        go_score: float | None, offer_score: float | None) -> dict[str, Any]:
    """The quality gap between the options' scores, and dimension by dimension which option scores higher."""
    dims = sorted(set(go_scores) & set(offer_scores))
    return {
        "quality_gap": go_score - offer_score if go_score is not None and offer_score is not None else None,
        "dimensions_go_alone_better": sum(go_scores[d] > offer_scores[d] for d in dims),
        "dimensions_offer_better": sum(go_scores[d] < offer_scores[d] for d in dims),
        "quality_dimensions": len(dims),
        "quality_by_dimension": [
            DimensionScores(
                dimension=d, go_alone=go_scores.get(d), offer=offer_scores.get(d),
                weight=spec[d].weight if d in spec else 1.0, minimum=spec[d].minimum if d in spec else None,
            )
            for d in dict.fromkeys([*go_scores, *offer_scores])
        ],
    }


def _requirement_figures(reqs: list[Requirement], marking: str, accredited: str, go_accredited: str | None) -> dict[str, Any]:
    """Which specific requirements each option meets, in part or not at all; a marking above accreditation is one,
    on either option alike (going alone's accreditation unknown is measured, not assumed)."""
    unmet = [r for r in reqs if r.met == "no"]
    partly = [r for r in reqs if r.met == "partly"]
    above = MARKING_RANK[marking] > MARKING_RANK[accredited]
    go_above = go_accredited is not None and MARKING_RANK[marking] > MARKING_RANK[go_accredited]
    accreditation = f"accreditation for {marking}"
    offer_misses = [r.name for r in unmet if r.essential] + ([accreditation] if above else [])
    go_misses = [r.name for r in reqs if r.essential and r.met_by_go_alone == "no"] + ([accreditation] if go_above else [])
    neither = [name for name in go_misses if name in offer_misses]
    return {
        "requirements": len(reqs),
        "requirements_met": sum(r.met == "yes" for r in reqs),
        "requirements_partly_met": len(partly),
        "requirements_unmet": len(unmet),
        "essential_requirements_unmet": len(offer_misses),
        "essential_requirements_unmet_by_go_alone": len(go_misses),
        "essential_requirements_unmet_by_neither": len(neither),
        "essential_requirements_unmet_by_offer_only": len(offer_misses) - len(neither),
        "essential_requirements_unmet_by_go_alone_only": len(go_misses) - len(neither),
        "essential_requirements_unmet_by_go_alone_only_names": ", ".join(name for name in go_misses if name not in offer_misses),
        "cost_to_meet_unmet": sum(r.cost_to_meet_otherwise or 0.0 for r in unmet),
        "marking_above_accreditation": above,
        "go_alone_marking_above_accreditation": go_above,
        "go_alone_accreditation_unknown": go_accredited is None,
        "unmet_requirements": ", ".join(r.name for r in unmet),
        "unmet_essential_requirements": ", ".join(offer_misses),
        "essential_requirements_unmet_by_neither_names": ", ".join(neither),
        "partly_met_requirements": ", ".join(r.name for r in partly),
        "requirement_status": [
            RequirementStatus(name=r.name, met=r.met, met_by_go_alone=r.met_by_go_alone, essential=r.essential, note=r.note)
            for r in reqs
        ],
    }


def _price_figures(
    offer: Offer, peer_prices: list[PeerPrice], seats: int, price: Range, period: Period, params: dict[str, InForce]
) -> dict[str, Any]:
    """The price after joining against what peers pay, and what this line's joining saves the rest of the pool."""
    peers = [p.price_per_seat for p in peer_prices]
    median = statistics.median(peers) if peers else None
    before_range = price_at(offer, offer.pool_seats)
    # Below the lowest tier the pool has no price without this line: nothing for others to save.
    before = before_range.likely if before_range is not None else price.likely
    saving = _pool_saving(offer, before - price.likely, period)
    social = saving * params["pool_scale_share"].value
    return {
        "peers_known": len(peers),
        "peer_median_price": median,
        "discount_on_peer_price": (median - price.likely) / median if median else None,
        "price_per_seat": price.likely,
        "pool_seats_after_joining": offer.pool_seats + seats,
        "price_before_joining": before,
        "price_drop_from_joining": (before - price.likely) / before if before else 0.0,
        "pool_saving": saving,
        "pool_social_saving": social,
        # The presumption's hurdle in pounds, here once: the Suffolk rules compare with it and the value of
        # information is reckoned from it (engine.analysis), so both read the decision where it is made.
        "margin_to_clear": params["go_alone_margin"].value * seats * period.years
        + params["pool_weight_in_verdict"].value * social,
    }


def _pool_saving(offer: Offer, drop: float, period: Period) -> float:
    """The tier drop x the seats of members passing it through, over their remaining years in the period, discounted."""
    total = 0.0
    for member in offer.pool_members:
        if member.pass_through:
            share = [min(1.0, max(0.0, member.remaining_years - (t - 1))) for t in range(1, period.years + 1)]
            total += drop * member.seats * period.annual(share)
    return total


def _exit_figures(terms: ExitTerms) -> dict[str, Any]:
    """What leaving the offer would take."""
    return {
        "exit_terms_stated": terms.stated,
        "break_after_years": terms.break_after_years,
        "data_returned_on_exit": terms.data_returned,
        "exit_cost": terms.exit_cost,
    }


def measure(case: Case, params: dict[str, InForce], part: Part = each_time) -> Measures:
    """Measure every service line of a case with the parameters in force: a pure function of its inputs.

    `part` works out each part of a line (engine.reuse): a Reuse keeps the parts that variants of one case share.
    """
    lines = [measure_line(line, case, params, part) for line in case.service_lines]
    return Measures(
        lines=lines,
        seats=case.organisation.seats,
        go_alone_npc=sum(m.go_alone.npc_mean for m in lines),
        offer_npc=sum(m.offer.npc_mean for m in lines),
        parameters=params,
    )
