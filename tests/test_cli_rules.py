"""The policy team's commands, run in-process: exit codes and output (engine/cli.py)."""
import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from engine.cli import app
from engine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules")
BROKEN = str(ROOT / "tests" / "fixtures" / "broken-rules")
DATED = ROOT / "tests" / "fixtures" / "dated-rules"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_rules_check_when_the_rulebook_is_clean():
    """The shipped rulebook checks with exit 0 and a summary line."""
    result = invoke("rules", "check", RULES)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"{len(load_rulebook(RULES).rules)} rules checked; 0 error(s), 0 warning(s)")


def test_rules_check_when_the_rulebook_is_broken():
    """Errors exit 1, one `file:line:column: severity: message` line each."""
    result = invoke("rules", "check", BROKEN)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{BROKEN}/defects.yaml:7:11: error: broken.unknown-name: when: unknown name 'org.seets'" in lines[1]
    assert sum(": error: " in line for line in lines) == 9
    assert sum(": warning: " in line for line in lines) == 5


def test_rules_check_when_only_warnings_are_found(tmp_path):
    """Warnings alone do not fail the check."""
    shutil.copytree(DATED, tmp_path / "rules")
    params = tmp_path / "rules" / "parameters.yaml"
    params.write_text(params.read_text() + "\nspare:\n  description: Unused.\n  unit: count\n  values:\n    - {from: 2007-01-01, value: 1, source: x}\n")
    result = invoke("rules", "check", str(tmp_path / "rules"))
    assert result.exit_code == 0
    assert ": warning: spare: no rule uses this parameter" in result.output


def test_rules_check_when_json_is_asked_for():
    """--json gives every problem with its file, line, column and severity."""
    result = invoke("rules", "check", BROKEN, "--json")
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert (data["errors"], data["warnings"]) == (9, 5)
    never = [p for p in data["problems"] if p["code"] == "never-fires"][0]
    assert (never["line"], never["column"], never["field"]) == (33, 32, "broken.contradiction")


def test_rules_check_when_the_folder_does_not_exist():
    """A missing folder is one error line, exit 1, no traceback."""
    result = invoke("rules", "check", "no/such/folder")
    assert result.exit_code == 1
    assert "no such rulebook folder" in result.output


def test_rules_test_when_every_test_passes():
    """The shipped tests pass; --coverage reports full rule and clause coverage."""
    result = invoke("rules", "test", RULES, "--coverage")
    assert result.exit_code == 0, result.output
    assert " passed, 0 failed" in result.output
    assert re.search(r"rules fired: (\d+)/\1 \(100%\); clauses seen both true and false: (\d+)/\2 \(100%\)", result.output)


def test_rules_test_when_a_test_fails(tmp_path):
    """A failure prints the file, the test name, then expected and came; exit 1."""
    folder = tmp_path / "rules"
    shutil.copytree(DATED, folder)
    (folder / "tests" / "wrong.yaml").write_text(
        f"- name: expects the wrong verdict\n  case: {ROOT / 'cases' / 'new-department.yaml'}\n  verdict: refer\n"
    )
    result = invoke("rules", "test", str(folder))
    assert result.exit_code == 1
    assert f"{folder}/tests/wrong.yaml:1: expects the wrong verdict\n    overall verdict\n        expected: refer\n" in result.output
    assert "2 passed, 1 failed" in result.output


def test_rules_test_when_coverage_has_gaps(tmp_path):
    """--coverage names the rule no test fires and the clause never seen false."""
    folder = tmp_path / "rules"
    shutil.copytree(DATED, folder)
    tests = folder / "tests" / "dates.yaml"
    tests.write_text(tests.read_text().split("\n\n")[0] + "\n")  # keep only the test before the change
    result = invoke("rules", "test", str(folder), "--coverage")
    assert result.exit_code == 0  # gaps are reported, they do not fail the tests
    assert f"{folder}/size.yaml:12: size.larger-goes-alone: no test makes this rule fire" in result.output
    assert "size.small-joins: clause 'org.seats < param.small_organisation_seats' never seen false (true 2, false 0, unknown 0)" in result.output
    assert "rules fired: 1/2 (50%); clauses seen both true and false: 0/2 (0%)" in result.output


def test_rules_test_when_a_verdict_rule_fires_but_never_decides_then_a_coverage_gap(tmp_path):
    """--coverage names a verdict rule the tests make fire but never show deciding a line."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder, ignore=shutil.ignore_patterns("tests"))
    (folder / "tests").mkdir()
    (folder / "tests" / "only.yaml").write_text(
        "- name: the new department joins, decided by urgency\n"
        f"  case: {ROOT / 'cases' / 'new-department.yaml'}\n"
        "  fires: [presumption.join]\n"
    )
    result = invoke("rules", "test", str(folder), "--coverage")
    assert "presumption.join: no test shows this verdict rule deciding a line" in result.output
    assert "urgency.only-offer-in-time: no test shows" not in result.output
    verdict_rules = sum(r.spec.then.verdict is not None for r in load_rulebook(RULES).rules)
    assert f"verdict rules seen deciding: 1/{verdict_rules}" in result.output


def test_rules_test_when_a_test_file_is_invalid(tmp_path):
    """An invalid test file is reported with its line and the test's name; exit 1."""
    folder = tmp_path / "rules"
    shutil.copytree(DATED, folder)
    (folder / "tests" / "bad.yaml").write_text("- name: typo\n  case: cases/new-department.yaml\n  verdit: join\n")
    result = invoke("rules", "test", str(folder))
    assert result.exit_code == 1
    assert f"error: {folder}/tests/bad.yaml:3:3: test 'typo': verdit: is not a field here (did you mean 'verdict'?)" in result.output


def test_rules_impact_when_a_change_flips_a_verdict(tmp_path):
    """A flip is listed with its line, and the command exits 1."""
    new = tmp_path / "rules"
    shutil.copytree(RULES, new)
    path = new / "urgency.yaml"
    path.write_text(path.read_text().replace("verdict: join\n    stage: constraints", "favours: join", 1))
    result = invoke("rules", "impact", "--base", RULES, str(new), "--cases", str(ROOT / "cases"))
    assert result.exit_code == 1
    assert "urgent-agency.yaml: join -> go-alone" in result.output
    assert "  Desktops: join -> go-alone" in result.output
    assert result.output.strip().splitlines()[-1].startswith(f"{len(list((ROOT / 'cases').glob('*.yaml')))} case(s) decided under both rulebooks: 1 overall")


def test_rules_impact_when_nothing_flips_as_json():
    """No flip exits 0; --json gives the comparison."""
    result = invoke("rules", "impact", "--base", RULES, RULES, "--cases", str(ROOT / "cases"), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["flipped"] == 0


def test_explain_when_the_rule_fired():
    """explain prints the rule, the verdict on each line, clause by clause, and the parameters."""
    result = invoke("explain", str(ROOT / "cases" / "large-specialist.yaml"), "exit.long-lock-in", "--rules", RULES)
    assert result.exit_code == 0, result.output
    assert "Scientific desktops: FIRED" in result.output
    assert "[yes] line.break_after_years is unknown" in result.output
    assert "Parameters in force on 2026-11-25:" in result.output


def test_explain_when_the_rule_id_is_unknown():
    """An unknown rule id exits 2 with the closest id."""
    result = invoke("explain", str(ROOT / "cases" / "urgent-agency.yaml"), "urgency.only-offer")
    assert result.exit_code == 2
    assert "did you mean 'urgency.only-offer-in-time'" in result.output


def test_rules_test_when_json_is_asked_for():
    """--json gives each test's id and result, and the coverage figures."""
    result = invoke("rules", "test", RULES, "--coverage", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert data["failed"] == 0 and data["passed"] == len(data["tests"])
    assert data["coverage"]["never_fired"] == [] and data["coverage"]["clauses_covered"] == data["coverage"]["clauses"]


def test_rules_test_when_a_match_is_given():
    """-k runs only the tests whose `file::name` contains the text."""
    from engine.policy import ruletest_format
    from engine.rulebook import load_rulebook

    tests, _ = ruletest_format.collect(RULES, load_rulebook(RULES))
    wanted = [t for t in tests if "threshold" in t.id.lower()]
    assert 0 < len(wanted) < len(tests)
    result = invoke("rules", "test", RULES, "-k", "Threshold")
    assert result.exit_code == 0
    assert result.output.strip() == f"{len(wanted)} passed, 0 failed"
