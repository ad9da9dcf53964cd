"""The `joinup` command: parse arguments, call the Python API, print. Nothing else."""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from . import api, load, resources
from .policy import check, coverage, explain, impact, ruledoc, ruletests
from .errors import BriefingError, JoinupError, OutputError
from .rulebook import load_rulebook
from .schema import case_schema_text
from .summary import summary_text

app = typer.Typer(
    help="joinup: should an organisation join a shared IT service or go alone?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

rules_app = typer.Typer(
    help="For the policy team: check, test, cover, compare and publish the rulebook.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(rules_app, name="rules")

EXIT_BAD_INPUT = 2
EXIT_PROBLEMS = 1
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
        from .briefing import briefer as briefing  # WeasyPrint and matplotlib load only for the commands that draw

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

    from .briefing import batch

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
        from .briefing.verify import verify_file

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
    # Printed unless -o names a file: run anywhere, it writes nothing the user did not name.
    output: Path = typer.Option(Path("-"), "-o", "--output", help="A file to write it to (default: print it)."),
) -> None:
    """Print the case file's JSON Schema (generated from the models), or write it with -o."""

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


RulesDirArgument = typer.Argument(None, help="Rulebook folder (default: the shipped rulebook).")


def _rules_dir(directory: Optional[Path]) -> Path:
    """The folder given, or the shipped rulebook (shown relative to here when it is below)."""
    if directory is not None:
        return directory
    folder = resources.default_rules_dir()
    try:
        return folder.relative_to(Path.cwd())
    except ValueError:
        return folder


@rules_app.command("check")
def rules_check(
    directory: Optional[Path] = RulesDirArgument,
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Check every rule file and the parameters; one line per problem. Exit 1 on errors."""

    def run() -> None:
        result = check.check_rulebook(_rules_dir(directory))
        typer.echo(json.dumps(result.to_dict(), indent=2) if as_json else check.problems_text(result))
        if not result.ok:
            raise typer.Exit(EXIT_PROBLEMS)

    _guarded(run)


@rules_app.command("test")
def rules_test(
    directory: Optional[Path] = RulesDirArgument,
    with_coverage: bool = typer.Option(False, "--coverage", help="Also list rules no test fires and clauses not tried both ways."),
    as_json: bool = typer.Option(False, "--json", help="Print the results (and coverage) as JSON."),
    match: Optional[str] = typer.Option(None, "-k", "--match", help="Run only tests whose 'file::name' contains this text."),
) -> None:
    """Run the rulebook's YAML rule tests (tests/*.yaml beside the rules). Exit 1 on a failure."""

    def run() -> None:
        folder = _rules_dir(directory)
        decider = api.Decider(folder)
        result = ruletests.run_all(folder, decider, match)
        cov = coverage.measure_coverage(decider.rulebook, result.outcomes) if with_coverage else None
        if as_json:
            data = result.to_dict() | ({"coverage": cov.to_dict()} if cov else {})
            typer.echo(json.dumps(data, indent=2))
        else:
            typer.echo(result.text())
            if cov:
                typer.echo(cov.text())
        if not result.ok:
            raise typer.Exit(EXIT_PROBLEMS)

    _guarded(run)


@rules_app.command("impact")
def rules_impact(
    base: str = typer.Option(..., "--base", help="The old rulebook: a folder, or a git revision (e.g. HEAD, main, a tag)."),
    directory: Optional[Path] = RulesDirArgument,
    cases: Path = typer.Option(Path("cases"), "--cases", help="Folder of case files to decide under both."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Decide every case under the old and the new rulebook and list each verdict that flips. Exit 1 on a flip."""

    def run() -> None:
        new = _rules_dir(directory)
        with impact.base_rulebook(base, new) as old:
            result = impact.impact(old, new, cases)
            result.base = base
        typer.echo(json.dumps(result.to_dict(), indent=2) if as_json else impact.impact_text(result))
        if result.changed:
            raise typer.Exit(EXIT_PROBLEMS)

    _guarded(run)


@rules_app.command("doc")
def rules_doc(
    directory: Optional[Path] = RulesDirArgument,
    output: Path = typer.Option(Path("rulebook.html"), "-o", "--output", help="Where to write it: a .html or .pdf file."),
    on: Optional[datetime.datetime] = typer.Option(
        None, "--date", formats=["%Y-%m-%d"], help="Show the parameter values in force on this date (default: today); also the document's date."
    ),
) -> None:
    """Write the rulebook as a readable document (HTML or PDF), generated from the rules."""

    def run() -> None:
        rulebook = load_rulebook(_rules_dir(directory))
        day = on.date() if on else datetime.date.today()
        written = ruledoc.write_document(rulebook, resources.default_templates_dir(), output, day)
        typer.echo(f"wrote {written}")

    _guarded(run)


@app.command("explain")
def explain_rule(
    case: Path = typer.Argument(..., help="Case file (YAML or JSON)."),
    rule_id: str = typer.Argument(..., help="The rule's id, e.g. urgency.only-offer-in-time."),
    rules: Optional[Path] = RulesOption,
    as_json: bool = typer.Option(False, "--json", help="Print the explanation as JSON."),
) -> None:
    """Why a rule fired or did not on a case, clause by clause, with the values and parameters it saw."""

    def run() -> None:
        decider = api.Decider(_rules_dir(rules))
        loaded = load.load_case(case)
        result = explain.explain(decider, loaded, rule_id)
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str) if as_json else explain.explanation_text(result), nl=False)

    _guarded(run)


if __name__ == "__main__":  # pragma: no cover
    app()
