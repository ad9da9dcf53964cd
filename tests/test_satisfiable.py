"""Contradictions `rules check` can prove (engine/satisfiable.py), and what it must not flag."""
import shutil
import textwrap
from pathlib import Path

import pytest

from engine.policy.check import never_fires
from engine.rulebook import load_rulebook

PARAMETERS = Path(__file__).resolve().parent / "fixtures" / "dated-rules" / "parameters.yaml"


def rulebook_with(tmp_path: Path, *conditions: str):
    shutil.copy(PARAMETERS, tmp_path / "parameters.yaml")
    rules = "".join(
        textwrap.dedent(f"""\
          - id: t.rule-{i}
            title: Rule {i}
            source: test
            when: '{c}'
            then: {{finding: f{i}}}
            explain: x
        """)
        for i, c in enumerate(conditions)
    )
    (tmp_path / "r.yaml").write_text("rules:\n" + textwrap.indent(rules, "  "), encoding="utf-8")
    return load_rulebook(tmp_path)


@pytest.mark.parametrize(
    "condition",
    [
        "org.seats > 5000 and org.seats < 1000",
        "org.seats >= 10 and org.seats < 10",
        "org.seats < param.small_organisation_seats and org.seats >= 1500 and org.seats >= 800",
        'org.kind == "agency" and org.kind == "department"',
        'org.kind in ["agency", "department"] and org.kind == "other"',
        "line.break_after_years is unknown and line.break_after_years > 2",
        "go_alone.months_to_service > line.months_to_need and go_alone.months_to_service <= line.months_to_need",
        "line.requirements_unmet < 0",
        "org.newly_created and not org.newly_created",
    ],
)
def test_never_fires_when_the_condition_is_contradictory(tmp_path, condition):
    """A contradiction is proved and reported against the rule."""
    (problem,) = never_fires(rulebook_with(tmp_path, condition))
    assert problem.field == "t.rule-0"


@pytest.mark.parametrize(
    "condition",
    [
        "org.seats > 1000 and org.seats < 5000",
        "org.seats < param.small_organisation_seats and org.seats >= 1000",  # possible before 2027 (1,500)
        "line.break_after_years is unknown or line.break_after_years > 2",
        "go_alone.months_to_service > line.months_to_need and offer.months_to_service <= line.months_to_need",
        "offer.cost_per_seat * 1.1 > go_alone.cost_per_seat and offer.cost_per_seat < 100",
        "line.discount_on_peer_price <= 0 - 10%",
    ],
)
def test_never_fires_when_the_condition_can_hold(tmp_path, condition):
    """What can hold, including under an earlier parameter value, is not flagged."""
    assert never_fires(rulebook_with(tmp_path, condition)) == []


def test_never_fires_when_a_finding_is_required_with_its_opposite(tmp_path):
    """A finding is replaced by its rule's condition, so 'f0 and seats above its bound' is refuted."""
    rulebook = rulebook_with(tmp_path, "org.seats < 100", "f0 and org.seats > 200")
    (problem,) = never_fires(rulebook)
    assert problem.field == "t.rule-1"


def test_never_fires_when_a_range_end_contradicts_its_likely_value(tmp_path):
    """A range's low end cannot exceed its likely value: 'low > 2 and likely < 1' is refuted."""
    (problem,) = never_fires(rulebook_with(tmp_path, "line.npc_ratio.low > 2 and line.npc_ratio < 1"))
    assert "line.npc_ratio.low > 2" in problem.message


def test_conflicts_when_range_ends_make_rules_exclusive(tmp_path):
    """Rules on either side of a range (high below 1, low above 1) are exclusive; likely above 1 and low above 1 are not."""
    from engine.policy.check import conflicts

    shutil.copy(PARAMETERS, tmp_path / "parameters.yaml")
    shutil.copy(PARAMETERS.parent / "decision.yaml", tmp_path / "decision.yaml")
    (tmp_path / "r.yaml").write_text(textwrap.dedent("""\
        rules:
          - {id: t.cheap, title: a, source: s, when: line.npc_ratio.high < 1, then: {verdict: go-alone}, stage: first, explain: x}
          - {id: t.dear, title: b, source: s, when: line.npc_ratio.low > 1, then: {verdict: join}, stage: first, explain: x}
          - {id: t.either, title: c, source: s, when: line.npc_ratio > 1, then: {verdict: refer}, stage: first, explain: x}
        """))
    found = conflicts(load_rulebook(tmp_path))
    assert [(p.field, p.message.split(" (")[0]) for p in found] == [("t.either", "can fire together with t.dear")]
