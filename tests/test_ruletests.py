"""The YAML rule-test format (engine/policy/ruletest_format.py) and runner (engine/policy/ruletests.py)."""
import shutil
import textwrap
from pathlib import Path

import pytest

from engine.policy import ruletest_format, ruletests
from engine.api import Decider
from engine.errors import RuleTestError
from engine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
NEW_DEPARTMENT = str(ROOT / "cases" / "new-department.yaml")


@pytest.fixture(scope="module")
def decider():
    return Decider(RULES)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tests.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_load_tests_when_a_key_is_unknown(tmp_path, decider):
    """An unknown key is an error naming the file, the line, the test and the likely key."""
    path = write(tmp_path, f"""\
        - name: first
          case: {NEW_DEPARTMENT}
          verdict: join

        - name: misspelt
          case: {NEW_DEPARTMENT}
          fire: [size.small-organisation]
        """)
    with pytest.raises(RuleTestError) as caught:
        ruletest_format.load_tests(path, decider.rulebook)
    error = caught.value
    assert (error.file, error.line) == (str(path), 7)
    assert error.field == "test 'misspelt': fire"
    assert "did you mean 'fires'" in error.hint


def test_load_tests_when_a_rule_id_is_unknown(tmp_path, decider):
    """A rule id that no rule has is an error at its line, with the closest id."""
    path = write(tmp_path, f"""\
        - name: typo in a rule id
          case: {NEW_DEPARTMENT}
          fires:
            - size.small-organisation
            - size.smal-organisation
        """)
    with pytest.raises(RuleTestError) as caught:
        ruletest_format.load_tests(path, decider.rulebook)
    assert caught.value.line == 5
    assert "size.small-organisation" in caught.value.hint


def test_load_tests_when_a_test_expects_nothing(tmp_path, decider):
    """A test with no expectation is refused: it could never fail."""
    path = write(tmp_path, f"""\
        - name: idle
          case: {NEW_DEPARTMENT}
        """)
    with pytest.raises(RuleTestError, match="expects nothing"):
        ruletest_format.load_tests(path, decider.rulebook)


def test_load_tests_when_a_change_path_does_not_exist(tmp_path, decider):
    """A change to a service line the case lacks is an error at the change's line."""
    path = write(tmp_path, f"""\
        - name: third line
          case: {NEW_DEPARTMENT}
          change:
            service_lines[5].seats: 10
          verdict: join
        """)
    with pytest.raises(RuleTestError) as caught:
        ruletest_format.load_tests(path, decider.rulebook)
    assert caught.value.line == 4
    assert "service_lines[5]" in caught.value.message


def test_load_tests_when_a_change_makes_the_case_invalid(tmp_path, decider):
    """A change that breaks the case says which field and why."""
    path = write(tmp_path, f"""\
        - name: negative seats
          case: {NEW_DEPARTMENT}
          change:
            organisation.seats: -4
          verdict: join
        """)
    with pytest.raises(RuleTestError, match="organisation.seats"):
        ruletest_format.load_tests(path, decider.rulebook)


def test_run_when_a_change_is_applied(tmp_path, decider):
    """A change to the example case is what gets decided."""
    path = write(tmp_path, f"""\
        - name: at the threshold
          case: {NEW_DEPARTMENT}
          change:
            organisation.seats: 1500
          does_not_fire: [size.small-organisation]
        """)
    (test,) = ruletest_format.load_tests(path, decider.rulebook)
    outcome = ruletests.run(test, decider)
    assert outcome.passed, outcome.report()
    assert outcome.recommendation.measures.seats == 1500


def test_run_when_the_case_is_inline(tmp_path, decider):
    """A case written inside the test decides like a case file."""
    path = write(tmp_path, """\
        - name: inline
          case:
            organisation: {name: Tiny Office, kind: agency, staff: 20, seats: 20}
            decision_date: 2026-11-25
            need_by: 2028-11-25
            vat: excluded
            service_lines:
              - name: Email
                go_alone: {nature: to be built, evidence: estimate, annual_running_cost: 20000, procurement_months: 6, quality: {q: 3}}
                offer: {name: Mail, supplier: S, nature: running service, evidence: firm quote, accredited_marking: OFFICIAL,
                        price_per_seat: 100, procurement_months: 2, contract_years: 3, quality: {q: 4}}
          verdict: join
          fires: [size.small-organisation]
        """)
    (test,) = ruletest_format.load_tests(path, decider.rulebook)
    assert ruletests.run(test, decider).passed


def test_report_when_expectations_fail(tmp_path, decider):
    """A failure prints the file and test name, then what was expected and what came, indented."""
    path = write(tmp_path, f"""\
        - name: wrong on purpose
          case: {NEW_DEPARTMENT}
          verdict: go-alone
          lines:
            Desktops: {{does_not_fire: [presumption.join]}}
          reasons_contain: [a phrase no reason has]
        """)
    (test,) = ruletest_format.load_tests(path, decider.rulebook)
    outcome = ruletests.run(test, decider)
    report = outcome.report().splitlines()
    assert report[0] == f"{path}:1: wrong on purpose"
    assert report[1:4] == ["    overall verdict", "        expected: go-alone", "        came:     join (Desktops join, Service desk join)"]
    assert "    Desktops: does not fire" in report
    assert "    reasons contain" in report
    assert len(outcome.mismatches) == 3


def test_load_tests_when_a_line_name_is_unknown(tmp_path, decider):
    """Naming a service line the case lacks is an error at that line, suggesting the closest name."""
    path = write(tmp_path, f"""\
        - name: no such line
          case: {NEW_DEPARTMENT}
          lines:
            Desktop: {{verdict: join}}
        """)
    with pytest.raises(RuleTestError) as caught:
        ruletest_format.load_tests(path, decider.rulebook)
    assert (caught.value.line, caught.value.message) == (4, "the case has no service line 'Desktop'")
    assert caught.value.hint == "did you mean 'Desktops'?"


def test_collect_when_the_shipped_rulebook_is_used(decider):
    """The shipped rule tests load, each with a readable `file::name` id."""
    tests, errors = ruletest_format.collect(RULES, decider.rulebook)
    assert not errors
    assert len(tests) >= 40
    assert "examples.yaml::a new department joins" in [t.id for t in tests]


def test_load_tests_when_the_cases_sit_inside_the_rulebook_folder_then_found(tmp_path, decider, monkeypatch):
    """`cases/...` is found in the rulebook folder itself, as the installed wheel lays it out."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "cases", rules / "cases")
    path = rules / "tests" / "examples.yaml"
    path.parent.mkdir()
    path.write_text("- name: joins\n  case: cases/new-department.yaml\n  verdict: join\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no cases/ here: only the rulebook's own copy can be found
    (test,) = ruletest_format.load_tests(path, decider.rulebook)
    assert test.case.path == str(rules / "cases" / "new-department.yaml")


def test_run_all_when_a_fixture_rulebook_has_dated_parameters():
    """A rulebook's tests run with that rulebook: decision dates either side of a change differ."""
    folder = ROOT / "tests" / "fixtures" / "dated-rules"
    result = ruletests.run_all(folder, Decider(load_rulebook(folder)))
    assert result.ok, "\n".join(o.report() for o in result.failed)
    assert result.summary() == "2 passed, 0 failed"


def test_run_when_a_change_removes_a_field_with_null(tmp_path, decider):
    """null removes a field, so tiered prices can be swapped for a flat one."""
    path = write(tmp_path, f"""\
        - name: flat price
          case: {NEW_DEPARTMENT}
          change:
            service_lines[0].offer.price_tiers: null
            service_lines[0].offer.price_per_seat: 2000
          lines:
            Desktops: {{does_not_fire: [size.joining-lowers-price, peers.offer-below-peers]}}
        """)
    (test,) = ruletest_format.load_tests(path, decider.rulebook)
    outcome = ruletests.run(test, decider)
    assert outcome.passed, outcome.report()
    assert outcome.recommendation.measures.lines[0].price_per_seat == 2000


def test_load_tests_when_a_change_leaves_two_prices_suggests_null(tmp_path, decider):
    """Setting a flat price on a tiered offer explains how to remove the tiers."""
    path = write(tmp_path, f"""\
        - name: two prices
          case: {NEW_DEPARTMENT}
          change:
            service_lines[0].offer.price_per_seat: 2000
          verdict: join
        """)
    with pytest.raises(RuleTestError) as caught:
        ruletest_format.load_tests(path, decider.rulebook)
    assert "price_tiers: null" in caught.value.hint
