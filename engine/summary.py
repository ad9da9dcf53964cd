"""The recommendation as plain text for a terminal: what `joinup decide` prints."""
from __future__ import annotations

import textwrap

from . import figures, wording
from .analysis.report import Confidence, Sensitivity
from .recommendation import Reason, Recommendation

WIDTH = 88


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _reason(reason: Reason) -> str:
    note = wording.standing(reason)
    return _wrap(f"- {wording.sentence(reason)} [{reason.rule_id}{'; ' + note if note else ''}]", "    ")


def summary_text(rec: Recommendation) -> str:
    """A readable summary: per line its verdict, why, and the other considerations; then conditions and risks."""
    out = [f"{rec.organisation}: {rec.verdict.upper()}", _wrap(wording.summary(rec), ""), ""]
    for line in rec.lines:
        out.append(_wrap(f"{line.service_line}: {line.verdict} ({wording.basis(line)})", ""))
        for title, reasons in (("Why", line.why), ("Other considerations", line.others)):
            if reasons:
                out.append(f"  {title}:")
                out.extend(_reason(r) for r in reasons)
        out.append("")
    for title, items in (("Conditions attached to joining", rec.conditions), ("Risks", rec.risks)):
        if items:
            out.append(f"{title}:")
            out.extend(_wrap(f"- {item.service_line}: {wording.sentence(item)} [{item.rule_id}]", "  ") for item in items)
            out.append("")
    out.append(
        f"Decided {rec.decision_date.isoformat()} under rulebook {rec.provenance.rulebook_sha256[:12]}; "
        f"{len(rec.trace)} rule firings traced (--json for the full record)."
    )
    return "\n".join(out)


def sure_text(sensitivity: Sensitivity, confidence: Confidence | None) -> str:
    """How sure the advice is: switching values (estimates, then the rulebook's parameters), then confidence."""
    out = ["How sure are we", "Switching values (the figures that would change the advice, each worked on the case's figures as given):"]
    if sensitivity.basis:
        out.append(_wrap(sensitivity.basis, "  "))
    if not sensitivity.withheld:  # withheld: sentences saying what would recommend the advice already given mislead
        for title, values in (("The case's figures", sensitivity.estimates),
                              ("The rulebook's parameters", sensitivity.parameters)):
            out.append(f"  {title}:")
            out.extend(_wrap(f"- {v.sentence}", "    ") for v in values)
            if not values:
                out.append("    - no switching value between half and twice today's figures")
        if sensitivity.no_switch:
            out.append(_wrap(f"  {len(sensitivity.no_switch)} other inputs have no switching value between half and "
                             "twice today's figure.", ""))
    if confidence is not None:
        out += ["", "Confidence:", _wrap(confidence.statement, "  ")]
        if confidence.draws:
            for line in confidence.lines:
                shares = ", ".join(f"{s.verdict} {figures.percent(s.share)}" for s in line.shares)
                out.append(_wrap(f"- {line.service_line}: {shares}", "  "))
            out.append(_wrap(f"Drawn: {confidence.distribution}, ends read as {confidence.ends}; {confidence.dependence}.", "  "))
        if confidence.advice:
            out.append(_wrap(f"What to firm up first: {confidence.advice}", "  "))
    return "\n".join(out)
