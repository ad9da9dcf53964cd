"""Bad rule conditions: property-based hunts for any text that escapes RuleError.

A condition is parsed, checked against the names, then compiled; each step either
succeeds or raises a RuleError pointing inside the condition's text. What compiles must
also be accepted by durable_rules' C core, which reads its own dialect of JSON.
"""
from __future__ import annotations

import itertools
import json
import operator
from typing import Any

import pytest
from durable.engine import MessageNotHandledException
from hypothesis import assume, given
from hypothesis import strategies as st

from engine.conditions import parse as expressions
from engine.assess import _JoinupHost, engine_json
from engine.conditions.compile import compile_condition
from engine.conditions.normal import fact_key as key
from engine.errors import RuleError
from engine.conditions.names import Catalogue
from engine.parameters import Parameters
from engine.conditions.typecheck import check

from .conftest import ROOT, fuzz

FUZZ = fuzz(200)

NAMES = Catalogue(Parameters.load(ROOT / "rules" / "parameters.yaml"), {"urgent": "It is urgent."})
_KNOWN = sorted(NAMES.paths())
TOKENS = [
    *_KNOWN[::3],
    "org.kind",
    "line.kind",
    "urgent",
    "org.seets",
    "param",
    "income",
    "0",
    "1",
    "2.5",
    "1_000",
    "10%",
    "0.001%",
    "0.00001",
    "20000000000000000",
    "9" * 400,
    '"department"',
    '"departmnt"',
    "'agency'",
    '"unterminated',
    "and",
    "or",
    "not",
    "is",
    "known",
    "unknown",
    "in",
    "true",
    "false",
    "(",
    ")",
    "[",
    "]",
    ",",
    "-",
    "+",
    "*",
    "/",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "=",
    "@",
    "é",
    "#",
    "{",
    "$",
    "\n",
    "\t",
]
token_texts = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map(" ".join)

# Conditions shaped by the grammar, so most get past the parser to the checker and compiler.
_BY_KIND = {kind: [p for p in _KNOWN if NAMES.get(p).kind == kind] for kind in ("number", "bool", "text")}
_NUMBERS = ["0", "1", "2.5", "1_000", "10%", "0.001%", "0.00001", "20000000000000000", "9" * 400]
_TEXTS = ['"department"', '"agency"', '"departmnt"', "'desktop'"]
values = st.recursive(
    st.sampled_from(_BY_KIND["number"]) | st.sampled_from(_NUMBERS) | st.sampled_from(_BY_KIND["bool"][:3] + ["true"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from("+-*/"), inner).map(" ".join),
        inner.map(lambda v: f"-{v}"),
        inner.map(lambda v: f"({v})"),
    ),
    max_leaves=4,
)
_COMPARISONS = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
tests = st.one_of(
    st.tuples(st.sampled_from(_BY_KIND["number"]), _COMPARISONS, st.sampled_from(_NUMBERS)).map(" ".join),
    st.tuples(values, _COMPARISONS, values).map(" ".join),
    st.tuples(st.sampled_from(_BY_KIND["text"]), st.sampled_from(["==", "!="]), st.sampled_from(_TEXTS)).map(" ".join),
    st.tuples(st.sampled_from(_BY_KIND["text"]), st.lists(st.sampled_from(_TEXTS), min_size=1, max_size=3)).map(
        lambda t: f"{t[0]} in [{', '.join(t[1])}]"
    ),
    st.tuples(values, st.sampled_from(["is known", "is unknown"])).map(" ".join),
    st.sampled_from(_BY_KIND["bool"] + ["true", "false"]),
)
conditions = st.recursive(
    tests,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda c: f"not {c}"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=5,
)
_ids = itertools.count()
_HOST = _JoinupHost()


def _inside(err: RuleError, text: str) -> None:
    """The error's line and column point at a character of the text, or just past the end of a line."""
    lines = text.split("\n")
    assert err.line is not None and 1 <= err.line <= len(lines), (err.line, text)
    assert err.column is not None and 1 <= err.column <= len(lines[err.line - 1]) + 1, (err.column, text)
    assert len(str(err).splitlines()) == 1


def _parse_check_compile(text: str) -> dict | None:
    """Each step succeeds or raises a RuleError inside the text; the compiled form is returned, if any."""
    try:
        node = expressions.parse(text)
    except RuleError as err:
        _inside(err, text)
        return None
    try:
        check(node, NAMES)
    except RuleError as err:
        _inside(err, text)
        return None
    try:
        compiled = compile_condition(node, NAMES)
    except RuleError as err:
        _inside(err, text)
        return None
    json.dumps(compiled, allow_nan=False)  # a number the engine cannot hold (infinity) fails here
    return compiled


def _evaluate(node: expressions.Node, fact: dict[str, Any]) -> Any:
    """What a condition means, in Python, on a fact that has every name it uses."""
    if isinstance(node, expressions.Literal):
        return node.value
    if isinstance(node, expressions.Ref):
        return fact[key(node.path)]
    if isinstance(node, expressions.Neg):
        return -_evaluate(node.operand, fact)
    if isinstance(node, (expressions.Arith, expressions.Compare)):
        return _OPERATORS[node.op](_evaluate(node.left, fact), _evaluate(node.right, fact))
    if isinstance(node, expressions.Known):
        return node.known
    if isinstance(node, expressions.In):
        return _evaluate(node.operand, fact) in [c.value for c in node.choices]
    if isinstance(node, expressions.Not):
        return not _evaluate(node.operand, fact)
    results = [_evaluate(item, fact) for item in node.items]
    return all(results) if isinstance(node, expressions.And) else any(results)


_OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}
_FACT_NUMBERS = [0, 1, 3, 7, 1000, 2.5, 0.1, 1e-05, 2e16]


@pytest.mark.slow
@FUZZ
@given(text=st.text(max_size=60))
def test_parse_when_random_text_then_tree_or_located_rule_error(text: str):
    """Any text parses, or fails with a RuleError whose line and column lie inside it."""
    _parse_check_compile(text)


@pytest.mark.slow
@FUZZ
@given(text=token_texts)
def test_compile_when_random_token_sequence_then_only_rule_errors(text: str):
    """Sequences of the language's own tokens get through parse, check and compile, or a located RuleError."""
    _parse_check_compile(text)


@pytest.mark.slow
@FUZZ
@given(text=conditions)
def test_compile_when_condition_shaped_by_the_grammar_then_only_rule_errors(text: str):
    """Conditions built from the grammar, with names of every kind, compile or get a located RuleError."""
    _parse_check_compile(text)


@pytest.mark.slow
@fuzz(100)
@given(text=conditions)
def test_compile_when_condition_compiles_then_durable_rules_accepts_it(text: str):
    """A condition that compiles loads into durable_rules' C core, which reads an exponent only after a point."""
    compiled = _parse_check_compile(text)
    if compiled is None:
        return
    name = f"fuzz{next(_ids)}"
    _HOST.set_rulesets({name: {"r0": {"all": [{"m": {"$and": [{"kind": "L0"}, compiled]}}], "run": None}}})


@pytest.mark.slow
@fuzz(150)
@given(text=conditions, data=st.data())
def test_assess_when_condition_compiles_then_durable_rules_agrees_with_its_meaning(text: str, data: st.DataObject):
    """On a fact with every name it uses, durable_rules fires a compiled condition exactly when it holds."""
    compiled = _parse_check_compile(text)
    if compiled is None:
        return
    node = expressions.parse(text)
    fact: dict[str, Any] = {}
    for ref in expressions.refs(node):
        kind, choices = NAMES.get(ref.path).kind, NAMES.get(ref.path).choices
        if kind == "number":
            strategy = st.sampled_from(_FACT_NUMBERS)
        elif kind == "bool":
            strategy = st.booleans()
        else:
            strategy = st.sampled_from(choices or ("department", "x"))
        fact[key(ref.path)] = data.draw(strategy, label=ref.path)
    try:
        expected = bool(_evaluate(node, fact))
    except (ZeroDivisionError, OverflowError):
        assume(False)
    assert _fires(compiled, fact) == expected, (text, fact, compiled)


def _fires(compiled: dict, fact: dict[str, Any]) -> bool:
    """Whether durable_rules fires a rule with this condition on this fact."""
    name = f"agree{next(_ids)}"
    sink = {"all": [{"m": {"kind": "sink"}}], "run": None}
    _HOST.set_rulesets({name: {"r0": {"all": [{"m": {"$and": [{"kind": "L0"}, compiled]}}], "run": None}, "r1": sink}})
    fired: list[int] = []
    _HOST.get_ruleset(name)._record = fired.append
    try:
        _HOST.assert_fact(name, {**fact, "kind": "L0", "id": "1", "sid": "s"})
    except MessageNotHandledException:
        _HOST.assert_fact(name, {"kind": "sink", "id": "2", "sid": "s"})  # a session in which nothing fired cannot be deleted safely
    _HOST.delete_state(name, "s")
    return 0 in fired


def test_parse_when_number_too_large_for_a_float_then_rule_error_at_the_number():
    """400 digits would become infinity: refused at the number's column."""
    with pytest.raises(RuleError) as info:
        expressions.parse("org.seats > " + "9" * 400)
    assert (info.value.line, info.value.column) == (1, 13)
    assert "too large" in info.value.message


def test_check_when_true_misused_then_error_points_at_it():
    """`true` has a position like any other literal: an error on it names line and column, not 0:0."""
    with pytest.raises(RuleError) as info:
        check(expressions.parse("org.seats > 3 and\n  true + 1 > 2"), NAMES)
    assert (info.value.line, info.value.column) == (2, 3)


def test_engine_json_when_float_has_exponent_but_no_point_then_point_added():
    """durable_rules cannot read 1e-05 or 2e+16; they are written 1.0e-05 and 2.0e+16, strings untouched."""
    assert engine_json({"a": 1e-05, "b": -2e16, "c": 1.5e-07, "d": "1e5 \"2e3\"", "1e5": 3}) == (
        '{"a": 1.0e-05, "b": -2.0e+16, "c": 1.5e-07, "d": "1e5 \\"2e3\\"", "1e5": 3}'
    )


def test_engine_json_when_not_a_finite_number_then_value_error():
    """Infinity and NaN never reach the engine (it would refuse one and silently mismatch the other)."""
    with pytest.raises(ValueError):
        engine_json({"a": float("inf")})


def test_assess_when_comparing_with_arithmetic_on_numbers_alone_then_it_is_worked_out():
    """durable_rules never matched `x >= 0 + 0`, even with x 0; the compiler works such arithmetic out."""
    compiled = _parse_check_compile("not go_alone.annual_cost < 0 + 0")
    assert compiled == {"$gte": {"go_alone:annual_cost": 0.0}}
    assert _fires(compiled, {"go_alone:annual_cost": 0})


def test_compile_when_dividing_by_zero_then_rule_error_at_the_division():
    """`x > y / 0` would compare with infinity inside the engine; it is refused where it is written."""
    with pytest.raises(RuleError) as info:
        compile_condition(expressions.parse("org.seats > line.seats / 0"), NAMES)
    assert (info.value.line, info.value.column, info.value.message) == (1, 13, "divides by zero")


@pytest.mark.parametrize("text", [
    "line.information_value > line.cost_to_firm_up",
    "not line.information_value <= line.cost_to_firm_up",
    "line.information_value > line.cost_to_firm_up * 2",
])
def test_assess_when_a_name_on_the_right_is_unknown_then_the_test_does_not_hold(text: str):
    """durable_rules alone holds `0 > b` when b is absent; the compiled test holds only where every name is known."""
    compiled = _parse_check_compile(text)
    assert not _fires(compiled, {key("line.information_value"): 0.0})
    assert _fires(compiled, {key("line.information_value"): 5.0, key("line.cost_to_firm_up"): 1.0})
