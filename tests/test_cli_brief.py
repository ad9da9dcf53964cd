"""The `joinup brief` and `joinup verify` commands: thin shells that write, print one line, and exit."""
from __future__ import annotations

import os
import shutil
import stat

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


def _hard_link(case, tmp_path, name):
    """The case under another name in tmp_path: the same file by inode."""
    copy = tmp_path / "case.yaml"
    shutil.copy(case, copy)
    alias = tmp_path / name
    alias.hardlink_to(copy)
    return copy, alias


def test_cli_brief_when_the_output_is_the_case_refuses_and_keeps_the_case(tmp_path):
    """`brief CASE -o X` where X is the case file (a hard link to it) is one line, exit 2, and the case survives."""
    case, alias = _hard_link(CASES / "urgent-agency.yaml", tmp_path, "case.pdf")
    before = case.read_bytes()
    result = runner.invoke(app, ["brief", str(case), "-o", str(alias)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {alias}: is one of this command's inputs ({case}): writing it "
                                          "would destroy it (give another output path)"]
    assert case.read_bytes() == before


def test_cli_brief_when_html_is_the_case_refuses_and_keeps_the_case(tmp_path):
    """`--html CASE` would replace the case with HTML that does not carry it: refused, nothing written."""
    case, alias = _hard_link(CASES / "urgent-agency.yaml", tmp_path, "case.html")
    before = case.read_bytes()
    result = runner.invoke(app, ["brief", str(case), "-o", str(tmp_path / "b.pdf"), "--html", str(alias)])
    assert result.exit_code == 2
    assert "is one of this command's inputs" in result.stderr
    assert case.read_bytes() == before
    assert not (tmp_path / "b.pdf").exists()


def test_cli_brief_when_the_output_is_a_rule_file_refuses(tmp_path):
    """A rulebook file given as -o is an input too: refused, and the rule file keeps its bytes."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / "tests"
    victim = next(target.iterdir())
    before = victim.read_bytes()
    result = runner.invoke(app, ["brief", str(CASES / "urgent-agency.yaml"), "--rules", str(rules), "-o", str(victim)])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert victim.read_bytes() == before


def test_cli_rules_doc_when_the_output_is_a_rule_file_refuses(tmp_path):
    """`rules doc -o RULEFILE` is refused: the document would replace the rule it documents."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    victim = rules / "parameters.yaml"
    before = victim.read_bytes()
    result = runner.invoke(app, ["rules", "doc", str(rules), "-o", str(victim)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {victim}: is one of this command's inputs")
    assert victim.read_bytes() == before


def test_cli_schema_when_the_output_is_dev_null_leaves_the_device(tmp_path):
    """`schema -o /dev/null` is refused as a device; run as root it used to replace /dev/null with a file."""
    result = runner.invoke(app, ["schema", "-o", "/dev/null"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: /dev/null: is a device")
    assert os.path.exists("/dev/null") and stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_cli_schema_when_the_output_is_a_symlink_leaves_the_file_it_points_to(tmp_path):
    """A symbolic link at -o is refused: the file it points to is not overwritten."""
    victim = tmp_path / "victim.json"
    victim.write_text("{}")
    (tmp_path / "link.json").symlink_to(victim)
    result = runner.invoke(app, ["schema", "-o", str(tmp_path / "link.json")])
    assert result.exit_code == 2
    assert "is a symbolic link" in result.stderr
    assert victim.read_text() == "{}"


def test_cli_brief_when_the_case_name_holds_terminal_escapes_prints_them_escaped(tmp_path):
    """An escape sequence in a file name reaches the terminal as text (\\x1b), never as a control character."""
    case = tmp_path / "evil\x1b[31m\n.yaml"
    case.write_text("organisation: [\n")
    result = runner.invoke(app, ["brief", str(case), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "evil\\x1b[31m\\n.yaml" in result.stderr


@pytest.mark.slow
def test_cli_brief_when_the_case_reuses_an_anchor_warns_in_one_line_naming_it(tmp_path):
    """ruamel's several-line duplicate anchor warning becomes one `warning:` line naming the case file."""
    case = tmp_path / "anchor.yaml"
    case.write_text((CASES / "new-department.yaml").read_text().replace(
        "min_pool_seats: 0, price_per_seat: 1150", "min_pool_seats: &z 0, price_per_seat: &z 1150"))
    result = runner.invoke(app, ["brief", str(case), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"warning: {case}: found duplicate anchor 'z' (at 28:28, 28:50)"]


@pytest.mark.slow
def test_cli_brief_when_a_folder_has_a_bad_case_and_an_anchor_prints_one_line_each_naming_the_file(tmp_path):
    """In folder mode each problem is one line that names its case file; workers' warnings do not flood stderr."""
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "anchor.yaml").write_text((CASES / "new-department.yaml").read_text().replace(
        "min_pool_seats: 0, price_per_seat: 1150", "min_pool_seats: &z 0, price_per_seat: &z 1150"))
    (cases / "bad\x1b]0;x\x07.yaml").write_text("organisation: [\n")
    result = runner.invoke(app, ["brief", str(cases), "-o", str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"warning: {cases / 'anchor.yaml'}: found duplicate anchor 'z' (at 28:28, 28:50)"
    assert len(lines) == 2 and lines[1].startswith(f"error: {cases}/bad\\x1b]0;x\\x07.yaml:")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


@pytest.mark.parametrize("command", [["schema"], ["rules", "doc", str(ROOT / "rules")]])
def test_cli_output_when_a_link_is_planted_at_the_old_temporary_name_writes_nothing_through_it(tmp_path, command):
    """`schema` and `rules doc` once always wrote `.NAME.tmp`: a link planted there must not be followed."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out.html"
    (tmp_path / ".out.html.tmp").symlink_to(victim)
    result = runner.invoke(app, [*command, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious"
    assert (tmp_path / ".out.html.tmp").is_symlink()


@pytest.mark.slow
def test_cli_brief_when_the_fonts_lack_a_character_warns_once_in_one_line(tmp_path):
    """matplotlib and WeasyPrint each warn about a missing glyph per drawing: one line names the case and the character."""
    case = tmp_path / "glyph.yaml"
    case.write_text((CASES / "new-department.yaml").read_text().replace("      name: Flex\n", "      name: Flex 𝄞\n"))
    result = runner.invoke(app, ["brief", str(case), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"warning: {case}: the fonts have no glyph for U+1D11E: each prints as a blank box"]


def test_cli_verify_when_given_another_rulebook_says_which_it_decided_under(tmp_path):
    """`verify --rules DIR` says the case was decided under that rulebook, not the briefing's own."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    pdf = tmp_path / "urgent.pdf"
    assert runner.invoke(app, ["brief", str(CASES / "urgent-agency.yaml"), "-o", str(pdf)]).exit_code == 0
    result = runner.invoke(app, ["verify", str(pdf), "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    assert f"under the rulebook in {rules}" in result.output
