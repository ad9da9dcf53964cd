"""The `joinup` command: parse arguments, call the Python API, print. Nothing else."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from . import api, load
from .errors import BriefingError, JoinupError
from .schema import case_schema_text
from .summary import summary_text

app = typer.Typer(
    help="joinup: should an organisation join a shared IT service or go alone?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_BAD_INPUT = 2
EXIT_DOES_NOT_HOLD = 1


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
def brief(
    case: Path = typer.Argument(..., help="Case file (YAML or JSON), or a folder of case files."),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="PDF to write (default: CASE's name with .pdf, here); for a folder, the folder to write to (default: briefings)."
    ),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write the briefing's HTML here (one case only)."),
    rules: Optional[Path] = RulesOption,
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes for a folder (default: every core)."),
) -> None:
    """Decide a case and write its briefing: a PDF for a board, carrying its case file, recommendation and rulebook."""

    def run() -> None:
        from . import briefing  # WeasyPrint and matplotlib load only for the commands that draw

        if case.is_dir():
            if html is not None:
                raise BriefingError("--html takes one case, not a folder", file=str(case))
            _brief_folder(case, output or Path("briefings"), rules, jobs)
            return
        target = output or Path(case.name).with_suffix(".pdf")
        if target.is_dir():  # -o names a folder: the briefing goes inside it, named after the case
            target = target / Path(case.name).with_suffix(".pdf")
        result = briefing.Briefer(rules).write(case, target, html)
        typer.echo(f"wrote {target}: {result.recommendation.verdict} ({result.recommendation.organisation})")

    _guarded(run)


def _brief_folder(folder: Path, out_dir: Path, rules: Optional[Path], jobs: Optional[int]) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from . import batch

    columns = (TextColumn("briefing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    total = len(batch.case_files(folder))
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("brief", total=total)
        outcomes = batch.brief_folder(folder, out_dir, rules=rules, jobs=jobs, progress=lambda _: bar.advance(task))
    failed = [o for o in outcomes if o.error]
    for o in failed:
        typer.echo(f"error: {o.error}", err=True)
    typer.echo(f"wrote {len(outcomes) - len(failed)} of {len(outcomes)} briefings to {out_dir}")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def verify(
    pdf: Path = typer.Argument(..., help="A briefing PDF written by `joinup brief`."),
    rules: Optional[Path] = typer.Option(
        None, "--rules", help="Decide under this rulebook instead of the one the briefing carries."
    ),
) -> None:
    """Check a briefing still holds: decide its embedded case again under its embedded rulebook (exit 1 if not)."""

    def run() -> None:
        from .verify import verify_file

        result = verify_file(pdf, rules)
        for note in result.notes:
            typer.echo(f"note: {note}")
        if result.holds:
            rec = result.decided
            typer.echo(f"{pdf}: holds: {rec.organisation}: {rec.verdict}, decided again from the briefing's own case "
                       f"and rulebook ({rec.provenance.rulebook_sha256[:12]})")
            return
        typer.echo(f"{pdf}: does not hold:")
        for difference in result.differences:
            typer.echo(f"  - {difference}")
        raise typer.Exit(EXIT_DOES_NOT_HOLD)

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
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(f".{output.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
        typer.echo(f"wrote {output}")

    _guarded(run)


if __name__ == "__main__":  # pragma: no cover
    app()
