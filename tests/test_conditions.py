"""The condition language: parse, check against the names, compile for durable_rules."""
from __future__ import annotations

import pytest

from engine.conditions import parse as expressions
from engine.conditions.compile import compile_condition
from engine.errors import RuleError
from engine.conditions.names import Catalogue
from engine.parameters import Parameters
from engine.conditions.typecheck import check

from .conftest import ROOT


@pytest.fixture(scope="module")
def names() -> Catalogue:
    return Catalogue(Parameters.load(ROOT / "rules" / "parameters.yaml"), {"urgent": "It is urgent."})


def _compiled(text: str, names: Catalogue) -> dict:
    node = expressions.parse(text)
    check(node, names)
    return compile_condition(node, names)


def _check_error(text: str, names: Catalogue) -> RuleError:
    with pytest.raises(RuleError) as info:
        check(expressions.parse(text), names)
    return info.value


def test_parse_when_precedence_then_and_binds_tighter_than_or():
    """`a or b and c` is `a or (b and c)`."""
    node = expressions.parse("a or b and c")
    assert isinstance(node, expressions.Or)
    assert isinstance(node.items[1], expressions.And)


def test_parse_when_percent_literal_then_fraction():
    """10% is 0.1."""
    node = expressions.parse("x > 10%")
    assert node.right.value == pytest.approx(0.1) and node.right.percent


def test_parse_when_syntax_error_then_line_and_column():
    """A stray operator is reported at its column."""
    with pytest.raises(RuleError) as info:
        expressions.parse("org.seats > > 3")
    assert (info.value.line, info.value.column) == (1, 13)


def test_parse_when_condition_ends_early_then_says_so():
    """A dangling `and` is a condition that ends too early."""
    with pytest.raises(RuleError) as info:
        expressions.parse("org.seats > 3 and")
    assert "ends too early" in info.value.message


def test_parse_when_keyword_prefix_in_name_then_still_a_name():
    """`income` is a name, not the keyword `in` followed by `come`."""
    node = expressions.parse("income > 1")
    assert node.left.path == "income"


def test_check_when_unknown_name_then_suggests_closest(names: Catalogue):
    """A misspelt name gets a "did you mean"."""
    err = _check_error("org.seat < 10", names)
    assert "unknown name 'org.seat'" in err.message and "org.seats" in err.hint


def test_check_when_number_compared_with_text_then_error(names: Catalogue):
    """A number is never compared with text (durable_rules would compare them as text)."""
    err = _check_error('org.seats > "many"', names)
    assert "compares a number in seats with text" in err.message


def test_check_when_percentage_compared_with_pounds_then_error(names: Catalogue):
    """A percentage is not compared with pounds."""
    err = _check_error("line.discount_on_peer_price > line.saving_by_joining", names)
    assert "percent" in err.message and "pounds" in err.message


def test_check_when_percentage_compared_with_plain_number_then_hint_percent_sign(names: Catalogue):
    """`price_drop > 10` almost always meant 10%."""
    err = _check_error("line.price_drop_from_joining > 10", names)
    assert "write 10% if you mean per cent" in err.hint


def test_check_when_text_value_not_among_choices_then_suggests(names: Catalogue):
    """A text value the name never takes is refused with the nearest it does."""
    err = _check_error('org.kind == "departmnt"', names)
    assert "'department'" in err.hint


def test_check_when_condition_is_a_number_then_error(names: Catalogue):
    """A condition must be true or false."""
    err = _check_error("org.seats + 1", names)
    assert "not true or false" in err.message


def test_compile_when_literal_on_left_then_turned_round(names: Catalogue):
    """`1000 < org.seats` compiles as `org.seats > 1000`."""
    assert _compiled("1000 < org.seats", names) == {"$gt": {"org:seats": 1000.0}}


def test_compile_when_not_over_and_then_de_morgan(names: Catalogue):
    """`not (a and b)` becomes `not a or not b`, with comparisons inverted."""
    compiled = _compiled("not (org.seats > 10 and urgent)", names)
    assert compiled == {"$or": [{"$lte": {"org:seats": 10.0}}, {"urgent": False}]}


def test_compile_when_name_on_both_sides_then_same_fact_reference(names: Catalogue):
    """A name on the right is a reference to the same fact, with arithmetic, and is tested present."""
    compiled = _compiled("go_alone.cost_per_seat > offer.cost_per_seat * 1.1", names)
    assert compiled == {"$and": [
        {"$gt": {"go_alone:cost_per_seat": {"$mul": {"$l": {"$m": "offer:cost_per_seat"}, "$r": 1.1}}}},
        {"$ex": {"offer:cost_per_seat": 1}},
    ]}


def test_compile_when_in_list_then_chain_of_or(names: Catalogue):
    """`in [...]` becomes one equality test per value."""
    compiled = _compiled('org.kind in ["agency", "department"]', names)
    assert compiled == {"$or": [{"$eq": {"org:kind": "agency"}}, {"$eq": {"org:kind": "department"}}]}


def test_compile_when_is_unknown_then_nex(names: Catalogue):
    """`x is unknown` tests that the figure is absent."""
    assert _compiled("line.break_after_years is unknown", names) == {"$nex": {"line:break_after_years": 1}}


def test_compile_when_arithmetic_on_both_sides_then_error_with_hint(names: Catalogue):
    """durable_rules needs a single name on one side."""
    with pytest.raises(RuleError) as info:
        _compiled("org.seats - 1 > line.seats - 2", names)
    assert "single name" in info.value.message
