"""What the analysis reports: switching values (`sensitivity`) and shares of draws (`confidence`).

Facts, with the sentences a board member reads beside them (engine.analysis.words writes
them from the facts, so the JSON and the briefing say the same thing).
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SwitchingValue(_Out):
    """The value of one input at which a verdict changes, found by deciding the case again at each value tried."""

    input: str = Field(description="The input: '<service line>: <field>' of the case, or 'parameter: <name>' of the rulebook.")
    label: str = Field(description="The input in words.")
    kind: Literal["estimate", "parameter"] = Field(description="A figure of the case, or a parameter of the rulebook.")
    judgement: bool = Field(default=False, description="For a parameter: true if the rule owners set it by their judgement.")
    unit: str = Field(description="The input's unit.")
    today: float = Field(description="Today's figure (a range's mean, as the appraisal uses it).")
    value: float = Field(description="The switching value: the first value, moving from today's, at which a verdict changes.")
    kept: float = Field(description="The nearest value on today's side that keeps today's verdicts.")
    direction: Literal["fall", "rise"] = Field(description="Whether the input must fall or rise to reach it.")
    move: float = Field(description="How far the input must move, as a share of today's figure.", json_schema_extra={"unit": "percent"})
    verdict_then: str = Field(description="The overall verdict at the switching value.")
    lines_then: dict[str, str] = Field(description="The service lines whose verdict changes there, with their new verdicts.")
    sentence: str = Field(description="The switching value as a board member reads it.")


class NoSwitch(_Out):
    """An input searched across its plausible range without any verdict changing."""

    input: str = Field(description="The input, named as in SwitchingValue.")
    label: str = Field(description="The input in words.")
    kind: Literal["estimate", "parameter"] = Field(description="A figure of the case, or a parameter of the rulebook.")
    low: float = Field(description="The lowest value searched.")
    high: float = Field(description="The highest value searched.")


class Swing(_Out):
    """How far one input, across its plausible range, moves going alone's value for money (all lines): a tornado bar."""

    input: str = Field(description="The input, named as in SwitchingValue.")
    label: str = Field(description="The input in words.")
    low: float = Field(description="The low end of the range searched.")
    high: float = Field(description="The high end of the range searched.")
    at_low: float = Field(description="Going alone's advantage over joining less the margin the presumption asks it to clear, summed over lines, with the input at its low end.", json_schema_extra={"unit": "pounds"})
    at_high: float = Field(description="The same with the input at its high end.", json_schema_extra={"unit": "pounds"})


class Sensitivity(_Out):
    """Switching values (Green Book 2018 paras 5.59-5.61): the case's estimates apart from the rule owners' parameters."""

    verdict: str = Field(description="The overall verdict on the case's figures as given, which the switching values change.")
    basis: str = Field(default="", description="Where the advice given is decided on the draws, what the switching values are worked on instead; empty otherwise.")
    withheld: bool = Field(default=False, description="True where the draws changed the advice from that on the figures as given: the switching values then describe the other advice, and are not shown to a reader.")
    searched: str = Field(description="What range each input was searched over.")
    estimates: list[SwitchingValue] = Field(description="Switching values on the case's figures, smallest move first.")
    parameters: list[SwitchingValue] = Field(description="Switching values on the rulebook's parameters (thresholds, rates, the discount rate), smallest move first.")
    no_switch: list[NoSwitch] = Field(description="Inputs with no switching value in the range searched.")
    advantage: float = Field(description="Going alone's advantage over joining today less the margin it must clear, summed over lines, in pounds.", json_schema_extra={"unit": "pounds"})
    swings: list[Swing] = Field(description="The case's figures by how far they move going alone's advantage across their ranges, widest first (the tornado).")
    decisions: int = Field(description="How many times the case was decided to find them.")


class VerdictShare(_Out):
    """How often one verdict came out across the draws."""

    verdict: str = Field(description="The verdict.")
    draws: int = Field(description="Draws giving it.")
    share: float = Field(description="Its share of the draws.", json_schema_extra={"unit": "percent"})
    low: float = Field(description="Simulation precision: the 95% Wilson interval's lower end on the share (more draws narrow it).", json_schema_extra={"unit": "percent"})
    high: float = Field(description="Simulation precision: the interval's upper end.", json_schema_extra={"unit": "percent"})


class LineConfidence(_Out):
    """One service line's verdicts across the draws."""

    service_line: str = Field(description="The service line.")
    verdict: str = Field(description="The line's verdict on the case as it stands (means, not draws).")
    shares: list[VerdictShare] = Field(description="Each verdict's share of the draws, commonest first.")
    go_alone_share: float = Field(description="Share of draws in which the line goes alone (the measure line.go_alone_share a rule can read).", json_schema_extra={"unit": "percent"})
    refer_share: float = Field(description="Share of draws in which the line is referred (the measure line.refer_share).", json_schema_extra={"unit": "percent"})
    ahead_share: float = Field(description="Share of draws in which going alone's advantage clears the margin the presumption asks (the measure line.ahead_share).", json_schema_extra={"unit": "percent"})
    referred_by: list[str] = Field(default_factory=list, description="The rules that referred the line in the draws that refer it, commonest first (titles).")


class FirmUp(_Out):
    """The value of knowing an uncertain input (or group moving together) exactly, before deciding."""

    inputs: list[str] = Field(description="The input, or the inputs that move together.")
    label: str = Field(description="The input(s) in words.")
    value: float = Field(description="Expected value of partial perfect information (EVPPI), in pounds, across the service lines.", json_schema_extra={"unit": "pounds"})
    lines: dict[str, float] = Field(description="The same per service line (the measure line.information_value a rule can read is a line's largest).")
    cost_to_firm_up: float = Field(description="What firming the figure up is taken to cost (a quote, a survey), in pounds: the case's figure, or else the least value the rule owners think worth advising (least_worth_firming_up).", json_schema_extra={"unit": "pounds"})
    cost_stated: bool = Field(description="True if that cost is the case's own figure.")
    worth_it: bool = Field(description="True if the value exceeds the cost of firming up.")


class Confidence(_Out):
    """How sure the advice is, from drawing every range in the case and deciding each draw."""

    draws: int = Field(description="How many draws were decided.")
    seed: int = Field(description="The random seed: the same case, rulebook and seed give the same figures.")
    distribution: str = Field(description="How each low / likely / high range was drawn.")
    ends: str = Field(description="Whether low and high were read as extremes or as the 10th and 90th percentiles.")
    dependence: str = Field(description="How inputs were drawn together: independent unless the case groups them.")
    uncertain_inputs: list[str] = Field(description="The inputs drawn (every range with some width); the discount rate is never drawn.")
    verdict: str = Field(description="The overall verdict given: on the draws where the recommendation reads them, else on the figures as given.")
    overall: list[VerdictShare] = Field(description="Each overall verdict's share of the draws, commonest first.")
    lines: list[LineConfidence] = Field(description="Per service line, in case-file order.")
    agreement: float = Field(description="Share of draws whose own overall verdict is the one given.", json_schema_extra={"unit": "percent"})
    firm_up: list[FirmUp] = Field(description="What to firm up first: the value of information per uncertain input, largest first.")
    statement: str = Field(description="The confidence in one or two sentences.")
    advice: str = Field(description="Which figure or two to firm up before deciding, and why; empty if none is worth it.")
