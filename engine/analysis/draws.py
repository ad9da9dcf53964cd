"""Drawing every range of a case: seeded, reproducible, with declared groups moving together.

Each uncertain estimate is drawn from the distribution engine.estimates defines for its
mean (PERT by default, triangular, or a triangle fitted to P10/P90 ends), so the draws and
the appraisal read a range the same way. Each input of the case is one figure drawn once a
draw, so what both options share (the current service's cost) is shared in every draw.
Inputs are independent unless the case's `move_together` groups them: a group's members
are drawn each from its own distribution and then paired by rank, so in every draw they
sit at the same place in their ranges (perfect rank correlation). The discount rate, and
every other parameter of the rulebook, is never drawn.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..case import Case
from ..estimates import sample
from ..quantities import Range
from .inputs import Input, replace_all


@dataclass(frozen=True)
class Draws:
    """The drawn values: one column per uncertain input, one row per draw."""

    inputs: tuple[Input, ...]
    values: np.ndarray  # shape (draws, inputs)
    groups: tuple[tuple[int, ...], ...]  # columns that move together; each other column is its own group

    def case(self, base: Case, row: int) -> Case:
        """The case with every drawn input fixed at its value in draw `row` (a point, no longer a range)."""
        # Python floats, not numpy's: the measures' arithmetic on numpy scalars is slower, and
        # divides by zero into infinity where a float raises (a draw that cannot be measured).
        values = self.values[row].tolist()
        return replace_all(base, {item.path: Range.derived(v, v, v) for item, v in zip(self.inputs, values)})


def _groups(case: Case, inputs: list[Input]) -> list[tuple[int, ...]]:
    """Column groups: the case's move_together groups (of inputs drawn), then every other column alone."""
    column = {item.name: k for k, item in enumerate(inputs)}
    grouped: list[tuple[int, ...]] = []
    for group in case.move_together:
        members = tuple(column[n] for n in group.inputs if n in column)
        if members:
            grouped.append(members)
    taken = {k for g in grouped for k in g}
    return grouped + [(k,) for k in range(len(inputs)) if k not in taken]


def draw(case: Case, inputs: list[Input], n: int, seed: int) -> Draws:
    """`n` draws of the uncertain inputs from a seeded numpy Generator: the same case and seed, the same draws."""
    rng = np.random.default_rng(seed)
    values = np.empty((n, len(inputs)))
    for k, item in enumerate(inputs):
        assert item.spread is not None
        values[:, k] = sample(item.spread, case.ranges, rng, n)
    groups = _groups(case, inputs)
    for group in groups:
        if len(group) > 1:
            # Pair by rank: each member's sorted draws, placed where the first member's ranks fall.
            ranks = np.argsort(np.argsort(values[:, group[0]], kind="stable"), kind="stable")
            for k in group[1:]:
                values[:, k] = np.sort(values[:, k])[ranks]
    return Draws(tuple(inputs), values, tuple(groups))
