"""The README documents the policy team's commands (a command added without docs fails here)."""
from pathlib import Path

import pytest

from engine.cli import app, rules_app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [c.name for c in rules_app.registered_commands])
def test_readme_when_a_rules_command_exists(name):
    """Every `joinup rules` command appears in the README."""
    assert f"joinup rules {name}" in README


def test_readme_when_explain_exists():
    """`joinup explain` appears in the README."""
    assert "explain" in [c.name for c in app.registered_commands]
    assert "joinup explain " in README


def _yaml_blocks() -> list[str]:
    return [block.split("```", 1)[0] for block in README.split("```yaml\n")[1:]]


def test_readme_when_it_shows_a_threshold_change(tmp_path):
    """The README's dated parameter is valid and the newer value applies from its date."""
    import datetime as dt

    from engine.documents import parse_text
    from engine.errors import ParameterError
    from engine.parameters import Parameter

    (block,) = [b for b in _yaml_blocks() if b.startswith("small_organisation_seats:")]
    document = parse_text(block, "README.md", ParameterError)
    parameter = Parameter.model_validate(document["small_organisation_seats"])
    assert parameter.in_force(dt.date(2027, 4, 1)).value == 2000


def test_readme_when_it_shows_a_new_rule(tmp_path):
    """The README's example rule, added to the shipped rulebook, checks clean."""
    import shutil

    from engine.policy.check import check_rulebook

    (block,) = [b for b in _yaml_blocks() if "- id: size.very-small-organisation" in b]
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", tmp_path / "rules")
    (tmp_path / "rules" / "example.yaml").write_text("rules:\n" + block, encoding="utf-8")
    result = check_rulebook(tmp_path / "rules")
    assert result.problems == [], [str(p) for p in result.problems]
    assert "size.very-small-organisation" in [r.id for r in result.rulebook.rules]


def test_readme_when_it_shows_a_rule_test(tmp_path):
    """The README's example rule test loads and passes against the shipped rulebook."""
    from engine.policy import ruletest_format, ruletests
    from engine.api import Decider

    (block,) = [b for b in _yaml_blocks() if b.startswith("- name: one seat under")]
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "cases").symlink_to(root / "cases")
    path = tmp_path / "rules" / "tests" / "example.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(block, encoding="utf-8")
    decider = Decider(root / "rules")
    (test,) = ruletest_format.load_tests(path, decider.rulebook)
    outcome = ruletests.run(test, decider)
    assert outcome.passed, outcome.report()
