"""The CLI on bad input, in-process: exit 2, one line on stderr, no traceback, nothing half-written."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.cli import app
from engine.schema import case_schema_text

from .conftest import fuzz
from .test_bad_input import _dump, mutated_texts, mutated_trees

runner = CliRunner()
CLI = fuzz(40)


def _assert_clean(result, path: str) -> None:
    """Exit 0, or exit 2 with exactly one line on stderr naming the file; never a traceback."""
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith(f"error: {path}")


@pytest.mark.slow
@CLI
@given(data=mutated_texts() | st.tuples(mutated_trees(), st.sampled_from(["block", "json"])).map(lambda t: _dump(*t)))
def test_validate_when_case_file_broken_then_exit_2_and_one_line(data: bytes):
    """`joinup validate` on a broken or mutated case: exit 0 or 2, one line on stderr, no traceback."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_bytes(data)
        _assert_clean(runner.invoke(app, ["validate", str(path)]), str(path))


@pytest.mark.slow
@fuzz(15)
@given(data=mutated_texts())
def test_decide_when_case_file_broken_then_exit_2_and_one_line(data: bytes):
    """`joinup decide` on a broken case: exit 0 or 2, one line on stderr, no traceback."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_bytes(data)
        _assert_clean(runner.invoke(app, ["decide", str(path)]), str(path))


@contextlib.contextmanager
def _cwd(folder: str):
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def _snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) under root; folders map to None."""
    found: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            found[os.path.relpath(os.path.join(folder, d), root)] = None
        for f in files:
            found[os.path.relpath(os.path.join(folder, f), root)] = Path(folder, f).read_bytes()
    return found


_PARTS = ["afile", "adir", "old.json", "new", ".", "..", "", "x.json", "x" * 300, "é.json"]


@pytest.mark.slow
@CLI
@given(parts=st.lists(st.sampled_from(_PARTS), min_size=1, max_size=3))
def test_schema_when_output_path_cannot_be_written_then_exit_2_and_nothing_half_written(parts: list[str]):
    """`joinup schema -o` to a folder, under a file, or a name too long: exit 2, one line, no file left or changed."""
    output = "/".join(parts)
    with tempfile.TemporaryDirectory() as folder, _cwd(folder):
        root = Path(folder)
        (root / "afile").write_text("a file\n")
        (root / "adir").mkdir()
        (root / "old.json").write_text("the old schema\n")
        before = _snapshot(root)
        result = runner.invoke(app, ["schema", "-o", output])
        after = _snapshot(root)
        assert "Traceback" not in result.output + result.stderr
        assert result.exit_code in (0, 2), (output, result.exit_code, result.stderr)
        if result.exit_code == 2:
            assert len(result.stderr.splitlines()) == 1, result.stderr
            new_files = {p for p, content in after.items() if content is not None and before.get(p) != content}
            assert not new_files, f"left behind or changed: {new_files}"
        else:
            assert (root / output).read_text(encoding="utf-8") == case_schema_text()


def test_schema_when_output_is_a_folder_then_exit_2_and_no_temporary_file_left(tmp_path: Path):
    """Writing the schema over a folder used to exit 3 (internal error) and leave .name.tmp behind."""
    (tmp_path / "adir").mkdir()
    result = runner.invoke(app, ["schema", "-o", str(tmp_path / "adir")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'adir'}: is a folder, not a file joinup can replace")
    assert len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]


def test_schema_when_output_under_a_file_then_exit_2_naming_it(tmp_path: Path):
    """A path through a file (afile/x.json) used to exit 3 with FileExistsError."""
    (tmp_path / "afile").write_text("x")
    result = runner.invoke(app, ["schema", "-o", str(tmp_path / "afile" / "x.json")])
    assert result.exit_code == 2
    assert "part of its folder path is a file" in result.stderr


def test_schema_when_output_is_empty_then_exit_2_not_a_value_error(tmp_path: Path):
    """`-o ''` used to exit 3 with ValueError ("has an empty name")."""
    result = runner.invoke(app, ["schema", "-o", ""])
    assert result.exit_code == 2
    assert "is a folder, not a file name" in result.stderr
