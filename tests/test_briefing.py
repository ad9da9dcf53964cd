"""The briefing PDF: what a board member reads, and what it carries."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from pypdf import PdfReader

from .conftest import CASES, EXAMPLES, ROOT
from engine import wording
from engine.briefing.briefer import brief
from engine.errors import BriefingError
from engine.load import load_case


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def test_brief_page_one_when_case_joins_gives_organisation_offer_date_and_verdict(pages):
    """Page 1 alone names the organisation, the offer, the decision date and the recommendation."""
    first = pages["new-department"][0]
    for text in ("Department for Innovation and Skills", "Flex (Fujitsu)", "25 November 2026",
                 "Recommendation: Join", "Join Flex for desktops and service desk."):
        assert text in first


def test_brief_page_one_when_part_join_gives_each_service_lines_verdict(pages):
    """A part-join's page 1 gives the verdict for each service line."""
    first = pages["part-join"][0]
    assert "Recommendation: Join in part" in first
    assert "Desktops Flex (Fujitsu) Join" in first
    assert "Specialist computing Flex (Fujitsu) Go alone" in first


@pytest.mark.parametrize("name, verdict", [
    ("large-specialist", "Recommendation: Go alone"),
    ("urgent-agency", "Recommendation: Join"),
    ("refer-thin-evidence", "Recommendation: Refer to the board"),
])
def test_brief_page_one_gives_the_verdict_when_case_is(pages, name, verdict):
    """Every example's verdict is on page 1 in plain words."""
    assert verdict in pages[name][0]


def test_brief_page_one_gives_the_figures_that_carry_it_formatted_as_officials_write_them(pages):
    """Whole-life costs in £m, months to service and the need-by date appear on page 1, formatted by figures."""
    first = pages["new-department"][0]
    assert "£7.8m £12.8m 4.2 16.4 25 May 2027 in 5.9 months" in first
    assert "The service is needed in 5.9 months." in first


def test_brief_options_table_gives_period_bias_costs_quality_and_value_for_money_when_compared(pages):
    """The options table gives each option's period, uplifts, bridging, exit, cost range, quality and value in pounds."""
    text = " ".join(pages["new-department"])
    assert "What the option is, appraised over 10 years" in text
    assert "£900 a seat before optimism bias; 25% below the £1,200 peers pay" in text
    assert "8.2%, 8.2%, 4%" in text and "124%, 25%, 36%" in text
    assert "Late: after the date needed, before in service" in text and "Exit at the end of the period" in text
    assert "£10.7m to £15.5m" in text
    assert "Security, usability, support 4, 4, 4 4, 3, 3" in text
    assert "Value for money of going alone over the offer -£5m" in text


def test_brief_lists_requirements_with_their_status_when_the_case_gives_them(pages):
    """Each requirement is listed by name with whether the offer meets it, essential ones marked."""
    text = " ".join(pages["part-join"])
    assert "Secure statistical compute cluster ESSENTIAL Not met" in text
    assert "Statistical software licences Partly met" in text


def test_brief_gives_each_reason_with_its_rule_id_and_source(pages, briefings):
    """Every reason's sentence appears with its rule id and policy source."""
    text = " ".join(pages["urgent-agency"])
    for reason in briefings["urgent-agency"].recommendation.reasons:
        assert wording.sentence(reason) in text
        assert reason.rule_id in text
    assert "Seed article (2007), a call-off of about four months" in text


def test_brief_gives_why_first_then_the_other_considerations_with_what_outweighed_them(pages):
    """In section 1 the deciding stage and its reason come first; an outweighed verdict says what outweighed it."""
    text = " ".join(pages["urgent-agency"])
    why = text[text.index("1. Why"):]
    assert why.index("Decided at stage 'Hard constraints'") < why.index("The service is needed in 5 months.")
    assert why.index("The service is needed in 5 months.") < why.index("Other considerations")
    assert why.index("Other considerations") < why.index("Over the 10 years appraised, going alone would cost £12.4m")
    assert "Argued for going alone; outweighed at the earlier stage 'Hard constraints' by" in why


def test_brief_gives_conditions_when_rules_attach_them(pages):
    """Conditions attached to joining are printed in section 3 with their rule ids."""
    text = " ".join(pages["new-department"])
    section = text[text.index("3. Conditions attached to joining, and risks"):]
    assert "Write into the call-off how these requirements will be met in full" in section
    assert "requirements.partly-met" in section


def test_brief_gives_no_offer_risk_or_gap_for_a_line_kept_in_house(pages):
    """Section 3 of a briefing whose only line goes alone raises no risk about the offer (failure 11)."""
    text = " ".join(pages["large-specialist"])
    section = text[text.index("3. Conditions attached to joining, and risks"):text.index("Annex A")]
    assert "No rule raises a risk." in section
    assert "The offer scores below going alone" not in section
    assert "No service line is recommended to join the offer" in section


def test_brief_annex_lists_every_parameter_with_its_value_and_source(pages, briefings):
    """Annex A gives every parameter in force, its value as officials write it, and its source's opening words."""
    text = " ".join(pages["new-department"])
    annex = text[text.index("Annex A. Assumptions"):]
    for name in briefings["new-department"].recommendation.parameters:
        assert name in annex
    assert "discount_rate" in annex and "3.5%" in annex and "HM Treasury, The Green Book (2003)" in annex


def test_brief_annex_traces_every_rule_that_fired_with_the_values_matched(pages, briefings):
    """Annex B lists each firing with the values its condition matched."""
    text = " ".join(pages["new-department"])
    trace = text[text.index("Annex B."):]
    for step in briefings["new-department"].recommendation.trace:
        assert step.rule_id in trace.replace(" ", "")  # long ids wrap in their cell; extraction adds spaces
    assert "line.months_to_need = 5.9 months" in trace


def test_brief_annex_gives_provenance_hashes_version_and_decision_date(pages, briefings):
    """Annex C gives the case file's and rulebook's SHA-256, joinup's version and the decision date."""
    provenance = briefings["part-join"].recommendation.provenance
    annex = " ".join(pages["part-join"])
    annex = annex[annex.index("Annex C. Provenance"):]
    for value in (provenance.case_sha256, provenance.rulebook_sha256, provenance.joinup_version, "25 November 2026"):
        assert value.replace(" ", "") in annex.replace(" ", "")  # digests wrap in their cell


@pytest.mark.parametrize("name", EXAMPLES)
def test_brief_runs_to_three_to_six_pages_when_case_is(briefings, name):
    """A briefing is a board paper: three to six A4 pages."""
    reader = _reader(briefings[name].pdf)
    assert 3 <= len(reader.pages) <= 6
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_brief_is_a_tagged_pdf_with_title_and_language(briefings):
    """The PDF is tagged (PDF/UA), titled and in British English, for screen readers."""
    reader = _reader(briefings["new-department"].pdf)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "Briefing: should Department for Innovation and Skills join Flex?"


def _structure_types(node, found):
    node = node.get_object()
    if hasattr(node, "get"):
        if "/S" in node:
            found.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                kid = kid.get_object() if hasattr(kid, "get_object") else kid
                if hasattr(kid, "get"):
                    _structure_types(kid, found)
    return found


def test_brief_has_real_headings_tables_and_figures_in_its_structure(briefings):
    """The structure tree holds headings, tables and figures, not only paragraphs."""
    reader = _reader(briefings["new-department"].pdf)
    found = _structure_types(reader.trailer["/Root"]["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/H3", "/Table", "/Figure"} <= found


def test_brief_carries_the_case_file_recommendation_and_rulebook_as_attachments(briefings, briefer):
    """The case file is attached byte for byte, with the recommendation JSON and every rulebook file."""
    attached = {name: data[0] for name, data in _reader(briefings["part-join"].pdf).attachments.items()}
    assert attached["part-join.yaml"] == (CASES / "part-join.yaml").read_bytes()
    assert json.loads(attached["recommendation.json"])["verdict"] == "join-in-part"
    for name, data in briefer.decider.rulebook.files.items():
        assert attached[f"rulebook/{name}"] == data


def test_brief_draws_charts_as_vectors_not_pictures(briefings):
    """The charts are embedded as SVG (vector forms), never raster images."""
    briefing = briefings["new-department"]
    assert briefing.html.count('src="data:image/svg+xml;base64,') == 4
    for page in _reader(briefing.pdf).pages:
        resources = page.get("/Resources") or {}
        for xobject in (resources.get("/XObject") or {}).values():
            assert xobject.get_object().get("/Subtype") != "/Image"


def test_brief_gives_the_same_bytes_when_rendered_twice_in_one_process(briefer, briefings):
    """The same case and rulebook give the same PDF bytes again."""
    again = briefer.brief(load_case(CASES / "new-department.yaml"))
    assert again.pdf == briefings["new-department"].pdf


def test_brief_gives_the_same_bytes_when_rendered_in_a_fresh_process(briefings, tmp_path):
    """A fresh Python process renders the same case to the same bytes (no clock, no process state)."""
    out = tmp_path / "fresh.pdf"
    code = (
        "import sys; from engine.briefing.briefer import brief_file; "
        "open(sys.argv[2], 'wb').write(brief_file(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", code, str(CASES / "new-department.yaml"), str(out)],
                   check=True, cwd=ROOT, timeout=120)
    assert out.read_bytes() == briefings["new-department"].pdf


def test_brief_takes_a_recommendation_and_returns_pdf_bytes(briefer, briefings):
    """brief() is the public function: a Recommendation, the case bytes and the rulebook in; PDF bytes out."""
    rec = briefings["urgent-agency"].recommendation
    pdf = brief(rec, case=(CASES / "urgent-agency.yaml").read_bytes(), rulebook=briefer.decider.rulebook)
    assert pdf == briefings["urgent-agency"].pdf


def test_brief_carries_the_cases_protective_marking(briefings):
    """The case's protective marking heads the briefing."""
    assert "OFFICIAL-SENSITIVE" in briefings["part-join"].html
    assert "<p>OFFICIAL</p>" in briefings["new-department"].html


def test_brief_when_the_case_bytes_are_not_the_ones_decided_refuses(briefer, briefings):
    """A briefing only carries the evidence it was decided from: other case bytes are refused."""
    rec = briefings["urgent-agency"].recommendation
    with pytest.raises(BriefingError, match="not the ones this recommendation was decided from"):
        brief(rec, case=b"organisation: someone else\n", rulebook=briefer.decider.rulebook)
