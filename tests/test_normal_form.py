"""A condition's normal form: one meaning, shared by durable_rules and the Python evaluator."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine.conditions import normal
from engine.conditions import parse as expressions
from engine.conditions.normal import fact_key as key
from engine.conditions.typecheck import check
from engine.errors import RuleError

from .conftest import fuzz
from .test_bad_conditions import NAMES, _fires, _parse_check_compile, conditions

_NUMBERS = [0, 1, 3, 7, 1000, 2.5, 0.1, 1e-05, 2e16]


def _normal(text: str) -> normal.Condition:
    node = expressions.parse(text)
    check(node, NAMES)
    return normal.normalise(node)


def test_normalise_when_not_over_and_then_any_of_inverted_tests():
    """`not (a > 1 and b <= 2)` is `a <= 1 or b > 2`."""
    form = _normal("not (org.seats > 1 and line.seats <= 2)")
    assert isinstance(form, normal.AnyOf)
    assert [(t.name, t.op, t.value) for t in form.items] == [("org.seats", "<=", 1), ("line.seats", ">", 2)]


def test_normalise_when_constant_on_the_left_then_name_on_the_left():
    """`5 < x` is `x > 5`."""
    (form,) = normal.tests(_normal("5 < org.seats"))
    assert (form.name, form.op, form.value) == ("org.seats", ">", 5)


def test_normalise_when_arithmetic_on_numbers_alone_then_folded():
    """`x >= 1 + 2 * 3` tests x against 7."""
    (form,) = normal.tests(_normal("org.seats >= 1 + 2 * 3"))
    assert form.value == 7


def test_normalise_when_not_in_then_all_of_inequalities():
    """`not x in [a, b]` is `x != a and x != b`."""
    form = _normal('not org.kind in ["department", "agency"]')
    assert isinstance(form, normal.AllOf) and {t.op for t in form.items} == {"!="}


def test_normalise_when_arithmetic_on_both_sides_then_located_error():
    """A comparison needs a single name on one side; the error points at the comparison."""
    with pytest.raises(RuleError) as info:
        _normal("org.seats - 1 > line.seats + 1")
    assert (info.value.line, info.value.column) == (1, 1)


def test_holds_when_a_name_is_unknown_then_neither_test_nor_its_negation_holds():
    """`x > 5` and `not x > 5` are both false when x is unknown, as in durable_rules."""
    assert not normal.holds(_normal("org.seats > 5"), {})
    assert not normal.holds(_normal("not org.seats > 5"), {})
    assert normal.holds(_normal("org.seats is unknown"), {})


def _fact_and_values(node: expressions.Node, data: st.DataObject) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fact for durable_rules and the same values by name; each name may be left unknown."""
    fact: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for ref in expressions.refs(node):
        if ref.path in values:
            continue
        name = NAMES.get(ref.path)
        if name.kind == "number":
            strategy = st.sampled_from(_NUMBERS)
        elif name.kind == "bool":
            strategy = st.booleans()
        else:
            strategy = st.sampled_from(name.choices or ("department", "x"))
        value = data.draw(st.none() | strategy, label=ref.path)
        values[ref.path] = value
        if value is not None:
            fact[key(ref.path)] = value
    return fact, values


@pytest.mark.slow
@fuzz(150)
@given(text=conditions, data=st.data())
def test_normal_form_when_evaluated_in_python_then_durable_rules_agrees(text: str, data: st.DataObject):
    """On any fact, unknown names included, durable_rules fires exactly when the normal form holds."""
    compiled = _parse_check_compile(text)
    assume(compiled is not None)
    node = expressions.parse(text)
    fact, values = _fact_and_values(node, data)
    try:
        expected = normal.holds(normal.normalise(node), values)
    except OverflowError:
        assume(False)
    assert _fires(compiled, fact) == expected, (text, values, compiled)
