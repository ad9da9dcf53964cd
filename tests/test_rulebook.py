"""Loading a rulebook: mistakes are reported at the rule file's line with a suggestion."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.errors import ParameterError, RuleError
from engine.rulebook import load_rulebook

from .conftest import ROOT


def _rulebook_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder, ignore=shutil.ignore_patterns("tests"))
    path = folder / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))
    return folder


def _line_of(folder: Path, file: str, fragment: str) -> int:
    lines = (folder / file).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


def _load_error(folder: Path) -> RuleError:
    with pytest.raises((RuleError, ParameterError)) as info:
        load_rulebook(folder)
    return info.value


def test_load_rulebook_when_shipped_then_every_rule_compiles():
    """The shipped rulebook loads, and findings are read only by later layers."""
    rb = load_rulebook(ROOT / "rules")
    assert len(rb.rules) >= 15
    for rule in rb.rules:
        for name in rule.names:
            if rb.catalogue.is_finding(name.path):
                producers = [r for r in rb.rules if r.spec.then.finding == name.path]
                assert all(p.layer < rule.layer for p in producers)


def test_load_rulebook_when_unknown_name_then_file_line_column_and_suggestion(tmp_path: Path):
    """An unknown name in a condition names the file, the line, the column and the closest name."""
    folder = _rulebook_with(tmp_path, "size.yaml", "when: org.seats < param", "when: org.seets < param")
    err = _load_error(folder)
    assert err.file.endswith("size.yaml")
    assert err.line == _line_of(folder, "size.yaml", "org.seets")
    assert err.column == 11
    assert "org.seets" in err.message and "org.seats" in err.hint


def test_load_rulebook_when_syntax_error_in_block_condition_then_its_line(tmp_path: Path):
    """A syntax error inside a multi-line condition is reported at its own line."""
    folder = _rulebook_with(tmp_path, "urgency.yaml", "and offer.months_to_service <= line", "and offer.months_to_service <= <= line")
    err = _load_error(folder)
    assert err.line == _line_of(folder, "urgency.yaml", "<= <= line")
    assert err.column == 38
    assert "unexpected '<='" in err.message


def test_load_rulebook_when_unknown_placeholder_then_error_names_it(tmp_path: Path):
    """A placeholder in an explanation must be a known name."""
    folder = _rulebook_with(tmp_path, "size.yaml", "With {org.seats} seats, fewer", "With {org.sets} seats, fewer")
    err = _load_error(folder)
    assert "org.sets" in err.message and "org.seats" in (err.hint or "")


def test_load_rulebook_when_unknown_rule_field_then_suggestion(tmp_path: Path):
    """A misspelt key in a rule is refused with a suggestion."""
    folder = _rulebook_with(tmp_path, "suffolk.yaml", "    stage: presumption", "    stgae: presumption")
    err = _load_error(folder)
    assert err.line == _line_of(folder, "suffolk.yaml", "stgae")
    assert "stage" in err.hint


def test_load_rulebook_when_duplicate_id_then_both_places_named(tmp_path: Path):
    """Rule ids are unique across the rulebook."""
    folder = _rulebook_with(tmp_path, "size.yaml", "id: size.large-organisation", "id: size.small-organisation")
    err = _load_error(folder)
    assert "used twice" in err.message and "size.yaml" in err.message


def test_load_rulebook_when_findings_loop_then_error_names_the_loop(tmp_path: Path):
    """Two rules that read each other's findings cannot be ordered."""
    folder = _rulebook_with(tmp_path, "urgency.yaml", "      go_alone.months_to_service > line.months_to_need\n      and offer",
                            "      go_alone_beats_offer\n      and offer")
    text = (folder / "suffolk.yaml").read_text().replace(
        "      not go_alone.fails_minimum", "      only_offer_in_time and not go_alone.fails_minimum", 1
    )
    (folder / "suffolk.yaml").write_text(text)
    err = _load_error(folder)
    assert "loop" in err.message and "urgency.only-offer-in-time" in err.message


def test_load_rulebook_when_verdict_without_stage_then_error(tmp_path: Path):
    """A verdict rule must say which stage of the order of precedence it decides in."""
    folder = _rulebook_with(tmp_path, "suffolk.yaml", "    stage: presumption\n", "")
    err = _load_error(folder)
    assert err.field == "presumption.join: stage"
    assert "constraints, evidence, value-for-money, presumption" in err.hint


def test_load_rulebook_when_a_rule_has_an_old_weight_then_told_what_to_write(tmp_path: Path):
    """A rule written for "heaviest weight wins" fails at its weight, saying to give a stage instead."""
    folder = _rulebook_with(tmp_path, "suffolk.yaml", "    stage: presumption\n", "    weight: 50\n")
    err = _load_error(folder)
    assert (err.line, err.field) == (_line_of(folder, "suffolk.yaml", "weight: 50"), "presumption.join: weight")
    assert "no longer used" in err.message and "replace `weight:` with `stage:`" in err.hint


def test_load_rulebook_when_a_stage_is_unknown_then_suggestion(tmp_path: Path):
    """A verdict rule naming a stage decision.yaml does not declare gets the closest stage."""
    folder = _rulebook_with(tmp_path, "suffolk.yaml", "    stage: presumption\n", "    stage: presumtion\n")
    err = _load_error(folder)
    assert err.line == _line_of(folder, "suffolk.yaml", "stage: presumtion")
    assert "did you mean 'presumption'" in err.hint


def test_load_rulebook_when_a_consideration_has_a_stage_then_error(tmp_path: Path):
    """Only a verdict rule has a stage: on any other rule it would mean nothing."""
    folder = _rulebook_with(tmp_path, "size.yaml", "      favours: go-alone\n", "      favours: go-alone\n    stage: evidence\n")
    err = _load_error(folder)
    assert err.line == _line_of(folder, "size.yaml", "stage: evidence")
    assert "only a rule that gives a verdict" in err.message


def test_load_rulebook_when_decision_yaml_is_missing_then_error_at_the_first_verdict_rule(tmp_path: Path):
    """Without decision.yaml a verdict rule cannot be placed, and the error says what to copy."""
    folder = _rulebook_with(tmp_path, "size.yaml", "", "")
    (folder / "decision.yaml").unlink()
    err = _load_error(folder)
    assert "decision.yaml" in err.message and err.line is not None


def test_load_rulebook_when_parameter_has_no_value_on_date_then_error(tmp_path: Path):
    """A parameter whose first value is later than the decision date cannot be used then."""
    from engine.parameters import Parameters

    params = Parameters.load(ROOT / "rules" / "parameters.yaml")
    import datetime as dt

    with pytest.raises(ParameterError) as info:
        params.in_force(dt.date(2005, 1, 1))
    assert "no value in force on 2005-01-01" in info.value.message
