"""Run the policy team's YAML rule tests (rules/tests/*.yaml) under pytest: one item per test.

The format lives in engine/policy/ruletest_format.py, the runner in engine/policy/ruletests.py;
`joinup rules test` runs the same tests.
"""
from pathlib import Path

import pytest

from engine.policy import ruletest_format, ruletests
from engine.api import Decider
from engine.rulebook import load_rulebook

RULES = Path(__file__).resolve().parent.parent
RULEBOOK = load_rulebook(RULES)
TESTS, ERRORS = ruletest_format.collect(RULES, RULEBOOK)


@pytest.fixture(scope="module")
def decider():
    return Decider(RULEBOOK)


@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_rulebook_when_a_yaml_rule_test_runs(test, decider):
    """The rulebook gives what the YAML test expects."""
    outcome = ruletests.run(test, decider)
    if not outcome.passed:
        pytest.fail(outcome.report(), pytrace=False)


def test_rule_test_files_when_loaded():
    """Every rule test file is a valid list of tests."""
    assert not ERRORS, "\n".join(str(e) for e in ERRORS)


def test_rule_tests_when_measured_cover_every_rule_and_clause(decider):
    """Every rule fires in some test, and every clause is seen both true and false."""
    from engine.policy.coverage import measure_coverage

    outcomes = [ruletests.run(t, decider) for t in TESTS]
    coverage = measure_coverage(RULEBOOK, outcomes)
    assert coverage.complete, coverage.text()
