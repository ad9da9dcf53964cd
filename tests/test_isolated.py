"""Running a function in a child process (engine/isolated.py), so a native crash takes only the child."""
from __future__ import annotations

import pickle

import pytest

from engine.errors import CaseFileError
from engine.isolated import ChildDied, run_in_child
from engine.policy.check import Problem

from .conftest import crash_this_process


def _crash() -> None:
    crash_this_process()


def _refuse() -> None:
    raise CaseFileError("cannot be negative", file="case.yaml", line=3, column=5, field="seats", hint="check it")


def test_run_in_child_when_the_function_returns_gives_its_result():
    """The child's return value comes back to the parent."""
    assert run_in_child(divmod, 17, 5) == (3, 2)


def test_run_in_child_when_the_child_crashes_raises_child_died_naming_the_signal():
    """A segfault in the child is an exception in the parent, saying how it ended."""
    with pytest.raises(ChildDied) as info:
        run_in_child(_crash)
    assert str(info.value) == "crashed (signal 11, SIGSEGV)"


def test_run_in_child_when_the_function_raises_a_joinup_error_raises_it_whole():
    """An error raised in the child keeps its file, line, column, field and hint."""
    with pytest.raises(CaseFileError) as info:
        run_in_child(_refuse)
    assert str(info.value) == "case.yaml:3:5: seats: cannot be negative (check it)"


def test_joinup_error_when_pickled_keeps_every_field_and_its_type():
    """Errors cross process boundaries intact, subclasses with their own constructors included."""
    problem = Problem("warning", "unused-parameter", "no rule uses this parameter", "p.yaml", 4, 2, "x", "drop it")
    restored = pickle.loads(pickle.dumps(problem))
    assert type(restored) is Problem
    assert restored.report() == problem.report()
    assert restored.to_dict() == problem.to_dict()
