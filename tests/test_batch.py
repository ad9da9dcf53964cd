"""batch: which files in a folder are cases, and where each one's briefing goes."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.briefing.batch import case_files, plan
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
