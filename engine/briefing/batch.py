"""Brief every case in a folder, on every core.

durable_rules keeps native state that must not be shared between threads or forked
mid-use, so each worker process builds its own Briefer (and so its own Decider) once,
then briefs case after case. Workers come from a fork server started clean (no threads,
nothing decided yet) with joinup already imported, so they start quickly and safely.
One bad case file does not stop the others: each outcome carries its one-line error.
Nor does a case that kills its worker (a crash in native code): the cases that were in
flight are briefed again one by one, each in a process of its own, so the one that
kills is named, and the rest go on in a new pool.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .. import quiet
from ..errors import BriefingError, JoinupError
from ..isolated import ChildDied, how_it_ended, run_in_child
from ..resources import default_rules_dir
from ..rulebook import load_rulebook
from ..write import unwind_on_sigterm
from .briefer import Briefer

CASE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Outcome:
    """One case briefed, or the one-line reason it was not; with the library warnings met on the way."""

    case: str
    output: str | None
    verdict: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def case_files(folder: Path | str) -> list[Path]:
    """The case files in a folder (not its subfolders), by name; JSON Schemas are not cases."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BriefingError("no such folder", file=str(folder))
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in CASE_SUFFIXES and not p.name.endswith(".schema.json"))


def _key(path: Path) -> str:
    """A name as a file system that ignores case (or Unicode normalisation) sees it."""
    return unicodedata.normalize("NFC", path.name).casefold()


def _clashes(outputs: dict[Path, Path]) -> list[list[Path]]:
    """Groups of cases whose briefings would be one file on a case-insensitive disk."""
    by_key: dict[str, list[Path]] = {}
    for case, out in outputs.items():
        by_key.setdefault(_key(out), []).append(case)
    return [group for group in by_key.values() if len(group) > 1]


def plan(cases: list[Path], out_dir: Path) -> list[tuple[Path, Path]]:
    """Each case with the PDF it is briefed to: its stem, or its full name where stems would collide.

    Collisions are judged as a case-insensitive file system would see them. Cases that still
    collide with their full names (`A.yaml` and `a.yaml`) are refused before anything is briefed.
    """
    full: set[Path] = set()
    while True:  # widening one name can make it meet another's stem (a.yaml beside a.yaml.yaml): go again
        outputs = {case: out_dir / f"{case.name if case in full else case.stem}.pdf" for case in cases}
        clashes = _clashes(outputs)
        widen = {case for group in clashes for case in group} - full
        if not widen:
            break
        full |= widen
    if clashes:
        group = clashes[0]
        raise BriefingError(f"{' and '.join(c.name for c in group)} would be briefed to the same file, "
                            f"{outputs[group[0]].name}", file=str(group[0].parent), hint="rename one of them")
    assert len({_key(out) for out in outputs.values()}) == len(cases), "two cases planned to one briefing"
    return [(case, outputs[case]) for case in cases]


_briefer: Briefer | None = None


def _start(rules: str | None, templates_dir: str | None) -> None:
    """Worker initialiser: one Briefer, hence one Decider, per process."""
    global _briefer
    # A worker told to stop unwinds, so a briefing half-written leaves no temporary file behind.
    unwind_on_sigterm()
    _briefer = Briefer(rules, Path(templates_dir) if templates_dir else None)


def _internal(case: str, error: BaseException) -> Outcome:
    """A bug of ours while briefing one case: its one line, naming the case, and the run goes on."""
    return Outcome(case, None, error=_named(case, f"internal error: {type(error).__name__}: {error}"))


def _named(case: str, text: str) -> str:
    """An error line that starts with the case file's name, whatever it was about."""
    return text if text.startswith(case) else f"{case}: {text}"


def _brief_one(case: str, output: str) -> Outcome:
    try:
        return _briefed(case, output)
    except SystemExit:  # SIGTERM: the writer has removed its temporary files on the way here
        os._exit(128 + signal.SIGTERM)


def _briefed(case: str, output: str) -> Outcome:
    assert _briefer is not None, "worker not started"
    with quiet.caught() as warned:
        try:
            result = _briefer.write(case, output)
        except JoinupError as error:
            outcome = Outcome(case, None, error=_named(case, str(error)))
        except Exception as error:  # a bug of ours: report it for this case, keep briefing the others
            outcome = _internal(case, error)
        else:
            outcome = Outcome(case, output, verdict=result.recommendation.verdict)
    return dataclasses.replace(outcome, warnings=tuple(warned))


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["engine.briefing"])
        return context
    return multiprocessing.get_context("spawn")


Task = Callable[[str, str], Outcome]
Work = tuple[Path, Path]


def _died(case: str, exitcode: int | None) -> Outcome:
    how = how_it_ended(exitcode)
    return Outcome(case, None, error=f"{case}: the process briefing this case {how}; the other cases were briefed "
                                     "without it (a bug in joinup or its rules engine: please report it with this case)")


def _failed(case: str, future: Future) -> Outcome | None:
    """The outcome of a future that raised instead of returning one; None when its pool broke."""
    error = future.exception()
    if isinstance(error, BrokenProcessPool):
        return None
    return _internal(case, error)


def _pooled(queue: deque[Work], start: tuple, jobs: int, task: Task):
    """Brief cases off `queue` on `jobs` workers, no more in flight than there are workers.

    Yields each outcome; returns the cases in flight when a worker died (any of them may
    have killed it), having left the cases not yet started on the queue.
    """
    running: dict[Future, Work] = {}
    broken = False
    with ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_start, initargs=start) as pool:
        while (queue or running) and not broken:
            while queue and len(running) < jobs and not broken:
                try:
                    future = pool.submit(task, str(queue[0][0]), str(queue[0][1]))
                except BrokenProcessPool:
                    broken = True
                else:
                    running[future] = queue.popleft()
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                case = str(running[future][0])
                outcome = future.result() if future.exception() is None else _failed(case, future)
                if outcome is None:
                    broken = True
                    continue
                del running[future]
                yield outcome
    return list(running.values())


def _started(task: Task, start: tuple, case: str, output: str) -> Outcome:
    _start(*start)
    return task(case, output)


def _alone(work: Work, start: tuple, task: Task) -> Outcome:
    """Brief one case in a process of its own: if the process dies, this case killed it."""
    try:
        return run_in_child(_started, task, start, str(work[0]), str(work[1]), context=_context())
    except ChildDied as died:
        return _died(str(work[0]), died.exitcode)
    except Exception as error:  # the task's own failure, raised in the child: this case's, not the run's
        return _internal(str(work[0]), error)


def _run(work: list[Work], rules: str | None, templates: str | None, jobs: int, task: Task) -> Iterator[Outcome]:
    # Always in worker processes, even for one job: a case that crashes native code must not take the run with it.
    queue = deque(work)
    start = (rules, templates)
    while queue:
        suspects = yield from _pooled(queue, start, jobs, task)
        for one in suspects:
            yield _alone(one, start, task)


def brief_folder(
    folder: Path | str,
    out_dir: Path | str,
    *,
    rules: Path | str | None = None,
    templates_dir: Path | None = None,
    jobs: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
    task: Task = _brief_one,
) -> list[Outcome]:
    """Brief every case file in `folder` to `out_dir`/NAME.pdf with `jobs` processes (default: every core).

    Returns the outcomes in case-file order; `progress` is called as each case finishes.
    `task` is what a worker runs per case (a module-level function: tests put a crash there).
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
    for outcome in _run(work, rules_arg, templates_arg, jobs, task):
        done[outcome.case] = outcome
        if progress:
            progress(outcome)
    return [done[str(case)] for case, _ in work]
