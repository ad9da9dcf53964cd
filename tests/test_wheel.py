"""The built wheel carries the rulebook and templates, and decides a case outside the checkout."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import CASES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
    )
    (found,) = out.glob("joinup-*.whl")
    return found


def test_wheel_when_built_then_carries_rulebook_and_templates(wheel: Path):
    """Rule files, parameters and templates are inside the package."""
    names = zipfile.ZipFile(wheel).namelist()
    assert "engine/_rules/parameters.yaml" in names
    assert "engine/_rules/suffolk.yaml" in names
    assert any(n.startswith("engine/_templates/") for n in names)


def test_wheel_when_installed_in_fresh_venv_then_decides_outside_checkout(wheel: Path, tmp_path: Path):
    """A fresh venv with only the wheel decides an example case from an unrelated folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(CASES / "new-department.yaml", work / "case.yaml")
    result = subprocess.run(
        [str(venv / "bin" / "joinup"), "decide", "case.yaml", "--json"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    rec = json.loads(result.stdout)
    assert rec["verdict"] == "join"
    assert rec["provenance"]["joinup_version"] != "0+unknown"
