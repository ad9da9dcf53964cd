"""Start-up: `joinup decide` against importing the libraries it cannot do without.

    .venv/bin/python benchmarks/startup.py [--rounds 7]

The two are run alternately, so both see the same load on a shared machine; the ratio of
their medians is the figure to watch (target: decide at most 4 times the bare imports).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CASE = ROOT / "cases" / "new-department.yaml"
# On the figures as given: the draws are decision work, timed by benchmarks/confidence.py, not start-up.
DECIDE = [str(BIN / "joinup"), "decide", str(CASE), "--as-given"]
IMPORTS = [sys.executable, "-c", "import pydantic, durable.lang, ruamel.yaml, lark, typer"]


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    _wall(DECIDE), _wall(IMPORTS)  # warm the file cache and bytecode
    decide, imports = [], []
    for _ in range(rounds):
        decide.append(_wall(DECIDE))
        imports.append(_wall(IMPORTS))
    d, i = statistics.median(decide), statistics.median(imports)
    print(f"joinup decide:        median {d:.3f} s over {rounds} runs")
    print(f"bare library imports: median {i:.3f} s over {rounds} runs")
    print(f"ratio: {d / i:.2f} (target at most 4)")


if __name__ == "__main__":
    main()
