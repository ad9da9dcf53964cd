"""Small cases for the analysis tests, built in code so each figure is visible where it is used."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.api import Decider
from engine.case import Case

VFM_RULES = Path(__file__).parent / "fixtures" / "vfm-rules"
# Years of year 1 before the line is needed (one day; measures read time from the date needed).
YEAR_ONE_LOST = 1 / 365.25
NO_BIAS = {"capital_cost": 0, "operating_cost": 0, "duration": 0, "reason": "a worked example: no uplift"}


def box15(running: Any = 250_000, price: Any = 400, one_off: Any = 1_000_000, months: Any = 0, **extra: Any) -> Case:
    """Green Book 2003 Box 15 as a line: £1m one-off to save £150,000 a year (£400k offer, £250k in house) for 10 years."""
    option = {"evidence": "estimate", "optimism_bias": NO_BIAS, "procurement_months": months}
    data = {
        "organisation": {"name": "Box 15", "kind": "agency", "staff": 1000, "seats": 1000, "newly_created": True},
        "decision_date": "2026-11-25",
        # Needed the next day (a case's need_by must follow its decision): costs run from the date needed,
        # so year 1 loses one day of Box 15's savings (YEAR_ONE_LOST below).
        "need_by": "2026-11-26",
        "vat": "excluded",
        "service_lines": [{
            "name": "Desktops",
            "appraisal_years": 10,
            "go_alone": {**option, "nature": "running service", "annual_running_cost": running, "one_off_costs": one_off},
            "offer": {**option, "nature": "running service", "name": "Flex", "supplier": "S", "price_per_seat": price,
                      "contract_years": 10, "reprocurement_cost": 0, "accredited_marking": "OFFICIAL"},
        }],
        **extra,
    }
    return Case.model_validate(data)


def vfm_decider() -> Decider:
    return Decider(VFM_RULES)
