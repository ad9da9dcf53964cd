"""The built wheel carries the rulebook, the cases its tests name and the templates, and its
commands work from a fresh venv outside the checkout."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from engine.policy import ruletest_format
from engine.rulebook import load_rulebook
from engine.schema import SCHEMA_ID

from .conftest import CASES, ROOT

# Building fetches the build backend and installing fetches the dependencies, both from the
# package index; together they take about a minute.
pytestmark = [pytest.mark.slow, pytest.mark.network]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
    )
    (found,) = out.glob("joinup-*.whl")
    return found


@pytest.fixture(scope="module")
def joinup(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The joinup command of a fresh venv holding only the wheel (installed once for the module)."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True)
    return venv / "bin" / "joinup"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """An empty folder outside the checkout, to run commands in."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def _run(joinup: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(joinup), *args], cwd=cwd, capture_output=True, text=True)


def test_wheel_when_built_then_carries_rulebook_cases_and_templates(wheel: Path):
    """Rule files, parameters, the example cases the rule tests name, and templates are inside the package."""
    names = zipfile.ZipFile(wheel).namelist()
    assert "engine/_rules/parameters.yaml" in names
    assert "engine/_rules/suffolk.yaml" in names
    assert "engine/_rules/cases/new-department.yaml" in names
    assert any(n.startswith("engine/_templates/") for n in names)


def test_wheel_when_installed_in_fresh_venv_then_decides_outside_checkout(joinup: Path, elsewhere: Path):
    """A fresh venv with only the wheel decides an example case from an unrelated folder."""
    shutil.copy(CASES / "new-department.yaml", elsewhere / "case.yaml")
    result = _run(joinup, elsewhere, "decide", "case.yaml", "--json")
    assert result.returncode == 0, result.stderr
    rec = json.loads(result.stdout)
    assert rec["verdict"] == "join"
    assert rec["provenance"]["joinup_version"] != "0+unknown"


def test_wheel_when_installed_then_rules_check_passes_outside_checkout(joinup: Path, elsewhere: Path):
    """`joinup rules check` on the shipped rulebook finds every rule and no problem, test files included."""
    rules = len(load_rulebook(ROOT / "rules").rules)
    result = _run(joinup, elsewhere, "rules", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(f": {rules} rules checked; 0 error(s), 0 warning(s)"), result.stdout


def test_wheel_when_installed_then_rules_test_passes_outside_checkout(joinup: Path, elsewhere: Path):
    """`joinup rules test` runs every shipped rule test, finding the cases they name, and all pass."""
    rules = ROOT / "rules"
    tests, errors = ruletest_format.collect(rules, load_rulebook(rules))
    assert tests and not errors
    result = _run(joinup, elsewhere, "rules", "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"{len(tests)} passed, 0 failed"


def test_wheel_when_installed_then_schema_prints_and_creates_nothing(joinup: Path, elsewhere: Path):
    """`joinup schema` run in any folder prints the schema and leaves the folder as it was."""
    result = _run(joinup, elsewhere, "schema")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["$id"] == SCHEMA_ID
    assert list(elsewhere.iterdir()) == []
