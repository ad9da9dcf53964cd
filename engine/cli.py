"""The `joinup` command: parse arguments, call the Python API, print. Nothing else."""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

import typer

from . import api, load, quiet, resources
from .errors import BriefingError, JoinupError
from .rulebook import load_rulebook
from .schema import case_schema_text
from .analysis.analyse import DEFAULT_SEED, MAX_DRAWS
from .summary import summary_text, sure_text
from .write import unwind_on_sigterm, write_output

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


# Characters a terminal acts on rather than shows: C0 and C1 controls (escape sequences
# start with one), line and paragraph separators, and bidirectional overrides, which can
# make a line read differently from what it holds.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text: str, *, lines: bool = False) -> str:
    """`text` safe to print: every control character written as its escape; with `lines`, new lines and tabs kept."""
    return (_UNSAFE_BUT_LINES if lines else _UNSAFE).sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def say(text: str, *, nl: bool = True) -> None:
    """Print a report to standard output: names in it from the input escaped, its own line breaks kept."""
    typer.echo(shown(text, lines=True), nl=nl)


def problem(kind: str, text: str) -> None:
    """Print one `error: ...` or `warning: ...` line to standard error, escaped."""
    typer.echo(f"{kind}: {shown(text)}", err=True)


def fail(error: JoinupError) -> None:
    """Print one error line and exit 2."""
    problem("error", str(error))
    raise typer.Exit(EXIT_BAD_INPUT)


@contextlib.contextmanager
def _terminate_unwinds():
    """While a command runs, SIGTERM unwinds it like an exception, so no temporary file is left behind."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = unwind_on_sigterm()
    try:
        yield
    finally:
        if previous is not None:  # None: a handler set outside Python, which cannot be put back
            signal.signal(signal.SIGTERM, previous)


def _guarded(run, about: Optional[Path] = None):
    """Run a command body: our errors become one line; anything else a one-line internal error.

    Library warnings met on the way are printed after it, once each, as one line naming `about`.
    """
    warned: list[str] = []
    try:
        with _terminate_unwinds(), quiet.caught() as warned:
            return _reported(run)
    finally:
        for text in warned:
            problem("warning", f"{about}: {text}" if about is not None else text)


def _reported(run):
    try:
        return run()
    except JoinupError as error:
        fail(error)
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as error:  # a bug of ours: say so in one line, keep the traceback for debugging
        if os.environ.get("JOINUP_DEBUG"):
            raise
        problem("internal error", f"{type(error).__name__}: {error} (set JOINUP_DEBUG=1 for details)")
        raise typer.Exit(3)


RulesOption = typer.Option(None, "--rules", help="Rulebook folder (default: the shipped rulebook).")


@app.command()
def decide(
    case: Path = typer.Argument(..., help="Case file (YAML or JSON)."),
    rules: Optional[Path] = RulesOption,
    as_json: bool = typer.Option(False, "--json", help="Print the recommendation as JSON."),
    sensitivity: bool = typer.Option(
        False, "--sensitivity", help="Add switching values: how far each figure must move to change a verdict."
    ),
    confidence: bool = typer.Option(
        False, "--confidence", help="Add switching values and the confidence from drawing every range, with what to firm up first."
    ),
    as_given: bool = typer.Option(
        False, "--as-given",
        help="Decide on the case's figures as given, without drawing its ranges (the briefing always draws them).",
    ),
    draws: int = typer.Option(1000, "--draws", min=1, max=MAX_DRAWS, help="Draws of the case's ranges."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", min=0, help="Random seed for the draws: the same seed, the same figures."),
) -> None:
    """Decide a case: join, join-in-part, go-alone or refer, with reasons.

    A case with ranges is decided on draws of them, as its briefing is, so both give the same
    advice; --as-given decides on the figures as given alone.
    """

    def run() -> None:
        decider = api.Decider(rules)
        loaded = load.load_case(case)
        rec = decider.decide(loaded)  # first: a case that cannot be decided gets its located error here
        found = None
        if not as_given or sensitivity or confidence:
            rec, found = _analysed(decider, loaded, None if as_given else draws, seed)
        shown = found if (sensitivity or confidence) else None
        if as_json:
            out = json.loads(rec.model_dump_json())
            if shown:
                out["sensitivity"] = shown.sensitivity.model_dump(mode="json")
                out["confidence"] = shown.confidence.model_dump(mode="json") if confidence and shown.confidence else None
            say(json.dumps(out, indent=2, ensure_ascii=False))
        else:
            report = sure_text(shown.sensitivity, shown.confidence if confidence else None) if shown else ""
            say(summary_text(rec) + ("\n\n" + report if report else ""))

    _guarded(run, about=case)


# At about 1,500 draws a second a run of this many takes over a second: it gets a progress bar.
_DRAWS_WORTH_A_BAR = 1500


def _analysed(decider, loaded, draws: Optional[int], seed: int):
    """The recommendation with its analysis, with a progress bar on standard error for a run long enough to want one."""
    from .analysis.analyse import decide_sure

    if not draws or draws < _DRAWS_WORTH_A_BAR:
        return decide_sure(decider, loaded, draws=draws, seed=seed)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("drawing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("draws", total=draws)
        return decide_sure(decider, loaded, draws=draws, seed=seed, progress=lambda k: bar.advance(task, k))


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
        say(f"wrote {target}: {result.recommendation.verdict} ({result.recommendation.organisation})")

    _guarded(run, about=case)


def _brief_folder(folder: Path, out_dir: Path, rules: Optional[Path], jobs: Optional[int]) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .briefing import batch

    columns = (TextColumn("briefing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    total = len(batch.case_files(folder))
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("brief", total=total)
        outcomes = batch.brief_folder(folder, out_dir, rules=rules, jobs=jobs, progress=lambda _: bar.advance(task))
    failed = [o for o in outcomes if o.error]
    for o in outcomes:
        for text in o.warnings:
            problem("warning", f"{o.case}: {text}")
    for o in failed:
        problem("error", o.error)
    say(f"wrote {len(outcomes) - len(failed)} of {len(outcomes)} briefings to {out_dir}")
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
            say(f"note: {note}")
        if result.holds:
            rec = result.decided
            under = f"the rulebook in {rules}" if rules is not None else "the briefing's own rulebook"
            say(f"{pdf}: holds: {rec.organisation}: {rec.verdict}, decided again from the briefing's own case "
                f"under {under} ({rec.provenance.rulebook_sha256[:12]})")
            return
        say(f"{pdf}: does not hold:")
        for difference in result.differences:
            say(f"  - {difference}")
        raise typer.Exit(EXIT_DOES_NOT_HOLD)

    _guarded(run, about=pdf)


@app.command()
def validate(case: Path = typer.Argument(..., help="Case file (YAML or JSON).")) -> None:
    """Check a case file without deciding it."""

    def run() -> None:
        loaded = load.load_case(case)
        say(f"{case}: valid ({len(loaded.case.service_lines)} service line(s))")

    _guarded(run, about=case)


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
        write_output(output, text.encode("utf-8"), make_folders=True)
        say(f"wrote {output}")

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
        from .policy import check

        result = check.check_rulebook(_rules_dir(directory))
        say(json.dumps(result.to_dict(), indent=2) if as_json else check.problems_text(result))
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
        from .policy import coverage, ruletests

        folder = _rules_dir(directory)
        decider = api.Decider(folder)
        result = ruletests.run_all(folder, decider, match)
        cov = coverage.measure_coverage(decider.rulebook, result.outcomes) if with_coverage else None
        if as_json:
            data = result.to_dict() | ({"coverage": cov.to_dict()} if cov else {})
            say(json.dumps(data, indent=2))
        else:
            say(result.text())
            if cov:
                say(cov.text())
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
        from .policy import impact

        new = _rules_dir(directory)
        with impact.base_rulebook(base, new) as old:
            result = impact.impact(old, new, cases)
            result.base = base
        say(json.dumps(result.to_dict(), indent=2) if as_json else impact.impact_text(result))
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
        from .policy import ruledoc  # WeasyPrint loads only for the commands that draw

        rulebook = load_rulebook(_rules_dir(directory))
        day = on.date() if on else datetime.date.today()
        written = ruledoc.write_document(rulebook, resources.default_templates_dir(), output, day)
        say(f"wrote {written}")

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
        from .policy import explain

        decider = api.Decider(_rules_dir(rules))
        loaded = load.load_case(case)
        result = explain.explain(decider, loaded, rule_id)
        say(json.dumps(result.to_dict(), indent=2, default=str) if as_json else explain.explanation_text(result), nl=False)

    _guarded(run)


if __name__ == "__main__":  # pragma: no cover
    app()
