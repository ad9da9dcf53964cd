"""`joinup rules check` as an API (engine/check.py): every defect, at its line."""
import os
import shutil
from pathlib import Path

import pytest

from engine.policy.check import check_rulebook
from engine.rulebook import load_rulebook, load_rulebook_collecting
from engine.errors import ParameterError, RuleError

from .bounded import joinup, one_error_line

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "fixtures" / "broken-rules"


@pytest.fixture(scope="module")
def broken():
    return check_rulebook(BROKEN)


def found(result, file: str, code: str) -> list:
    return [p for p in result.problems if Path(p.file or "").name == file and p.code == code]


def test_check_when_the_shipped_rulebook_is_checked():
    """The shipped rulebook has no errors and no warnings."""
    result = check_rulebook(ROOT / "rules")
    assert result.problems == [], "\n".join(map(str, result.problems))
    assert result.ok


def test_check_when_a_name_is_unknown(broken):
    """An unknown name is reported at its line and column, with the closest names."""
    (p,) = [p for p in found(broken, "defects.yaml", "rules") if "unknown name" in p.message]
    assert (p.line, p.column, p.severity) == (7, 11, "error")
    assert "did you mean 'org.seats'" in p.hint


def test_check_when_a_condition_cannot_be_parsed(broken):
    """A syntax error points at the unexpected token."""
    (p,) = [p for p in found(broken, "defects.yaml", "rules") if "unexpected" in p.message]
    assert (p.line, p.column) == (15, 23)


def test_check_when_types_do_not_match(broken):
    """Pounds compared with a percentage is reported on the continuation line where it is written."""
    (p,) = [p for p in found(broken, "defects.yaml", "rules") if "compares" in p.message]
    assert (p.line, p.column) == (25, 11)
    assert "pounds per seat with percent" in p.message


def test_check_when_a_rule_can_never_fire(broken):
    """Contradictory bounds on one name are reported at the clause that closes the contradiction."""
    (p,) = found(broken, "defects.yaml", "never-fires")
    assert (p.line, p.column, p.field) == (33, 32, "broken.contradiction")
    assert "'org.seats > 5000' and 'org.seats < 1000'" in p.message


def test_check_when_a_rule_has_no_title(broken):
    """A rule without a title is an error at the rule."""
    (p,) = [p for p in found(broken, "defects.yaml", "rules") if "title" in (p.field or "")]
    assert p.line == 38
    assert p.message == "is required but missing"


def test_check_when_two_rules_of_one_stage_can_conflict(broken):
    """Rules of a stage with no tie rule that can fire together with different verdicts are an error at the second's stage."""
    (p,) = found(broken, "conflicts.yaml", "conflict")
    assert (p.line, p.field) == (17, "conflict.worse-quality-goes-alone")
    assert "conflict.small-joins" in p.message and "on_disagreement" in p.hint


def test_check_when_a_stage_declares_a_tie_rule_then_no_conflict(tmp_path):
    """Rules of one stage may disagree when the stage says what follows (on_disagreement)."""
    import shutil

    shutil.copytree(BROKEN, tmp_path / "rules")
    path = tmp_path / "rules" / "decision.yaml"
    path.write_text(path.read_text().replace("    explain: Declares no tie rule", "    on_disagreement: refer\n    explain: Declares no tie rule"))
    assert not found(check_rulebook(tmp_path / "rules"), "conflicts.yaml", "conflict")


def test_check_when_a_rule_has_an_old_weight_then_one_error_at_the_weight(tmp_path):
    """A verdict rule written with `weight:` is one error, at the weight, saying to write a stage instead."""
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    text = (rules / "suffolk.yaml").read_text().replace("    stage: presumption\n", "    weight: 50\n", 1)
    (rules / "suffolk.yaml").write_text(text)
    (problem,) = check_rulebook(rules).errors
    assert (problem.line, problem.field) == (text.splitlines().index("    weight: 50") + 1, "presumption.join: weight")
    assert "replace `weight:` with `stage:`" in problem.hint


def test_check_when_a_verdict_rule_can_never_decide(broken):
    """A verdict rule that fires only when an earlier stage's rule fires too is a warning at its stage."""
    (p,) = found(broken, "precedence.yaml", "never-decides")
    assert (p.line, p.field, p.severity) == (17, "precedence.very-large-joins", "warning")
    assert "earlier stage" in p.message and "favours" in p.hint


def test_check_when_a_finding_is_read_by_no_rule(broken):
    """A finding no condition or text reads is a warning at the finding."""
    (p,) = found(broken, "precedence.yaml", "unread-finding")
    assert (p.line, p.field, p.severity) == (25, "precedence.unread", "warning")
    assert "nobody_reads_this" in p.message


def test_check_when_a_risk_about_the_offer_fires_only_on_lines_that_go_alone(broken):
    """A risk about the offer on a rule that fires only when the line goes alone is a warning at the risk."""
    (p,) = found(broken, "precedence.yaml", "hidden-reason")
    assert (p.line, p.field, p.severity) == (33, "precedence.offer-risk-when-alone", "warning")
    assert "cannot join" in p.message


def test_check_when_the_same_risk_is_about_the_line_then_no_warning(broken):
    """A risk about the line is shown whatever the verdict, so it cannot contradict it."""
    assert not [p for p in broken.problems if p.field == "precedence.line-risk-when-alone"]


def test_check_when_a_parameter_value_has_no_source(broken):
    """A dated value with no source is an error at that value."""
    (p,) = found(broken, "parameters.yaml", "no-source")
    assert (p.line, p.field, p.severity) == (42, "small_organisation_seats", "error")


def test_check_when_a_parameter_is_never_used(broken):
    """A parameter nothing reads is a warning, not an error."""
    p, _ = found(broken, "parameters.yaml", "unused-parameter")
    assert (p.line, p.field, p.severity) == (45, "never_used", "warning")


def test_check_when_a_parameter_has_two_values_from_one_date(broken):
    """Two values taking effect on the same day are an error at the second."""
    (p,) = found(broken, "parameters.yaml", "same-date")
    assert (p.line, p.field) == (60, "large_organisation_seats")


def test_check_when_a_rule_test_names_an_unknown_rule(broken):
    """The rule tests beside the rules are checked too, at the line of the bad id."""
    (p,) = [p for p in broken.problems if p.code == "rule-tests"]
    assert (Path(p.file).parent.name, p.line, p.column) == ("tests", 4, 11)
    assert "did you mean 'conflict.small-joins'?" in p.hint


def test_check_when_the_rulebook_is_broken_counts_every_defect(broken):
    """Every defect is reported in one run, and nothing else."""
    assert len(broken.errors) == 9
    assert len(broken.warnings) == 5
    assert not broken.ok


def test_check_when_rules_are_exclusive_by_a_finding():
    """A rule and its opposite (a finding and its negation) are not a conflict."""
    result = check_rulebook(ROOT / "rules")
    assert not [p for p in result.problems if p.code == "conflict"]


def test_load_rulebook_when_collecting_keeps_the_good_rules():
    """Collecting loads the rules without problems and reports the others."""
    rulebook, errors = load_rulebook_collecting(BROKEN)
    assert {r.id for r in rulebook.rules} == {
        "broken.contradiction", "conflict.small-joins", "conflict.worse-quality-goes-alone",
        "precedence.large-goes-alone", "precedence.very-large-joins", "precedence.unread",
        "precedence.offer-risk-when-alone", "precedence.line-risk-when-alone",
    }
    assert len(errors) == 4


def test_load_rulebook_when_broken_raises_the_first_problem():
    """load_rulebook still stops at the first problem, as deciding needs."""
    with pytest.raises(RuleError) as caught:
        load_rulebook(BROKEN)
    assert caught.value.line == 38  # the rule file's schema is checked before conditions


CONDITION_STYLES = """\
rules:
  - id: a.quoted
    title: t
    source: s
    when: 'org.seats > 1 and org.seetz < 2'
    then: {finding: f1}
    explain: x
  - id: a.plain-multi
    title: t
    source: s
    when: org.seats > 1
      and org.seetz < 2
    then: {finding: f2}
    explain: x
  - id: a.literal
    title: t
    source: s
    when: |
      org.seats > 1
      and org.seetz < 2
    then: {finding: f3}
    explain: x
  - id: a.folded
    title: t
    source: s
    when: >-
      org.seats > 1

      and org.seetz < 2
    then: {finding: f4}
    explain: x
"""


def test_check_when_conditions_are_written_in_every_yaml_style(tmp_path):
    """Quoted, plain multi-line, literal and folded conditions all report the clause's own line and column."""
    import shutil

    shutil.copy(ROOT / "tests" / "fixtures" / "dated-rules" / "parameters.yaml", tmp_path)
    (tmp_path / "r.yaml").write_text(CONDITION_STYLES, encoding="utf-8")
    result = check_rulebook(tmp_path)
    assert [(p.line, p.column) for p in result.errors] == [(5, 30), (12, 11), (20, 11), (29, 11)]


def test_check_when_problems_span_files(tmp_path):
    """A YAML syntax error, a duplicate id and a bad parameter unit are all reported in one run."""
    import shutil

    shutil.copy(ROOT / "tests" / "fixtures" / "dated-rules" / "size.yaml", tmp_path / "size.yaml")
    shutil.copy(ROOT / "tests" / "fixtures" / "dated-rules" / "decision.yaml", tmp_path / "decision.yaml")
    params = (ROOT / "tests" / "fixtures" / "dated-rules" / "parameters.yaml").read_text()
    (tmp_path / "parameters.yaml").write_text(
        params + "\nodd:\n  description: An odd unit.\n  unit: quid\n  values:\n    - {from: 2007-01-01, value: 1, source: x}\n"
    )
    (tmp_path / "broken.yaml").write_text("rules:\n  - id: a.b\n    title: [unclosed\n")
    (tmp_path / "twice.yaml").write_text(
        "rules:\n  - id: size.small-joins\n    title: t\n    source: s\n    when: org.seats > 1\n"
        "    then: {finding: again}\n    explain: x\n"
    )
    result = check_rulebook(tmp_path)
    where = {(Path(p.file).name, p.line) for p in result.errors}
    assert ("broken.yaml", 4) in where  # the YAML error, where the parser noticed it
    assert ("twice.yaml", 2) in where  # the id used twice
    odd = (tmp_path / "parameters.yaml").read_text().splitlines().index("  unit: quid") + 1
    assert ("parameters.yaml", odd) in where  # the unknown unit, at its own line
    assert len(result.errors) == 3


def test_check_when_problems_are_found_then_each_is_a_joinup_error_with_its_severity(broken):
    """Warnings and errors alike are the one error type, so the CLI, JSON and tests read them one way."""
    from engine.errors import JoinupError

    assert all(isinstance(p, JoinupError) for p in broken.problems)
    assert {p.severity for p in broken.problems} == {"error", "warning"}
    warning = next(p for p in broken.problems if p.severity == "warning")
    assert warning.report().startswith(f"{warning.location()}: warning: ")
    assert warning.to_dict()["severity"] == "warning"


def _rules_with_a_pipe(tmp_path: Path, name: str) -> Path:
    """A copy of the shipped rules with `name` (a path inside it) replaced by a named pipe."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / name).unlink(missing_ok=True)
    os.mkfifo(rules / name)
    return rules


def test_rules_check_when_a_rule_file_is_a_named_pipe_then_reported_without_waiting(tmp_path):
    """A FIFO among the rule files is one located problem, found at once, and the rest is still checked."""
    rules = _rules_with_a_pipe(tmp_path, "zz.yaml")
    done = joinup("rules", "check", str(rules), timeout=60)
    assert done.returncode == 1
    assert f"{rules / 'zz.yaml'}: error: is a named pipe, not a rule file" in done.stdout


def test_decide_when_the_parameters_file_is_a_named_pipe_then_refused_without_waiting(tmp_path):
    """A FIFO as parameters.yaml is one line, exit 2, at once."""
    rules = _rules_with_a_pipe(tmp_path, "parameters.yaml")
    line = one_error_line(joinup("decide", "--rules", str(rules), "cases/new-department.yaml", timeout=60))
    assert "parameters.yaml: is a named pipe" in line


def test_rules_test_when_a_rule_test_file_is_a_named_pipe_then_reported_without_waiting(tmp_path):
    """A FIFO among the rule test files is reported by name, at once, not waited on."""
    rules = _rules_with_a_pipe(tmp_path, "tests/zz.yaml")
    done = joinup("rules", "test", str(rules), timeout=120)
    assert "zz.yaml: is a named pipe, not a rule test file" in done.stdout + done.stderr


def _with_parameters(tmp_path: Path, old: str, new: str) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "parameters.yaml").read_text()
    assert old in text
    (rules / "parameters.yaml").write_text(text.replace(old, new, 1))
    return rules


def _errors(rules: Path) -> list:
    return [p for p in check_rulebook(rules).errors if p.file == str(rules / "parameters.yaml")]


def test_load_rulebook_when_a_percentage_is_quoted_without_a_percent_sign_then_error_at_its_value(tmp_path):
    """`value: '10'` for a percent parameter is refused at its line, not read as 1,000%."""
    rules = _with_parameters(tmp_path, "value: 10%", "value: '10'")
    with pytest.raises(ParameterError) as info:
        load_rulebook(rules)
    text = (rules / "parameters.yaml").read_text()
    assert info.value.line == next(i for i, line in enumerate(text.splitlines(), 1) if "value: '10'" in line)
    assert "a percentage is written like 3.5%" in info.value.message


def test_load_rulebook_when_a_threshold_in_seats_is_written_as_a_percentage_then_error(tmp_path):
    """`value: 15%` for a parameter in seats is refused, not read as 0.15 seats."""
    rules = _with_parameters(tmp_path, "value: 1500", "value: 15%")
    with pytest.raises(ParameterError, match="a value in seats is a plain number"):
        load_rulebook(rules)


@pytest.mark.parametrize("rate", ["150%", "-1%"])
def test_check_when_the_discount_rate_is_implausible_then_error(tmp_path, rate):
    """`rules check` refuses a discount rate of 150% or -1% (every decision would then fail) at its line."""
    (problem,) = _errors(_with_parameters(tmp_path, "value: 3.5%", f"value: {rate}"))
    assert (problem.field, problem.line) == ("discount_rate", 5)
    assert "must be from 0% to 100%" in problem.message


def test_check_when_a_threshold_is_outside_what_its_unit_can_be_then_error(tmp_path):
    """A seats threshold of -5 is refused by the plausible range of its unit, at the value's line."""
    (problem,) = _errors(_with_parameters(tmp_path, "value: 1500", "value: -5"))
    assert problem.field == "small_organisation_seats" and "outside the plausible" in problem.message


def test_load_rulebook_when_a_parameter_date_is_an_integer_then_error(tmp_path):
    """`from: 1167609600` is refused, not read as a Unix timestamp."""
    rules = _with_parameters(tmp_path, "from: 2003-01-01", "from: 1167609600")
    with pytest.raises(ParameterError) as info:
        load_rulebook(rules)
    assert info.value.field == "discount_rate.values[0].from" and "YYYY-MM-DD" in info.value.message


def test_check_when_a_rule_file_uses_a_merge_key_then_error_at_its_line(tmp_path):
    """A merge key in a rule file is one located problem, not a KeyError."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "suffolk.yaml").read_text().replace("    stage: presumption\n", "    stage: presumption\n    <<: {stage: evidence}\n", 1)
    (rules / "suffolk.yaml").write_text(text)
    (problem,) = [p for p in check_rulebook(rules).errors if p.file == str(rules / "suffolk.yaml")]
    assert problem.line == next(i for i, line in enumerate(text.splitlines(), 1) if "<<:" in line)
    assert "merge keys" in problem.message


def test_check_when_the_parameters_file_uses_omap_then_error_at_its_line(tmp_path):
    """`!!omap` in the parameters file is one located problem, not a TypeError."""
    rules = _with_parameters(tmp_path, "discount_rate:\n", "discount_rate: !!omap\n")
    (problem,) = _errors(rules)
    assert problem.line == 5 and "!!omap" in problem.message
