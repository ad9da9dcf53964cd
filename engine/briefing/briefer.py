"""The briefing: a Recommendation rendered to a PDF that carries its own evidence.

`brief(rec, case=..., rulebook=...)` returns the PDF bytes: the HTML from `render`, made a
tagged PDF by `pdf`, with the case file exactly as given, the Recommendation as JSON and
the rulebook's files attached, so `verify` can decide the case again from the PDF alone.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..analysis.analyse import DEFAULT_DRAWS, DEFAULT_SEED, Analysis, decide_sure
from ..api import Decider
from ..resources import default_templates_dir
from ..errors import BriefingError
from ..load import LoadedCase, load_case
from .pdf import Attachment, html_to_pdf
from ..recommendation import Recommendation
from .render import render_html
from ..rulebook import Rulebook
from ..write import check_outputs, write_outputs

RECOMMENDATION = "recommendation.json"
# The analysis (issue 11) as it was run: its draws and seed, so `verify` can run it again.
ANALYSIS = "analysis.json"
RULEBOOK_FOLDER = "rulebook/"
# A rulebook file name as `verify` will accept it back: no folders, no tricks.
SAFE_RULE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$")


def case_attachment_name(case_file: str) -> str:
    """The name the case file is attached under: its own, unless that is taken."""
    name = Path(case_file).name or "case.yaml"
    return f"case-{name}" if name == RECOMMENDATION else name


def analysis_json(analysis: Analysis, draws: int | None, seed: int) -> bytes:
    """The analysis as attached: how it was run (draws, seed), then what it found."""
    found = {
        "draws": draws,
        "seed": seed,
        "sensitivity": analysis.sensitivity.model_dump(mode="json"),
        "confidence": analysis.confidence.model_dump(mode="json") if analysis.confidence else None,
    }
    return json.dumps(found, indent=2, ensure_ascii=False).encode("utf-8")


def attachments(rec: Recommendation, case: bytes, rulebook_files: dict[str, bytes],
                analysis: bytes | None = None) -> list[Attachment]:
    """The evidence a briefing carries: case file, recommendation, its analysis, rulebook files (sorted by name)."""
    files = [
        Attachment(case_attachment_name(rec.provenance.case_file), case, "The case file, exactly as given."),
        Attachment(RECOMMENDATION, rec.model_dump_json(indent=2).encode("utf-8"),
                   "The recommendation as JSON: verdicts, reasons, trace, figures and parameters."),
    ]
    if analysis is not None:
        files.append(Attachment(ANALYSIS, analysis, "How sure the advice is: switching values, draws, seed, shares."))
    for name in sorted(rulebook_files):
        files.append(Attachment(RULEBOOK_FOLDER + name, rulebook_files[name],
                                f"Rulebook file {name}, as the case was decided under it."))
    return files


@dataclass(frozen=True)
class Briefing:
    """A rendered briefing: the HTML and the PDF made from it."""

    recommendation: Recommendation
    html: str
    pdf: bytes
    analysis: tuple[Analysis, int | None, int] | None = None  # the analysis shown, its draws and seed


def render(
    rec: Recommendation,
    *,
    case: bytes,
    rulebook: Rulebook | dict[str, bytes],
    templates_dir: Path | None = None,
    analysis: tuple[Analysis, int | None, int] | None = None,
) -> Briefing:
    """Render a recommendation (with its analysis, its draws and seed, if given) to HTML and PDF, attaching the case bytes and the rulebook's files.

    The evidence must be what the recommendation was decided from: case bytes (and a Rulebook)
    whose SHA-256 differs from the recommendation's provenance are refused.
    """
    provenance = rec.provenance
    if hashlib.sha256(case).hexdigest() != provenance.case_sha256:
        raise BriefingError("the case bytes given are not the ones this recommendation was decided from",
                            file=provenance.case_file)
    if isinstance(rulebook, Rulebook) and rulebook.sha256 != provenance.rulebook_sha256:
        raise BriefingError("the rulebook given is not the one this recommendation was decided under",
                            file=str(rulebook.directory))
    templates = (templates_dir or default_templates_dir()).resolve()
    files = rulebook.files if isinstance(rulebook, Rulebook) else rulebook
    found = analysis_json(*analysis) if analysis else None
    attached = attachments(rec, case, files, found)
    html = render_html(rec, templates, [(a.name, a.description) for a in attached], analysis[0] if analysis else None)
    pdf = html_to_pdf(html, base_dir=templates, created=rec.decision_date, attachments=attached)
    return Briefing(rec, html, pdf, analysis)


def brief(
    rec: Recommendation,
    *,
    case: bytes,
    rulebook: Rulebook | dict[str, bytes],
    templates_dir: Path | None = None,
    analysis: tuple[Analysis, int | None, int] | None = None,
) -> bytes:
    """The briefing PDF for a recommendation: `case` is the case file's exact bytes, `rulebook` what decided it."""
    return render(rec, case=case, rulebook=rulebook, templates_dir=templates_dir, analysis=analysis).pdf


class Briefer:
    """A Decider and the templates, ready to brief many cases in one process."""

    def __init__(self, rules: Path | str | Rulebook | None = None, templates_dir: Path | None = None,
                 draws: int | None = DEFAULT_DRAWS, seed: int = DEFAULT_SEED):
        self.decider = Decider(rules)
        self.templates_dir = templates_dir
        self.draws, self.seed = draws, seed

    def brief(self, loaded: LoadedCase) -> Briefing:
        """Decide a loaded case with its analysis (switching values, and draws of its ranges) and render its briefing."""
        self.decider.decide(loaded)  # a case that cannot be decided gets its located error before any analysis
        rec, analysis = decide_sure(self.decider, loaded, draws=self.draws, seed=self.seed)
        return render(rec, case=loaded.data, rulebook=self.decider.rulebook, templates_dir=self.templates_dir,
                      analysis=(analysis, self.draws, self.seed))

    def inputs(self, case_path: Path | str) -> list[Path]:
        """What a briefing is made from, which no output may replace: the case, the rulebook, the templates."""
        return [Path(case_path), self.decider.rulebook.directory, self.templates_dir or default_templates_dir()]

    def write(self, case_path: Path | str, pdf_path: Path | str, html_path: Path | str | None = None) -> Briefing:
        """Brief a case file and write the PDF (and the HTML, if asked) atomically."""
        targets = [Path(pdf_path)] + ([Path(html_path)] if html_path is not None else [])
        inputs = self.inputs(case_path)
        loaded = load_case(case_path)
        check_outputs(targets, inputs)  # refused before a second is spent rendering
        result = self.brief(loaded)
        contents = [result.pdf] + ([result.html.encode("utf-8")] if html_path is not None else [])
        write_outputs(list(zip(targets, contents)), inputs=inputs)
        return result


def brief_file(path: Path | str, rules: Path | str | None = None) -> bytes:
    """Decide a case file under a rulebook (the shipped one by default) and return its briefing PDF."""
    return Briefer(rules).brief(load_case(path)).pdf
