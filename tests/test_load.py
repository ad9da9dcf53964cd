"""Loading case files: a valid file gives a Case; every bad one gives one located error."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from engine.errors import CaseFileError
from engine.load import load_case, parse_case

from engine.case import MAX_SERVICE_LINES, Case
from engine.documents import read_bytes

from .bounded import joinup, one_error_line
from .conftest import CASES


def _error(text: str, name: str = "case.yaml") -> CaseFileError:
    with pytest.raises(CaseFileError) as info:
        parse_case(text.encode(), name)
    return info.value


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.name)
def test_load_when_example_case_then_valid(path: Path):
    """Every shipped example case loads as it is."""
    loaded = load_case(path)
    assert loaded.case.service_lines
    assert len(loaded.sha256) == 64


def test_load_when_json_then_same_case_as_yaml(tmp_path: Path):
    """A case file in JSON is read like its YAML twin."""
    yaml = YAML(typ="safe")
    data = yaml.load((CASES / "part-join.yaml").read_text())
    path = tmp_path / "part-join.json"
    path.write_text(json.dumps(data, default=str))
    assert load_case(path).case == load_case(CASES / "part-join.yaml").case


def test_load_when_file_missing_then_error_names_file(tmp_path: Path):
    """A missing file is one error naming the path."""
    with pytest.raises(CaseFileError) as info:
        load_case(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value) and "no such file" in str(info.value)


def test_load_when_yaml_malformed_then_error_names_line(case_text: str):
    """Broken YAML is reported at its line."""
    broken = case_text.replace("  kind: department", "  kind: [department", 1)
    err = _error(broken)
    assert err.line == _line_of(broken, "kind: [department") + 1 or err.line == _line_of(broken, "kind: [department")
    assert "cannot be read" in err.message


def test_load_when_json_malformed_then_error_names_line():
    """Broken JSON is reported at its line too."""
    err = _error('{\n  "organisation": {"name": "x",\n  "kind": }\n}', "case.json")
    assert err.file == "case.json" and err.line == 3


def test_load_when_field_missing_then_error_names_field_and_line(case_text: str):
    """A required field that is missing is named, at the line of the part that lacks it."""
    broken = case_text.replace("  staff: 1100\n", "", 1)
    err = _error(broken)
    assert err.field == "organisation.staff"
    assert "required" in err.message
    assert err.line == _line_of(broken, "organisation:")


def test_load_when_cost_negative_then_error_names_field_and_line(case_text: str):
    """A negative cost is refused at its own line."""
    broken = case_text.replace("one_off_costs: 400000", "one_off_costs: -5", 1)
    err = _error(broken)
    assert err.field == "service_lines[0].go_alone.one_off_costs"
    assert err.line == _line_of(broken, "one_off_costs: -5")
    assert "negative" in err.message


def test_load_when_field_mistyped_then_error_names_field(case_text: str):
    """Text where a number belongs is refused, naming the field."""
    broken = case_text.replace("seats: 1000", "seats: lots", 1)
    err = _error(broken)
    assert err.field == "organisation.seats"
    assert err.line == _line_of(broken, "seats: lots")


def test_load_when_need_by_before_decision_then_error_names_need_by(case_text: str):
    """A need-by date before the decision date is refused at need_by."""
    broken = case_text.replace("need_by: 2027-05-25", "need_by: 2026-01-01", 1)
    err = _error(broken)
    assert err.field == "need_by"
    assert err.line == _line_of(broken, "need_by: 2026-01-01")
    assert "after decision_date" in err.message


def test_load_when_unknown_field_then_error_suggests_the_known_one(case_text: str):
    """An unknown field is refused with a "did you mean" for the likely typo."""
    broken = case_text.replace("newly_created: true", "newly_creatd: true", 1)
    err = _error(broken)
    assert err.field == "organisation.newly_creatd"
    assert err.line == _line_of(broken, "newly_creatd")
    assert "newly_created" in (err.hint or "")


def test_load_when_range_out_of_order_then_error_names_field(case_text: str):
    """A range whose low is above its high is refused."""
    broken = case_text.replace("{low: 9, likely: 12, high: 18}", "{low: 19, likely: 12, high: 18}", 1)
    err = _error(broken)
    assert err.field == "service_lines[0].go_alone.procurement_months"
    assert "low <= likely <= high" in err.message


def test_load_when_number_is_infinite_then_error(case_text: str):
    """Infinity is not a cost."""
    broken = case_text.replace("one_off_costs: 400000", "one_off_costs: .inf", 1)
    err = _error(broken)
    assert err.field == "service_lines[0].go_alone.one_off_costs"


def test_load_when_quality_dimensions_differ_then_error_names_offer_quality(case_text: str):
    """Both options must be scored on the same quality dimensions."""
    broken = case_text.replace("quality: {security: 4, usability: 4, support: 4}", "quality: {security: 4, usability: 4}", 1)
    err = _error(broken)
    assert err.field == "service_lines[0].offer.quality"
    assert "support" in err.message


def test_load_when_quality_score_above_five_then_error(case_text: str):
    """Quality is scored 0 to 5."""
    broken = case_text.replace("quality: {security: 4, usability: 3, support: 3}", "quality: {security: 9, usability: 3, support: 3}", 1)
    err = _error(broken)
    assert err.field == "service_lines[0].go_alone.quality.security"


def test_load_when_offer_has_two_prices_then_error(case_text: str):
    """An offer gives a flat price or tiers, not both."""
    broken = case_text.replace("      price_per_seat: 280\n", "      price_per_seat: 280\n      price_tiers: [{min_pool_seats: 0, price_per_seat: 1}]\n", 1)
    err = _error(broken)
    assert err.field == "service_lines[1].offer"
    assert "either price_per_seat or price_tiers" in err.message


def test_load_when_document_is_not_a_mapping_then_error():
    """A file holding a list is not a case."""
    err = _error("- a\n- b\n")
    assert "must be a mapping" in err.message


def test_load_when_percent_written_with_sign_then_fraction_kept(case_text: str):
    """Optimism bias written as 20% is held as 0.2."""
    text = (CASES / "large-specialist.yaml").read_text()
    case = parse_case(text.encode()).case
    assert case.service_lines[0].go_alone.optimism_bias.capital_cost == pytest.approx(0.20)


def test_decide_when_the_case_file_is_a_named_pipe_then_refused_without_waiting(tmp_path: Path):
    """A FIFO given as the case file is refused at once (one line, exit 2), not read until a writer comes."""
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    assert "named pipe" in one_error_line(joinup("decide", str(fifo), timeout=30))


def test_decide_when_the_case_file_is_dev_zero_then_refused_before_reading():
    """/dev/zero is refused as a device before a byte is read, not read until memory runs out."""
    assert "device" in one_error_line(joinup("decide", "/dev/zero", timeout=30))


def test_read_bytes_when_the_file_grows_past_its_size_then_reads_no_more_than_the_limit():
    """A file that says it is empty but is not (/proc) is read to the limit + 1 bytes and refused."""
    with pytest.raises(CaseFileError) as info:
        read_bytes(Path("/proc/self/maps"), CaseFileError, "case file", limit=10)
    assert "larger than" in info.value.message


def test_load_when_more_service_lines_than_the_cap_then_error_at_service_lines(case_text: str):
    """A case of more service lines than MAX_SERVICE_LINES is refused at the service_lines line, not briefed for minutes."""
    data = YAML(typ="safe").load(case_text)
    line = data["service_lines"][0]
    data["service_lines"] = [dict(line, name=f"Line {i}") for i in range(MAX_SERVICE_LINES + 1)]
    error = _error(json.dumps(data, default=str), "case.json")
    assert (error.field, error.line) == ("service_lines", 1)
    assert f"at most {MAX_SERVICE_LINES}" in error.message


def test_load_when_a_mapping_is_tagged_omap_then_error_at_the_tag(case_text: str):
    """`organisation: !!omap` (a list of pairs posing as a mapping) is refused at its line, not a TypeError."""
    text = case_text.replace("organisation:\n", "organisation: !!omap\n", 1)
    for key in ("name", "kind", "staff", "seats", "newly_created", "protective_marking"):
        text = text.replace(f"\n  {key}:", f"\n  - {key}:", 1)
    text = text.replace("- staff: 1100", "- staff: -1100")
    error = _error(text)
    assert error.line == _line_of(text, "!!omap") and "!!omap is not supported" in error.message


def test_load_when_a_merge_key_supplies_a_field_then_error_at_the_merge_key(case_text: str):
    """`<<: {staff: 0}` is refused at the merge key's line, not a KeyError looking up the merged field's line."""
    text = case_text.replace("organisation:\n  name:", "organisation:\n  <<: {staff: 0}\n  name:", 1).replace("  staff: 1100\n", "")
    error = _error(text)
    assert error.line == _line_of(text, "<<:") and "merge keys (<<) are not supported" in error.message


def test_load_when_decision_date_is_an_integer_then_error_at_decision_date(case_text: str):
    """`decision_date: 1764028800` is refused, not read as a Unix timestamp."""
    text = case_text.replace("decision_date: 2026-11-25", "decision_date: 1764028800")
    error = _error(text)
    assert (error.field, error.line) == ("decision_date", _line_of(text, "decision_date"))
    assert "YYYY-MM-DD" in error.message


def test_load_when_json_escapes_a_character_as_a_surrogate_pair_then_the_character(case_text: str):
    """JSON as Python's json.dumps writes it (𝄞 as \\ud834\\udd1e) loads, with the character joined."""
    data = YAML(typ="safe").load(case_text)
    data["organisation"]["name"] = "Department of \U0001d11e"
    text = json.dumps(data, default=str, indent=2)
    assert "\\ud834\\udd1e" in text
    assert parse_case(text.encode(), "case.json").case.organisation.name == "Department of \U0001d11e"


def test_load_when_json_holds_an_unpaired_surrogate_escape_then_error_at_its_line(case_text: str):
    """Half a surrogate pair is not a character: one located error, not pydantic's unicode message."""
    data = YAML(typ="safe").load(case_text)
    data["notes"] = "\ud834"
    text = json.dumps(data, default=str, indent=2)
    error = _error(text, "case.json")
    assert error.line == _line_of(text, '"notes"') and "unpaired surrogate" in error.message


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.name)
def test_case_when_dumped_to_json_reads_back_the_same(path):
    """A case written out as JSON (percentages as `5.0%`, not the fraction 0.05 a reader would take for 0.05%) reads back equal."""
    case = load_case(path).case
    again = Case.model_validate(json.loads(case.model_dump_json()))
    assert again == case
