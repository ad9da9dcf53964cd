"""From low / likely / high to a mean: the one place that knows what a range means.

The Green Book asks for expected values (2003, 5.65-5.66), so the central figure of a
range is its mean, never its most likely value: costs are skewed, and the mode
understates them. Which distribution turns three points into a mean, and whether low
and high are the extremes or the 10th and 90th percentiles, is stated by the case
(`ranges`); PERT on extremes is the default (the rule owners' judgement: the standard
three-point method, Malcolm et al. 1959). Issue 11 samples from the same distributions,
so their parameters live here too.
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np

from pydantic import BaseModel, ConfigDict, Field

from .quantities import Range

Distribution = Literal["pert", "triangular"]
Ends = Literal["extremes", "p10_p90"]

# The P10/P90 fit converges in well under this many steps for any ordered range.
_FIT_STEPS = 200


class Ranges(BaseModel):
    """How the case's low / likely / high figures are to be read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    distribution: Distribution = Field(
        default="pert",
        description=(
            "The distribution that turns low / likely / high into a mean: pert (low + 4 x likely + high) / 6, "
            "or triangular (low + likely + high) / 3, which gives more weight to the ends."
        ),
    )
    ends: Ends = Field(
        default="extremes",
        description=(
            "What low and high mean: extremes (nothing lower or higher is plausible), or p10_p90 "
            "(one chance in ten of lower, one in ten of higher); then the ends are widened to fit."
        ),
    )


def pert_mean(r: Range) -> float:
    """Beta-PERT mean: (low + 4 likely + high) / 6."""
    return (r.low + 4 * r.likely + r.high) / 6


def triangular_mean(r: Range) -> float:
    """Triangular mean: (low + likely + high) / 3."""
    return (r.low + r.likely + r.high) / 3


def beta_pert(r: Range) -> tuple[float, float]:
    """The Beta(alpha, beta) shape on [low, high] whose PERT mean is pert_mean(r); (1, 1) for a point."""
    width = r.high - r.low
    if width <= 0:
        return 1.0, 1.0
    return 1 + 4 * (r.likely - r.low) / width, 1 + 4 * (r.high - r.likely) / width


def triangle_from_p10_p90(r: Range) -> Range:
    """The triangle (a, likely, b) whose 10th and 90th percentiles are r.low and r.high."""
    a, c, b = r.low, r.likely, r.high
    for _ in range(_FIT_STEPS):
        new_a = r.low - math.sqrt(max(0.0, 0.1 * (b - a) * (c - a)))
        new_b = r.high + math.sqrt(max(0.0, 0.1 * (b - a) * (b - c)))
        if abs(new_a - a) < 1e-9 and abs(new_b - b) < 1e-9:
            break
        a, b = new_a, new_b
    return Range.derived(a, c, b)


def extremes(r: Range, ranges: Ranges) -> Range:
    """The range with its ends as the extremes of the distribution."""
    return triangle_from_p10_p90(r) if ranges.ends == "p10_p90" and not r.is_exact else r


def mean(r: Range, ranges: Ranges) -> float:
    """The expected value of a range read as the case says."""
    if r.is_exact:
        return r.likely
    if ranges.ends == "p10_p90":
        # The fitted shape is a triangle whatever the case's distribution (the note's method).
        return triangular_mean(triangle_from_p10_p90(r))
    return pert_mean(r) if ranges.distribution == "pert" else triangular_mean(r)


def sample(r: Range, ranges: Ranges, rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` draws from the distribution whose mean is mean(r, ranges): the same reading of the range.

    A point is drawn as itself; P10/P90 ends are fitted to a triangle (as for the mean);
    otherwise Beta-PERT on [low, high] with beta_pert's shape, or the triangle itself.
    """
    if r.is_exact:
        return np.full(n, r.likely)
    if ranges.ends == "p10_p90":
        t = triangle_from_p10_p90(r)
        return rng.triangular(t.low, t.likely, t.high, n)
    if ranges.distribution == "triangular":
        return rng.triangular(r.low, r.likely, r.high, n)
    alpha, beta = beta_pert(r)
    return r.low + (r.high - r.low) * rng.beta(alpha, beta, n)
