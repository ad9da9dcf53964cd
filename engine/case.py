"""The case file: one organisation, the shared service on offer, and its own alternative.

These models are the contract with the CIO who writes a case file: every field has a
description, and `joinup schema` generates the JSON Schema editors use from them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .quantities import Amount, Date, Estimate, Percent, Range

OrganisationKind = Literal[
    "department", "agency", "non-departmental body", "local authority", "health body", "other"
]
ProtectiveMarking = Literal["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"]
ServiceKind = Literal[
    "desktop", "service desk", "hosting", "email", "network", "specialist computing", "other"
]
Met = Literal["yes", "partly", "no"]

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
    """Optimism bias uplifts for the go-alone estimates, where evidence supports other values than the defaults."""

    capital_cost: Uplift | None = Field(
        default=None, description="Uplift on one-off costs, in percent (Green Book default: the upper bound)."
    )
    operating_cost: Uplift | None = Field(
        default=None, description="Uplift on annual running costs, in percent."
    )
    duration: Uplift | None = Field(default=None, description="Uplift on procurement time, in percent.")
    reason: str = Field(
        min_length=1, description="The evidence that the project's risks are managed well enough to use these values."
    )


class GoAlone(_Model):
    """The organisation procuring and running the service itself."""

    annual_running_cost: Estimate = Field(description="Running cost per year for the whole service line, in pounds.")
    # validate_default: pydantic leaves a default as written, and the measures need a Range, not 0.0.
    one_off_costs: Estimate = Field(
        default=0.0,
        validate_default=True,
        description="One-off costs (procurement, transition, set-up), in pounds, spent in year 0.",
    )
    procurement_months: Estimate = Field(
        description="Months from the decision until the service could start; a standalone procurement is typically 9 to 18."
    )
    quality: dict[str, Score] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Quality on named dimensions, each scored 0 (absent) to 5 (excellent); the same dimensions as the offer.",
    )
    optimism_bias: OptimismBias | None = Field(
        default=None, description="Leave out to apply the rulebook's default uplifts (the Green Book's upper bounds)."
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


class Offer(_Model):
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
    onboarding_cost: Estimate = Field(
        default=0.0, validate_default=True, description="One-off cost of joining, in pounds, spent in year 0."
    )
    procurement_months: Estimate = Field(
        description="Months from the decision until the service could start; a framework call-off is typically about 4."
    )
    quality: dict[str, Score] = Field(
        default_factory=dict, max_length=MAX_ITEMS, description="Quality on the same dimensions as going alone, each scored 0 to 5."
    )
    contract_years: int = Field(
        ge=1, le=30, strict=True, description="Length of the contract, in years: the appraisal period."
    )
    exit_terms: ExitTerms = Field(default_factory=ExitTerms, description="What leaving would involve.")

    @model_validator(mode="after")
    def _one_price(self) -> "Offer":
        if (self.price_per_seat is None) == (not self.price_tiers):
            raise ValueError("give either price_per_seat or price_tiers, not both and not neither")
        return self


class Requirement(_Model):
    """A requirement specific to this organisation, and whether the offer meets it."""

    name: str = Field(min_length=1, description="The requirement, in a few words.")
    met: Met = Field(description="Whether the offer meets it: yes, partly or no.")
    essential: bool = Field(
        default=False, description="True if the organisation cannot work without it (an unmet essential rules the offer out)."
    )
    note: str = Field(default="", description="How it is met, or what is missing.")


class PeerPrice(_Model):
    """What another organisation pays for the same service."""

    organisation: str = Field(min_length=1, description="The peer organisation.")
    price_per_seat: Amount = Field(description="What it pays per seat per year, in pounds.")


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
    go_alone: GoAlone = Field(description="Procuring and running it yourselves.")
    offer: Offer = Field(description="The shared service on offer.")
    requirements: list[Requirement] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Your specific requirements and whether the offer meets each."
    )
    peer_prices: list[PeerPrice] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="What peer organisations pay for the same service, where known."
    )


class Case(_Model):
    """A case file: the organisation, when it decides, and the service lines on offer."""

    organisation: Organisation = Field(description="The organisation deciding.")
    decision_date: Date = Field(description="The date the decision is made (YYYY-MM-DD); parameters in force then apply.")
    need_by: Date = Field(description="The date the service is needed by (YYYY-MM-DD).")
    service_lines: list[ServiceLine] = Field(
        min_length=1, max_length=MAX_SERVICE_LINES, description="The services on offer, each with its go-alone alternative."
    )
    notes: str = Field(default="", description="Anything a reader of the briefing should know about the case.")

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


__all__ = ["Case", "Organisation", "ServiceLine", "GoAlone", "Offer", "Requirement", "PeerPrice", "Range"]
