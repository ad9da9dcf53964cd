"""Run the `joinup` command in a child process that cannot hang or eat the machine: a hang
or a runaway read fails the test in seconds instead of stopping the run."""
from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 2_000_000_000  # bytes of address space: a read of /dev/zero stops here, not at the machine's end


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def joinup(*args: str, timeout: float = 60, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`joinup ARGS` with a time and memory limit; a timeout raises subprocess.TimeoutExpired."""
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, preexec_fn=_limit_memory, stdin=subprocess.DEVNULL,
    )


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """The single `error:` line of a run that exited 2; fails the test otherwise."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (done.returncode, done.stderr[-2000:])
    return lines[0]
