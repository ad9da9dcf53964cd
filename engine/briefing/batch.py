"""Brief every case in a folder, on every core.

durable_rules keeps native state that must not be shared between threads or forked
mid-use, so each worker process builds its own Briefer (and so its own Decider) once,
then briefs case after case. Workers come from a fork server started clean (no threads,
nothing decided yet) with joinup already imported, so they start quickly and safely.
One bad case file does not stop the others: each outcome carries its one-line error.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from ..resources import default_rules_dir
from .briefer import Briefer
from ..errors import BriefingError, JoinupError
from ..rulebook import load_rulebook

CASE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Outcome:
    """One case briefed, or the one-line reason it was not."""

    case: str
    output: str | None
    verdict: str | None = None
    error: str | None = None


def case_files(folder: Path | str) -> list[Path]:
    """The case files in a folder (not its subfolders), by name; JSON Schemas are not cases."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BriefingError("no such folder", file=str(folder))
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in CASE_SUFFIXES and not p.name.endswith(".schema.json"))


def plan(cases: list[Path], out_dir: Path) -> list[tuple[Path, Path]]:
    """Each case with the PDF it is briefed to: its stem, or its full name when two cases share a stem."""
    stems = [c.stem for c in cases]
    return [(c, out_dir / f"{c.stem if stems.count(c.stem) == 1 else c.name}.pdf") for c in cases]


_briefer: Briefer | None = None


def _start(rules: str | None, templates_dir: str | None) -> None:
    """Worker initialiser: one Briefer, hence one Decider, per process."""
    global _briefer
    _briefer = Briefer(rules, Path(templates_dir) if templates_dir else None)


def _brief_one(case: str, output: str) -> Outcome:
    assert _briefer is not None, "worker not started"
    try:
        result = _briefer.write(case, output)
    except JoinupError as error:
        return Outcome(case, None, error=str(error))
    except Exception as error:  # a bug of ours: report it for this case, keep briefing the others
        return Outcome(case, None, error=f"internal error: {type(error).__name__}: {error}")
    return Outcome(case, output, verdict=result.recommendation.verdict)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["engine.briefing"])
        return context
    return multiprocessing.get_context("spawn")


def _run(work: list[tuple[Path, Path]], rules: str | None, templates: str | None, jobs: int) -> Iterator[Outcome]:
    if jobs == 1:
        _start(rules, templates)  # in this process: nothing to share it with
        for case, out in work:
            yield _brief_one(str(case), str(out))
        return
    with ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_start, initargs=(rules, templates)) as pool:
        futures = [pool.submit(_brief_one, str(case), str(out)) for case, out in work]
        for future in as_completed(futures):
            yield future.result()


def brief_folder(
    folder: Path | str,
    out_dir: Path | str,
    *,
    rules: Path | str | None = None,
    templates_dir: Path | None = None,
    jobs: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Brief every case file in `folder` to `out_dir`/NAME.pdf with `jobs` processes (default: every core).

    Returns the outcomes in case-file order; `progress` is called as each case finishes.
    """
    out_dir = Path(out_dir)
    work = plan(case_files(folder), out_dir)
    if not work:
        raise BriefingError(f"holds no case files ({', '.join('*' + s for s in CASE_SUFFIXES)})", file=str(folder))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefingError(f"cannot be created: {exc.strerror}", file=str(out_dir)) from None
    # A broken rulebook is one error for the whole folder, found here before any worker starts.
    load_rulebook(rules or default_rules_dir())
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work)))
    rules_arg = str(Path(rules).resolve()) if rules is not None else None
    templates_arg = str(Path(templates_dir).resolve()) if templates_dir is not None else None
    done: dict[str, Outcome] = {}
    for outcome in _run(work, rules_arg, templates_arg, jobs):
        done[outcome.case] = outcome
        if progress:
            progress(outcome)
    return [done[str(case)] for case, _ in work]
