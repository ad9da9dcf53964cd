"""The CLI is a thin shell: exit codes and one-line errors, tested in-process."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from engine.cli import app
from engine.schema import case_schema_text

from .conftest import CASES, ROOT

runner = CliRunner()


def test_decide_when_example_then_summary_and_exit_0():
    """`joinup decide` prints the verdict and reasons."""
    result = runner.invoke(app, ["decide", str(CASES / "new-department.yaml")])
    assert result.exit_code == 0
    assert result.stdout.startswith("Department for Innovation and Skills: JOIN")
    assert "[urgency.only-offer-in-time]" in result.stdout


def test_decide_when_json_then_recommendation_json():
    """`--json` prints the recommendation with the verdict at the top level."""
    result = runner.invoke(app, ["decide", str(CASES / "part-join.yaml"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "join-in-part"


def test_decide_when_file_missing_then_one_line_and_exit_2(tmp_path: Path):
    """A missing file: one line on stderr, exit 2, no traceback."""
    result = runner.invoke(app, ["decide", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "missing.yaml: no such file" in result.stderr
    assert "Traceback" not in result.output


def test_decide_when_case_invalid_then_file_line_field_and_exit_2(tmp_path: Path):
    """A bad field is named with its file and line."""
    path = tmp_path / "bad.yaml"
    path.write_text((CASES / "new-department.yaml").read_text().replace("staff: 1100", "staff: -3"))
    result = runner.invoke(app, ["decide", str(path)])
    assert result.exit_code == 2
    assert f"{path}:6:3: organisation.staff:" in result.stderr


def test_decide_when_rulebook_broken_then_rule_file_line_and_exit_2(tmp_path: Path):
    """A broken rulebook is reported like a broken case."""
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    rule = folder / "size.yaml"
    rule.write_text(rule.read_text().replace("org.seats < param", "org.seets < param"))
    result = runner.invoke(app, ["decide", str(CASES / "new-department.yaml"), "--rules", str(folder)])
    assert result.exit_code == 2
    assert "size.yaml:" in result.stderr and "did you mean 'org.seats'" in result.stderr


def test_validate_when_valid_then_exit_0():
    """`joinup validate` accepts a valid case."""
    result = runner.invoke(app, ["validate", str(CASES / "part-join.yaml")])
    assert result.exit_code == 0 and "valid (2 service line(s))" in result.stdout


def test_schema_when_written_then_matches_committed_schema(tmp_path: Path):
    """`joinup schema` writes the schema generated from the models; the committed copy is current."""
    out = tmp_path / "case.schema.json"
    result = runner.invoke(app, ["schema", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text() == case_schema_text()
    assert (CASES / "case.schema.json").read_text() == case_schema_text(), "run `joinup schema -o cases/case.schema.json`"


def test_schema_when_no_output_is_given_then_prints_it_and_writes_nothing(tmp_path: Path, monkeypatch):
    """`joinup schema` alone prints the schema and creates no file or folder where it runs."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == case_schema_text()
    assert list(tmp_path.iterdir()) == []


def test_schema_when_generated_then_fields_carry_descriptions():
    """Every case field a CIO fills in is described in the schema."""
    schema = json.loads(case_schema_text())
    for name, definition in schema["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            if "$ref" in spec:  # described by the model it refers to
                spec = schema["$defs"][spec["$ref"].split("/")[-1]]
            assert spec.get("description"), f"{name}.{field} has no description"


def test_cli_decide_when_run_loads_no_drawing_library():
    """`joinup decide` never imports WeasyPrint, matplotlib or pypdf: they are for the commands that draw."""
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from engine.cli import app; "
        f"result = CliRunner().invoke(app, ['decide', {str(CASES / 'new-department.yaml')!r}]); assert result.exit_code == 0, result.output; "
        "print(sorted(m for m in ('weasyprint', 'matplotlib', 'pypdf') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_decide_when_the_case_has_ranges_decides_on_the_draws_as_its_briefing_does(tmp_path: Path):
    """The close call at £480 a seat goes alone on its draws (going alone ahead in about 84% of them), as its
    briefing does; --as-given decides on the figures as given, where at its least going alone does not clear."""
    case = tmp_path / "close-call.yaml"
    case.write_text((CASES / "close-call.yaml").read_text().replace("price_per_seat: 450", "price_per_seat: 480"))
    drawn = json.loads(runner.invoke(app, ["decide", str(case), "--json"]).output)
    given = json.loads(runner.invoke(app, ["decide", str(case), "--json", "--as-given"]).output)
    assert (drawn["verdict"], given["verdict"]) == ("go-alone", "join")
    assert drawn["measures"]["lines"][0]["draws"] == 1000 and given["measures"]["lines"][0]["draws"] == 0
    assert "confidence" not in drawn  # the report is asked for with --confidence
