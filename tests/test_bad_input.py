"""Bad case files: property-based hunts for any input that escapes joinup's own errors.

The standard: a malformed case file, a wrong type or an impossible number gets one
CaseFileError naming the file (and the line, once the document parsed); a case that
loads decides. Examples start from the shipped cases and are mutated as a careless or
hostile editor would. Hypothesis is derandomized and keeps no database, so CI runs the
same examples every time.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import random
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from ruamel.yaml import YAML

from engine.api import Decider
from engine.documents import parse_text
from engine.errors import CaseFileError, JoinupError
from engine.load import MAX_BYTES, LoadedCase, parse_case
from engine.recommendation import Recommendation
from engine.summary import summary_text

from .conftest import CASES, fuzz

FUZZ = fuzz(200)

TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(CASES.glob("*.yaml"))}
TREES = {name: YAML(typ="safe").load(text) for name, text in TEXTS.items()}

ODD_TEXT = [
    "",
    " ",
    "\n",
    "a\nb",
    "tab\there",
    "\u202eright-to-left",
    "\U0001f600",
    "\x00",
    "\u2028",
    "{org.seats}",
    '"quoted"',
    "'",
    "x" * 20_000,
    "é" * 1000,
    "~",
    "null",
    "- item",
    "key: value",
    "25%",
    "-5%",
    "1e999",
    "NaN",
    ".inf",
    "2026-02-30",
]
EDGE_NUMBERS = [
    0, 1, -1, 0.5, 0.01, 1e-5, 2e-5, 1e-300, 5e-324, 7, 100, 1e7, 10**7, 1e12, 10**12, 1e15, 1e16, 2e16,
    2**53 + 1, 2**63, 10**30, 1e300, 1.7e308, -1e-5, -1e300, float("inf"), float("-inf"), float("nan"),
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.sampled_from(EDGE_NUMBERS),
    st.text(max_size=30),
    st.sampled_from(ODD_TEXT),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=6,
)
# Numbers a form would let through: mostly valid, some at the edges of what the models allow.
numbers = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=10**8),
    st.floats(min_value=0, max_value=1e13),
    st.floats(min_value=0, max_value=1e-3),
)


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a plain tree of dicts and lists, the root excluded."""
    found = []
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for key, value in items:
        found.append(prefix + (key,))
        found.extend(_paths(value, prefix + (key,)))
    return found


def _parent(tree: Any, path: tuple) -> Any:
    for key in path[:-1]:
        tree = tree[key]
    return tree


def _dump(tree: Any, form: str) -> bytes:
    if form == "json":
        return json.dumps(tree, default=str, ensure_ascii=False).encode("utf-8", "surrogatepass")
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = form == "flow"
    from io import StringIO

    out = StringIO()
    yaml.dump(tree, out)
    return out.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def mutated_trees(draw: st.DrawFn, leaves: st.SearchStrategy = values, numeric_only: bool = False) -> Any:
    """An example case with one to three edits: a key deleted, a value replaced, a key added."""
    tree = copy.deepcopy(TREES[draw(st.sampled_from(sorted(TREES)))])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(tree)
        if numeric_only:
            paths = [p for p in paths if type(_parent(tree, p)[p[-1]]) in (int, float)]
        path = draw(st.sampled_from(paths))
        parent = _parent(tree, path)
        action = "replace" if numeric_only else draw(st.sampled_from(["delete", "replace", "replace", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(leaves)
        elif isinstance(parent, dict):
            added = draw(st.sampled_from(["optimism_bias", "seats", "need_by", "exit_terms", "x", f"{path[-1]}s"]))
            parent[added] = draw(leaves)
        else:
            parent.append(draw(leaves))
    return tree


@st.composite
def dated_trees(draw: st.DrawFn) -> Any:
    """An example case with new decision and need-by dates (need-by after the decision)."""
    tree = copy.deepcopy(TREES[draw(st.sampled_from(sorted(TREES)))])
    decided = draw(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31)))
    tree["decision_date"] = decided
    # Clamped before adding: a date past 9999-12-31 overflows in the strategy itself.
    tree["need_by"] = decided + dt.timedelta(days=min(draw(st.integers(1, 40_000)), (dt.date.max - decided).days))
    return tree


@st.composite
def mutated_texts(draw: st.DrawFn) -> bytes:
    """An example case's text broken as an editor might: cut short, re-indented, a line doubled, bytes spliced in."""
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    lines = text.splitlines(keepends=True)
    action = draw(st.sampled_from(["truncate", "indent", "duplicate", "delete-line", "insert", "bytes", "empty"]))
    i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    if action == "truncate":
        return text.encode()[: draw(st.integers(min_value=0, max_value=len(text.encode())))]
    if action == "indent":
        lines[i] = draw(st.sampled_from(["", " ", "  ", "\t", "      "])) + lines[i].lstrip(" ")
    elif action == "duplicate":
        lines.insert(i, lines[i])
    elif action == "delete-line":
        del lines[i]
    elif action == "insert":
        lines.insert(i, draw(st.text(max_size=40)) + "\n")
    elif action == "bytes":
        data = "".join(lines).encode()
        at = draw(st.integers(min_value=0, max_value=len(data)))
        return data[:at] + draw(st.binary(max_size=20)) + data[at:]
    else:
        return draw(st.sampled_from([b"", b"\n", b"   ", b"---", b"...", b"\xff\xfe", b"{}", b"[]", b"null"]))
    return "".join(lines).encode()


def _parses(data: bytes) -> bool:
    """Whether the bytes are a YAML or JSON document at all (so an error can name a line)."""
    if len(data) > MAX_BYTES:
        return False
    try:
        parse_text(data.decode("utf-8"), "case.yaml", CaseFileError)
    except (UnicodeDecodeError, CaseFileError):
        return False
    return True


def _load_or_located_error(data: bytes, path: str = "case.yaml") -> LoadedCase | None:
    """Load the bytes; any failure must be a CaseFileError with the file, the line once parsed, one line of text."""
    try:
        return parse_case(data, path)
    except CaseFileError as err:
        assert err.file == path
        assert len(str(err).splitlines()) == 1, str(err)
        if _parses(data):
            assert err.line is not None and err.line >= 1, str(err)
        return None


def _decides(decider: Decider, loaded: LoadedCase) -> Recommendation:
    """An accepted case decides, and the recommendation can be printed and serialised."""
    if currently_in_test_context():
        event("decided")  # --hypothesis-show-statistics tells how often the decide half ran
    rec = decider.decide(loaded)
    assert isinstance(rec, Recommendation)
    summary_text(rec)
    rec.model_dump_json()
    return rec


@pytest.mark.slow
@FUZZ
@given(tree=mutated_trees(), form=st.sampled_from(["block", "flow", "json"]))
def test_parse_case_when_fields_mutated_then_case_or_located_error(decider: Decider, tree: Any, form: str):
    """A case with keys deleted, added or given random values loads and decides, or gets one located error."""
    loaded = _load_or_located_error(_dump(tree, form), f"case.{'json' if form == 'json' else 'yaml'}")
    if loaded is not None:
        _decides(decider, loaded)


@pytest.mark.slow
@FUZZ
@given(tree=mutated_trees(leaves=numbers, numeric_only=True), form=st.sampled_from(["block", "json"]))
def test_decide_when_numbers_at_the_edges_then_recommendation_or_located_error(decider: Decider, tree: Any, form: str):
    """Zero, tiny, huge and negative numbers in any numeric field: refused with a located error, or decided."""
    loaded = _load_or_located_error(_dump(tree, form))
    if loaded is not None:
        _decides(decider, loaded)


@pytest.mark.slow
@fuzz(100)
@given(tree=dated_trees())
def test_decide_when_dates_moved_then_recommendation_or_located_error(decider: Decider, tree: Any):
    """Any decision date, with need-by a day to a century later: decided, or refused naming the date's line."""
    data = _dump(tree, "block")
    loaded = _load_or_located_error(data)
    if loaded is None:
        return
    try:
        _decides(decider, loaded)
    except CaseFileError as err:  # a date the rulebook has no parameters for is the case file's problem
        assert (err.file, err.field) == ("case.yaml", "decision_date") and err.line is not None


@pytest.mark.slow
@FUZZ
@given(data=mutated_texts())
def test_parse_case_when_text_broken_then_case_or_located_error(decider: Decider, data: bytes):
    """Truncated, re-indented, doubled or byte-spliced case text: loads and decides, or one located error."""
    loaded = _load_or_located_error(data)
    if loaded is not None:
        _decides(decider, loaded)


@pytest.mark.slow
@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_parse_case_when_random_bytes_then_case_file_error(data: bytes):
    """Random bytes or text are never a case: always a CaseFileError naming the file."""
    with pytest.raises(CaseFileError) as info:
        parse_case(data, "noise.yaml")
    assert info.value.file == "noise.yaml" and len(str(info.value).splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["new-department.yaml", "large-specialist.yaml"])  # every optional field between them
def test_decide_when_any_one_field_left_out_then_recommendation_or_located_error(decider: Decider, name: str):
    """Every field of every example, left out in turn: an optional one still decides, a required one is named."""
    shapes = set()
    for path in _paths(TREES[name]):
        shape = tuple(0 if isinstance(key, int) else key for key in path)
        if isinstance(path[-1], int) or shape in shapes:  # each field once, not once per list item
            continue
        shapes.add(shape)
        tree = copy.deepcopy(TREES[name])
        del _parent(tree, path)[path[-1]]
        loaded = _load_or_located_error(_dump(tree, "block"))
        if loaded is not None:
            _decides(decider, loaded)


def test_parse_case_when_larger_than_the_limit_then_refused_before_parsing():
    """A file over the size limit is refused without being parsed."""
    with pytest.raises(CaseFileError) as info:
        parse_case(b"#" * (MAX_BYTES + 1), "big.yaml")
    assert "larger than" in info.value.message


@pytest.mark.slow
def test_mutation_strategies_when_sampled_then_some_cases_still_load():
    """The mutations are not all fatal: some mutated cases load, so the decide half of each property runs."""
    rng = random.Random(7)
    loads = 0
    for tree in (TREES["new-department.yaml"],):
        for path in _paths(tree):
            parent = copy.deepcopy(tree)
            target = _parent(parent, path)
            if isinstance(target[path[-1]], (int, float)) and not isinstance(target[path[-1]], bool):
                target[path[-1]] = rng.choice([0, 1, 10**6])
                try:
                    parse_case(_dump(parent, "block"))
                    loads += 1
                except JoinupError:
                    pass
    assert loads > 10


# Regressions: each bug the properties above found, as a plain example.

NEW_DEPARTMENT = TEXTS["new-department.yaml"]


def _case_error(text: str) -> CaseFileError:
    with pytest.raises(CaseFileError) as info:
        parse_case(text.encode(), "case.yaml")
    assert len(str(info.value).splitlines()) == 1
    return info.value


def test_parse_case_when_control_character_then_its_line_and_column():
    """A DEL character (ruamel's ReaderError, which has no line) is reported at its line and column."""
    err = _case_error(NEW_DEPARTMENT.replace("name: Desktops", "name: Desk\x7ftops"))
    assert (err.line, err.column) == (17, 15)
    assert "U+007F" in err.message


def test_parse_case_when_date_does_not_exist_then_its_line():
    """2026-02-30 parses as YAML but is no date: refused at its line, not with a bare ValueError."""
    err = _case_error(NEW_DEPARTMENT.replace("decision_date: 2026-11-25", "decision_date: 2026-02-30"))
    assert err.line == 10 and "2026-02-30" in err.message


def test_parse_case_when_integer_has_thousands_of_digits_then_its_line():
    """Python refuses to read an integer of 5,000 digits; the error names the line."""
    err = _case_error(NEW_DEPARTMENT.replace("staff: 1100", "staff: " + "1" * 5000))
    assert err.line == 6 and "too many digits" in err.message


def test_parse_case_when_nested_too_deeply_then_case_file_error():
    """Hundreds of nested brackets are a CaseFileError, not a RecursionError."""
    err = _case_error(NEW_DEPARTMENT.replace("staff: 1100", "staff: " + "[" * 300 + "]" * 300))
    assert "nested too deeply" in err.message


def test_parse_case_when_quoted_name_holds_a_newline_then_error_is_one_line():
    """A service line named "a\\nb" twice: the error quotes the name on one line."""
    text = NEW_DEPARTMENT.replace("name: Desktops", 'name: "Desk\\ntops"').replace("name: Service desk", 'name: "Desk\\ntops"')
    err = _case_error(text)
    assert "Desk\\ntops" in str(err) and err.field == "service_lines[1].name"


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("one_off_costs: 400000", "one_off_costs: 1e308", "service_lines[0].go_alone.one_off_costs"),
        ("{low: 1000000, likely: 1200000, high: 1500000}", "{low: 1, likely: 2, high: 1.0e13}", "service_lines[0].go_alone.annual_running_cost"),
        ("seats: 1000", "seats: 1" + "0" * 400, "organisation.seats"),
        ("pool_seats: 2500\n      onboarding_cost: 150000", "pool_seats: 20000000\n      onboarding_cost: 150000", "service_lines[0].offer.pool_seats"),
        ("price_per_seat: 280", "price_per_seat: 1e-320", "service_lines[1].offer.price_per_seat"),
        ("exit_cost: 50000", "exit_cost: 0.001", "service_lines[0].offer.exit_terms.exit_cost"),
    ],
    ids=["cost-1e308", "range-high-1e13", "seats-400-digits", "pool-20-million", "price-1e-320", "exit-cost-tenth-of-a-penny"],
)
def test_parse_case_when_number_is_impossible_then_refused_at_its_field(old: str, new: str, field: str):
    """Numbers beyond a trillion pounds or ten million seats, or a fraction of a penny, are refused at load
    (they used to overflow to infinity in the measures, or divide into it, and crash deciding)."""
    err = _case_error(NEW_DEPARTMENT.replace(old, new, 1))
    assert err.field == field and err.line is not None
    assert "must be" in err.message


@pytest.mark.parametrize("uplift", ["-150%", "-500", "1e308", "1001%"])
def test_parse_case_when_optimism_bias_outside_0_to_1000_percent_then_refused(uplift: str):
    """A negative uplift made costs negative (and a range's order flip, crashing); a huge one overflowed."""
    text = NEW_DEPARTMENT.replace(
        "      quality: {hours: 3, first_time_fix: 3}",
        f"      quality: {{hours: 3, first_time_fix: 3}}\n      optimism_bias: {{operating_cost: {uplift}, reason: audited}}",
    )
    err = _case_error(text)
    assert err.field == "service_lines[1].go_alone.optimism_bias.operating_cost"
    assert "uplift must be from 0% to 1000%" in err.message


def test_decide_when_one_off_costs_and_onboarding_cost_left_out_then_they_are_zero(decider: Decider):
    """Their default 0.0 was never turned into a range, so leaving them out crashed deciding (AttributeError)."""
    text = NEW_DEPARTMENT.replace("      one_off_costs: 400000\n", "").replace("      onboarding_cost: 150000\n", "")
    rec = _decides(decider, parse_case(text.encode()))
    assert rec.measures.lines[0].go_alone.one_off_costs.likely == 0
    assert rec.measures.lines[0].offer.one_off_costs.likely == 0


def test_decide_when_decision_date_before_the_parameters_then_case_file_error_at_decision_date(decider: Decider):
    """A decision date of 1990 is the case file's slip: named at its line, not as a parameters-file error."""
    text = NEW_DEPARTMENT.replace("decision_date: 2026-11-25", "decision_date: 1990-01-01")
    loaded = parse_case(text.encode(), "c.yaml")
    with pytest.raises(CaseFileError) as info:
        decider.decide(loaded)
    assert (info.value.file, info.value.line, info.value.field) == ("c.yaml", 10, "decision_date")


def test_decide_when_a_figure_is_1e_05_then_durable_rules_reads_it(decider: Decider):
    """A price drop of exactly 0.001% is the float 1e-05, which json.dumps writes as durable_rules cannot read."""
    text = NEW_DEPARTMENT.replace("price_per_seat: 1150}", "price_per_seat: 100000}").replace(
        "price_per_seat: 1000}", "price_per_seat: 100000}").replace("price_per_seat: 900}", "price_per_seat: 99999}")
    rec = _decides(decider, parse_case(text.encode()))
    assert rec.measures.lines[0].price_drop_from_joining == 1e-05
    assert "size.joining-lowers-price" in {r.rule_id for r in rec.reasons}


def test_decide_when_offer_quality_a_hair_above_zero_then_value_for_money_unknown(decider: Decider):
    """A quality score of 1e-320 made the value-for-money ratio infinite; it is unknown instead."""
    text = NEW_DEPARTMENT.replace("quality: {hours: 4, first_time_fix: 4}", "quality: {hours: 1e-320, first_time_fix: 0}")
    rec = _decides(decider, parse_case(text.encode()))
    assert rec.measures.lines[1].value_for_money_ratio is None


def test_decide_when_no_rule_fires_then_recommendation_not_a_crash(tmp_path):
    """durable_rules aborted the process deleting a session in which nothing fired; now the case is referred."""
    (tmp_path / "parameters.yaml").write_bytes((CASES.parent / "rules" / "parameters.yaml").read_bytes())
    (tmp_path / "only.yaml").write_text(
        "rules:\n  - id: only.never\n    title: Never fires\n    source: test\n"
        "    when: org.seats > 20000000\n    then: {risk: never}\n    explain: never\n"
    )
    decider = Decider(tmp_path)
    for _ in range(3):
        assert decider.decide(parse_case(NEW_DEPARTMENT.encode())).verdict == "refer"


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("seats: 1000", "seats: true", "organisation.seats"),
        ("staff: 1100", 'staff: "1100"', "organisation.staff"),
        ("one_off_costs: 400000", "one_off_costs: true", "service_lines[0].go_alone.one_off_costs"),
        ("{low: 9, likely: 12, high: 18}", "{low: false, likely: 12, high: 18}", "service_lines[0].go_alone.procurement_months.low"),
        ("quality: {hours: 3, first_time_fix: 3}", "quality: {hours: true, first_time_fix: 3}", "service_lines[1].go_alone.quality.hours"),
        ("contract_years: 5", "contract_years: yes", "service_lines[0].offer.contract_years"),
    ],
    ids=["seats-true", "staff-quoted", "cost-true", "range-low-false", "quality-true", "years-yes"],
)
def test_parse_case_when_number_field_holds_true_or_text_then_refused(old: str, new: str, field: str):
    """`seats: true` used to load as 1 seat (pydantic's lax mode); numbers are strict now."""
    err = _case_error(NEW_DEPARTMENT.replace(old, new, 1))
    assert err.field == field and err.line is not None
    assert "valid" in err.message


def test_parse_case_when_percentage_is_not_a_number_then_plain_message_not_a_regex():
    """`capital_cost: twenty` used to be told "string should match pattern '^\\s*-?[0-9]+...'"."""
    text = NEW_DEPARTMENT.replace(
        "      quality: {hours: 3, first_time_fix: 3}",
        "      quality: {hours: 3, first_time_fix: 3}\n      optimism_bias: {capital_cost: twenty, reason: audited}",
    )
    err = _case_error(text)
    assert err.field == "service_lines[1].go_alone.optimism_bias.capital_cost"
    assert err.message == "a percentage is written like 25%; got 'twenty'"


@pytest.mark.parametrize("key", ["Notes", "no[tes"])
def test_parse_case_when_unknown_key_is_capitalised_or_has_a_bracket_then_named(key: str):
    """`Notes:` was taken for a pydantic branch name and dropped from the field path (IndexError, exit 3)."""
    err = _case_error(f"{key}: hi\n" + NEW_DEPARTMENT)
    assert (err.field, err.line) == (key, 1)
    assert "is not a field here" in err.message
