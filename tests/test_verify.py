"""verify: decide a briefing's embedded case again under its embedded rulebook, and say what differs."""
from __future__ import annotations

import io
import json
import logging
import shutil
import time
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from .conftest import CASES, ROOT, crash_this_process, fuzz
from engine import figures
from engine.recommendation import Recommendation
from engine.resources import default_templates_dir
from engine.briefing.briefer import attachments, brief
from engine.briefing.pdf import html_to_pdf
from engine.briefing.render import render_html
from engine.errors import BriefingError
from engine.briefing.verify import MAX_BRIEFING_BYTES, _recommendation, differences, read_evidence, verify_pdf

URGENCY = "urgency.only-offer-in-time"


def _with_reason(rec: Recommendation, rule_id: str, **update) -> Recommendation:
    """`rec` with one rule's reason changed everywhere it is recorded: the whole list and its line's copy."""
    def changed(reasons):
        return [r.model_copy(update=update) if r.rule_id == rule_id else r for r in reasons]

    lines = [lr.model_copy(update={"reasons": changed(lr.reasons)}) for lr in rec.lines]
    return rec.model_copy(update={"reasons": changed(rec.reasons), "lines": lines})


def _value_changed(reason, name: str, value):
    """A reason's recorded values with one of them replaced."""
    return [v.model_copy(update={"value": value}) if v.name == name else v for v in reason.values]


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


def test_verify_when_the_embedded_reason_was_reworded_holds_with_a_note(urgent, briefer):
    """A reason worded differently from the rulebook's text, with the same figures, holds; the wording is a note."""
    _, rec, case = urgent
    reason = next(r for r in rec.reasons if r.rule_id == URGENCY)
    reworded = reason.template.replace("only joining delivers in time.", "only the offer arrives in time.")
    pdf = brief(_with_reason(rec, URGENCY, template=reworded), case=case, rulebook=briefer.decider.rulebook)
    result = verify_pdf(pdf)
    assert result.holds, result.differences
    assert any(n.startswith(f"reason Desktops [{URGENCY}]: worded differently by the rulebook now") for n in result.notes)


def test_verify_when_the_rulebook_rewords_a_reason_holds_with_a_note(urgent, tmp_path):
    """Under a rulebook whose only change is a reason's words (one figure dropped), the briefing holds, with a note."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    urgency = rules / "urgency.yaml"
    urgency.write_text(urgency.read_text(encoding="utf-8").replace(
        "the offer about\n      {offer.months_to_service}.", "the offer sooner."), encoding="utf-8")
    pdf, _, _ = urgent
    result = verify_pdf(pdf, rules=rules)
    assert result.holds, result.differences
    assert f"reason Desktops [{URGENCY}]: worded differently by the rulebook now: " \
           "'The service is needed in 5 months. Going alone would take 12 months to procure, optimism bias " \
           "included; the offer sooner. Nothing lawful can bridge the gap: only joining delivers in time.'" in result.notes


def test_verify_when_a_recorded_value_differs_does_not_hold(urgent, briefer):
    """A reason that records a figure deciding again does not give fails, naming the reason and the figure."""
    _, rec, case = urgent
    reason = next(r for r in rec.reasons if r.rule_id == URGENCY)
    altered = _with_reason(rec, URGENCY, values=_value_changed(reason, "offer.months_to_service", 2.0))
    result = verify_pdf(brief(altered, case=case, rulebook=briefer.decider.rulebook))
    assert not result.holds
    assert result.differences == [f"reason Desktops [{URGENCY}]: offer.months_to_service 2.0 in the briefing, 4.16 now"]


def test_verify_when_only_the_line_copy_of_a_reason_differs_does_not_hold(urgent, briefer):
    """The per-line reasons (which section 1 prints) are compared too, not only the whole list."""
    _, rec, case = urgent
    line = rec.lines[0]
    reasons = [r.model_copy(update={"values": _value_changed(r, "offer.months_to_service", 2.0)})
               if r.rule_id == URGENCY else r for r in line.reasons]
    altered = rec.model_copy(update={"lines": [line.model_copy(update={"reasons": reasons})]})
    result = verify_pdf(brief(altered, case=case, rulebook=briefer.decider.rulebook))
    assert result.differences == [f"reason Desktops [{URGENCY}]: offer.months_to_service 2.0 in the briefing, 4.16 now"]


def test_verify_when_a_reason_argues_for_another_verdict_does_not_hold(urgent, briefer):
    """A reason recorded as supporting a verdict its rule does not give is a difference, not wording."""
    _, rec, case = urgent
    result = verify_pdf(brief(_with_reason(rec, URGENCY, supports="go-alone"), case=case,
                              rulebook=briefer.decider.rulebook))
    assert not result.holds
    assert "reasons[0].supports: 'go-alone' in the briefing, 'join' now" in result.differences


def test_verify_when_figures_are_formatted_differently_holds_with_a_note(urgent, monkeypatch):
    """A change in how joinup writes figures alone leaves a briefing holding; the new wording is a note."""
    pdf, _, _ = urgent
    written = figures.figure
    monkeypatch.setattr(figures, "figure", lambda value, unit=None: written(value, unit).replace(" months", " mo."))
    result = verify_pdf(pdf)
    assert result.holds, result.differences
    assert f"reason Desktops [{URGENCY}]: the same figures, written differently now: 'The service is needed in " \
           "5 mo.. Going alone would take 12 mo. to procure, optimism bias included; the offer about 4.2 mo.. " \
           "Nothing lawful can bridge the gap: only joining delivers in time.'" in result.notes
    assert any(n.endswith("recorded figure(s) with the same values are written differently now") for n in result.notes)


def test_differences_when_the_record_predates_facts_holds_on_the_same_words(urgent):
    """A recommendation recorded before reasons kept their facts (words only) holds if the words agree."""
    _, rec, _ = urgent
    older = _words_only(rec.model_dump(mode="json"))
    assert differences(older, rec) == []


def test_differences_when_the_record_predates_facts_fails_on_other_words(urgent):
    """With no facts recorded, a reason's words are all there is to compare: different words fail."""
    _, rec, _ = urgent
    older = _words_only(rec.model_dump(mode="json"))
    older["reasons"][0]["text"] = "The service is needed at once."
    found = differences(older, rec)
    assert found and found[0].startswith(f"reason Desktops [{URGENCY}]: the briefing says 'The service is needed at once.'")


def _words_only(record: dict) -> dict:
    """A recommendation as joinup recorded it before decisions kept their facts: text, no template or values."""
    for items in [record[k] for k in ("reasons", "conditions", "risks")] + \
                 [line[k] for line in record["lines"] for k in ("reasons", "conditions", "risks")]:
        for item in items:
            del item["template"], item["values"]
    return record


def test_verify_when_the_embedded_rulebook_was_edited_reports_its_hash(urgent, briefer):
    """A rulebook edited after briefing, even in its words only, is caught by its SHA-256: it is not the one recorded."""
    _, rec, case = urgent
    files = dict(briefer.decider.rulebook.files)
    files["urgency.yaml"] = files["urgency.yaml"].replace(b"only joining delivers in time.", b"only joining is in time.")
    pdf = html_to_pdf(render_html(rec), base_dir=default_templates_dir(), created=rec.decision_date,
                      attachments=attachments(rec, case, files))
    result = verify_pdf(pdf)
    assert result.differences == ["rulebook: the embedded rulebook's SHA-256 is not the one the briefing records"]


def _rebuilt(pdf: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The briefing's pages and attachments written again, some attachments replaced or added."""
    reader = PdfReader(io.BytesIO(pdf))
    files = {name: contents[0] for name, contents in reader.attachments.items()} | (replace or {})
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for name, contents in files.items():
        writer.add_attachment(name, contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_line_quickly(pdf: bytes, caplog) -> BriefingError:
    """verify_pdf refuses the PDF with one BriefingError line, in seconds, with pypdf silent."""
    start = time.monotonic()
    with caplog.at_level(logging.DEBUG), pytest.raises(BriefingError) as info:
        verify_pdf(pdf, "hostile.pdf")
    assert time.monotonic() - start < 10
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []
    assert info.value.file == "hostile.pdf" and len(str(info.value).splitlines()) == 1
    return info.value


def test_verify_when_the_recommendation_is_nested_thousands_deep_then_briefing_error(urgent, caplog):
    """A recommendation.json nested 100,000 deep is refused before json.loads recurses into it."""
    pdf = _rebuilt(urgent[0], {"recommendation.json": b"[" * 100_000 + b"]" * 100_000})
    assert "nested" in _one_line_quickly(pdf, caplog).message


def test_verify_when_a_rulebook_file_name_is_300_characters_then_briefing_error(urgent, caplog):
    """A rulebook attachment named past the file system's limit is refused before anything is written."""
    pdf = _rebuilt(urgent[0], {"rulebook/" + "a" * 300 + ".yaml": b"rules: []\n"})
    assert "unsafe name" in _one_line_quickly(pdf, caplog).message


def test_verify_when_an_attachment_is_a_compression_bomb_then_briefing_error(urgent, caplog):
    """An attachment that inflates to 100 MB is refused as holding more than joinup reads."""
    writer = PdfWriter(clone_from=io.BytesIO(_rebuilt(urgent[0])))
    names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    stream = names[names.index("recommendation.json") + 1].get_object()["/EF"]["/F"].get_object()
    squeeze = zlib.compressobj(9)
    bomb = b"".join(squeeze.compress(b" " * 1_000_000) for _ in range(100)) + squeeze.flush()
    stream._data = bomb
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(bomb))
    out = io.BytesIO()
    writer.write(out)
    assert "holds more than joinup reads" in _one_line_quickly(out.getvalue(), caplog).message


def test_verify_when_a_few_bytes_are_flipped_then_briefing_error_without_a_flood_of_logs(caplog):
    """A briefing with three flipped bytes (lenient pypdf logs 1.4 million lines over 20 s) is refused at once."""
    pdf = (ROOT / "tests" / "fixtures" / "hostile" / "flipped-briefing.pdf").read_bytes()
    assert "damaged" in _one_line_quickly(pdf, caplog).message


def test_verify_when_the_briefing_is_larger_than_the_limit_then_refused_before_parsing():
    """A 'PDF' over MAX_BRIEFING_BYTES is refused without pypdf reading it."""
    with pytest.raises(BriefingError, match="larger than"):
        verify_pdf(b"%PDF-1.7\n" + b"%" * MAX_BRIEFING_BYTES, "big.pdf")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@fuzz(60)
@given(data=st.data())
def test_verify_when_the_recommendation_is_mutated_then_differences_or_briefing_error(urgent, data):
    """Any field of the embedded recommendation replaced by any JSON: compared, or refused in one line."""
    pdf, rec, _ = urgent
    embedded = json.loads(rec.model_dump_json())
    keys = sorted(embedded)
    key = data.draw(st.sampled_from(keys))
    embedded[key] = data.draw(_JSON)
    try:
        checked = _recommendation(json.dumps(embedded).encode(), "mutated.pdf")
    except BriefingError as err:
        assert len(str(err).splitlines()) == 1
        return
    assert isinstance(differences(checked, rec), list)


def test_verify_when_deciding_the_embedded_case_crashes_the_process_then_one_briefing_error(urgent, monkeypatch):
    """A rules-engine crash while deciding a briefing's case is one line naming the briefing, and joinup carries on."""
    import os
    import signal

    from engine.briefing import verify as verify_module

    monkeypatch.setattr(verify_module, "_decide", lambda *args: crash_this_process())
    pdf, _, _ = urgent
    with pytest.raises(BriefingError) as info:
        verify_pdf(pdf, "urgent.pdf")
    assert str(info.value).startswith("urgent.pdf: the rules engine crashed (signal 11, SIGSEGV) deciding this briefing's case")
