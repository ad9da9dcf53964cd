"""batch: which files in a folder are cases, and where each one's briefing goes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import CASES, crash_this_process
from engine.briefing import batch
from engine.briefing.batch import brief_folder, case_files, plan
from engine.errors import BriefingError


def test_case_files_when_the_folder_mixes_files_takes_cases_only(tmp_path):
    """YAML and JSON case files are taken, by name; schemas, other files and subfolders are not."""
    for name in ("b.yaml", "a.json", "c.yml", "case.schema.json", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text("x")
    assert [p.name for p in case_files(tmp_path)] == ["a.json", "b.yaml", "c.yml"]


def test_case_files_when_the_folder_is_missing_raises_a_briefing_error(tmp_path):
    """A folder that does not exist is one clear error."""
    with pytest.raises(BriefingError, match="no such folder"):
        case_files(tmp_path / "none")


def test_plan_when_two_cases_share_a_stem_keeps_their_briefings_apart():
    """a.yaml and a.json brief to a.yaml.pdf and a.json.pdf, never to the same a.pdf."""
    cases = [Path("in/a.json"), Path("in/a.yaml"), Path("in/b.yaml")]
    assert [out.name for _, out in plan(cases, Path("out"))] == ["a.json.pdf", "a.yaml.pdf", "b.pdf"]


def test_plan_when_full_names_collide_with_stems_gives_each_case_its_own_briefing():
    """a.yaml, a.json and a.yaml.yaml get three distinct briefings (a.yaml.yaml's stem is a.yaml)."""
    cases = [Path("in/a.json"), Path("in/a.yaml"), Path("in/a.yaml.yaml")]
    outputs = [out.name for _, out in plan(cases, Path("out"))]
    assert outputs == ["a.json.pdf", "a.yaml.pdf", "a.yaml.yaml.pdf"]


def test_plan_when_names_differ_only_in_case_gives_distinct_names_on_any_file_system():
    """A.yaml and a.json would meet as a.pdf on a case-insensitive disk, so they take their full names."""
    cases = [Path("in/A.yaml"), Path("in/a.json")]
    assert [out.name for _, out in plan(cases, Path("out"))] == ["A.yaml.pdf", "a.json.pdf"]


def test_plan_when_two_cases_differ_only_in_case_refuses_before_briefing():
    """A.yaml and a.yaml cannot be told apart on every disk: refused, naming both."""
    with pytest.raises(BriefingError, match="would be briefed to the same file"):
        plan([Path("in/A.yaml"), Path("in/a.yaml")], Path("out"))


def crash_on_b(case: str, output: str) -> batch.Outcome:
    """A worker task that dies as a native crash would, on the case named b.yaml."""
    if Path(case).name == "b.yaml":
        crash_this_process()
    return batch._brief_one(case, output)


def fail_inside(case: str, output: str) -> batch.Outcome:
    """A worker task with a bug of ours: an exception whose message runs over several lines."""
    raise ValueError("first line\nsecond line")


def _folder_of(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in names:
        shutil.copy(CASES / "new-department.yaml", folder / name)
    return folder


@pytest.mark.slow
def test_brief_folder_when_a_case_kills_its_worker_names_it_and_briefs_the_rest(tmp_path):
    """A case whose worker dies of SIGSEGV is reported by name; every other case is still briefed."""
    folder = _folder_of(tmp_path, ["a.yaml", "b.yaml", "c.yaml", "d.yaml"])
    outcomes = brief_folder(folder, tmp_path / "out", jobs=2, task=crash_on_b)
    by_name = {Path(o.case).name: o for o in outcomes}
    assert [name for name, o in by_name.items() if o.error is None] == ["a.yaml", "c.yaml", "d.yaml"]
    assert by_name["b.yaml"].error.startswith(f"{folder / 'b.yaml'}: the process briefing this case crashed "
                                              "(signal 11, SIGSEGV)")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.pdf", "c.pdf", "d.pdf"]


@pytest.mark.slow
def test_brief_folder_when_a_worker_raises_names_the_case(tmp_path):
    """An internal error in a worker is reported against its case file, never as a bare message."""
    folder = _folder_of(tmp_path, ["a.yaml"])
    [outcome] = brief_folder(folder, tmp_path / "out", jobs=1, task=fail_inside)
    assert outcome.error == f"{folder / 'a.yaml'}: internal error: ValueError: first line\nsecond line"
