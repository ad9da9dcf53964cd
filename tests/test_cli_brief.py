"""The `joinup brief` and `joinup verify` commands: thin shells that write, print one line, and exit."""
from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from .conftest import CASES, ROOT, pdf_pages
from engine.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_cli_brief_writes_the_pdf_and_html_and_prints_the_verdict(tmp_path):
    """`joinup brief CASE -o FILE --html FILE` writes both and says what it wrote."""
    pdf, html = tmp_path / "b.pdf", tmp_path / "b.html"
    result = runner.invoke(app, ["brief", str(CASES / "urgent-agency.yaml"), "-o", str(pdf), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert f"wrote {pdf}: join (Border Data Agency)" in result.output
    assert "Recommendation: Join" in pdf_pages(pdf.read_bytes())[0]
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_brief_when_the_case_file_is_missing_prints_one_line_and_exits_2(tmp_path):
    """A missing case file is one error line and exit code 2, and nothing is written."""
    result = runner.invoke(app, ["brief", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {tmp_path / 'nope.yaml'}: no such file (check the path)"]
    assert list(tmp_path.iterdir()) == []


def test_cli_brief_when_the_case_is_invalid_names_line_and_field_and_keeps_the_old_pdf(tmp_path):
    """An invalid case gives decide's one-line error; an existing PDF at -o is left as it was."""
    case = tmp_path / "bad.yaml"
    case.write_text((CASES / "urgent-agency.yaml").read_text().replace("annual_running_cost: 1300000",
                                                                       "annual_running_cost: -5"))
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(b"old")
    result = runner.invoke(app, ["brief", str(case), "-o", str(pdf)])
    assert result.exit_code == 2
    assert "bad.yaml:15:7: service_lines[0].go_alone.annual_running_cost:" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert pdf.read_bytes() == b"old"


def test_cli_brief_when_the_rulebook_is_missing_prints_one_line_and_exits_2(tmp_path):
    """A --rules folder that does not exist is one error line."""
    result = runner.invoke(app, ["brief", str(CASES / "urgent-agency.yaml"), "-o", str(tmp_path / "b.pdf"),
                                 "--rules", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no such rulebook folder" in result.output


@pytest.mark.slow
def test_cli_brief_when_given_a_folder_briefs_every_case_and_reports_the_bad_ones(tmp_path):
    """A folder is briefed case by case on two processes; a bad case is one line and exit 2, the rest written."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("new-department.yaml", "part-join.yaml", "case.schema.json"):
        shutil.copy(CASES / name, cases / name)
    (cases / "broken.yaml").write_text("organisation: [\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["brief", str(cases), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["new-department.pdf", "part-join.pdf"]
    assert "wrote 2 of 3 briefings" in result.output
    assert f"error: {cases / 'broken.yaml'}:" in result.output
    assert "Recommendation: Join in part" in pdf_pages((out / "part-join.pdf").read_bytes())[0]


def test_cli_brief_when_given_a_folder_with_html_refuses(tmp_path):
    """--html names one file, so it is refused for a folder."""
    result = runner.invoke(app, ["brief", str(CASES), "--html", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert "--html takes one case" in result.output


@pytest.fixture(scope="module")
def briefing_file(tmp_path_factory, briefings):
    path = tmp_path_factory.mktemp("verify") / "urgent-agency.pdf"
    path.write_bytes(briefings["urgent-agency"].pdf)
    return path


def test_cli_verify_when_the_briefing_holds_exits_0(briefing_file):
    """`joinup verify` on an untouched briefing says it holds."""
    result = runner.invoke(app, ["verify", str(briefing_file)])
    assert result.exit_code == 0, result.output
    assert "holds: Border Data Agency: join" in result.output


def test_cli_verify_when_the_rulebook_changes_the_verdict_exits_1_and_lists_it(briefing_file, tmp_path):
    """Under a rulebook that decides otherwise, verify lists what differs and exits 1."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    (rules / "urgency.yaml").unlink()
    result = runner.invoke(app, ["verify", str(briefing_file), "--rules", str(rules)])
    assert result.exit_code == 1
    assert "does not hold" in result.output
    assert "- verdict: the briefing says join, deciding again gives go-alone" in result.output


def test_cli_verify_when_the_file_is_not_a_pdf_prints_one_line_and_exits_2():
    """verify on a case file is one error line, exit 2."""
    result = runner.invoke(app, ["verify", str(CASES / "part-join.yaml")])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {CASES / 'part-join.yaml'}: is not a PDF"


@pytest.mark.slow
def test_cli_brief_when_output_is_a_folder_writes_inside_it_named_after_the_case(tmp_path):
    """-o naming an existing folder puts CASE.pdf inside it."""
    result = runner.invoke(app, ["brief", str(CASES / "urgent-agency.yaml"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "urgent-agency.pdf").read_bytes().startswith(b"%PDF-")


def test_cli_brief_when_the_folder_holds_no_cases_prints_one_line_and_exits_2(tmp_path):
    """A folder without case files is one error line, not an empty success."""
    result = runner.invoke(app, ["brief", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {tmp_path}: holds no case files (*.yaml, *.yml, *.json)"
