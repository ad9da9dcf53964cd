"""How often each verdict comes out across the draws, with the simulation's own precision.

A share of draws is an estimate from a finite number of draws: its interval (Wilson's, at
95%) says how precisely the draws pin the share down, not how likely the advice is to be
right. More draws narrow it; the spread of the inputs does not.
"""
from __future__ import annotations

import math
from collections import Counter

# 95% two-sided: the normal quantile.
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a share successes / n."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def shares(verdicts: list[str]) -> list[tuple[str, int]]:
    """Each verdict with its count, commonest first (ties in name order, so the order is reproducible)."""
    return sorted(Counter(verdicts).items(), key=lambda kv: (-kv[1], kv[0]))
