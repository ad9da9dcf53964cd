"""Parameters over time: a case is decided with the values in force on its decision date."""
import datetime as dt
from pathlib import Path

import pytest

from engine.api import Decider
from engine.load import load_case, parse_case
from engine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
DATED = ROOT / "tests" / "fixtures" / "dated-rules"


@pytest.fixture(scope="module")
def decider():
    return Decider(DATED)


def on(date: str):
    data = (ROOT / "cases" / "new-department.yaml").read_bytes()
    return parse_case(data.replace(b"decision_date: 2026-11-25", f"decision_date: {date}".encode()), "new-department.yaml")


def test_decide_when_the_decision_date_is_before_a_parameter_change(decider):
    """Before 2027-01-01 the threshold is 1,500 seats: 1,000 seats is small, so join."""
    rec = decider.decide(on("2026-12-31"))
    assert rec.parameters["small_organisation_seats"].value == 1500
    assert rec.parameters["small_organisation_seats"].since == dt.date(2007, 1, 1)
    assert rec.verdict == "join"


def test_decide_when_the_decision_date_is_after_a_parameter_change(decider):
    """From 2027-01-01 the threshold is 800 seats, with its own source: 1,000 seats is not small."""
    rec = decider.decide(on("2027-01-01"))
    used = rec.parameters["small_organisation_seats"]
    assert (used.value, used.since) == (800, dt.date(2027, 1, 1))
    assert used.source == "joinup policy team, spending review (2026), para 4"
    assert rec.verdict == "go-alone"


def test_decide_when_the_shipped_rulebook_records_its_parameters():
    """The recommendation records every parameter value it used, with its source."""
    rec = Decider().decide(load_case(ROOT / "cases" / "urgent-agency.yaml"))
    assert rec.parameters["discount_rate"].value == pytest.approx(0.035)
    assert all(p.source for p in rec.parameters.values())


def test_parameters_in_force_when_asked_about_many_dates_then_cache_holds_one_entry_per_period():
    """A thousand decision dates cache at most one set of values per period between effective dates."""
    parameters = load_rulebook(DATED).parameters
    periods = len({v.from_ for p in parameters.by_name.values() for v in p.values})
    for day in range(1000):
        parameters.in_force(dt.date(2027, 1, 1) + dt.timedelta(days=day))
    assert len(parameters._in_force) <= periods
    assert parameters.in_force(dt.date(2026, 12, 31))["small_organisation_seats"].value == 1500
    assert parameters.in_force(dt.date(2027, 1, 1))["small_organisation_seats"].value == 800
