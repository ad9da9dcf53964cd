"""The analysis in words a board member reads: labels for inputs, switching-value sentences, confidence."""
from __future__ import annotations

from .. import figures
from ..conditions.plain import OWNERS
from .inputs import Input

_VERDICT = {
    "join": "joining would be recommended",
    "go-alone": "going alone would be recommended",
    "join-in-part": "joining in part would be recommended",
    "refer": "the case would be referred to the board",
}


def label(item: Input) -> str:
    """'going alone's annual running cost (Desktops)'; 'parameter go alone cost margin'."""
    where, _, path = item.name.partition(": ")
    if item.kind == "parameter":
        return f"the rulebook's {path.replace('_', ' ')}"
    parts = path.split(".")
    owner = OWNERS.get(parts[0])
    rest = [p.replace("_", " ") for p in (parts[1:] if owner else parts) if not p.isdigit()]
    numbered = [p for p in parts if p.isdigit()]
    text = " ".join(([owner] if owner else []) + rest)
    if numbered:
        text += f" (item {int(numbered[0]) + 1})"
    return f"{text} ({where})"


def amount(value: float, unit: str) -> str:
    """A figure as the briefing prints it (£2.8m, £280,000, 3.5%): the exact value is in the JSON beside it."""
    return figures.figure(int(value) if unit in ("seats", "count") else float(value), unit)


_LINE_VERB = {"join": "join", "go-alone": "go alone", "refer": "be referred to the board"}


def verdict_phrase(verdict: str) -> str:
    return _VERDICT.get(verdict, verdict)


def switching_sentence(item: Input, value: float, direction: str, move: float, verdict: str,
                       lines: dict[str, str], many_lines: bool) -> str:
    """'Going alone would be recommended if going alone's annual running cost (Desktops) fell below £2.77m (now £4.23m, a 35% fall).'"""
    then = verdict_phrase(verdict)
    if many_lines and lines:
        changes = figures.and_list([f"{name} would {_LINE_VERB.get(v, v)}" for name, v in lines.items()])
        then = f"{changes} (overall, {then.replace(' would be recommended', '')})"
    # A switch at the end of what a figure can be (a score of 0) is reached there, not passed.
    at_end = value == (item.bounds[0] if direction == "fall" else item.bounds[1])
    verb = ("fell to" if at_end else "fell below") if direction == "fall" else ("rose to" if at_end else "rose above")
    now = f"now {amount(item.value, item.unit)}" + (f", a {move * 100:.0f}% {direction}" if item.value else "")
    return f"{then[0].upper()}{then[1:]} if {label(item)} {verb} {amount(value, item.unit)} ({now})."


def share(fraction: float) -> str:
    return figures.percent(fraction)


def and_labels(items: list[Input]) -> str:
    return figures.and_list([label(i) for i in items])


def dependence(case) -> str:
    """How the inputs were drawn together, stated."""
    if not case.move_together:
        return "every range drawn independently of the others (the case declares none that move together)"
    groups = "; ".join(figures.and_list(g.inputs) + f" ({g.reason})" for g in case.move_together)
    return f"independent, except these, which move together (drawn at the same place in their ranges): {groups}"


def confidence_statement(shares: list[tuple[str, float]], n: int, interval: tuple[float, float]) -> str:
    """'Taking each of 1,000 draws of the case's ranges as if its figures were certain, the rules give go-alone in
    59% of the draws and join in 41% (simulation precision on the first: 56% to 62%).'

    The shares are what each draw would get, not the advice: the advice weighs them as the
    rulebook says (the presumption to join asks more than a majority), so the sentence says so.
    """
    parts = [f"{verdict} in {share(fraction)}" for verdict, fraction in shares]
    parts[0] += " of the draws"
    precision = "" if len(shares) == 1 else " on the first"
    return (f"Taking each of {n:,} draws of the case's ranges as if its figures were certain, the rules give "
            f"{figures.and_list(parts)} (simulation precision{precision}: {share(interval[0])} to "
            f"{share(interval[1])}). The advice weighs these shares as its reasons say.")


def referred_by(titles: list[str]) -> str | None:
    """'only the offer is in time, but it misses an essential requirement' (the commonest two, as a phrase)."""
    if not titles:
        return None
    return figures.and_list([t[:1].lower() + t[1:] for t in titles[:2]])


def switching_basis(verdict: str, withheld: bool) -> str:
    """What the switching values are worked on, where the advice given is decided on the draws."""
    if withheld:
        return (f"On the case's figures as given (expected values, and the least ends of the ranges taken together) "
                f"the advice would be {verdict}; the advice given is decided on the draws of the ranges instead, and "
                f"would change where the shares its reasons quote cross the rule owners' thresholds. Switching "
                f"values, worked on the figures as given, would describe the other advice, so they are not listed "
                f"here (the JSON record keeps them).")
    return ("Each is worked on the case's figures as given, one decision a step. The advice given also reads the "
            "draws of the ranges: a figure that moves the shares its reasons quote across the rule owners' "
            "thresholds can change it sooner than its switching value here says.")


# The figures a reader is asked to firm up: the board acts on one or two, not a list.
FIRM_UP_ASKED = 2


def worth_firming_up(ups) -> list:
    """The figures worth firming up before deciding, most valuable first: at most FIRM_UP_ASKED."""
    return [u for u in ups if u.worth_it][:FIRM_UP_ASKED]


def firm_up_advice(ups) -> str:
    """'Firm up going alone's annual running cost (Desktops) first: knowing it would be worth about £X to this decision.'"""
    worth = worth_firming_up(ups)
    if not worth:
        return ""
    first = worth[0]
    text = (f"Most of the doubt comes from {first.label}: firming it up would be worth about "
            f"{figures.pounds(first.value)} to this decision")
    if first.cost_stated:
        text += f", against about {figures.pounds(first.cost_to_firm_up)} to do it"
    text += "."
    if len(worth) > 1:
        text += f" Next, {worth[1].label} (about {figures.pounds(worth[1].value)})."
    return text
