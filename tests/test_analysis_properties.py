"""Properties of switching values, over generated cases: each reported value is where the verdict really changes."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.analysis.analyse import analyse
from engine.analysis.inputs import case_inputs
from engine.analysis.switching import SCAN_STEPS
from engine.analysis.verdicts import Verdicts

from .analysis_cases import box15, vfm_decider

DECIDER = vfm_decider()


def _verdicts_at(case, params, name, value):
    item = next(i for i in case_inputs(case) if i.name == name)
    return Verdicts(DECIDER).outcome(*item.set(case, params, value))


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    running=st.integers(50_000, 600_000),
    price=st.integers(200, 700),
    one_off=st.integers(0, 2_000_000),
)
def test_switching_value_when_nudged_either_way_gives_the_stated_verdicts(running, price, one_off):
    """Each switching value, nudged back, keeps today's verdict; at it, the stated one; none nearer on the way."""
    case = box15(running=running, price=price, one_off=one_off)
    params = DECIDER.rulebook.parameters.in_force(case.decision_date)
    analysis = analyse(DECIDER, case, draws=None)
    today = analysis.sensitivity.verdict
    for found in analysis.sensitivity.estimates:
        assert _verdicts_at(case, params, found.input, found.kept).overall == today
        assert _verdicts_at(case, params, found.input, found.value).overall == found.verdict_then != today
        # No nearer switch: the verdict holds on a grid ten times finer than the search's scan.
        for k in range(1, 10 * SCAN_STEPS):
            point = found.today + (found.kept - found.today) * k / (10 * SCAN_STEPS)
            assert _verdicts_at(case, params, found.input, point).overall == today
