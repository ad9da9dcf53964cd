"""The rulebook as a document a minister's office can read: `joinup rules doc`.

Generated from the rule files and parameters themselves (each condition put into plain
English from its parsed form), so the document cannot drift from what runs. Stamped as
generated, with the rulebook's hash; the same rulebook and date give the same bytes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .. import __version__
from ..briefing.pdf import html_to_pdf, pdf_dates_meta
from ..conditions import clauses
from ..conditions.plain import Describer, Plain, name_phrase
from ..documents import parse_text, read_text
from ..errors import RuleError
from ..figures import date as long_date
from ..figures import figure
from ..rulebook import PLACEHOLDER, Rule, Rulebook, rule_files
from ..write import check_outputs, write_output

TEMPLATE = "rulebook.html.j2"


@dataclass
class RuleEntry:
    rule: Rule
    plain: Plain
    parameters: list[str]
    terms: list[tuple[str, str]]


def _environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    return env


def _placeholders(catalogue: Any):
    """A filter writing each {placeholder} of a rule's text as the phrase for its figure, in brackets."""

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: f"[{name_phrase(m.group(1).strip(), catalogue)}]", text)

    return fill


def context(rulebook: Rulebook, on: dt.date) -> dict[str, Any]:
    """What the template needs: rules grouped by file, each with its plain-English condition and parameters."""
    describer = Describer(rulebook.catalogue)
    descriptions = {}
    for path in rule_files(rulebook.directory):
        document = parse_text(read_text(path, RuleError, "rule file"), str(path), RuleError)
        descriptions[str(path)] = (document or {}).get("description", "") if isinstance(document, dict) else ""
    groups: dict[str, list[RuleEntry]] = {}
    for r in rulebook.rules:
        used = list(dict.fromkeys(ref.path[6:] for ref in clauses.refs_in(r.condition) if ref.path.startswith("param.")))
        terms = []
        for ref in clauses.refs_in(r.condition):
            if ref.path.startswith("param.") or rulebook.catalogue.is_finding(ref.path):
                continue
            name = rulebook.catalogue.get(ref.path)
            terms.append((name_phrase(ref.path, rulebook.catalogue), name.description if name else ""))
        groups.setdefault(r.file, []).append(RuleEntry(r, describer.describe(r.condition), used, terms))
    parameters = []
    for name, p in rulebook.parameters.by_name.items():
        current = p.in_force(on)
        parameters.append(
            {
                "name": name,
                "phrase": name_phrase(f"param.{name}", rulebook.catalogue),
                "description": p.description,
                "unit": p.unit,
                "history": [
                    {
                        "from": v.from_,
                        "shown": figure(float(v.value), p.unit),
                        "source": v.source,
                        "in_force": current is v,
                    }
                    for v in sorted(p.values, key=lambda v: v.from_)
                ],
            }
        )
    stages = [
        {"stage": s, "rules": [r for r in rulebook.rules if r.spec.stage == s.id]} for s in rulebook.decision.stages
    ]
    return {
        "decision": rulebook.decision,
        "stages": stages,
        "groups": [
            {"file": Path(f).name, "title": Path(f).stem.replace("-", " ").capitalize(), "description": descriptions.get(f, ""), "rules": rules}
            for f, rules in groups.items()
        ],
        "parameters": parameters,
        "parameter_index": {p["name"]: p for p in parameters},
        "on": on,
        "sha256": rulebook.sha256,
        "version": __version__,
        "rule_count": len(rulebook.rules),
        "dates_meta": pdf_dates_meta(on),
    }


def rulebook_html(rulebook: Rulebook, templates: Path, on: dt.date) -> str:
    """The rulebook document as HTML (its CSS inline, so the file stands alone)."""
    env = _environment(templates)
    env.filters["figures"] = _placeholders(rulebook.catalogue)
    env.globals["loop_stage"] = lambda r: f"{r.stage + 1} ({rulebook.stage_title(r.stage)})"
    return env.get_template(TEMPLATE).render(**context(rulebook, on))


def rulebook_pdf(rulebook: Rulebook, templates: Path, on: dt.date) -> bytes:
    """The rulebook document as tagged PDF, dated `on` (never the clock), reading only the templates."""
    return html_to_pdf(rulebook_html(rulebook, templates, on), base_dir=templates, created=on)


def write_document(rulebook: Rulebook, templates: Path, output: Path, on: dt.date) -> Path:
    """Write HTML or PDF (by the file's suffix) without leaving a half-written file."""
    inputs = [rulebook.directory, templates]
    check_outputs([output], inputs)  # refused before the document is rendered
    data = rulebook_pdf(rulebook, templates, on) if output.suffix.lower() == ".pdf" else rulebook_html(rulebook, templates, on).encode()
    return write_output(output, data, inputs=inputs, make_folders=True)
