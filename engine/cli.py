"""The `joinup` command: parse arguments, call the Python API, print. Nothing else."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from . import api, load
from .errors import JoinupError, OutputError
from .schema import case_schema_text
from .summary import summary_text

app = typer.Typer(
    help="joinup: should an organisation join a shared IT service or go alone?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_BAD_INPUT = 2


def fail(error: JoinupError) -> None:
    """Print one error line and exit 2."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _guarded(run):
    """Run a command body: our errors become one line; anything else a one-line internal error."""
    try:
        return run()
    except JoinupError as error:
        fail(error)
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as error:  # a bug of ours: say so in one line, keep the traceback for debugging
        if os.environ.get("JOINUP_DEBUG"):
            raise
        typer.echo(f"internal error: {type(error).__name__}: {error} (set JOINUP_DEBUG=1 for details)", err=True)
        raise typer.Exit(3)


RulesOption = typer.Option(None, "--rules", help="Rulebook folder (default: the shipped rulebook).")


@app.command()
def decide(
    case: Path = typer.Argument(..., help="Case file (YAML or JSON)."),
    rules: Optional[Path] = RulesOption,
    as_json: bool = typer.Option(False, "--json", help="Print the recommendation as JSON."),
) -> None:
    """Decide a case: join, join-in-part, go-alone or refer, with reasons."""

    def run() -> None:
        rec = api.decide_file(case, rules)
        typer.echo(rec.model_dump_json(indent=2) if as_json else summary_text(rec))

    _guarded(run)


@app.command()
def validate(case: Path = typer.Argument(..., help="Case file (YAML or JSON).")) -> None:
    """Check a case file without deciding it."""

    def run() -> None:
        loaded = load.load_case(case)
        typer.echo(f"{case}: valid ({len(loaded.case.service_lines)} service line(s))")

    _guarded(run)


@app.command()
def schema(
    output: Path = typer.Option(Path("cases/case.schema.json"), "-o", "--output", help="Where to write it; - for standard output."),
) -> None:
    """Write the case file's JSON Schema (generated from the models)."""

    def run() -> None:
        text = case_schema_text()
        if str(output) == "-":
            sys.stdout.write(text)
            return
        if output.name in ("", ".", ".."):
            raise OutputError(
                "is a folder, not a file name", file=str(output), hint="give a path such as cases/case.schema.json"
            )
        tmp = output.with_name(f".{output.name}.tmp")
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(output)
        except OSError as exc:
            with contextlib.suppress(OSError):  # leave nothing half-written behind
                tmp.unlink(missing_ok=True)
            reason = exc.strerror
            if isinstance(exc, (FileExistsError, NotADirectoryError)):  # mkdir met a file on the way
                reason = "part of its folder path is a file"
            raise OutputError(f"cannot be written: {reason}", file=str(output)) from None
        typer.echo(f"wrote {output}")

    _guarded(run)


if __name__ == "__main__":  # pragma: no cover
    app()
