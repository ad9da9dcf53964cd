"""Recommendation to briefing HTML: a view of ready-printed strings, poured into Jinja2 templates.

Every figure is formatted here, by `figures`, from the Recommendation and its parameters;
the templates only place strings (autoescaped), so a template never computes or formats a
number, and text from a case file can never become markup.
"""
from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import charts
from .. import figures as fig
from .. import wording
from ..resources import default_templates_dir
from ..measures import LineMeasures, OptionMeasures
from .pdf import pdf_dates_meta
from ..recommendation import LineRecommendation, Reason, Recommendation
from ..analysis import words
from ..analysis.analyse import Analysis

TEMPLATE = "briefing.html.j2"

OVERALL = {"join": "Join", "join-in-part": "Join in part", "go-alone": "Go alone", "refer": "Refer to the board"}
LINE = {"join": "Join", "go-alone": "Go alone", "refer": "Refer to the board"}
SUPPORTS = {"join": "for joining", "go-alone": "for going alone", "refer": "for referring", None: "background"}
# What a rule concluded, for the trace: conditions and risks are printed in full in section 3.
CONCLUDED = {"finding": "finding: {}", "verdict": "verdict: {}", "condition": "attaches a condition",
             "risk": "raises a risk"}
MET = {"yes": "Met", "partly": "Partly met", "no": "Not met"}


@dataclass(frozen=True)
class Row:
    """A row of the options table: a label, the offer's cell, going alone's cell, small print under each."""

    label: str
    offer: str
    go_alone: str
    offer_note: str = ""
    go_alone_note: str = ""
    strong: bool = False


@dataclass(frozen=True)
class Chart:
    """An SVG chart as a data: URI, with the text alternative a screen reader reads."""

    src: str
    alt: str
    caption: str


@dataclass(frozen=True)
class ReasonView:
    """A reason as printed: its sentence, rule id, source, which way it argues, whether it decided, and its standing."""

    text: str
    rule_id: str
    source: str
    supports: str
    decisive: bool
    standing: str  # for another consideration: what it argued for and what outweighed it


@dataclass(frozen=True)
class Requirement:
    """A requirement as printed: name, essential or not, whether each option meets it, note."""

    name: str
    essential: str
    status: str
    met: str
    note: str
    go_alone_status: str = ""
    go_alone_met: str = ""


@dataclass(frozen=True)
class LineView:
    """One service line, every string the briefing prints about it."""

    name: str
    anchor: str
    offer: str
    verdict: str
    verdict_key: str
    decided_by: str
    decisive: str
    cost_offer: str
    cost_go_alone: str
    time_offer: str
    time_go_alone: str
    needed: str
    needed_in: str
    reasons: list[ReasonView]  # why the verdict: the deciding stage's rules
    others: list[ReasonView]  # everything else that fired: outweighed verdicts, then considerations
    basis: str  # how the order of precedence settled the line
    rows: list[Row]
    quality_rows: list[Row]
    value_rows: list[Row]
    requirements: list[Requirement]
    requirements_summary: str
    charts: list[Chart]
    bias_notes: list[str]


@dataclass(frozen=True)
class Item:
    """A condition, risk or open question, with its service line and the rule that raised it."""

    line: str
    text: str
    rule_id: str


@dataclass(frozen=True)
class Ask:
    """Something the board is asked to do, with the items it covers (shown on page 1)."""

    text: str
    items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Assumption:
    """A parameter or per-case assumption as printed in Annex A."""

    name: str
    description: str
    value: str
    since: str
    source: str


@dataclass(frozen=True)
class TraceRow:
    """A rule that fired, as printed in Annex B."""

    number: int
    rule_id: str
    title: str
    line: str
    layer: int
    concluded: str
    values: list[str]


@dataclass(frozen=True)
class View:
    """The whole briefing as strings, in reading order."""

    title: str
    question: str
    organisation: str
    marking: str
    offers: str
    decision_date: str
    need_by: str
    verdict: str
    verdict_key: str
    summary: str
    asks: list[Ask]
    notes: str
    lines: list[LineView]
    conditions: list[Item]
    risks: list[Item]
    watch: list[Item]
    assumptions: list[Assumption]
    line_assumptions: list[Assumption]
    trace: list[TraceRow]
    provenance: list[tuple[str, str]]
    attachments: list[tuple[str, str]] = field(default_factory=list)
    dates_meta: str = ""
    sure: "SureView | None" = None


@dataclass(frozen=True)
class SureView:
    """Section 4, how sure are we: switching values, the tornado, the shares of draws, what to firm up."""

    estimates: list[str]  # switching-value sentences on the case's figures, smallest move first
    basis: str  # where the advice is decided on the draws, what the switching values are worked on
    withheld: bool  # the draws changed the advice: the switching values describe the other, and are not shown
    parameters: list[str]  # on the rulebook's parameters, apart
    no_switch: str  # the inputs with none between half and twice today's figure, in words
    tornado: Chart | None
    statement: str
    shares: Chart | None
    drawn: str  # how the ranges were drawn
    firm_up: list[tuple[str, str]]  # (figure, value in words), largest first
    advice: str


def _svg_uri(svg: str) -> str:
    # A data: URI is decoded by the PDF renderer's fetcher in memory: no file, no network.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _money_note(option: OptionMeasures) -> str:
    npc = option.npc
    # A range too narrow to show at the briefing's precision ("£13.9m to £13.9m") says nothing.
    if fig.pounds(npc.low, millions=npc.high >= 1_000_000) == fig.pounds(npc.high, millions=npc.high >= 1_000_000):
        return ""
    return fig.span(npc, "pounds")


NATURE = {
    "running service": "a service already running",
    "framework call-off": "a framework call-off",
    "to be built": "still to be built",
    "status quo": "the status quo",
}


EVIDENCE = {
    "audited accounts": "audited accounts",
    "firm quote": "a firm quote",
    "market sounding": "a market sounding",
    "estimate": "an estimate",
}


def _uplifts(option: OptionMeasures) -> str:
    b = option.bias
    return f"{fig.percent(b.one_off)}, {fig.percent(b.running)}, {fig.percent(b.duration)}"


def _why_uplift(option: OptionMeasures) -> str:
    """Which uplift applied to an option and why: its reference class and evidence, or the case's own reason."""
    b = option.bias
    if b.reason:
        return f"the case's own evidence: {b.reason.rstrip('.')}"
    duration = f"; time: {b.duration_class}" if b.duration_class else ""
    return (f"{NATURE[b.nature]} on {EVIDENCE[b.evidence]} (mitigates {fig.percent(b.mitigation)}); "
            f"classes: one-off {b.one_off_class}, running outsourcing, operating{duration}")


def _bias_cell(option: OptionMeasures) -> tuple[str, str]:
    b = option.bias
    if b.risk_register and b.risk_register >= b.amount:
        return fig.pounds(option.optimism_bias), f"costed risks {fig.pounds(b.risk_register)} displace the uplift"
    if b.risk_register:
        return fig.pounds(option.optimism_bias), (f"costed risks {fig.pounds(b.risk_register)} and "
                                                  f"{fig.pounds(b.residual)} of uplift")
    return fig.pounds(option.optimism_bias), _uplifts(option)


def _period_note(m: LineMeasures, option: OptionMeasures, is_offer: bool) -> str:
    notes = [f"figures: {option.bias.evidence}"]
    if is_offer:
        relets = "" if m.contract_years >= m.appraisal_years else ", re-let"
        notes.append(f"{fig.figure(m.contract_years, 'years')} contract{relets}")
    if option.asset_life_years:
        notes.append(f"refreshed every {fig.figure(option.asset_life_years, 'years')}")
    return "; ".join(notes)


def _per_seat(option: OptionMeasures, peers: str) -> str:
    quoted = f"{fig.pounds(option.cost_per_seat_before_bias)} a seat before optimism bias"
    return f"{quoted}; {peers}" if peers else quoted


def _rows(m: LineMeasures) -> list[Row]:
    go, offer = m.go_alone, m.offer
    peers = ""
    if m.peer_median_price is not None and m.discount_on_peer_price is not None:
        below = m.discount_on_peer_price >= 0
        peers = (f"{fig.percent(abs(m.discount_on_peer_price))} {'below' if below else 'above'} the "
                 f"{fig.pounds(m.peer_median_price)} peers pay")
    period = fig.figure(m.appraisal_years, "years")
    offer_bias, go_bias = _bias_cell(offer), _bias_cell(go)
    rows = [
        Row(f"What the option is, appraised over {period}", NATURE[offer.bias.nature], NATURE[go.bias.nature],
            _period_note(m, offer, True), _period_note(m, go, False)),
        Row("Running cost a year, optimism bias included", fig.figure(offer.annual_cost, "pounds"),
            fig.figure(go.annual_cost, "pounds"), _per_seat(offer, peers), _per_seat(go, "")),
        Row("One-off costs (year 0), optimism bias included", fig.figure(offer.one_off_costs, "pounds"),
            fig.figure(go.one_off_costs, "pounds"), "onboarding"),
        Row("Late: after the date needed, before in service", fig.pounds(offer.bridging_cost),
            fig.pounds(go.bridging_cost), _gap(offer), _gap(go)),
        *_unless_nil("Re-letting the contract at each term's end", offer.reprocurement_cost, go.reprocurement_cost),
        *_unless_nil("Committed after the need ends (to the term or break)", offer.committed_after_period,
                     go.committed_after_period),
        Row("Exit at the end of the period", fig.pounds(offer.exit_cost), fig.pounds(go.exit_cost)),
        *_unless_nil("Residual value credited", offer.residual_value, go.residual_value),
        Row("Optimism bias or costed risks (uplifts: one-off, running, time)", offer_bias[0], go_bias[0], offer_bias[1], go_bias[1]),
        Row("Whole-life net present cost, expected", fig.pounds(offer.npc_mean), fig.pounds(go.npc_mean),
            _money_note(offer), _money_note(go), strong=True),
        Row(f"Months to service, optimism bias included (needed in {fig.months(m.months_to_need)})",
            fig.months(offer.months_to_service.likely), fig.months(go.months_to_service.likely),
            _in_time(offer, m), _in_time(go, m), strong=True),
        Row("Mean quality score (0 to 5)", fig.score(offer.quality_score), fig.score(go.quality_score), strong=True),
    ]
    if any(d.minimum is not None for d in m.quality_by_dimension):
        rows.append(Row("Below a must-have minimum", offer.failed_minimums or "none", go.failed_minimums or "none"))
    return rows


def _gap(option: OptionMeasures) -> str:
    """What covers an option's late months: nothing lawful is a gap, priced at its own cost, not a bridge."""
    if not option.late_months:
        return ""
    return "a gap: no lawful cover" if option.gap_unbridgeable else "lawfully bridged"


def _in_time(option: OptionMeasures, m: LineMeasures) -> str:
    months = option.months_to_service
    when = "in time" if months.likely <= m.months_to_need else "too late"
    return when if months.is_exact else f"{fig.span(months, 'months')}; {when}"


def _unless_nil(label: str, offer: float, go_alone: float) -> list[Row]:
    """A row of two amounts, left out where both are nil (most lines have no residual value)."""
    return [Row(label, fig.pounds(offer), fig.pounds(go_alone))] if offer or go_alone else []


def _value_rows(m: LineMeasures) -> list[Row]:
    """The value-for-money comparison in pounds, and what joining is worth to the rest of the pool."""
    ahead = "going alone" if m.go_alone_advantage > 0 else "the offer"
    rows = [
        Row("Value of going alone's better or worse quality", "", fig.pounds(m.quality_value)),
        Row("Value for money of going alone over the offer", "", fig.pounds(m.go_alone_advantage),
            "", f"favours {ahead}; {fig.pounds(m.go_alone_advantage_low)} to "
                f"{fig.pounds(m.go_alone_advantage_high)}", strong=True),
    ]
    if m.pool_saving:
        rows.append(Row("Saving to the rest of the pool from joining", fig.pounds(m.pool_saving), "",
                        f"to the Exchequer; {fig.pounds(m.pool_social_saving)} of it a saving to society", ""))
    return rows


def _quality_rows(m: LineMeasures) -> list[Row]:
    """The scores dimension by dimension, in one row: a row each would push the briefing past six pages."""
    dims = m.quality_by_dimension
    if not dims:
        return []
    names = ", ".join(d.dimension.replace("_", " ") for d in dims)
    return [Row(names[:1].upper() + names[1:], ", ".join(fig.score(d.offer) for d in dims),
                ", ".join(fig.score(d.go_alone) for d in dims))]


def _requirements(m: LineMeasures) -> tuple[list[Requirement], str]:
    rows = [Requirement(r.name, "essential" if r.essential else "", MET[r.met], r.met, r.note,
                        MET[r.met_by_go_alone], r.met_by_go_alone)
            for r in m.requirement_status]
    if not m.requirements:
        return rows, "No specific requirements listed."
    parts = [text for n, text in ((m.requirements_met, f"meets {fig.number(m.requirements_met)}"),
                                  (m.requirements_partly_met, f"meets {fig.number(m.requirements_partly_met)} in part"),
                                  (m.requirements_unmet, f"does not meet {fig.number(m.requirements_unmet)}")) if n]
    listed = "the requirement" if m.requirements == 1 else f"the {fig.count(m.requirements, 'requirement')}"
    return rows, f"Of {listed} listed, the offer {fig.and_list(parts)}."


def _reason(r: Reason) -> ReasonView:
    return ReasonView(wording.sentence(r), r.rule_id, r.source, SUPPORTS.get(r.supports, "background"),
                      r.role == "why", wording.standing(r))


def _decisive(lr: LineRecommendation) -> str:
    """The line's decisive reason for page one: the deciding rule's, or how the stage's disagreement settled it."""
    if lr.disagreement or lr.decided_by is None:
        text = wording.basis(lr)
        return text[:1].upper() + text[1:] + "."
    return wording.sentence(lr.why[0])


def _line(rec: Recommendation, lr: LineRecommendation, m: LineMeasures, index: int) -> LineView:
    offer_name = lr.offer or "the offer"
    requirements, req_summary = _requirements(m)
    need = fig.date(m.need_by)
    bias_notes = [f"Optimism bias (Mott MacDonald 2002, Table 2) on the offer: {_why_uplift(m.offer)}. "
                  f"On going alone: {_why_uplift(m.go_alone)}."]
    cost_alt = (f"Expected whole-life net present cost over {fig.figure(m.appraisal_years, 'years')}: the shared "
                f"offer {fig.pounds(m.offer.npc_mean)} of which optimism bias {fig.pounds(m.offer.optimism_bias)}, "
                f"going alone {fig.pounds(m.go_alone.npc_mean)} of which optimism bias "
                f"{fig.pounds(m.go_alone.optimism_bias)}.")
    time_alt = (f"Months until the service could start: the shared offer {fig.months(m.offer.months_to_service.likely)}"
                f", going alone {fig.months(m.go_alone.months_to_service.likely)}; needed by {need}, "
                f"{fig.months(m.months_to_need)} after the decision.")
    return LineView(
        name=lr.service_line,
        anchor=f"line-{index + 1}",
        offer=f"{offer_name} ({lr.supplier})" if lr.supplier else offer_name,
        verdict=LINE[lr.verdict],
        verdict_key=lr.verdict,
        decided_by=lr.decided_by or "",
        decisive=_decisive(lr),
        cost_offer=fig.pounds(m.offer.npc_mean),
        cost_go_alone=fig.pounds(m.go_alone.npc_mean),
        time_offer=fig.number(m.offer.months_to_service.likely),
        time_go_alone=fig.number(m.go_alone.months_to_service.likely),
        needed=need,
        needed_in=f"in {fig.months(m.months_to_need)}",
        reasons=[_reason(r) for r in lr.why],
        others=[_reason(r) for r in lr.others],
        basis=wording.basis(lr),
        rows=_rows(m),
        value_rows=_value_rows(m),
        quality_rows=_quality_rows(m),
        requirements=requirements,
        requirements_summary=req_summary,
        charts=[
            Chart(_svg_uri(charts.whole_life_cost(m, offer_name)), cost_alt,
                  "Net present cost, expected; hatched: optimism bias or costed risks; whiskers: low to high."),
            Chart(_svg_uri(charts.timeline(m, offer_name)), time_alt,
                  "Likely months; pale: up to the high estimate; white tick: low estimate; dashed: the date needed."),
        ],
        bias_notes=bias_notes,
    )


def _the(n: int, noun: str) -> str:
    """"the condition", "the 3 conditions"."""
    return f"the {noun}" if n == 1 else f"the {fig.count(n, noun)}"


ON_PAGE_ONE = 3  # conditions or risks listed under each ask; more would push the summary past page 1


def _first(items: list, noun: str) -> list[str]:
    shown = [f"{i.service_line}: {wording.sentence(i)}" for i in items[:ON_PAGE_ONE]]
    if len(items) > ON_PAGE_ONE:
        shown.append(f"and {fig.count(len(items) - ON_PAGE_ONE, 'more ' + noun)} in section 3.")
    return shown


def _asks(rec: Recommendation) -> list[Ask]:
    summary = wording.summary(rec)
    asks = [Ask(f"Agree the recommendation: {summary[:1].lower() + summary[1:]}")]
    if rec.conditions:
        asks.append(Ask(f"Attach {_the(len(rec.conditions), 'condition')} to joining (section 3):",
                        _first(rec.conditions, "condition")))
    if rec.risks:
        asks.append(Ask(f"Note {_the(len(rec.risks), 'risk')} (section 3) and name who will manage each:",
                        _first(rec.risks, "risk")))
    if rec.verdict == "refer":
        asks.append(Ask("Decide the referred service lines, or ask for the evidence section 1 says is missing."))
    return asks


def _watch(rec: Recommendation) -> list[Item]:
    """What remains to be seen about the offer's quality and adaptability, from the figures of the lines not kept in house."""
    items = []
    for lr, m in zip(rec.lines, rec.measures.lines):
        if m.quality_dimensions == 0:
            items.append(Item(lr.service_line, "Quality is not scored for either option.", ""))
        if lr.verdict == "go-alone":
            continue  # the offer's gaps are moot for a line kept in house: listing them would contradict its verdict
        weaker = [d.dimension.replace("_", " ") for d in m.quality_by_dimension
                  if d.offer is not None and d.go_alone is not None and d.offer < d.go_alone]
        if weaker:
            items.append(Item(lr.service_line, "The offer scores below going alone on " + ", ".join(weaker) + ".", ""))
        if m.partly_met_requirements:
            items.append(Item(lr.service_line, f"Met only in part: {m.partly_met_requirements}.", ""))
        if m.unmet_requirements:
            items.append(Item(lr.service_line, f"Not met: {m.unmet_requirements}.", ""))
    return items


def _trace(rec: Recommendation) -> list[TraceRow]:
    return [
        TraceRow(i + 1, t.rule_id, t.title, t.service_line, t.layer,
                 "; ".join(CONCLUDED[k].format(v) for k, v in t.concluded.items() if k in CONCLUDED),
                 [f"{v.name} = {v.shown}" for v in t.values])
        for i, t in enumerate(rec.trace)
    ]


def _assumptions(rec: Recommendation) -> list[Assumption]:
    return [Assumption(p.name, p.description, fig.figure(p.value, p.unit), fig.date(p.since), p.source)
            for p in rec.parameters.values()]


def _line_assumptions(rec: Recommendation) -> list[Assumption]:
    rows = []
    for lr, m in zip(rec.lines, rec.measures.lines):
        name = lr.service_line.lower()
        for side, option in (("going alone", m.go_alone), ("the offer", m.offer)):
            b = option.bias
            source = f"The case file: {b.reason}" if b.reason else (
                f"The rulebook's bounds (above) for {NATURE[b.nature]}, mitigated by {b.evidence}")
            rows.append(Assumption(
                f"Optimism bias, {name}, {side}",
                "Uplifts on one-off costs, running costs and months to service.",
                f"{fig.percent(b.one_off)}, {fig.percent(b.running)}, {fig.percent(b.duration)}", "this case", source))
        if m.appraisal_years_stated:  # else appraisal_period_years, above, applies
            rows.append(Assumption(
                f"Appraisal period, {name}", "How long the service is needed: the years appraised for both options.",
                fig.figure(m.appraisal_years, "years"), "this case", "The case file"))
    return rows


# Switching values shown in the briefing, smallest move first; the JSON has all of them.
SWITCHES_SHOWN = 6
PARAMETER_SWITCHES_SHOWN = 3
FIRM_UP_SHOWN = 4


def _sure(analysis: Analysis) -> SureView:
    """Section 4 from the analysis: the sentences it wrote, and its two charts."""
    sens, conf = analysis.sensitivity, analysis.confidence
    estimates = [v.sentence for v in sens.estimates[:SWITCHES_SHOWN]]
    tornado = Chart(_svg_uri(charts.tornado(sens.swings, sens.advantage)),
                    "Tornado chart: going alone's value for money over joining as each figure moves",
                    "How far each figure, from half to twice today's (scores 0 to 5), moves going alone's value for "
                    "money over joining, less the margin the presumption asks it to clear, all lines together: dark bars "
                    "at the high end, light at the low end. The black line is today's value; a bar crossing the red "
                    "line (going alone just clearing the margin) can change the comparison.") \
        if sens.swings and (sens.estimates or (conf is not None and conf.agreement < 1)) else None
    # No figure of the case switches the advice and every draw agrees: the sentences say so, and a page is saved.
    shares = None
    # Every line one verdict in every draw: the statement says it all, a solid bar would add nothing.
    if conf is not None and conf.draws and any(len(line.shares) > 1 for line in conf.lines):
        lines = [(line.service_line, [(s.verdict, s.share) for s in line.shares]) for line in conf.lines]
        shares = Chart(_svg_uri(charts.verdict_shares(lines)), "Bar chart: share of draws giving each verdict, per line",
                       f"Each service line's verdicts across {conf.draws:,} draws of the case's ranges (seed {conf.seed}).")
    return SureView(
        estimates=estimates,
        basis=sens.basis,
        withheld=sens.withheld,
        parameters=[v.sentence for v in sens.parameters[:PARAMETER_SWITCHES_SHOWN]],
        no_switch=fig.count(len(sens.no_switch), "other figure or parameter", "other figures and parameters"),
        tornado=tornado,
        statement=conf.statement if conf else "The ranges were not drawn for this briefing.",
        shares=shares,
        drawn=(f"Ranges drawn as {conf.distribution.upper() if conf.distribution == 'pert' else conf.distribution}, "
               f"low and high read as {conf.ends.replace('_', ' and ').replace('p10', 'P10').replace('p90', 'P90')}; "
               f"{conf.dependence}. The discount rate is never drawn.") if conf and conf.draws else "",
        firm_up=[(u.label[:1].upper() + u.label[1:], fig.pounds(u.value)) for u in (conf.firm_up if conf else [])
                 if u.value > 0][:FIRM_UP_SHOWN],
        advice=conf.advice if conf else "",
    )


def _firm_up_ask(analysis: Analysis | None) -> list[Ask]:
    """Page 1: the figure or two worth firming up before signing, with what knowing them would be worth."""
    conf = analysis.confidence if analysis else None
    worth = words.worth_firming_up(conf.firm_up) if conf else []
    if not worth:
        return []
    value = fig.pounds(sum(u.value for u in worth))
    return [Ask(f"Before signing, have {fig.and_list([u.label for u in worth])} firmed up: knowing "
                f"{'it' if len(worth) == 1 else 'them'} exactly would be worth about {value} to this decision "
                "(section 4). If a firm figure passes its switching value, bring the decision back to the board.")]


def view(rec: Recommendation, attachments: list[tuple[str, str]] | None = None,
         analysis: Analysis | None = None) -> View:
    """The briefing's view model: every string it prints, formatted from the Recommendation."""
    p = rec.provenance
    offers = fig.and_list([lr.offer for lr in rec.lines if lr.offer] or ["the shared service"], unique=True)
    lines = [_line(rec, lr, m, i) for i, (lr, m) in enumerate(zip(rec.lines, rec.measures.lines))]
    return View(
        title=f"Briefing: should {rec.organisation} join {offers}?",
        question=f"Should {rec.organisation} join {offers}?",
        organisation=rec.organisation,
        marking=rec.protective_marking,
        offers=fig.and_list(rec.offers),
        decision_date=fig.date(rec.decision_date),
        need_by=fig.date(rec.need_by),
        verdict=OVERALL[rec.verdict],
        verdict_key=rec.verdict,
        summary=wording.summary(rec),
        asks=_asks(rec) + _firm_up_ask(analysis),
        notes=rec.notes,
        lines=lines,
        conditions=[Item(c.service_line, wording.sentence(c), c.rule_id) for c in rec.conditions],
        risks=[Item(r.service_line, wording.sentence(r), r.rule_id) for r in rec.risks],
        watch=_watch(rec),
        assumptions=_assumptions(rec),
        line_assumptions=_line_assumptions(rec),
        trace=_trace(rec),
        provenance=[
            ("Case file", p.case_file),
            ("Case file SHA-256", p.case_sha256),
            ("Rulebook", p.rulebook),
            ("Rulebook SHA-256", p.rulebook_sha256),
            ("joinup version", p.joinup_version),
            ("Decision date", fig.date(p.decision_date)),
        ],
        attachments=attachments or [],
        dates_meta=pdf_dates_meta(rec.decision_date),
        sure=_sure(analysis) if analysis else None,
    )


@functools.lru_cache(maxsize=8)
def environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment for a templates folder: autoescaped, strict about undefined names."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,  # every template, whatever its name: case-file text is never markup
        auto_reload=False,  # loaded once per process: a template edited mid-run cannot mix with the old view
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(
    rec: Recommendation,
    templates_dir: Path | None = None,
    attachments: list[tuple[str, str]] | None = None,
    analysis: Analysis | None = None,
) -> str:
    """The briefing as HTML, from the templates folder (the shipped one by default)."""
    directory = (templates_dir or default_templates_dir()).resolve()
    return environment(directory).get_template(TEMPLATE).render(b=view(rec, attachments, analysis))
