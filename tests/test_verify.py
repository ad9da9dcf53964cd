"""verify: decide a briefing's embedded case again under its embedded rulebook, and say what differs."""
from __future__ import annotations

import shutil

import pytest

from .conftest import CASES, ROOT
from engine.resources import default_templates_dir
from engine.briefing.briefer import attachments, brief
from engine.briefing.pdf import html_to_pdf
from engine.briefing.render import render_html
from engine.errors import BriefingError
from engine.briefing.verify import read_evidence, verify_pdf


@pytest.fixture(scope="module")
def urgent(briefings):
    """The urgent agency's briefing, its recommendation and case bytes."""
    b = briefings["urgent-agency"]
    return b.pdf, b.recommendation, (CASES / "urgent-agency.yaml").read_bytes()


def test_verify_when_the_briefing_is_as_made_holds(urgent):
    """An untouched briefing holds: the same verdict, reasons and figures come out again."""
    pdf, _, _ = urgent
    result = verify_pdf(pdf)
    assert result.holds
    assert result.differences == []
    assert result.decided.verdict == "join"


def test_verify_when_the_rulebook_given_differs_reports_the_changed_verdicts(urgent, tmp_path):
    """Under a rulebook without the urgency rules the agency goes alone, and verify says so per line."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    (rules / "urgency.yaml").unlink()
    pdf, _, _ = urgent
    result = verify_pdf(pdf, rules=rules)
    assert not result.holds
    assert "verdict: the briefing says join, deciding again gives go-alone" in result.differences
    assert "service line Desktops: the briefing says join, deciding again gives go-alone" in result.differences
    assert any(d.startswith("reason no longer given:") and "urgency.only-offer-in-time" in d
               for d in result.differences)


def test_verify_when_the_embedded_recommendation_was_altered_reports_it(urgent, briefer):
    """A briefing whose recommendation says something the case and rulebook do not give does not hold."""
    _, rec, case = urgent
    altered = rec.model_copy(update={"verdict": "go-alone"})
    pdf = brief(altered, case=case, rulebook=briefer.decider.rulebook)
    result = verify_pdf(pdf)
    assert not result.holds
    assert result.differences[0] == "verdict: the briefing says go-alone, deciding again gives join"


def test_verify_when_only_a_figure_differs_names_the_figure(urgent, briefer):
    """A changed figure that moves no verdict is still reported, by its path in the recommendation."""
    _, rec, case = urgent
    measures = rec.measures.model_copy(update={"seats": 1})
    pdf = brief(rec.model_copy(update={"measures": measures}), case=case, rulebook=briefer.decider.rulebook)
    result = verify_pdf(pdf)
    assert result.differences == ["measures.seats: 1 in the briefing, 2000 now"]


def test_verify_when_the_case_file_was_swapped_reports_its_hash(urgent, briefer):
    """A case file that is not the one the briefing records is caught by its SHA-256."""
    _, rec, case = urgent
    # brief() refuses mismatched evidence, so make the forgery by hand, as a forger would.
    files = attachments(rec, case + b"\n# edited afterwards\n", briefer.decider.rulebook.files)
    pdf = html_to_pdf(render_html(rec), base_dir=default_templates_dir(), created=rec.decision_date,
                      attachments=files)
    result = verify_pdf(pdf)
    assert not result.holds
    assert "case file: the embedded case file's SHA-256 is not the one the briefing records" in result.differences


def test_read_evidence_when_a_rulebook_file_name_climbs_out_refuses_it(urgent):
    """An attachment named to escape the temporary folder is refused before anything is written."""
    _, rec, case = urgent
    pdf = brief(rec, case=case, rulebook={"../../evil.yaml": b"rules: []"})
    with pytest.raises(BriefingError, match="unsafe name"):
        read_evidence(pdf, "evil.pdf")


def test_verify_when_the_file_is_not_a_pdf_raises_a_briefing_error():
    """A file that is not a PDF is one clear error."""
    with pytest.raises(BriefingError, match="is not a PDF"):
        verify_pdf(b"organisation: x\n", "case.yaml")


def test_verify_when_the_pdf_is_not_a_briefing_raises_a_briefing_error(tmp_path):
    """A PDF without a recommendation attached is not a joinup briefing, and verify says so."""
    import datetime as dt

    plain = html_to_pdf('<html lang="en"><title>x</title><p>x</p></html>', base_dir=default_templates_dir(),
                        created=dt.date(2026, 1, 1))
    with pytest.raises(BriefingError, match="not a joinup briefing"):
        verify_pdf(plain, "plain.pdf")
