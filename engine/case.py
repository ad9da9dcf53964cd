"""The case file: one organisation, the shared service on offer, and its own alternative.

These models are the contract with the CIO who writes a case file: every field has a
description, and `joinup schema` generates the JSON Schema editors use from them.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .estimates import Ranges
from .quantities import Amount, Date, Estimate, Percent, Range

OrganisationKind = Literal[
    "department", "agency", "non-departmental body", "local authority", "health body", "other"
]
ProtectiveMarking = Literal["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"]
ServiceKind = Literal[
    "desktop", "service desk", "hosting", "email", "network", "specialist computing", "other"
]
Met = Literal["yes", "partly", "no"]
# What an option is decides its optimism bias reference class (Mott MacDonald 2002, Table 2).
Nature = Literal["running service", "framework call-off", "to be built", "status quo"]
# The evidence behind an option's figures decides how far its uplift is mitigated.
Evidence = Literal["audited accounts", "firm quote", "market sounding", "estimate"]
PriceKind = Literal["real", "cash_fixed", "indexed"]
# Markings in order of what an accreditation covers: OFFICIAL-SENSITIVE is a handling
# caveat within OFFICIAL (Government Security Classifications, 2018), so it ranks with it.
MARKING_RANK = {"OFFICIAL": 0, "OFFICIAL-SENSITIVE": 0, "SECRET": 1, "TOP SECRET": 2}

# More seats or staff than the whole UK public sector employs (about six million) is a slip.
MAX_SEATS = 10_000_000
# An optimism bias uplift: the Green Book's upper bounds reach 200%; ten times is a slip.
MAX_UPLIFT = 10.0
# Service lines in one case. An organisation's IT splits into a handful of lines (desktops,
# hosting, email, a service desk...); each is decided, charted and written up on its own,
# so the briefing's cost grows with them: 60 lines take 25 s and 400 MB to brief, 1,000
# lines over a minute and 1 GB. Fifty is far beyond any real case and still briefs.
MAX_SERVICE_LINES = 50
# Requirements, peer prices, price tiers or quality dimensions on one service line: each
# is listed in the briefing, and a hundred is already more than a board would read.
MAX_ITEMS = 100


def _uplift(value: float) -> float:
    if not 0 <= value <= MAX_UPLIFT:
        raise ValueError(f"an uplift must be from 0% to {MAX_UPLIFT:.0%}; got {value * 100:.6g}%")
    return value


Uplift = Annotated[Percent, AfterValidator(_uplift)]
# A quality score (checked 0 to 5 in Case.problems); strict, so `true` is not read as 1.
Score = Annotated[float, Field(strict=True)]


class _Model(BaseModel):
    # An unknown field is far more often a typo than an intention: refuse it.
    # Infinity and NaN are never a cost or a headcount. Number fields are strict
    # (strict=True): pydantic would read `seats: true` as 1 seat and "1000" as 1000.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Organisation(_Model):
    """The organisation deciding whether to join."""

    name: str = Field(min_length=1, description="The organisation's name, as it should appear in the briefing.")
    kind: OrganisationKind = Field(description="What sort of public body it is.")
    staff: int = Field(
        ge=1, le=MAX_SEATS, strict=True, description="Number of staff (headcount).", json_schema_extra={"unit": "count"}
    )
    seats: int = Field(
        ge=1,
        le=MAX_SEATS,
        strict=True,
        description="Number of desktops or users the services are for. Service lines default to this.",
        json_schema_extra={"unit": "seats"},
    )
    newly_created: bool = Field(
        default=False, description="True if the organisation is newly created and has no IT service of its own yet."
    )
    protective_marking: ProtectiveMarking = Field(
        default="OFFICIAL", description="The highest protective marking of the information the services handle."
    )


class OptimismBias(_Model):
    """An option's own optimism bias uplifts, where evidence supports other values than the rulebook's."""

    capital_cost: Uplift | None = Field(
        default=None, description="Uplift on one-off costs, in percent (default: from the option's nature and evidence)."
    )
    operating_cost: Uplift | None = Field(
        default=None, description="Uplift on annual running costs, in percent."
    )
    duration: Uplift | None = Field(default=None, description="Uplift on months to service, in percent.")
    reason: str = Field(
        min_length=1, description="The evidence that the project's risks are managed well enough to use these values."
    )


class Risk(_Model):
    """A costed risk: its expected value displaces as much of the generic optimism bias uplift."""

    name: str = Field(min_length=1, description="The risk, in a few words.")
    probability: Percent = Field(description="The chance it happens, in percent.")
    impact: Amount = Field(description="What it would cost if it happened, in pounds.")
    year: int | None = Field(
        default=None,
        ge=0,
        le=30,
        strict=True,
        description=(
            "The year it would fall in (0 is the decision year), discounted from then; leave out to spread it "
            "like the option's own costs, never undiscounted at the start."
        ),
        json_schema_extra={"unit": "years"},
    )

    @model_validator(mode="after")
    def _a_probability(self) -> "Risk":
        if not 0 <= self.probability <= 1:
            raise ValueError(f"probability must be from 0% to 100%; got {self.probability * 100:g}%")
        return self


class PriceBasis(_Model):
    """How an option's annual prices are stated: in real terms, fixed in cash, or indexed."""

    kind: PriceKind = Field(
        default="real",
        description=(
            "real: in the case's price base year's prices; cash_fixed: the same cash sum every year, "
            "worth less each year by the GDP deflator; indexed: rising each year by `rate`."
        ),
    )
    rate: Percent = Field(default=0.0, description="For indexed prices, the yearly indexation, in percent.")


class ResidualValue(_Model):
    """What the option's assets would fetch at the end of the appraisal period, as the case evidences it."""

    value: Amount = Field(
        description="Their value then, from sale, lease or another use, in real pounds (Green Book 2018 para 6.11)."
    )


Residual = Literal["straight_line", "none"] | ResidualValue


class Option(_Model):
    """What both options state alike, so neither is treated differently (the symmetry the appraisal needs)."""

    nature: Nature = Field(
        description="What the option is: a running service, a framework call-off, something still to be built, or the status quo.",
        json_schema_extra={"required_because": (
            "say what the option is (running service, framework call-off, to be built, status quo): "
            "optimism bias now depends on it (Green Book supplementary guidance, Mott MacDonald 2002 Table 2)"
        )},
    )
    evidence: Evidence = Field(
        description="The evidence behind the option's figures: audited accounts, a firm quote, a market sounding, or an estimate.",
        json_schema_extra={"required_because": (
            "say what the figures rest on (audited accounts, firm quote, market sounding, estimate): "
            "stronger evidence now lowers the optimism bias uplift"
        )},
    )
    procurement_months: Estimate = Field(
        description="Months from the decision until the option is in service; a framework call-off is typically about 4, a standalone procurement 9 to 18."
    )
    quality: dict[str, Score] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Quality on named dimensions, each scored 0 (absent) to 5 (excellent); the same dimensions on both options.",
    )
    optimism_bias: OptimismBias | None = Field(
        default=None, description="Leave out to apply the uplifts that follow from the option's nature and evidence."
    )
    risk_register: list[Risk] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Costed risks specific to this option; their expected value displaces the generic uplift as far as it goes.",
    )
    asset_life_years: int | None = Field(
        default=None,
        ge=1,
        le=50,
        strict=True,
        description=(
            "Years the one-off costs buy (a hardware or software refresh cycle); they recur on this cycle within "
            "the appraisal period and what outlives it is credited as a residual value. Leave out for one-off "
            "costs spent once."
        ),
        json_schema_extra={"unit": "years"},
    )
    residual: Residual | None = Field(
        default=None,
        description=(
            "How assets outliving the appraisal period are valued: straight_line (cost x remaining life / life, the "
            "rule owners' judgement), none, or {value: pounds} from their sale, lease or other use (Green Book 2018 "
            "para 6.11). Leave out for straight_line where the line's need runs on past the period (the default "
            "10 years) and none where the case states how long the service is needed: an asset whose need has "
            "ended is worth only what it would fetch, which the case must then state."
        ),
    )
    reprocurement_cost: Amount | None = Field(
        default=None,
        description="Cost of re-letting the contract at the end of each term, in pounds, where the option has a term; leave out for the rulebook's default.",
    )
    early_exit_cost: Amount | None = Field(
        default=None,
        description=(
            "What the contract charges to leave before its term or first break ends, in pounds, if it says; where "
            "the term runs past the appraisal period, the cheaper of this and the payments still committed counts."
        ),
    )
    transition_cost: Estimate = Field(
        default=0.0,
        validate_default=True,
        description=(
            "One-off cost of moving staff and service across (TUPE, pensions under New Fair Deal), in pounds; it "
            "takes the one-off uplift of the option's class (the rule owners' reading)."
        ),
    )
    contract_management_cost: Estimate = Field(
        default=0.0,
        validate_default=True,
        description="Cost per year of managing the contract or service while it runs, in pounds.",
    )
    price_basis: PriceBasis = Field(
        default_factory=PriceBasis, description="How the annual prices are stated (real terms unless said otherwise)."
    )


class GoAlone(Option):
    """The organisation procuring and running the service itself."""

    annual_running_cost: Estimate = Field(description="Running cost per year for the whole service line, in pounds.")
    # validate_default: pydantic leaves a default as written, and the measures need a Range, not 0.0.
    one_off_costs: Estimate = Field(
        default=0.0,
        validate_default=True,
        description="One-off costs (procurement, set-up, equipment), in pounds, spent in year 0. Sunk costs, spent whatever is decided, are left out.",
    )
    exit_cost: Amount = Field(default=0.0, description="Cost of winding the service down at the end of the appraisal period, in pounds.")
    contract_years: int | None = Field(
        default=None,
        ge=1,
        le=30,
        strict=True,
        description=(
            "If going alone is itself a contract (a framework call-off or an outsourced service), its term in years: "
            "re-let at its end like the offer's, and a cash-fixed price resets then. Leave out for a service run in house."
        ),
        json_schema_extra={"unit": "years"},
    )
    break_after_years: float | None = Field(
        default=None, ge=0, strict=True, description="Years after which going alone's contract may be left without penalty, if any."
    )
    accredited_marking: ProtectiveMarking | None = Field(
        default=None,
        description="The highest protective marking going alone's service would be accredited for; leave out if not yet known (it is then measured as unknown).",
    )


class PriceTier(_Model):
    """A price that applies once the pool of organisations sharing the service reaches a size."""

    min_pool_seats: int = Field(
        ge=0, le=MAX_SEATS, strict=True, description="The pool's total seats from which this price applies."
    )
    price_per_seat: Amount = Field(description="Price per seat per year at this pool size, in pounds.")


class ExitTerms(_Model):
    """What leaving the shared service would involve."""

    stated: bool = Field(default=False, description="True if the contract states the exit terms.")
    break_after_years: float | None = Field(
        default=None,
        ge=0,
        strict=True,
        description="Years after which the organisation may leave without penalty, if any.",
    )
    exit_cost: Amount = Field(default=0.0, description="Cost of leaving at the end of the term, in pounds.")
    data_returned: bool = Field(
        default=False, description="True if the supplier must return the organisation's data in an open format on exit."
    )


class PoolMember(_Model):
    """Another member of the offer's pool, whose price may fall when this organisation joins."""

    name: str = Field(min_length=1, description="The member organisation.")
    seats: int = Field(ge=1, le=MAX_SEATS, strict=True, description="Its seats in the pool.", json_schema_extra={"unit": "seats"})
    pass_through: bool = Field(
        description="True if its contract passes a lower tier price through to it during its term."
    )
    remaining_years: float = Field(
        ge=0, le=30, strict=True, description="Years left on its contract.", json_schema_extra={"unit": "years"}
    )


class Offer(Option):
    """The shared service on offer."""

    name: str = Field(min_length=1, description="The shared service's name, e.g. 'Flex'.")
    supplier: str = Field(min_length=1, description="Who provides it.")
    price_per_seat: Estimate | None = Field(
        default=None, description="Price per seat per year, in pounds, if it does not depend on the pool's size."
    )
    price_tiers: list[PriceTier] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Prices by the pool's total seats (the price falls as more organisations join); instead of price_per_seat.",
    )
    pool_seats: int = Field(
        default=0,
        ge=0,
        le=MAX_SEATS,
        strict=True,
        description="Seats already in the pool before this organisation joins.",
    )
    pool_members: list[PoolMember] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="The pool's other members, for the saving this organisation's joining brings them; leave out if unknown.",
    )
    onboarding_cost: Estimate = Field(
        default=0.0, validate_default=True, description="One-off cost of joining, in pounds, spent in year 0. Sunk costs are left out."
    )
    contract_years: int = Field(
        ge=1,
        le=30,
        strict=True,
        description="The contract's term, in years: it is re-let at its price at the end of each term within the appraisal period.",
    )
    accredited_marking: ProtectiveMarking = Field(
        description="The highest protective marking the offer is accredited to handle.",
        json_schema_extra={"required_because": (
            "say which protective marking the offer is accredited for: a case marked above it now "
            "counts as an essential requirement the offer does not meet"
        )},
    )
    exit_terms: ExitTerms = Field(default_factory=ExitTerms, description="What leaving would involve.")

    @model_validator(mode="after")
    def _one_price(self) -> "Offer":
        if (self.price_per_seat is None) == (not self.price_tiers):
            raise ValueError("give either price_per_seat or price_tiers, not both and not neither")
        return self


class Requirement(_Model):
    """A requirement specific to this organisation, and whether each option meets it."""

    name: str = Field(min_length=1, description="The requirement, in a few words.")
    met: Met = Field(description="Whether the offer meets it: yes, partly or no.")
    # Still defaulted: making it required (no one-sided default, review finding 8) waits for the rule
    # tests, which state requirements without it, to state it (rules/tests is the rules engineer's).
    met_by_go_alone: Met = Field(
        default="yes",
        description="Whether going alone meets it: yes, partly or no (yes unless said; state it, as met is stated for the offer).",
    )
    cost_to_meet_otherwise: Amount | None = Field(
        default=None, description="What meeting it another way would cost, in pounds, where the option falls short."
    )
    essential: bool = Field(
        default=False, description="True if the organisation cannot work without it (an option that misses it is ruled out)."
    )
    note: str = Field(default="", description="How it is met, or what is missing.")


class PeerPrice(_Model):
    """What another organisation pays for the same service."""

    organisation: str = Field(min_length=1, description="The peer organisation.")
    price_per_seat: Amount = Field(description="What it pays per seat per year, in pounds.")


class QualityDimension(_Model):
    """How much a quality dimension counts, and the least either option must score on it."""

    weight: float = Field(default=1.0, ge=0, le=100, strict=True, description="Its weight in the value of quality (1 unless said).")
    minimum: Score | None = Field(
        default=None,
        description=(
            "A must-have: an option scoring below this fails, whatever its price (0 to 5). Left out, a score of 0 "
            "(absent) fails; give 0 to accept an absent dimension."
        ),
    )


class BusinessAsUsual(_Model):
    """What the organisation has today on this line, which runs until an option is in service."""

    annual_cost: Estimate = Field(description="What the current service costs a year, in pounds.")
    can_extend: bool = Field(
        description="True if the current contract can lawfully be extended to bridge until the new option is in service."
    )
    basis: str = Field(
        min_length=1,
        description=(
            "Why extending is or is not lawful, e.g. 'PCR 2015 reg. 72(1)(b)' or 'Procurement Act 2023 s.74 and "
            "Sch. 8: the modification stays within 10% of value'."
        ),
    )


class ServiceLine(_Model):
    """One part of IT provision, judged on its own: join for some, go alone for others."""

    name: str = Field(min_length=1, description="The service line, e.g. 'Desktops'.")
    kind: ServiceKind = Field(default="other", description="What sort of service it is.")
    seats: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SEATS,
        strict=True,
        description="Seats this line serves; leave out for the organisation's seats.",
    )
    need_by: Date | None = Field(
        default=None, description="When this line is needed, if not the case's need_by date (YYYY-MM-DD)."
    )
    appraisal_years: int | None = Field(
        default=None,
        ge=1,
        le=30,
        strict=True,
        description="How long the service is needed: the one appraisal period for both options; leave out for the rulebook's default (10 years).",
        json_schema_extra={"unit": "years"},
    )
    business_as_usual: BusinessAsUsual | None = Field(
        default=None,
        description=(
            "The current service, if any, which runs until an option is in service; each option's costs then start "
            "when it is in service. Leave out for a newly created body: then both options' running costs count from "
            "year 1, so a later start does not look cheaper for the months without a service."
        ),
    )
    quality_dimensions: dict[str, QualityDimension] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Weights and minimum scores of the quality dimensions; a dimension not listed weighs 1 and has no minimum.",
    )
    go_alone: GoAlone = Field(description="Procuring and running it yourselves.")
    offer: Offer = Field(description="The shared service on offer.")
    requirements: list[Requirement] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Your specific requirements and whether the offer meets each."
    )
    peer_prices: list[PeerPrice] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="What peer organisations pay for the same service, where known."
    )


class MoveTogether(_Model):
    """Estimates that move together: drawn from one shared chance, so when one is high the others are high too."""

    inputs: list[str] = Field(
        min_length=2,
        max_length=MAX_ITEMS,
        description=(
            "The estimates, each named '<service line>: <field>', e.g. 'Desktops: go_alone.annual_running_cost' "
            "and 'Desktops: go_alone.one_off_costs' (both from one estimate). Each must be a low / likely / high range."
        ),
    )
    reason: str = Field(min_length=1, description="Why they move together, e.g. 'both come from one supplier's estimate'.")


def input_name(line: str, path: tuple[str, ...]) -> str:
    """How a case names one of its figures: '<service line>: <field path>' (the analysis uses the same names)."""
    return f"{line}: {'.'.join(path)}"


def figure_at(case: "Case", name: str) -> object:
    """The value a name like 'Desktops: go_alone.annual_running_cost' points at; None if it points nowhere."""
    line_name, _, path = name.partition(": ")
    value: object = next((line for line in case.service_lines if line.name == line_name), None)
    for attr in path.split(".") if path else ["?"]:
        value = getattr(value, attr, None) if isinstance(value, BaseModel) else None
    return value


class Case(_Model):
    """A case file: the organisation, when it decides, and the service lines on offer."""

    organisation: Organisation = Field(description="The organisation deciding.")
    decision_date: Date = Field(description="The date the decision is made (YYYY-MM-DD); parameters in force then apply.")
    need_by: Date = Field(description="The date the service is needed by (YYYY-MM-DD).")
    urgency_self_caused: bool = Field(
        default=False,
        strict=True,
        description=(
            "True if the organisation's own acts or delay made the date tight (e.g. it let the current contract run "
            "out): such urgency justifies no award (PCR 2015 reg. 32(2)(c); Procurement Act 2023 Sch. 5), so the "
            "date is no hard constraint and value for money decides."
        ),
    )
    service_lines: list[ServiceLine] = Field(
        min_length=1, max_length=MAX_SERVICE_LINES, description="The services on offer, each with its go-alone alternative."
    )
    notes: str = Field(default="", description="Anything a reader of the briefing should know about the case.")
    price_base_year: int | None = Field(
        default=None,
        ge=1990,
        le=2100,
        strict=True,
        description="The year whose prices the real figures are in; leave out for the decision year (Green Book 2018 para 5.11).",
    )
    vat: Literal["included", "excluded"] = Field(
        description=(
            "Whether every figure includes irrecoverable VAT or none does; both options must be on the same basis "
            "(Green Book 2003 para 5.55)."
        ),
        json_schema_extra={"required_because": (
            "say whether the figures include irrecoverable VAT (included or excluded): both options must now be "
            "stated on the same basis"
        )},
    )
    ranges: Ranges = Field(
        default_factory=Ranges,
        description="How low / likely / high figures are read: the distribution and what the ends mean.",
    )
    cost_to_firm_up: Amount | None = Field(
        default=None,
        description=(
            "What firming up one uncertain figure would cost (a firm quote, a survey), in pounds: a figure is worth "
            "firming up before deciding where knowing it is worth more. Leave out if not known."
        ),
    )
    move_together: list[MoveTogether] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description=(
            "Groups of estimates that move together when the ranges are drawn (issue 11's confidence); every other "
            "estimate is drawn independently of the rest."
        ),
    )

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """Checks across fields, each as (where in the file, what is wrong)."""
        if self.need_by <= self.decision_date:
            yield ("need_by",), f"must be after decision_date ({self.decision_date}); got {self.need_by}"
        seen: set[str] = set()
        for i, line in enumerate(self.service_lines):
            here = ("service_lines", i)
            if line.name in seen:
                yield here + ("name",), f"'{line.name}' names two service lines; give each its own name"
            seen.add(line.name)
            if line.need_by is not None and line.need_by <= self.decision_date:
                yield here + ("need_by",), f"must be after decision_date ({self.decision_date}); got {line.need_by}"
            ours, theirs = set(line.go_alone.quality), set(line.offer.quality)
            if ours and theirs and ours != theirs:
                yield here + ("offer", "quality"), (
                    "must score the same dimensions as go_alone.quality; only one scores "
                    + ", ".join(sorted(ours ^ theirs))
                )
            for side in ("go_alone", "offer"):
                for dimension, score in getattr(line, side).quality.items():
                    if not 0 <= score <= 5:
                        yield here + (side, "quality", dimension), f"must be a score from 0 to 5; got {score:g}"
            yield from _dimension_problems(line, here)
            yield from _pool_problems(line, here, line.seats or self.organisation.seats)
        yield from _together_problems(self)


def _together_problems(case: Case) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Each name in move_together points at a range, and in one group only."""
    seen: set[str] = set()
    for g, group in enumerate(case.move_together):
        for i, name in enumerate(group.inputs):
            where = ("move_together", g, "inputs", i)
            if not isinstance(figure_at(case, name), Range):
                yield where, (
                    f"'{name}' is not a low / likely / high figure of the case; name one as "
                    "'<service line>: <field>', e.g. 'Desktops: go_alone.annual_running_cost'"
                )
            elif name in seen:
                yield where, f"'{name}' is in two groups; put it in one"
            seen.add(name)


def _dimension_problems(line: ServiceLine, here: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    scored = set(line.go_alone.quality) | set(line.offer.quality)
    for dimension, spec in line.quality_dimensions.items():
        where = here + ("quality_dimensions", dimension)
        if dimension not in scored:
            yield where, "names a dimension neither option scores; score it on both options or remove it"
        elif spec.minimum is not None and not 0 <= spec.minimum <= 5:
            yield where + ("minimum",), f"must be a score from 0 to 5; got {spec.minimum:g}"


def _pool_problems(line: ServiceLine, here: tuple[str | int, ...], seats: int) -> Iterator[tuple[tuple[str | int, ...], str]]:
    tiers = line.offer.price_tiers
    if not tiers:
        return
    lowest = min(t.min_pool_seats for t in tiers)
    if line.offer.pool_seats + seats < lowest:
        yield here + ("offer", "pool_seats"), (
            f"the pool with this line's {seats:,} seats has {line.offer.pool_seats + seats:,}, below the lowest "
            f"price tier ({lowest:,} seats): the offer has no price at that size; check pool_seats or ask the "
            "supplier for a price at it"
        )


__all__ = [
    "Case", "Organisation", "ServiceLine", "GoAlone", "Offer", "Requirement", "PeerPrice", "Range",
    "BusinessAsUsual", "QualityDimension", "Risk", "PriceBasis", "PoolMember", "Ranges", "ResidualValue",
    "MoveTogether",
]
