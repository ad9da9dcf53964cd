"""Charts for the briefing: vector SVG drawn by matplotlib in this process, byte-for-byte reproducible.

Each chart reads one service line's measures and returns SVG text; nothing is fetched and
nothing is written. Labels are formatted by `figures`, as the rest of the briefing is.
Reproducible: a fixed `svg.hashsalt` (element ids), no date in the metadata, text kept as
text (`svg.fonttype: none`, so the PDF's own font draws it and it stays searchable), and
every text drawn as plain text, never math text (`text.parse_math: False`).
"""
from __future__ import annotations

import functools
import io
import textwrap

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import figures
from ..measures import LineMeasures

# GOV.UK design system colours: they print well and are told apart by people with colour-blindness.
OFFER = "#1d70b8"
GO_ALONE = "#505a5f"
BIAS = "#b1b4b6"
NEED = "#d4351c"
TEXT = "#0b0c0c"
CM = 1 / 2.54

_STYLE = {
    "svg.hashsalt": "joinup",
    # Labels come from the case (offer names): plain text, never TeX or math text, where a `$`
    # would start a formula ("£5 to $10 or $20" loses its dollars; "$^$" is an error).
    "text.parse_math": False,
    "text.usetex": False,
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 7,
    "axes.edgecolor": "#b1b4b6",
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _styled(draw):
    """Run a chart function inside the briefing's style, set once per chart (each rc_context copies rcParams)."""

    @functools.wraps(draw)
    def styled(*args, **kwargs) -> str:
        with matplotlib.rc_context(_STYLE):
            return draw(*args, **kwargs)

    return styled


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=None)
    return buffer.getvalue()


def _figure(width_cm: float = 8.3, height_cm: float = 4.4) -> Figure:
    # Figure() without pyplot: no global state, no GUI backend, safe in worker processes.
    fig = Figure(figsize=(width_cm * CM, height_cm * CM))
    # Fixed margins rather than a layout engine: as legible, and several times faster.
    fig.subplots_adjust(left=0.31, right=0.96, top=0.86, bottom=0.2)
    return fig


def _short(name: str, width: int = 15, lines: int = 3) -> str:
    """A long offer name wrapped to fit the label column, cut short with an ellipsis past `lines`."""
    wrapped = textwrap.wrap(name, width) or [name]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = textwrap.shorten(wrapped[-1] + " …", width, placeholder=" …")
    return "\n".join(wrapped)


def _label(ax, offer_name: str, offer_value: str, go_alone_value: str) -> None:
    # Each bar's figure sits in its label, where no line or bar can run over it.
    ax.set_yticks([1, 0], [f"{_short(offer_name)}\n{offer_value}", f"Going alone\n{go_alone_value}"])
    ax.tick_params(axis="y", length=0)
    for tick in ax.get_yticklabels():
        tick.set_fontweight("bold")


@_styled
def whole_life_cost(line: LineMeasures, offer_name: str) -> str:
    """Bars of each option's expected whole-life net present cost, optimism bias hatched, whiskers low to high."""
    fig = _figure()
    ax = fig.add_subplot()
    go, offer = line.go_alone, line.offer
    for pos, option, colour in ((1, offer, OFFER), (0, go, GO_ALONE)):
        before = option.npc_mean - option.optimism_bias
        ax.barh(pos, before, color=colour, height=0.55)
        ax.barh(pos, option.optimism_bias, left=before, color=BIAS, height=0.55, hatch="////",
                edgecolor="white", linewidth=0)
        npc = option.npc
        if not npc.is_exact:
            mid = min(max(option.npc_mean, npc.low), npc.high)
            ax.errorbar(mid, pos, xerr=[[mid - npc.low], [npc.high - mid]], fmt="none",
                        ecolor=TEXT, elinewidth=0.8, capsize=2.5)
    top = max(offer.npc.high, go.npc.high, offer.npc_mean, go.npc_mean, 1.0)
    _label(ax, offer_name, figures.pounds(offer.npc_mean), figures.pounds(go.npc_mean))
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlim(0, top * 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: figures.pounds(v, millions=top >= 1_000_000)))
    ax.set_title(f"Whole-life cost over {figures.figure(line.appraisal_years, 'years')}", loc="left",
                 fontsize=8, fontweight="bold", color=TEXT)
    return _svg(fig)


@_styled
def timeline(line: LineMeasures, offer_name: str) -> str:
    """Months from the decision until each route could be in service, against the date the line is needed by."""
    fig = _figure()
    ax = fig.add_subplot()
    spans = [(1, line.offer.months_to_service, OFFER), (0, line.go_alone.months_to_service, GO_ALONE)]
    need = line.months_to_need
    top = max(need, *(m.high for _, m, _ in spans), 1.0)
    for pos, months, colour in spans:
        ax.barh(pos, months.likely, color=colour, height=0.55)
        if months.high > months.likely:
            ax.barh(pos, months.high - months.likely, left=months.likely, color=colour, alpha=0.3, height=0.55)
        if months.low < months.likely:
            ax.plot([months.low, months.low], [pos - 0.27, pos + 0.27], color="white", linewidth=1.2)
    ax.axvline(need, color=NEED, linewidth=1.4, linestyle="--")
    # The label runs right of the line while there is room, else left of it, above the offer's bar.
    right = need < top * 0.55
    ax.text(need + top * (0.01 if right else -0.01), 1.47, f"needed by {figures.date(line.need_by)}", color=NEED,
            va="top", ha="left" if right else "right", fontweight="bold", fontsize=7)
    _label(ax, offer_name, figures.months(line.offer.months_to_service.likely),
           figures.months(line.go_alone.months_to_service.likely))
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlim(0, top * 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.set_title("Months to service", loc="left", fontsize=8, fontweight="bold", color=TEXT)
    return _svg(fig)


@_styled
def tornado(swings: list, today: float) -> str:
    """Going alone's advantage over joining, less the margin it must clear, as each figure runs across its plausible
    range: widest swing on top. Nought is where going alone just clears the margin."""
    height = 1.6 + 0.45 * max(len(swings), 1)
    fig = Figure(figsize=(17 * CM, height * CM))
    fig.subplots_adjust(left=0.47, right=0.97, top=1 - 0.8 / height, bottom=1.0 / height)
    ax = fig.add_subplot()
    top = max([abs(today), 1.0] + [abs(v) for s in swings for v in (s.at_low, s.at_high)])
    for pos, s in enumerate(reversed(swings)):
        for end, colour in ((s.at_low, BIAS), (s.at_high, GO_ALONE)):
            ax.barh(pos, end - today, left=today, color=colour, height=0.6)
    labels = [textwrap.shorten(s.label[:1].upper() + s.label[1:], 62, placeholder=" …") for s in reversed(swings)]
    ax.set_yticks(range(len(swings)), labels)
    ax.tick_params(axis="y", length=0)
    ax.axvline(today, color=TEXT, linewidth=0.8)
    ax.axvline(0, color=NEED, linewidth=1.2, linestyle="--")
    ax.set_xlim(-top * 1.05, top * 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: figures.pounds(v, millions=top >= 1_000_000)))
    ax.set_title("Going alone's value for money beyond its margin", loc="left", fontsize=8,
                 fontweight="bold", color=TEXT)
    return _svg(fig)


@_styled
def verdict_shares(lines: list[tuple[str, list[tuple[str, float]]]]) -> str:
    """Per service line, the share of draws giving each verdict, as one stacked bar."""
    colours = {"join": OFFER, "go-alone": GO_ALONE, "join-in-part": BIAS, "refer": NEED}
    height = 2.2 + 0.6 * len(lines)
    fig = Figure(figsize=(17 * CM, height * CM))
    fig.subplots_adjust(left=0.25, right=0.97, top=1 - 0.7 / height, bottom=1.5 / height)
    ax = fig.add_subplot()
    seen: set[str] = set()
    for pos, (name, shares) in enumerate(reversed(lines)):
        left = 0.0
        for verdict, share in shares:
            ax.barh(pos, share, left=left, color=colours.get(verdict, TEXT), height=0.6,
                    label=None if verdict in seen else verdict)
            if share >= 0.08:
                ax.text(left + share / 2, pos, figures.percent(share), ha="center", va="center", color="white",
                        fontsize=7, fontweight="bold")
            seen.add(verdict)
            left += share
    ax.set_yticks(range(len(lines)), [_short(n, 25, 2) for n, _ in reversed(lines)])
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
    # Below the percentages, clear of them: placed in figure coordinates, whatever the number of lines.
    fig.legend(loc="lower center", bbox_to_anchor=(0.61, 0.0), ncol=4, frameon=False, fontsize=7)
    ax.set_title("Share of draws giving each verdict", loc="left", fontsize=8, fontweight="bold", color=TEXT)
    return _svg(fig)
