"""Reusing parts of the measures across a case's variants (engine.reuse): the same measures, worked out less often."""
from __future__ import annotations

import pytest

from engine.analysis.draws import draw
from engine.analysis.inputs import case_inputs, parameter_inputs, uncertain
from engine.load import load_case
from engine.measures import measure
from engine.quantities import Range
from engine.reuse import Reuse

from .conftest import CASES


def _counting():
    calls = []

    def work(*args):
        calls.append(args)
        return len(calls)

    return work, calls


def test_reuse_when_asked_again_with_the_same_objects_then_worked_out_once():
    """The same objects and numbers give the part kept the first time."""
    work, calls = _counting()
    reuse, thing = Reuse(), {"a": 1}
    assert reuse(work, thing, 2, 0.5) == reuse(work, thing, 2, 0.5) == 1
    assert len(calls) == 1


def test_reuse_when_an_equal_copy_then_worked_out_again():
    """A model or a dict is the same argument only if it is the same object: a copy may be a changed variant."""
    work, calls = _counting()
    reuse, r = Reuse(), Range.exactly(1.0)
    reuse(work, r)
    reuse(work, r.model_copy())
    reuse(work, {"a": 1})
    reuse(work, {"a": 1})
    assert len(calls) == 4


def test_reuse_when_numbers_are_equal_but_not_the_same_figure_then_worked_out_again():
    """0.0 and -0.0, 1 and 1.0 and True are equal in Python, and are not the same argument."""
    work, calls = _counting()
    reuse = Reuse()
    for value in (0.0, -0.0, 1, 1.0, True):
        reuse(work, value)
    assert len(calls) == 5


def test_reuse_when_more_parts_than_it_keeps_then_the_least_recently_used_goes():
    """A part asked for again stays; the oldest of the rest is worked out again."""
    work, calls = _counting()
    reuse, shared = Reuse(kept=2), object()
    reuse(work, shared)
    for k in range(5):
        reuse(work, k)
        reuse(work, shared)
    assert calls.count((shared,)) == 1
    reuse(work, 0)
    assert calls.count((0,)) == 2


@pytest.mark.parametrize("name", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_measure_when_reused_across_variants_then_the_same_as_measured_alone(decider, name):
    """Every draw, and every parameter moved, measures the same with parts reused as without."""
    case = load_case(CASES / f"{name}.yaml").case
    params = decider.rulebook.parameters.in_force(case.decision_date)
    reuse = Reuse()
    inputs = uncertain(case_inputs(case))
    drawn = draw(case, inputs, 30, seed=1) if inputs else None
    variants = [(drawn.case(case, row), params) for row in range(30)] if drawn else []
    variants += [item.set(case, params, end) for item in case_inputs(case) + parameter_inputs(params)
                 for end in item.bounds]
    for variant, moved in [(case, params)] + variants:
        try:
            alone = measure(variant, moved)
        except (ValueError, ZeroDivisionError):
            continue
        assert measure(variant, moved, reuse) == alone


def test_reuse_when_a_tuple_of_the_same_values_then_worked_out_once():
    """A tuple of numbers made afresh (a contract's term and re-letting cost) is the same argument as before."""
    work, calls = _counting()
    reuse = Reuse()
    reuse(work, (5, 20_000.0))
    reuse(work, (5, 20_000.0))
    reuse(work, (5, 0.0))
    reuse(work, (5, -0.0))
    assert len(calls) == 3
