"""The recommendation: the stable output of a decision, and what a briefing is made from.

It records facts (verdicts, the rules that fired, the values they read); the sentences a reader
sees are written from them by engine.wording, and ride along in the JSON as computed fields.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from . import figures
from .measures import Measures
from .parameters import InForce

OverallVerdict = Literal["join", "join-in-part", "go-alone", "refer"]
LineVerdict = Literal["join", "go-alone", "refer"]
Role = Literal["why", "outweighed", "consideration"]


def _wording() -> Any:
    """engine.wording, imported when words are first wanted: it reads the rulebook's placeholder
    syntax, and a reader of recommendations should not pay for loading the rulebook's parser."""
    from . import wording

    return wording


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Observed(_Out):
    """A value a rule saw."""

    name: str = Field(description="The name as the rule wrote it.")
    value: Any = Field(description="The value (absent if unknown).")
    unit: str | None = Field(default=None, description="Its unit.")

    @computed_field(description="The value as the briefing prints it.")  # type: ignore[prop-decorator]
    @property
    def shown(self) -> str:
        # Formatted when read or serialised, not on every decision: most are never shown.
        return figures.figure(self.value, self.unit)


class Reason(_Out):
    """One reason behind a verdict: the rule that gives it, its text and the figures it read."""

    rule_id: str = Field(description="The rule that gives this reason.")
    title: str = Field(description="The rule's title.")
    source: str = Field(description="The policy the rule encodes.")
    service_line: str = Field(description="The service line it is about.")
    template: str = Field(description="The rule's reason as the rulebook writes it, with {placeholders} for figures.")
    values: list[Observed] = Field(description="The value of each placeholder, as the decision read it.")
    supports: LineVerdict | None = Field(description="The verdict the rule argues for (its verdict, or the one it favours), if any.")
    role: Role = Field(
        default="consideration",
        description=(
            "why: a rule of the stage that decided the line; outweighed: a verdict rule that argued for "
            "another verdict and lost to an earlier stage; consideration: anything else that fired."
        ),
    )
    stage: str | None = Field(default=None, description="The stage of decision.yaml the rule's verdict belongs to, if it gives one.")
    outweighed_by: str | None = Field(default=None, description="For an outweighed reason: the rule that decided the line.")
    outweighed_in: str | None = Field(default=None, description="For an outweighed reason: the title of the stage that decided the line.")

    @computed_field(description="The reason in words, with its figures (engine.wording writes it).")  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        return _wording().sentence(self)


class Attached(_Out):
    """A condition attached to joining, or a risk to weigh."""

    rule_id: str = Field(description="The rule that raises it.")
    service_line: str = Field(description="The service line it is about.")
    template: str = Field(description="The rule's condition or risk as the rulebook writes it, with {placeholders}.")
    values: list[Observed] = Field(description="The value of each placeholder, as the decision read it.")
    about: Literal["offer", "go_alone", "line"] | None = Field(
        default=None, description="For a risk: the option it is about (offer, go_alone) or the line whatever its verdict."
    )

    @computed_field(description="What must be done or weighed, in words (engine.wording writes it).")  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        return _wording().sentence(self)


class LineRecommendation(_Out):
    """The verdict for one service line."""

    service_line: str = Field(description="The service line.")
    offer: str = Field(default="", description="The shared service on offer for this line, by name.")
    supplier: str = Field(default="", description="Who provides the offer.")
    verdict: LineVerdict = Field(description="join, go-alone or refer.")
    decided_by: str | None = Field(
        description="The first rule of the stage that decided the line (none: no verdict rule fired)."
    )
    deciding: list[str] = Field(
        default_factory=list, description="Every rule of the deciding stage that fired: they agree, or disagree and refer."
    )
    stage: str | None = Field(default=None, description="The stage of decision.yaml that decided the line (none: no verdict rule fired).")
    stage_title: str | None = Field(default=None, description="That stage's title.")
    disagreement: bool = Field(
        default=False, description="The deciding stage's rules concluded different verdicts, so the stage's tie rule gave the verdict."
    )
    reasons: list[Reason] = Field(description="The reasons: why the verdict, then outweighed, then other considerations.")
    conditions: list[Attached] = Field(description="Conditions attached to joining (only when the verdict is join).")
    risks: list[Attached] = Field(
        description="Risks to weigh: about the offer only when the line joins, about going alone only when it goes alone."
    )

    @property
    def why(self) -> list[Reason]:
        """The reasons for the verdict: the deciding stage's rules."""
        return [r for r in self.reasons if r.role == "why"]

    @property
    def others(self) -> list[Reason]:
        """Everything else that fired: outweighed verdicts, then other considerations."""
        return [r for r in self.reasons if r.role != "why"]


class TraceStep(_Out):
    """A rule that fired, with the values it matched."""

    rule_id: str
    title: str
    service_line: str
    layer: int = Field(description="The pass it ran in: rules reading findings run after the rules making them.")
    concluded: dict[str, str] = Field(description="What it concluded: finding, verdict, condition or risk.")
    values: list[Observed] = Field(description="The values of every name in its condition.")


class Provenance(_Out):
    """What a recommendation was made from, so it can be reproduced and checked."""

    case_file: str = Field(description="The case file's name.")
    case_sha256: str = Field(description="SHA-256 of the case file's bytes.")
    rulebook: str = Field(description="The rulebook folder's name.")
    rulebook_sha256: str = Field(description="SHA-256 over the rule files and parameters.")
    joinup_version: str = Field(description="The joinup version that decided.")
    decision_date: dt.date = Field(description="The decision date, from the case (never the clock).")


class Recommendation(_Out):
    """join, join-in-part, go-alone or refer, with reasons, conditions, risks and a full trace."""

    verdict: OverallVerdict = Field(description="The overall recommendation.")
    organisation: str = Field(description="The organisation deciding.")
    protective_marking: str = Field(default="OFFICIAL", description="The case's protective marking: the briefing carries it.")
    notes: str = Field(default="", description="The case file's notes for a reader of the briefing.")
    offers: list[str] = Field(description="The shared services on offer, as 'name (supplier)'.")
    decision_date: dt.date
    need_by: dt.date
    lines: list[LineRecommendation] = Field(description="The verdict per service line, in case-file order.")
    reasons: list[Reason] = Field(description="Every reason: why each line's verdict, then outweighed, then other considerations.")
    conditions: list[Attached] = Field(description="Conditions attached to joining.")
    risks: list[Attached] = Field(description="Risks to weigh: what remains to be seen.")
    trace: list[TraceStep] = Field(description="Every rule that fired, in the order it ran.")
    measures: Measures = Field(description="Every figure computed for the case.")
    parameters: dict[str, InForce] = Field(description="The parameters in force on the decision date.")
    provenance: Provenance

    @computed_field(description="The recommendation in one sentence, from the per-line verdicts.")  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        return _wording().summary(self)
