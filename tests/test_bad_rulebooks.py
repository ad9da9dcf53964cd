"""Bad rulebooks: a policy team's slip in a rule file or parameters.yaml gets a located error, never a crash."""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.api import Decider
from engine.errors import JoinupError, ParameterError, RuleError
from engine.load import load_case
from engine.recommendation import Recommendation

from .conftest import CASES, ROOT, fuzz

FUZZ = fuzz(80)
RULE_FILES = sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))
LOADED = [load_case(p) for p in sorted(CASES.glob("*.yaml"))]
SNIPPETS = ["", " ", "-", ":", "{", "}", "[", "]", "'", '"', "&a", "*a", "!!int", "?", "|", ">", "#", "\t",
            "0", "-100%", "1e308", "null", "true", "x", "{org.seats}", "%", "\x7f", "é", "\n"]
PARAMETER_VALUES = [
    "1" + "0" * 400, "-100%", "-200%", "1e308", "0", "0%", "1e-320", "9999999999%", "-5", ".nan", ".inf", "true", "x", "[]"
]


@st.composite
def broken_rulebooks(draw: st.DrawFn) -> tuple[str, str]:
    """One file of the shipped rulebook with text spliced in or cut out, a line doubled, or a value replaced."""
    name = draw(st.sampled_from(RULE_FILES + ["parameters.yaml"] * 3))  # parameters feed every figure
    text = (ROOT / "rules" / name).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["insert", "cut", "double-line", "value"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(SNIPPETS)) + text[at:]
        elif action == "cut":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=12)) :]
        elif action == "double-line":
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            text = "".join(lines[: i + 1] + lines[i:])
        else:
            matches = list(re.finditer(r"(value|stage|when|on_disagreement): [^\n]+", text))
            m = draw(st.sampled_from(matches))
            if m.group(1) == "when":
                new = draw(st.sampled_from(["org.seats > 0.00001", "line.seats / 0 > 1", "org.seats > 1e5", "true"]))
            else:
                new = draw(st.sampled_from(PARAMETER_VALUES))
            text = text[: m.start()] + f"{m.group(1)}: {new}" + text[m.end() :]
    return name, text


@pytest.mark.slow
@FUZZ
@given(broken=broken_rulebooks())
def test_load_rulebook_when_a_file_is_broken_then_decider_or_located_error(broken: tuple[str, str]):
    """A broken rule or parameters file: a located one-line JoinupError naming it, or a rulebook that decides every example."""
    _decider_or_located_error(*broken)


def _decider_or_located_error(name: str, text: str) -> None:
    """Load the shipped rulebook with `name` replaced by `text`; check what comes of it."""
    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        (rules / name).write_text(text, encoding="utf-8")
        try:
            decider = Decider(rules)
        except JoinupError as err:
            assert err.file is not None and str(rules) in err.file
            assert len(str(err).splitlines()) == 1, str(err)
            return
        for loaded in LOADED:
            try:
                assert isinstance(decider.decide(loaded), Recommendation)
            except JoinupError as err:  # parameters dated after a case's decision date
                assert err.field == "decision_date", str(err)


PARAMETER_NAMES = re.findall(r"^(\w+):", (ROOT / "rules" / "parameters.yaml").read_text(), re.M)


@pytest.mark.slow
@FUZZ
@given(name=st.sampled_from(PARAMETER_NAMES), value=st.sampled_from(PARAMETER_VALUES))
def test_load_rulebook_when_a_parameter_value_is_replaced_then_decider_or_located_error(name: str, value: str):
    """Any parameter given a negative, huge, tiny, NaN or non-number value: refused at load, or every example decides."""
    text = (ROOT / "rules" / "parameters.yaml").read_text(encoding="utf-8")
    start = text.index(f"\n{name}:\n")
    end = text.find("\n\n", start + 1)
    end = len(text) if end < 0 else end
    section = re.sub(r"value: [^\n]+", f"value: {value}", text[start:end])
    _decider_or_located_error("parameters.yaml", text[:start] + section + text[end:])


def _rulebook_with(tmp_path: Path, old: str, new: str) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "parameters.yaml").read_text()
    assert old in text
    (rules / "parameters.yaml").write_text(text.replace(old, new, 1))
    return rules


@pytest.mark.parametrize("value", ["-100%", "-200%", "1.0e308", "101%", "-100"])
def test_load_rulebook_when_discount_rate_unusable_then_parameter_error_at_its_line(tmp_path: Path, value: str):
    """A discount rate of -100% divided by zero on the first case; one above 100% could overflow: refused at load."""
    rules = _rulebook_with(tmp_path, "value: 3.5%", f"value: {value}")
    with pytest.raises(ParameterError) as info:
        Decider(rules)
    assert (info.value.field, info.value.line) == ("discount_rate", 5)
    assert "must be from 0% to 100%" in info.value.message


def test_load_rulebook_when_optimism_bias_negative_then_parameter_error(tmp_path: Path):
    """A negative default uplift reversed the go-alone ranges (low above high) and crashed deciding."""
    rules = _rulebook_with(tmp_path, "value: 41%", "value: -200%")
    with pytest.raises(ParameterError) as info:
        Decider(rules)
    assert info.value.field == "optimism_bias_operating_cost"


def test_load_rulebook_when_a_measured_parameter_is_missing_then_parameter_error(tmp_path: Path):
    """Renaming optimism_bias_duration used to load fine and fail every case with KeyError."""
    rules = _rulebook_with(tmp_path, "optimism_bias_duration:", "optimism_bias_duraton:")
    with pytest.raises(ParameterError) as info:
        Decider(rules)
    assert info.value.field == "optimism_bias_duration" and "missing" in info.value.message


def test_load_rulebook_when_parameter_is_nan_then_parameter_error(tmp_path: Path):
    """NaN as a threshold would reach the rules engine; it is refused where it is written."""
    rules = _rulebook_with(tmp_path, "value: 3.5%", "value: .nan")
    with pytest.raises(ParameterError) as info:
        Decider(rules)
    assert info.value.line is not None and "discount_rate" in (info.value.field or "")


def test_load_rulebook_when_percent_parameter_is_a_tiny_plain_number_then_read_as_percent(tmp_path: Path):
    """`value: 0.00001` (per cent) was turned into the text "1e-05%", which the percent reader refused."""
    from engine.parameters import Parameters

    rules = _rulebook_with(tmp_path, "value: 3.5%", "value: 0.00001")
    assert Parameters.load(rules / "parameters.yaml").by_name["discount_rate"].values[0].value == pytest.approx(1e-7)


def test_load_rulebook_when_percent_parameter_has_400_digits_then_parameter_error(tmp_path: Path):
    """400 digits read as an infinite percentage, which reached the rules engine; refused at its line."""
    rules = _rulebook_with(tmp_path, "value: 3.5%", "value: 1" + "0" * 400)
    with pytest.raises(ParameterError) as info:
        Decider(rules)
    assert info.value.line == 10 and "too large" in info.value.message


def test_load_rulebook_when_top_level_key_has_a_bracket_then_rule_error_naming_it(tmp_path: Path):
    """`d[escription:` in a rule file crashed error reporting (IndexError); it is named as an unknown field."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "evidence.yaml").write_text("d[" + (rules / "evidence.yaml").read_text()[1:])
    with pytest.raises(RuleError) as info:
        Decider(rules)
    assert (info.value.field, info.value.line) == ("d[escription", 1)
