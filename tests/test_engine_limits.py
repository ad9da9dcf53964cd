"""durable_rules' fixed limits and joinup's condition limits: a rulebook past any of them gives a
correct decision or a located error, never a crash, a hang or a silently wrong answer.

Every decision on a generated rulebook runs in a forked child, so a crash in the C core
fails the test (with the signal) instead of killing pytest, and a hang is cut off.
"""
from __future__ import annotations

import os
import pickle
import select
import shutil
import signal
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from engine import limits
from engine.conditions import parse as expressions
from engine.policy.check import check_rulebook
from engine.errors import JoinupError, RuleError
from engine.conditions.names import fact_key

from .conftest import CASES, ROOT, fuzz

EXAMPLES = sorted(CASES.glob("*.yaml"))


def in_child(fn: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Run `fn` in a forked child and return what it returns (or raise what it raised, as text).

    A child killed by a signal, or still running after `timeout` seconds, fails the test.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read)
        try:
            try:
                payload = pickle.dumps(("ok", fn()))
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = pickle.dumps(("raised", f"{type(exc).__name__}: {exc}", isinstance(exc, JoinupError)))
            with os.fdopen(write, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write)
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(read, "rb") as inp:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail(f"the child still ran after {timeout:.0f} s: the engine hangs")
            ready, _, _ = select.select([inp], [], [], left)
            if ready:
                chunk = os.read(inp.fileno(), 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        pytest.fail(f"the child was killed by {signal.Signals(os.WTERMSIG(status)).name}: the engine crashed")
    return pickle.loads(b"".join(chunks))


def rulebook(folder: Path, rules: list[dict[str, Any]], parameters: str = "") -> Path:
    """The shipped rulebook (without its tests) plus `rules` in extra.yaml, and `parameters` appended."""
    target = folder / "rules"
    shutil.copytree(ROOT / "rules", target, ignore=shutil.ignore_patterns("tests"))
    lines = ["rules:"]
    for i, r in enumerate(rules):
        then = r.get("then", {"risk": "extra"})
        lines.append(f"  - id: extra.r{i}")
        lines.append(f"    title: extra {i}")
        lines.append("    source: generated")
        lines.append(f"    when: '{r['when']}'" if "'" not in r["when"] else f'    when: "{r["when"]}"')
        lines.append("    then:")
        lines += [f"      {k}: {v}" for k, v in then.items()]
        if "stage" in r:
            lines.append(f"    stage: {r['stage']}")
        lines.append("    explain: generated")
    (target / "extra.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if parameters:
        with (target / "parameters.yaml").open("a", encoding="utf-8") as f:
            f.write("\n" + textwrap.dedent(parameters))
    return target


def fired(rules: Path) -> dict[str, Any]:
    """Decide every example case under `rules`: per case, the extra rules that fired on each line."""
    from engine.api import Decider
    from engine.load import load_case

    decider = Decider(rules)
    out = {}
    for path in EXAMPLES:
        loaded = load_case(path)
        measures = decider.measure(loaded)
        findings = decider.assessor.assess(loaded.case, measures)
        decider.decide(loaded)  # the whole pipeline too
        per_line: list[set[str]] = [set() for _ in loaded.case.service_lines]
        for f in findings.firings:
            rid = decider.rulebook.rules[f.rule].id
            if rid.startswith("extra."):
                per_line[f.line].add(rid)
        out[path.stem] = per_line
    return out


def load(rules: Path) -> None:
    """Load and compile a rulebook into the engine."""
    from engine.api import Decider

    Decider(rules)


def seats() -> dict[str, int]:
    """Each example organisation's seats."""
    from engine.load import load_case

    return {p.stem: load_case(p).case.organisation.seats for p in EXAMPLES}


def _every_line(expected: set[str], rules: Path) -> None:
    result = in_child(lambda: fired(rules))
    assert result[0] == "ok", result
    for case, lines in result[1].items():
        for line in lines:
            assert line == expected, (case, sorted(line ^ expected)[:5])


# --- item 6: the C core's fixed buffers -------------------------------------------------------


def test_decide_when_more_than_64_rules_match_one_line_then_every_one_fires(tmp_path):
    """100 distinct rules that all hold on every line (past the engine's 64-slot stack) all fire, no crash."""
    rules = rulebook(tmp_path, [{"when": f"org.seats > {i}"} for i in range(100)])
    _every_line({f"extra.r{i}" for i in range(100)}, rules)


def test_decide_when_or_branches_of_many_rules_add_up_past_64_then_every_rule_fires(tmp_path):
    """40 rules of two holding `or` branches each (80 paths at once) all fire, each once."""
    rules = rulebook(tmp_path, [{"when": f"org.seats > {i} or org.seats >= {i}"} for i in range(40)])
    _every_line({f"extra.r{i}" for i in range(40)}, rules)


def test_decide_when_600_distinct_tests_follow_one_node_then_it_loads_and_decides(tmp_path):
    """600 distinct tests (past the 512-slot table that makes the engine spin) load, and the right ones fire."""
    bounds = seats()
    rules = rulebook(tmp_path, [{"when": f"org.seats > {i * 10}"} for i in range(600)])
    result = in_child(lambda: fired(rules))
    assert result[0] == "ok", result
    for case, lines in result[1].items():
        expected = {f"extra.r{i}" for i in range(600) if bounds[case] > i * 10}
        assert all(line == expected for line in lines), case


def test_decide_when_rules_read_more_names_than_one_fact_holds_then_every_rule_fires(tmp_path):
    """10 rules reading 30 parameters each (300 names, past the 253 properties of a fact) decide correctly."""
    parameters = "".join(
        f"p{i}:\n  description: generated\n  unit: seats\n  values:\n    - from: 2003-01-01\n"
        f"      value: 0\n      source: generated\n"
        for i in range(300)
    )
    when = [" + ".join(f"param.p{j}" for j in range(30 * i, 30 * i + 30)) for i in range(10)]
    rules = rulebook(tmp_path, [{"when": f"org.seats > {w}"} for w in when], parameters)
    _every_line({f"extra.r{i}" for i in range(10)}, rules)


@pytest.mark.slow
def test_decide_when_a_ruleset_would_pass_4096_rules_then_it_is_split(tmp_path):
    """4,200 rules (past the engine's 4,096 actions a ruleset) load into several rulesets and all fire."""
    rules = rulebook(tmp_path, [{"when": f"org.seats > {i % 50}"} for i in range(4200)])
    _every_line({f"extra.r{i}" for i in range(4200)}, rules)


def test_load_rulebook_when_one_rule_has_more_than_64_alternatives_then_located_error(tmp_path):
    """A rule whose `and` of `or`s multiplies to 128 alternatives is refused, naming it and the limit."""
    when = " and ".join(f"(org.seats > {i} or line.seats > {i})" for i in range(7))
    rules = rulebook(tmp_path, [{"when": when}])
    problems = check_rulebook(rules).errors
    assert [(p.field, Path(p.file).name, p.line) for p in problems] == [("extra.r0: when", "extra.yaml", 5)]
    assert "limit of 64" in problems[0].message


def test_load_rulebook_when_a_rule_nests_more_and_or_groups_than_the_engine_holds_then_located_error(tmp_path):
    """15 alternating and/or groups (error 113 in the engine) are refused at load, naming the rule and the limit."""
    when = "org.seats > 0"
    for i in range(15):
        when = f"(org.seats > {i} {'or' if i % 2 else 'and'} {when})"
    rules = rulebook(tmp_path, [{"when": when}])
    result = in_child(lambda: load(rules))
    assert result[0] == "raised" and result[2], result
    assert "extra.yaml:5:" in result[1] and "extra.r0" in result[1] and f"limit of {limits.MAX_GROUPS_PER_RULE}" in result[1]


def test_decide_when_in_lists_a_matching_choice_65_times_then_it_fires_once(tmp_path):
    """`line.kind in [...]` repeating a choice (65 engine paths today, a crash) fires once per line."""
    choices = ", ".join(['"desktop"'] * 32)
    rules = rulebook(tmp_path, [{"when": f"line.kind in [{choices}] or line.kind in [{choices}] or line.kind == \"desktop\""}])
    result = in_child(lambda: fired(rules))
    assert result[0] == "ok", result


# --- item 8: condition limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["not " * 500 + "org.seats > 1", " and ".join(["urgent"] * 500), " or ".join(["urgent"] * 500),
     "(" * 400 + "urgent" + ")" * 400 + " and " + " + ".join(["org.seats"] * 400) + " > 1"],
    ids=["500-nots", "500-ands", "500-ors", "400-terms"],
)
def test_parse_when_a_condition_nests_500_deep_then_located_limit_error(text):
    """Deep nesting or hundreds of clauses give a RuleError naming the limit, never RecursionError."""
    with pytest.raises(RuleError) as err:
        expressions.parse(text)
    assert err.value.line == 1 and err.value.column and "joinup's limit" in err.value.message


def test_parse_when_in_lists_300_choices_then_located_limit_error():
    """`in` with 300 choices is refused at the first choice past the limit."""
    text = "org.kind in [" + ", ".join(f'"c{i}"' for i in range(300)) + "]"
    with pytest.raises(RuleError) as err:
        expressions.parse(text)
    assert err.value.column == text.index('"c32"') + 1
    assert f"limit of {limits.MAX_IN_CHOICES}" in err.value.message


def test_parse_when_a_condition_is_at_the_limits_then_it_parses():
    """A condition exactly at the depth, clause and choice limits is accepted."""
    expressions.parse("not " * (limits.MAX_CONDITION_DEPTH - 2) + "org.seats > 1")
    expressions.parse(" and ".join(["urgent"] * limits.MAX_CONDITION_CLAUSES))
    expressions.parse("org.kind in [" + ", ".join(f'"c{i}"' for i in range(limits.MAX_IN_CHOICES)) + "]")


def test_check_when_a_condition_nests_past_the_limit_then_problem_names_file_line_rule_and_limit(tmp_path):
    """`rules check` reports a too-deep condition at its rule file's line and column, with the rule id."""
    rules = rulebook(tmp_path, [{"when": "not " * 300 + "org.seats > 1"}])
    problems = check_rulebook(rules).errors
    assert len(problems) == 1
    p = problems[0]
    assert (Path(p.file).name, p.line, p.field) == ("extra.yaml", 5, "extra.r0: when")
    assert p.column == 12 + 4 * limits.MAX_CONDITION_DEPTH and "limit of 32" in p.message


# --- item 12: fact keys -------------------------------------------------------------------------


@given(st.lists(st.from_regex(r"[a-z_][a-z0-9_.:%]{0,12}", fullmatch=True), min_size=2, max_size=2, unique=True))
@example(["param.a.b", "param.a__b"])
@example(["org.seats", "org__seats"])
@example(["a.b", "a%2Eb"])
@fuzz(200)
def test_fact_key_when_names_differ_then_keys_differ(pair):
    """Two different names never share a fact key, and no key holds a dot (durable_rules' nesting)."""
    a, b = pair
    assert fact_key(a) != fact_key(b)
    assert "." not in fact_key(a)


def test_decide_when_param_a_dot_b_sits_beside_param_a__b_then_each_rule_reads_its_own(tmp_path):
    """`param.a.b` and `param.a__b` are two values: a rule on each sees its own."""
    parameters = """\
    a.b:
      description: generated
      unit: seats
      values:
        - from: 2003-01-01
          value: 0
          source: generated
    a__b:
      description: generated
      unit: seats
      values:
        - from: 2003-01-01
          value: 9000000
          source: generated
    """
    rules = rulebook(tmp_path, [{"when": "org.seats > param.a.b"}, {"when": "org.seats > param.a__b"}], parameters)
    _every_line({"extra.r0"}, rules)


def test_decide_when_a_finding_org__seats_sits_beside_org_seats_then_both_are_read(tmp_path):
    """A finding named `org__seats` does not overwrite `org.seats` in the fact a later rule reads."""
    rules = rulebook(
        tmp_path,
        [{"when": "org.seats > 0", "then": {"finding": "org__seats"}},
         {"when": "org__seats and org.seats > 1"}],
    )
    _every_line({"extra.r0", "extra.r1"}, rules)


# --- the property test: generated rulebooks near the limits -------------------------------------


def _nest(i: int, levels: int) -> str:
    when = f"org.seats > {i}"
    for k in range(levels):
        when = f"(line.seats > {i + k} {'or' if k % 2 else 'and'} {when})"
    return when


_TESTS = [
    lambda i: f"org.seats > {i}",
    lambda i: f"org.seats < {i}",
    lambda i: f"line.seats > {i} or org.seats > {i * 3}",
    lambda i: f'line.kind in ["desktop", "email", "hosting"] or org.seats >= {i}',
    lambda i: f"not (org.seats < {i} and line.seats < {i})",
    lambda i: f"line.break_after_years is unknown or org.seats > {i}",
    # a rule at the limit of alternatives (2 ** 6 = 64) and one at the limit of groups (14)
    lambda i: " and ".join(f"(org.seats > {i + k} or line.seats > {k})" for k in range(6)),
    lambda i: _nest(i, limits.MAX_GROUPS_PER_RULE),
    lambda i: "org.name in [" + ", ".join(f'"x{k}"' for k in range(limits.MAX_IN_CHOICES)) + f"] or org.seats > {i}",
]


@st.composite
def near_limit_rulebooks(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Up to 300 rules of several shapes, some concluding findings that later rules read."""
    count = draw(st.integers(min_value=50, max_value=300))
    shapes = draw(st.lists(st.integers(min_value=0, max_value=len(_TESTS) - 1), min_size=count, max_size=count))
    rules: list[dict[str, Any]] = []
    for i, shape in enumerate(shapes):
        when = _TESTS[shape](draw(st.integers(min_value=0, max_value=20_000)))
        rule: dict[str, Any] = {"when": when}
        if i % 7 == 3:
            rule["then"] = {"finding": f"found_{i}"}
        elif i % 7 == 5 and shape < 6 and any("finding" in r.get("then", {}) for r in rules):  # the last 3 are at a limit
            earlier = [r["then"]["finding"] for r in rules if "finding" in r.get("then", {})]
            rule["when"] = f"{draw(st.sampled_from(earlier))} or ({when})"
        rules.append(rule)
    return rules


def _holds(node: expressions.Node, fact: dict[str, Any], found: set[str]) -> bool | None:
    """What a generated condition means in Python on a line (None: it reads an unknown figure)."""
    E = expressions
    if isinstance(node, E.Literal):
        return node.value
    if isinstance(node, E.Ref):
        return node.path in found if node.path.startswith("found_") else fact.get(fact_key(node.path))
    if isinstance(node, E.Known):
        return (fact_key(node.operand.path) in fact) == node.known
    if isinstance(node, E.In):
        value = _holds(node.operand, fact, found)
        return None if value is None else value in [c.value for c in node.choices]
    if isinstance(node, E.Compare):
        left, right = _holds(node.left, fact, found), _holds(node.right, fact, found)
        if left is None or right is None:
            return None
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[node.op]
    if isinstance(node, E.Not):
        value = _holds(node.operand, fact, found)
        return None if value is None else not value
    values = [_holds(item, fact, found) for item in node.items]
    if isinstance(node, E.And):
        return False if False in values else (None if None in values else True)
    return True if True in values else (None if None in values else False)


def fired_and_expected(rules: Path) -> list[tuple[str, int, list[str], list[str]]]:
    """Per example and line: the extra rules that fired, and those whose condition holds in Python."""
    from engine.api import Decider
    from engine.load import load_case

    decider = Decider(rules)
    book = decider.rulebook
    out = []
    for path in EXAMPLES:
        loaded = load_case(path)
        measures = decider.measure(loaded)
        findings = decider.assessor.assess(loaded.case, measures)
        decider.decide(loaded)
        for li, fact in enumerate(decider.assessor.facts(loaded.case, measures)):
            got = sorted(book.rules[f.rule].id for f in findings.firings if f.line == li and book.rules[f.rule].id.startswith("extra."))
            found: set[str] = set()
            expected = []
            for layer in book.layers:
                extra = [book.rules[i] for i in layer if book.rules[i].id.startswith("extra.")]  # read no shipped finding
                now = [r for r in extra if _holds(r.condition, fact, found)]
                found |= {r.spec.then.finding for r in now if r.spec.then.finding}
                expected += [r.id for r in now]
            out.append((path.stem, li, got, sorted(expected)))
    return out


@pytest.mark.slow
@fuzz(12)
@given(rules=near_limit_rulebooks())
def test_decide_when_a_generated_rulebook_is_near_the_engine_limits_then_no_crash_and_right_rules_fire(
    tmp_path_factory, rules
):
    """Generated rulebooks of many rules at the per-rule limits decide every example in a child, as Python would."""
    folder = tmp_path_factory.mktemp("generated")
    path = rulebook(folder, rules)
    result = in_child(lambda: fired_and_expected(path), timeout=120)
    assert result[0] == "ok", result
    for case, line, got, expected in result[1]:
        assert got == expected, (case, line, sorted(set(got) ^ set(expected))[:5])


def _verified_from(rules: Path) -> list[tuple[str, list[str]]]:
    """Per example: verify's own path (the embedded rulebook written out and decided in a child) against a decision."""
    from engine.api import Decider
    from engine.briefing import verify
    from engine.load import load_case

    files = {p.name: p.read_bytes() for p in rules.glob("*.yaml")}
    out = []
    for path in EXAMPLES:
        recorded = Decider(rules).decide(load_case(path)).model_dump(mode="json")
        evidence = verify.Evidence(path.name, path.name, path.read_bytes(), recorded, files)
        decided = verify._decided_apart(evidence, None, f"{path.stem}.pdf")
        out.append((path.stem, verify.differences(recorded, decided)))
    return out


@pytest.mark.slow
@fuzz(3)
@given(rules=near_limit_rulebooks())
def test_verify_when_the_embedded_rulebook_is_near_the_engine_limits_then_it_decides_again_the_same(
    tmp_path_factory, rules
):
    """verify loads a generated rulebook at the per-rule limits as an embedded one, and decides every example the same."""
    folder = tmp_path_factory.mktemp("embedded")
    path = rulebook(folder, rules)
    result = in_child(lambda: _verified_from(path), timeout=180)
    assert result[0] == "ok", result
    assert [(case, found) for case, found in result[1] if found] == []
