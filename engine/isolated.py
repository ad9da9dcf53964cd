"""Run a function in a child process, so native code that crashes takes only the child.

durable_rules' C core can crash the process on input past its limits (joinup stays
inside them by design: engine/limits.py); untrusted input, such as a briefing's embedded
rulebook, is still decided in a child, and a crash becomes one clear error naming what
was being done, not the end of the program.
"""
from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ChildDied(Exception):
    """The child process ended without an answer."""

    def __init__(self, exitcode: int | None):
        super().__init__(how_it_ended(exitcode))
        self.exitcode = exitcode


def how_it_ended(exitcode: int | None) -> str:
    """How a process that gave no answer ended, as a person reads it: `crashed (signal 11, SIGSEGV)`."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"crashed (signal {-exitcode}, {signal.Signals(-exitcode).name})"
        except ValueError:
            return f"crashed (signal {-exitcode})"
    return f"stopped without an answer (exit status {exitcode})"


def run_in_child(function: Callable[..., T], *args: Any, context: Any = None) -> T:
    """`function(*args)` run in a child (forked, unless another multiprocessing context is given):
    its result, or the exception it raised; ChildDied if it died without an answer."""
    context = context or multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(writer, function, args), daemon=True)
    child.start()
    writer.close()
    try:
        outcome = reader.recv()
    except EOFError:
        outcome = None
    finally:
        reader.close()
        child.join()
    if outcome is None:
        raise ChildDied(child.exitcode)
    kind, value = outcome
    if kind == "raised":
        raise value
    return value


def _child(conn: Any, function: Callable[..., Any], args: tuple) -> None:
    try:
        outcome = ("returned", function(*args))
    except Exception as error:  # handed to the parent, which raises it as its own
        outcome = ("raised", error)
    try:
        conn.send(outcome)
    except Exception as error:  # an answer that cannot cross processes: say so, in a form that can
        conn.send(("raised", RuntimeError(f"{type(error).__name__}: {error}")))
    conn.close()
