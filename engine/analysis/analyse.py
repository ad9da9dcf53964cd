"""The analysis end to end: switching values always, confidence and the value of information for a case with ranges."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace as replaced
from typing import Callable

import numpy as np

from ..api import Decider
from ..case import Case
from ..load import LoadedCase
from ..measures import Measures
from ..recommendation import Recommendation
from ..parameters import InForce
from ..quantities import Range
from . import words
from .confidence import shares, wilson
from .draws import Draws, draw
from .information import evppi
from .inputs import Input, case_inputs, parameter_inputs, replace, uncertain
from .report import Confidence, FirmUp, LineConfidence, NoSwitch, Sensitivity, Swing, SwitchingValue, VerdictShare
from .switching import Switch, switching_values
from .verdicts import Outcome, Verdicts

DEFAULT_DRAWS = 1000
DEFAULT_SEED = 20261125
# A million draws take about ten minutes; more is a slip (and memory: each keeps its figures).
MAX_DRAWS = 1_000_000
# A verdict that cannot be reached for a draw (the draw left what the case allows).
NO_VERDICT = "no verdict"
# What referred a draw in which no verdict rule fired (decide.line_verdict refers such a line).
NO_RULE_DECIDED = "No rule gave the line a verdict"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Analysis:
    """Both parts of the analysis of one case under one rulebook."""

    sensitivity: Sensitivity
    confidence: Confidence | None


def _switching_value(s: Switch, base: Outcome, line_names: list[str]) -> SwitchingValue:
    changed = {n: v for n, v, was in zip(line_names, s.outcome.lines, base.lines) if v != was}
    item = s.input
    return SwitchingValue(
        input=item.name, label=words.label(item), kind=item.kind, judgement=item.judgement, unit=item.unit,
        today=item.value, value=s.value, kept=s.kept, direction=s.direction, move=s.move,
        verdict_then=s.outcome.overall, lines_then=changed,
        sentence=words.switching_sentence(item, s.value, s.direction, s.move, s.outcome.overall, changed,
                                          len(line_names) > 1),
    )


# The tornado shows this many of the case's figures, the widest swings.
TORNADO_BARS = 6


def swings(verdicts: Verdicts, case: Case, params: dict[str, InForce], estimates: list[Input]) -> list[Swing]:
    """Each figure at both ends of its plausible range: going alone's advantage less its margin there, widest swing first."""
    out = []
    for item in estimates:
        ends = [verdicts.outcome(*item.set(case, params, end)) for end in item.bounds]
        if None in ends:
            continue
        low, high = (sum(o.net) for o in ends)
        if low != high:
            out.append(Swing(input=item.name, label=words.label(item), low=item.bounds[0], high=item.bounds[1],
                             at_low=low, at_high=high))
    return sorted(out, key=lambda s: (-abs(s.at_high - s.at_low), s.input))[:TORNADO_BARS]


def sensitivity(verdicts: Verdicts, case: Case, params: dict[str, InForce], base: Outcome) -> Sensitivity:
    """Switching values on every input that can move a verdict, estimates apart from parameters, smallest move first."""
    start = verdicts.count
    estimates = case_inputs(case)
    found = switching_values(verdicts, case, params, estimates + parameter_inputs(params), base)
    names = [line.name for line in case.service_lines]
    values = sorted((_switching_value(s, base, names) for _, ss in found for s in ss), key=lambda v: (v.move, v.input))
    none = [NoSwitch(input=i.name, label=words.label(i), kind=i.kind, low=i.bounds[0], high=i.bounds[1])
            for i, ss in found if not ss]
    return Sensitivity(
        verdict=base.overall,
        searched="each figure from half to twice today's (scores 0 to 5; a zero parameter up to 50%), "
                 "within what the measures accept",
        estimates=[v for v in values if v.kind == "estimate"],
        parameters=[v for v in values if v.kind == "parameter"],
        no_switch=none,
        advantage=sum(base.net),
        swings=swings(verdicts, case, params, estimates),
        decisions=verdicts.count - start,
    )


def _shares(verdicts: list[str]) -> list[VerdictShare]:
    n = len(verdicts)
    out = []
    for verdict, count in shares(verdicts):
        low, high = wilson(count, n)
        out.append(VerdictShare(verdict=verdict, draws=count, share=count / n, low=low, high=high))
    return out


def _share_of(found: list[VerdictShare], verdict: str) -> float:
    """The share of draws giving this verdict (none if no draw gave it)."""
    return next((s.share for s in found if s.verdict == verdict), 0.0)


def _at_point(case: Case, item: Input, value: float) -> Case:
    return replace(case, item.path, Range.derived(value, value, value))


def _moves_advantage(verdicts: Verdicts, case: Case, params: dict[str, InForce], group: list[Input],
                     base: Outcome) -> bool:
    """Whether the group, at the ends of its ranges, changes any line's advantage or verdict (else its EVPPI is 0)."""
    for item in group:
        assert item.spread is not None
        for end in (item.spread.low, item.spread.high):
            outcome = verdicts.outcome(_at_point(case, item, end), params)
            if outcome is None or outcome.net != base.net or outcome.lines != base.lines:
                return True
    return False


def firm_up(verdicts: Verdicts, case: Case, params: dict[str, InForce], drawn: Draws, net: np.ndarray,
            base: Outcome, open_lines: list[bool]) -> list[FirmUp]:
    """The value of information per uncertain input or group, largest first, against the cost of firming up."""
    # The case states what firming up a figure costs; unstated, a figure is advised only where it is worth at
    # least what the rule owners think worth a board's time (a parameter, so no threshold lives here).
    stated = case.cost_to_firm_up is not None
    cost = case.cost_to_firm_up if stated else params["least_worth_firming_up"].value
    out = []
    for group in drawn.groups:
        items = [drawn.inputs[k] for k in group]
        moves = _moves_advantage(verdicts, case, params, items, base)
        values = evppi(drawn.values[:, group[0]], net, open_lines) if moves else [0.0] * len(open_lines)
        out.append(FirmUp(inputs=[i.name for i in items], label=words.and_labels(items), value=sum(values),
                          lines={line.name: v for line, v in zip(case.service_lines, values)},
                          cost_to_firm_up=cost, cost_stated=stated, worth_it=sum(values) > cost))
    return sorted(out, key=lambda f: (-f.value, f.inputs))


def _single_values(case: Case, base: Outcome, seed: int) -> Confidence:
    certain = [VerdictShare(verdict=base.overall, draws=0, share=1.0, low=1.0, high=1.0)]
    return Confidence(
        draws=0, seed=seed, distribution=case.ranges.distribution, ends=case.ranges.ends,
        dependence="nothing drawn", uncertain_inputs=[], verdict=base.overall, overall=certain,
        lines=[LineConfidence(service_line=line.name, verdict=v,
                              shares=[VerdictShare(verdict=v, draws=0, share=1.0, low=1.0, high=1.0)],
                              go_alone_share=1.0 if v == "go-alone" else 0.0,
                              refer_share=1.0 if v == "refer" else 0.0,
                              ahead_share=1.0 if a > 0 else 0.0)
               for line, v, a in zip(case.service_lines, base.lines, base.net)],
        agreement=1.0, firm_up=[],
        statement=("Every figure in the case is a single value, so there is nothing to draw: given these figures "
                   f"the advice is {base.overall} with 100% confidence. Give low / likely / high ranges to test it."),
        advice="",
    )


def confidence(verdicts: Verdicts, case: Case, params: dict[str, InForce], base: Outcome, n: int, seed: int,
               progress: Progress | None = None) -> Confidence:
    """Draw every range n times, decide each draw, and report the shares and what to firm up."""
    drawn_inputs = uncertain(case_inputs(case))
    if not drawn_inputs:
        return _single_values(case, base, seed)
    drawn = draw(case, drawn_inputs, n, seed)
    overall: list[str] = []
    per_line: list[list[str]] = [[] for _ in case.service_lines]
    referred_by: list[Counter[str]] = [Counter() for _ in case.service_lines]
    net = np.zeros((n, len(case.service_lines)))
    for row in range(n):
        outcome = verdicts.outcome(drawn.case(case, row), params)
        overall.append(outcome.overall if outcome else NO_VERDICT)
        for li in range(len(per_line)):
            per_line[li].append(outcome.lines[li] if outcome else NO_VERDICT)
            if outcome and outcome.lines[li] == "refer":
                referred_by[li].update(outcome.referring[li] or outcome.deciding[li] or (NO_RULE_DECIDED,))
        if outcome:
            net[row] = outcome.net
        if progress and (row + 1) % 100 == 0:
            progress(100)
    lines = [
        LineConfidence(service_line=line.name, verdict=v, shares=_shares(vs),
                       go_alone_share=vs.count("go-alone") / n, refer_share=vs.count("refer") / n,
                       ahead_share=float((net[:, li] > 0).sum()) / n,
                       referred_by=[title for title, _ in sorted(referred_by[li].items(), key=lambda kv: (-kv[1], kv[0]))])
        for li, (line, v, vs) in enumerate(zip(case.service_lines, base.lines, per_line))
    ]
    found = _shares(overall)
    ups = firm_up(verdicts, case, params, drawn, net, base, [len(set(vs)) > 1 for vs in per_line])
    return Confidence(
        draws=n, seed=seed, distribution=case.ranges.distribution, ends=case.ranges.ends,
        dependence=words.dependence(case),
        uncertain_inputs=[i.name for i in drawn_inputs], verdict=base.overall, overall=found,
        lines=lines, agreement=_share_of(found, base.overall), firm_up=ups,
        statement=words.confidence_statement([(s.verdict, s.share) for s in found], n, (found[0].low, found[0].high)),
        advice=words.firm_up_advice(ups),
    )


def shares_found(confidence: Confidence) -> Callable[[Measures], Measures]:
    """What the draws found, as measures a rule can read, per line: the share of draws going alone and referred,
    and the value of knowing its most telling figure exactly.

    The rulebook decides what follows (the presumption to join where going alone wins too
    few draws; refer where joining itself is in doubt in a material share, or where firming
    a figure up is worth more than it costs): the analysis only records what it found, so no
    threshold lives here.
    """
    def add(measures: Measures) -> Measures:
        lines = []
        for m, c in zip(measures.lines, confidence.lines):
            telling = max(confidence.firm_up, key=lambda f: f.lines.get(m.name, 0.0), default=None)
            value = telling.lines.get(m.name, 0.0) if telling else 0.0
            lines.append(m.model_copy(update={
                "draws": confidence.draws, "go_alone_share": c.go_alone_share, "refer_share": c.refer_share,
                "ahead_share": c.ahead_share, "referred_by": words.referred_by(c.referred_by),
                "information_value": value, "firm_up_first": telling.label if telling and value > 0 else None,
            }))
        return measures.model_copy(update={"lines": lines})
    return add


def decide_sure(decider: Decider, loaded: LoadedCase, *, draws: int | None = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                progress: Progress | None = None) -> tuple[Recommendation, Analysis]:
    """Decide a case with what its analysis found: the recommendation reads the shares of draws, if drawn.

    The analysis is then told the advice given: its confidence is measured against that
    verdict, and where the draws made it differ from the verdict on the figures as given,
    the switching values (worked on those figures) say so.
    """
    analysis = analyse(decider, loaded.case, draws=draws, seed=seed, progress=progress)
    conf = analysis.confidence
    if not (conf and conf.draws):
        return decider.decide(loaded), analysis
    rec = decider.decide(loaded, shares_found(conf))
    given = [lr.verdict for lr in rec.lines]
    withheld = given != [line.verdict for line in conf.lines] or rec.verdict != analysis.sensitivity.verdict
    sens = analysis.sensitivity.model_copy(update={
        "basis": words.switching_basis(analysis.sensitivity.verdict, withheld), "withheld": withheld,
    })
    conf = conf.model_copy(update={
        "verdict": rec.verdict, "agreement": _share_of(conf.overall, rec.verdict),
    })
    return rec, replaced(analysis, sensitivity=sens, confidence=conf)


def analyse(decider: Decider, case: Case, *, draws: int | None = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
            progress: Progress | None = None) -> Analysis:
    """Switching values, and (unless draws is None) confidence from `draws` draws with `seed`."""
    params = decider.rulebook.parameters.in_force(case.decision_date)
    verdicts = Verdicts(decider)
    base = verdicts.outcome(case, params)
    if base is None:
        raise ValueError("the case cannot be measured")
    sens = sensitivity(verdicts, case, params, base)
    conf = confidence(verdicts, case, params, base, draws, seed, progress) if draws else None
    return Analysis(sens, conf)
